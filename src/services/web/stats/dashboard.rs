//! The web desk's dashboard: today's open tickets, the technicians' load,
//! SLA at risk and breached, and the last [`DASHBOARD_DAYS`] days' charts.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::sla::SlaClock;
use crate::entities::{TicketStatus, feedback, tickets};
use crate::services::reports::{self};
use crate::services::web::WebDesk;
use crate::services::web::error::WebResult;
use crate::services::web::principal::Principal;
use crate::services::web::tickets::{TechnicianRef, TicketView};

use super::{DASHBOARD_DAYS, DayFigures, PeriodFigures, SLA_LIST, averages, day_of, start_of};

/// One technician on the dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TechnicianLoad {
    #[serde(flatten)]
    pub technician: TechnicianRef,
    pub available: bool,
    pub open_tickets: u64,
    /// The mean of all three answers over the last 30 days' surveys of
    /// their tickets.
    pub average_rating: Option<f64>,
    pub ratings: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenCounts {
    pub new: u64,
    pub work: u64,
    /// Waiting for the client.
    pub waiting: u64,
}

/// Open tickets whose SLA needs attention (in the caller's view).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct DashboardSla {
    /// Past a clock's warning moment, not breached yet.
    pub at_risk: u64,
    /// A clock ran out (the ⏰ badge).
    pub breached: u64,
    /// The at-risk tickets, the soonest due first (at most 20).
    pub at_risk_tickets: Vec<TicketView>,
    /// The breached tickets, the longest overdue first (at most 20).
    pub breached_tickets: Vec<TicketView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    /// Open tickets by status (in the caller's view).
    pub open: OpenCounts,
    /// The open ticket waiting longest.
    pub oldest_waiting: Option<TicketView>,
    /// Today (UTC) so far.
    pub today: PeriodFigures,
    /// The last 30 days, oldest first, today last.
    pub days: Vec<DayFigures>,
    pub technicians: Vec<TechnicianLoad>,
    /// Open tickets at risk of breaching their SLA, and breached ones.
    pub sla: DashboardSla,
    /// Open the event stream from here to follow the desk live.
    pub last_event_id: i32,
}

impl WebDesk {
    pub async fn dashboard(&self, caller: &Principal) -> WebResult<Dashboard> {
        let now = Utc::now();
        let today = day_of(now);
        let first_day = today - Duration::days(DASHBOARD_DAYS - 1);
        let scope = Self::scope_of(caller, None)?;
        let rows = self
            .period_rows(
                start_of(first_day),
                start_of(today) + Duration::days(1),
                scope,
                None,
            )
            .await?;
        let days: Vec<DayFigures> = first_day
            .iter_days()
            .take_while(|day| *day <= today)
            .map(|date| DayFigures {
                date,
                figures: rows.figures(start_of(date), start_of(date) + Duration::days(1)),
                rolled_up: None,
            })
            .collect();
        let today_figures = days
            .last()
            .map(|d| d.figures.clone())
            .expect("the period includes today");

        // Open tickets in the caller's view: theirs and unassigned ones.
        let mut open =
            tickets::Entity::find().filter(tickets::Column::Status.ne(TicketStatus::Closed));
        if let Some(visible) = caller.visible_tickets() {
            open = open.filter(visible);
        }
        let open = open.order_by_asc(tickets::Column::Id).all(&self.db).await?;
        let sla = self.dashboard_sla(&open, now).await?;
        let counts = OpenCounts {
            waiting: open
                .iter()
                .filter(|t| t.status == TicketStatus::Waiting)
                .count() as u64,
            new: open
                .iter()
                .filter(|t| t.status == TicketStatus::New)
                .count() as u64,
            work: open
                .iter()
                .filter(|t| t.status == TicketStatus::Work)
                .count() as u64,
        };
        let oldest_waiting = match open.iter().min_by_key(|t| (t.created_at, t.id)) {
            Some(oldest) => reports::rows_for(&self.db, vec![oldest.clone()])
                .await?
                .pop()
                .map(|row| TicketView::from_row(row, None)),
            None => None,
        };

        let since = start_of(first_day);
        let mut technicians = Vec::new();
        for load in reports::technicians(&self.db).await? {
            if !load.tech.is_active || scope.is_some_and(|me| me != load.tech.id) {
                continue;
            }
            let rated: Vec<&feedback::Model> = rows
                .tickets
                .iter()
                .filter(|t| t.assigned_tech_id == Some(load.tech.id))
                .filter_map(|t| rows.feedback.get(&t.id))
                .filter(|f| f.created_at >= since)
                .collect();
            let ratings = rated.len() as u64;
            let average_rating =
                averages(&rated).map(|a| (a.speed + a.quality + a.politeness) / 3.0);
            technicians.push(TechnicianLoad {
                technician: (&load.tech).into(),
                available: load.tech.available,
                open_tickets: load.open_tickets,
                average_rating,
                ratings,
            });
        }
        Ok(Dashboard {
            open: counts,
            oldest_waiting,
            today: today_figures,
            days,
            technicians,
            sla,
            last_event_id: self.newest_event_id().await?,
        })
    }

    /// Open tickets at risk (past a warning moment) and breached.
    async fn dashboard_sla(
        &self,
        open: &[tickets::Model],
        now: DateTime<Utc>,
    ) -> WebResult<DashboardSla> {
        let desk = self.tickets.desk();
        let mut at_risk: Vec<(DateTime<Utc>, &tickets::Model)> = Vec::new();
        let mut breached: Vec<(DateTime<Utc>, &tickets::Model)> = Vec::new();
        for ticket in open {
            let first = ticket
                .first_response_due
                .filter(|_| ticket.first_response_at.is_none());
            let resolution = ticket
                .resolution_due
                .filter(|_| ticket.status != TicketStatus::Waiting);
            let breach = [
                ticket.first_response_breached_at,
                ticket.resolution_breached_at,
            ]
            .into_iter()
            .flatten()
            .min();
            if let Some(at) = breach {
                breached.push((at, ticket));
                continue;
            }
            let targets = desk.sla_targets(ticket.priority.key());
            let risky = |clock: SlaClock, due: Option<DateTime<Utc>>, warned: bool| {
                let due = due?;
                let warning = targets.map(|t| t.warning_at(clock, due, &desk.calendar));
                (warned || warning.is_some_and(|w| w <= now)).then_some(due)
            };
            let soonest = [
                risky(
                    SlaClock::FirstResponse,
                    first,
                    ticket.first_response_warned_at.is_some(),
                ),
                risky(
                    SlaClock::Resolution,
                    resolution,
                    ticket.resolution_warned_at.is_some(),
                ),
            ]
            .into_iter()
            .flatten()
            .min();
            if let Some(due) = soonest {
                at_risk.push((due, ticket));
            }
        }
        at_risk.sort_by_key(|(due, t)| (*due, t.id));
        breached.sort_by_key(|(at, t)| (*at, t.id));
        let views = |list: &[(DateTime<Utc>, &tickets::Model)]| {
            list.iter()
                .take(SLA_LIST)
                .map(|(_, t)| (*t).clone())
                .collect::<Vec<_>>()
        };
        let to_views = |rows: Vec<reports::TicketRow>| {
            rows.into_iter()
                .map(|row| TicketView::from_row(row, None))
                .collect()
        };
        Ok(DashboardSla {
            at_risk: at_risk.len() as u64,
            breached: breached.len() as u64,
            at_risk_tickets: to_views(reports::rows_for(&self.db, views(&at_risk)).await?),
            breached_tickets: to_views(reports::rows_for(&self.db, views(&breached)).await?),
        })
    }
}
