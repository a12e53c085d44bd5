//! The client's private chat with the bot: commands, and everything else
//! goes to the client's ticket.

use sea_orm::DatabaseConnection;
use teloxide::prelude::*;
use teloxide::types::User;

use super::{command_of, is_content_from_a_person};
use crate::entities::Actor;
use crate::intake::HandlerError;
use crate::services::bridge::{BridgeService, Origin};
use crate::services::survey::SurveyService;
use crate::services::tickets::TicketService;
use crate::records::links;
use crate::services::users;
use crate::telegram::Telegram;
use crate::texts::Texts;

pub async fn message(
    message: Message,
    telegram: Telegram,
    texts: Texts,
    db: DatabaseConnection,
    tickets: TicketService,
    bridge: BridgeService,
    survey: SurveyService,
) -> Result<(), HandlerError> {
    let Some(user) = message.from.clone() else {
        return Ok(());
    };
    if !is_content_from_a_person(&message) {
        return Ok(());
    }
    users::touch(&db, &user).await?;
    if let Some(command) = command_of(&message) {
        return run_command(&command, &user, &message, &telegram, &texts, &tickets).await;
    }
    // After the survey's three questions, the next text is the comment.
    if let Some(text) = message.text()
        && survey.take_comment(user.id.0 as i64, text).await?
    {
        return Ok(());
    }
    let (ticket, _opened) = tickets.open_for(&user).await?;
    tracing::Span::current().record("ticket_id", ticket.id);
    let current = tickets.current_mirror(ticket.id).await?;
    bridge
        .bridge(&ticket, current.as_ref(), &Origin::Client, &message)
        .await?;
    Ok(())
}

/// /start and /help answer without opening a ticket (so bots and the curious
/// cannot spam topics); /close closes the open ticket. Other commands get
/// the help text.
async fn run_command(
    command: &str,
    user: &User,
    message: &Message,
    telegram: &Telegram,
    texts: &Texts,
    tickets: &TicketService,
) -> Result<(), HandlerError> {
    let reply = match command {
        "start" => Some(texts.greeting().to_owned()),
        "close" => match tickets.open_ticket_of(user.id.0 as i64).await? {
            Some(ticket) => {
                tracing::Span::current().record("ticket_id", ticket.id);
                tickets
                    .close(ticket.id, Actor::Client, &user.full_name())
                    .await?;
                None
            }
            None => Some(texts.help().to_owned()),
        },
        _ => Some(texts.help().to_owned()),
    };
    if let Some(text) = reply {
        telegram
            .call(telegram.bot().send_message(message.chat.id, text))
            .await?;
    }
    Ok(())
}

/// The client edited a message: its copies follow, while the ticket is open.
pub async fn edited(
    message: Message,
    tickets: TicketService,
    bridge: BridgeService,
    db: DatabaseConnection,
) -> Result<(), HandlerError> {
    let Some(ticket_id) = links::ticket_of(&db, (message.chat.id.0, message.id.0)).await? else {
        return Ok(());
    };
    let Some(ticket) = tickets.get(ticket_id).await? else {
        return Ok(());
    };
    if !ticket.status.is_open() {
        return Ok(());
    }
    tracing::Span::current().record("ticket_id", ticket.id);
    let current = tickets.current_mirror(ticket.id).await?;
    bridge
        .edit(&ticket, current.as_ref(), &Origin::Client, &message)
        .await?;
    Ok(())
}
