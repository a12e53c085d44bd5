//! The Mini App as the menu button of managers and technicians, in their
//! private chats with the bot (setChatMenuButton; a call, not a message).

use teloxide::payloads::SetChatMenuButtonSetters;
use teloxide::prelude::Requester;
use teloxide::types::{ChatId, MenuButton, WebAppInfo};

use crate::telegram::{Failure, Sender, TelegramError};
use crate::texts::Texts;

/// Sets the button for each of `people`; returns those worth trying again
/// (Telegram was out of reach). Someone the bot cannot write to (they never
/// opened the chat) is logged and left: /app still answers them later.
pub async fn set_app_buttons(
    sender: &Sender,
    texts: &Texts,
    url: &str,
    people: &[i64],
) -> Vec<i64> {
    let Ok(url) = url.parse::<url::Url>() else {
        tracing::warn!("the Mini App's address is not a URL; no menu buttons");
        return Vec::new();
    };
    let mut again = Vec::new();
    for person in people {
        let button = MenuButton::WebApp {
            text: texts.menu_button_app().to_owned(),
            web_app: WebAppInfo { url: url.clone() },
        };
        let request = sender
            .bot()
            .set_chat_menu_button()
            .chat_id(ChatId(*person))
            .menu_button(button);
        match sender.call(request).await {
            Ok(_) => {}
            Err(error) if is_outage(&error) => again.push(*person),
            Err(error) => {
                tracing::warn!(user = person, error = %error, "could not set the Mini App menu button");
            }
        }
    }
    again
}

fn is_outage(error: &TelegramError) -> bool {
    matches!(error.failure(), Failure::Network | Failure::RetryAfter(_))
}
