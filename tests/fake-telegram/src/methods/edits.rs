//! Editing the bot's own messages: text, caption, inline keyboard.
//!
//! As in Telegram, an edit that leaves `reply_markup` out removes the
//! message's inline keyboard, and an edit that changes nothing fails with
//! "message is not modified".

use serde_json::{Value, json};

use super::send::{MAX_CAPTION, MAX_TEXT, format_param, inline_markup};
use crate::api_error::{ApiError, ApiResult};
use crate::markup::{Formatted, utf16_len};
use crate::params::Params;
use crate::world::{World, unix_now};

/// Replaces (or removes, for `None`) a field of a message.
fn set_field(message: &mut Value, key: &str, value: Option<Value>) {
    if let Value::Object(map) = message {
        match value {
            Some(v) => {
                map.insert(key.to_owned(), v);
            }
            None => {
                map.remove(key);
            }
        }
    }
}

fn entities_value(entities: Vec<Value>) -> Option<Value> {
    (!entities.is_empty()).then_some(Value::Array(entities))
}

impl World {
    /// The bot's own live message named by `chat_id` + `message_id`.
    fn editable(&self, p: &Params) -> Result<(i64, i32), ApiError> {
        if p.has("inline_message_id") && !p.has("chat_id") {
            return Err(ApiError::bad_request("MESSAGE_ID_INVALID"));
        }
        let chat_id = self.resolve_chat(p, "chat_id")?;
        let id = p
            .i64("message_id")?
            .ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?;
        let message = i32::try_from(id)
            .ok()
            .and_then(|id| self.chat(chat_id).live_message(id))
            .ok_or_else(|| ApiError::bad_request("message to edit not found"))?;
        let is_service = super::messages::message_content(&message.json).is_none();
        if message.sender != self.bot.id || is_service {
            return Err(ApiError::bad_request("message can't be edited"));
        }
        self.check_can_send(chat_id)?;
        Ok((chat_id, id as i32))
    }

    /// Applies `change` to the stored message unless it changes nothing;
    /// returns the edited message.
    fn apply_edit(&mut self, chat_id: i64, id: i32, change: impl FnOnce(&mut Value)) -> ApiResult {
        let record = self
            .chat_mut(chat_id)
            .messages
            .get_mut(&id)
            .expect("checked by editable");
        let mut edited = record.json.clone();
        change(&mut edited);
        let mut before = record.json.clone();
        set_field(&mut before, "edit_date", None);
        let mut after = edited.clone();
        set_field(&mut after, "edit_date", None);
        if before == after {
            return Err(ApiError::not_modified());
        }
        edited["edit_date"] = json!(unix_now());
        record.json = edited.clone();
        Ok(edited)
    }

    pub(crate) fn edit_message_text(&mut self, p: &Params) -> ApiResult {
        let (chat_id, id) = self.editable(p)?;
        if self.chat(chat_id).messages[&id].json.get("text").is_none() {
            return Err(ApiError::bad_request(
                "there is no text in the message to edit",
            ));
        }
        let Formatted { text, entities } = format_param(p, "text", "entities")?;
        if text.is_empty() {
            return Err(ApiError::bad_request("message text is empty"));
        }
        if utf16_len(&text) > MAX_TEXT {
            return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
        }
        let markup = inline_markup(p)?;
        let preview = p.json("link_preview_options")?;
        self.apply_edit(chat_id, id, |m| {
            set_field(m, "text", Some(json!(text)));
            set_field(m, "entities", entities_value(entities));
            set_field(m, "reply_markup", markup);
            if let Some(preview) = preview {
                set_field(m, "link_preview_options", Some(preview));
            }
        })
    }

    pub(crate) fn edit_message_caption(&mut self, p: &Params) -> ApiResult {
        let (chat_id, id) = self.editable(p)?;
        let message = &self.chat(chat_id).messages[&id].json;
        let has_media = ["photo", "video", "animation", "document", "audio", "voice"]
            .iter()
            .any(|k| message.get(*k).is_some());
        if !has_media {
            return Err(ApiError::bad_request(
                "there is no caption in the message to edit",
            ));
        }
        let Formatted { text, entities } = format_param(p, "caption", "caption_entities")?;
        if utf16_len(&text) > MAX_CAPTION {
            return Err(ApiError::bad_request("message caption is too long"));
        }
        let markup = inline_markup(p)?;
        self.apply_edit(chat_id, id, |m| {
            set_field(m, "caption", (!text.is_empty()).then(|| json!(text)));
            set_field(m, "caption_entities", entities_value(entities));
            set_field(m, "reply_markup", markup);
        })
    }

    pub(crate) fn edit_message_reply_markup(&mut self, p: &Params) -> ApiResult {
        let (chat_id, id) = self.editable(p)?;
        let markup = inline_markup(p)?;
        self.apply_edit(chat_id, id, |m| set_field(m, "reply_markup", markup))
    }
}
