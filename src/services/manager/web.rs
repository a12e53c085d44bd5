//! /app and /api_token: the two commands of the web desk.
//!
//! - `/app`, for managers and technicians in the private chat: a button
//!   that opens the Mini App (Telegram shows web_app buttons in private
//!   chats only), or a line saying it is off without a public HTTPS URL.
//! - `/api_token <name> [read|write]`, for managers in the private chat
//!   only (never in a group, where others would read the token): makes an
//!   API token and shows it once. The answer travels through the outbox
//!   like every other; once it is sent, its text is blanked in the outbox,
//!   so the database keeps only the token's hash.

use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo};

use super::{ManagerRequest, ManagerService};
use crate::domain::commands::ManagerCommand;
use crate::entities::{OutboxStatus, outbox, technicians};
use crate::outbox::{Delivery, RichText, Target, TextMessage};
use crate::services::ServiceResult;
use crate::services::web::api_tokens::{self, Scope, TOKEN_MESSAGE_KEY};

/// How long the blanking of a token's message waits for it to be sent.
const BLANK_WAIT: Duration = Duration::from_secs(600);

/// `<name> [read|write]`: the scope is the last word when it is one.
fn parse_token_args(args: &str) -> Option<(String, Scope)> {
    let args = args.trim();
    let (name, scope) = match args.rsplit_once(char::is_whitespace) {
        Some((name, last)) if last.eq_ignore_ascii_case("write") => (name, Scope::Write),
        Some((name, last)) if last.eq_ignore_ascii_case("read") => (name, Scope::Read),
        _ => (args, Scope::Read),
    };
    api_tokens::check_name(name).ok().map(|name| (name, scope))
}

impl ManagerService {
    async fn is_technician(&self, user: Option<i64>) -> ServiceResult<bool> {
        let Some(user) = user else {
            return Ok(false);
        };
        Ok(technicians::Entity::find()
            .filter(technicians::Column::TgUserId.eq(user))
            .filter(technicians::Column::IsActive.eq(true))
            .count(&self.db)
            .await?
            > 0)
    }

    fn web_answer(
        &self,
        request: &ManagerRequest,
        text: String,
        keyboard: Option<InlineKeyboardMarkup>,
        dedup_key: String,
    ) -> Delivery {
        let target = Target::Chat {
            chat_id: request.chat_id,
            thread_id: request.thread_id,
        };
        let mut message = TextMessage::new(target, RichText::plain(text)).without_link_previews();
        if let Some(keyboard) = keyboard {
            message = message.with_keyboard(keyboard);
        }
        Delivery::without_ticket(request.chat_id, message, dedup_key)
    }

    pub(super) async fn handle_web(&self, request: &ManagerRequest) -> ServiceResult<()> {
        let is_admin = request.from.is_some_and(|user| self.is_manager(user));
        let reply_key = format!("reply:{}:{}", request.chat_id, request.message_id);
        let refusal = || {
            self.web_answer(
                request,
                self.texts.admin_refusal().to_owned(),
                None,
                reply_key.clone(),
            )
        };
        let delivery = match &request.command {
            ManagerCommand::App => {
                let staff = is_admin || self.is_technician(request.from).await?;
                if !(staff && request.private) {
                    tracing::info!(from = request.from, "/app refused");
                    refusal()
                } else {
                    match self
                        .mini_app_url
                        .as_deref()
                        .and_then(|url| url.parse().ok())
                    {
                        Some(url) => {
                            let button = InlineKeyboardButton::web_app(
                                self.texts.app_button(),
                                WebAppInfo { url },
                            );
                            self.web_answer(
                                request,
                                self.texts.app_open().to_owned(),
                                Some(InlineKeyboardMarkup::new([[button]])),
                                reply_key.clone(),
                            )
                        }
                        None => self.web_answer(
                            request,
                            self.texts.app_off().to_owned(),
                            None,
                            reply_key.clone(),
                        ),
                    }
                }
            }
            ManagerCommand::ApiToken(args) => {
                if !(is_admin && request.private) {
                    tracing::info!(from = request.from, "/api_token refused");
                    refusal()
                } else {
                    match parse_token_args(args) {
                        None => self.web_answer(
                            request,
                            self.texts.usage_api_token().to_owned(),
                            None,
                            reply_key.clone(),
                        ),
                        Some((name, scope)) => {
                            let key = format!(
                                "{TOKEN_MESSAGE_KEY}{}:{}",
                                request.chat_id, request.message_id
                            );
                            // A replayed command must not mint a second
                            // token that nobody ever sees.
                            if outbox::Entity::find()
                                .filter(outbox::Column::DedupKey.eq(key.as_str()))
                                .count(&self.db)
                                .await?
                                > 0
                            {
                                return Ok(());
                            }
                            let by = request.from.unwrap_or_default();
                            let created = api_tokens::create(&self.db, &name, scope, by).await?;
                            let scope = match scope {
                                Scope::Read => "read",
                                Scope::Write => "write",
                            };
                            let text = self.texts.api_token_created(&name, scope, &created.token);
                            let delivery = self.web_answer(request, text, None, key.clone());
                            self.outbox.enqueue(&self.db, vec![delivery]).await?;
                            self.blank_when_sent(key);
                            return Ok(());
                        }
                    }
                }
            }
            _ => refusal(),
        };
        self.outbox.enqueue(&self.db, vec![delivery]).await?;
        Ok(())
    }

    /// Blanks the token's message in the outbox once it has gone out. A
    /// restart in between leaves it to the next listing of tokens, which
    /// blanks every sent one.
    fn blank_when_sent(&self, key: String) {
        let db = self.db.clone();
        tokio::spawn(async move {
            let deadline = tokio::time::Instant::now() + BLANK_WAIT;
            while tokio::time::Instant::now() < deadline {
                let pending = outbox::Entity::find()
                    .filter(outbox::Column::DedupKey.eq(key.as_str()))
                    .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
                    .count(&db)
                    .await;
                match pending {
                    Ok(0) => {
                        if let Err(error) = api_tokens::forget_sent_token_messages(&db).await {
                            tracing::warn!(error = %error, "could not blank a sent token message");
                        }
                        return;
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(error = %error, "could not check a token message");
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_arguments_are_a_name_and_an_optional_scope() {
        assert_eq!(
            parse_token_args("crm"),
            Some(("crm".to_owned(), Scope::Read))
        );
        assert_eq!(
            parse_token_args(" our crm WRITE "),
            Some(("our crm".to_owned(), Scope::Write))
        );
        assert_eq!(
            parse_token_args("reports read"),
            Some(("reports".to_owned(), Scope::Read))
        );
        assert_eq!(parse_token_args(""), None);
        assert_eq!(parse_token_args(&"x".repeat(65)), None);
    }
}
