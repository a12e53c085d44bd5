//! Long polling for small deployments without a public URL. It feeds the same
//! inbound store as the webhook, so processing does not care where an update
//! came from. The offset only moves past updates that were stored.

use std::time::Duration;

use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use super::{Intake, IntakeError, Source};
use crate::telegram::{ALLOWED_UPDATES, Telegram};

/// Seconds Telegram holds a getUpdates call open when there is nothing new.
const LONG_POLL_SECS: u64 = 25;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
struct GetUpdatesResponse {
    ok: bool,
    #[serde(default)]
    result: Vec<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    parameters: Option<ResponseParameters>,
}

#[derive(Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
}

#[derive(Deserialize)]
struct UpdateIdOnly {
    update_id: i64,
}

/// Polls until `shutdown` is cancelled. Raw JSON is fetched (not teloxide's
/// parsed updates) so the inbound store keeps exactly what Telegram sent.
pub async fn run_polling(telegram: Telegram, intake: Intake, shutdown: CancellationToken) {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(LONG_POLL_SECS + 15))
        .build()
        .expect("a reqwest client with static settings builds");
    let url = format!(
        "{}/bot{}/getUpdates",
        telegram.api_url().as_str().trim_end_matches('/'),
        telegram.token()
    );
    let mut offset: i64 = 0;
    let mut backoff = Duration::from_millis(500);
    tracing::info!("long polling started");
    loop {
        let body = serde_json::json!({
            "offset": offset,
            "timeout": LONG_POLL_SECS,
            "allowed_updates": ALLOWED_UPDATES,
        });
        let request = http.post(&url).json(&body).send();
        let response = tokio::select! {
            _ = shutdown.cancelled() => break,
            response = request => response,
        };
        let wait = match fetch_result(response).await {
            Ok(updates) => {
                backoff = Duration::from_millis(500);
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
                tracing::warn!(reason = %reason, retry_in_ms = backoff.as_millis() as u64, "getUpdates failed");
                let wait = backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
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

enum PollError {
    RetryAfter(Duration),
    Failed(String),
}

async fn fetch_result(
    response: Result<reqwest::Response, reqwest::Error>,
) -> Result<Vec<Box<serde_json::value::RawValue>>, PollError> {
    let response = response.map_err(|e| PollError::Failed(e.to_string()))?;
    let status = response.status();
    let parsed: GetUpdatesResponse = response
        .json()
        .await
        .map_err(|e| PollError::Failed(format!("HTTP {status}: unreadable answer: {e}")))?;
    if parsed.ok {
        return Ok(parsed.result);
    }
    if let Some(seconds) = parsed.parameters.and_then(|p| p.retry_after) {
        return Err(PollError::RetryAfter(Duration::from_secs(seconds)));
    }
    Err(PollError::Failed(format!(
        "HTTP {status}: {}",
        parsed.description.unwrap_or_default()
    )))
}

/// Stores updates in order and moves the offset past each stored one, so a
/// storage failure means the rest is fetched again, never skipped.
async fn store_all(
    intake: &Intake,
    updates: &[Box<serde_json::value::RawValue>],
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
