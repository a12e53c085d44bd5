//! Facts read off a Telegram message, for the handlers and the bridging
//! rule ([`crate::domain::passage`]).

use teloxide::types::{MediaKind, Message, MessageEntity, MessageEntityKind, MessageKind};

use crate::services::knowledge::{ArticleMedia, SourceMessage};

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

/// The message `message` replies to, as an article could be made of it:
/// its text or caption with entities and its file. `None` without a real
/// reply (in a forum topic every message "replies" to the topic's first,
/// service message).
pub fn replied_source(message: &Message) -> Option<SourceMessage> {
    let replied = message.reply_to_message()?;
    let MessageKind::Common(common) = &replied.kind else {
        return None;
    };
    let (text, entities) = text_of(replied);
    let media = |kind: &str, file_id: &str| {
        Some(ArticleMedia {
            kind: kind.to_owned(),
            file_id: file_id.to_owned(),
        })
    };
    let (media, unsupported_media) = match &common.media_kind {
        MediaKind::Text(_) => (None, false),
        MediaKind::Photo(photo) => (
            photo
                .photo
                .last()
                .and_then(|size| media("photo", &size.file.id.0)),
            false,
        ),
        MediaKind::Document(document) => (media("document", &document.document.file.id.0), false),
        MediaKind::Video(video) => (media("video", &video.video.file.id.0), false),
        MediaKind::Animation(animation) => {
            (media("animation", &animation.animation.file.id.0), false)
        }
        MediaKind::Audio(audio) => (media("audio", &audio.audio.file.id.0), false),
        MediaKind::Voice(voice) => (media("voice", &voice.voice.file.id.0), false),
        _ => (None, true),
    };
    Some(SourceMessage {
        text: text.to_owned(),
        entities: entities.to_vec(),
        media,
        unsupported_media,
    })
}
