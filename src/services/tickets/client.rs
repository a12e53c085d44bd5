//! The client's side of a ticket outside the bridge: their commands, and
//! what happens when they block the bot.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionTrait,
};
use serde_json::json;

use teloxide::types::User;

use super::TicketService;
use crate::domain::commands::ClientCommand;
use crate::entities::{Actor, TicketStatus, tickets, users};
use crate::outbox::{Action, Delivery, Lanes, Target};
use crate::records::events;
use crate::services::ServiceResult;
use crate::texts::FailedPlace;

impl TicketService {
    /// A client's command: /start and /help answer without opening a
    /// ticket (so bots and the curious cannot spam topics); /close closes
    /// their open ticket, or gets the help text when there is none.
    pub async fn client_command(
        &self,
        client: &User,
        command: ClientCommand,
        message_id: i32,
    ) -> ServiceResult<()> {
        let client_id = client.id.0 as i64;
        let texts = self.texts_for(client.language_code.as_deref());
        let reply = match command {
            ClientCommand::Start => Some(texts.greeting().to_owned()),
            ClientCommand::Help => Some(texts.help().to_owned()),
            ClientCommand::Close => match self.open_ticket_of(client_id).await? {
                Some(ticket) => {
                    tracing::Span::current().record("ticket_id", ticket.id);
                    self.close(ticket.id, Actor::Client, &client.full_name())
                        .await?;
                    None
                }
                None => Some(texts.help().to_owned()),
            },
        };
        if let Some(text) = reply {
            let answer = Delivery::without_ticket(
                client_id,
                Action::note(Target::Client { user_id: client_id }, text),
                format!("reply:{client_id}:{message_id}"),
            );
            self.outbox.enqueue(&self.db, vec![answer]).await?;
        }
        Ok(())
    }

    /// A delivery of the ticket failed for good: one line in its main topic
    /// (whatever else fails later), saying where and how to send it again.
    pub async fn delivery_failed(
        &self,
        ticket_id: i32,
        lane: i64,
        reason: &str,
    ) -> Result<(), DbErr> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(());
        };
        let place = if lane == ticket.client_tg_id {
            FailedPlace::Client
        } else if lane == ticket.main_chat_id {
            FailedPlace::MainTopic
        } else {
            FailedPlace::Mirror
        };
        let note = Delivery::new(
            ticket.main_chat_id,
            ticket_id,
            Action::note(
                Target::Main { ticket_id },
                self.texts.delivery_failed_note(ticket_id, place, reason),
            ),
            format!("failed-note:{ticket_id}"),
        );
        self.outbox.enqueue(&self.db, vec![note]).await
    }

    /// A client blocked the bot: noted on the user, told to the team once.
    pub async fn client_blocked(&self, client: i64) -> Result<(), DbErr> {
        let Some(user) = users::Entity::find_by_id(client).one(&self.db).await? else {
            return Ok(());
        };
        if user.blocked_bot_at.is_some() {
            return Ok(());
        }
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let mut blocked = user.into_active_model();
        blocked.blocked_bot_at = Set(Some(now));
        blocked.update(&txn).await?;
        let mut lanes = Lanes::default();
        let open = tickets::Entity::find()
            .filter(tickets::Column::ClientTgId.eq(client))
            .filter(tickets::Column::Status.ne(TicketStatus::Closed))
            .one(&txn)
            .await?;
        if let Some(ticket) = &open {
            lanes.merge(
                self.outbox
                    .insert(
                        &txn,
                        vec![Delivery::new(
                            ticket.main_chat_id,
                            ticket.id,
                            Action::note(
                                Target::Main {
                                    ticket_id: ticket.id,
                                },
                                self.texts.client_blocked_note(),
                            ),
                            format!("blocked:{client}:{}", now.timestamp_millis()),
                        )],
                    )
                    .await?,
            );
        }
        events::record(
            &txn,
            open.as_ref().map(|t| t.id),
            Actor::Client,
            "client_blocked",
            json!({ "client": client }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        Ok(())
    }
}
