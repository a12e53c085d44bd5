//! Start-up options of the fake.

use std::time::Duration;

use crate::faults::Limits;

/// How to start a [`FakeTelegram`](crate::FakeTelegram). `FakeOptions::default()`
/// gives bot 4242 `@topicdesk_test_bot`, sequential webhook delivery with a
/// 100 ms retry delay, and no rate limits.
#[derive(Clone, Debug)]
pub struct FakeOptions {
    /// The bot's user id (also the numeric part of the token).
    pub bot_id: i64,
    /// The bot's username, without `@`.
    pub bot_username: String,
    /// The bot's display name.
    pub bot_first_name: String,
    /// The secret part of the token (`{bot_id}:{token_secret}`).
    pub token_secret: String,
    /// Webhook POSTs running at once (1 = strictly one after another).
    pub webhook_concurrency: usize,
    /// Pause before a failed webhook delivery is retried.
    pub retry_delay: Duration,
    /// Deliver every update twice (each must be accepted twice), to test
    /// deduplication.
    pub redeliver_twice: bool,
    /// Timeout of webhook POSTs.
    pub webhook_timeout: Duration,
    /// Enforce Telegram's flood limits from the start.
    pub limits: Option<Limits>,
    /// Timeout of the convenience waits (`wait_for_messages` and friends).
    pub wait_timeout: Duration,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            bot_id: 4242,
            bot_username: "topicdesk_test_bot".to_owned(),
            bot_first_name: "Topicdesk Test Bot".to_owned(),
            token_secret: "AAFakeTelegramTestToken_0123456789abcdef".to_owned(),
            webhook_concurrency: 1,
            retry_delay: Duration::from_millis(100),
            redeliver_twice: false,
            webhook_timeout: Duration::from_secs(10),
            limits: None,
            wait_timeout: Duration::from_secs(10),
        }
    }
}

impl FakeOptions {
    /// Sets the bot's id and username.
    pub fn bot(mut self, id: i64, username: impl Into<String>) -> Self {
        self.bot_id = id;
        self.bot_username = username.into();
        self
    }

    /// Delivers up to `n` webhook updates at once.
    pub fn webhook_concurrency(mut self, n: usize) -> Self {
        self.webhook_concurrency = n.max(1);
        self
    }

    /// Sets the pause before a failed delivery is retried.
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    /// Delivers every update twice.
    pub fn redeliver_twice(mut self) -> Self {
        self.redeliver_twice = true;
        self
    }

    /// Enforces these flood limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Sets the timeout of convenience waits.
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = timeout;
        self
    }
}
