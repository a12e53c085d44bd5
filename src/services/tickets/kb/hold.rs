//! A ticket held while the client reads the articles (KB_SUGGEST=hold),
//! and its release.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;

use super::{decide, outcome_name};
use crate::domain::category::Category;
use crate::entities::kb_suggestions::SuggestionOutcome;
use crate::entities::{Actor, TicketStatus, tickets};
use crate::outbox::Lanes;
use crate::records::events;
use crate::schedule::Planned;
use crate::services::ServiceResult;
use crate::services::tickets::TicketService;

impl TicketService {
    /// The client wrote again while their ticket was held for the
    /// knowledge base: it opens, with every message in order.
    pub async fn kb_client_wrote_again(&self, ticket_id: i32) -> ServiceResult<()> {
        self.release_kb_hold(ticket_id, SuggestionOutcome::NeededPerson)
            .await
    }

    /// KB_HOLD_TIMEOUT passed without «Помогло»: the ticket opens.
    pub async fn kb_hold_timed_out(&self, ticket_id: i32) -> ServiceResult<()> {
        self.release_kb_hold(ticket_id, SuggestionOutcome::TimedOut)
            .await
    }

    /// Tickets held for the knowledge base past KB_HOLD_TIMEOUT (their job
    /// was lost): released.
    pub async fn release_overdue_kb_holds(&self) -> ServiceResult<usize> {
        let cutoff = Utc::now()
            - chrono::Duration::from_std(self.desk().kb_hold_timeout).unwrap_or_default()
            - chrono::Duration::seconds(5);
        let overdue = tickets::Entity::find()
            .filter(tickets::Column::Status.eq(TicketStatus::Held))
            .filter(tickets::Column::KbHeld.eq(true))
            .filter(tickets::Column::CreatedAt.lt(cutoff))
            .all(&self.db)
            .await?;
        for ticket in &overdue {
            self.kb_hold_timed_out(ticket.id).await?;
        }
        Ok(overdue.len())
    }

    async fn release_kb_hold(
        &self,
        ticket_id: i32,
        outcome: SuggestionOutcome,
    ) -> ServiceResult<()> {
        let opened = self
            .with_ticket_locked(ticket_id, || async {
                let Some(ticket) = self.get(ticket_id).await? else {
                    return Ok(None);
                };
                self.release_kb_hold_locked(&ticket, outcome).await
            })
            .await?;
        if let Some(opened) = opened {
            self.after_opening(&opened).await?;
        }
        Ok(())
    }

    /// Ends the knowledge base's hold on `ticket` (under its lock): with
    /// CATEGORIES the client is asked for one next (the ticket stays held
    /// for that); without, it opens. Returns the ticket when it opened.
    pub(super) async fn release_kb_hold_locked(
        &self,
        ticket: &tickets::Model,
        outcome: SuggestionOutcome,
    ) -> ServiceResult<Option<tickets::Model>> {
        let ticket = match self.get(ticket.id).await? {
            Some(ticket) if ticket.status == TicketStatus::Held && ticket.kb_held => ticket,
            _ => return Ok(None),
        };
        let ticket_id = ticket.id;
        let txn = self.db.begin().await?;
        decide(&txn, ticket_id, outcome).await?;
        tickets::Entity::update_many()
            .col_expr(tickets::Column::KbHeld, Expr::value(false))
            .filter(tickets::Column::Id.eq(ticket_id))
            .exec(&txn)
            .await?;
        let asks_category = !self.desk().categories.is_empty();
        let mut lanes = Lanes::default();
        if asks_category {
            let texts = self.client_texts(ticket.client_tg_id).await?;
            let question = self.category_question(&texts, ticket.client_tg_id, ticket_id);
            lanes.merge(self.outbox.insert(&txn, vec![question]).await?);
        }
        events::record(
            &txn,
            Some(ticket_id),
            Actor::System,
            "kb_hold_released",
            json!({ "outcome": outcome_name(outcome), "asks_category": asks_category }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        if asks_category {
            self.planner
                .after(
                    Planned::CategoryTimeout { ticket_id },
                    self.desk().category_timeout,
                )
                .await;
            return Ok(None);
        }
        let (_, opened) = self
            .open_held_locked(ticket_id, None, &Category::new("", ""), None)
            .await?;
        Ok(opened)
    }
}
