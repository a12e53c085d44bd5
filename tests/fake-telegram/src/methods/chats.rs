//! Reading chats and memberships: getChat, getChatMember,
//! getChatAdministrators, getChatMemberCount.

use serde_json::{Value, json};

use crate::api_error::{ApiError, ApiResult};
use crate::params::Params;
use crate::setup::{BotRole, MemberRole};
use crate::world::World;
use crate::world::json::{bot_member_json, member_json};
use crate::world::model::ChatKind;

impl World {
    pub(crate) fn get_chat(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        Ok(self.chat_full_info_json(self.chat(chat_id)))
    }

    pub(crate) fn get_chat_member(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        let user_id = p.require_i64("user_id")?;
        self.chat_member_json(self.chat(chat_id), user_id)
            .ok_or_else(|| ApiError::bad_request("user not found"))
    }

    pub(crate) fn get_chat_administrators(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        let Some(group) = self.chat(chat_id).group() else {
            return Err(ApiError::bad_request(
                "there are no administrators in the private chat",
            ));
        };
        let mut admins: Vec<Value> = group
            .members
            .iter()
            .filter(|(_, role)| matches!(role, MemberRole::Owner | MemberRole::Admin(_)))
            .map(|(id, role)| member_json(self.any_user_json(*id).expect("member is a user"), role))
            .collect();
        if matches!(group.bot, BotRole::Admin(_)) {
            admins.push(bot_member_json(self.bot_json(), &group.bot));
        }
        Ok(Value::Array(admins))
    }

    pub(crate) fn get_chat_member_count(&mut self, p: &Params) -> ApiResult {
        let chat_id = self.resolve_chat(p, "chat_id")?;
        let count = match &self.chat(chat_id).kind {
            ChatKind::Private { .. } => 2,
            ChatKind::Supergroup(g) => {
                let people = g
                    .members
                    .values()
                    .filter(|r| !matches!(r, MemberRole::Left | MemberRole::Kicked))
                    .count();
                people + usize::from(matches!(g.bot, BotRole::Admin(_) | BotRole::Member))
            }
        };
        Ok(json!(count))
    }
}
