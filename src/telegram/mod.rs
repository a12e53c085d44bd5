//! Everything that talks to the Bot API: building the client, classifying its
//! failures, and one call path with retries and metrics that every outbound
//! request goes through.

mod client;
mod errors;
pub mod limits;

pub use client::Telegram;
pub use errors::{Failure, TelegramError};

/// Update kinds the bot handles; given to setWebhook and getUpdates so
/// Telegram does not send anything else.
pub const ALLOWED_UPDATES: &[&str] = &[
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
];
