//! setChatMenuButton / getChatMenuButton: the button beside a private
//! chat's input field (the command list, or a Mini App).

use serde_json::json;

use crate::api_error::{ApiError, ApiResult};
use crate::params::Params;
use crate::world::World;
use crate::world::model::ChatKind;

impl World {
    /// The private chat a call names; 0 for the default button.
    fn menu_chat(&self, p: &Params) -> Result<i64, ApiError> {
        if p.i64("chat_id")?.is_none() {
            return Ok(0);
        }
        let chat = self.resolve_chat(p, "chat_id")?;
        match self.chat(chat).kind {
            ChatKind::Private { .. } => Ok(chat),
            _ => Err(ApiError::bad_request("chat is not a private chat")),
        }
    }

    pub(crate) fn set_chat_menu_button(&mut self, p: &Params) -> ApiResult {
        let chat = self.menu_chat(p)?;
        let button = p
            .json("menu_button")?
            .unwrap_or_else(|| json!({ "type": "default" }));
        match button["type"].as_str() {
            Some("default") => {
                self.menu_buttons.remove(&chat);
                return Ok(json!(true));
            }
            Some("commands") => {}
            Some("web_app") => {
                if button["text"].as_str().is_none_or(str::is_empty) {
                    return Err(ApiError::bad_request("text is empty"));
                }
                let https = button["web_app"]["url"]
                    .as_str()
                    .and_then(|u| reqwest::Url::parse(u).ok())
                    .is_some_and(|u| u.scheme() == "https");
                if !https {
                    return Err(ApiError::bad_request("BUTTON_URL_INVALID"));
                }
            }
            _ => return Err(ApiError::bad_request("can't parse menu button")),
        }
        self.menu_buttons.insert(chat, button);
        Ok(json!(true))
    }

    pub(crate) fn get_chat_menu_button(&mut self, p: &Params) -> ApiResult {
        let chat = self.menu_chat(p)?;
        Ok(self
            .menu_buttons
            .get(&chat)
            .cloned()
            .unwrap_or_else(|| json!({ "type": "default" })))
    }
}
