//! Live events as Server-Sent Events: one event per `events` row the caller
//! may see, its `id` the row's id. A reconnect with `Last-Event-ID` (the
//! header EventSource sends by itself, or the `last_event_id` query) gets
//! exactly what was missed; without it the stream starts at the newest
//! event. The token may come in the `token` query, since EventSource cannot
//! set headers; the request log shows paths only, never queries.
//!
//! The stream ends when the access token runs out (the client reconnects
//! with a fresh one and its last id), and soon after a logout or a revoked
//! API token.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::watch;
use tokio::time::Instant;

use super::ApiState;
use super::error::{ApiError, ApiResult, ErrorBody};
use crate::services::web::feed::FeedEvent;
use crate::services::web::{Principal, WebDesk, WebError};

/// Rows read per step.
const PAGE: u64 = 200;
/// How often a stream checks that its credentials still hold.
const RECHECK: Duration = Duration::from_secs(30);
/// How soon to look again while a gap in the ids may still fill.
const GAP_RETRY: Duration = Duration::from_millis(200);

struct Follower {
    web: WebDesk,
    caller: Principal,
    token: String,
    position: i32,
    ticks: watch::Receiver<i32>,
    pending: VecDeque<FeedEvent>,
    /// The access token's end; API tokens have none.
    ends_at: Option<Instant>,
    recheck_at: Instant,
}

impl Follower {
    /// The next event for the caller; `None` ends the stream.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                let data = serde_json::to_string(&event).unwrap_or_else(|_| "{}".into());
                return Some(Event::default().id(event.id.to_string()).data(data));
            }
            let now = Instant::now();
            if self.ends_at.is_some_and(|end| now >= end) {
                return None;
            }
            if now >= self.recheck_at {
                if self.web.authenticate(&self.token).await.is_err() {
                    return None;
                }
                self.recheck_at = now + RECHECK;
            }
            let batch = match self
                .web
                .events_after(&self.caller, self.position, PAGE)
                .await
            {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::warn!(error = %error, "could not read events for a stream");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            self.position = batch.position;
            self.pending.extend(batch.events);
            if !self.pending.is_empty() || batch.more {
                continue;
            }
            let mut wake = self.recheck_at;
            if let Some(end) = self.ends_at {
                wake = wake.min(end);
            }
            if batch.waiting_for_gap {
                wake = wake.min(now + GAP_RETRY);
            }
            tokio::select! {
                changed = self.ticks.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep_until(wake).await;
                    }
                }
                _ = tokio::time::sleep_until(wake) => {}
            }
        }
    }
}

fn header_or_query<'a>(
    headers: &'a HeaderMap,
    header: &str,
    query: &'a HashMap<String, String>,
    key: &str,
) -> Option<&'a str> {
    headers
        .get(header)
        .and_then(|v| v.to_str().ok())
        .or_else(|| query.get(key).map(String::as_str))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Follow the desk: every event the caller may see, as it happens.
#[utoipa::path(
    get, path = "/api/v1/events/stream", tag = "events",
    params(
        ("token" = Option<String>, Query, description = "The access or API token, for clients that cannot send Authorization (EventSource)"),
        ("last_event_id" = Option<i32>, Query, description = "Resume after this event (the Last-Event-ID header does the same)"),
        ("Last-Event-ID" = Option<i32>, Header, description = "Resume after this event"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, content_type = "text/event-stream", description = "`id`: the event's id; `data`: a JSON FeedEvent", body = crate::services::web::feed::FeedEvent),
        (status = 401, body = ErrorBody),
        (status = 422, description = "A malformed Last-Event-ID", body = ErrorBody),
    )
)]
pub async fn stream(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned())
        .or_else(|| query.get("token").map(|t| t.trim().to_owned()))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError(WebError::Unauthorized(
                "sign in first: send Authorization: Bearer <token>, or ?token=".into(),
            ))
        })?;
    let caller = state.web.authenticate(&bearer).await?;
    let position = match header_or_query(&headers, "last-event-id", &query, "last_event_id") {
        Some(value) => value
            .parse::<i32>()
            .ok()
            .filter(|id| *id >= 0)
            .ok_or_else(|| ApiError::invalid("Last-Event-ID", "expected the id of an event"))?,
        None => state.web.newest_event_id().await?,
    };
    let ends_at = state.web.access_expiry(&bearer).map(|exp| {
        let left = (exp - chrono::Utc::now()).to_std().unwrap_or_default();
        Instant::now() + left
    });
    let follower = Follower {
        ticks: state.web.event_ticks(),
        web: state.web.clone(),
        caller,
        token: bearer,
        position,
        pending: VecDeque::new(),
        ends_at,
        recheck_at: Instant::now() + RECHECK,
    };
    let events = futures::stream::unfold(follower, |mut follower| async move {
        let event = follower.next().await?;
        Some((Ok(event), follower))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
