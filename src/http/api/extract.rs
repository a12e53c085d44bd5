//! What the handlers take from a request: the caller (from the bearer
//! token), a JSON body whose errors name the field, and path ids.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::ApiState;
use super::error::{ApiError, invalid_field};
use crate::services::web::{Principal, WebError};

/// Bodies are small JSON objects; anything bigger is not ours.
const BODY_LIMIT: usize = 64 * 1024;

/// The bearer token of a request, if it has one.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// The authenticated caller.
pub struct Caller(pub Principal);

impl FromRequestParts<ApiState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(|| {
            ApiError(WebError::Unauthorized(
                "sign in first: send Authorization: Bearer <access token or API token>".into(),
            ))
        })?;
        Ok(Caller(state.web.authenticate(token).await?))
    }
}

/// A JSON body; a field that is missing or of the wrong type gets a 422
/// that names it.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Response> {
        let is_json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        if !is_json {
            return Err(invalid_field(
                "body".into(),
                "expected a JSON body (Content-Type: application/json)".into(),
            ));
        }
        let bytes: Bytes = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| {
                invalid_field("body".into(), format!("at most {BODY_LIMIT} bytes of JSON"))
            })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut deserializer) {
            Ok(value) => Ok(ApiJson(value)),
            Err(error) => {
                let path = error.path().to_string();
                let inner = error.into_inner();
                let message = inner.to_string();
                // "missing field `text` at line 1 column 2": the field is
                // in the message, the path is its parent.
                let field = match message.split('`').nth(1) {
                    Some(name) if message.starts_with("missing field") => name.to_owned(),
                    _ if path == "." => "body".to_owned(),
                    _ => path,
                };
                let detail = message
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                Err(invalid_field(field, detail))
            }
        }
    }
}

impl<T> IntoResponse for ApiJson<T>
where
    axum::Json<T>: IntoResponse,
{
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A ticket or technician id from the path.
pub fn path_id(value: &str, what: &str) -> Result<i32, ApiError> {
    let digits = value.strip_prefix('#').unwrap_or(value);
    digits
        .parse::<i32>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(format!("no {what} {value:?}")))
}
