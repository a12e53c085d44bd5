//! Errors as the Bot API reports them: an HTTP status plus
//! `{"ok":false,"error_code":…,"description":…,"parameters":{…}}`.
//!
//! The descriptions are the strings api.telegram.org sends; teloxide matches
//! several of them exactly (see `teloxide_core::ApiError`), so they are kept in
//! one place here.

use serde_json::{Value, json};

/// One failed call, as the fake answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status and `error_code` (400, 401, 403, 404, 409, 429, or an injected 5xx).
    pub status: u16,
    /// The `description` field, e.g. `"Bad Request: chat not found"`.
    pub description: String,
    /// `parameters.retry_after`, set for 429 answers.
    pub retry_after: Option<u32>,
}

/// Result of one Bot API method: the `result` value or an error.
pub type ApiResult = Result<Value, ApiError>;

impl ApiError {
    /// A 400 "Bad Request: …" error; `detail` is the part after the prefix.
    pub fn bad_request(detail: impl AsRef<str>) -> Self {
        Self::new(400, format!("Bad Request: {}", detail.as_ref()))
    }

    /// A 403 "Forbidden: …" error; `detail` is the part after the prefix.
    pub fn forbidden(detail: impl AsRef<str>) -> Self {
        Self::new(403, format!("Forbidden: {}", detail.as_ref()))
    }

    /// Any status with a verbatim description.
    pub fn new(status: u16, description: impl Into<String>) -> Self {
        Self {
            status,
            description: description.into(),
            retry_after: None,
        }
    }

    /// A 429 with `parameters.retry_after`, worded like Telegram.
    pub fn too_many_requests(retry_after: u32) -> Self {
        Self {
            status: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }

    /// 401 for a token that does not belong to the fake's bot.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized")
    }

    /// 404 for a method name the fake does not know.
    pub fn not_found() -> Self {
        Self::new(404, "Not Found")
    }

    pub(crate) fn chat_not_found() -> Self {
        Self::bad_request("chat not found")
    }

    pub(crate) fn thread_not_found() -> Self {
        Self::bad_request("message thread not found")
    }

    pub(crate) fn blocked() -> Self {
        Self::forbidden("bot was blocked by the user")
    }

    pub(crate) fn text_too_long() -> Self {
        Self::bad_request("message is too long")
    }

    pub(crate) fn not_modified() -> Self {
        Self::bad_request(
            "message is not modified: specified new message content and reply markup are \
             exactly the same as a current content and reply markup of the message",
        )
    }

    /// The JSON body Telegram sends with this error. `parameters` is present
    /// only when it has content: teloxide fails to parse an empty object.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "ok": false,
            "error_code": self.status,
            "description": self.description,
        });
        if let Some(secs) = self.retry_after {
            body["parameters"] = json!({ "retry_after": secs });
        }
        body
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.description)
    }
}

impl std::error::Error for ApiError {}
