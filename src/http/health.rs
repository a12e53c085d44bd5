//! /healthz says the process is up; /readyz says it can do its job: the
//! database, the store and Telegram answer, the self-check found nothing,
//! and (among other instances) this one has joined them.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::self_check::SelfCheckStatus;
use crate::store::{Presence, Store};
use crate::telegram::TelegramHealth;

/// A dependency that does not answer within this is reported as down.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Readiness {
    pub db: DatabaseConnection,
    pub store: Store,
    pub self_check: SelfCheckStatus,
    pub telegram: TelegramHealth,
    /// With Redis: whether this instance has joined the others yet.
    pub presence: Option<Presence>,
}

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(readiness): State<Readiness>) -> (StatusCode, Json<Value>) {
    let mut problems = Vec::new();
    match tokio::time::timeout(PROBE_TIMEOUT, readiness.db.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => problems.push(format!("database: {error}")),
        Err(_) => problems.push("database: no answer within 2 s".to_owned()),
    }
    match tokio::time::timeout(PROBE_TIMEOUT, readiness.store.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => problems.push(format!("store ({}): {error}", readiness.store.kind())),
        Err(_) => problems.push(format!(
            "store ({}): no answer within 2 s",
            readiness.store.kind()
        )),
    }
    if readiness
        .presence
        .as_ref()
        .is_some_and(|presence| !presence.has_joined())
    {
        problems.push(
            "joining: other instances are alive and learn of this one before it takes updates"
                .to_owned(),
        );
    }
    let self_check = readiness.self_check.problems();
    // One line about Telegram being away is enough: the self-check's, when
    // its last recheck already found it so.
    let self_check_says_so = self_check
        .iter()
        .any(|problem| problem.contains("cannot reach Telegram"));
    if let Some(since) = readiness.telegram.unreachable_since()
        && !self_check_says_so
    {
        problems.push(format!(
            "Telegram API unreachable since {} (deliveries wait and are retried)",
            since.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    problems.extend(
        self_check
            .into_iter()
            .map(|problem| format!("self-check: {problem}")),
    );
    if problems.is_empty() {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "problems": problems })),
        )
    }
}
