//! getUpdates for long polling, read as raw JSON so the inbound store keeps
//! exactly what Telegram sent. Errors never quote the request URL: it holds
//! the bot's token.

use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::ALLOWED_UPDATES;
use super::client::Telegram;

/// Seconds Telegram holds a getUpdates call open when there is nothing new.
pub const LONG_POLL_SECS: u64 = 25;

#[derive(Debug)]
pub enum PollError {
    /// Telegram asked to wait this long.
    RetryAfter(Duration),
    /// Anything else, described without the URL.
    Failed(String),
}

#[derive(Deserialize)]
struct GetUpdatesResponse {
    ok: bool,
    #[serde(default)]
    result: Vec<Box<RawValue>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    parameters: Option<ResponseParameters>,
}

#[derive(Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
}

/// The client long polling uses: its timeout leaves room above the long
/// poll itself.
pub(super) fn polling_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(LONG_POLL_SECS + 15))
        .build()
        .expect("a reqwest client with static settings builds")
}

impl Telegram {
    /// The updates after `offset`, waiting up to LONG_POLL_SECS for some.
    pub async fn get_updates(&self, offset: i64) -> Result<Vec<Box<RawValue>>, PollError> {
        let body = serde_json::json!({
            "offset": offset,
            "timeout": LONG_POLL_SECS,
            "allowed_updates": ALLOWED_UPDATES,
        });
        let response = self
            .polling_http()
            .post(self.method_url("getUpdates"))
            .json(&body)
            .send()
            .await
            .map_err(|error| PollError::Failed(error.without_url().to_string()))?;
        let status = response.status();
        let parsed: GetUpdatesResponse = response.json().await.map_err(|error| {
            PollError::Failed(format!(
                "HTTP {status}: unreadable answer: {}",
                error.without_url()
            ))
        })?;
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
}
