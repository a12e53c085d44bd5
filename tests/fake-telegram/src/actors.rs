//! Acting as people. Each action changes the world the way the person's
//! Telegram client would, builds exactly the update Telegram would send the
//! bot, and queues it for delivery (webhook or getUpdates).
//!
//! ```no_run
//! # async fn demo(tg: fake_telegram::FakeTelegram, alice: i64, staff: i64, group: i64) {
//! let sent = tg.user(alice).text("My printer is on fire");          // private chat
//! tg.user(alice).replying_to(sent.message_id).photo("see?");       // a reply with a photo
//! let topic = tg.user(staff).in_group(group).creates_topic("Ticket #1").thread();
//! tg.user(staff).in_topic(group, topic).command("/assign@topicdesk_test_bot");
//! # }
//! ```
//!
//! Misuse (unknown users, writing into a group one is not a member of, into
//! a deleted topic…) panics with an explanation: it is a mistake in the test.

use serde_json::{Map, Value, json};

use crate::fake::FakeTelegram;
use crate::markup::detect_entities;
use crate::methods::topics::{ICON_COLORS, TopicEvent, check_topic_name};
use crate::setup::{BotRole, MemberRole};
use crate::world::files::{FileHints, FileKind};
use crate::world::json::{bot_member_json, object, user_json};
use crate::world::{CallbackRecord, World, unix_now};

/// Where an actor speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Their private chat with the bot.
    Private,
    /// A group's General topic (or a group without topics).
    Group(i64),
    /// A forum topic.
    Topic(i64, i32),
}

/// A person about to do something. Get one with [`FakeTelegram::user`];
/// choose where with [`in_group`](Self::in_group) / [`in_topic`](Self::in_topic)
/// (default: the private chat with the bot) and optionally
/// [`replying_to`](Self::replying_to).
#[derive(Clone, Copy)]
pub struct Actor<'a> {
    tg: &'a FakeTelegram,
    user: i64,
    place: Place,
    reply_to: Option<i32>,
}

/// What an action produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The update carrying it.
    pub update_id: i64,
    pub chat_id: i64,
    pub message_id: i32,
    /// `message_thread_id` of the message, if any.
    pub thread_id: Option<i32>,
    /// `media_group_id` for album parts.
    pub media_group_id: Option<String>,
}

impl Sent {
    /// The topic created by `creates_topic` (its `message_thread_id`).
    pub fn thread(&self) -> i32 {
        self.thread_id.expect("this message is not in a thread")
    }
}

/// A button press.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pressed {
    pub update_id: i64,
    /// The callback query id the bot must answer.
    pub callback_id: String,
}

/// A piece of media a person sends (see [`Actor::media`] and [`Actor::album`]).
#[derive(Clone, Debug)]
pub struct Media {
    kind: FileKind,
    caption: Option<String>,
    hints: FileHints,
}

impl Media {
    fn new(kind: FileKind) -> Self {
        Self {
            kind,
            caption: None,
            hints: FileHints::default(),
        }
    }

    /// A photo.
    pub fn photo() -> Self {
        Self::new(FileKind::Photo)
    }

    /// A video.
    pub fn video() -> Self {
        Self::new(FileKind::Video)
    }

    /// A file with this name.
    pub fn document(file_name: &str) -> Self {
        let mut media = Self::new(FileKind::Document);
        media.hints.file_name = Some(file_name.to_owned());
        media
    }

    /// A music file with this title.
    pub fn audio(title: &str) -> Self {
        let mut media = Self::new(FileKind::Audio);
        media.hints.title = Some(title.to_owned());
        media.hints.file_name = Some(format!("{title}.mp3"));
        media
    }

    /// A voice note.
    pub fn voice() -> Self {
        Self::new(FileKind::Voice)
    }

    /// A sticker showing this emoji.
    pub fn sticker(emoji: &str) -> Self {
        let mut media = Self::new(FileKind::Sticker);
        media.hints.emoji = Some(emoji.to_owned());
        media
    }

    /// A GIF (sent by Telegram as `animation` plus `document`).
    pub fn animation() -> Self {
        Self::new(FileKind::Animation)
    }

    /// A round video message.
    pub fn video_note() -> Self {
        Self::new(FileKind::VideoNote)
    }

    /// Adds a caption (entities are detected like Telegram does).
    pub fn caption(mut self, caption: &str) -> Self {
        self.caption = Some(caption.to_owned());
        self
    }
}

/// Where a forwarded message comes from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// A known user (see `add_user`).
    User(i64),
    /// A user who hides their account in forwards.
    HiddenUser(String),
    /// A channel post.
    Channel {
        chat_id: i64,
        title: String,
        message_id: i32,
    },
}

/// Text content with the entities Telegram would detect.
fn text_content(text: &str, entities: Option<Vec<Value>>) -> Map<String, Value> {
    let mut content = object();
    content.insert("text".into(), json!(text));
    let entities = entities.unwrap_or_else(|| detect_entities(text));
    if !entities.is_empty() {
        content.insert("entities".into(), Value::Array(entities));
    }
    content
}

fn put_user_caption(content: &mut Map<String, Value>, caption: Option<&str>) {
    if let Some(caption) = caption.filter(|c| !c.is_empty()) {
        content.insert("caption".into(), json!(caption));
        let entities = detect_entities(caption);
        if !entities.is_empty() {
            content.insert("caption_entities".into(), Value::Array(entities));
        }
    }
}

impl World {
    fn media_content(&mut self, media: &Media) -> Map<String, Value> {
        let file = self.files.create(media.kind, media.hints.clone());
        let mut content = object();
        if media.kind == FileKind::Animation {
            content.insert("document".into(), file.clone());
        }
        content.insert(media.kind.field().into(), file);
        if media.kind.takes_caption() {
            put_user_caption(&mut content, media.caption.as_deref());
        }
        content
    }

    /// The chat an actor's place is in, checking the actor may be there.
    fn actor_chat(&mut self, user: i64, place: Place) -> i64 {
        match place {
            Place::Private => {
                let record = self
                    .users
                    .get(&user)
                    .unwrap_or_else(|| panic!("unknown user {user}"));
                if record.blocked {
                    // Writing to a blocked bot means pressing "Restart" first.
                    self.set_blocked(user, false);
                }
                self.users.get_mut(&user).expect("checked").started = true;
                user
            }
            Place::Group(chat) | Place::Topic(chat, _) => {
                let group = self
                    .chats
                    .get(&chat)
                    .and_then(|c| c.group())
                    .unwrap_or_else(|| panic!("{chat} is not a group added with add_group"));
                let role = group
                    .members
                    .get(&user)
                    .copied()
                    .unwrap_or(MemberRole::Left);
                assert!(
                    !matches!(role, MemberRole::Left | MemberRole::Kicked),
                    "user {user} is not a member of group {chat}; use add_member or GroupSpec::members"
                );
                if let Place::Topic(_, thread) = place {
                    assert!(group.is_forum, "group {chat} has no topics");
                    let topic = group
                        .topics
                        .get(&thread)
                        .unwrap_or_else(|| panic!("no topic {thread} in {chat}"));
                    assert!(!topic.deleted, "topic {thread} of {chat} was deleted");
                }
                chat
            }
        }
    }

    /// Stores a message from an actor and queues the `message` update.
    fn act_message(
        &mut self,
        user: i64,
        place: Place,
        reply_to: Option<i32>,
        content: Map<String, Value>,
    ) -> Sent {
        let chat = self.actor_chat(user, place);
        if let Some(target) = reply_to {
            let exists = self.chats[&chat].live_message(target).is_some();
            assert!(
                exists,
                "cannot reply to message {target} in chat {chat}: it does not exist or was deleted"
            );
        }
        let topic = match place {
            Place::Topic(_, thread) => Some(thread),
            _ => None,
        };
        let placement = self.placement(chat, topic, reply_to);
        if let (Some(wanted), Some(target)) = (topic, reply_to) {
            assert_eq!(
                placement.thread,
                Some(wanted),
                "message {target} is not in topic {wanted}; reply from the topic it is in"
            );
        }
        let (message_id, message) = self.store_message(chat, user, placement, content);
        let update_id = self.push_update("message", message.clone());
        Sent {
            update_id,
            chat_id: chat,
            message_id,
            thread_id: message["message_thread_id"].as_i64().map(|t| t as i32),
            media_group_id: message["media_group_id"].as_str().map(str::to_owned),
        }
    }

    /// Blocks or unblocks the bot for `user`, with the `my_chat_member` update.
    fn set_blocked(&mut self, user: i64, blocked: bool) -> i64 {
        let record = self
            .users
            .get_mut(&user)
            .unwrap_or_else(|| panic!("unknown user {user}"));
        assert_ne!(
            record.blocked,
            blocked,
            "user {user} has {} the bot already",
            if blocked { "blocked" } else { "not blocked" }
        );
        record.blocked = blocked;
        if !blocked {
            record.started = true;
        }
        let record = record.clone();
        let bot = self.bot_json();
        let (old, new) = if blocked {
            (
                json!({ "user": bot, "status": "member" }),
                json!({ "user": bot, "status": "kicked", "until_date": 0 }),
            )
        } else {
            (
                json!({ "user": bot, "status": "kicked", "until_date": 0 }),
                json!({ "user": bot, "status": "member" }),
            )
        };
        let payload = json!({
            "chat": self.chat_json(self.chat(user)),
            "from": user_json(&record),
            "date": unix_now(),
            "old_chat_member": old,
            "new_chat_member": new,
        });
        self.push_update("my_chat_member", payload)
    }

    /// Changes the bot's membership in a group as `user` would (adding or
    /// removing it, promoting it), with the `my_chat_member` update.
    fn set_bot_role_by(&mut self, user: i64, chat: i64, role: BotRole) -> i64 {
        let by = user_json(
            self.users
                .get(&user)
                .unwrap_or_else(|| panic!("unknown user {user}")),
        );
        let bot = self.bot_json();
        let group = self
            .chats
            .get_mut(&chat)
            .and_then(|c| c.group_mut())
            .unwrap_or_else(|| panic!("{chat} is not a group"));
        let old = std::mem::replace(&mut group.bot, role);
        let payload = json!({
            "chat": self.chat_json(self.chat(chat)),
            "from": by,
            "date": unix_now(),
            "old_chat_member": bot_member_json(bot.clone(), &old),
            "new_chat_member": bot_member_json(bot, &role),
        });
        self.push_update("my_chat_member", payload)
    }
}

impl<'a> Actor<'a> {
    pub(crate) fn new(tg: &'a FakeTelegram, user: i64) -> Self {
        Self {
            tg,
            user,
            place: Place::Private,
            reply_to: None,
        }
    }

    /// Acts in group `chat`'s General topic (or a group without topics).
    pub fn in_group(mut self, chat: i64) -> Self {
        self.place = Place::Group(chat);
        self
    }

    /// Acts in forum topic `thread` of group `chat`.
    pub fn in_topic(mut self, chat: i64, thread: i32) -> Self {
        self.place = Place::Topic(chat, thread);
        self
    }

    /// Acts in the private chat with the bot (the default).
    pub fn in_private(mut self) -> Self {
        self.place = Place::Private;
        self
    }

    /// The next message replies to message `message_id` of the same chat.
    pub fn replying_to(mut self, message_id: i32) -> Self {
        self.reply_to = Some(message_id);
        self
    }

    fn message(&self, content: Map<String, Value>) -> Sent {
        self.tg
            .mutate(|w| w.act_message(self.user, self.place, self.reply_to, content))
    }

    fn group_chat(&self) -> i64 {
        match self.place {
            Place::Group(chat) | Place::Topic(chat, _) => chat,
            Place::Private => panic!("use in_group(..) or in_topic(..) before a group action"),
        }
    }

    fn topic_place(&self) -> (i64, i32) {
        match self.place {
            Place::Topic(chat, thread) => (chat, thread),
            _ => panic!("use in_topic(chat, thread) before a topic action"),
        }
    }

    // ----- messages --------------------------------------------------------

    /// Sends text; commands, links, mentions and hashtags get entities.
    pub fn text(&self, text: &str) -> Sent {
        self.message(text_content(text, None))
    }

    /// Sends text with exactly these entities (see [`entity`](crate::entity)).
    pub fn text_with_entities(&self, text: &str, entities: Vec<Value>) -> Sent {
        self.message(text_content(text, Some(entities)))
    }

    /// Sends a command such as `"/start"`, `"/start ref42"` or
    /// `"/assign@topicdesk_test_bot 7"` (a `bot_command` entity is added).
    pub fn command(&self, command: &str) -> Sent {
        assert!(command.starts_with('/'), "commands start with '/'");
        self.text(command)
    }

    /// Sends a photo with a caption (empty for none).
    pub fn photo(&self, caption: &str) -> Sent {
        self.media(Media::photo().caption(caption))
    }

    /// Sends a file.
    pub fn document(&self, file_name: &str, caption: &str) -> Sent {
        self.media(Media::document(file_name).caption(caption))
    }

    /// Sends a video with a caption (empty for none).
    pub fn video(&self, caption: &str) -> Sent {
        self.media(Media::video().caption(caption))
    }

    /// Sends a voice note.
    pub fn voice(&self) -> Sent {
        self.media(Media::voice())
    }

    /// Sends a sticker.
    pub fn sticker(&self, emoji: &str) -> Sent {
        self.media(Media::sticker(emoji))
    }

    /// Sends one piece of media.
    pub fn media(&self, media: Media) -> Sent {
        self.tg.mutate(|w| {
            let content = w.media_content(&media);
            w.act_message(self.user, self.place, self.reply_to, content)
        })
    }

    /// Sends an album: one message and one update per item, sharing a
    /// `media_group_id`, queued back to back.
    pub fn album(&self, items: Vec<Media>) -> Vec<Sent> {
        assert!((2..=10).contains(&items.len()), "albums have 2-10 items");
        self.tg.mutate(|w| {
            let group = w.new_media_group_id();
            items
                .iter()
                .map(|media| {
                    let mut content = w.media_content(media);
                    content.insert("media_group_id".into(), json!(group));
                    w.act_message(self.user, self.place, self.reply_to, content)
                })
                .collect()
        })
    }

    /// Shares a location.
    pub fn location(&self, latitude: f64, longitude: f64) -> Sent {
        let mut content = object();
        content.insert(
            "location".into(),
            json!({ "latitude": latitude, "longitude": longitude }),
        );
        self.message(content)
    }

    /// Shares a contact.
    pub fn contact(&self, phone_number: &str, first_name: &str) -> Sent {
        let mut content = object();
        content.insert(
            "contact".into(),
            json!({ "phone_number": phone_number, "first_name": first_name }),
        );
        self.message(content)
    }

    /// Sends a regular anonymous poll.
    pub fn poll(&self, question: &str, options: &[&str]) -> Sent {
        self.tg.mutate(|w| {
            let poll = json!({
                "id": w.new_poll_id(),
                "question": question,
                "options": options.iter().map(|o| json!({ "text": o, "voter_count": 0 })).collect::<Vec<_>>(),
                "total_voter_count": 0,
                "is_closed": false,
                "is_anonymous": true,
                "type": "regular",
                "allows_multiple_answers": false,
            });
            let mut content = object();
            content.insert("poll".into(), poll);
            w.act_message(self.user, self.place, self.reply_to, content)
        })
    }

    /// Throws a dice (`"🎲"`, `"🎯"`, `"🏀"`…) showing `value`.
    pub fn dice(&self, emoji: &str, value: u8) -> Sent {
        let mut content = object();
        content.insert("dice".into(), json!({ "emoji": emoji, "value": value }));
        self.message(content)
    }

    /// Forwards a text message from `origin`.
    pub fn forwarded(&self, origin: Origin, text: &str) -> Sent {
        self.tg.mutate(|w| {
            let date = unix_now().saturating_sub(3600);
            let origin = match origin {
                Origin::User(id) => {
                    json!({ "type": "user", "date": date, "sender_user": user_json(w.user(id)) })
                }
                Origin::HiddenUser(name) => {
                    json!({ "type": "hidden_user", "date": date, "sender_user_name": name })
                }
                Origin::Channel {
                    chat_id,
                    title,
                    message_id,
                } => json!({
                    "type": "channel",
                    "date": date,
                    "chat": { "id": chat_id, "type": "channel", "title": title },
                    "message_id": message_id,
                }),
            };
            let mut content = text_content(text, None);
            content.insert("forward_origin".into(), origin);
            w.act_message(self.user, self.place, self.reply_to, content)
        })
    }

    /// Sends a message whose content fields are `fragment` (an object such
    /// as `{"venue": {…}, "location": {…}}`), as is.
    pub fn content(&self, fragment: Value) -> Sent {
        let Value::Object(content) = fragment else {
            panic!("content(..) takes a JSON object")
        };
        self.message(content)
    }

    /// Edits their own message `message_id` (its text, or its caption for
    /// media); the bot gets an `edited_message` update.
    pub fn edits(&self, message_id: i32, new_text: &str) -> Sent {
        self.tg.mutate(|w| {
            let chat = w.actor_chat(self.user, self.place);
            let record = w.chats[&chat]
                .live_message(message_id)
                .unwrap_or_else(|| panic!("no message {message_id} in chat {chat}"));
            assert_eq!(
                record.sender, self.user,
                "people can edit only their own messages"
            );
            let mut message = record.json.clone();
            let key = if message.get("text").is_some() {
                "text"
            } else {
                "caption"
            };
            let entities_key = if key == "text" {
                "entities"
            } else {
                "caption_entities"
            };
            message[key] = json!(new_text);
            let entities = detect_entities(new_text);
            if let Value::Object(map) = &mut message {
                map.remove(entities_key);
                if !entities.is_empty() {
                    map.insert(entities_key.into(), Value::Array(entities));
                }
            }
            message["edit_date"] = json!(unix_now());
            w.chats
                .get_mut(&chat)
                .expect("chat")
                .messages
                .get_mut(&message_id)
                .expect("message")
                .json = message.clone();
            let update_id = w.push_update("edited_message", message.clone());
            Sent {
                update_id,
                chat_id: chat,
                message_id,
                thread_id: message["message_thread_id"].as_i64().map(|t| t as i32),
                media_group_id: message["media_group_id"].as_str().map(str::to_owned),
            }
        })
    }

    // ----- buttons ------------------------------------------------------------

    /// Presses the inline button with callback data `data` on message
    /// `message_id` (in the actor's chat); the bot gets a `callback_query`.
    pub fn presses(&self, message_id: i32, data: &str) -> Pressed {
        self.tg.mutate(|w| {
            let chat = w.actor_chat(self.user, self.place);
            let message = w.chats[&chat]
                .live_message(message_id)
                .unwrap_or_else(|| panic!("no message {message_id} in chat {chat}"))
                .json
                .clone();
            let callback_id = w.new_callback_id();
            let payload = json!({
                "id": callback_id,
                "from": user_json(w.user(self.user)),
                "message": message,
                "chat_instance": w.chat_instance(chat),
                "data": data,
            });
            w.callback_index
                .insert(callback_id.clone(), w.callbacks.len());
            w.callbacks.push(CallbackRecord {
                id: callback_id.clone(),
                user_id: self.user,
                chat_id: chat,
                message_id,
                data: Some(data.to_owned()),
                answer: None,
            });
            let update_id = w.push_update("callback_query", payload);
            Pressed {
                update_id,
                callback_id,
            }
        })
    }

    /// Presses the inline button labelled `label` on message `message_id`.
    pub fn presses_button(&self, message_id: i32, label: &str) -> Pressed {
        let chat = match self.place {
            Place::Private => self.user,
            Place::Group(chat) | Place::Topic(chat, _) => chat,
        };
        let message = self
            .tg
            .message(chat, message_id)
            .unwrap_or_else(|| panic!("no message {message_id} in chat {chat}"));
        let data = message.button_data(label).unwrap_or_else(|| {
            panic!(
                "message {message_id} has no button {label:?}; buttons: {:?}",
                message.buttons()
            )
        });
        self.presses(message_id, &data)
    }

    // ----- the private chat -----------------------------------------------------

    /// Blocks the bot: the bot gets `my_chat_member` (member → kicked) and
    /// its later sends fail with 403. Returns the update id.
    pub fn blocks_bot(&self) -> i64 {
        self.tg.mutate(|w| w.set_blocked(self.user, true))
    }

    /// Unblocks the bot (`my_chat_member` kicked → member). Returns the update id.
    pub fn unblocks_bot(&self) -> i64 {
        self.tg.mutate(|w| w.set_blocked(self.user, false))
    }

    // ----- the bot in a group ------------------------------------------------------

    /// Adds the bot to the group (from `in_group`) as an ordinary member:
    /// the bot gets `my_chat_member` (left → member). Returns the update id.
    pub fn adds_bot(&self) -> i64 {
        self.sets_bot_role(BotRole::Member)
    }

    /// Sets the bot's role in the group (from `in_group`), as this person
    /// adding, promoting or removing it: the bot gets `my_chat_member`.
    /// Returns the update id.
    pub fn sets_bot_role(&self, role: BotRole) -> i64 {
        let chat = self.group_chat();
        self.tg.mutate(|w| w.set_bot_role_by(self.user, chat, role))
    }

    // ----- topics ------------------------------------------------------------------

    /// Creates a forum topic in the group (from `in_group` or `in_topic`);
    /// the bot gets the `forum_topic_created` service message.
    pub fn creates_topic(&self, name: &str) -> Sent {
        check_topic_name(name).expect("topic names are 1-128 characters");
        let chat = self.group_chat();
        self.tg.mutate(|w| {
            w.actor_chat(self.user, Place::Group(chat));
            assert!(
                w.chat(chat).group().is_some_and(|g| g.is_forum),
                "group {chat} has no topics"
            );
            let (thread, message) = w.open_topic(chat, self.user, name, ICON_COLORS[1], None);
            let update_id = w.push_update("message", message);
            Sent {
                update_id,
                chat_id: chat,
                message_id: thread,
                thread_id: Some(thread),
                media_group_id: None,
            }
        })
    }

    fn topic_event(
        &self,
        event: TopicEvent,
        change: impl FnOnce(&mut crate::world::model::TopicRecord),
    ) -> Sent {
        let (chat, thread) = self.topic_place();
        self.tg.mutate(|w| {
            w.actor_chat(self.user, self.place);
            let topic = w
                .chats
                .get_mut(&chat)
                .and_then(|c| c.group_mut())
                .and_then(|g| g.topics.get_mut(&thread))
                .expect("checked by actor_chat");
            change(topic);
            let (message_id, message) = w.topic_service_message(chat, thread, self.user, event);
            let update_id = w.push_update("message", message);
            Sent {
                update_id,
                chat_id: chat,
                message_id,
                thread_id: Some(thread),
                media_group_id: None,
            }
        })
    }

    /// Closes the topic (from `in_topic`); the bot gets `forum_topic_closed`.
    pub fn closes_topic(&self) -> Sent {
        self.topic_event(TopicEvent::Closed, |t| {
            assert!(!t.closed, "topic {} is closed already", t.thread_id);
            t.closed = true;
        })
    }

    /// Reopens the topic; the bot gets `forum_topic_reopened`.
    pub fn reopens_topic(&self) -> Sent {
        self.topic_event(TopicEvent::Reopened, |t| {
            assert!(t.closed, "topic {} is open already", t.thread_id);
            t.closed = false;
        })
    }

    /// Renames the topic; the bot gets `forum_topic_edited`.
    pub fn renames_topic(&self, name: &str) -> Sent {
        check_topic_name(name).expect("topic names are 1-128 characters");
        let event = TopicEvent::Edited {
            name: Some(name.to_owned()),
            icon_custom_emoji_id: None,
        };
        self.topic_event(event, |t| t.name = name.to_owned())
    }

    /// Deletes the topic and its messages. Telegram sends the bot nothing;
    /// later sends into the topic fail with "message thread not found".
    pub fn deletes_topic(&self) {
        let (chat, thread) = self.topic_place();
        self.tg.mutate(|w| {
            w.actor_chat(self.user, self.place);
            w.remove_topic(chat, thread);
        });
    }
}
