//! The REST API under `/api/v1`, its OpenAPI document at
//! `/api/openapi.json` (generated from these handlers with utoipa) and a
//! viewer at `/api/docs` (Swagger UI, shipped inside the binary).
//!
//! Handlers are doors: each checks its input and makes one call to
//! [`WebDesk`]. Errors are `{ "error", "detail" }` JSON ([`error`]).

pub mod auth;
pub mod desk;
pub mod error;
pub mod extract;
pub mod kb;
pub mod stream;
pub mod tickets;
pub mod tokens;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use axum::routing::{delete, get, post};
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::services::web::WebDesk;

#[derive(Clone)]
pub struct ApiState {
    pub web: WebDesk,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An access token from /api/v1/auth/telegram or /api/v1/auth/refresh, or an API token (tdk_…)",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "topicdesk",
        description = "The helpdesk's REST API: tickets, technicians, statistics and live events. Sign in with Telegram's Mini App initData, or use an API token made by an admin.",
    ),
    paths(
        auth::telegram, auth::refresh, auth::logout, auth::me,
        tickets::list, tickets::detail, tickets::assign, tickets::close, tickets::reply,
        tickets::priority, tickets::category, tickets::wait,
        desk::technicians, desk::availability, desk::stats, desk::desk, desk::dashboard, desk::chart,
        stream::stream,
        tokens::list, tokens::create, tokens::revoke,
        kb::list, kb::detail, kb::create, kb::update, kb::delete, kb::search,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "tickets", description = "Tickets and what can be done with them"),
        (name = "technicians", description = "Who takes tickets"),
        (name = "stats", description = "Figures and the dashboard"),
        (name = "events", description = "Live events"),
        (name = "tokens", description = "API tokens for integrations"),
        (name = "knowledge", description = "Knowledge-base articles and their search"),
    )
)]
pub struct ApiDoc;

/// The API's routes, the document and its viewer. `cors_origins` empty:
/// browsers may call it from the desk's own pages only.
pub fn routes(web: WebDesk, cors_origins: &[String]) -> Router {
    let state = ApiState { web };
    let v1 = Router::new()
        .route("/auth/telegram", post(auth::telegram))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/tickets", get(tickets::list))
        .route("/tickets/{id}", get(tickets::detail))
        .route("/tickets/{id}/assign", post(tickets::assign))
        .route("/tickets/{id}/close", post(tickets::close))
        .route("/tickets/{id}/messages", post(tickets::reply))
        .route("/tickets/{id}/priority", post(tickets::priority))
        .route("/tickets/{id}/category", post(tickets::category))
        .route("/tickets/{id}/wait", post(tickets::wait))
        .route("/technicians", get(desk::technicians))
        .route("/technicians/{id}/availability", post(desk::availability))
        .route("/stats", get(desk::stats))
        .route("/desk", get(desk::desk))
        .route("/dashboard", get(desk::dashboard))
        .route("/dashboard/charts/{chart}", get(desk::chart))
        .route("/events/stream", get(stream::stream))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", delete(tokens::revoke))
        .route("/kb/articles", get(kb::list).post(kb::create))
        .route(
            "/kb/articles/{id}",
            get(kb::detail).put(kb::update).delete(kb::delete),
        )
        .route("/kb/search", get(kb::search))
        .fallback(|| async { error::ApiError::not_found("no such API route") })
        .with_state(state);
    let mut api = Router::new().nest("/api/v1", v1);
    if !cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = cors_origins
            .iter()
            .filter_map(|origin| origin.parse().ok())
            .collect();
        api = api.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    header::HeaderName::from_static("last-event-id"),
                ]),
        );
    }
    api.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}
