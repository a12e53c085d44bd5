//! Automatic assignment (ASSIGN_MODE): a new ticket goes at once to one of
//! its category's available technicians — taking turns (`round_robin`: the
//! one assigned longest ago) or the one with the fewest open tickets
//! (`least_loaded`). Both are read from the database, so every instance
//! picks alike and nothing in memory needs sharing.
//!
//! What it costs the main group: what assigning by button costs (a title
//! edit and a card edit); with nobody available, one card edit saying so.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::{Change, TicketService};
use crate::domain::category::AssignMode;
use crate::entities::{Actor, TicketStatus, mirrors, technicians, tickets};
use crate::outbox::{Action, Delivery};
use crate::services::ServiceResult;

impl TicketService {
    /// Whether `ticket` is one ASSIGN_MODE should give a technician: new,
    /// nobody on it yet.
    pub(super) fn waits_for_assignment(&self, ticket: &tickets::Model) -> bool {
        self.desk().assign_mode != AssignMode::Manual
            && ticket.status == TicketStatus::New
            && ticket.assigned_tech_id.is_none()
    }

    /// Assigns `ticket` as ASSIGN_MODE says; with nobody available the card
    /// says so (once) and staff assign by hand.
    pub(super) async fn auto_assign(&self, ticket: &tickets::Model) -> ServiceResult<()> {
        let Some(tech) = self.pick_technician(ticket).await? else {
            let note = Delivery::new(
                ticket.main_chat_id,
                ticket.id,
                Action::RefreshCard {
                    ticket_id: ticket.id,
                    status: self.texts.no_technician_status().to_owned(),
                },
                format!("card-status:no-technician:{}", ticket.id),
            )
            .held_if(ticket.status == TicketStatus::Held);
            self.outbox.enqueue(&self.db, vec![note]).await?;
            return Ok(());
        };
        match self
            .assign_as(ticket.id, tech.id, Actor::System, None)
            .await?
        {
            Change::Done | Change::Unchanged => {}
            // Someone assigned it by hand meanwhile, or it closed: fine.
            other => {
                tracing::info!(ticket_id = ticket.id, outcome = ?other, "automatic assignment skipped")
            }
        }
        Ok(())
    }

    /// The technician ASSIGN_MODE picks for `ticket`, if anyone is
    /// available: active, not off (/tech_off), and taking its category.
    async fn pick_technician(
        &self,
        ticket: &tickets::Model,
    ) -> Result<Option<technicians::Model>, DbErr> {
        let category = ticket
            .category
            .as_deref()
            .and_then(|key| self.desk().category(key));
        let candidates: Vec<technicians::Model> = technicians::Entity::find()
            .filter(technicians::Column::IsActive.eq(true))
            .filter(technicians::Column::Available.eq(true))
            .all(&self.db)
            .await?
            .into_iter()
            .filter(|tech| {
                category.is_none_or(|c| c.is_handled_by(&tech.name, tech.username.as_deref()))
            })
            .collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        let ids: Vec<i32> = candidates.iter().map(|t| t.id).collect();
        let last_assigned = self.last_assigned(&ids).await?;
        // Never assigned comes first, then the longest ago; ids break ties.
        let turn = |tech: &technicians::Model| (last_assigned.get(&tech.id).copied(), tech.id);
        let chosen = match self.desk().assign_mode {
            AssignMode::LeastLoaded => {
                let load = self.open_tickets_per_technician(&ids).await?;
                candidates
                    .into_iter()
                    .min_by_key(|tech| (load.get(&tech.id).copied().unwrap_or(0), turn(tech)))
            }
            AssignMode::RoundRobin | AssignMode::Manual => {
                candidates.into_iter().min_by_key(|tech| turn(tech))
            }
        };
        Ok(chosen)
    }

    /// When each technician last got a ticket.
    async fn last_assigned(&self, ids: &[i32]) -> Result<HashMap<i32, DateTime<Utc>>, DbErr> {
        let rows: Vec<(i32, Option<DateTime<Utc>>)> = mirrors::Entity::find()
            .select_only()
            .column(mirrors::Column::TechId)
            .column_as(mirrors::Column::CreatedAt.max(), "last")
            .filter(mirrors::Column::TechId.is_in(ids.iter().copied()))
            .group_by(mirrors::Column::TechId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, last)| last.map(|last| (id, last)))
            .collect())
    }

    /// How many open tickets each technician has.
    async fn open_tickets_per_technician(&self, ids: &[i32]) -> Result<HashMap<i32, i64>, DbErr> {
        let rows: Vec<(Option<i32>, i64)> = tickets::Entity::find()
            .select_only()
            .column(tickets::Column::AssignedTechId)
            .column_as(tickets::Column::Id.count(), "open")
            .filter(tickets::Column::AssignedTechId.is_in(ids.iter().copied()))
            .filter(tickets::Column::Status.is_in([
                TicketStatus::New,
                TicketStatus::Work,
                TicketStatus::Waiting,
            ]))
            .group_by(tickets::Column::AssignedTechId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, count)| id.map(|id| (id, count)))
            .collect())
    }
}
