//! The API's one error answer: `{ "error": "…", "detail": "…" }` with the
//! status that fits, and `field` naming what to fix for a 422. Failures of
//! the database or the store are logged here, once, with their cause, and
//! the caller learns only that something failed inside.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::services::web::WebError;

/// An error answer of the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `invalid_input`, `unavailable` or `internal`.
    pub error: &'static str,
    /// What went wrong, in words.
    pub detail: String,
    /// For `invalid_input`: the field to fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(error: WebError) -> Self {
        ApiError(error)
    }
}

impl ApiError {
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        ApiError(WebError::invalid(field, detail))
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError(WebError::not_found(detail))
    }
}

/// A 422 for a field whose name is only known at run time (JSON bodies).
pub fn invalid_field(field: String, detail: String) -> Response {
    respond(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorBody {
            error: "invalid_input",
            detail: format!("{field}: {detail}"),
            field: Some(field),
        },
    )
}

fn respond(status: StatusCode, body: ErrorBody) -> Response {
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            "Bearer".parse().expect("a header value"),
        );
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, field) = match &self.0 {
            WebError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            WebError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", None),
            WebError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            WebError::Conflict(_) => (StatusCode::CONFLICT, "conflict", None),
            WebError::Invalid { field, .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                Some((*field).to_owned()),
            ),
            WebError::Service(error) => {
                let outage = error.is_outage();
                tracing::error!(
                    error = format!("{error:#}"),
                    outage,
                    "web desk request failed"
                );
                let (status, error, detail) = if outage {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "the database or the store is out of reach: try again shortly",
                    )
                } else {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        "something failed inside the desk; the log says what",
                    )
                };
                return respond(
                    status,
                    ErrorBody {
                        error,
                        detail: detail.to_owned(),
                        field: None,
                    },
                );
            }
        };
        respond(
            status,
            ErrorBody {
                error,
                detail: self.0.to_string(),
                field,
            },
        )
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
