//! Commands staff and technicians give in a ticket's topic: /close,
//! /priority, /category, /wait, and /kb (saved answers, `kb.rs`).
//!
//! What it costs the main group: a command that worked is answered with a
//! 👍 reaction on it (no message); only a refusal or a usage line is a
//! message, in the topic the command came from.

use teloxide::types::Message;

use super::{Change, TicketService};
use crate::domain::commands::TeamCommand;
use crate::entities::{Actor, Priority, tickets};
use crate::outbox::{Action, Delivery, ReplyTo, RichText, Target, TextMessage};
use crate::services::ServiceResult;

/// The reaction that says a command was carried out (one of the emoji
/// Telegram allows bots).
const DONE: &str = "👍";

impl TicketService {
    /// Runs a team command written in `message` about `ticket`; `by` names
    /// its author.
    pub async fn team_command(
        &self,
        ticket: &tickets::Model,
        command: TeamCommand,
        actor: Actor,
        by: &str,
        message: &Message,
    ) -> ServiceResult<()> {
        let change = match command {
            TeamCommand::Close => {
                self.close(ticket.id, actor, by).await?;
                return Ok(());
            }
            TeamCommand::Priority(level) => match Priority::from_key(&level) {
                Some(priority) => self.set_priority(ticket.id, priority, actor, by).await?,
                None => {
                    return self
                        .answer_in_place(message, self.texts.priority_usage().to_owned())
                        .await;
                }
            },
            TeamCommand::Category(key) => match self.desk().category(key.trim()) {
                Some(category) => {
                    let key = category.key.clone();
                    self.move_to_category(ticket.id, &key, actor, by).await?
                }
                None => {
                    let keys: Vec<&str> = self
                        .desk()
                        .categories
                        .iter()
                        .map(|c| c.key.as_str())
                        .collect();
                    let usage = self.texts.category_usage(&keys.join(" | "));
                    return self.answer_in_place(message, usage).await;
                }
            },
            TeamCommand::Wait => self.wait_for_client(ticket.id, actor, by).await?,
            TeamCommand::Kb(args) => {
                return self.kb_command(ticket, &args, actor, by, message).await;
            }
        };
        match change {
            Change::Done | Change::Unchanged => self.react_done(message).await,
            Change::Busy => {
                self.answer_in_place(message, self.texts.already_in_progress().to_owned())
                    .await
            }
            Change::TicketClosed => {
                self.answer_in_place(message, self.texts.ticket_already_closed().to_owned())
                    .await
            }
            Change::UnknownTicket | Change::UnknownTechnician | Change::UnknownCategory => {
                self.answer_in_place(message, self.texts.unknown_ticket().to_owned())
                    .await
            }
        }
    }

    pub(super) async fn react_done(&self, message: &Message) -> ServiceResult<()> {
        let (chat, id) = (message.chat.id.0, message.id.0);
        let reaction = Delivery::without_ticket(
            chat,
            Action::React {
                chat_id: chat,
                message_id: id,
                emoji: DONE.to_owned(),
            },
            format!("command-done:{chat}:{id}"),
        );
        self.outbox.enqueue(&self.db, vec![reaction]).await?;
        Ok(())
    }

    /// A reply to the command, in the topic it was written in.
    pub(super) async fn answer_in_place(
        &self,
        message: &Message,
        text: String,
    ) -> ServiceResult<()> {
        let (chat, id) = (message.chat.id.0, message.id.0);
        let place = Target::Chat {
            chat_id: chat,
            thread_id: message.thread_id.map(|thread| thread.0.0),
        };
        let reply = TextMessage::new(place, RichText::plain(text)).replying_to(Some(ReplyTo {
            chat,
            message_id: id,
        }));
        let answer = Delivery::without_ticket(chat, reply, format!("command-answer:{chat}:{id}"));
        self.outbox.enqueue(&self.db, vec![answer]).await?;
        Ok(())
    }
}
