//! Handlers, one module per place the bot listens in.

pub mod admin;
pub mod buttons;
pub mod client;
pub mod main_group;
pub mod membership;
pub mod team;
pub mod tech_group;

use std::collections::BTreeSet;
use std::sync::Arc;

use teloxide::types::{Message, MessageEntityKind, MessageKind, User};

use crate::config::Settings;

/// Which chats are which: the main group and the technicians' groups.
#[derive(Debug, Clone)]
pub struct Places {
    pub main_group: i64,
    pub tech_groups: Arc<BTreeSet<i64>>,
}

impl Places {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            main_group: settings.main_group_id,
            tech_groups: Arc::new(
                settings
                    .technicians
                    .iter()
                    .map(|t| t.group_chat_id)
                    .collect(),
            ),
        }
    }

    pub fn is_main_group(message: Message, places: Places) -> bool {
        message.chat.id.0 == places.main_group
    }

    pub fn is_tech_group(message: Message, places: Places) -> bool {
        message.chat.id.0 != places.main_group && places.tech_groups.contains(&message.chat.id.0)
    }
}

/// A person's message with content: not a service message, not a bot.
pub(crate) fn is_content_from_a_person(message: &Message) -> bool {
    let human = message.from.as_ref().is_some_and(|user| !user.is_bot);
    human && matches!(message.kind, MessageKind::Common(_) | MessageKind::Dice(_))
}

/// The command word of a message ("/close@bot args" → "close"), if it
/// starts with a bot command as Telegram marks it ("// note" does not).
pub(crate) fn command_of(message: &Message) -> Option<String> {
    let text = message.text()?;
    let starts_with_command = message
        .entities()
        .unwrap_or(&[])
        .iter()
        .any(|entity| entity.kind == MessageEntityKind::BotCommand && entity.offset == 0);
    if !starts_with_command {
        return None;
    }
    let word = text.strip_prefix('/')?.split_whitespace().next()?;
    let name = word.split('@').next().unwrap_or(word);
    Some(name.to_ascii_lowercase())
}

/// The topic a group message was written in, if it is in a real topic.
pub(crate) fn topic_of(message: &Message) -> Option<i32> {
    if !message.is_topic_message {
        return None;
    }
    message.thread_id.map(|thread| thread.0.0)
}

pub(crate) fn display_name(user: &User) -> String {
    user.full_name()
}
