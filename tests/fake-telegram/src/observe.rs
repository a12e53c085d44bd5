//! Watching the bot's messages as they land, with the instant each one was
//! stored: what a benchmark needs to time a message end to end without
//! polling the world.

use std::time::Instant;

use serde_json::Value;
use tokio::sync::mpsc;

/// One message the bot put into a chat: a send, a copy, or the service
/// message of a topic it created.
#[derive(Clone, Debug)]
pub struct LandedMessage {
    pub chat_id: i64,
    pub message_id: i32,
    /// `message_thread_id`, for topic messages.
    pub thread_id: Option<i32>,
    /// The text, or the caption of a media message.
    pub text: Option<String>,
    /// When the fake stored it.
    pub at: Instant,
}

impl LandedMessage {
    pub(crate) fn from_json(message: &Value, at: Instant) -> Self {
        Self {
            chat_id: message["chat"]["id"].as_i64().unwrap_or(0),
            message_id: message["message_id"].as_i64().unwrap_or(0) as i32,
            thread_id: message
                .get("message_thread_id")
                .and_then(Value::as_i64)
                .map(|t| t as i32),
            text: message
                .get("text")
                .or_else(|| message.get("caption"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            at,
        }
    }
}

/// The senders of everyone watching; closed receivers are dropped on the
/// next message.
#[derive(Debug, Default)]
pub(crate) struct Observers {
    senders: Vec<mpsc::UnboundedSender<LandedMessage>>,
}

impl Observers {
    pub fn subscribe(&mut self) -> mpsc::UnboundedReceiver<LandedMessage> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.senders.push(tx);
        rx
    }

    pub fn announce(&mut self, message: &Value) {
        if self.senders.is_empty() {
            return;
        }
        let landed = LandedMessage::from_json(message, Instant::now());
        self.senders.retain(|tx| tx.send(landed.clone()).is_ok());
    }
}
