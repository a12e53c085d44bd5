//! setMyCommands / getMyCommands / deleteMyCommands, keyed by scope and
//! language like Telegram keeps them.

use serde_json::{Value, json};

use crate::api_error::{ApiError, ApiResult};
use crate::params::{Params, missing};
use crate::world::{CommandSet, World};

/// The storage key of a (scope, language) pair. A missing scope is the
/// default scope.
pub(crate) fn command_key(scope: Option<&Value>, language_code: &str) -> String {
    let part = |key: &str| {
        scope
            .and_then(|s| s.get(key))
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_default()
    };
    let kind = scope.and_then(|s| s["type"].as_str()).unwrap_or("default");
    format!(
        "{kind}|{}|{}|{language_code}",
        part("chat_id"),
        part("user_id")
    )
}

fn scope_and_language(p: &Params) -> Result<(Value, String), ApiError> {
    let scope = p
        .json("scope")?
        .unwrap_or_else(|| json!({ "type": "default" }));
    const SCOPES: [&str; 7] = [
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    ];
    if !scope["type"].as_str().is_some_and(|t| SCOPES.contains(&t)) {
        return Err(ApiError::bad_request("can't parse BotCommandScope"));
    }
    let language = p.str("language_code").unwrap_or_default();
    if !(language.is_empty()
        || (language.len() == 2 && language.chars().all(|c| c.is_ascii_lowercase())))
    {
        return Err(ApiError::bad_request("invalid language code specified"));
    }
    Ok((scope, language))
}

impl World {
    pub(crate) fn set_my_commands(&mut self, p: &Params) -> ApiResult {
        let list = p.json("commands")?.ok_or_else(|| missing("commands"))?;
        let list = list
            .as_array()
            .ok_or_else(|| ApiError::bad_request("can't parse commands JSON object"))?;
        if list.len() > 100 {
            return Err(ApiError::bad_request("too many commands specified"));
        }
        let mut commands = Vec::with_capacity(list.len());
        for c in list {
            let command = c["command"].as_str().unwrap_or_default();
            let description = c["description"].as_str().unwrap_or_default();
            let valid = (1..=32).contains(&command.len())
                && command
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
            if !valid {
                return Err(ApiError::bad_request("BOT_COMMAND_INVALID"));
            }
            if !(1..=256).contains(&description.chars().count()) {
                return Err(ApiError::bad_request(
                    "command description must be 1-256 characters long",
                ));
            }
            commands.push((command.to_owned(), description.to_owned()));
        }
        let (scope, language_code) = scope_and_language(p)?;
        let key = command_key(Some(&scope), &language_code);
        if commands.is_empty() {
            self.commands.remove(&key);
        } else {
            self.commands.insert(
                key,
                CommandSet {
                    scope,
                    language_code,
                    commands,
                },
            );
        }
        Ok(json!(true))
    }

    pub(crate) fn get_my_commands(&mut self, p: &Params) -> ApiResult {
        let (scope, language_code) = scope_and_language(p)?;
        let commands = self
            .commands
            .get(&command_key(Some(&scope), &language_code))
            .map(|set| {
                set.commands
                    .iter()
                    .map(|(command, description)| json!({ "command": command, "description": description }))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Value::Array(commands))
    }

    pub(crate) fn delete_my_commands(&mut self, p: &Params) -> ApiResult {
        let (scope, language_code) = scope_and_language(p)?;
        self.commands
            .remove(&command_key(Some(&scope), &language_code));
        Ok(json!(true))
    }
}
