//! What a failed Bot API call means for us. Telegram reports most conditions
//! only as description strings, so they are recognised here, once.

use std::time::Duration;

use teloxide::RequestError;

/// The conditions callers react to differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 429: wait this long, then try again.
    RetryAfter(Duration),
    /// The forum topic was deleted (or never existed).
    ThreadNotFound,
    /// The user blocked the bot or deleted their account.
    BotBlocked,
    /// Text or caption over Telegram's limit.
    TooLong,
    /// An edit that would not change anything.
    NotModified,
    /// The chat does not exist or the bot is not in it.
    ChatNotFound,
    /// Telegram could not be reached or is having a bad minute: a timeout,
    /// a refused connection, a 5xx. It passes; nothing is wrong with the
    /// request.
    Network,
    /// Anything else; the description says what.
    Other,
}

/// A Bot API call that failed for good (after our retries).
///
/// It keeps what callers need (the method and the [`Failure`]) and a text
/// made safe to log, to store and to show in /readyz: every Bot API URL
/// holds the token, and HTTP clients like to quote the URL in their errors.
/// The raw `RequestError` is deliberately not kept, so no `{:?}` or error
/// chain can print it later.
#[derive(Debug, Clone, thiserror::Error)]
#[error("Telegram {method} failed: {description}")]
pub struct TelegramError {
    pub method: &'static str,
    failure: Failure,
    description: String,
}

impl TelegramError {
    /// `token` is the bot's token, removed from the text wherever it shows.
    pub fn new(method: &'static str, error: RequestError, token: &str) -> Self {
        Self {
            method,
            failure: classify(&error),
            description: describe(&error, token),
        }
    }

    pub fn failure(&self) -> Failure {
        self.failure.clone()
    }

    /// What went wrong, without the URL or the token.
    pub fn description(&self) -> &str {
        &self.description
    }
}

/// A teloxide error as text safe to log: a network error without its URL
/// but with its causes ("error sending request: … Connection refused"),
/// and the token replaced wherever it still shows (a proxy's error page
/// quoting the URL comes back as `InvalidJson` with the page in it).
pub fn describe(error: &RequestError, token: &str) -> String {
    let text = match error {
        RequestError::Network(network) => describe_reqwest(network),
        other => other.to_string(),
    };
    redact(&text, token)
}

/// A reqwest error with its causes and without its URL.
pub(crate) fn describe_reqwest(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        // reqwest appends " for url (…)" to its own text; the causes below
        // do not quote the URL.
        text = text.replace(&format!(" for url ({url})"), "");
        text = text.replace(url.as_str(), "<Bot API URL>");
    }
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        let part = inner.to_string();
        // hyper repeats its cause in its own text at times.
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = inner.source();
    }
    text
}

/// Replaces the token, and its secret part on its own, by `***`: the
/// last line of defence, whatever the text came from.
pub(crate) fn redact(text: &str, token: &str) -> String {
    let mut text = if token.is_empty() {
        text.to_owned()
    } else {
        text.replace(token, "***")
    };
    if let Some((_, secret)) = token.split_once(':')
        && !secret.is_empty()
    {
        text = text.replace(secret, "***");
    }
    text
}

/// Descriptions of Telegram's 5xx answers.
const SERVER_TROUBLE: [&str; 5] = [
    "internal server error",
    "bad gateway",
    "service unavailable",
    "gateway timeout",
    "server error",
];

pub(crate) fn classify(error: &RequestError) -> Failure {
    match error {
        RequestError::RetryAfter(seconds) => Failure::RetryAfter(seconds.duration()),
        RequestError::Network(_) | RequestError::Io(_) => Failure::Network,
        RequestError::Api(api) => classify_description(&api.to_string()),
        // What is not Telegram's JSON comes from a proxy in front of it (an
        // HTML "502 Bad Gateway" page): Telegram is having a bad minute.
        RequestError::InvalidJson { .. } => Failure::Network,
        RequestError::MigrateToChatId(_) => Failure::Other,
    }
}

fn classify_description(description: &str) -> Failure {
    let text = description.to_ascii_lowercase();
    if text.contains("message thread not found") || text.contains("topic_deleted") {
        Failure::ThreadNotFound
    } else if text.contains("bot was blocked by the user") || text.contains("user is deactivated") {
        Failure::BotBlocked
    } else if text.contains("message is too long")
        || text.contains("message_too_long")
        || text.contains("caption is too long")
    {
        Failure::TooLong
    } else if text.contains("message is not modified") || text.contains("topic_not_modified") {
        Failure::NotModified
    } else if text.contains("chat not found") {
        Failure::ChatNotFound
    } else if SERVER_TROUBLE.iter().any(|words| text.contains(words)) {
        // Telegram's own 5xx answers: teloxide keeps only the description.
        Failure::Network
    } else {
        Failure::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:AAHsecretPart_0123456789-abcdefghijk";

    #[test]
    fn the_token_is_redacted_wherever_it_shows() {
        let text = format!(
            "GET http://api/bot{TOKEN}/getMe and later the secret alone: AAHsecretPart_0123456789-abcdefghijk"
        );
        let redacted = redact(&text, TOKEN);
        assert!(!redacted.contains("AAHsecretPart"), "{redacted}");
        assert!(redacted.contains("bot***/getMe"), "{redacted}");
    }

    #[tokio::test]
    async fn a_refused_connection_is_described_with_its_cause_and_without_the_url() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = closed.local_addr().unwrap();
        drop(closed);
        let error = reqwest::Client::new()
            .post(format!("http://{address}/bot{TOKEN}/getUpdates"))
            .send()
            .await
            .unwrap_err();
        assert!(error.to_string().contains(TOKEN), "reqwest quotes the URL");
        let text = describe_reqwest(&error);
        assert!(!text.contains("AAHsecretPart"), "{text}");
        assert!(text.to_lowercase().contains("refused"), "{text}");
    }

    #[test]
    fn an_error_page_quoting_the_url_loses_the_token_but_keeps_its_kind() {
        let raw = format!("<html>502 Bad Gateway for /bot{TOKEN}/sendMessage</html>");
        let source = serde_json::from_str::<serde_json::Value>(&raw).unwrap_err();
        let error = RequestError::InvalidJson {
            source: std::sync::Arc::new(source),
            raw: raw.into_boxed_str(),
        };
        let error = TelegramError::new("SendMessage", error, TOKEN);
        // A proxy's error page: Telegram is having a bad minute.
        assert_eq!(error.failure(), Failure::Network);
        let text = format!("{error} {error:?}");
        assert!(!text.contains("AAHsecretPart"), "{text}");
        assert!(text.contains("502 Bad Gateway"), "{text}");
    }

    #[test]
    fn telegram_descriptions_map_to_failures() {
        let cases = [
            (
                "Bad Request: message thread not found",
                Failure::ThreadNotFound,
            ),
            ("Bad Request: TOPIC_DELETED", Failure::ThreadNotFound),
            (
                "Forbidden: bot was blocked by the user",
                Failure::BotBlocked,
            ),
            ("Forbidden: user is deactivated", Failure::BotBlocked),
            ("Bad Request: message is too long", Failure::TooLong),
            ("Bad Request: message caption is too long", Failure::TooLong),
            ("Bad Request: MESSAGE_TOO_LONG", Failure::TooLong),
            (
                "Bad Request: message is not modified: specified new message content and reply markup are exactly the same",
                Failure::NotModified,
            ),
            ("Bad Request: chat not found", Failure::ChatNotFound),
            ("Bad Request: TOPIC_NOT_MODIFIED", Failure::NotModified),
            ("Bad Request: something new", Failure::Other),
            ("Bad Gateway", Failure::Network),
            ("Internal Server Error", Failure::Network),
        ];
        for (description, expected) in cases {
            assert_eq!(classify_description(description), expected, "{description}");
        }
    }
}
