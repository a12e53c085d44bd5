//! The keys as the user wrote them, and their validation into [`Settings`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use secrecy::SecretString;
use serde::Deserialize;

use super::parse::*;
use super::*;

/// Every key the user can set, as read by the `config` crate (which lower-cases
/// environment names).
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawSettings {
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
    updates_in_memory: Option<String>,
    inbound_retention_hours: Option<String>,
    telegram_flood_limits: Option<String>,
    tickets_per_hour: Option<String>,
    public_url: Option<String>,
    webapp_auth_max_age: Option<String>,
    api_cors_origins: Option<String>,
    categories: Option<String>,
    sla_policy: Option<String>,
    business_hours: Option<String>,
    holidays: Option<String>,
    assign_mode: Option<String>,
    waiting_auto_close: Option<String>,
    daily_report_at: Option<String>,
    category_timeout: Option<String>,
    kb_suggest: Option<String>,
    kb_hold_timeout: Option<String>,
}

pub(super) fn read_dotenv(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    if !path.exists() {
        return Ok(HashMap::new());
    }
    let entries =
        dotenvy::from_path_iter(path).map_err(|e| ConfigError::new(".env", e.to_string()))?;
    entries
        .map(|entry| entry.map_err(|e| ConfigError::new(".env", e.to_string())))
        .collect()
}

impl RawSettings {
    pub(super) fn validate(self) -> Result<Settings, ConfigError> {
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
            polling: PollingSettings::default(),
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
            intake.max_attempts = parse_at_least_one("UPDATE_MAX_ATTEMPTS", &v)?;
        }
        if let Some(v) = present(self.updates_in_memory) {
            intake.queue_capacity = parse_at_least_one("UPDATES_IN_MEMORY", &v)?;
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

        let tickets_per_hour = match present(self.tickets_per_hour) {
            Some(v) => parse_number("TICKETS_PER_HOUR", &v, "a whole number (0: no limit)")?,
            None => DEFAULT_TICKETS_PER_HOUR,
        };

        let web = WebSettings {
            public_url: match present(self.public_url) {
                Some(url) => Some(parse_url("PUBLIC_URL", &url)?),
                None => webhook.as_ref().map(|w| w.url.clone()),
            },
            auth_max_age: match present(self.webapp_auth_max_age) {
                Some(v) => super::web::parse_max_age(&v)?,
                None => DEFAULT_WEBAPP_AUTH_MAX_AGE,
            },
            cors_origins: match present(self.api_cors_origins) {
                Some(v) => super::web::parse_cors_origins(&v)?,
                None => Vec::new(),
            },
        };
        let desk = super::desk::DeskKeys {
            categories: present(self.categories),
            sla_policy: present(self.sla_policy),
            business_hours: present(self.business_hours),
            holidays: present(self.holidays),
            assign_mode: present(self.assign_mode),
            waiting_auto_close: present(self.waiting_auto_close),
            daily_report_at: present(self.daily_report_at),
            category_timeout: present(self.category_timeout),
            kb_suggest: present(self.kb_suggest),
            kb_hold_timeout: present(self.kb_hold_timeout),
        }
        .validate(&technicians)?;

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
            tickets_per_hour,
            intake,
            web,
            jobs: super::JobsSettings::default(),
            desk,
        })
    }
}
