//! Everything that talks to the Bot API: building the client, classifying its
//! failures, the flood limits, and the one send path ([`Sender`]) that every
//! outbound request goes through.

mod client;
mod errors;
pub mod gate;
mod health;
pub mod limits;
mod sender;
mod updates;

pub use client::Telegram;
pub use errors::{Failure, TelegramError, describe};
pub use gate::FloodGate;
pub use health::TelegramHealth;
pub use sender::Sender;
pub use updates::PollError;

/// Update kinds the bot handles; given to setWebhook and getUpdates so
/// Telegram does not send anything else.
pub const ALLOWED_UPDATES: &[&str] = &[
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
];
