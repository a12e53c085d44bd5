//! The main group: staff write in a ticket's topic.

use sea_orm::DatabaseConnection;
use teloxide::prelude::*;

use super::team::{self, TeamPlace};
use super::{display_name, is_content_from_a_person, topic_of};
use crate::entities::Actor;
use crate::intake::HandlerError;
use crate::outbox::{Outbox, Target};
use crate::services::bridge::{BridgeService, Origin};
use crate::services::tickets::TicketService;
use crate::texts::Texts;

pub async fn message(
    message: Message,
    tickets: TicketService,
    bridge: BridgeService,
    outbox: Outbox,
    db: DatabaseConnection,
    texts: Texts,
) -> Result<(), HandlerError> {
    // Only a person's message in a ticket's topic; never the General topic.
    let Some(thread) = topic_of(&message) else {
        return Ok(());
    };
    if !is_content_from_a_person(&message) {
        return Ok(());
    }
    let Some(ticket) = tickets.by_main_topic(thread).await? else {
        return Ok(());
    };
    tracing::Span::current().record("ticket_id", ticket.id);
    let current = tickets.current_mirror(ticket.id).await?;
    let name = message.from.as_ref().map(display_name).unwrap_or_default();
    team::handle(
        &message,
        &ticket,
        current.as_ref(),
        TeamPlace {
            target: Target::Main {
                ticket_id: ticket.id,
            },
            lane: ticket.main_chat_id,
            actor: Actor::Staff,
        },
        Origin::Staff { name },
        &tickets,
        &bridge,
        &outbox,
        &db,
        &texts,
    )
    .await
}

/// A staff member edited a bridged message: the copies follow.
pub async fn edited(
    message: Message,
    tickets: TicketService,
    bridge: BridgeService,
) -> Result<(), HandlerError> {
    let Some(thread) = topic_of(&message) else {
        return Ok(());
    };
    let Some(ticket) = tickets.by_main_topic(thread).await? else {
        return Ok(());
    };
    if !ticket.status.is_open() || message.from.as_ref().is_none_or(|u| u.is_bot) {
        return Ok(());
    }
    tracing::Span::current().record("ticket_id", ticket.id);
    let current = tickets.current_mirror(ticket.id).await?;
    let name = message.from.as_ref().map(display_name).unwrap_or_default();
    bridge
        .edit(&ticket, current.as_ref(), &Origin::Staff { name }, &message)
        .await?;
    Ok(())
}
