//! The records the world is made of: people, chats, topics, messages.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::setup::{BotRole, MemberRole};

/// The bot's own account.
#[derive(Clone, Debug)]
pub(crate) struct BotIdentity {
    pub id: i64,
    pub first_name: String,
    pub username: String,
}

/// A person.
#[derive(Clone, Debug)]
pub(crate) struct UserRecord {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language_code: Option<String>,
    pub is_premium: bool,
    /// Has opened the private chat with the bot.
    pub started: bool,
    /// Has blocked the bot.
    pub blocked: bool,
}

/// A chat the bot can see.
#[derive(Clone, Debug)]
pub(crate) struct ChatRecord {
    pub id: i64,
    pub kind: ChatKind,
    /// Messages by id. Deleted messages stay, flagged, so ids are never reused.
    pub messages: BTreeMap<i32, MessageRecord>,
    pub next_message_id: i32,
    /// Pinned message ids, most recent last.
    pub pinned: Vec<i32>,
}

#[derive(Clone, Debug)]
pub(crate) enum ChatKind {
    /// The private chat between the bot and this user (chat id = user id).
    Private { user_id: i64 },
    /// A supergroup.
    Supergroup(Box<GroupRecord>),
}

/// A supergroup, with or without forum topics.
#[derive(Clone, Debug)]
pub(crate) struct GroupRecord {
    pub title: String,
    pub username: Option<String>,
    pub is_forum: bool,
    pub bot: BotRole,
    pub members: BTreeMap<i64, MemberRole>,
    pub topics: BTreeMap<i32, TopicRecord>,
}

/// A forum topic. Its id is the id of its `forum_topic_created` message.
#[derive(Clone, Debug)]
pub(crate) struct TopicRecord {
    pub thread_id: i32,
    pub name: String,
    pub icon_color: u32,
    pub icon_custom_emoji_id: Option<String>,
    pub closed: bool,
    pub deleted: bool,
    /// Who created it (a user id or the bot's id).
    pub creator: i64,
}

/// One stored message: the full `Message` JSON as Telegram would send it.
#[derive(Clone, Debug)]
pub(crate) struct MessageRecord {
    pub json: Value,
    /// Sender: a user id or the bot's id.
    pub sender: i64,
    pub deleted: bool,
    /// The emoji the bot reacted with (setMessageReaction).
    pub bot_reactions: Vec<String>,
}

impl ChatRecord {
    pub fn group(&self) -> Option<&GroupRecord> {
        match &self.kind {
            ChatKind::Supergroup(g) => Some(g),
            ChatKind::Private { .. } => None,
        }
    }

    pub fn group_mut(&mut self) -> Option<&mut GroupRecord> {
        match &mut self.kind {
            ChatKind::Supergroup(g) => Some(g),
            ChatKind::Private { .. } => None,
        }
    }

    /// A message that exists and was not deleted.
    pub fn live_message(&self, id: i32) -> Option<&MessageRecord> {
        self.messages.get(&id).filter(|m| !m.deleted)
    }

    pub fn alloc_message_id(&mut self) -> i32 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }
}

impl GroupRecord {
    /// A topic that exists and was not deleted.
    pub fn live_topic(&self, thread_id: i32) -> Option<&TopicRecord> {
        self.topics.get(&thread_id).filter(|t| !t.deleted)
    }
}

impl MessageRecord {
    pub fn thread_id(&self) -> Option<i32> {
        self.json
            .get("message_thread_id")
            .and_then(Value::as_i64)
            .map(|v| v as i32)
    }

    pub fn is_topic_message(&self) -> bool {
        self.json
            .get("is_topic_message")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn id(&self) -> i32 {
        self.json["message_id"].as_i64().unwrap_or(0) as i32
    }
}
