//! Method parameters, decoded from whatever body the client sent.
//!
//! Telegram accepts the query string, JSON, `application/x-www-form-urlencoded`
//! and `multipart/form-data`. Form and multipart fields are strings; fields
//! whose value is an object (`reply_markup`, `reply_parameters`, `media`)
//! arrive as JSON text. The getters here accept both shapes, so method code
//! never cares how a value was sent.

use std::collections::HashMap;

use axum::{
    extract::{FromRequest, Multipart, Request},
    http::header::CONTENT_TYPE,
};
use serde_json::{Map, Value};

use crate::api_error::ApiError;

/// A file part of a multipart request.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    /// The part's file name, if the client gave one.
    pub file_name: Option<String>,
    /// The part's content type, if the client gave one.
    pub content_type: Option<String>,
    /// Size of the uploaded bytes (the bytes themselves are not kept).
    pub size: usize,
}

/// Decoded parameters of one call.
#[derive(Clone, Debug, Default)]
pub struct Params {
    map: Map<String, Value>,
    files: HashMap<String, UploadedFile>,
}

/// How a `chat_id` parameter names a chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatRef {
    /// A numeric id.
    Id(i64),
    /// An `@username` (without the `@`).
    Username(String),
}

impl Params {
    /// Parameters from a JSON object (used by tests and internal callers).
    pub fn from_json(value: Value) -> Self {
        let map = match value {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Self {
            map,
            files: HashMap::new(),
        }
    }

    /// Decodes the query string and body of `req`.
    pub async fn from_request(req: Request) -> Result<Self, ApiError> {
        let mut params = Self::default();
        if let Some(query) = req.uri().query() {
            for (k, v) in form_pairs(query.as_bytes()) {
                params.map.insert(k, Value::String(v));
            }
        }
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();

        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(req, &())
                .await
                .map_err(|e| ApiError::bad_request(format!("can't parse multipart body: {e}")))?;
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| ApiError::bad_request(format!("can't parse multipart body: {e}")))?
            {
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                let part_type = field.content_type().map(str::to_owned);
                let bytes = field.bytes().await.map_err(|e| {
                    ApiError::bad_request(format!("can't read multipart field: {e}"))
                })?;
                if file_name.is_some()
                    || part_type
                        .as_deref()
                        .is_some_and(|t| !t.starts_with("text/"))
                {
                    params.files.insert(
                        name.clone(),
                        UploadedFile {
                            file_name,
                            content_type: part_type,
                            size: bytes.len(),
                        },
                    );
                    // A file sent directly under the parameter's own name is
                    // the same as `attach://name`.
                    params
                        .map
                        .entry(name.clone())
                        .or_insert_with(|| Value::String(format!("attach://{name}")));
                } else {
                    params.map.insert(
                        name,
                        Value::String(String::from_utf8_lossy(&bytes).into_owned()),
                    );
                }
            }
            return Ok(params);
        }

        let body = axum::body::to_bytes(req.into_body(), 64 * 1024 * 1024)
            .await
            .map_err(|e| ApiError::bad_request(format!("can't read request body: {e}")))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(params);
        }
        if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(map)) => params.map.extend(map),
                Ok(_) => return Err(ApiError::bad_request("request body must be a JSON object")),
                Err(e) => return Err(ApiError::bad_request(format!("can't parse JSON body: {e}"))),
            }
        } else {
            for (k, v) in form_pairs(&body) {
                params.map.insert(k, Value::String(v));
            }
        }
        Ok(params)
    }

    /// All parameters as one JSON object (what gets recorded for a call).
    pub fn to_json(&self) -> Value {
        Value::Object(self.map.clone())
    }

    /// Whether the parameter is present and not null.
    pub fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !v.is_null())
    }

    /// The raw value of a parameter.
    pub fn raw(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A parameter as a string (numbers and booleans are rendered).
    pub fn str(&self, key: &str) -> Option<String> {
        match self.raw(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => Some(other.to_string()),
        }
    }

    /// A parameter as an integer; a string that is not a number is an error.
    pub fn i64(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(format!("invalid {key} specified"))),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("invalid {key} specified"))),
            Some(_) => Err(ApiError::bad_request(format!("invalid {key} specified"))),
        }
    }

    /// A required integer parameter; missing is
    /// `Bad Request: parameter "{key}" is required`.
    pub fn require_i64(&self, key: &str) -> Result<i64, ApiError> {
        self.i64(key)?.ok_or_else(|| missing(key))
    }

    /// A required string parameter (present, possibly empty).
    pub fn require_str(&self, key: &str) -> Result<String, ApiError> {
        self.str(key).ok_or_else(|| missing(key))
    }

    /// A boolean parameter (`true`, `"true"`, `1`, `"1"`); missing is `false`.
    pub fn bool(&self, key: &str) -> bool {
        match self.raw(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
            Some(Value::String(s)) => matches!(s.trim(), "true" | "True" | "1"),
            _ => false,
        }
    }

    /// A parameter holding JSON: an object/array as sent, or JSON text.
    pub fn json(&self, key: &str) -> Result<Option<Value>, ApiError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("can't parse {key} JSON object"))),
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// The `chat_id`-like parameter `key`.
    pub fn chat_ref(&self, key: &str) -> Result<Option<ChatRef>, ApiError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_i64().map(ChatRef::Id)),
            Some(Value::String(s)) => {
                let s = s.trim();
                if s.is_empty() {
                    Ok(None)
                } else if let Some(name) = s.strip_prefix('@') {
                    Ok(Some(ChatRef::Username(name.to_owned())))
                } else {
                    s.parse()
                        .map(|id| Some(ChatRef::Id(id)))
                        .map_err(|_| ApiError::chat_not_found())
                }
            }
            Some(_) => Err(ApiError::chat_not_found()),
        }
    }

    /// The numeric value of `chat_id`, if it is numeric (used by fault matching).
    pub fn chat_id_number(&self) -> Option<i64> {
        match self.chat_ref("chat_id") {
            Ok(Some(ChatRef::Id(id))) => Some(id),
            _ => None,
        }
    }

    /// The multipart file part named `name`.
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.get(name)
    }
}

/// Telegram's answer for a required parameter that was not sent.
pub fn missing(key: &str) -> ApiError {
    ApiError::bad_request(format!("parameter \"{key}\" is required"))
}

fn form_pairs(input: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(input).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn getters_accept_strings_and_native_json() {
        let p = Params::from_json(json!({
            "chat_id": "-1001", "n": 5, "flag": "true", "markup": "{\"a\":1}", "obj": {"b": 2},
            "user": "@support"
        }));
        assert_eq!(p.i64("chat_id").unwrap(), Some(-1001));
        assert_eq!(p.i64("n").unwrap(), Some(5));
        assert!(p.bool("flag"));
        assert!(!p.bool("missing"));
        assert_eq!(p.json("markup").unwrap(), Some(json!({"a": 1})));
        assert_eq!(p.json("obj").unwrap(), Some(json!({"b": 2})));
        assert_eq!(
            p.chat_ref("user").unwrap(),
            Some(ChatRef::Username("support".into()))
        );
        assert!(p.i64("user").is_err());
    }
}
