//! Manager commands, recognised before any other handler sees the message.

use teloxide::prelude::*;
use teloxide::types::Me;

use crate::bot::message::{replied_source, starts_with_command, topic_of};
use crate::bot::{Desk, HandlerResult};
use crate::domain::commands::{self, ManagerCommand};
use crate::services::manager::ManagerRequest;

/// The manager command a message starts with, if it is one and is meant
/// for this bot (`/stats@other_bot` is not).
pub fn recognise(message: Message, me: Me) -> Option<ManagerCommand> {
    if !starts_with_command(&message) {
        return None;
    }
    commands::parse::<ManagerCommand>(message.text()?, me.username())
}

pub async fn command(message: Message, command: ManagerCommand, desk: Desk) -> HandlerResult {
    let request = ManagerRequest {
        command,
        from: message
            .from
            .as_ref()
            .filter(|user| !user.is_bot)
            .map(|user| user.id.0 as i64),
        chat_id: message.chat.id.0,
        thread_id: topic_of(&message),
        message_id: message.id.0,
        private: message.chat.is_private(),
        replied: replied_source(&message),
    };
    desk.manager.handle(&request).await
}
