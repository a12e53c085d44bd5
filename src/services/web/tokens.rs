//! The tokens of the web desk: short-lived access tokens (JWT, HS256) and
//! random opaque tokens (refresh and API tokens), which are stored only as
//! SHA-256 hashes.
//!
//! The JWT key is derived from the bot token, `HMAC-SHA256(bot token,
//! "topicdesk web access tokens v1")`, rather than read from a new setting:
//! every instance of one bot agrees on it with nothing more to configure
//! or leak, and revoking the bot token with @BotFather, which is what one
//! does after a leak, also ends every session. The derivation keeps the
//! key apart from the Mini App's own `WebAppData` key, so knowing one
//! tells nothing about the other.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long an access token is good for.
pub const ACCESS_TTL: chrono::Duration = chrono::Duration::minutes(15);
/// How long a refresh token is good for, from when it was issued.
pub const REFRESH_TTL: chrono::Duration = chrono::Duration::days(30);

const ISSUER: &str = "topicdesk";
const AUDIENCE: &str = "topicdesk-web";
/// Refresh tokens start with this, API tokens with [`API_PREFIX`]: a
/// bearer token tells by its first characters what it is.
pub const REFRESH_PREFIX: &str = "tdr_";
pub const API_PREFIX: &str = "tdk_";

/// What an access token says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The Telegram user id.
    pub sub: String,
    pub name: String,
    #[serde(default)]
    pub username: Option<String>,
    /// `admin` or `technician`.
    pub role: String,
    /// The technician's row, when the holder is one.
    #[serde(default)]
    pub tech: Option<i32>,
    /// The refresh-token family of the sign-in.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct AccessKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for AccessKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessKeys(…)")
    }
}

impl AccessKeys {
    pub fn from_bot_token(bot_token: &str) -> Self {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(bot_token.as_bytes()).expect("HMAC takes any key");
        mac.update(b"topicdesk web access tokens v1");
        let key = mac.finalize().into_bytes();
        Self {
            encoding: EncodingKey::from_secret(&key).expect("any HMAC key is a key"),
            decoding: DecodingKey::from_secret(&key).expect("any HMAC key is a key"),
        }
    }

    /// A signed token for `claims` (its `iat`, `exp`, `iss` and `aud` are
    /// set here).
    pub fn issue(&self, mut claims: AccessClaims, now: DateTime<Utc>) -> String {
        claims.iat = now.timestamp();
        claims.exp = (now + ACCESS_TTL).timestamp();
        claims.iss = ISSUER.to_owned();
        claims.aud = AUDIENCE.to_owned();
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// The claims of a valid, unexpired token of ours; `None` otherwise.
    pub fn check(&self, token: &str) -> Option<AccessClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        // Expiry is exact: a 15-minute token is not good for 16.
        validation.leeway = 0;
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A new random token: the prefix and 32 random bytes, URL-safe.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the system's random source works");
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// How a random token is stored: its SHA-256, in hex. A fast hash is
/// enough here, since the tokens are 256 random bits, not passwords.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> AccessClaims {
        AccessClaims {
            sub: "42".into(),
            name: "Maria".into(),
            username: None,
            role: "admin".into(),
            tech: None,
            sid: "family".into(),
            iat: 0,
            exp: 0,
            iss: String::new(),
            aud: String::new(),
        }
    }

    #[test]
    fn a_token_checks_with_the_same_bot_token_only() {
        let keys = AccessKeys::from_bot_token("1:a");
        let token = keys.issue(claims(), Utc::now());
        let back = keys.check(&token).unwrap();
        assert_eq!(back.sub, "42");
        assert_eq!(back.exp - back.iat, ACCESS_TTL.num_seconds());
        assert_eq!(AccessKeys::from_bot_token("1:b").check(&token), None);
        assert_eq!(keys.check("not-a-token"), None);
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = AccessKeys::from_bot_token("1:a");
        let token = keys.issue(claims(), Utc::now() - chrono::Duration::minutes(16));
        assert_eq!(keys.check(&token), None);
    }

    #[test]
    fn random_tokens_differ_and_hash_to_hex() {
        let a = random_token(API_PREFIX);
        let b = random_token(API_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with("tdk_") && a.len() == 4 + 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
