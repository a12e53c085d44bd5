//! Figures for the web desk: what /stats gives, per day (UTC), and the
//! dashboard. Computed here from the rows, the same on both databases.
//! A technician sees the figures of their own tickets.

mod dashboard;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entities::{daily_stats, feedback, tickets};
use crate::services::daily_stats::{TOTAL_CATEGORY, TOTAL_TECH};
use crate::services::knowledge::KbFigures;
use crate::services::reports::percentile;
use crate::services::web::WebDesk;
use crate::services::web::error::{WebError, WebResult};
use crate::services::web::principal::Principal;

pub use dashboard::{Dashboard, DashboardSla, OpenCounts, TechnicianLoad};

/// The longest period one request may cover.
pub const MAX_DAYS: i64 = 366;
/// The dashboard's charts cover this many days, today included.
pub const DASHBOARD_DAYS: i64 = 30;
const IN_CHUNK: usize = 500;
/// Tickets the dashboard lists per SLA state.
const SLA_LIST: usize = 20;

/// Median and 90th percentile, in seconds.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct SpreadView {
    pub count: usize,
    pub median_seconds: f64,
    pub p90_seconds: f64,
}

fn spread(mut seconds: Vec<f64>) -> Option<SpreadView> {
    seconds.sort_by(f64::total_cmp);
    Some(SpreadView {
        count: seconds.len(),
        median_seconds: percentile(&seconds, 0.5)?,
        p90_seconds: percentile(&seconds, 0.9)?,
    })
}

/// Average survey answers (1–5).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct SurveyAverages {
    pub speed: f64,
    pub quality: f64,
    pub politeness: f64,
}

fn averages(answers: &[&feedback::Model]) -> Option<SurveyAverages> {
    if answers.is_empty() {
        return None;
    }
    let n = answers.len() as f64;
    let mean =
        |q: fn(&feedback::Model) -> i16| answers.iter().map(|a| f64::from(q(a))).sum::<f64>() / n;
    Some(SurveyAverages {
        speed: mean(|a| a.q1),
        quality: mean(|a| a.q2),
        politeness: mean(|a| a.q3),
    })
}

/// The figures of one day, or of the whole period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodFigures {
    /// Tickets opened.
    pub opened: u64,
    /// Tickets closed (whenever opened).
    pub closed: u64,
    /// Of the tickets opened, those not closed yet.
    pub still_open: u64,
    /// Opening to the first answer, of the tickets opened.
    pub first_response: Option<SpreadView>,
    /// Opening to closing, of the tickets closed.
    pub resolution: Option<SpreadView>,
    /// Surveys answered, of the tickets closed.
    pub feedback: u64,
    pub averages: Option<SurveyAverages>,
    /// What happened to the SLA clocks that day.
    pub sla: SlaFigures,
}

/// SLA outcomes in a period, each counted on the day it happened.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SlaFigures {
    /// First answers given within their target.
    pub first_response_met: u64,
    /// First-response clocks that ran out.
    pub first_response_breached: u64,
    /// Tickets with a resolution target closed within it.
    pub resolution_met: u64,
    /// Resolution clocks that ran out.
    pub resolution_breached: u64,
}

/// A day's figures as the nightly rollup (`daily_stats`) wrote them, for
/// the day on the team's clock (BUSINESS_HOURS' time zone), with the
/// same category and technician filters.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RolledUpFigures {
    pub opened: i64,
    pub closed: i64,
    /// Tickets closed that day that met every SLA target they had.
    pub sla_met: i64,
    /// Tickets closed that day with a breached clock.
    pub sla_breached: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayFigures {
    /// `YYYY-MM-DD`, UTC.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    #[serde(flatten)]
    pub figures: PeriodFigures,
    /// The nightly rollup's numbers for this date; null for a day not
    /// rolled up (today, or before the first ticket).
    pub rolled_up: Option<RolledUpFigures>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatsReport {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub technician: Option<i32>,
    /// The category key asked for.
    pub category: Option<String>,
    pub days: Vec<DayFigures>,
    pub total: PeriodFigures,
    /// Articles offered to clients before a person, the share resolved by
    /// them (the deflection rate), and each article's helpful and
    /// unhelpful counts, over the whole period.
    pub knowledge: KbFigures,
}

fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds().max(0) as f64 / 1000.0
}

fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.date_naive()
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// The tickets and survey answers of a period, read once.
struct PeriodRows {
    tickets: Vec<tickets::Model>,
    feedback: BTreeMap<i32, feedback::Model>,
}

impl PeriodRows {
    fn figures(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> PeriodFigures {
        let within = |at: DateTime<Utc>| at >= from && at < until;
        let opened: Vec<&tickets::Model> = self
            .tickets
            .iter()
            .filter(|t| within(t.created_at))
            .collect();
        let closed: Vec<&tickets::Model> = self
            .tickets
            .iter()
            .filter(|t| t.closed_at.is_some_and(within))
            .collect();
        let answers: Vec<&feedback::Model> = closed
            .iter()
            .filter_map(|t| self.feedback.get(&t.id))
            .collect();
        let sla = SlaFigures {
            first_response_met: self
                .tickets
                .iter()
                .filter(|t| {
                    t.first_response_at.is_some_and(within)
                        && t.first_response_due.is_some()
                        && t.first_response_breached_at.is_none()
                })
                .count() as u64,
            first_response_breached: self
                .tickets
                .iter()
                .filter(|t| t.first_response_breached_at.is_some_and(within))
                .count() as u64,
            resolution_met: closed
                .iter()
                .filter(|t| t.resolution_due.is_some() && t.resolution_breached_at.is_none())
                .count() as u64,
            resolution_breached: self
                .tickets
                .iter()
                .filter(|t| t.resolution_breached_at.is_some_and(within))
                .count() as u64,
        };
        PeriodFigures {
            sla,
            opened: opened.len() as u64,
            closed: closed.len() as u64,
            still_open: opened.iter().filter(|t| t.status.is_open()).count() as u64,
            first_response: spread(
                opened
                    .iter()
                    .filter_map(|t| Some(seconds_between(t.created_at, t.first_response_at?)))
                    .collect(),
            ),
            resolution: spread(
                closed
                    .iter()
                    .filter_map(|t| Some(seconds_between(t.created_at, t.closed_at?)))
                    .collect(),
            ),
            feedback: answers.len() as u64,
            averages: averages(&answers),
        }
    }
}

impl WebDesk {
    /// Tickets opened or closed in [from, until), of one technician or all.
    async fn period_rows(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        technician: Option<i32>,
        category: Option<&str>,
    ) -> WebResult<PeriodRows> {
        let within =
            |column: tickets::Column| Condition::all().add(column.gte(from)).add(column.lt(until));
        let mut query = tickets::Entity::find().filter(
            Condition::any()
                .add(within(tickets::Column::CreatedAt))
                .add(within(tickets::Column::ClosedAt))
                .add(within(tickets::Column::FirstResponseAt))
                .add(within(tickets::Column::FirstResponseBreachedAt))
                .add(within(tickets::Column::ResolutionBreachedAt)),
        );
        if let Some(tech) = technician {
            query = query.filter(tickets::Column::AssignedTechId.eq(tech));
        }
        if let Some(category) = category {
            query = query.filter(tickets::Column::Category.eq(category));
        }
        let tickets = query.all(&self.db).await?;
        let ids: Vec<i32> = tickets.iter().map(|t| t.id).collect();
        let mut feedback = BTreeMap::new();
        for chunk in ids.chunks(IN_CHUNK) {
            for row in feedback::Entity::find()
                .filter(feedback::Column::TicketId.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?
            {
                feedback.insert(row.ticket_id, row);
            }
        }
        Ok(PeriodRows { tickets, feedback })
    }

    /// The technician whose figures the caller gets: a technician always
    /// their own; others whom they ask for (or everyone).
    fn scope_of(caller: &Principal, asked: Option<i32>) -> WebResult<Option<i32>> {
        if caller.sees_everything() {
            return Ok(asked);
        }
        let me = caller.technician();
        match asked {
            Some(other) if Some(other) != me => Err(WebError::Forbidden(
                "technicians see their own figures only".into(),
            )),
            _ => Ok(me),
        }
    }

    pub async fn stats(
        &self,
        caller: &Principal,
        from: NaiveDate,
        to: NaiveDate,
        technician: Option<i32>,
        category: Option<&str>,
    ) -> WebResult<StatsReport> {
        if let Some(key) = category {
            self.check_category("category", key)?;
        }
        if from > to {
            return Err(WebError::invalid("from", "must not be after `to`"));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(WebError::invalid(
                "to",
                format!("a period covers at most {MAX_DAYS} days"),
            ));
        }
        let technician = Self::scope_of(caller, technician)?;
        let until = start_of(to) + Duration::days(1);
        let rows = self
            .period_rows(start_of(from), until, technician, category)
            .await?;
        let mut rolled_up = self.rolled_up(from, to, technician, category).await?;
        let days = from
            .iter_days()
            .take_while(|day| *day <= to)
            .map(|date| DayFigures {
                date,
                figures: rows.figures(start_of(date), start_of(date) + Duration::days(1)),
                rolled_up: rolled_up.remove(&date),
            })
            .collect();
        let knowledge = self
            .tickets
            .knowledge()
            .figures(start_of(from), until)
            .await?;
        Ok(StatsReport {
            from,
            to,
            technician,
            category: category.map(str::to_owned),
            days,
            total: rows.figures(start_of(from), until),
            knowledge,
        })
    }

    /// The nightly rollup's figures of the days `from..=to`, summed over
    /// the rows the filters pick: the totals row without filters.
    async fn rolled_up(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        technician: Option<i32>,
        category: Option<&str>,
    ) -> WebResult<BTreeMap<NaiveDate, RolledUpFigures>> {
        let label = |day: NaiveDate| day.format("%Y-%m-%d").to_string();
        let mut query = daily_stats::Entity::find()
            .filter(daily_stats::Column::Day.gte(label(from)))
            .filter(daily_stats::Column::Day.lte(label(to)));
        query = match (category, technician) {
            (None, None) => query
                .filter(daily_stats::Column::Category.eq(TOTAL_CATEGORY))
                .filter(daily_stats::Column::TechId.eq(TOTAL_TECH)),
            (category, technician) => {
                let mut query = query.filter(daily_stats::Column::Category.ne(TOTAL_CATEGORY));
                if let Some(category) = category {
                    query = query.filter(daily_stats::Column::Category.eq(category));
                }
                if let Some(tech) = technician {
                    query = query.filter(daily_stats::Column::TechId.eq(tech));
                }
                query
            }
        };
        // A day that was rolled up has its totals row, even when empty:
        // the filtered days then count zero rather than unknown.
        let done: Vec<String> = daily_stats::Entity::find()
            .select_only()
            .column(daily_stats::Column::Day)
            .filter(daily_stats::Column::Category.eq(TOTAL_CATEGORY))
            .filter(daily_stats::Column::Day.gte(label(from)))
            .filter(daily_stats::Column::Day.lte(label(to)))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut days: BTreeMap<NaiveDate, RolledUpFigures> = done
            .iter()
            .filter_map(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
            .map(|day| (day, RolledUpFigures::default()))
            .collect();
        for row in query.all(&self.db).await? {
            let Ok(day) = NaiveDate::parse_from_str(&row.day, "%Y-%m-%d") else {
                continue;
            };
            let figures = days.entry(day).or_default();
            figures.opened += i64::from(row.opened);
            figures.closed += i64::from(row.closed);
            figures.sla_met += i64::from(row.sla_met);
            figures.sla_breached += i64::from(row.sla_breached);
        }
        Ok(days)
    }
}
