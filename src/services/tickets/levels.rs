//! Priorities and waiting for the client: the two things staff change that
//! move a ticket's SLA deadlines.
//!
//! What it costs the main group: nothing new. A priority change edits the
//! card; waiting renames the topic (⏸) and edits the card, and so does the
//! client's answer that ends the wait.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionTrait,
};
use serde_json::json;

use super::{Change, TicketService, status_line};
use crate::domain::sla::{SlaDeadlines, due_after_waiting};
use crate::entities::{Actor, Priority, TicketStatus, tickets};
use crate::outbox::{Action, Delivery};
use crate::records::events;
use crate::schedule::Planned;
use crate::services::ServiceResult;

impl TicketService {
    /// The deadlines of a ticket of `priority` whose client first wrote at
    /// `opened_at`; `None` without an SLA for that priority.
    pub(super) fn deadlines(
        &self,
        priority: Priority,
        opened_at: DateTime<Utc>,
    ) -> Option<SlaDeadlines> {
        let desk = self.desk();
        Some(
            desk.sla_targets(priority.key())?
                .deadlines(opened_at, &desk.calendar),
        )
    }

    /// Sets the ticket's priority; its deadlines follow (counted from when
    /// the client first wrote, keeping the time it waited for the client).
    pub async fn set_priority(
        &self,
        ticket_id: i32,
        priority: Priority,
        actor: Actor,
        by: &str,
    ) -> ServiceResult<Change> {
        let changed = self
            .under_ticket_lock(ticket_id, async {
                self.set_priority_locked(ticket_id, priority, actor, by)
                    .await
            })
            .await?;
        if changed == Change::Done
            && let Some(ticket) = self.get(ticket_id).await?
        {
            self.planner.sla_checks(&ticket).await;
        }
        Ok(changed)
    }

    async fn set_priority_locked(
        &self,
        ticket_id: i32,
        priority: Priority,
        actor: Actor,
        by: &str,
    ) -> ServiceResult<Change> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(Change::UnknownTicket);
        };
        if !ticket.status.is_open() {
            return Ok(Change::TicketClosed);
        }
        if ticket.priority == priority {
            return Ok(Change::Unchanged);
        }
        let now = Utc::now();
        let mut row = ticket.clone().into_active_model();
        row.priority = Set(priority);
        match self.deadlines(priority, ticket.created_at) {
            Some(new) => {
                if ticket.first_response_at.is_none() {
                    row.first_response_due = Set(Some(new.first_response_due));
                    if new.first_response_due > now && ticket.first_response_breached_at.is_none() {
                        row.first_response_warned_at = Set(None);
                    }
                }
                let resolution_due = self.keep_waited_time(&ticket, new.resolution_due);
                row.resolution_due = Set(Some(resolution_due));
                if resolution_due > now && ticket.resolution_breached_at.is_none() {
                    row.resolution_warned_at = Set(None);
                }
            }
            None => {
                row.first_response_due = Set(None);
                row.resolution_due = Set(None);
            }
        }
        let txn = self.db.begin().await?;
        let updated = row.update(&txn).await?;
        let card = Delivery::new(
            ticket.main_chat_id,
            ticket_id,
            Action::RefreshCard {
                ticket_id,
                status: status_line(&txn, &self.texts, self.desk(), &updated).await?,
            },
            format!(
                "card-status:priority:{ticket_id}:{}",
                now.timestamp_millis()
            ),
        );
        let lanes = self.outbox.insert(&txn, vec![card]).await?;
        events::record(
            &txn,
            Some(ticket_id),
            actor,
            "priority_changed",
            json!({ "from": ticket.priority.key(), "to": priority.key(), "by": by }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, priority = priority.key(), "priority changed");
        Ok(Change::Done)
    }

    /// `base` (a resolution deadline counted from opening) moved by the
    /// business time the ticket already spent waiting for the client.
    fn keep_waited_time(&self, ticket: &tickets::Model, base: DateTime<Utc>) -> DateTime<Utc> {
        let calendar = &self.desk().calendar;
        let (Some(old_due), Some(old_base)) = (
            ticket.resolution_due,
            self.deadlines(ticket.priority, ticket.created_at)
                .map(|d| d.resolution_due),
        ) else {
            return base;
        };
        if old_due <= old_base {
            return base;
        }
        calendar.add(base, calendar.between(old_base, old_due))
    }

    /// The team waits for the client: status WAITING (⏸ in the title), the
    /// resolution clock paused until the client writes.
    pub async fn wait_for_client(
        &self,
        ticket_id: i32,
        actor: Actor,
        by: &str,
    ) -> ServiceResult<Change> {
        let changed = self
            .under_ticket_lock(ticket_id, self.wait_locked(ticket_id, actor, by))
            .await?;
        if changed == Change::Done
            && let Some(after) = self.desk().waiting_auto_close
        {
            self.planner
                .after(Planned::WaitingAutoClose { ticket_id }, after)
                .await;
        }
        Ok(changed)
    }

    async fn wait_locked(&self, ticket_id: i32, actor: Actor, by: &str) -> ServiceResult<Change> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(Change::UnknownTicket);
        };
        match ticket.status {
            TicketStatus::Closed => return Ok(Change::TicketClosed),
            TicketStatus::Waiting => return Ok(Change::Unchanged),
            TicketStatus::Held => return Ok(Change::Busy),
            TicketStatus::New | TicketStatus::Work => {}
        }
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let mut row = ticket.clone().into_active_model();
        row.status = Set(TicketStatus::Waiting);
        row.waiting_since = Set(Some(now));
        row.update(&txn).await?;
        let since = crate::services::sla::local_moment(self.desk(), now);
        let deliveries = self.stage_changed(&ticket, self.texts.waiting_status(&since), now);
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(&txn, Some(ticket_id), actor, "waiting", json!({ "by": by })).await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, "waiting for the client");
        Ok(Change::Done)
    }

    /// The client wrote to a waiting ticket: back to work, the resolution
    /// deadline moved by the business time it waited. Returns the ticket
    /// as it is now.
    pub async fn resume_after_waiting(
        &self,
        ticket: tickets::Model,
    ) -> ServiceResult<tickets::Model> {
        if ticket.status != TicketStatus::Waiting {
            return Ok(ticket);
        }
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let mut row = ticket.clone().into_active_model();
        row.status = Set(if ticket.assigned_tech_id.is_some() {
            TicketStatus::Work
        } else {
            TicketStatus::New
        });
        row.waiting_since = Set(None);
        if let (Some(due), Some(since)) = (ticket.resolution_due, ticket.waiting_since) {
            row.resolution_due = Set(Some(due_after_waiting(
                due,
                since,
                now,
                &self.desk().calendar,
            )));
        }
        // Only the ticket still waiting is resumed: a second message racing
        // this one finds it done.
        let resumed = tickets::Entity::update_many()
            .set(row)
            .filter(tickets::Column::Id.eq(ticket.id))
            .filter(tickets::Column::Status.eq(TicketStatus::Waiting))
            .exec(&txn)
            .await?;
        if resumed.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(self.get(ticket.id).await?.unwrap_or(ticket));
        }
        let updated = self
            .get_in(&txn, ticket.id)
            .await?
            .unwrap_or(ticket.clone());
        let status = status_line(&txn, &self.texts, self.desk(), &updated).await?;
        let deliveries = self.stage_changed(&ticket, status, now);
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(ticket.id),
            Actor::Client,
            "waiting_ended",
            json!({ "waited_secs": ticket.waiting_since.map(|s| (now - s).num_seconds()) }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        self.planner.sla_checks(&updated).await;
        tracing::info!(ticket_id = ticket.id, "the client answered; back to work");
        Ok(updated)
    }

    /// A waiting ticket the client left unanswered for WAITING_AUTO_CLOSE
    /// is closed (with the survey).
    pub async fn close_if_still_waiting(&self, ticket_id: i32) -> ServiceResult<()> {
        let Some(after) = self.desk().waiting_auto_close else {
            return Ok(());
        };
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(());
        };
        let Some(since) = ticket
            .waiting_since
            .filter(|_| ticket.status == TicketStatus::Waiting)
        else {
            return Ok(());
        };
        let due = since + chrono::Duration::from_std(after).unwrap_or_default();
        if Utc::now() < due {
            // Waiting again since: a later job is planned for that wait.
            return Ok(());
        }
        let by = self
            .texts
            .waiting_auto_closed(&self.texts.duration(after.as_secs_f64()));
        self.close(ticket_id, Actor::System, &by).await?;
        Ok(())
    }

    /// Waiting tickets past WAITING_AUTO_CLOSE whose job was lost.
    pub async fn close_overdue_waiting(&self) -> ServiceResult<usize> {
        let Some(after) = self.desk().waiting_auto_close else {
            return Ok(0);
        };
        let cutoff = Utc::now() - chrono::Duration::from_std(after).unwrap_or_default();
        let overdue = tickets::Entity::find()
            .filter(tickets::Column::Status.eq(TicketStatus::Waiting))
            .filter(tickets::Column::WaitingSince.lt(cutoff))
            .all(&self.db)
            .await?;
        for ticket in &overdue {
            self.close_if_still_waiting(ticket.id).await?;
        }
        Ok(overdue.len())
    }

    /// The title (⏸ on or off, in both topics) and the card's line follow a
    /// change of stage.
    fn stage_changed(
        &self,
        ticket: &tickets::Model,
        status: String,
        now: DateTime<Utc>,
    ) -> Vec<Delivery> {
        let id = ticket.id;
        let stamp = now.timestamp_millis();
        vec![
            Delivery::new(
                ticket.main_chat_id,
                id,
                Action::RenameMainTopic { ticket_id: id },
                format!("rename:{id}:stage:{stamp}"),
            ),
            Delivery::new(
                ticket.main_chat_id,
                id,
                Action::RefreshCard {
                    ticket_id: id,
                    status,
                },
                format!("card-status:stage:{id}:{stamp}"),
            ),
        ]
    }

    async fn get_in<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        ticket_id: i32,
    ) -> Result<Option<tickets::Model>, DbErr> {
        tickets::Entity::find_by_id(ticket_id).one(conn).await
    }
}
