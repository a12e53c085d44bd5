//! Closing a ticket from any side: topics renamed and closed, the card
//! edited, the client told and handed to the survey, the report queued.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel, TransactionTrait};
use serde_json::json;

use super::{Change, REPORT_GRACE, TicketService, current_mirror};
use crate::entities::{Actor, TicketStatus, tickets};
use crate::outbox::{Action, Delivery, Target};
use crate::records::events;
use crate::services::{ServiceResult, sheets, survey};

impl TicketService {
    /// A ticket closed while the client was still picking its category
    /// (the client's /close): it never reached the team, so its held
    /// deliveries are dropped, no topic opens and no survey follows.
    async fn close_held(
        &self,
        ticket: tickets::Model,
        actor: Actor,
        by: &str,
    ) -> ServiceResult<Change> {
        let ticket_id = ticket.id;
        let client_texts = self.client_texts(ticket.client_tg_id).await?;
        let txn = self.db.begin().await?;
        let mut updated = ticket.clone().into_active_model();
        updated.status = Set(TicketStatus::Closed);
        updated.closed_at = Set(Some(Utc::now()));
        updated.update(&txn).await?;
        self.outbox.drop_held(&txn, ticket_id).await?;
        let told = Delivery::new(
            ticket.client_tg_id,
            ticket_id,
            Action::note(
                Target::Client {
                    user_id: ticket.client_tg_id,
                },
                client_texts.closed_for_client(ticket_id),
            ),
            format!("closed-client:{ticket_id}"),
        );
        let lanes = self.outbox.insert(&txn, vec![told]).await?;
        events::record(
            &txn,
            Some(ticket_id),
            actor,
            "closed",
            json!({ "by": by, "before_category": true }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        Ok(Change::Done)
    }

    /// Closes the ticket: renames and closes its topics, tells everyone.
    /// `by` names who closed it, for the notes.
    pub async fn close(&self, ticket_id: i32, actor: Actor, by: &str) -> ServiceResult<Change> {
        self.under_ticket_lock(ticket_id, self.close_locked(ticket_id, actor, by))
            .await
    }

    async fn close_locked(&self, ticket_id: i32, actor: Actor, by: &str) -> ServiceResult<Change> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(Change::UnknownTicket);
        };
        if !ticket.status.is_open() {
            return Ok(Change::Unchanged);
        }
        if ticket.status == TicketStatus::Held {
            return self.close_held(ticket, actor, by).await;
        }
        let mirror = current_mirror(&self.db, ticket_id).await?;
        let client_texts = self.client_texts(ticket.client_tg_id).await?;
        let txn = self.db.begin().await?;
        let mut updated = ticket.clone().into_active_model();
        let closed_at = Utc::now();
        updated.status = Set(TicketStatus::Closed);
        updated.closed_at = Set(Some(closed_at));
        updated.update(&txn).await?;

        let main = Target::Main { ticket_id };
        let note = self.texts.closed_note(by);
        let mut deliveries = vec![
            Delivery::new(
                ticket.main_chat_id,
                ticket_id,
                Action::RenameMainTopic { ticket_id },
                format!("rename:{ticket_id}:close"),
            ),
            Delivery::new(
                ticket.main_chat_id,
                ticket_id,
                Action::RefreshCard {
                    ticket_id,
                    status: note.clone(),
                },
                format!("card-status:close:{ticket_id}"),
            ),
            Delivery::new(
                ticket.main_chat_id,
                ticket_id,
                Action::CloseTopic { target: main },
                format!("close-topic:main:{ticket_id}"),
            ),
            Delivery::new(
                ticket.client_tg_id,
                ticket_id,
                Action::note(
                    Target::Client {
                        user_id: ticket.client_tg_id,
                    },
                    client_texts.closed_for_client(ticket_id),
                ),
                format!("closed-client:{ticket_id}"),
            ),
        ];
        if let Some(mirror) = &mirror {
            let tech = Target::Mirror {
                mirror_id: mirror.id,
            };
            // The ⏰ badge goes with the resolution (the main topic's title
            // changes at closing anyway).
            if ticket.first_response_breached_at.is_some()
                || ticket.resolution_breached_at.is_some()
            {
                deliveries.push(Delivery::new(
                    mirror.chat_id,
                    ticket_id,
                    Action::RenameMirrorTopic {
                        mirror_id: mirror.id,
                    },
                    format!("rename-mirror:{}:close", mirror.id),
                ));
            }
            deliveries.push(Delivery::new(
                mirror.chat_id,
                ticket_id,
                Action::note(tech, note),
                format!("closed-note:tech:{}", mirror.id),
            ));
            deliveries.push(Delivery::new(
                mirror.chat_id,
                ticket_id,
                Action::CloseTopic { target: tech },
                format!("close-topic:tech:{}", mirror.id),
            ));
        }
        // The client is handed to the survey: its first question follows the
        // closing message, and the survey state exists before either is sent.
        deliveries.push(survey::first_question(&client_texts, &ticket));
        survey::begin(&self.store, ticket.client_tg_id, ticket_id, self.survey_ttl).await?;
        // The report row waits for the survey, at most until it expires
        // (plus a little grace for an answer given right at the deadline).
        let report_due = closed_at
            + chrono::Duration::from_std(self.survey_ttl + REPORT_GRACE)
                .unwrap_or(chrono::Duration::days(1));
        sheets::queue_report(&txn, ticket_id, report_due).await?;
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(&txn, Some(ticket_id), actor, "closed", json!({ "by": by })).await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, by, "ticket closed");
        Ok(Change::Done)
    }
}
