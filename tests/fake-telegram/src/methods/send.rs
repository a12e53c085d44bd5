//! What every message-producing method shares: where the message goes (chat,
//! rights, topic, reply), its inline keyboard, formatted text and captions,
//! and files.

use serde_json::{Map, Value, json};

use crate::api_error::ApiError;
use crate::markup::{self, Formatted, utf16_len};
use crate::params::Params;
use crate::setup::BotRole;
use crate::world::files::{FileHints, FileKind, FileLookupError};
use crate::world::model::ChatKind;
use crate::world::{Placement, World};

/// Telegram's limit for message text, in UTF-16 code units.
pub(crate) const MAX_TEXT: usize = 4096;
/// Telegram's limit for captions, in UTF-16 code units.
pub(crate) const MAX_CAPTION: usize = 1024;

/// Where a bot message goes and what is attached to every message.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub chat_id: i64,
    pub placement: Placement,
    pub reply_markup: Option<Value>,
    pub protect_content: bool,
}

/// Text (or a caption) with entities from explicit `entities`, or else from
/// `parse_mode`, trimmed like Telegram trims.
pub(crate) fn format_parts(
    text: &str,
    entities: Option<Value>,
    parse_mode: Option<&str>,
) -> Result<Formatted, ApiError> {
    let formatted = match entities {
        Some(Value::Array(entities)) => Formatted {
            text: text.to_owned(),
            entities,
        },
        _ => markup::parse(text, parse_mode)?,
    };
    Ok(markup::trim(formatted))
}

/// Formats `text_key` with `entities_key` or `parse_mode` from the parameters.
pub(crate) fn format_param(
    p: &Params,
    text_key: &str,
    entities_key: &str,
) -> Result<Formatted, ApiError> {
    let text = p.str(text_key).unwrap_or_default();
    format_parts(&text, p.json(entities_key)?, p.str("parse_mode").as_deref())
}

/// Puts a formatted caption into `content` (nothing when it is empty).
pub(crate) fn put_caption(
    content: &mut Map<String, Value>,
    caption: Formatted,
) -> Result<(), ApiError> {
    if utf16_len(&caption.text) > MAX_CAPTION {
        return Err(ApiError::bad_request("message caption is too long"));
    }
    content.remove("caption");
    content.remove("caption_entities");
    if !caption.text.is_empty() {
        content.insert("caption".into(), json!(caption.text));
        if !caption.entities.is_empty() {
            content.insert("caption_entities".into(), Value::Array(caption.entities));
        }
    }
    Ok(())
}

/// The inline keyboard to attach, validated. Reply keyboards, keyboard
/// removal and force-reply are accepted but, as in Telegram, never appear on
/// the message.
pub(crate) fn inline_markup(p: &Params) -> Result<Option<Value>, ApiError> {
    let Some(markup) = p.json("reply_markup")? else {
        return Ok(None);
    };
    let Some(rows) = markup.get("inline_keyboard") else {
        return Ok(None);
    };
    let rows = rows.as_array().ok_or_else(|| {
        ApiError::bad_request(
            "can't parse inline keyboard button: InlineKeyboardMarkup must be an Array of Arrays",
        )
    })?;
    for row in rows {
        let buttons = row.as_array().ok_or_else(|| {
            ApiError::bad_request("can't parse inline keyboard button: InlineKeyboardMarkup must be an Array of Arrays")
        })?;
        for button in buttons {
            if button["text"].as_str().is_none_or(str::is_empty) {
                return Err(ApiError::bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                ));
            }
            if let Some(data) = button.get("callback_data") {
                let len = data.as_str().map_or(0, str::len);
                if !(1..=64).contains(&len) {
                    return Err(ApiError::bad_request("BUTTON_DATA_INVALID"));
                }
            }
            if let Some(app) = button.get("web_app") {
                // Telegram opens Mini Apps over HTTPS only.
                let ok = app["url"]
                    .as_str()
                    .and_then(|u| reqwest::Url::parse(u).ok())
                    .is_some_and(|u| u.scheme() == "https");
                if !ok {
                    return Err(ApiError::bad_request("BUTTON_URL_INVALID"));
                }
            }
            if let Some(url) = button.get("url") {
                let ok = url
                    .as_str()
                    .and_then(|u| reqwest::Url::parse(u).ok())
                    .is_some();
                if !ok {
                    return Err(ApiError::bad_request("BUTTON_URL_INVALID"));
                }
            }
        }
    }
    let has_buttons = rows
        .iter()
        .any(|r| r.as_array().is_some_and(|b| !b.is_empty()));
    Ok(has_buttons.then(|| json!({ "inline_keyboard": rows })))
}

impl World {
    /// Whether the bot may post into `chat_id` at all.
    pub(crate) fn check_can_send(&self, chat_id: i64) -> Result<(), ApiError> {
        match &self.chat(chat_id).kind {
            ChatKind::Private { user_id } => {
                let user = self.user(*user_id);
                if user.blocked {
                    Err(ApiError::blocked())
                } else if !user.started {
                    Err(ApiError::forbidden(
                        "bot can't initiate conversation with a user",
                    ))
                } else {
                    Ok(())
                }
            }
            ChatKind::Supergroup(g) => match g.bot {
                BotRole::Left => Err(ApiError::forbidden(
                    "bot is not a member of the supergroup chat",
                )),
                BotRole::Kicked => Err(ApiError::forbidden(
                    "bot was kicked from the supergroup chat",
                )),
                BotRole::Admin(_) | BotRole::Member => Ok(()),
            },
        }
    }

    /// Whether the bot may post into topic `thread` of `chat_id`.
    pub(crate) fn check_bot_topic(&self, chat_id: i64, thread: i32) -> Result<(), ApiError> {
        let group = self.chat(chat_id).group().filter(|g| g.is_forum);
        let Some(group) = group else {
            return Err(ApiError::thread_not_found());
        };
        let Some(topic) = group.live_topic(thread) else {
            return Err(ApiError::thread_not_found());
        };
        let can_manage = group.bot.rights().is_some_and(|r| r.can_manage_topics);
        if topic.closed && !can_manage {
            return Err(ApiError::bad_request("TOPIC_CLOSED"));
        }
        Ok(())
    }

    /// The message a new message replies to, from `reply_parameters` or the
    /// legacy `reply_to_message_id`.
    pub(crate) fn reply_target(&self, chat_id: i64, p: &Params) -> Result<Option<i32>, ApiError> {
        let (id, allow_missing) = if let Some(rp) = p.json("reply_parameters")? {
            let rp = Params::from_json(rp);
            if rp.has("chat_id") && self.resolve_chat(&rp, "chat_id")? != chat_id {
                // Replies across chats are not modelled.
                return if rp.bool("allow_sending_without_reply") {
                    Ok(None)
                } else {
                    Err(ApiError::bad_request("message to be replied not found"))
                };
            }
            (
                rp.require_i64("message_id")?,
                rp.bool("allow_sending_without_reply"),
            )
        } else if let Some(id) = p.i64("reply_to_message_id")? {
            (id, p.bool("allow_sending_without_reply"))
        } else {
            return Ok(None);
        };
        let exists = i32::try_from(id)
            .ok()
            .and_then(|id| self.chat(chat_id).live_message(id))
            .is_some();
        match (exists, allow_missing) {
            (true, _) => Ok(Some(id as i32)),
            (false, true) => Ok(None),
            (false, false) => Err(ApiError::bad_request("message to be replied not found")),
        }
    }

    /// Checks chat, rights, topic and reply of a bot message.
    pub(crate) fn outgoing_target(&self, p: &Params) -> Result<Target, ApiError> {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        self.check_can_send(chat_id)?;
        let reply = self.reply_target(chat_id, p)?;
        let thread = p.i64("message_thread_id")?.map(|t| t as i32);
        let chat = self.chat(chat_id);
        let reply_topic = reply
            .and_then(|r| chat.live_message(r))
            .filter(|m| m.is_topic_message())
            .and_then(|m| m.thread_id());
        if let Some(thread) = thread {
            self.check_bot_topic(chat_id, thread)?;
            if reply.is_some() && reply_topic != Some(thread) {
                return Err(ApiError::bad_request("message to be replied not found"));
            }
        } else if let Some(topic) = reply_topic {
            self.check_bot_topic(chat_id, topic)?;
        }
        let reply_markup = inline_markup(p)?;
        let has_web_app = reply_markup.as_ref().is_some_and(|m| {
            m["inline_keyboard"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_array)
                .flatten()
                .any(|b| b.get("web_app").is_some())
        });
        // Mini App buttons work in private chats only.
        if has_web_app && !matches!(self.chat(chat_id).kind, ChatKind::Private { .. }) {
            return Err(ApiError::bad_request("BUTTON_TYPE_INVALID"));
        }
        Ok(Target {
            chat_id,
            placement: self.placement(chat_id, thread, reply),
            reply_markup,
            protect_content: p.bool("protect_content"),
        })
    }

    /// Stores a message from the bot and returns its JSON.
    pub(crate) fn send_bot_message(
        &mut self,
        target: &Target,
        mut content: Map<String, Value>,
    ) -> Value {
        if let Some(markup) = &target.reply_markup {
            content.insert("reply_markup".into(), markup.clone());
        }
        if target.protect_content {
            content.insert("has_protected_content".into(), json!(true));
        }
        let bot = self.bot.id;
        self.store_message(target.chat_id, bot, target.placement.clone(), content)
            .1
    }

    /// Resolves a file reference (`attach://…`, an http(s) URL, or a
    /// `file_id`) to the media placed in a message.
    pub(crate) fn resolve_file(
        &mut self,
        p: &Params,
        reference: Option<String>,
        kind: FileKind,
        mut hints: FileHints,
    ) -> Result<Value, ApiError> {
        let missing =
            || ApiError::bad_request(format!("there is no {} in the request", kind.field()));
        let reference = reference
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(missing)?;
        if let Some(part) = reference.strip_prefix("attach://") {
            let upload = p.file(part).ok_or_else(missing)?;
            hints.file_name = hints.file_name.or_else(|| upload.file_name.clone());
            hints.size = Some(upload.size);
            hints.mime_type = upload
                .content_type
                .clone()
                .filter(|t| t != "application/octet-stream" && kind == FileKind::Document)
                .or(hints.mime_type);
            return Ok(self.files.create(kind, hints));
        }
        if reference.starts_with("http://") || reference.starts_with("https://") {
            let name = reference
                .split(['?', '#'])
                .next()
                .and_then(|u| u.rsplit('/').next())
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            hints.file_name = hints.file_name.or(name);
            return Ok(self.files.create(kind, hints));
        }
        self.files
            .lookup(reference.trim(), kind)
            .map_err(|e| match e {
                FileLookupError::Unknown => {
                    ApiError::bad_request("wrong file identifier/HTTP URL specified")
                }
                FileLookupError::WrongKind { actual, wanted } => {
                    ApiError::bad_request(format!("can't use file of type {actual} as {wanted}"))
                }
            })
    }
}
