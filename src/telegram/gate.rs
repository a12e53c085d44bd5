//! The rate limiter as the send path sees it: reserve room for some messages
//! in a chat, or ask how long that would wait. The in-process limiter is one
//! implementation; one shared by several instances (in Redis) is another, and
//! swapping them touches nothing but the wiring.

use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::limits::{Limits, RateLimiter};

#[async_trait]
pub trait FloodGate: Send + Sync {
    /// Reserves room for `count` messages into `chat` (negative ids are
    /// groups) and returns when they may go. A copyMessages of ten counts ten
    /// in a group; a private chat counts one call as one message.
    async fn reserve(&self, chat: i64, count: u32) -> Instant;

    /// How long `count` messages into `chat` would wait now; reserves nothing.
    async fn delay_for(&self, chat: i64, count: u32) -> Duration;

    /// Telegram answered a call into `chat` with a 429 "retry after
    /// `wait`": no instance sends there before then.
    async fn pause(&self, chat: i64, wait: Duration);

    /// The limits this gate keeps.
    fn limits(&self) -> Limits;
}

#[async_trait]
impl FloodGate for RateLimiter {
    async fn reserve(&self, chat: i64, count: u32) -> Instant {
        self.reserve_at(chat, count)
    }

    async fn delay_for(&self, chat: i64, count: u32) -> Duration {
        RateLimiter::delay_for(self, chat, count)
    }

    async fn pause(&self, chat: i64, wait: Duration) {
        RateLimiter::pause(self, chat, wait)
    }

    fn limits(&self) -> Limits {
        RateLimiter::limits(self)
    }
}
