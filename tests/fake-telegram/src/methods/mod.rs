//! Bot API methods. `World::execute` is the single entry: it applies
//! injected faults and flood limits, runs the method, and records the call.
//!
//! Methods are grouped by area: [`chats`], [`messages`] (sending, copying,
//! forwarding, deleting, pinning), [`edits`], [`topics`], [`webhook`]
//! (webhook registration and getUpdates), [`commands`], [`callbacks`].
//! [`send`] holds what every message-producing method shares.

pub(crate) mod callbacks;
pub(crate) mod chats;
pub(crate) mod commands;
pub(crate) mod edits;
pub(crate) mod menu_button;
pub(crate) mod messages;
pub(crate) mod send;
pub(crate) mod topics;
pub(crate) mod webhook;

use std::time::Instant;

use serde_json::Value;

use crate::api_error::{ApiError, ApiResult};
use crate::inspect::{CallOutcome, RecordedCall};
use crate::params::Params;
use crate::world::World;
use crate::world::files::FileKind;

/// Every method the fake implements, lower-cased.
const KNOWN: &[&str] = &[
    "getme",
    "getchat",
    "getchatmember",
    "getchatadministrators",
    "getchatmembercount",
    "setwebhook",
    "deletewebhook",
    "getwebhookinfo",
    "getupdates",
    "setmycommands",
    "getmycommands",
    "deletemycommands",
    "setchatmenubutton",
    "getchatmenubutton",
    "sendmessage",
    "sendphoto",
    "senddocument",
    "sendvideo",
    "sendaudio",
    "sendvoice",
    "sendsticker",
    "sendanimation",
    "sendvideonote",
    "sendlocation",
    "sendcontact",
    "senddice",
    "sendmediagroup",
    "sendchataction",
    "copymessage",
    "copymessages",
    "forwardmessage",
    "forwardmessages",
    "editmessagetext",
    "editmessagecaption",
    "editmessagereplymarkup",
    "deletemessage",
    "deletemessages",
    "pinchatmessage",
    "unpinchatmessage",
    "setmessagereaction",
    "unpinallchatmessages",
    "answercallbackquery",
    "createforumtopic",
    "editforumtopic",
    "closeforumtopic",
    "reopenforumtopic",
    "deleteforumtopic",
    "unpinallforumtopicmessages",
];

/// Whether the fake implements `method` (lower-cased).
pub(crate) fn is_known(method: &str) -> bool {
    KNOWN.contains(&method)
}

/// How many messages a call would create, for the flood limits.
fn messages_produced(method: &str, p: &Params) -> Option<u32> {
    let list_len = |key: &str| {
        p.json(key)
            .ok()
            .flatten()
            .and_then(|v| v.as_array().map(|a| a.len() as u32))
            .unwrap_or(1)
    };
    match method {
        "sendmessage" | "sendphoto" | "senddocument" | "sendvideo" | "sendaudio" | "sendvoice"
        | "sendsticker" | "sendanimation" | "sendvideonote" | "sendlocation" | "sendcontact"
        | "senddice" | "copymessage" | "forwardmessage" | "createforumtopic" => Some(1),
        "sendmediagroup" => Some(list_len("media")),
        "copymessages" | "forwardmessages" => Some(list_len("message_ids")),
        _ => None,
    }
}

impl World {
    /// Runs one call and records it.
    pub(crate) fn execute(&mut self, method: &str, p: &Params) -> ApiResult {
        let result = self.execute_unrecorded(method, p);
        self.record_call(method, p, &result);
        result
    }

    /// Records a call's outcome (also used for calls answered elsewhere).
    pub(crate) fn record_call(&mut self, method: &str, p: &Params, result: &ApiResult) {
        let outcome = match result {
            Ok(v) => CallOutcome::Ok(v.clone()),
            Err(e) => CallOutcome::Err(e.clone()),
        };
        self.calls.push(RecordedCall {
            seq: self.calls.len() as u64,
            method: method.to_owned(),
            params: p.to_json(),
            outcome,
        });
    }

    /// Takes an injected fault for this call, if one matches.
    pub(crate) fn take_fault(&mut self, method: &str, p: &Params) -> Option<ApiError> {
        let fault = self.faults.take(method, p.chat_id_number())?;
        if fault.status == 429 {
            self.too_many_requests += 1;
        }
        Some(fault)
    }

    fn execute_unrecorded(&mut self, method: &str, p: &Params) -> ApiResult {
        if let Some(fault) = self.take_fault(method, p) {
            return Err(fault);
        }
        let produced = messages_produced(method, p);
        let limited = match (produced, self.limiter.is_some()) {
            (Some(count), true) => self
                .resolve_chat(p, "chat_id")
                .ok()
                .map(|chat| (chat, count)),
            _ => None,
        };
        let now = Instant::now();
        if let (Some((chat, count)), Some(limiter)) = (limited, self.limiter.as_mut())
            && let Err(retry_after) = limiter.check(chat, chat < 0, count, now)
        {
            self.too_many_requests += 1;
            return Err(ApiError::too_many_requests(retry_after));
        }
        let result = self.dispatch(method, p);
        if let (Ok(value), Some((chat, _)), Some(limiter)) =
            (&result, limited, self.limiter.as_mut())
        {
            let created = match value {
                Value::Array(items) => items.len() as u32,
                _ => 1,
            };
            limiter.record(chat, chat < 0, created, now);
        }
        result
    }

    fn dispatch(&mut self, method: &str, p: &Params) -> ApiResult {
        match method {
            "getme" => Ok(self.me_json()),
            "getchat" => self.get_chat(p),
            "getchatmember" => self.get_chat_member(p),
            "getchatadministrators" => self.get_chat_administrators(p),
            "getchatmembercount" => self.get_chat_member_count(p),
            "setwebhook" => self.set_webhook(p),
            "deletewebhook" => self.delete_webhook(p),
            "getwebhookinfo" => Ok(self.webhook_info_json()),
            "getupdates" => self.get_updates_now(p),
            "setmycommands" => self.set_my_commands(p),
            "getmycommands" => self.get_my_commands(p),
            "deletemycommands" => self.delete_my_commands(p),
            "setchatmenubutton" => self.set_chat_menu_button(p),
            "getchatmenubutton" => self.get_chat_menu_button(p),
            "sendmessage" => self.send_message(p),
            "sendphoto" => self.send_file(p, FileKind::Photo),
            "senddocument" => self.send_file(p, FileKind::Document),
            "sendvideo" => self.send_file(p, FileKind::Video),
            "sendaudio" => self.send_file(p, FileKind::Audio),
            "sendvoice" => self.send_file(p, FileKind::Voice),
            "sendsticker" => self.send_file(p, FileKind::Sticker),
            "sendanimation" => self.send_file(p, FileKind::Animation),
            "sendvideonote" => self.send_file(p, FileKind::VideoNote),
            "sendlocation" => self.send_location(p),
            "sendcontact" => self.send_contact(p),
            "senddice" => self.send_dice(p),
            "sendmediagroup" => self.send_media_group(p),
            "sendchataction" => self.send_chat_action(p),
            "copymessage" => self.copy_message(p),
            "copymessages" => self.copy_messages(p, false),
            "forwardmessage" => self.forward_message(p),
            "forwardmessages" => self.copy_messages(p, true),
            "editmessagetext" => self.edit_message_text(p),
            "editmessagecaption" => self.edit_message_caption(p),
            "editmessagereplymarkup" => self.edit_message_reply_markup(p),
            "deletemessage" => self.delete_message(p),
            "deletemessages" => self.delete_messages(p),
            "pinchatmessage" => self.pin_chat_message(p),
            "setmessagereaction" => self.set_message_reaction(p),
            "unpinchatmessage" => self.unpin_chat_message(p),
            "unpinallchatmessages" => self.unpin_all_chat_messages(p),
            "answercallbackquery" => self.answer_callback_query(p),
            "createforumtopic" => self.create_forum_topic(p),
            "editforumtopic" => self.edit_forum_topic(p),
            "closeforumtopic" => self.set_forum_topic_closed(p, true),
            "reopenforumtopic" => self.set_forum_topic_closed(p, false),
            "deleteforumtopic" => self.delete_forum_topic(p),
            "unpinallforumtopicmessages" => self.unpin_all_forum_topic_messages(p),
            _ => Err(ApiError::not_found()),
        }
    }
}
