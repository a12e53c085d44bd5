//! Whether Telegram answers at all: since when calls have failed for network
//! reasons or 5xx answers, for /readyz and the logs.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, Default)]
pub struct TelegramHealth {
    unreachable_since: Arc<Mutex<Option<DateTime<Utc>>>>,
}

impl TelegramHealth {
    /// A call got no answer, or a 5xx.
    pub(super) fn failed(&self) {
        let mut since = self.lock();
        if since.is_none() {
            tracing::warn!("the Telegram Bot API cannot be reached; deliveries wait for it");
            *since = Some(Utc::now());
        }
    }

    /// A call got an answer from Telegram (any answer that is not a 5xx).
    pub(super) fn answered(&self) {
        let mut since = self.lock();
        if let Some(began) = since.take() {
            let seconds = (Utc::now() - began).num_milliseconds() as f64 / 1000.0;
            tracing::info!(
                unreachable_secs = seconds,
                "the Telegram Bot API answers again"
            );
        }
    }

    /// When Telegram stopped answering, if it has.
    pub fn unreachable_since(&self) -> Option<DateTime<Utc>> {
        *self.lock()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<DateTime<Utc>>> {
        self.unreachable_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
