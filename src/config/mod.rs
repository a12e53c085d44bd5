//! Settings: read once at start from the environment and an optional `.env`
//! file, validated into typed values. A bad value stops the process with one
//! line naming the key and what it expects; secrets never reach Debug output.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

mod desk;
mod jobs;
mod parse;
mod raw;
mod web;

pub use web::{DEFAULT_WEBAPP_AUTH_MAX_AGE, WebSettings};

pub use desk::{DeskSettings, KbSuggest};

use raw::{RawSettings, read_dotenv};

pub use jobs::JobsSettings;

pub use crate::domain::language::Language;

/// The embedded default: a SQLite file under ./data, created when missing.
pub use migration::DEFAULT_DATABASE_URL;
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
pub const DEFAULT_STORE_PREFIX: &str = "topicdesk:";
/// Where the in-process store keeps conversation state between runs.
pub const DEFAULT_STORE_STATE_FILE: &str = "data/store-state.json";
/// New tickets a client may open within an hour: enough for real questions,
/// too few for a client who closes and writes again to flood the main group.
pub const DEFAULT_TICKETS_PER_HOUR: u32 = 3;
/// How long a client has to finish the survey after closing.
pub const DEFAULT_SURVEY_TTL: Duration = Duration::from_secs(24 * 3600);
/// Updates held in memory by default; a deeper backlog waits in the
/// database, so memory stays flat however far behind the bot falls. It also
/// bounds the handlers running at once: 16 handle a 10,000-message burst as
/// fast as 32 did (the database is the limit) in about 2.5 MiB less memory
/// (BENCHMARKS.md, issue 14).
pub const DEFAULT_QUEUE_CAPACITY: usize = 16;

/// A configuration problem, always tied to the key the user has to fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{key}: {problem}")]
pub struct ConfigError {
    pub key: &'static str,
    pub problem: String,
}

impl ConfigError {
    fn new(key: &'static str, problem: impl Into<String>) -> Self {
        Self {
            key,
            problem: problem.into(),
        }
    }
}

/// A setting that works but is unwise: logged at start, never fatal.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{key}: {problem}")]
pub struct ConfigWarning {
    pub key: &'static str,
    pub problem: String,
}

/// Webhook secrets shorter than this are easy to guess.
pub const MIN_WEBHOOK_SECRET_LEN: usize = 16;

#[derive(Debug, Clone)]
pub struct Settings {
    pub telegram: TelegramSettings,
    /// The forum supergroup where every ticket gets its topic.
    pub main_group_id: i64,
    pub technicians: Vec<TechnicianConfig>,
    /// Telegram user ids of managers.
    pub admin_ids: Vec<i64>,
    /// `None` means long polling.
    pub webhook: Option<WebhookSettings>,
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub store: StoreSettings,
    pub sheets: SheetsSettings,
    pub language: Language,
    pub log_format: LogFormat,
    /// Telegram's flood limits the delivery engine keeps under.
    pub limits: crate::domain::limits::Limits,
    /// How long a client has to answer the survey after closing.
    pub survey_ttl: Duration,
    /// New tickets a client may open within an hour; past it, their messages
    /// join their latest ticket. 0: no limit.
    pub tickets_per_hour: u32,
    /// RUST_LOG, read here so a value in .env works too.
    pub log_filter: Option<String>,
    pub intake: IntakeSettings,
    /// The web desk: Mini App, REST API, live events.
    pub web: WebSettings,
    /// How the job engine paces itself (not read from the environment).
    pub jobs: JobsSettings,
    /// Categories, SLA clocks, business hours, assignment, daily report.
    pub desk: DeskSettings,
}

#[derive(Debug, Clone)]
pub struct TelegramSettings {
    pub token: SecretString,
    pub api_url: Url,
    /// Long polling's timing. Not read from the environment; tests shorten it.
    pub polling: PollingSettings,
}

/// How long a getUpdates call may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollingSettings {
    /// How long Telegram may hold a getUpdates call open when nothing is new.
    pub long_poll: Duration,
    /// How long a getUpdates call may take in all, long poll included,
    /// before it counts as failed (a timeout).
    pub timeout: Duration,
}

impl Default for PollingSettings {
    fn default() -> Self {
        Self {
            long_poll: Duration::from_secs(25),
            // Room above the long poll for a slow network.
            timeout: Duration::from_secs(40),
        }
    }
}

/// One technician from TECH_GROUPS_MAPPING.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechnicianConfig {
    pub name: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub tg_user_id: Option<i64>,
    pub group_chat_id: i64,
}

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Public base URL; the bot registers `{url}/webhook/{secret}`.
    pub url: Url,
    pub secret: SecretString,
}

impl WebhookSettings {
    /// The full URL handed to setWebhook.
    pub fn endpoint(&self) -> String {
        format!(
            "{}/webhook/{}",
            self.url.as_str().trim_end_matches('/'),
            self.secret.expose_secret()
        )
    }
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub host: IpAddr,
    pub port: u16,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// May carry a password, hence secret.
    pub url: SecretString,
}

impl DatabaseSettings {
    pub fn is_sqlite(&self) -> bool {
        self.url.expose_secret().starts_with("sqlite:")
    }
}

#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// `None` selects the in-process store.
    pub redis_url: Option<SecretString>,
    /// Put in front of every key so deployments can share one Redis.
    pub key_prefix: String,
    /// Where the in-process store saves conversation state across restarts.
    pub state_file: std::path::PathBuf,
}

pub const DEFAULT_SHEETS_API_URL: &str = "https://sheets.googleapis.com/";

#[derive(Debug, Clone)]
pub struct SheetsSettings {
    /// The service-account key: its JSON, or the path of its file.
    pub creds: Option<SecretString>,
    pub spreadsheet_id: Option<String>,
    /// The client list the cards read.
    pub range: Option<String>,
    /// Where closed tickets are appended.
    pub report_range: Option<String>,
    /// The Sheets API's base URL: Google's. Not read from the environment;
    /// tests point it at a fake.
    pub api_url: Url,
    /// How often the report worker looks for rows that are due; its backoff
    /// after a failure starts here too. Not read from the environment.
    pub report_poll: Duration,
}

impl Default for SheetsSettings {
    fn default() -> Self {
        Self {
            creds: None,
            spreadsheet_id: None,
            range: None,
            report_range: None,
            api_url: Url::parse(DEFAULT_SHEETS_API_URL).expect("a valid URL"),
            report_poll: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Json,
    Pretty,
}

/// How stored updates are processed. Defaults suit production; tests shorten
/// the waits.
#[derive(Debug, Clone)]
pub struct IntakeSettings {
    /// Attempts before an update is parked.
    pub max_attempts: u32,
    /// First retry delay; doubles with every further attempt.
    pub retry_base_delay: Duration,
    /// How long finished updates are kept before pruning.
    pub retention: Duration,
    /// How long in-flight updates may take to finish at shutdown.
    pub shutdown_grace: Duration,
    /// How often the self-check runs while it finds nothing wrong.
    pub self_check_every: Duration,
    /// How often the self-check runs while it reports problems.
    pub self_check_retry: Duration,
    /// Updates held in memory; a deeper backlog waits in the database.
    pub queue_capacity: usize,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            retry_base_delay: Duration::from_millis(500),
            retention: Duration::from_secs(7 * 24 * 3600),
            shutdown_grace: Duration::from_secs(10),
            self_check_every: Duration::from_secs(5 * 60),
            self_check_retry: Duration::from_secs(60),
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
        }
    }
}

impl Settings {
    /// Every main group: MAIN_GROUP_ID first, then each other group that a
    /// category opens its topics in, once, in the order of CATEGORIES.
    pub fn main_groups(&self) -> Vec<i64> {
        let mut groups = vec![self.main_group_id];
        for id in self.desk.categories.iter().filter_map(|c| c.main_group_id) {
            if !groups.contains(&id) {
                groups.push(id);
            }
        }
        groups
    }

    /// The main group a ticket of this category lives in: the category's
    /// own, or MAIN_GROUP_ID (also for no category or an unknown key).
    pub fn main_group_for(&self, category_key: Option<&str>) -> i64 {
        category_key
            .and_then(|key| self.desk.category(key))
            .and_then(|category| category.main_group_id)
            .unwrap_or(self.main_group_id)
    }

    /// Reads `.env` (when present) and the process environment; the
    /// environment wins, as usual.
    pub fn load() -> Result<Settings, ConfigError> {
        let mut vars = read_dotenv(Path::new(".env"))?;
        vars.extend(std::env::vars());
        Self::from_vars(vars)
    }

    /// What is unwise in these settings, each naming its key (never a
    /// secret's value).
    pub fn warnings(&self) -> Vec<ConfigWarning> {
        let mut warnings = Vec::new();
        if let Some(webhook) = &self.webhook
            && webhook.secret.expose_secret().len() < MIN_WEBHOOK_SECRET_LEN
        {
            warnings.push(ConfigWarning {
                key: "WEBHOOK_SECRET",
                problem: format!(
                    "shorter than {MIN_WEBHOOK_SECRET_LEN} characters, so it can be guessed, and whoever guesses it can post updates as Telegram; use a random one, e.g. `openssl rand -hex 32`"
                ),
            });
        }
        warnings
    }

    /// Builds settings from explicit variables (what tests use).
    pub fn from_vars(vars: HashMap<String, String>) -> Result<Settings, ConfigError> {
        let raw: RawSettings = config::Config::builder()
            .add_source(config::Environment::default().source(Some(vars)))
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| ConfigError::new("environment", e.to_string()))?;
        raw.validate()
    }
}

#[cfg(test)]
mod tests;
