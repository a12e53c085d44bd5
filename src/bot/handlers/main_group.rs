//! The main group: staff write in a ticket's topic.

use teloxide::prelude::*;
use teloxide::types::Me;

use super::team::{self, TeamPlace};
use crate::bot::message::{author_name, topic_of};
use crate::bot::{Desk, HandlerError, HandlerResult};
use crate::entities::Actor;
use crate::entities::tickets;
use crate::services::bridge::Origin;

/// The ticket whose topic the message was written in; never the General
/// topic.
async fn ticket_of(message: &Message, desk: &Desk) -> Result<Option<tickets::Model>, HandlerError> {
    let Some(thread) = topic_of(message) else {
        return Ok(None);
    };
    Ok(desk
        .tickets
        .by_main_topic(message.chat.id.0, thread)
        .await?)
}

pub async fn message(message: Message, me: Me, desk: Desk) -> HandlerResult {
    let Some(ticket) = ticket_of(&message, &desk).await? else {
        return Ok(());
    };
    tracing::Span::current().record("ticket_id", ticket.id);
    let mirror = desk.tickets.current_mirror(ticket.id).await?;
    let place = TeamPlace {
        ticket: &ticket,
        mirror: mirror.as_ref(),
        written_in: None,
        actor: Actor::Staff,
        current: true,
    };
    team::handle(&message, &me, place, &desk).await
}

/// A staff member edited a bridged message: the copies follow.
pub async fn edited(message: Message, desk: Desk) -> HandlerResult {
    let Some(ticket) = ticket_of(&message, &desk).await? else {
        return Ok(());
    };
    if !ticket.status.is_open() || message.from.as_ref().is_none_or(|u| u.is_bot) {
        return Ok(());
    }
    tracing::Span::current().record("ticket_id", ticket.id);
    let mirror = desk.tickets.current_mirror(ticket.id).await?;
    let origin = Origin::Staff {
        name: author_name(&message),
    };
    Ok(desk
        .bridge
        .edit(&ticket, mirror.as_ref(), &origin, &message)
        .await?)
}
