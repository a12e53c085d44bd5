//! Where a bridged message goes and in what form: the routes from each
//! author to the ticket's other places, and a message turned into a copy,
//! a marked copy (the author's name in front), or an edit.

use teloxide::types::{MediaKind, Message, MessageEntity, MessageKind};

use super::Origin;
use crate::domain::text::{CAPTION_LIMIT, split_text, with_author};
use crate::entities::{mirrors, tickets};
use crate::outbox::{Action, ReplyTo, RichText, Target, TextMessage};

/// A destination and whether the copy is marked with the author's name.
pub(super) struct Route {
    pub target: Target,
    pub lane: i64,
    pub mark: Option<String>,
    pub response: bool,
}

pub(super) fn routes(
    ticket: &tickets::Model,
    mirror: Option<&mirrors::Model>,
    origin: &Origin,
) -> Vec<Route> {
    let client = Route {
        target: Target::Client {
            user_id: ticket.client_tg_id,
        },
        lane: ticket.client_tg_id,
        mark: None,
        response: true,
    };
    let main = |mark: Option<String>| Route {
        target: Target::Main {
            ticket_id: ticket.id,
        },
        lane: ticket.main_chat_id,
        mark,
        response: false,
    };
    let tech = |mark: Option<String>| {
        mirror.map(|b| Route {
            target: Target::Mirror { mirror_id: b.id },
            lane: b.chat_id,
            mark,
            response: false,
        })
    };
    match origin {
        Origin::Client => std::iter::once(main(None)).chain(tech(None)).collect(),
        Origin::Staff { name } => std::iter::once(client)
            .chain(tech(Some(name.clone())))
            .collect(),
        Origin::Tech { name } => vec![client, main(Some(name.clone()))],
    }
}

pub(super) fn copy_action(message: &Message, route: &Route, reply_to: Option<ReplyTo>) -> Action {
    if let Some(author) = &route.mark {
        if let Some(text) = message.text() {
            let (text, entities) = with_author(author, text, message.entities().unwrap_or(&[]));
            return TextMessage::new(route.target, RichText { text, entities })
                .replying_to(reply_to)
                .as_response(route.response)
                .into();
        }
        if takes_caption(message) {
            let caption = message.caption().unwrap_or_default();
            let entities = message.caption_entities().unwrap_or(&[]);
            return Action::Copy {
                target: route.target,
                from_chat: message.chat.id.0,
                message_id: message.id.0,
                caption: Some(marked(Some(author), &rich(caption, entities), true)),
                reply_to: reply_to.map(|r| r.message_id),
                response: route.response,
                media: media_unique_id(message),
            };
        }
    }
    Action::Copy {
        target: route.target,
        from_chat: message.chat.id.0,
        message_id: message.id.0,
        caption: None,
        reply_to: reply_to.map(|r| r.message_id),
        response: route.response,
        media: media_unique_id(message),
    }
}

/// The unique id of the file a message carries, if it carries one.
pub(super) fn media_unique_id(message: &Message) -> Option<String> {
    let MessageKind::Common(common) = &message.kind else {
        return None;
    };
    let file = match &common.media_kind {
        MediaKind::Photo(photo) => &photo.photo.last()?.file,
        MediaKind::Video(video) => &video.video.file,
        MediaKind::Document(document) => &document.document.file,
        MediaKind::Audio(audio) => &audio.audio.file,
        MediaKind::Animation(animation) => &animation.animation.file,
        MediaKind::Voice(voice) => &voice.voice.file,
        MediaKind::VideoNote(note) => &note.video_note.file,
        MediaKind::Sticker(sticker) => &sticker.sticker.file,
        _ => return None,
    };
    Some(file.unique_id.to_string())
}

/// `text` with the author's name in front when there is one, cut to fit.
pub(super) fn marked(author: Option<&str>, text: &RichText, is_caption: bool) -> RichText {
    let (text, entities) = match author {
        Some(author) => with_author(author, &text.text, &text.entities),
        None => (text.text.clone(), text.entities.clone()),
    };
    if is_caption {
        // A caption cannot be split; keep what fits.
        if let Some((text, entities)) = split_text(&text, &entities, CAPTION_LIMIT)
            .into_iter()
            .next()
        {
            return RichText { text, entities };
        }
    }
    RichText { text, entities }
}

pub(super) fn rich(text: &str, entities: &[MessageEntity]) -> RichText {
    RichText {
        text: text.to_owned(),
        entities: entities.to_vec(),
    }
}

/// The new text or caption of an edited message, if it has one.
pub(super) fn editable_content(message: &Message) -> Option<(RichText, bool)> {
    if let Some(text) = message.text() {
        return Some((rich(text, message.entities().unwrap_or(&[])), false));
    }
    if takes_caption(message) {
        return Some((
            rich(
                message.caption().unwrap_or_default(),
                message.caption_entities().unwrap_or(&[]),
            ),
            true,
        ));
    }
    None
}

/// In a forum, every message "replies" to the topic's first message; only a
/// reply to something else is a real reply.
pub(super) fn real_reply(message: &Message) -> Option<i32> {
    let replied = message.reply_to_message()?;
    let topic_root = message.thread_id.map(|t| t.0.0);
    if message.is_topic_message && topic_root == Some(replied.id.0) {
        return None;
    }
    Some(replied.id.0)
}

pub(super) fn takes_caption(message: &Message) -> bool {
    matches!(
        &message.kind,
        MessageKind::Common(common) if matches!(
            common.media_kind,
            MediaKind::Photo(_)
                | MediaKind::Video(_)
                | MediaKind::Document(_)
                | MediaKind::Audio(_)
                | MediaKind::Animation(_)
                | MediaKind::Voice(_)
        )
    )
}

/// A short name of what the message carries, for the events log.
pub(super) fn content_kind(message: &Message) -> &'static str {
    match &message.kind {
        MessageKind::Common(common) => match &common.media_kind {
            MediaKind::Text(_) => "text",
            MediaKind::Photo(_) => "photo",
            MediaKind::Video(_) => "video",
            MediaKind::Animation(_) => "animation",
            MediaKind::Document(_) => "document",
            MediaKind::Audio(_) => "audio",
            MediaKind::Voice(_) => "voice",
            MediaKind::VideoNote(_) => "video_note",
            MediaKind::Sticker(_) => "sticker",
            MediaKind::Location(_) => "location",
            MediaKind::Venue(_) => "venue",
            MediaKind::Contact(_) => "contact",
            MediaKind::Poll(_) => "poll",
            MediaKind::Game(_) => "game",
            _ => "other",
        },
        MessageKind::Dice(_) => "dice",
        _ => "other",
    }
}

pub(crate) fn target_key(target: Target) -> String {
    match target {
        Target::Client { user_id } => format!("client:{user_id}"),
        Target::Main { ticket_id } => format!("main:{ticket_id}"),
        // "tech" kept from before the rename: dedup keys must stay stable.
        Target::Mirror { mirror_id } => format!("tech:{mirror_id}"),
        Target::Chat { chat_id, thread_id } => {
            format!("chat:{chat_id}:{}", thread_id.unwrap_or_default())
        }
    }
}
