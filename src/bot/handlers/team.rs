//! What the main group's staff and the technicians have in common: the
//! bridging rule decides what a message in a ticket's topic is, and each
//! answer maps to one service call.

use teloxide::prelude::*;
use teloxide::types::Me;

use crate::bot::message::{author_name, is_content_from_a_person, starts_with_command, text_of};
use crate::bot::{Desk, HandlerResult};
use crate::domain::commands::{self, TeamCommand};
use crate::domain::passage::{Author, MessageFacts, Passage, passage};
use crate::entities::{Actor, mirrors, tickets};
use crate::services::bridge::Origin;

/// Where in the team the message was written.
pub struct TeamPlace<'a> {
    pub ticket: &'a tickets::Model,
    /// The ticket's current mirrored topic, if it has one.
    pub mirror: Option<&'a mirrors::Model>,
    /// The mirrored topic the message was written in; `None` in the main
    /// topic.
    pub written_in: Option<&'a mirrors::Model>,
    pub actor: Actor,
    /// False in a technician's topic the ticket has moved away from.
    pub current: bool,
}

pub async fn handle(
    message: &Message,
    me: &Me,
    place: TeamPlace<'_>,
    desk: &Desk,
) -> HandlerResult {
    let (text, entities) = text_of(message);
    let facts = MessageFacts {
        author: Author::Team,
        from_person: is_content_from_a_person(message),
        is_command: starts_with_command(message),
        text,
        entities,
        is_text: message.text().is_some(),
        ticket_open: place.ticket.status.is_open(),
        place_current: place.current,
        awaiting_survey_comment: false,
        banned: false,
    };
    let name = author_name(message);
    let origin = match place.actor {
        Actor::Tech => Origin::Tech { name: name.clone() },
        _ => Origin::Staff { name: name.clone() },
    };
    let ticket = place.ticket;
    match passage(&facts) {
        Passage::Command => match commands::parse::<TeamCommand>(text, me.username()) {
            Some(command) => {
                desk.tickets
                    .team_command(ticket, command, place.actor, &name, message)
                    .await
            }
            // Other commands are for people, not for the client.
            None => Ok(()),
        },
        Passage::TicketClosed => {
            desk.bridge
                .not_sent(ticket, place.written_in, message)
                .await
        }
        Passage::InternalNote => Ok(desk
            .bridge
            .keep_inside_team(ticket, &origin, message, None)
            .await?),
        Passage::SpecialistCall(names) => Ok(desk
            .bridge
            .keep_inside_team(ticket, &origin, message, Some(names))
            .await?),
        Passage::Bridged => Ok(desk
            .bridge
            .bridge(ticket, place.mirror, &origin, message, true)
            .await?),
        Passage::Ignored | Passage::SurveyComment | Passage::Held => Ok(()),
    }
}
