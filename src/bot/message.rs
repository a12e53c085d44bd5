//! Facts read off a Telegram message, for the handlers and the bridging
//! rule ([`crate::domain::passage`]).

use teloxide::types::{Message, MessageEntity, MessageEntityKind, MessageKind};

/// A person's message with content: not a service message, not a bot.
pub fn is_content_from_a_person(message: &Message) -> bool {
    let human = message.from.as_ref().is_some_and(|user| !user.is_bot);
    human && matches!(message.kind, MessageKind::Common(_) | MessageKind::Dice(_))
}

/// Whether the message starts with a bot command, as Telegram marks it
/// (so `// note` is not one).
pub fn starts_with_command(message: &Message) -> bool {
    message.text().is_some()
        && message
            .entities()
            .unwrap_or(&[])
            .iter()
            .any(|entity| entity.kind == MessageEntityKind::BotCommand && entity.offset == 0)
}

/// The topic a group message was written in, if it is in a real topic (a
/// message in the General topic, or a reply in a non-forum group, may carry
/// a thread id that is not a topic).
pub fn topic_of(message: &Message) -> Option<i32> {
    if !message.is_topic_message {
        return None;
    }
    message.thread_id.map(|thread| thread.0.0)
}

/// The text or the caption, with its entities.
pub fn text_of(message: &Message) -> (&str, &[MessageEntity]) {
    let text = message.text().or(message.caption()).unwrap_or_default();
    let entities = message
        .entities()
        .or(message.caption_entities())
        .unwrap_or(&[]);
    (text, entities)
}

/// The author's name as staff see it.
pub fn author_name(message: &Message) -> String {
    message
        .from
        .as_ref()
        .map(|user| user.full_name())
        .unwrap_or_default()
}
