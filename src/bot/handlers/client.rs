//! The client's private chat with the bot.

use teloxide::prelude::*;
use teloxide::types::Me;

use crate::bot::message::{is_content_from_a_person, starts_with_command, text_of};
use crate::bot::{Desk, HandlerResult};
use crate::domain::commands::{self, ClientCommand};
use crate::domain::passage::{Author, MessageFacts, Passage, passage};

pub async fn message(message: Message, me: Me, desk: Desk) -> HandlerResult {
    let Some(user) = message.from.as_ref() else {
        return Ok(());
    };
    let from_person = is_content_from_a_person(&message);
    if !from_person {
        return Ok(());
    }
    let arrival = desk.users.arrive(user).await?;
    let client = arrival.client;
    let banned = client.banned_at.is_some();
    let is_command = starts_with_command(&message);
    let is_text = message.text().is_some();
    let awaiting_survey_comment =
        is_text && !is_command && !banned && desk.survey.owes_comment(user.id.0 as i64).await?;
    let (text, entities) = text_of(&message);
    let facts = MessageFacts {
        author: Author::Client,
        from_person,
        is_command,
        text,
        entities,
        is_text,
        ticket_open: true,
        place_current: true,
        awaiting_survey_comment,
        banned,
    };
    match passage(&facts) {
        Passage::Command => {
            // Unknown commands get the help text, like /help.
            let command = commands::parse::<ClientCommand>(text, me.username())
                .unwrap_or(ClientCommand::Help);
            desk.tickets
                .client_command(user, command, message.id.0)
                .await
        }
        Passage::SurveyComment => desk.survey.take_comment(user, text).await.map(|_| ()),
        Passage::Bridged => {
            desk.bridge
                .client_message(user, &message, arrival.open)
                .await
        }
        Passage::Held => desk.moderation.hold(&client, &message).await,
        _ => Ok(()),
    }
}

/// The client edited a message: its copies follow, while the ticket is open.
pub async fn edited(message: Message, desk: Desk) -> HandlerResult {
    desk.bridge.client_edit(&message).await
}
