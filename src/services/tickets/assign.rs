//! Giving a ticket to a technician: a mirrored topic in their group with
//! the ticket so far, the main topic renamed, the card edited. Moving it to
//! another technician closes the old mirror with a note.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DbErr, EntityTrait, IntoActiveModel, TransactionTrait,
};
use serde_json::json;
use teloxide::types::User;

use super::{Change, TicketService, current_mirror, tech_label};
use crate::entities::{Actor, TicketStatus, mirrors, technicians};
use crate::outbox::{Action, Delivery, Target};
use crate::records::events;
use crate::services::ServiceResult;

impl TicketService {
    /// Assigns the ticket to a technician, moving the mirror if it was
    /// assigned to someone else. Runs under the ticket's lock.
    pub async fn assign(&self, ticket_id: i32, tech_id: i32, by: &User) -> ServiceResult<Change> {
        self.assign_as(ticket_id, tech_id, Actor::Staff, Some(by.id.0 as i64))
            .await
    }

    /// Assigns on behalf of `actor` (the system, for ASSIGN_MODE); `by` is
    /// the Telegram id of the person, when one pressed the button.
    pub(super) async fn assign_as(
        &self,
        ticket_id: i32,
        tech_id: i32,
        actor: Actor,
        by: Option<i64>,
    ) -> ServiceResult<Change> {
        let work = async { Ok(self.assign_locked(ticket_id, tech_id, actor, by).await?) };
        if actor == Actor::System {
            // Nobody to tell "busy" to: wait for whoever holds the ticket.
            self.with_ticket_locked(ticket_id, || work).await
        } else {
            self.under_ticket_lock(ticket_id, work).await
        }
    }

    async fn assign_locked(
        &self,
        ticket_id: i32,
        tech_id: i32,
        actor: Actor,
        by: Option<i64>,
    ) -> Result<Change, DbErr> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(Change::UnknownTicket);
        };
        if !ticket.status.is_open() {
            return Ok(Change::TicketClosed);
        }
        if ticket.status == TicketStatus::Held {
            // No topic yet: the client is still choosing a category.
            return Ok(Change::Busy);
        }
        let tech = technicians::Entity::find_by_id(tech_id)
            .one(&self.db)
            .await?;
        let Some(tech) = tech.filter(|t| t.is_active && t.available) else {
            return Ok(Change::UnknownTechnician);
        };
        let previous = current_mirror(&self.db, ticket_id).await?;
        if previous.as_ref().is_some_and(|b| b.tech_id == tech_id) {
            return Ok(Change::Unchanged);
        }

        let txn = self.db.begin().await?;
        let now = Utc::now();
        let mut deliveries = Vec::new();
        if let Some(old) = &previous {
            let mut closing = old.clone().into_active_model();
            closing.closed_at = Set(Some(now));
            closing.update(&txn).await?;
            let old_target = Target::Mirror { mirror_id: old.id };
            deliveries.push(Delivery::new(
                old.chat_id,
                ticket_id,
                Action::note(
                    old_target,
                    self.texts.reassigned_away_note(&tech_label(&tech)),
                ),
                format!("away:{}", old.id),
            ));
            deliveries.push(Delivery::new(
                old.chat_id,
                ticket_id,
                Action::CloseTopic { target: old_target },
                format!("close-topic:tech:{}", old.id),
            ));
        }
        let mirror = mirrors::ActiveModel {
            ticket_id: Set(ticket_id),
            tech_id: Set(tech.id),
            chat_id: Set(tech.group_chat_id),
            thread_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut updated = ticket.clone().into_active_model();
        // A ticket waiting for the client keeps waiting with its new technician.
        if ticket.status != TicketStatus::Waiting {
            updated.status = Set(TicketStatus::Work);
        }
        updated.assigned_tech_id = Set(Some(tech.id));
        updated.update(&txn).await?;

        deliveries.push(Delivery::new(
            tech.group_chat_id,
            ticket_id,
            Action::CreateMirrorTopic {
                mirror_id: mirror.id,
            },
            format!("tech-topic:{}", mirror.id),
        ));
        deliveries.push(Delivery::new(
            tech.group_chat_id,
            ticket_id,
            Action::CopyHistory {
                mirror_id: mirror.id,
            },
            format!("history:{}", mirror.id),
        ));
        deliveries.push(Delivery::new(
            ticket.main_chat_id,
            ticket_id,
            Action::RenameMainTopic { ticket_id },
            format!("rename:{ticket_id}:assign:{}", mirror.id),
        ));
        deliveries.push(Delivery::new(
            ticket.main_chat_id,
            ticket_id,
            Action::RefreshCard {
                ticket_id,
                status: self.texts.assigned_note(&tech_label(&tech)),
            },
            format!("card-status:assign:{}", mirror.id),
        ));
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(ticket_id),
            actor,
            if previous.is_some() {
                "reassigned"
            } else {
                "assigned"
            },
            json!({
                "tech_id": tech.id,
                "tech": tech.name,
                "previous_tech_id": previous.as_ref().map(|p| p.tech_id),
                "by": by,
            }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, tech_id, "ticket assigned");
        Ok(Change::Done)
    }
}
