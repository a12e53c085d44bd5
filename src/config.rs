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

pub use crate::domain::language::Language;

/// The embedded default: a SQLite file under ./data, created when missing.
pub use migration::DEFAULT_DATABASE_URL;
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
pub const DEFAULT_STORE_PREFIX: &str = "topicdesk:";
/// Where the in-process store keeps conversation state between runs.
pub const DEFAULT_STORE_STATE_FILE: &str = "data/store-state.json";
/// How long a client has to finish the survey after closing.
pub const DEFAULT_SURVEY_TTL: Duration = Duration::from_secs(24 * 3600);
/// Updates held in memory by default; a deeper backlog waits in the
/// database, so memory stays flat however far behind the bot falls.
pub const DEFAULT_QUEUE_CAPACITY: usize = 32;

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
    /// RUST_LOG, read here so a value in .env works too.
    pub log_filter: Option<String>,
    pub intake: IntakeSettings,
}

#[derive(Debug, Clone)]
pub struct TelegramSettings {
    pub token: SecretString,
    pub api_url: Url,
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
    /// How often the startup self-check is repeated while it reports problems.
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
            self_check_retry: Duration::from_secs(60),
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
        }
    }
}

/// Every key the user can set, as read by the `config` crate (which lower-cases
/// environment names).
#[derive(Debug, Default, Deserialize)]
struct RawSettings {
    bot_token: Option<String>,
    main_group_id: Option<String>,
    tech_groups_mapping: Option<String>,
    admin_ids: Option<String>,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
    app_host: Option<String>,
    app_port: Option<String>,
    telegram_api_url: Option<String>,
    database_url: Option<String>,
    postgres_host: Option<String>,
    postgres_port: Option<String>,
    postgres_user: Option<String>,
    postgres_password: Option<String>,
    postgres_db: Option<String>,
    redis_url: Option<String>,
    redis_host: Option<String>,
    redis_port: Option<String>,
    redis_password: Option<String>,
    redis_db: Option<String>,
    store_key_prefix: Option<String>,
    store_state_file: Option<String>,
    sheets_creds: Option<String>,
    sheets_spreadsheet_id: Option<String>,
    sheets_range: Option<String>,
    sheets_report_range: Option<String>,
    bot_language: Option<String>,
    log_format: Option<String>,
    rust_log: Option<String>,
    update_max_attempts: Option<String>,
    inbound_retention_hours: Option<String>,
    telegram_flood_limits: Option<String>,
}

impl Settings {
    /// Reads `.env` (when present) and the process environment; the
    /// environment wins, as usual.
    pub fn load() -> Result<Settings, ConfigError> {
        let mut vars = read_dotenv(Path::new(".env"))?;
        vars.extend(std::env::vars());
        Self::from_vars(vars)
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

fn read_dotenv(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    if !path.exists() {
        return Ok(HashMap::new());
    }
    let entries =
        dotenvy::from_path_iter(path).map_err(|e| ConfigError::new(".env", e.to_string()))?;
    entries
        .map(|entry| entry.map_err(|e| ConfigError::new(".env", e.to_string())))
        .collect()
}

/// Empty strings count as unset: `KEY=` in a .env file means "no value".
fn present(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn parse_number<T: std::str::FromStr>(
    key: &'static str,
    value: &str,
    expected: &str,
) -> Result<T, ConfigError> {
    value
        .parse()
        .map_err(|_| ConfigError::new(key, format!("expected {expected}, got {value:?}")))
}

fn parse_url(key: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|e| {
        ConfigError::new(key, format!("expected an http(s) URL, got {value:?} ({e})"))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::new(
            key,
            format!("expected an http(s) URL, got scheme {:?}", url.scheme()),
        ));
    }
    Ok(url)
}

impl RawSettings {
    fn validate(self) -> Result<Settings, ConfigError> {
        let token = present(self.bot_token).ok_or_else(|| {
            ConfigError::new(
                "BOT_TOKEN",
                "required: the token @BotFather gave you, like 123456789:AAE…",
            )
        })?;
        if !is_token_shaped(&token) {
            return Err(ConfigError::new(
                "BOT_TOKEN",
                "expected the token from @BotFather, like 123456789:AAE… (digits, a colon, then letters, digits, _ or -)",
            ));
        }

        let main_group_id = present(self.main_group_id).ok_or_else(|| {
            ConfigError::new(
                "MAIN_GROUP_ID",
                "required: the id of the forum supergroup, like -1001234567890",
            )
        })?;
        let main_group_id = parse_group_id("MAIN_GROUP_ID", &main_group_id)?;

        let technicians = match present(self.tech_groups_mapping) {
            Some(json) => parse_technicians(&json)?,
            None => Vec::new(),
        };
        let admin_ids = match present(self.admin_ids) {
            Some(list) => parse_admin_ids(&list)?,
            None => Vec::new(),
        };

        let webhook = match present(self.webhook_url) {
            Some(url) => {
                let url = parse_url("WEBHOOK_URL", &url)?;
                let secret = present(self.webhook_secret).ok_or_else(|| {
                    ConfigError::new(
                        "WEBHOOK_SECRET",
                        "required when WEBHOOK_URL is set: 1–256 characters of A-Z a-z 0-9 _ -",
                    )
                })?;
                if !is_webhook_secret(&secret) {
                    return Err(ConfigError::new(
                        "WEBHOOK_SECRET",
                        "expected 1–256 characters of A-Z a-z 0-9 _ -",
                    ));
                }
                Some(WebhookSettings {
                    url,
                    secret: secret.into(),
                })
            }
            None => None,
        };

        let http = HttpSettings {
            host: match present(self.app_host) {
                Some(host) => parse_number("APP_HOST", &host, "an IP address like 0.0.0.0")?,
                None => IpAddr::from([0, 0, 0, 0]),
            },
            port: match present(self.app_port) {
                Some(port) => parse_number("APP_PORT", &port, "a port number 0–65535")?,
                None => 8080,
            },
        };

        let api_url =
            present(self.telegram_api_url).unwrap_or_else(|| DEFAULT_TELEGRAM_API_URL.to_owned());
        let telegram = TelegramSettings {
            token: token.into(),
            api_url: parse_url("TELEGRAM_API_URL", &api_url)?,
        };

        let database = DatabaseSettings {
            url: database_url(
                present(self.database_url),
                PostgresParts {
                    host: present(self.postgres_host),
                    port: present(self.postgres_port),
                    user: present(self.postgres_user),
                    password: present(self.postgres_password),
                    db: present(self.postgres_db),
                },
            )?
            .into(),
        };

        let store = StoreSettings {
            redis_url: redis_url(
                present(self.redis_url),
                present(self.redis_host),
                present(self.redis_port),
                present(self.redis_password),
                present(self.redis_db),
            )?
            .map(SecretString::from),
            key_prefix: present(self.store_key_prefix)
                .unwrap_or_else(|| DEFAULT_STORE_PREFIX.to_owned()),
            state_file: present(self.store_state_file)
                .unwrap_or_else(|| DEFAULT_STORE_STATE_FILE.to_owned())
                .into(),
        };

        let sheets = SheetsSettings {
            creds: present(self.sheets_creds).map(SecretString::from),
            spreadsheet_id: present(self.sheets_spreadsheet_id),
            range: present(self.sheets_range),
            report_range: present(self.sheets_report_range),
            ..SheetsSettings::default()
        };

        let language = match present(self.bot_language) {
            None => Language::Ru,
            Some(v) => Language::from_code(&v)
                .filter(|_| v.len() == 2)
                .ok_or_else(|| {
                    ConfigError::new("BOT_LANGUAGE", format!("expected ru, kk or en, got {v:?}"))
                })?,
        };
        let log_format = match present(self.log_format).as_deref() {
            None => LogFormat::Json,
            Some(v) if v.eq_ignore_ascii_case("json") => LogFormat::Json,
            Some(v) if v.eq_ignore_ascii_case("pretty") => LogFormat::Pretty,
            Some(v) => {
                return Err(ConfigError::new(
                    "LOG_FORMAT",
                    format!("expected json or pretty, got {v:?}"),
                ));
            }
        };

        let mut intake = IntakeSettings::default();
        if let Some(v) = present(self.update_max_attempts) {
            intake.max_attempts = parse_number("UPDATE_MAX_ATTEMPTS", &v, "a whole number ≥ 1")?;
            if intake.max_attempts == 0 {
                return Err(ConfigError::new(
                    "UPDATE_MAX_ATTEMPTS",
                    "expected a whole number ≥ 1, got 0",
                ));
            }
        }
        if let Some(v) = present(self.inbound_retention_hours) {
            let hours: u64 =
                parse_number("INBOUND_RETENTION_HOURS", &v, "a whole number of hours")?;
            intake.retention = Duration::from_secs(hours * 3600);
        }

        let limits = match present(self.telegram_flood_limits).as_deref() {
            None => crate::domain::limits::Limits::telegram(),
            Some(v) if v.eq_ignore_ascii_case("telegram") => {
                crate::domain::limits::Limits::telegram()
            }
            Some(v) if v.eq_ignore_ascii_case("off") => crate::domain::limits::Limits::unlimited(),
            Some(v) => {
                return Err(ConfigError::new(
                    "TELEGRAM_FLOOD_LIMITS",
                    format!("expected telegram or off, got {v:?}"),
                ));
            }
        };

        Ok(Settings {
            telegram,
            main_group_id,
            technicians,
            admin_ids,
            webhook,
            http,
            database,
            store,
            sheets,
            language,
            log_format,
            log_filter: present(self.rust_log),
            limits,
            survey_ttl: DEFAULT_SURVEY_TTL,
            intake,
        })
    }
}

fn is_token_shaped(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, rest)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

fn is_webhook_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn parse_group_id(key: &'static str, value: &str) -> Result<i64, ConfigError> {
    let expected = "a supergroup chat id, a negative number like -1001234567890";
    let id: i64 = parse_number(key, value, expected)?;
    if id >= 0 {
        return Err(ConfigError::new(
            key,
            format!("expected {expected}, got {id} (group ids are negative)"),
        ));
    }
    Ok(id)
}

fn parse_admin_ids(list: &str) -> Result<Vec<i64>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            parse_number(
                "ADMIN_IDS",
                part,
                "comma-separated Telegram user ids like 111,222",
            )
        })
        .collect()
}

fn parse_technicians(json: &str) -> Result<Vec<TechnicianConfig>, ConfigError> {
    const EXAMPLE: &str =
        r#"[{"name":"Ivan Petrov","username":"ivan","tg_user_id":111,"group_chat_id":-1002222}]"#;
    let mut technicians: Vec<TechnicianConfig> = serde_json::from_str(json).map_err(|e| {
        ConfigError::new(
            "TECH_GROUPS_MAPPING",
            format!("expected a JSON array like {EXAMPLE}: {e}"),
        )
    })?;
    for (index, tech) in technicians.iter_mut().enumerate() {
        tech.name = tech.name.trim().to_owned();
        if tech.name.is_empty() {
            return Err(ConfigError::new(
                "TECH_GROUPS_MAPPING",
                format!("technician #{} has an empty name", index + 1),
            ));
        }
        tech.username = tech
            .username
            .take()
            .map(|u| u.trim().trim_start_matches('@').to_owned())
            .filter(|u| !u.is_empty());
        if tech.group_chat_id >= 0 {
            return Err(ConfigError::new(
                "TECH_GROUPS_MAPPING",
                format!(
                    "technician {:?} has group_chat_id {}, expected a negative supergroup id",
                    tech.name, tech.group_chat_id
                ),
            ));
        }
    }
    Ok(technicians)
}

struct PostgresParts {
    host: Option<String>,
    port: Option<String>,
    user: Option<String>,
    password: Option<String>,
    db: Option<String>,
}

fn database_url(explicit: Option<String>, pg: PostgresParts) -> Result<String, ConfigError> {
    if let Some(url) = explicit {
        if !(url.starts_with("postgres://")
            || url.starts_with("postgresql://")
            || url.starts_with("sqlite:"))
        {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "expected postgres://user:password@host:port/db or sqlite://path/to/file.db",
            ));
        }
        return Ok(url);
    }
    let Some(host) = pg.host else {
        return Ok(DEFAULT_DATABASE_URL.to_owned());
    };
    let port: u16 = match pg.port {
        Some(port) => parse_number("POSTGRES_PORT", &port, "a port number")?,
        None => 5432,
    };
    let user = pg.user.unwrap_or_else(|| "postgres".to_owned());
    let db = pg.db.unwrap_or_else(|| "topicdesk".to_owned());
    let mut url = Url::parse(&format!("postgres://{host}:{port}/"))
        .map_err(|e| ConfigError::new("POSTGRES_HOST", format!("expected a host name: {e}")))?;
    url.set_path(&db);
    url.set_username(&user)
        .map_err(|_| ConfigError::new("POSTGRES_USER", "expected a user name"))?;
    if let Some(password) = pg.password {
        url.set_password(Some(&password))
            .map_err(|_| ConfigError::new("POSTGRES_PASSWORD", "could not be used in a URL"))?;
    }
    Ok(url.to_string())
}

fn redis_url(
    explicit: Option<String>,
    host: Option<String>,
    port: Option<String>,
    password: Option<String>,
    db: Option<String>,
) -> Result<Option<String>, ConfigError> {
    if let Some(url) = explicit {
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            return Err(ConfigError::new(
                "REDIS_URL",
                "expected redis://[:password@]host:port[/db]",
            ));
        }
        return Ok(Some(url));
    }
    let Some(host) = host else {
        return Ok(None);
    };
    let port: u16 = match port {
        Some(port) => parse_number("REDIS_PORT", &port, "a port number")?,
        None => 6379,
    };
    let db: u32 = match db {
        Some(db) => parse_number("REDIS_DB", &db, "a database number like 0")?,
        None => 0,
    };
    let mut url = Url::parse(&format!("redis://{host}:{port}/{db}"))
        .map_err(|e| ConfigError::new("REDIS_HOST", format!("expected a host name: {e}")))?;
    if let Some(password) = password {
        url.set_password(Some(&password))
            .map_err(|_| ConfigError::new("REDIS_PASSWORD", "could not be used in a URL"))?;
    }
    Ok(Some(url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn minimal() -> Vec<(&'static str, &'static str)> {
        vec![
            ("BOT_TOKEN", "123456:ABC-def_1"),
            ("MAIN_GROUP_ID", "-1001234567890"),
        ]
    }

    fn load(extra: &[(&'static str, &'static str)]) -> Result<Settings, ConfigError> {
        let mut pairs = minimal();
        pairs.extend_from_slice(extra);
        Settings::from_vars(vars(&pairs))
    }

    #[test]
    fn minimal_settings_use_the_embedded_defaults() {
        let s = load(&[]).unwrap();
        assert_eq!(s.main_group_id, -1001234567890);
        assert_eq!(s.database.url.expose_secret(), DEFAULT_DATABASE_URL);
        assert!(s.store.redis_url.is_none());
        assert!(s.webhook.is_none());
        assert_eq!(s.http.port, 8080);
        assert_eq!(s.language, Language::Ru);
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.telegram.api_url.as_str(), "https://api.telegram.org/");
    }

    #[test]
    fn a_missing_token_names_its_key() {
        let err = Settings::from_vars(vars(&[("MAIN_GROUP_ID", "-100")])).unwrap_err();
        assert_eq!(err.key, "BOT_TOKEN");
    }

    #[test]
    fn a_malformed_group_id_names_its_key_and_the_value() {
        let err = load(&[("MAIN_GROUP_ID", "main")]).unwrap_err();
        assert_eq!(err.key, "MAIN_GROUP_ID");
        assert!(err.problem.contains("\"main\""), "{err}");
        let err = load(&[("MAIN_GROUP_ID", "42")]).unwrap_err();
        assert!(err.problem.contains("negative"), "{err}");
    }

    #[test]
    fn the_webhook_needs_a_well_formed_secret() {
        let err = load(&[("WEBHOOK_URL", "https://bot.example.com")]).unwrap_err();
        assert_eq!(err.key, "WEBHOOK_SECRET");
        let err = load(&[
            ("WEBHOOK_URL", "https://bot.example.com"),
            ("WEBHOOK_SECRET", "has spaces"),
        ])
        .unwrap_err();
        assert_eq!(err.key, "WEBHOOK_SECRET");
        let s = load(&[
            ("WEBHOOK_URL", "https://bot.example.com/"),
            ("WEBHOOK_SECRET", "s3cr3t_-X"),
        ])
        .unwrap();
        assert_eq!(
            s.webhook.unwrap().endpoint(),
            "https://bot.example.com/webhook/s3cr3t_-X"
        );
    }

    #[test]
    fn technicians_are_parsed_and_normalised() {
        let s = load(&[(
            "TECH_GROUPS_MAPPING",
            r#"[{"name":" Ivan Petrov ","username":"@ivan","tg_user_id":111,"group_chat_id":-1002222},{"name":"Olga","group_chat_id":-1003333}]"#,
        )])
        .unwrap();
        assert_eq!(s.technicians.len(), 2);
        assert_eq!(s.technicians[0].name, "Ivan Petrov");
        assert_eq!(s.technicians[0].username.as_deref(), Some("ivan"));
        assert_eq!(s.technicians[1].tg_user_id, None);
    }

    #[test]
    fn a_broken_technician_mapping_names_its_key() {
        let err = load(&[("TECH_GROUPS_MAPPING", "[{\"name\":\"x\"}]")]).unwrap_err();
        assert_eq!(err.key, "TECH_GROUPS_MAPPING");
        assert!(err.problem.contains("group_chat_id"), "{err}");
    }

    #[test]
    fn admin_ids_are_a_comma_separated_list() {
        let s = load(&[("ADMIN_IDS", "111, 222,")]).unwrap();
        assert_eq!(s.admin_ids, vec![111, 222]);
        let err = load(&[("ADMIN_IDS", "111,bob")]).unwrap_err();
        assert_eq!(err.key, "ADMIN_IDS");
    }

    #[test]
    fn postgres_parts_build_a_database_url() {
        let s = load(&[
            ("POSTGRES_HOST", "db"),
            ("POSTGRES_USER", "desk"),
            ("POSTGRES_PASSWORD", "p@ss word"),
            ("POSTGRES_DB", "helpdesk"),
        ])
        .unwrap();
        assert_eq!(
            s.database.url.expose_secret(),
            "postgres://desk:p%40ss%20word@db:5432/helpdesk"
        );
    }

    #[test]
    fn redis_parts_build_a_redis_url() {
        let s = load(&[
            ("REDIS_HOST", "cache"),
            ("REDIS_PASSWORD", "pw"),
            ("REDIS_DB", "2"),
        ])
        .unwrap();
        assert_eq!(
            s.store.redis_url.unwrap().expose_secret(),
            "redis://:pw@cache:6379/2"
        );
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let s = load(&[
            ("WEBHOOK_URL", "https://bot.example.com"),
            ("WEBHOOK_SECRET", "webhooksecretvalue"),
            ("DATABASE_URL", "postgres://u:dbpasswordvalue@h/d"),
            ("SHEETS_CREDS", "sheetskeyvalue"),
        ])
        .unwrap();
        let printed = format!("{s:?}");
        for secret in [
            "ABC-def_1",
            "webhooksecretvalue",
            "dbpasswordvalue",
            "sheetskeyvalue",
        ] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
    }

    #[test]
    fn unknown_language_and_log_format_are_refused() {
        assert_eq!(
            load(&[("BOT_LANGUAGE", "de")]).unwrap_err().key,
            "BOT_LANGUAGE"
        );
        assert_eq!(
            load(&[("LOG_FORMAT", "xml")]).unwrap_err().key,
            "LOG_FORMAT"
        );
        assert_eq!(
            load(&[("TELEGRAM_FLOOD_LIMITS", "sometimes")])
                .unwrap_err()
                .key,
            "TELEGRAM_FLOOD_LIMITS"
        );
        assert_eq!(
            load(&[("TELEGRAM_FLOOD_LIMITS", "OFF")]).unwrap().limits,
            crate::domain::limits::Limits::unlimited()
        );
        assert_eq!(
            load(&[]).unwrap().limits,
            crate::domain::limits::Limits::telegram()
        );
        assert_eq!(
            load(&[("BOT_LANGUAGE", "EN")]).unwrap().language,
            Language::En
        );
    }
}
