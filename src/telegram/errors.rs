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
#[derive(Debug, thiserror::Error)]
#[error("Telegram {method} failed: {source}")]
pub struct TelegramError {
    pub method: &'static str,
    #[source]
    pub source: RequestError,
}

impl TelegramError {
    pub fn failure(&self) -> Failure {
        classify(&self.source)
    }
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
