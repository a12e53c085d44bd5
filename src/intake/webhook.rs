//! `POST /webhook/{secret}`: authenticate, store, and only then answer 200.
//! Anything else Telegram should retry gets a 5xx; anything it should not
//! retry (bad secret, bad body) gets a 4xx.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use subtle::ConstantTimeEq;

use super::{Intake, IntakeError, Source};

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// Telegram's updates are far smaller; anything bigger is not from Telegram.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A database that does not answer within this is treated as down: Telegram
/// gets a 503 and delivers again later instead of waiting on us.
const STORE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct WebhookState {
    pub intake: Intake,
    pub secret: SecretString,
}

pub fn routes(state: WebhookState) -> Router {
    Router::new()
        .route("/webhook/{secret}", post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn receive(
    State(state): State<WebhookState>,
    Path(path_secret): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let expected = state.secret.expose_secret().as_bytes();
    let header_secret = headers
        .get(SECRET_HEADER)
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    // Both checks always run, so timing does not tell which one failed.
    let path_ok = path_secret.as_bytes().ct_eq(expected);
    let header_ok = header_secret.ct_eq(expected);
    if !bool::from(path_ok & header_ok) {
        tracing::warn!("webhook call with a wrong or missing secret refused");
        return problem(StatusCode::UNAUTHORIZED, "wrong or missing secret token");
    }

    let Ok(raw) = std::str::from_utf8(&body) else {
        return problem(StatusCode::BAD_REQUEST, "body is not UTF-8 JSON");
    };
    match tokio::time::timeout(STORE_TIMEOUT, state.intake.accept(raw, Source::Webhook)).await {
        Ok(Ok(_)) => StatusCode::OK.into_response(),
        Ok(Err(IntakeError::NotAnUpdate(reason))) => {
            tracing::warn!(reason = %reason, "webhook body refused: not a Telegram update");
            problem(
                StatusCode::BAD_REQUEST,
                &format!("not a Telegram update: {reason}"),
            )
        }
        Ok(Err(IntakeError::Storage(error))) => {
            tracing::error!(error = %error, "cannot store an update; Telegram will deliver it again");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage unavailable, retry later",
            )
        }
        Err(_) => {
            tracing::error!("storing an update timed out; Telegram will deliver it again");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage unavailable, retry later",
            )
        }
    }
}

fn problem(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "ok": false, "error": message }))).into_response()
}
