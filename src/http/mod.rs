//! The HTTP surface: the webhook (when configured), health, readiness and
//! metrics. Served in polling mode too, for health checks and scraping.

mod health;

pub use health::Readiness;

use axum::Router;
use axum::extract::Request;
use axum::routing::get;
use tower_http::trace::TraceLayer;

use crate::intake::webhook::{self, WebhookState};
use crate::metrics::Metrics;

pub fn router(readiness: Readiness, metrics: Metrics, webhook: Option<WebhookState>) -> Router {
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
    router.layer(
        TraceLayer::new_for_http().make_span_with(|request: &Request| {
            tracing::debug_span!(
                "http",
                method = %request.method(),
                path = %redacted_path(request.uri().path()),
            )
        }),
    )
}

/// The webhook path carries the secret; logs get a placeholder instead.
fn redacted_path(path: &str) -> &str {
    if path.starts_with("/webhook/") {
        "/webhook/{secret}"
    } else {
        path
    }
}
