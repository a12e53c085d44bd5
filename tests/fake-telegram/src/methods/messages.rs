//! Sending, copying, forwarding, deleting and pinning messages.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::send::{MAX_TEXT, format_param, format_parts, put_caption};
use crate::api_error::{ApiError, ApiResult};
use crate::markup::utf16_len;
use crate::params::{Params, missing};
use crate::setup::BotRole;
use crate::world::World;
use crate::world::files::{FileHints, FileKind};
use crate::world::json::object;
use crate::world::model::MessageRecord;

/// Fields that make up a message's content (what copy and forward carry).
const CONTENT_KEYS: [&str; 20] = [
    "text",
    "entities",
    "link_preview_options",
    "photo",
    "video",
    "animation",
    "document",
    "audio",
    "voice",
    "video_note",
    "sticker",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "caption",
    "caption_entities",
    "show_caption_above_media",
    "has_media_spoiler",
];

/// Fields whose presence means the message has copyable content.
const PRIMARY_KEYS: [&str; 14] = [
    "text",
    "photo",
    "video",
    "animation",
    "document",
    "audio",
    "voice",
    "video_note",
    "sticker",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
];

const CHAT_ACTIONS: [&str; 11] = [
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

/// The content of a stored message, or `None` for service messages.
pub(crate) fn message_content(json: &Value) -> Option<Map<String, Value>> {
    if !PRIMARY_KEYS.iter().any(|k| json.get(*k).is_some()) {
        return None;
    }
    let mut content = object();
    for key in CONTENT_KEYS {
        if let Some(v) = json.get(key) {
            content.insert(key.into(), v.clone());
        }
    }
    Some(content)
}

/// Whether content carries media that can have a caption.
fn takes_caption(content: &Map<String, Value>) -> bool {
    ["photo", "video", "animation", "document", "audio", "voice"]
        .iter()
        .any(|k| content.contains_key(*k))
}

/// `forward_origin` for a forward of `source`: the original origin if it
/// was itself forwarded, else its sender.
fn forward_origin(source: &Value) -> Value {
    if let Some(origin) = source.get("forward_origin") {
        return origin.clone();
    }
    json!({
        "type": "user",
        "date": source["date"],
        "sender_user": source["from"],
    })
}

/// `message_ids` as a list of ids (JSON array, or JSON text of one).
fn message_ids(p: &Params) -> Result<Vec<i32>, ApiError> {
    let ids = p
        .json("message_ids")?
        .ok_or_else(|| missing("message_ids"))?;
    let ids: Vec<i32> = ids
        .as_array()
        .ok_or_else(|| ApiError::bad_request("can't parse message identifiers"))?
        .iter()
        .map(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .map(|n| n as i32)
        })
        .collect::<Option<_>>()
        .ok_or_else(|| ApiError::bad_request("can't parse message identifiers"))?;
    if ids.is_empty() || ids.len() > 100 {
        return Err(ApiError::bad_request(
            "message_ids must contain 1-100 identifiers",
        ));
    }
    if ids.windows(2).any(|w| w[0] >= w[1]) {
        return Err(ApiError::bad_request(
            "message identifiers must be in strictly increasing order",
        ));
    }
    Ok(ids)
}

impl World {
    pub(crate) fn send_message(&mut self, p: &Params) -> ApiResult {
        let target = self.outgoing_target(p)?;
        let text = format_param(p, "text", "entities")?;
        if text.text.is_empty() {
            return Err(ApiError::bad_request("message text is empty"));
        }
        if utf16_len(&text.text) > MAX_TEXT {
            return Err(ApiError::text_too_long());
        }
        let mut content = object();
        content.insert("text".into(), json!(text.text));
        if !text.entities.is_empty() {
            content.insert("entities".into(), Value::Array(text.entities));
        }
        if let Some(options) = p.json("link_preview_options")? {
            content.insert("link_preview_options".into(), options);
        } else if p.bool("disable_web_page_preview") {
            content.insert(
                "link_preview_options".into(),
                json!({ "is_disabled": true }),
            );
        }
        Ok(self.send_bot_message(&target, content))
    }

    pub(crate) fn send_file(&mut self, p: &Params, kind: FileKind) -> ApiResult {
        let target = self.outgoing_target(p)?;
        let hints = FileHints {
            file_name: None,
            mime_type: None,
            size: None,
            emoji: p.str("emoji"),
            title: p.str("title"),
            performer: p.str("performer"),
            duration: p.i64("duration")?.map(|d| d as u32),
        };
        let media = self.resolve_file(p, p.str(kind.field()), kind, hints)?;
        let mut content = object();
        if kind == FileKind::Animation {
            content.insert("document".into(), media.clone());
        }
        content.insert(kind.field().into(), media);
        if kind.takes_caption() && p.has("caption") {
            put_caption(
                &mut content,
                format_param(p, "caption", "caption_entities")?,
            )?;
        }
        if p.bool("has_spoiler")
            && matches!(
                kind,
                FileKind::Photo | FileKind::Video | FileKind::Animation
            )
        {
            content.insert("has_media_spoiler".into(), json!(true));
        }
        if p.bool("show_caption_above_media") {
            content.insert("show_caption_above_media".into(), json!(true));
        }
        Ok(self.send_bot_message(&target, content))
    }

    pub(crate) fn send_location(&mut self, p: &Params) -> ApiResult {
        let target = self.outgoing_target(p)?;
        let coordinate = |key: &str| -> Result<f64, ApiError> {
            let raw = p.str(key).ok_or_else(|| missing(key))?;
            raw.trim()
                .parse()
                .map_err(|_| ApiError::bad_request(format!("invalid {key} specified")))
        };
        let (latitude, longitude) = (coordinate("latitude")?, coordinate("longitude")?);
        if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
            return Err(ApiError::bad_request("wrong coordinates specified"));
        }
        let mut content = object();
        content.insert(
            "location".into(),
            json!({ "latitude": latitude, "longitude": longitude }),
        );
        Ok(self.send_bot_message(&target, content))
    }

    pub(crate) fn send_contact(&mut self, p: &Params) -> ApiResult {
        let target = self.outgoing_target(p)?;
        let mut contact = json!({
            "phone_number": p.require_str("phone_number")?,
            "first_name": p.require_str("first_name")?,
        });
        for key in ["last_name", "vcard"] {
            if let Some(v) = p.str(key) {
                contact[key] = json!(v);
            }
        }
        let mut content = object();
        content.insert("contact".into(), contact);
        Ok(self.send_bot_message(&target, content))
    }

    pub(crate) fn send_dice(&mut self, p: &Params) -> ApiResult {
        let target = self.outgoing_target(p)?;
        let emoji = p.str("emoji").unwrap_or_else(|| "🎲".to_owned());
        let max = match emoji.as_str() {
            "🎲" | "🎯" | "🎳" => 6,
            "🏀" | "⚽" => 5,
            "🎰" => 64,
            _ => return Err(ApiError::bad_request("invalid dice emoji specified")),
        };
        let value = (self.calls.len() as u64 % max) + 1;
        let mut content = object();
        content.insert("dice".into(), json!({ "emoji": emoji, "value": value }));
        Ok(self.send_bot_message(&target, content))
    }

    pub(crate) fn send_media_group(&mut self, p: &Params) -> ApiResult {
        let target = self.outgoing_target(p)?;
        let items = p.json("media")?.ok_or_else(|| missing("media"))?;
        let items = items
            .as_array()
            .ok_or_else(|| ApiError::bad_request("can't parse media JSON object"))?;
        if items.is_empty() {
            return Err(ApiError::bad_request("media to send are not specified"));
        }
        if items.len() > 10 {
            return Err(ApiError::bad_request(
                "Too much messages to send as an album",
            ));
        }
        let mut contents = Vec::with_capacity(items.len());
        let mut kinds = Vec::new();
        for item in items {
            let kind = item["type"]
                .as_str()
                .and_then(FileKind::from_field)
                .filter(|k| {
                    matches!(
                        k,
                        FileKind::Photo | FileKind::Video | FileKind::Document | FileKind::Audio
                    )
                })
                .ok_or_else(|| {
                    ApiError::bad_request("can't parse InputMedia: unsupported media type")
                })?;
            kinds.push(kind);
            let reference = item["media"].as_str().map(str::to_owned);
            let media = self
                .resolve_file(p, reference, kind, FileHints::default())
                .map_err(|e| match e.description.as_str() {
                    d if d.starts_with("Bad Request: there is no") => {
                        ApiError::bad_request("can't parse InputMedia: media not found")
                    }
                    _ => e,
                })?;
            let mut content = object();
            content.insert(kind.field().into(), media);
            if let Some(caption) = item["caption"].as_str() {
                let formatted = format_parts(
                    caption,
                    item.get("caption_entities").cloned(),
                    item["parse_mode"].as_str(),
                )?;
                put_caption(&mut content, formatted)?;
            }
            if item["has_spoiler"].as_bool() == Some(true) {
                content.insert("has_media_spoiler".into(), json!(true));
            }
            contents.push(content);
        }
        let grouped_alone = |k: &FileKind| matches!(k, FileKind::Document | FileKind::Audio);
        if let Some(first) = kinds.first()
            && kinds.iter().any(|k| {
                grouped_alone(k) != grouped_alone(first) || (grouped_alone(k) && k != first)
            })
        {
            let kind = if grouped_alone(first) {
                first.field()
            } else {
                "photo and video"
            };
            return Err(ApiError::bad_request(format!(
                "{kind} can't be mixed with other media types"
            )));
        }
        let group_id = self.new_media_group_id();
        let mut sent = Vec::with_capacity(contents.len());
        for mut content in contents {
            content.insert("media_group_id".into(), json!(group_id));
            let mut target = target.clone();
            target.reply_markup = None;
            sent.push(self.send_bot_message(&target, content));
        }
        Ok(Value::Array(sent))
    }

    pub(crate) fn send_chat_action(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        self.check_can_send(chat_id)?;
        let action = p.require_str("action")?;
        if !CHAT_ACTIONS.contains(&action.as_str()) {
            return Err(ApiError::bad_request("wrong parameter action in request"));
        }
        if let Some(thread) = p.i64("message_thread_id")? {
            self.check_bot_topic(chat_id, thread as i32)?;
        }
        Ok(json!(true))
    }

    /// The live message `message_id` of `chat_id`, or `not_found`.
    fn source_message(
        &self,
        chat_id: i64,
        id: i64,
        not_found: &str,
    ) -> Result<&MessageRecord, ApiError> {
        i32::try_from(id)
            .ok()
            .and_then(|id| self.chat(chat_id).live_message(id))
            .ok_or_else(|| ApiError::bad_request(not_found))
    }

    pub(crate) fn copy_message(&mut self, p: &Params) -> ApiResult {
        let from_chat = self.resolve_chat(p, "from_chat_id")?;
        let id = p.require_i64("message_id")?;
        let source = self.source_message(from_chat, id, "message to copy not found")?;
        let mut content = message_content(&source.json)
            .ok_or_else(|| ApiError::bad_request("message can't be copied"))?;
        let target = self.outgoing_target(p)?;
        if takes_caption(&content) && p.has("caption") {
            put_caption(
                &mut content,
                format_param(p, "caption", "caption_entities")?,
            )?;
        }
        if p.has("show_caption_above_media") {
            content.insert(
                "show_caption_above_media".into(),
                json!(p.bool("show_caption_above_media")),
            );
        }
        self.renew_poll(&mut content);
        let sent = self.send_bot_message(&target, content);
        Ok(json!({ "message_id": sent["message_id"] }))
    }

    pub(crate) fn forward_message(&mut self, p: &Params) -> ApiResult {
        let from_chat = self.resolve_chat(p, "from_chat_id")?;
        let id = p.require_i64("message_id")?;
        let source = self.source_message(from_chat, id, "message to forward not found")?;
        let mut content = message_content(&source.json)
            .ok_or_else(|| ApiError::bad_request("message can't be forwarded"))?;
        content.insert("forward_origin".into(), forward_origin(&source.json));
        let target = self.outgoing_target(p)?;
        Ok(self.send_bot_message(&target, content))
    }

    /// copyMessages and (with `forward`) forwardMessages: messages that are
    /// missing or cannot be copied are skipped; albums stay albums under a
    /// new `media_group_id`.
    pub(crate) fn copy_messages(&mut self, p: &Params, forward: bool) -> ApiResult {
        let from_chat = self.resolve_chat(p, "from_chat_id")?;
        let ids = message_ids(p)?;
        let mut target = self.outgoing_target(p)?;
        target.reply_markup = None;
        let remove_caption = !forward && p.bool("remove_caption");
        let mut groups: HashMap<String, String> = HashMap::new();
        let mut copied = Vec::new();
        for id in ids {
            let Some(source) = self.chat(from_chat).live_message(id) else {
                continue;
            };
            let source = source.json.clone();
            let Some(mut content) = message_content(&source) else {
                continue;
            };
            if remove_caption {
                content.remove("caption");
                content.remove("caption_entities");
            }
            if forward {
                content.insert("forward_origin".into(), forward_origin(&source));
            }
            if let Some(group) = source.get("media_group_id").and_then(Value::as_str) {
                let new_group = match groups.get(group) {
                    Some(g) => g.clone(),
                    None => {
                        let g = self.new_media_group_id();
                        groups.insert(group.to_owned(), g.clone());
                        g
                    }
                };
                content.insert("media_group_id".into(), json!(new_group));
            }
            self.renew_poll(&mut content);
            let sent = self.send_bot_message(&target, content);
            copied.push(json!({ "message_id": sent["message_id"] }));
        }
        if copied.is_empty() {
            let what = if forward {
                "message to forward not found"
            } else {
                "message to copy not found"
            };
            return Err(ApiError::bad_request(what));
        }
        Ok(Value::Array(copied))
    }

    /// A copied poll is a new poll with no votes.
    fn renew_poll(&mut self, content: &mut Map<String, Value>) {
        if let Some(poll) = content.get_mut("poll") {
            let id = self.new_poll_id();
            poll["id"] = json!(id);
            poll["total_voter_count"] = json!(0);
            if let Some(options) = poll["options"].as_array_mut() {
                for option in options {
                    option["voter_count"] = json!(0);
                }
            }
        }
    }

    /// Whether the bot may delete `message` in `chat_id`.
    fn may_delete(&self, chat_id: i64, message: &MessageRecord) -> bool {
        if message.sender == self.bot.id {
            return true;
        }
        match self.chat(chat_id).group() {
            None => true,
            Some(g) => matches!(g.bot, BotRole::Admin(r) if r.can_delete_messages),
        }
    }

    pub(crate) fn delete_message(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        let id = p.require_i64("message_id")?;
        let message = self.source_message(chat_id, id, "message to delete not found")?;
        if message.json.get("forum_topic_created").is_some() || !self.may_delete(chat_id, message) {
            return Err(ApiError::bad_request("message can't be deleted"));
        }
        self.chat_mut(chat_id)
            .messages
            .get_mut(&(id as i32))
            .expect("checked")
            .deleted = true;
        Ok(json!(true))
    }

    pub(crate) fn delete_messages(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        let ids = message_ids(p)?;
        for id in ids {
            let deletable = self.chat(chat_id).live_message(id).is_some_and(|m| {
                m.json.get("forum_topic_created").is_none() && self.may_delete(chat_id, m)
            });
            if deletable {
                self.chat_mut(chat_id)
                    .messages
                    .get_mut(&id)
                    .expect("checked")
                    .deleted = true;
            }
        }
        Ok(json!(true))
    }

    fn check_pin_rights(&self, chat_id: i64) -> Result<(), ApiError> {
        self.check_can_send(chat_id)?;
        match self.chat(chat_id).group() {
            Some(g) if !matches!(g.bot, BotRole::Admin(r) if r.can_pin_messages) => Err(
                ApiError::bad_request("not enough rights to manage pinned messages in the chat"),
            ),
            _ => Ok(()),
        }
    }

    /// Sets (or with an empty list removes) the bot's reaction on a message.
    pub(crate) fn set_message_reaction(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        let id = p.require_i64("message_id")?;
        self.source_message(chat_id, id, "message to react to not found")?;
        let emoji: Vec<String> = p
            .json("reaction")?
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.get("emoji").and_then(Value::as_str).map(str::to_owned))
            .collect();
        if let Some(message) = self.chat_mut(chat_id).messages.get_mut(&(id as i32)) {
            message.bot_reactions = emoji;
        }
        Ok(json!(true))
    }

    pub(crate) fn pin_chat_message(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        let id = p.require_i64("message_id")?;
        self.source_message(chat_id, id, "message to pin not found")?;
        self.check_pin_rights(chat_id)?;
        let id = id as i32;
        let pinned = self.reply_json(chat_id, id).expect("checked");
        let thread = self
            .chat(chat_id)
            .live_message(id)
            .and_then(|m| m.is_topic_message().then(|| m.thread_id()).flatten());
        let chat = self.chat_mut(chat_id);
        chat.pinned.retain(|m| *m != id);
        chat.pinned.push(id);
        let mut content = object();
        content.insert("pinned_message".into(), pinned);
        let placement = self.placement(chat_id, thread, None);
        let bot = self.bot.id;
        self.store_message(chat_id, bot, placement, content);
        Ok(json!(true))
    }

    pub(crate) fn unpin_chat_message(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        self.check_pin_rights(chat_id)?;
        let id = p.i64("message_id")?.map(|id| id as i32);
        let chat = self.chat_mut(chat_id);
        match id {
            Some(id) => chat.pinned.retain(|m| *m != id),
            None => {
                chat.pinned.pop();
            }
        }
        Ok(json!(true))
    }

    pub(crate) fn unpin_all_chat_messages(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        self.check_pin_rights(chat_id)?;
        self.chat_mut(chat_id).pinned.clear();
        Ok(json!(true))
    }
}
