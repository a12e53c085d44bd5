//! The client's private chat with the bot.

use sea_orm::DatabaseConnection;
use teloxide::prelude::*;
use teloxide::utils::command::BotCommands;

use crate::bot::Texts;
use crate::intake::HandlerError;
use crate::telegram::Telegram;

#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum ClientCommand {
    /// Greeting and how to reach support.
    Start,
    /// How to reach support.
    Help,
}

/// /start and /help: a greeting and how to write to support. They open no
/// ticket, so curious users and bots cannot spam topics.
pub async fn command(
    message: Message,
    command: ClientCommand,
    telegram: Telegram,
    texts: Texts,
    db: DatabaseConnection,
) -> Result<(), HandlerError> {
    if let Some(user) = &message.from {
        crate::services::users::touch(&db, user).await?;
    }
    let text = match command {
        ClientCommand::Start => texts.greeting(),
        ClientCommand::Help => texts.help(),
    };
    telegram
        .call(telegram.bot().send_message(message.chat.id, text))
        .await?;
    Ok(())
}
