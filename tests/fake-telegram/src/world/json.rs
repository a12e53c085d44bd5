//! JSON shapes of Bot API objects built from the world's records: `User`,
//! `Chat`, `ChatFullInfo`, `ChatMember`, `ForumTopic`.
//!
//! Field sets follow what api.telegram.org sends and what teloxide-core 0.13
//! requires (e.g. `ChatFullInfo` needs `accepted_gift_types` and
//! `max_reaction_count`; `ChatMemberAdministrator` needs every non-default
//! `can_*` flag).

use serde_json::{Map, Value, json};

use super::World;
use super::model::{ChatKind, ChatRecord, TopicRecord, UserRecord};
use crate::setup::{AdminRights, BotRole, MemberRole};

pub(crate) fn user_json(u: &UserRecord) -> Value {
    let mut v = json!({ "id": u.id, "is_bot": false, "first_name": u.first_name });
    insert_opt(&mut v, "last_name", u.last_name.as_deref());
    insert_opt(&mut v, "username", u.username.as_deref());
    insert_opt(&mut v, "language_code", u.language_code.as_deref());
    if u.is_premium {
        v["is_premium"] = json!(true);
    }
    v
}

pub(crate) fn topic_json(t: &TopicRecord) -> Value {
    let mut v = json!({
        "message_thread_id": t.thread_id,
        "name": t.name,
        "icon_color": t.icon_color,
    });
    insert_opt(
        &mut v,
        "icon_custom_emoji_id",
        t.icon_custom_emoji_id.as_deref(),
    );
    v
}

pub(crate) fn insert_opt(v: &mut Value, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        v[key] = json!(value);
    }
}

fn admin_json(user: Value, r: &AdminRights) -> Value {
    json!({
        "user": user,
        "status": "administrator",
        "can_be_edited": false,
        "is_anonymous": false,
        "can_manage_chat": true,
        "can_change_info": r.can_change_info,
        "can_delete_messages": r.can_delete_messages,
        "can_manage_video_chats": true,
        "can_invite_users": r.can_invite_users,
        "can_restrict_members": r.can_restrict_members,
        "can_pin_messages": r.can_pin_messages,
        "can_manage_topics": r.can_manage_topics,
        "can_promote_members": r.can_promote_members,
        "can_post_stories": false,
        "can_edit_stories": false,
        "can_delete_stories": false,
    })
}

pub(crate) fn member_json(user: Value, role: &MemberRole) -> Value {
    match role {
        MemberRole::Owner => json!({ "user": user, "status": "creator", "is_anonymous": false }),
        MemberRole::Admin(r) => admin_json(user, r),
        MemberRole::Member => json!({ "user": user, "status": "member" }),
        MemberRole::Left => json!({ "user": user, "status": "left" }),
        MemberRole::Kicked => json!({ "user": user, "status": "kicked", "until_date": 0 }),
    }
}

pub(crate) fn bot_member_json(bot: Value, role: &BotRole) -> Value {
    match role {
        BotRole::Admin(r) => admin_json(bot, r),
        BotRole::Member => member_json(bot, &MemberRole::Member),
        BotRole::Left => member_json(bot, &MemberRole::Left),
        BotRole::Kicked => member_json(bot, &MemberRole::Kicked),
    }
}

impl World {
    /// The bot as a `User`.
    pub(crate) fn bot_json(&self) -> Value {
        json!({
            "id": self.bot.id,
            "is_bot": true,
            "first_name": self.bot.first_name,
            "username": self.bot.username,
        })
    }

    /// The answer to `getMe`.
    pub(crate) fn me_json(&self) -> Value {
        let mut me = self.bot_json();
        let extra = json!({
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        });
        merge(&mut me, extra);
        me
    }

    /// A user id as a `User` (the bot included).
    pub(crate) fn any_user_json(&self, id: i64) -> Option<Value> {
        if id == self.bot.id {
            return Some(self.bot_json());
        }
        self.users.get(&id).map(user_json)
    }

    /// A chat as the short `Chat` object embedded in messages.
    pub(crate) fn chat_json(&self, chat: &ChatRecord) -> Value {
        match &chat.kind {
            ChatKind::Private { user_id } => {
                let u = &self.users[user_id];
                let mut v = json!({ "id": chat.id, "type": "private", "first_name": u.first_name });
                insert_opt(&mut v, "last_name", u.last_name.as_deref());
                insert_opt(&mut v, "username", u.username.as_deref());
                v
            }
            ChatKind::Supergroup(g) => {
                let mut v = json!({ "id": chat.id, "type": "supergroup", "title": g.title });
                insert_opt(&mut v, "username", g.username.as_deref());
                if g.is_forum {
                    v["is_forum"] = json!(true);
                }
                v
            }
        }
    }

    /// A chat as the `ChatFullInfo` answered by `getChat`.
    pub(crate) fn chat_full_info_json(&self, chat: &ChatRecord) -> Value {
        let mut v = self.chat_json(chat);
        let common = json!({
            "accent_color_id": (chat.id.unsigned_abs() % 7) as u8,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": true,
                "limited_gifts": true,
                "unique_gifts": true,
                "premium_subscription": true,
            },
        });
        merge(&mut v, common);
        if let ChatKind::Supergroup(_) = &chat.kind {
            merge(
                &mut v,
                json!({
                    "permissions": {
                        "can_send_messages": true,
                        "can_send_audios": true,
                        "can_send_documents": true,
                        "can_send_photos": true,
                        "can_send_videos": true,
                        "can_send_video_notes": true,
                        "can_send_voice_notes": true,
                        "can_send_polls": true,
                        "can_send_other_messages": true,
                        "can_add_web_page_previews": true,
                        "can_change_info": false,
                        "can_invite_users": true,
                        "can_pin_messages": false,
                        "can_manage_topics": false,
                    },
                }),
            );
            if let Some(pinned) = chat.pinned.last().and_then(|id| chat.live_message(*id)) {
                v["pinned_message"] = pinned.json.clone();
            }
        }
        v
    }

    /// `ChatMember` of `user_id` (or the bot) in `chat`.
    pub(crate) fn chat_member_json(&self, chat: &ChatRecord, user_id: i64) -> Option<Value> {
        let user = self.any_user_json(user_id)?;
        Some(match &chat.kind {
            ChatKind::Private { user_id: owner } => {
                let blocked = self.users.get(owner).is_some_and(|u| u.blocked);
                if user_id == self.bot.id && blocked {
                    member_json(user, &MemberRole::Kicked)
                } else if user_id == self.bot.id || user_id == *owner {
                    member_json(user, &MemberRole::Member)
                } else {
                    member_json(user, &MemberRole::Left)
                }
            }
            ChatKind::Supergroup(g) if user_id == self.bot.id => bot_member_json(user, &g.bot),
            ChatKind::Supergroup(g) => {
                member_json(user, g.members.get(&user_id).unwrap_or(&MemberRole::Left))
            }
        })
    }
}

/// Adds every field of `extra` (an object) to `target` (an object).
pub(crate) fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(t), Value::Object(e)) = (target, extra) {
        t.extend(e);
    }
}

/// Removes `keys` from an object.
pub(crate) fn without(mut v: Value, keys: &[&str]) -> Value {
    if let Value::Object(map) = &mut v {
        for k in keys {
            map.remove(*k);
        }
    }
    v
}

/// An empty JSON object.
pub(crate) fn object() -> Map<String, Value> {
    Map::new()
}
