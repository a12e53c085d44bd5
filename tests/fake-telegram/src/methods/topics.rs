//! Forum topics: create, edit, close, reopen, delete, unpin all.
//!
//! Creating, editing, closing and reopening leave the service messages
//! Telegram leaves (`forum_topic_created` — whose message id is the topic's
//! `message_thread_id` —, `forum_topic_edited`, `forum_topic_closed`,
//! `forum_topic_reopened`). Deleting a topic deletes its messages and
//! leaves nothing; later sends into it fail with "message thread not found".

use serde_json::{Value, json};

use crate::api_error::{ApiError, ApiResult};
use crate::markup::utf16_len;
use crate::params::{Params, missing};
use crate::setup::BotRole;
use crate::world::json::{object, topic_json};
use crate::world::model::TopicRecord;
use crate::world::{Placement, World};

/// The colors Telegram allows for topic icons.
pub(crate) const ICON_COLORS: [u32; 6] =
    [0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F];

/// Checks a topic name: 1–128 characters.
pub(crate) fn check_topic_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::bad_request("TOPIC_TITLE_EMPTY"));
    }
    if utf16_len(name) > 128 {
        return Err(ApiError::bad_request("TOPIC_TITLE_TOO_LONG"));
    }
    Ok(())
}

/// What happened to a topic, for its service message.
pub(crate) enum TopicEvent {
    Created,
    Edited {
        name: Option<String>,
        icon_custom_emoji_id: Option<String>,
    },
    Closed,
    Reopened,
}

impl World {
    /// A forum supergroup the bot is in.
    fn bot_forum(&self, p: &Params) -> Result<i64, ApiError> {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        let Some(group) = self.chat(chat_id).group() else {
            return Err(ApiError::bad_request("the chat is not a forum"));
        };
        let is_forum = group.is_forum;
        self.check_can_send(chat_id)?;
        if !is_forum {
            return Err(ApiError::bad_request("the chat is not a forum"));
        }
        Ok(chat_id)
    }

    fn bot_rights(&self, chat_id: i64) -> Option<crate::setup::AdminRights> {
        match self.chat(chat_id).group()?.bot {
            BotRole::Admin(rights) => Some(rights),
            _ => None,
        }
    }

    /// A live topic named by `message_thread_id`, and that the bot may
    /// manage it (creator or `can_manage_topics`).
    fn managed_topic(&self, p: &Params) -> Result<(i64, i32), ApiError> {
        let chat_id = self.bot_forum(p)?;
        let thread = p.require_i64("message_thread_id")? as i32;
        let group = self.chat(chat_id).group().expect("checked by bot_forum");
        let topic = group
            .live_topic(thread)
            .ok_or_else(|| ApiError::bad_request("TOPIC_ID_INVALID"))?;
        let rights = self.bot_rights(chat_id);
        let allowed = rights.is_some_and(|r| r.can_manage_topics || topic.creator == self.bot.id);
        if !allowed {
            return Err(ApiError::bad_request("not enough rights to manage topics"));
        }
        Ok((chat_id, thread))
    }

    /// Stores the service message for a topic event by `actor` (a user id or
    /// the bot) and returns it.
    pub(crate) fn topic_service_message(
        &mut self,
        chat_id: i64,
        thread: i32,
        actor: i64,
        event: TopicEvent,
    ) -> (i32, Value) {
        let mut content = object();
        let placement = match event {
            TopicEvent::Created => {
                let topic = &self.chat(chat_id).group().expect("group").topics[&thread];
                let mut created = json!({ "name": topic.name, "icon_color": topic.icon_color });
                if let Some(emoji) = &topic.icon_custom_emoji_id {
                    created["icon_custom_emoji_id"] = json!(emoji);
                }
                content.insert("forum_topic_created".into(), created);
                Placement {
                    thread: Some(thread),
                    is_topic: true,
                    reply_to: None,
                }
            }
            other => {
                let (key, value) = match other {
                    TopicEvent::Edited {
                        name,
                        icon_custom_emoji_id,
                    } => {
                        let mut edited = json!({});
                        if let Some(name) = name {
                            edited["name"] = json!(name);
                        }
                        if let Some(emoji) = icon_custom_emoji_id {
                            edited["icon_custom_emoji_id"] = json!(emoji);
                        }
                        ("forum_topic_edited", edited)
                    }
                    TopicEvent::Closed => ("forum_topic_closed", json!({})),
                    TopicEvent::Reopened => ("forum_topic_reopened", json!({})),
                    TopicEvent::Created => unreachable!("handled above"),
                };
                content.insert(key.into(), value);
                self.placement(chat_id, Some(thread), None)
            }
        };
        self.store_message(chat_id, actor, placement, content)
    }

    /// Creates a topic (by `creator`) and its service message; returns the
    /// topic id and the service message.
    pub(crate) fn open_topic(
        &mut self,
        chat_id: i64,
        creator: i64,
        name: &str,
        icon_color: u32,
        icon_custom_emoji_id: Option<String>,
    ) -> (i32, Value) {
        let chat = self.chat_mut(chat_id);
        let thread = chat.next_message_id;
        chat.group_mut().expect("forum").topics.insert(
            thread,
            TopicRecord {
                thread_id: thread,
                name: name.to_owned(),
                icon_color,
                icon_custom_emoji_id,
                closed: false,
                deleted: false,
                creator,
            },
        );
        let (id, message) =
            self.topic_service_message(chat_id, thread, creator, TopicEvent::Created);
        debug_assert_eq!(id, thread);
        (thread, message)
    }

    /// Marks a topic and all its messages deleted.
    pub(crate) fn remove_topic(&mut self, chat_id: i64, thread: i32) {
        let chat = self.chat_mut(chat_id);
        if let Some(topic) = chat.group_mut().and_then(|g| g.topics.get_mut(&thread)) {
            topic.deleted = true;
        }
        for message in chat.messages.values_mut() {
            if message.is_topic_message() && message.thread_id() == Some(thread) {
                message.deleted = true;
            }
        }
    }

    pub(crate) fn create_forum_topic(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.bot_forum(p)?;
        if !self
            .bot_rights(chat_id)
            .is_some_and(|r| r.can_manage_topics)
        {
            return Err(ApiError::bad_request("not enough rights to create a topic"));
        }
        let name = p.str("name").ok_or_else(|| missing("name"))?;
        check_topic_name(&name)?;
        let icon_color = match p.i64("icon_color")? {
            None => ICON_COLORS[0],
            Some(c) if ICON_COLORS.contains(&(c as u32)) => c as u32,
            Some(_) => return Err(ApiError::bad_request("TOPIC_ICON_COLOR_INVALID")),
        };
        let emoji = p.str("icon_custom_emoji_id").filter(|e| !e.is_empty());
        let bot = self.bot.id;
        let (thread, _) = self.open_topic(chat_id, bot, &name, icon_color, emoji);
        let topic = &self.chat(chat_id).group().expect("forum").topics[&thread];
        Ok(topic_json(topic))
    }

    pub(crate) fn edit_forum_topic(&mut self, p: &Params) -> ApiResult {
        let (chat_id, thread) = self.managed_topic(p)?;
        let name = p.str("name");
        if let Some(name) = &name {
            check_topic_name(name)?;
        }
        let emoji = p.str("icon_custom_emoji_id");
        let topic = self
            .chat_mut(chat_id)
            .group_mut()
            .expect("forum")
            .topics
            .get_mut(&thread)
            .expect("live");
        let new_name = name.filter(|n| *n != topic.name);
        let new_emoji = emoji.filter(|e| topic.icon_custom_emoji_id.as_deref().unwrap_or("") != e);
        if new_name.is_none() && new_emoji.is_none() {
            return Err(ApiError::bad_request("TOPIC_NOT_MODIFIED"));
        }
        if let Some(name) = &new_name {
            topic.name = name.clone();
        }
        if let Some(emoji) = &new_emoji {
            topic.icon_custom_emoji_id = (!emoji.is_empty()).then(|| emoji.clone());
        }
        let bot = self.bot.id;
        self.topic_service_message(
            chat_id,
            thread,
            bot,
            TopicEvent::Edited {
                name: new_name,
                icon_custom_emoji_id: new_emoji,
            },
        );
        Ok(json!(true))
    }

    pub(crate) fn set_forum_topic_closed(&mut self, p: &Params, closed: bool) -> ApiResult {
        let (chat_id, thread) = self.managed_topic(p)?;
        let topic = self
            .chat_mut(chat_id)
            .group_mut()
            .expect("forum")
            .topics
            .get_mut(&thread)
            .expect("live");
        if topic.closed == closed {
            return Err(ApiError::bad_request("TOPIC_NOT_MODIFIED"));
        }
        topic.closed = closed;
        let event = if closed {
            TopicEvent::Closed
        } else {
            TopicEvent::Reopened
        };
        let bot = self.bot.id;
        self.topic_service_message(chat_id, thread, bot, event);
        Ok(json!(true))
    }

    pub(crate) fn delete_forum_topic(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.bot_forum(p)?;
        let thread = p.require_i64("message_thread_id")? as i32;
        let group = self.chat(chat_id).group().expect("checked by bot_forum");
        if group.live_topic(thread).is_none() {
            return Err(ApiError::bad_request("TOPIC_ID_INVALID"));
        }
        if !self
            .bot_rights(chat_id)
            .is_some_and(|r| r.can_delete_messages)
        {
            return Err(ApiError::bad_request("not enough rights to delete a topic"));
        }
        self.remove_topic(chat_id, thread);
        Ok(json!(true))
    }

    pub(crate) fn unpin_all_forum_topic_messages(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.bot_forum(p)?;
        let thread = p.require_i64("message_thread_id")? as i32;
        let group = self.chat(chat_id).group().expect("checked by bot_forum");
        if group.live_topic(thread).is_none() {
            return Err(ApiError::bad_request("TOPIC_ID_INVALID"));
        }
        if !self.bot_rights(chat_id).is_some_and(|r| r.can_pin_messages) {
            return Err(ApiError::bad_request(
                "not enough rights to manage pinned messages in the chat",
            ));
        }
        let in_topic: Vec<i32> = self
            .chat(chat_id)
            .messages
            .values()
            .filter(|m| m.is_topic_message() && m.thread_id() == Some(thread))
            .map(|m| m.id())
            .collect();
        self.chat_mut(chat_id)
            .pinned
            .retain(|id| !in_topic.contains(id));
        Ok(json!(true))
    }
}
