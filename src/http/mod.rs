//! The HTTP surface: the webhook (when configured), health, readiness and
//! metrics, and the web desk (the Mini App under `/app/`, the REST API
//! under `/api/`). Served in polling mode too.

pub mod api;
pub mod app;
mod health;

pub use health::Readiness;

use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::routing::get;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::trace::TraceLayer;

use crate::intake::webhook::{self, WebhookState};
use crate::metrics::Metrics;

/// The web desk's part of the router.
pub struct WebRoutes {
    pub desk: crate::services::web::WebDesk,
    pub cors_origins: Vec<String>,
}

pub fn router(
    readiness: Readiness,
    metrics: Metrics,
    webhook: Option<WebhookState>,
    web: Option<WebRoutes>,
) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz).with_state(readiness))
        .route(
            "/metrics",
            get(move || {
                let metrics = metrics.clone();
                async move { metrics.render() }
            }),
        );
    if let Some(state) = webhook {
        router = router.merge(webhook::routes(state));
    }
    if let Some(web) = web {
        router = router
            .merge(app::routes(web.desk.texts()))
            .merge(api::routes(web.desk, &web.cors_origins));
    }
    router.layer(
        TraceLayer::new_for_http()
            .make_span_with(|request: &Request| {
                tracing::debug_span!(
                    "http",
                    method = %request.method(),
                    path = %redacted_path(request.uri().path()),
                )
            })
            .on_failure(log_failure),
    )
}

/// A 503 is the bot saying "not now" on purpose (not ready yet, or the
/// database is away), and whatever caused it is logged once where it was
/// found: a probe polling /readyz every few seconds must not add an ERROR
/// line each time. Any other server error is a fault worth an ERROR.
fn log_failure(failure: ServerErrorsFailureClass, latency: Duration, _span: &tracing::Span) {
    let latency_ms = latency.as_millis() as u64;
    match failure {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => {
            tracing::debug!(latency_ms, "answered 503 Service Unavailable");
        }
        failure => tracing::error!(classification = %failure, latency_ms, "response failed"),
    }
}

/// The webhook path carries the secret; logs get a placeholder instead.
fn redacted_path(path: &str) -> &str {
    if path.starts_with("/webhook/") {
        "/webhook/{secret}"
    } else {
        path
    }
}
