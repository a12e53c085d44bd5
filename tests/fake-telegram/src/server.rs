//! HTTP: `GET|POST /bot{token}/{method}`. The pipeline of one call:
//! token check → method lookup (any case) → parameter decoding → latency
//! (before anything takes effect, so a client that gives up leaves no
//! trace) → faults, limits, the method itself, and recording (in one lock).
//! getUpdates long-polls outside the lock.

use std::sync::Arc;
use std::time::Duration;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Path, Request, State},
    http::{StatusCode, header::CONTENT_TYPE},
    response::{IntoResponse, Response},
    routing::any,
};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::api_error::{ApiError, ApiResult};
use crate::fake::Shared;
use crate::methods;
use crate::params::Params;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{bot}/{method}", any(handle))
        .fallback(|| async { respond(Err(ApiError::not_found())) })
        // Telegram takes uploads up to 50 MB.
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(shared)
}

/// Turns a method result into Telegram's HTTP answer.
fn respond(result: ApiResult) -> Response {
    let (status, body) = match result {
        Ok(value) => (StatusCode::OK, json!({ "ok": true, "result": value })),
        Err(error) => (
            StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST),
            error.body(),
        ),
    };
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    request: Request,
) -> Response {
    if bot.strip_prefix("bot") != Some(shared.token.as_str()) {
        return respond(Err(if bot.starts_with("bot") {
            ApiError::unauthorized()
        } else {
            ApiError::not_found()
        }));
    }
    let method = method.to_ascii_lowercase();
    let params = match Params::from_request(request).await {
        Ok(params) => params,
        Err(error) => return respond(Err(error)),
    };
    if !methods::is_known(&method) {
        let result = Err(ApiError::not_found());
        shared.mutate(|w| w.record_call(&method, &params, &result));
        return respond(result);
    }

    // A call into a chat is in flight from here until it is answered.
    let flight = params.chat_id_number().map(|chat| {
        let messages = match params.raw("message_ids") {
            Some(Value::Array(ids)) => ids.len().max(1),
            Some(Value::String(ids)) => {
                serde_json::from_str::<Vec<Value>>(ids).map_or(1, |ids| ids.len().max(1))
            }
            _ => 1,
        };
        (chat, messages)
    });
    let delay = shared.mutate(|w| {
        *w.arrivals.entry(method.clone()).or_default() += 1;
        if let Some((chat, messages)) = flight {
            w.in_flight.entry(chat).or_default().arrive(messages);
        }
        w.latency.for_method(&method)
    });
    let land = |w: &mut crate::world::World| {
        if let Some((chat, messages)) = flight {
            w.in_flight.entry(chat).or_default().leave(messages);
        }
    };
    if let Some(delay) = delay {
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shared.cancel.cancelled() => {
                shared.mutate(land);
                return respond(Err(ApiError::bad_request("fake Telegram is shutting down")));
            }
        }
    }

    if method == "getupdates" {
        return respond(long_poll(&shared, &params).await);
    }
    respond(shared.mutate(|w| {
        let result = w.execute(&method, &params);
        land(w);
        result
    }))
}

/// getUpdates: answers as soon as updates are pending, or with `[]` when
/// the timeout passes; a newer getUpdates or a new webhook ends it with 409.
async fn long_poll(shared: &Shared, params: &Params) -> ApiResult {
    let started = shared.mutate(|w| {
        if let Some(fault) = w.take_fault("getupdates", params) {
            return Err(fault);
        }
        w.begin_get_updates(params)
    });
    let poll = match started {
        Ok(poll) => poll,
        Err(error) => {
            let result = Err(error);
            shared.mutate(|w| w.record_call("getupdates", params, &result));
            return result;
        }
    };
    let deadline = Instant::now() + Duration::from_secs(poll.timeout_secs);
    let mut changes = shared.subscribe();
    let result = loop {
        changes.borrow_and_update();
        if let Some(result) = shared.read(|w| w.poll_result(&poll)) {
            break result;
        }
        if Instant::now() >= deadline {
            break Ok(Value::Array(Vec::new()));
        }
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    break Ok(Value::Array(Vec::new()));
                }
            }
            _ = tokio::time::sleep_until(deadline) => {}
            _ = shared.cancel.cancelled() => break Ok(Value::Array(Vec::new())),
        }
    };
    shared.mutate(|w| w.record_call("getupdates", params, &result));
    result
}
