//! Looking at the world from a test: messages, topics, recorded calls,
//! callback answers, webhook state. Every accessor returns owned snapshots.

use std::fmt::Write as _;

use serde_json::Value;

use crate::api_error::ApiError;
use crate::world::World;
use crate::world::model::{ChatKind, MessageRecord, TopicRecord};

/// Service-message fields, in the order they are looked for.
const SERVICE_FIELDS: [&str; 10] = [
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "pinned_message",
    "new_chat_members",
    "left_chat_member",
    "new_chat_title",
    "general_forum_topic_hidden",
    "general_forum_topic_unhidden",
];

/// Content fields, in the order they are looked for (animation before
/// document and venue before location, because Telegram sends both).
const CONTENT_FIELDS: [&str; 14] = [
    "text",
    "animation",
    "photo",
    "video",
    "video_note",
    "voice",
    "audio",
    "document",
    "sticker",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
];

/// A snapshot of one message, with accessors for what tests usually check.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMessage {
    json: Value,
    deleted: bool,
    from_bot: bool,
    bot_reactions: Vec<String>,
}

impl StoredMessage {
    pub(crate) fn new(rec: &MessageRecord, bot_id: i64) -> Self {
        Self {
            json: rec.json.clone(),
            deleted: rec.deleted,
            from_bot: rec.sender == bot_id,
            bot_reactions: rec.bot_reactions.clone(),
        }
    }

    /// The emoji the bot put on this message (setMessageReaction).
    pub fn bot_reactions(&self) -> &[String] {
        &self.bot_reactions
    }

    /// The full `Message` JSON.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// `message_id`.
    pub fn id(&self) -> i32 {
        self.json["message_id"].as_i64().unwrap_or(0) as i32
    }

    /// `chat.id`.
    pub fn chat_id(&self) -> i64 {
        self.json["chat"]["id"].as_i64().unwrap_or(0)
    }

    /// `message_thread_id` (set for topic messages and for replies in groups).
    pub fn thread_id(&self) -> Option<i32> {
        self.json
            .get("message_thread_id")
            .and_then(Value::as_i64)
            .map(|v| v as i32)
    }

    /// `is_topic_message`.
    pub fn is_topic_message(&self) -> bool {
        self.json
            .get("is_topic_message")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The forum topic this message is in, if any.
    pub fn topic(&self) -> Option<i32> {
        self.thread_id().filter(|_| self.is_topic_message())
    }

    /// `from.id`.
    pub fn from_id(&self) -> Option<i64> {
        self.json.get("from").and_then(|f| f["id"].as_i64())
    }

    /// Whether the bot sent it.
    pub fn is_from_bot(&self) -> bool {
        self.from_bot
    }

    /// Whether it was deleted (only deleted-message accessors return these).
    pub fn is_deleted(&self) -> bool {
        self.deleted
    }

    /// `text`.
    pub fn text(&self) -> Option<&str> {
        self.json.get("text").and_then(Value::as_str)
    }

    /// `caption`.
    pub fn caption(&self) -> Option<&str> {
        self.json.get("caption").and_then(Value::as_str)
    }

    /// `text`, or else `caption`.
    pub fn text_or_caption(&self) -> Option<&str> {
        self.text().or_else(|| self.caption())
    }

    /// `entities`, or else `caption_entities` (empty when there are none).
    pub fn entities(&self) -> Vec<Value> {
        self.json
            .get("entities")
            .or_else(|| self.json.get("caption_entities"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// The `type` of each entity, in order.
    pub fn entity_types(&self) -> Vec<String> {
        self.entities()
            .iter()
            .filter_map(|e| e["type"].as_str().map(str::to_owned))
            .collect()
    }

    /// `reply_to_message.message_id`. In a forum topic a message that replies
    /// to nothing in particular still points at the topic's creation message,
    /// as in Telegram.
    pub fn reply_to_id(&self) -> Option<i32> {
        self.json
            .get("reply_to_message")
            .and_then(|r| r["message_id"].as_i64())
            .map(|v| v as i32)
    }

    /// Inline keyboard rows as `(text, callback_data, url or web_app url)`.
    pub fn button_rows(&self) -> Vec<Vec<(String, String)>> {
        let Some(rows) = self.json["reply_markup"]["inline_keyboard"].as_array() else {
            return Vec::new();
        };
        rows.iter()
            .map(|row| {
                row.as_array()
                    .map(|buttons| {
                        buttons
                            .iter()
                            .map(|b| {
                                let text = b["text"].as_str().unwrap_or_default().to_owned();
                                let target = b["callback_data"]
                                    .as_str()
                                    .or_else(|| b["url"].as_str())
                                    .or_else(|| b["web_app"]["url"].as_str())
                                    .unwrap_or_default()
                                    .to_owned();
                                (text, target)
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    /// All inline buttons, row by row, as `(text, callback_data or url)`.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.button_rows().into_iter().flatten().collect()
    }

    /// The callback data of the button labelled `text`.
    pub fn button_data(&self, text: &str) -> Option<String> {
        self.buttons()
            .into_iter()
            .find(|(t, _)| t == text)
            .map(|(_, d)| d)
    }

    /// What the message carries: `"text"`, `"photo"`, `"document"`,
    /// `"animation"`, `"video"`, `"voice"`, `"audio"`, `"sticker"`,
    /// `"video_note"`, `"location"`, `"venue"`, `"contact"`, `"poll"`, `"dice"`,
    /// a service field like `"forum_topic_created"`, or `"unknown"`.
    pub fn kind(&self) -> &'static str {
        CONTENT_FIELDS
            .iter()
            .chain(SERVICE_FIELDS.iter())
            .find(|f| self.json.get(**f).is_some())
            .copied()
            .unwrap_or("unknown")
    }

    /// The service field if this is a service message (`"forum_topic_created"`…).
    pub fn service(&self) -> Option<&'static str> {
        SERVICE_FIELDS
            .iter()
            .find(|f| self.json.get(**f).is_some())
            .copied()
    }

    /// `media_group_id`.
    pub fn media_group_id(&self) -> Option<&str> {
        self.json.get("media_group_id").and_then(Value::as_str)
    }

    /// `forward_origin`.
    pub fn forward_origin(&self) -> Option<&Value> {
        self.json.get("forward_origin")
    }

    /// The main `file_id` (the largest photo size for photos).
    pub fn file_id(&self) -> Option<&str> {
        let field = self.kind();
        let media = self.json.get(field)?;
        match media {
            Value::Array(sizes) => sizes.last()?.get("file_id")?.as_str(),
            other => other.get("file_id")?.as_str(),
        }
    }

    /// Whether it has been edited (`edit_date` is set).
    pub fn is_edited(&self) -> bool {
        self.json.get("edit_date").is_some()
    }
}

/// A forum topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicInfo {
    pub chat_id: i64,
    pub thread_id: i32,
    pub name: String,
    pub icon_color: u32,
    pub icon_custom_emoji_id: Option<String>,
    pub closed: bool,
    pub deleted: bool,
    /// Created through the Bot API (as opposed to by a person).
    pub created_by_bot: bool,
}

/// What a recorded call came to.
#[derive(Clone, Debug, PartialEq)]
pub enum CallOutcome {
    /// Answered `ok: true` with this result.
    Ok(Value),
    /// Answered with this error.
    Err(ApiError),
}

/// One Bot API call the fake received (after its latency, if any).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedCall {
    /// Position among all recorded calls, from 0.
    pub seq: u64,
    /// Method name, lower-cased (`"sendmessage"`).
    pub method: String,
    /// Parameters as received. Form and multipart values are strings.
    pub params: Value,
    pub outcome: CallOutcome,
}

impl RecordedCall {
    /// Whether it succeeded.
    pub fn is_ok(&self) -> bool {
        matches!(self.outcome, CallOutcome::Ok(_))
    }

    /// The result, if it succeeded.
    pub fn result(&self) -> Option<&Value> {
        match &self.outcome {
            CallOutcome::Ok(v) => Some(v),
            CallOutcome::Err(_) => None,
        }
    }

    /// The error, if it failed.
    pub fn error(&self) -> Option<&ApiError> {
        match &self.outcome {
            CallOutcome::Ok(_) => None,
            CallOutcome::Err(e) => Some(e),
        }
    }

    /// A parameter as a string (numbers rendered).
    pub fn param_str(&self, key: &str) -> Option<String> {
        match self.params.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// A parameter as an integer (also when sent as a string).
    pub fn param_i64(&self, key: &str) -> Option<i64> {
        match self.params.get(key)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A parameter holding JSON (also when sent as JSON text).
    pub fn param_json(&self, key: &str) -> Option<Value> {
        match self.params.get(key)? {
            Value::String(s) => serde_json::from_str(s).ok(),
            Value::Null => None,
            other => Some(other.clone()),
        }
    }

    /// `chat_id` as a number.
    pub fn chat_id(&self) -> Option<i64> {
        self.param_i64("chat_id")
    }
}

/// How the bot answered one callback query (and which press it answered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackAnswer {
    pub callback_id: String,
    /// Who pressed.
    pub user_id: i64,
    /// Where the pressed message is.
    pub chat_id: i64,
    pub message_id: i32,
    /// The pressed button's callback data.
    pub data: Option<String>,
    pub text: Option<String>,
    pub show_alert: bool,
    pub url: Option<String>,
    pub cache_time: Option<i64>,
}

/// The registered webhook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookState {
    pub url: String,
    pub secret_token: Option<String>,
    pub max_connections: u32,
    pub allowed_updates: Option<Vec<String>>,
    pub pending_update_count: usize,
    pub last_error_message: Option<String>,
}

/// Commands registered for one scope and language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandSetInfo {
    /// The `BotCommandScope` object (`{"type":"default"}` when none was given).
    pub scope: Value,
    /// Language code, empty for all languages.
    pub language_code: String,
    /// `(command, description)` pairs in order.
    pub commands: Vec<(String, String)>,
}

/// One webhook POST of one update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub update_id: i64,
    /// HTTP status, or `None` when the request did not complete.
    pub status: Option<u16>,
    /// Connection error text, or the status line for non-2xx answers.
    pub error: Option<String>,
}

impl DeliveryAttempt {
    /// Whether the receiver accepted it (2xx).
    pub fn accepted(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

fn topic_info(chat_id: i64, t: &TopicRecord, bot_id: i64) -> TopicInfo {
    TopicInfo {
        chat_id,
        thread_id: t.thread_id,
        name: t.name.clone(),
        icon_color: t.icon_color,
        icon_custom_emoji_id: t.icon_custom_emoji_id.clone(),
        closed: t.closed,
        deleted: t.deleted,
        created_by_bot: t.creator == bot_id,
    }
}

impl World {
    /// The bot's user id.
    pub fn bot_id(&self) -> i64 {
        self.bot.id
    }

    /// Messages in `chat` that were not deleted, in order (service messages included).
    pub fn messages(&self, chat: i64) -> Vec<StoredMessage> {
        self.chats
            .get(&chat)
            .map(|c| {
                c.messages
                    .values()
                    .filter(|m| !m.deleted)
                    .map(|m| StoredMessage::new(m, self.bot.id))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Number of live messages in `chat` (service messages included), without copying them.
    pub fn message_count(&self, chat: i64) -> usize {
        self.chats
            .get(&chat)
            .map_or(0, |c| c.messages.values().filter(|m| !m.deleted).count())
    }

    /// Number of live messages the bot sent into `chat`.
    pub fn bot_message_count(&self, chat: i64) -> usize {
        self.chats.get(&chat).map_or(0, |c| {
            c.messages
                .values()
                .filter(|m| !m.deleted && m.sender == self.bot.id)
                .count()
        })
    }

    /// Number of live non-service messages in one forum topic.
    pub fn topic_message_count(&self, chat: i64, thread: i32) -> usize {
        self.chats.get(&chat).map_or(0, |c| {
            c.messages
                .values()
                .filter(|m| {
                    !m.deleted
                        && m.is_topic_message()
                        && m.thread_id() == Some(thread)
                        && !SERVICE_FIELDS.iter().any(|f| m.json.get(*f).is_some())
                })
                .count()
        })
    }

    /// Messages in `chat` that were deleted, in order.
    pub fn deleted_messages(&self, chat: i64) -> Vec<StoredMessage> {
        self.chats
            .get(&chat)
            .map(|c| {
                c.messages
                    .values()
                    .filter(|m| m.deleted)
                    .map(|m| StoredMessage::new(m, self.bot.id))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Messages the bot sent into `chat` (not deleted), in order.
    pub fn bot_messages(&self, chat: i64) -> Vec<StoredMessage> {
        self.messages(chat)
            .into_iter()
            .filter(StoredMessage::is_from_bot)
            .collect()
    }

    /// Non-service messages in one forum topic, in order.
    pub fn topic_messages(&self, chat: i64, thread: i32) -> Vec<StoredMessage> {
        self.messages(chat)
            .into_iter()
            .filter(|m| m.topic() == Some(thread) && m.service().is_none())
            .collect()
    }

    /// Texts (or captions) of the non-service messages in `chat`, in order.
    pub fn texts(&self, chat: i64) -> Vec<String> {
        self.messages(chat)
            .iter()
            .filter(|m| m.service().is_none())
            .map(|m| m.text_or_caption().unwrap_or_default().to_owned())
            .collect()
    }

    /// Texts (or captions) in one forum topic, in order.
    pub fn topic_texts(&self, chat: i64, thread: i32) -> Vec<String> {
        self.topic_messages(chat, thread)
            .iter()
            .map(|m| m.text_or_caption().unwrap_or_default().to_owned())
            .collect()
    }

    /// One message, deleted or not.
    pub fn message(&self, chat: i64, id: i32) -> Option<StoredMessage> {
        let rec = self.chats.get(&chat)?.messages.get(&id)?;
        Some(StoredMessage::new(rec, self.bot.id))
    }

    /// The newest message in `chat` that was not deleted.
    pub fn last_message(&self, chat: i64) -> Option<StoredMessage> {
        self.messages(chat).pop()
    }

    /// The forum topics of `chat`, deleted ones included, by id.
    pub fn topics(&self, chat: i64) -> Vec<TopicInfo> {
        self.chats
            .get(&chat)
            .and_then(|c| c.group())
            .map(|g| {
                g.topics
                    .values()
                    .map(|t| topic_info(chat, t, self.bot.id))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One forum topic.
    pub fn topic(&self, chat: i64, thread: i32) -> Option<TopicInfo> {
        self.topics(chat)
            .into_iter()
            .find(|t| t.thread_id == thread)
    }

    /// The newest topic with this name that was not deleted.
    pub fn topic_named(&self, chat: i64, name: &str) -> Option<TopicInfo> {
        self.topics(chat)
            .into_iter()
            .rev()
            .find(|t| t.name == name && !t.deleted)
    }

    /// Every recorded call, in order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.calls.clone()
    }

    /// Recorded calls of one method (any case), in order.
    pub fn calls_to(&self, method: &str) -> Vec<RecordedCall> {
        let method = method.to_ascii_lowercase();
        self.calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Number of recorded calls of one method (any case).
    pub fn call_count(&self, method: &str) -> usize {
        let method = method.to_ascii_lowercase();
        self.calls.iter().filter(|c| c.method == method).count()
    }

    /// The registered webhook, if any.
    pub fn webhook(&self) -> Option<WebhookState> {
        self.webhook.as_ref().map(|w| WebhookState {
            url: w.url.clone(),
            secret_token: w.secret_token.clone(),
            max_connections: w.max_connections,
            allowed_updates: w.allowed_updates.clone(),
            pending_update_count: self.updates.pending.len(),
            last_error_message: self.updates.last_error.as_ref().map(|(_, m)| m.clone()),
        })
    }

    /// Answers to callback queries, in the order the queries were made.
    pub fn callback_answers(&self) -> Vec<CallbackAnswer> {
        self.callbacks
            .iter()
            .filter_map(|c| c.answer.clone())
            .collect()
    }

    /// The answer to one callback query, if it was answered.
    pub fn callback_answer(&self, callback_id: &str) -> Option<CallbackAnswer> {
        let idx = *self.callback_index.get(callback_id)?;
        self.callbacks[idx].answer.clone()
    }

    /// Calls into `chat` in flight now, and the most there were at once
    /// since the fake started.
    pub fn in_flight(&self, chat: i64) -> crate::world::InFlight {
        self.in_flight.get(&chat).copied().unwrap_or_default()
    }

    /// How many calls of `method` (any case) arrived so far, counted before
    /// their latency: with a latency set, a call is in flight once counted
    /// here and until it shows among the recorded calls.
    pub fn arrived_calls(&self, method: &str) -> u64 {
        self.arrivals
            .get(&method.to_ascii_lowercase())
            .copied()
            .unwrap_or_default()
    }

    /// How many 429 answers were served (injected or from the limits).
    pub fn too_many_requests_served(&self) -> u64 {
        self.too_many_requests
    }

    /// Commands set for a scope (`None` = default scope) and language
    /// (`None` = all languages), if setMyCommands set any.
    pub fn my_commands(
        &self,
        scope: Option<Value>,
        language_code: Option<&str>,
    ) -> Option<Vec<(String, String)>> {
        let key =
            crate::methods::commands::command_key(scope.as_ref(), language_code.unwrap_or(""));
        self.commands.get(&key).map(|c| c.commands.clone())
    }

    /// The menu button set for a private chat (`None`: the default one),
    /// as setChatMenuButton stored it.
    pub fn menu_button(&self, chat: Option<i64>) -> Option<Value> {
        self.menu_buttons.get(&chat.unwrap_or(0)).cloned()
    }

    /// Every command set registered with setMyCommands.
    pub fn command_sets(&self) -> Vec<CommandSetInfo> {
        self.commands
            .values()
            .map(|c| CommandSetInfo {
                scope: c.scope.clone(),
                language_code: c.language_code.clone(),
                commands: c.commands.clone(),
            })
            .collect()
    }

    /// Updates not yet accepted by the webhook or confirmed via getUpdates.
    pub fn pending_updates(&self) -> usize {
        self.updates.pending.len()
    }

    /// Whether update `update_id` has been accepted/confirmed (or filtered out).
    pub fn is_delivered(&self, update_id: i64) -> bool {
        update_id <= self.updates.next_id && !self.updates.pending.iter().any(|u| u.id == update_id)
    }

    /// Every update created so far, as JSON, in order.
    pub fn updates_sent(&self) -> Vec<Value> {
        self.updates.history.clone()
    }

    /// Every webhook POST attempt, in order.
    pub fn delivery_attempts(&self) -> Vec<DeliveryAttempt> {
        self.updates.attempts.clone()
    }

    /// Webhook POSTs running right now.
    pub fn deliveries_in_flight(&self) -> usize {
        self.updates.pending.iter().filter(|u| u.in_flight).count()
    }

    /// How many getUpdates calls have begun (finished or still waiting).
    pub fn polls_started(&self) -> u64 {
        self.updates.poll_generation
    }

    /// Whether `user` has blocked the bot.
    pub fn has_blocked_bot(&self, user: i64) -> bool {
        self.users.get(&user).is_some_and(|u| u.blocked)
    }

    /// A readable summary of the state, for failure messages.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "chats:");
        for chat in self.chats.values() {
            let live: Vec<_> = chat.messages.values().filter(|m| !m.deleted).collect();
            let name = match &chat.kind {
                ChatKind::Private { user_id } => {
                    format!("private with {}", self.users[user_id].first_name)
                }
                ChatKind::Supergroup(g) => format!("group {:?}", g.title),
            };
            let _ = writeln!(s, "  {} ({name}): {} messages", chat.id, live.len());
            if let Some(g) = chat.group() {
                for t in g.topics.values() {
                    let _ = writeln!(
                        s,
                        "    topic {} {:?}{}{}",
                        t.thread_id,
                        t.name,
                        if t.closed { " closed" } else { "" },
                        if t.deleted { " deleted" } else { "" }
                    );
                }
            }
            for m in live.iter().rev().take(5).rev() {
                let sm = StoredMessage::new(m, self.bot.id);
                let mut text = sm.text_or_caption().unwrap_or(sm.kind()).replace('\n', "⏎");
                if text.chars().count() > 60 {
                    text = text.chars().take(60).collect::<String>() + "…";
                }
                let _ = writeln!(
                    s,
                    "    #{} from {}{}: {text}",
                    sm.id(),
                    if sm.is_from_bot() {
                        "bot".to_owned()
                    } else {
                        sm.from_id().unwrap_or(0).to_string()
                    },
                    sm.topic()
                        .map(|t| format!(" in topic {t}"))
                        .unwrap_or_default(),
                );
            }
        }
        let _ = writeln!(
            s,
            "updates: {} created, {} pending; webhook: {}",
            self.updates.history.len(),
            self.updates.pending.len(),
            self.webhook.as_ref().map_or("none", |w| w.url.as_str())
        );
        let _ = writeln!(s, "last calls ({} total):", self.calls.len());
        for c in self.calls.iter().rev().take(10).rev() {
            let outcome = match &c.outcome {
                CallOutcome::Ok(_) => "ok".to_owned(),
                CallOutcome::Err(e) => e.to_string(),
            };
            let _ = writeln!(s, "  {} {} -> {outcome}", c.method, c.params);
        }
        s
    }
}
