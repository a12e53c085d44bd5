//! Settings of the web desk: where the Mini App is reachable, how old a
//! Telegram sign-in may be, and which other sites may call the API.

use std::time::Duration;

use url::Url;

use super::ConfigError;

/// How old Telegram's initData may be when it is exchanged for tokens.
pub const DEFAULT_WEBAPP_AUTH_MAX_AGE: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The public base URL (PUBLIC_URL, or WEBHOOK_URL when unset).
    pub public_url: Option<Url>,
    /// How old initData may be at sign-in (WEBAPP_AUTH_MAX_AGE).
    pub auth_max_age: Duration,
    /// Origins allowed to call the API from a browser (API_CORS_ORIGINS);
    /// empty means same-origin only.
    pub cors_origins: Vec<String>,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            public_url: None,
            auth_max_age: DEFAULT_WEBAPP_AUTH_MAX_AGE,
            cors_origins: Vec::new(),
        }
    }
}

impl WebSettings {
    /// The Mini App's address, when there is a public HTTPS URL: Telegram
    /// opens Mini Apps over HTTPS only.
    pub fn mini_app_url(&self) -> Option<String> {
        let url = self.public_url.as_ref()?;
        (url.scheme() == "https").then(|| format!("{}/app/", url.as_str().trim_end_matches('/')))
    }
}

/// `3600`, `90s`, `30m`, `1h` or `2d`; at least one second.
pub(super) fn parse_max_age(value: &str) -> Result<Duration, ConfigError> {
    let expected = "a duration like 3600, 30m, 1h or 1d (at least 1 s)";
    let bad = || {
        ConfigError::new(
            "WEBAPP_AUTH_MAX_AGE",
            format!("expected {expected}, got {value:?}"),
        )
    };
    let value = value.trim();
    let (digits, unit) = match value.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => value.split_at(at),
        None => (value, "s"),
    };
    let amount: u64 = digits.parse().map_err(|_| bad())?;
    let seconds = match unit.trim().to_ascii_lowercase().as_str() {
        "s" => Some(amount),
        "m" => amount.checked_mul(60),
        "h" => amount.checked_mul(3600),
        "d" => amount.checked_mul(86_400),
        _ => None,
    }
    .filter(|s| *s > 0)
    .ok_or_else(bad)?;
    Ok(Duration::from_secs(seconds))
}

/// A comma-separated list of origins like `https://desk.example.com`.
pub(super) fn parse_cors_origins(value: &str) -> Result<Vec<String>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let bad = || {
                ConfigError::new(
                    "API_CORS_ORIGINS",
                    format!(
                        "expected origins like https://desk.example.com, comma-separated, got {part:?}"
                    ),
                )
            };
            let url = Url::parse(part).map_err(|_| bad())?;
            let is_origin = matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some()
                && url.path() == "/"
                && url.query().is_none()
                && !part.ends_with('/');
            if !is_origin {
                return Err(bad());
            }
            Ok(part.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_ages_read_as_seconds_or_with_a_unit() {
        assert_eq!(parse_max_age("3600").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_max_age("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_max_age("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_max_age("1d").unwrap(), Duration::from_secs(86_400));
        for bad in ["0", "", "h", "1w", "-5", "1.5h"] {
            let error = parse_max_age(bad).unwrap_err();
            assert_eq!(error.key, "WEBAPP_AUTH_MAX_AGE", "{bad}");
        }
    }

    #[test]
    fn cors_origins_are_exact_origins() {
        assert_eq!(
            parse_cors_origins("https://a.example, http://localhost:3000").unwrap(),
            ["https://a.example", "http://localhost:3000"]
        );
        for bad in [
            "*",
            "https://a.example/",
            "https://a.example/path",
            "ftp://a",
        ] {
            assert_eq!(parse_cors_origins(bad).unwrap_err().key, "API_CORS_ORIGINS");
        }
    }

    fn load(extra: &[(&str, &str)]) -> Result<super::super::Settings, ConfigError> {
        let mut vars: std::collections::HashMap<String, String> = [
            ("BOT_TOKEN", "123456:ABC-def_1"),
            ("MAIN_GROUP_ID", "-1001234567890"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        vars.retain(|_, v| !v.is_empty());
        super::super::Settings::from_vars(vars)
    }

    #[test]
    fn public_url_defaults_to_the_webhook_url_and_is_checked() {
        let webhook = [
            ("WEBHOOK_URL", "https://hook.example"),
            ("WEBHOOK_SECRET", "s3cret"),
        ];
        let web = load(&webhook).unwrap().web;
        assert_eq!(
            web.mini_app_url().as_deref(),
            Some("https://hook.example/app/")
        );
        let mut both = webhook.to_vec();
        both.push(("PUBLIC_URL", "https://desk.example"));
        let web = load(&both).unwrap().web;
        assert_eq!(
            web.mini_app_url().as_deref(),
            Some("https://desk.example/app/")
        );
        let web = load(&[]).unwrap().web;
        assert_eq!(web.public_url, None);
        assert_eq!(web.auth_max_age, DEFAULT_WEBAPP_AUTH_MAX_AGE);
        assert!(web.cors_origins.is_empty());
        assert_eq!(
            load(&[("PUBLIC_URL", "desk")]).unwrap_err().key,
            "PUBLIC_URL"
        );
        assert_eq!(
            load(&[("WEBAPP_AUTH_MAX_AGE", "soon")]).unwrap_err().key,
            "WEBAPP_AUTH_MAX_AGE"
        );
    }

    #[test]
    fn the_mini_app_needs_https() {
        let mut web = WebSettings::default();
        assert_eq!(web.mini_app_url(), None);
        web.public_url = Some(Url::parse("http://desk.example").unwrap());
        assert_eq!(web.mini_app_url(), None);
        web.public_url = Some(Url::parse("https://desk.example/").unwrap());
        assert_eq!(
            web.mini_app_url().as_deref(),
            Some("https://desk.example/app/")
        );
    }
}
