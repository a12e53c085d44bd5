//! Parsing single values: ids, lists, URLs. Every problem names its key.

use url::Url;

use super::{ConfigError, DEFAULT_DATABASE_URL, TechnicianConfig};

/// Empty strings count as unset: `KEY=` in a .env file means "no value".
pub(super) fn present(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

pub(super) fn parse_number<T: std::str::FromStr>(
    key: &'static str,
    value: &str,
    expected: &str,
) -> Result<T, ConfigError> {
    value
        .parse()
        .map_err(|_| ConfigError::new(key, format!("expected {expected}, got {value:?}")))
}

/// A whole number of at least one (a count that zero would break).
pub(super) fn parse_at_least_one<T>(key: &'static str, value: &str) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialEq + From<u8>,
{
    let expected = "a whole number ≥ 1";
    let number: T = parse_number(key, value, expected)?;
    if number == T::from(0) {
        return Err(ConfigError::new(key, format!("expected {expected}, got 0")));
    }
    Ok(number)
}

pub(super) fn parse_url(key: &'static str, value: &str) -> Result<Url, ConfigError> {
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

pub(super) fn is_token_shaped(token: &str) -> bool {
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

pub(super) fn is_webhook_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(super) fn parse_group_id(key: &'static str, value: &str) -> Result<i64, ConfigError> {
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

pub(super) fn parse_admin_ids(list: &str) -> Result<Vec<i64>, ConfigError> {
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

pub(super) fn parse_technicians(json: &str) -> Result<Vec<TechnicianConfig>, ConfigError> {
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

pub(super) struct PostgresParts {
    pub host: Option<String>,
    pub port: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub db: Option<String>,
}

pub(super) fn database_url(
    explicit: Option<String>,
    pg: PostgresParts,
) -> Result<String, ConfigError> {
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

pub(super) fn redis_url(
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
