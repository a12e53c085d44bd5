//! Telegram's Mini App sign-in: the `initData` string the page receives,
//! checked the way Telegram documents it. Every field but `hash`, decoded
//! and sorted by name, joined as `name=value` lines, must carry
//! `hash = HMAC-SHA256(key = HMAC-SHA256("WebAppData", bot token), lines)`;
//! and `auth_date` must be recent, so a copied string stops working.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A clock ahead of ours by more than this makes `auth_date` suspect.
const FUTURE_SKEW: i64 = 60;
/// initData is a few hundred bytes; anything far larger is not Telegram's.
const MAX_LEN: usize = 16 * 1024;

/// The person Telegram says opened the Mini App.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebAppUser {
    pub id: i64,
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub language_code: Option<String>,
}

impl WebAppUser {
    pub fn full_name(&self) -> String {
        match self
            .last_name
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            Some(last) => format!("{} {last}", self.first_name.trim()),
            None => self.first_name.trim().to_owned(),
        }
    }
}

/// Why initData was refused. The texts name no secret and no expected
/// hash: they tell the caller what to fix, nothing that helps a forger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InitDataError {
    #[error("init_data is not a query string from Telegram")]
    Malformed,
    #[error("init_data has no hash")]
    MissingHash,
    #[error("init_data is not signed with this bot's token")]
    BadSignature,
    #[error("init_data has no valid auth_date")]
    MissingAuthDate,
    #[error("init_data is too old: open the Mini App again")]
    Expired,
    #[error("init_data carries no user")]
    MissingUser,
}

/// The secret key Telegram derives from the bot token for Mini Apps.
fn secret_key(bot_token: &str) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(b"WebAppData").expect("HMAC takes any key");
    mac.update(bot_token.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The fields of `init_data`, decoded; `None` when a name repeats (a
/// second value could otherwise slip past the check).
fn fields(init_data: &str) -> Option<BTreeMap<String, String>> {
    let mut fields = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(init_data.as_bytes()) {
        if fields
            .insert(name.into_owned(), value.into_owned())
            .is_some()
        {
            return None;
        }
    }
    Some(fields)
}

fn data_check_string(fields: &BTreeMap<String, String>) -> String {
    fields
        .iter()
        .filter(|(name, _)| name.as_str() != "hash")
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
        .collect()
}

/// Checks `init_data` against the bot token and returns who signed in.
pub fn verify(
    init_data: &str,
    bot_token: &str,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<WebAppUser, InitDataError> {
    if init_data.is_empty() || init_data.len() > MAX_LEN {
        return Err(InitDataError::Malformed);
    }
    let fields = fields(init_data).ok_or(InitDataError::Malformed)?;
    let hash = fields.get("hash").ok_or(InitDataError::MissingHash)?;
    let hash = decode_hex(hash).ok_or(InitDataError::BadSignature)?;
    let mut mac = HmacSha256::new_from_slice(&secret_key(bot_token)).expect("HMAC takes any key");
    mac.update(data_check_string(&fields).as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&hash)
        .map_err(|_| InitDataError::BadSignature)?;

    let auth_date: i64 = fields
        .get("auth_date")
        .and_then(|v| v.parse().ok())
        .ok_or(InitDataError::MissingAuthDate)?;
    let age = now.timestamp() - auth_date;
    if age < -FUTURE_SKEW || age > max_age.as_secs() as i64 {
        return Err(InitDataError::Expired);
    }
    let user = fields.get("user").ok_or(InitDataError::MissingUser)?;
    serde_json::from_str(user).map_err(|_| InitDataError::MissingUser)
}

/// Signs `fields` the way Telegram does, as a query string with `hash`
/// last. For tests and tools that stand in for Telegram.
pub fn sign(fields: &[(&str, &str)], bot_token: &str) -> String {
    let map: BTreeMap<String, String> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut mac = HmacSha256::new_from_slice(&secret_key(bot_token)).expect("HMAC takes any key");
    mac.update(data_check_string(&map).as_bytes());
    let hash: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        query.append_pair(name, value);
    }
    query.append_pair("hash", &hash);
    query.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:TEST-token_abc";
    const USER: &str = r#"{"id":42,"first_name":"Maria","last_name":"Manager","username":"maria","language_code":"en"}"#;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn signed(auth_date: i64) -> String {
        sign(
            &[
                ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"),
                ("user", USER),
                ("auth_date", &auth_date.to_string()),
            ],
            TOKEN,
        )
    }

    #[test]
    fn data_signed_with_the_bot_token_names_the_user() {
        let user = verify(
            &signed(1_800_000_000 - 10),
            TOKEN,
            now(),
            Duration::from_secs(3600),
        )
        .unwrap();
        assert_eq!(user.id, 42);
        assert_eq!(user.full_name(), "Maria Manager");
        assert_eq!(user.username.as_deref(), Some("maria"));
    }

    #[test]
    fn another_token_a_changed_field_or_no_hash_is_refused() {
        let data = signed(1_800_000_000);
        let hour = Duration::from_secs(3600);
        assert_eq!(
            verify(&data, "999:other", now(), hour),
            Err(InitDataError::BadSignature)
        );
        let changed = data.replace("%22id%22%3A42", "%22id%22%3A43");
        assert_ne!(changed, data);
        assert_eq!(
            verify(&changed, TOKEN, now(), hour),
            Err(InitDataError::BadSignature)
        );
        let no_hash: String = data.split("&hash=").next().unwrap().to_owned();
        assert_eq!(
            verify(&no_hash, TOKEN, now(), hour),
            Err(InitDataError::MissingHash)
        );
        let twice = format!("{data}&auth_date=1");
        assert_eq!(
            verify(&twice, TOKEN, now(), hour),
            Err(InitDataError::Malformed)
        );
    }

    #[test]
    fn old_data_is_refused_and_the_limit_is_the_setting() {
        let hour = Duration::from_secs(3600);
        let old = signed(1_800_000_000 - 3601);
        assert_eq!(
            verify(&old, TOKEN, now(), hour),
            Err(InitDataError::Expired)
        );
        assert!(verify(&old, TOKEN, now(), Duration::from_secs(7200)).is_ok());
        let future = signed(1_800_000_000 + 3600);
        assert_eq!(
            verify(&future, TOKEN, now(), hour),
            Err(InitDataError::Expired)
        );
    }

    #[test]
    fn garbage_is_refused_without_a_panic() {
        let hour = Duration::from_secs(3600);
        for junk in ["", "hash=zz", "hash=abc", "%%%", "user=1&hash=00"] {
            assert!(verify(junk, TOKEN, now(), hour).is_err(), "{junk}");
        }
        assert_eq!(
            verify(&"a".repeat(MAX_LEN + 1), TOKEN, now(), hour),
            Err(InitDataError::Malformed)
        );
    }
}
