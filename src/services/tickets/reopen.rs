//! A client who opens ticket after ticket (closing each with /close and
//! writing again) would cost the main group a topic and a card every time.
//! Past a few tickets an hour, their next message joins their latest ticket
//! instead: it is reopened where it was, and they are told so.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, SqlErr, TransactionTrait,
};
use serde_json::json;
use teloxide::types::User;

use super::{TicketService, current_mirror};
use crate::entities::{Actor, TicketStatus, tickets};
use crate::outbox::{Action, Delivery, Target};
use crate::records::events;

impl TicketService {
    /// The client's latest ticket, when they already opened as many tickets
    /// within the last hour as they may.
    pub(super) async fn over_the_hourly_limit(
        &self,
        client: i64,
    ) -> Result<Option<tickets::Model>, DbErr> {
        if self.tickets_per_hour == 0 {
            return Ok(None);
        }
        let hour_ago = Utc::now() - chrono::Duration::hours(1);
        let recent = tickets::Entity::find()
            .filter(tickets::Column::ClientTgId.eq(client))
            .filter(tickets::Column::CreatedAt.gte(hour_ago))
            .count(&self.db)
            .await?;
        if recent < u64::from(self.tickets_per_hour) {
            return Ok(None);
        }
        tickets::Entity::find()
            .filter(tickets::Column::ClientTgId.eq(client))
            .order_by_desc(tickets::Column::Id)
            .one(&self.db)
            .await
    }

    /// Opens `ticket` again for `client`'s new message: back to where it
    /// stood before closing, its topics reopened and renamed, the card's
    /// buttons back, the client told.
    pub(super) async fn reopen(
        &self,
        ticket: tickets::Model,
        client: &User,
    ) -> Result<tickets::Model, DbErr> {
        let ticket_id = ticket.id;
        let client_id = ticket.client_tg_id;
        let mirror = current_mirror(&self.db, ticket_id).await?;
        let txn = self.db.begin().await?;
        let mut row = ticket.into_active_model();
        row.status = Set(if mirror.is_some() {
            TicketStatus::Work
        } else {
            TicketStatus::New
        });
        row.closed_at = Set(None);
        let reopened = match row.update(&txn).await {
            Ok(ticket) => ticket,
            // Another instance opened a ticket for them a moment ago.
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                return self.open_ticket_of(client_id).await?.ok_or(error);
            }
            Err(error) => return Err(error),
        };
        let at = Utc::now().timestamp_millis();
        let main = reopened.main_chat_id;
        let mut deliveries = vec![
            Delivery::new(
                main,
                ticket_id,
                Action::ReopenTopic {
                    target: Target::Main { ticket_id },
                },
                format!("reopen:{ticket_id}:{at}"),
            ),
            Delivery::new(
                main,
                ticket_id,
                Action::RenameMainTopic { ticket_id },
                format!("rename:{ticket_id}:reopen:{at}"),
            ),
            Delivery::new(
                main,
                ticket_id,
                Action::RefreshCard {
                    ticket_id,
                    status: String::new(),
                },
                format!("card-status:reopen:{ticket_id}:{at}"),
            ),
            Delivery::new(
                client_id,
                ticket_id,
                Action::note(
                    Target::Client { user_id: client_id },
                    self.texts_for(client.language_code.as_deref())
                        .added_to_latest_ticket(ticket_id),
                ),
                format!("joined:{ticket_id}:{at}"),
            ),
        ];
        if let Some(mirror) = &mirror {
            deliveries.push(Delivery::new(
                mirror.chat_id,
                ticket_id,
                Action::ReopenTopic {
                    target: Target::Mirror {
                        mirror_id: mirror.id,
                    },
                },
                format!("reopen:mirror:{}:{at}", mirror.id),
            ));
        }
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(ticket_id),
            Actor::Client,
            "reopened",
            json!({ "reason": "tickets_per_hour", "limit": self.tickets_per_hour }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        // A survey still waiting for this client is over: they wrote again.
        if let Err(error) = self.store.fsm_clear(client_id).await {
            tracing::warn!(error = %error, "could not end the survey of a reopened ticket");
        }
        tracing::info!(
            ticket_id,
            client = client_id,
            "ticket reopened: too many tickets this hour"
        );
        Ok(reopened)
    }
}
