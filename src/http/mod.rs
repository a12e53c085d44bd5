//! The HTTP surface: the webhook (when configured), health, readiness and
//! metrics. Served in polling mode too, for health checks and scraping.

mod health;

pub use health::Readiness;

use axum::Router;
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
    router.layer(TraceLayer::new_for_http())
}
