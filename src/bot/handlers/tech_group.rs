//! A technician's group: the technician writes in a ticket's mirrored topic.

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
    let Some(thread) = topic_of(&message) else {
        return Ok(());
    };
    if !is_content_from_a_person(&message) {
        return Ok(());
    }
    let Some((mut ticket, mirror)) = tickets.by_tech_topic(message.chat.id.0, thread).await? else {
        return Ok(());
    };
    tracing::Span::current().record("ticket_id", ticket.id);
    // A topic the ticket was moved away from behaves like a closed one.
    if mirror.closed_at.is_some() {
        ticket.status = crate::entities::TicketStatus::Closed;
    }
    let name = message.from.as_ref().map(display_name).unwrap_or_default();
    team::handle(
        &message,
        &ticket,
        Some(&mirror),
        TeamPlace {
            target: Target::Mirror {
                mirror_id: mirror.id,
            },
            lane: mirror.chat_id,
            actor: Actor::Tech,
        },
        Origin::Tech { name },
        &tickets,
        &bridge,
        &outbox,
        &db,
        &texts,
    )
    .await
}

/// The technician edited a bridged message: the copies follow.
pub async fn edited(
    message: Message,
    tickets: TicketService,
    bridge: BridgeService,
) -> Result<(), HandlerError> {
    let Some(thread) = topic_of(&message) else {
        return Ok(());
    };
    let Some((ticket, mirror)) = tickets.by_tech_topic(message.chat.id.0, thread).await? else {
        return Ok(());
    };
    if !ticket.status.is_open() || mirror.closed_at.is_some() {
        return Ok(());
    }
    if message.from.as_ref().is_none_or(|u| u.is_bot) {
        return Ok(());
    }
    tracing::Span::current().record("ticket_id", ticket.id);
    let name = message.from.as_ref().map(display_name).unwrap_or_default();
    bridge
        .edit(&ticket, Some(&mirror), &Origin::Tech { name }, &message)
        .await?;
    Ok(())
}
