//! Starting the real application against the fake Telegram and a fresh
//! database, and the tools tests use to look at what happened.

pub mod admin;
pub mod app;
pub mod database;
pub mod desk;
pub mod flows;
pub mod kb;
pub mod logs;
pub mod outage;
pub mod web;

pub use app::{AppOptions, TestApp, spawn_app, spawn_app_with};
pub use database::TestDatabase;
pub use desk::{Desk, WAIT};
pub use flows::vars;
pub use logs::CapturedLogs;

use std::future::Future;
use std::time::{Duration, Instant};

/// Waits until `condition` holds, checking every 20 ms; panics with `what`
/// after `timeout`. For conditions the fake cannot signal (database rows).
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    eventually_some(what, timeout, || {
        let check = condition();
        async move { check.await.then_some(()) }
    })
    .await
}

/// Like `eventually`, for a probe that yields a value once it is there.
pub async fn eventually_some<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
