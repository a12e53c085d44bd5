//! What the main group's staff and the technicians have in common: a message
//! in a ticket's topic is a command, a message for a closed ticket, or
//! something for the bridge (which keeps internal notes and specialist calls
//! inside the team).

use sea_orm::DatabaseConnection;
use teloxide::prelude::*;

use super::command_of;
use crate::entities::{Actor, mirrors, tickets};
use crate::intake::HandlerError;
use crate::outbox::{Action, Delivery, Outbox, ReplyTo, RichText, Target};
use crate::services::bridge::{BridgeService, Origin};
use crate::services::tickets::TicketService;
use crate::texts::Texts;

/// Where in the team the message was written.
pub struct TeamPlace {
    pub target: Target,
    pub lane: i64,
    pub actor: Actor,
}

#[allow(clippy::too_many_arguments)]
pub async fn handle(
    message: &Message,
    ticket: &tickets::Model,
    current_mirror: Option<&mirrors::Model>,
    place: TeamPlace,
    origin: Origin,
    tickets: &TicketService,
    bridge: &BridgeService,
    outbox: &Outbox,
    db: &DatabaseConnection,
    texts: &Texts,
) -> Result<(), HandlerError> {
    let author = message
        .from
        .as_ref()
        .map(|u| u.full_name())
        .unwrap_or_default();
    if let Some(command) = command_of(message) {
        if command == "close" {
            tickets.close(ticket.id, place.actor, &author).await?;
        }
        // Other commands are for people, not for the client.
        return Ok(());
    }
    if !ticket.status.is_open() {
        let note = Delivery::new(
            place.lane,
            ticket.id,
            Action::Text {
                target: place.target,
                text: RichText::plain(texts.ticket_is_closed_note()),
                reply_to: Some(ReplyTo {
                    chat: message.chat.id.0,
                    message_id: message.id.0,
                }),
                close_button_for: None,
                keyboard: None,
                response: false,
            },
            format!("closed-reply:{}:{}", message.chat.id.0, message.id.0),
        );
        outbox.enqueue(db, vec![note]).await?;
        return Ok(());
    }
    bridge
        .from_team(ticket, current_mirror, &origin, message)
        .await?;
    Ok(())
}
