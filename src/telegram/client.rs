//! The Bot API client: one attempt per call, classified and counted by
//! method and outcome. Only the [`super::Sender`] calls it.

use std::time::Duration;

use secrecy::ExposeSecret;
use teloxide::Bot;
use teloxide::RequestError;
use teloxide::requests::{Output, Payload, Request};

use super::errors::{Failure, TelegramError, classify};
use super::health::TelegramHealth;
use crate::config::TelegramSettings;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct Telegram {
    bot: Bot,
    metrics: Metrics,
    /// For getUpdates, whose long poll needs its own timeout.
    polling: super::updates::Polling,
    health: TelegramHealth,
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
            health: TelegramHealth::default(),
        }
    }

    /// The raw teloxide bot: requests are built from it (and sent through
    /// the [`super::Sender`]); the dispatcher asks it who the bot is.
    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    pub fn health(&self) -> &TelegramHealth {
        &self.health
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

    /// Sends `request` once, classifies and counts the outcome. Nothing
    /// here sleeps: a 429 or an outage is handed back, and the caller decides
    /// how long its own work waits (the outbox: its lane, never a lock).
    pub(super) async fn call<R>(&self, request: R) -> Result<Output<R>, TelegramError>
    where
        R: Request<Err = RequestError>,
    {
        let method = <R::Payload as Payload>::NAME;
        match request.send().await {
            Ok(output) => {
                self.count(method, "ok");
                self.health.answered();
                Ok(output)
            }
            Err(error) => {
                let failure = classify(&error);
                if failure == Failure::Network {
                    self.health.failed();
                } else {
                    self.health.answered();
                }
                let outcome = match failure {
                    Failure::Network => "network",
                    Failure::RetryAfter(_) => "retry_after",
                    _ => "api_error",
                };
                self.count(method, outcome);
                Err(TelegramError::new(method, error, self.bot.token()))
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
