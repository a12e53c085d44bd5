//! A technician's group: the technician writes in a ticket's mirrored topic.

use teloxide::prelude::*;
use teloxide::types::Me;

use super::team::{self, TeamPlace};
use crate::bot::message::{author_name, topic_of};
use crate::bot::{Desk, HandlerError, HandlerResult};
use crate::entities::Actor;
use crate::entities::{mirrors, tickets};
use crate::services::bridge::Origin;

/// The ticket mirrored into the topic the message was written in, with
/// that mirror.
async fn ticket_of(
    message: &Message,
    desk: &Desk,
) -> Result<Option<(tickets::Model, mirrors::Model)>, HandlerError> {
    let Some(thread) = topic_of(message) else {
        return Ok(None);
    };
    Ok(desk
        .tickets
        .by_mirror_topic(message.chat.id.0, thread)
        .await?)
}

pub async fn message(message: Message, me: Me, desk: Desk) -> HandlerResult {
    let Some((ticket, mirror)) = ticket_of(&message, &desk).await? else {
        return Ok(());
    };
    tracing::Span::current().record("ticket_id", ticket.id);
    let place = TeamPlace {
        ticket: &ticket,
        mirror: Some(&mirror),
        written_in: Some(&mirror),
        actor: Actor::Tech,
        // A topic the ticket was moved away from no longer speaks for it.
        current: mirror.closed_at.is_none(),
    };
    team::handle(&message, &me, place, &desk).await
}

/// The technician edited a bridged message: the copies follow.
pub async fn edited(message: Message, desk: Desk) -> HandlerResult {
    let Some((ticket, mirror)) = ticket_of(&message, &desk).await? else {
        return Ok(());
    };
    if !ticket.status.is_open()
        || mirror.closed_at.is_some()
        || message.from.as_ref().is_none_or(|u| u.is_bot)
    {
        return Ok(());
    }
    tracing::Span::current().record("ticket_id", ticket.id);
    let origin = Origin::Tech {
        name: author_name(&message),
    };
    Ok(desk
        .bridge
        .edit(&ticket, Some(&mirror), &origin, &message)
        .await?)
}
