//! The one path for outbound Bot API calls: waits out 429s on every method
//! (teloxide's Throttle covers only sends), retries network failures where a
//! repeat cannot duplicate a message, and counts calls by method and outcome.

use std::time::Duration;

use secrecy::ExposeSecret;
use teloxide::Bot;
use teloxide::RequestError;
use teloxide::requests::{Output, Payload, Request};

use super::errors::{Failure, TelegramError, classify, describe};
use crate::config::TelegramSettings;
use crate::metrics::Metrics;

/// How many 429s one call waits out before giving up.
const MAX_RATE_LIMIT_WAITS: u32 = 8;
/// Network retries for calls that are safe to repeat.
const MAX_NETWORK_RETRIES: u32 = 3;
/// Longest wait honoured from a retry_after, so a hostile or buggy answer
/// cannot park a worker for hours.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

#[derive(Clone)]
pub struct Telegram {
    bot: Bot,
    metrics: Metrics,
    /// For getUpdates, whose long poll needs its own timeout.
    polling: super::updates::Polling,
}

impl Telegram {
    pub fn new(settings: &TelegramSettings, metrics: Metrics) -> Self {
        // Long polling holds a request open for up to 30 s; leave room above it.
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(45))
            .tcp_nodelay(true)
            .build()
            .expect("a reqwest client with static settings builds");
        let api_url = settings.api_url.clone();
        let bot = Bot::with_client(settings.token.expose_secret(), client).set_api_url(api_url);
        Self {
            bot,
            metrics,
            polling: super::updates::Polling::new(settings),
        }
    }

    /// The raw teloxide bot: requests are built from it (and sent through
    /// the [`super::Sender`]); the dispatcher asks it who the bot is.
    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    pub(super) fn polling_http(&self) -> &super::updates::Polling {
        &self.polling
    }

    /// `{api}/bot{token}/{method}`: never to be logged.
    pub(super) fn method_url(&self, method: &str) -> String {
        format!(
            "{}/bot{}/{method}",
            self.bot.api_url().as_str().trim_end_matches('/'),
            self.bot.token()
        )
    }

    /// Sends `request`, waiting out rate limits and retrying where safe.
    pub(super) async fn call<R>(&self, request: R) -> Result<Output<R>, TelegramError>
    where
        R: Request<Err = RequestError>,
    {
        let method = <R::Payload as Payload>::NAME;
        let mut rate_limit_waits = 0;
        let mut network_retries = 0;
        loop {
            let error = match request.send_ref().await {
                Ok(output) => {
                    self.count(method, "ok");
                    return Ok(output);
                }
                Err(error) => error,
            };
            match classify(&error) {
                Failure::RetryAfter(wait) if rate_limit_waits < MAX_RATE_LIMIT_WAITS => {
                    self.count(method, "retry_after");
                    rate_limit_waits += 1;
                    let wait = wait.min(MAX_RETRY_AFTER);
                    tracing::warn!(
                        method,
                        wait_secs = wait.as_secs_f64(),
                        "Telegram asked us to slow down"
                    );
                    tokio::time::sleep(wait).await;
                }
                Failure::Network
                    if is_safe_to_repeat(method) && network_retries < MAX_NETWORK_RETRIES =>
                {
                    self.count(method, "network");
                    network_retries += 1;
                    let wait = Duration::from_millis(250 << network_retries);
                    tracing::warn!(method, error = %describe(&error, self.bot.token()), "Telegram did not answer; retrying");
                    tokio::time::sleep(wait).await;
                }
                failure => {
                    let outcome = match failure {
                        Failure::Network => "network",
                        Failure::RetryAfter(_) => "retry_after",
                        _ => "api_error",
                    };
                    self.count(method, outcome);
                    return Err(TelegramError::new(method, error, self.bot.token()));
                }
            }
        }
    }

    fn count(&self, method: &str, outcome: &str) {
        self.metrics
            .telegram_calls
            .with_label_values(&[method, outcome])
            .inc();
    }
}

/// A request that timed out may still have reached Telegram. Repeating a read
/// or an edit is harmless; repeating a send could post the message twice, so
/// sends fail upwards and the update-level retry (with its dedup keys) decides.
fn is_safe_to_repeat(method: &str) -> bool {
    let lower = method.to_ascii_lowercase();
    lower.starts_with("get")
        || lower.starts_with("edit")
        || lower.starts_with("set")
        || lower.starts_with("delete")
        || lower.starts_with("close")
        || lower.starts_with("reopen")
        || lower == "answercallbackquery"
}
