//! Which updates must be processed one after another: those of one chat, and
//! inside a forum group those of one topic. Everything else runs in parallel.

use teloxide::types::{MaybeInaccessibleMessage, Message, Update, UpdateKind};

/// (chat id, topic id or 0). Topics of one group are independent queues, so
/// a busy ticket never holds up the others.
pub type OrderingKey = (i64, i32);

pub fn ordering_key(update: &Update) -> Option<OrderingKey> {
    match &update.kind {
        UpdateKind::Message(message)
        | UpdateKind::EditedMessage(message)
        | UpdateKind::ChannelPost(message)
        | UpdateKind::EditedChannelPost(message) => Some(message_key(message)),
        UpdateKind::CallbackQuery(query) => match &query.message {
            Some(MaybeInaccessibleMessage::Regular(message)) => Some(message_key(message)),
            Some(MaybeInaccessibleMessage::Inaccessible(message)) => Some((message.chat.id.0, 0)),
            None => Some((query.from.id.0 as i64, 0)),
        },
        _ => update.chat().map(|chat| (chat.id.0, 0)),
    }
}

fn message_key(message: &Message) -> OrderingKey {
    let topic = if message.is_topic_message {
        message.thread_id.map(|thread| thread.0.0).unwrap_or(0)
    } else {
        0
    };
    (message.chat.id.0, topic)
}
