//! Long polling for small deployments without a public URL. It feeds the same
//! inbound store as the webhook, so processing does not care where an update
//! came from. The offset only moves past updates that were stored.

use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;
use tokio_util::sync::CancellationToken;

use super::{Intake, IntakeError, Source};
use crate::retry::Pauses;
use crate::telegram::{PollError, Telegram};

const MAX_BACKOFF: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
struct UpdateIdOnly {
    update_id: i64,
}

/// Polls until `shutdown` is cancelled.
pub async fn run_polling(telegram: Telegram, intake: Intake, shutdown: CancellationToken) {
    let mut offset: i64 = 0;
    let mut pauses = Pauses::new(Duration::from_millis(500), MAX_BACKOFF);
    tracing::info!("long polling started");
    loop {
        let fetched = tokio::select! {
            _ = shutdown.cancelled() => break,
            fetched = telegram.get_updates(offset) => fetched,
        };
        let wait = match fetched {
            Ok(updates) => {
                pauses.reset();
                match store_all(&intake, &updates, &mut offset).await {
                    Ok(()) => None,
                    Err(error) => {
                        tracing::error!(error = %error, "cannot store polled updates; will fetch them again");
                        Some(Duration::from_secs(1))
                    }
                }
            }
            Err(PollError::RetryAfter(wait)) => Some(wait),
            Err(PollError::Failed(reason)) => {
                let wait = pauses.next_pause();
                tracing::warn!(reason = %reason, retry_in_ms = wait.as_millis() as u64, "getUpdates failed");
                Some(wait)
            }
        };
        if let Some(wait) = wait {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
    tracing::info!("long polling stopped");
}

/// Stores updates in order and moves the offset past each stored one, so a
/// storage failure means the rest is fetched again, never skipped.
async fn store_all(
    intake: &Intake,
    updates: &[Box<RawValue>],
    offset: &mut i64,
) -> Result<(), IntakeError> {
    for raw in updates {
        let raw = raw.get();
        match intake.accept(raw, Source::Polling).await {
            Ok(_) => {}
            Err(IntakeError::NotAnUpdate(reason)) => {
                tracing::warn!(reason = %reason, "getUpdates returned something that is not an update; skipped");
            }
            Err(error) => return Err(error),
        }
        if let Ok(id) = serde_json::from_str::<UpdateIdOnly>(raw) {
            *offset = (*offset).max(id.update_id + 1);
        }
    }
    Ok(())
}
