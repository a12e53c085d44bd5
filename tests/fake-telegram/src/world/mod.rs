//! The state of the fake Telegram: one `World`, kept behind a mutex and
//! changed only by Bot API calls (the bot) and actors (the test).
//!
//! Everything is synchronous: a method or an action locks the world, changes
//! it, and unlocks. Nothing here awaits.

pub(crate) mod files;
pub(crate) mod json;
pub(crate) mod model;
pub(crate) mod updates;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::api_error::ApiError;
use crate::faults::{Faults, Latency, RateLimiter};
use crate::inspect::{CallbackAnswer, RecordedCall};
use crate::options::FakeOptions;
use crate::params::{ChatRef, Params};
use crate::setup::{GroupSpec, MemberRole, UserSpec};
use files::FileRegistry;
use model::{BotIdentity, ChatKind, ChatRecord, GroupRecord, MessageRecord, UserRecord};
use updates::{Updates, WebhookConfig};

/// A callback query the bot has been sent.
#[derive(Clone, Debug)]
pub(crate) struct CallbackRecord {
    pub id: String,
    pub user_id: i64,
    pub chat_id: i64,
    pub message_id: i32,
    pub data: Option<String>,
    pub answer: Option<CallbackAnswer>,
}

/// Commands registered with setMyCommands for one scope and language.
#[derive(Clone, Debug)]
pub(crate) struct CommandSet {
    pub scope: Value,
    pub language_code: String,
    pub commands: Vec<(String, String)>,
}

/// Where a new message goes inside its chat.
#[derive(Clone, Debug, Default)]
pub(crate) struct Placement {
    /// `message_thread_id`.
    pub thread: Option<i32>,
    /// `is_topic_message`.
    pub is_topic: bool,
    /// The message JSON to put in `reply_to_message`.
    pub reply_to: Option<Value>,
}

/// Everything the fake knows. Read it in [`FakeTelegram::wait_until`]
/// closures and through the inspection methods; it changes only through the
/// Bot API and the actors.
///
/// [`FakeTelegram::wait_until`]: crate::FakeTelegram::wait_until
pub struct World {
    pub(crate) bot: BotIdentity,
    pub(crate) users: BTreeMap<i64, UserRecord>,
    pub(crate) chats: BTreeMap<i64, ChatRecord>,
    pub(crate) files: FileRegistry,
    pub(crate) updates: Updates,
    pub(crate) webhook: Option<WebhookConfig>,
    /// Where webhooks go, in turn (several for several bot instances).
    pub(crate) webhook_routes: Vec<SocketAddr>,
    pub(crate) next_route: usize,
    pub(crate) delivery_concurrency: usize,
    pub(crate) retry_delay: Duration,
    pub(crate) duplicate_deliveries: bool,
    pub(crate) callbacks: Vec<CallbackRecord>,
    pub(crate) callback_index: HashMap<String, usize>,
    pub(crate) commands: BTreeMap<String, CommandSet>,
    /// setChatMenuButton, by private chat (0: the default button).
    pub(crate) menu_buttons: BTreeMap<i64, Value>,
    pub(crate) calls: Vec<RecordedCall>,
    pub(crate) faults: Faults,
    pub(crate) latency: Latency,
    /// Calls received per method (lower case), counted on arrival, before
    /// any latency: a call counted here but not yet in `calls` is in flight.
    pub(crate) arrivals: HashMap<String, u64>,
    /// Calls into each chat that arrived and were not answered yet, and the
    /// most there were at once (`World::in_flight`).
    pub(crate) in_flight: HashMap<i64, InFlight>,
    pub(crate) limiter: Option<RateLimiter>,
    pub(crate) too_many_requests: u64,
    /// Webhook deliveries are held back: the test takes the updates and
    /// posts them itself (see `FakeTelegram::take_update`).
    pub(crate) deliveries_held: bool,
    pub(crate) observers: crate::observe::Observers,
    next_user_id: i64,
    next_group_id: i64,
    next_media_group: u64,
    next_callback: u64,
    next_poll: u64,
}

/// Calls into one chat between their arrival and their answer, counted as
/// calls and as the messages they carry (copyMessages carries one per id).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct InFlight {
    pub calls: usize,
    pub messages: usize,
    /// The most calls, and the most messages, that were in flight at once.
    pub peak_calls: usize,
    pub peak_messages: usize,
}

impl InFlight {
    pub(crate) fn arrive(&mut self, messages: usize) {
        self.calls += 1;
        self.messages += messages;
        self.peak_calls = self.peak_calls.max(self.calls);
        self.peak_messages = self.peak_messages.max(self.messages);
    }

    pub(crate) fn leave(&mut self, messages: usize) {
        self.calls = self.calls.saturating_sub(1);
        self.messages = self.messages.saturating_sub(messages);
    }
}

/// Unix time now, in seconds.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl World {
    pub(crate) fn new(opts: &FakeOptions) -> Self {
        Self {
            bot: BotIdentity {
                id: opts.bot_id,
                first_name: opts.bot_first_name.clone(),
                username: opts.bot_username.clone(),
            },
            users: BTreeMap::new(),
            chats: BTreeMap::new(),
            files: FileRegistry::default(),
            updates: Updates::default(),
            webhook: None,
            webhook_routes: Vec::new(),
            next_route: 0,
            delivery_concurrency: opts.webhook_concurrency.max(1),
            retry_delay: opts.retry_delay,
            duplicate_deliveries: opts.redeliver_twice,
            callbacks: Vec::new(),
            callback_index: HashMap::new(),
            commands: BTreeMap::new(),
            menu_buttons: BTreeMap::new(),
            calls: Vec::new(),
            faults: Faults::default(),
            latency: Latency::default(),
            arrivals: HashMap::new(),
            in_flight: HashMap::new(),
            limiter: opts.limits.map(RateLimiter::new),
            too_many_requests: 0,
            deliveries_held: false,
            observers: Default::default(),
            next_user_id: 100_000_000,
            next_group_id: -1_001_000_000_000,
            next_media_group: 13_900_000_000_000_000,
            next_callback: 0,
            next_poll: 5_000_000_000_000_000_000,
        }
    }

    // ----- setup -------------------------------------------------------

    pub(crate) fn add_user(&mut self, spec: UserSpec) -> i64 {
        let id = spec.id.unwrap_or_else(|| {
            self.next_user_id += 1;
            self.next_user_id
        });
        assert!(id > 0, "user ids are positive, got {id}");
        assert!(
            !self.chats.contains_key(&id),
            "user id {id} is already in use"
        );
        self.users.insert(
            id,
            UserRecord {
                id,
                first_name: spec.first_name,
                last_name: spec.last_name,
                username: spec.username,
                language_code: spec.language_code,
                is_premium: spec.is_premium,
                started: spec.started,
                blocked: false,
            },
        );
        self.chats.insert(
            id,
            ChatRecord {
                id,
                kind: ChatKind::Private { user_id: id },
                messages: BTreeMap::new(),
                next_message_id: 1,
                pinned: Vec::new(),
            },
        );
        id
    }

    pub(crate) fn add_group(&mut self, spec: GroupSpec) -> i64 {
        let id = spec.id.unwrap_or_else(|| {
            self.next_group_id -= 1;
            self.next_group_id
        });
        assert!(id < 0, "group ids are negative (like -100…), got {id}");
        assert!(
            !self.chats.contains_key(&id),
            "chat id {id} is already in use"
        );
        let mut members = BTreeMap::new();
        for (user, role) in spec.members {
            assert!(
                self.users.contains_key(&user),
                "add_group: unknown user {user}"
            );
            members.insert(user, role);
        }
        self.chats.insert(
            id,
            ChatRecord {
                id,
                kind: ChatKind::Supergroup(Box::new(GroupRecord {
                    title: spec.title,
                    username: spec.username,
                    is_forum: spec.is_forum,
                    bot: spec.bot,
                    members,
                    topics: BTreeMap::new(),
                })),
                messages: BTreeMap::new(),
                // In a forum, id 1 belongs to the General topic; sending with
                // message_thread_id=1 fails, as in Telegram.
                next_message_id: if spec.is_forum { 2 } else { 1 },
                pinned: Vec::new(),
            },
        );
        id
    }

    pub(crate) fn set_member(&mut self, chat: i64, user: i64, role: MemberRole) {
        assert!(self.users.contains_key(&user), "unknown user {user}");
        let group = self
            .chats
            .get_mut(&chat)
            .and_then(ChatRecord::group_mut)
            .unwrap_or_else(|| panic!("{chat} is not a group added with add_group"));
        group.members.insert(user, role);
    }

    // ----- lookups -----------------------------------------------------

    /// Resolves a `chat_id`-like parameter to a known chat id.
    pub(crate) fn resolve_chat(&self, p: &Params, key: &str) -> Result<i64, ApiError> {
        match p.chat_ref(key)? {
            None => Err(ApiError::bad_request(format!("{key} is empty"))),
            Some(ChatRef::Id(id)) if self.chats.contains_key(&id) => Ok(id),
            Some(ChatRef::Id(_)) => Err(ApiError::chat_not_found()),
            Some(ChatRef::Username(name)) => self
                .chats
                .values()
                .find(|c| {
                    c.group()
                        .and_then(|g| g.username.as_deref())
                        .is_some_and(|u| u.eq_ignore_ascii_case(&name))
                })
                .map(|c| c.id)
                .ok_or_else(ApiError::chat_not_found),
        }
    }

    pub(crate) fn chat(&self, id: i64) -> &ChatRecord {
        self.chats
            .get(&id)
            .unwrap_or_else(|| panic!("unknown chat {id}"))
    }

    pub(crate) fn chat_mut(&mut self, id: i64) -> &mut ChatRecord {
        self.chats
            .get_mut(&id)
            .unwrap_or_else(|| panic!("unknown chat {id}"))
    }

    pub(crate) fn user(&self, id: i64) -> &UserRecord {
        self.users
            .get(&id)
            .unwrap_or_else(|| panic!("unknown user {id}; add it with add_user"))
    }

    // ----- messages ----------------------------------------------------

    /// Stores a new message and returns its id and JSON.
    ///
    /// `content` holds the message's own fields (text, photo, caption,
    /// service fields, reply_markup…); the envelope (ids, sender, chat, date,
    /// thread, reply) is added here.
    pub(crate) fn store_message(
        &mut self,
        chat_id: i64,
        sender: i64,
        placement: Placement,
        content: Map<String, Value>,
    ) -> (i32, Value) {
        let from = self.any_user_json(sender).expect("sender is known");
        let chat_json = self.chat_json(self.chat(chat_id));
        let chat = self.chat_mut(chat_id);
        let id = chat.alloc_message_id();
        let mut msg = json!({
            "message_id": id,
            "from": from,
            "chat": chat_json,
            "date": unix_now(),
        });
        if let Some(thread) = placement.thread {
            msg["message_thread_id"] = json!(thread);
        }
        if placement.is_topic {
            msg["is_topic_message"] = json!(true);
        }
        if let Some(reply) = placement.reply_to {
            msg["reply_to_message"] = reply;
        }
        if let Value::Object(map) = &mut msg {
            map.extend(content);
        }
        chat.messages.insert(
            id,
            MessageRecord {
                json: msg.clone(),
                sender,
                deleted: false,
                bot_reactions: Vec::new(),
            },
        );
        if sender == self.bot.id {
            self.observers.announce(&msg);
        }
        (id, msg)
    }

    /// A stored message as it appears inside another message's
    /// `reply_to_message` (without its own `reply_to_message`).
    pub(crate) fn reply_json(&self, chat_id: i64, message_id: i32) -> Option<Value> {
        let m = self.chats.get(&chat_id)?.live_message(message_id)?;
        Some(json::without(m.json.clone(), &["reply_to_message"]))
    }

    /// Where a message goes when it is a reply to `target` (or not a reply)
    /// and optionally names a topic. Applies to people and the bot alike:
    /// - in a topic: `message_thread_id` + `is_topic_message`, replying to the
    ///   target or, if none, to the topic's creation message;
    /// - a reply in General or a plain supergroup: `message_thread_id` is the
    ///   reply thread's root, without `is_topic_message`;
    /// - private chats have no threads.
    pub(crate) fn placement(
        &self,
        chat_id: i64,
        topic: Option<i32>,
        target: Option<i32>,
    ) -> Placement {
        let chat = self.chat(chat_id);
        let target_rec = target.and_then(|t| chat.live_message(t));
        let reply_to = target.and_then(|t| self.reply_json(chat_id, t));
        if chat.group().is_none() {
            return Placement {
                thread: None,
                is_topic: false,
                reply_to,
            };
        }
        let topic = topic.or_else(|| {
            target_rec
                .filter(|m| m.is_topic_message())
                .and_then(MessageRecord::thread_id)
        });
        match topic {
            Some(thread) => Placement {
                thread: Some(thread),
                is_topic: true,
                reply_to: reply_to.or_else(|| self.reply_json(chat_id, thread)),
            },
            None => Placement {
                thread: target_rec.map(|m| m.thread_id().unwrap_or_else(|| m.id())),
                is_topic: false,
                reply_to,
            },
        }
    }

    // ----- counters ----------------------------------------------------

    pub(crate) fn new_media_group_id(&mut self) -> String {
        self.next_media_group += 1;
        self.next_media_group.to_string()
    }

    pub(crate) fn new_callback_id(&mut self) -> String {
        self.next_callback += 1;
        format!(
            "{}{:08}",
            4_382_000_000_000_000_000u64 + self.next_callback,
            self.next_callback
        )
    }

    pub(crate) fn new_poll_id(&mut self) -> String {
        self.next_poll += 1;
        self.next_poll.to_string()
    }

    /// The `chat_instance` Telegram attaches to callback queries from `chat_id`.
    pub(crate) fn chat_instance(&self, chat_id: i64) -> String {
        let mixed = (chat_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (self.bot.id as u64);
        format!("-{}", mixed % 9_000_000_000_000_000_000)
    }
}
