//! getUpdates for long polling, read as raw JSON so the inbound store keeps
//! exactly what Telegram sent. Errors never quote the request URL: it holds
//! the bot's token.

use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::ALLOWED_UPDATES;
use super::client::Telegram;
use super::errors::{describe_reqwest, redact};
use crate::config::TelegramSettings;

#[derive(Debug)]
pub enum PollError {
    /// Telegram asked to wait this long.
    RetryAfter(Duration),
    /// Anything else, described without the URL or the token.
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

/// Long polling's own client (its timeout must leave room above the long
/// poll, unlike the one for ordinary calls) and how long it polls.
#[derive(Clone)]
pub(super) struct Polling {
    client: reqwest::Client,
    long_poll: Duration,
}

impl Polling {
    pub(super) fn new(settings: &TelegramSettings) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(settings.polling.timeout)
            .build()
            .expect("a reqwest client with static settings builds");
        Self {
            client,
            long_poll: settings.polling.long_poll,
        }
    }
}

impl Telegram {
    /// The updates after `offset`, waiting up to the long poll for some.
    pub async fn get_updates(&self, offset: i64) -> Result<Vec<Box<RawValue>>, PollError> {
        let polling = self.polling_http();
        let token = self.bot().token();
        let body = serde_json::json!({
            "offset": offset,
            "timeout": polling.long_poll.as_secs(),
            "allowed_updates": ALLOWED_UPDATES,
        });
        let failed = |text: String| PollError::Failed(redact(&text, token));
        let response = polling
            .client
            .post(self.method_url("getUpdates"))
            .json(&body)
            .send()
            .await
            .map_err(|error| failed(describe_reqwest(&error)))?;
        let status = response.status();
        let parsed: GetUpdatesResponse = response.json().await.map_err(|error| {
            failed(format!(
                "HTTP {status}: unreadable answer: {}",
                describe_reqwest(&error)
            ))
        })?;
        if parsed.ok {
            return Ok(parsed.result);
        }
        if let Some(seconds) = parsed.parameters.and_then(|p| p.retry_after) {
            return Err(PollError::RetryAfter(Duration::from_secs(seconds)));
        }
        Err(failed(format!(
            "HTTP {status}: {}",
            parsed.description.unwrap_or_default()
        )))
    }
}
