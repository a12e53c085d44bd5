//! The one way to the Bot API. A call that puts messages into a chat first
//! reserves room for them with the flood gate (a copyMessages of N counts N,
//! creating a topic counts one); every call is classified and counted in the
//! metrics by the client underneath. Nothing else in the crate calls
//! Telegram: deliveries go through the outbox, which sends through here.

use std::sync::Arc;
use std::time::Duration;

use teloxide::Bot;
use teloxide::RequestError;
use teloxide::requests::{Output, Request};

use super::client::Telegram;
use super::errors::{Failure, TelegramError};
use super::gate::FloodGate;
use super::health::TelegramHealth;
use super::limits::Limits;

/// The most [`Sender::call_patiently`] waits for 429s in all.
const PATIENCE: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Sender {
    telegram: Telegram,
    gate: Arc<dyn FloodGate>,
}

impl Sender {
    pub fn new(telegram: Telegram, gate: Arc<dyn FloodGate>) -> Self {
        Self { telegram, gate }
    }

    /// Builds requests; they go out through [`Sender::send`] or
    /// [`Sender::call`], never on their own.
    pub fn bot(&self) -> &Bot {
        self.telegram.bot()
    }

    /// A call that puts `messages` messages into `chat`: waits for the flood
    /// gate, then calls.
    pub async fn send<R>(
        &self,
        chat: i64,
        messages: u32,
        request: R,
    ) -> Result<Output<R>, TelegramError>
    where
        R: Request<Err = RequestError>,
    {
        if messages > 0 {
            let at = self.gate.reserve(chat, messages).await;
            tokio::time::sleep_until(at).await;
        }
        self.telegram.call(request).await
    }

    /// A call that puts no message anywhere: an edit, closing a topic,
    /// answering a button, reading, or a setting.
    pub async fn call<R>(&self, request: R) -> Result<Output<R>, TelegramError>
    where
        R: Request<Err = RequestError>,
    {
        self.telegram.call(request).await
    }

    /// [`Sender::call`] for work outside the outbox (a button's answer, the
    /// menus, the webhook): a 429 is waited out, as long as Telegram asks
    /// and up to a minute in all, because nothing else waits behind it. The
    /// outbox never uses this: its lanes wait without holding a call open.
    pub async fn call_patiently<R>(&self, request: R) -> Result<Output<R>, TelegramError>
    where
        R: Request<Err = RequestError> + Clone,
    {
        let mut waited = Duration::ZERO;
        loop {
            match self.telegram.call(request.clone()).await {
                Err(error) => match error.failure() {
                    Failure::RetryAfter(wait) if waited + wait <= PATIENCE => {
                        tracing::warn!(
                            method = error.method,
                            wait_secs = wait.as_secs_f64(),
                            "Telegram asked us to slow down; waiting"
                        );
                        tokio::time::sleep(wait).await;
                        waited += wait;
                    }
                    _ => return Err(error),
                },
                ok => return ok,
            }
        }
    }

    /// How long `messages` messages into `chat` would wait for the gate now.
    pub async fn delay_for(&self, chat: i64, messages: u32) -> Duration {
        self.gate.delay_for(chat, messages).await
    }

    /// Telegram asked to leave `chat` alone for `wait` (a 429).
    pub async fn pause(&self, chat: i64, wait: Duration) {
        self.gate.pause(chat, wait).await
    }

    pub fn limits(&self) -> Limits {
        self.gate.limits()
    }

    /// Whether Telegram answers, for /readyz.
    pub fn health(&self) -> TelegramHealth {
        self.telegram.health().clone()
    }

    /// The raw client, for long polling (getUpdates is read as raw JSON).
    pub(crate) fn telegram(&self) -> &Telegram {
        &self.telegram
    }
}
