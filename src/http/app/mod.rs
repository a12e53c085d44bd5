//! The Mini App at `/app/`: a small page, script and style sheet from
//! `web/app/`, built into the binary (rust-embed), so nothing else has to
//! be built or served to run it. The page talks to the REST API like any
//! other client. Its words come from the locale files in BOT_LANGUAGE,
//! written into the page as it is served.

pub mod charts;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

use crate::texts::Texts;

#[derive(RustEmbed)]
#[folder = "web/app/"]
struct Assets;

/// Scripts only from the desk itself and Telegram's own script; the API
/// on the same origin. The inline JSON block with the texts is data, not a
/// script, so no inline script needs allowing.
const CSP: &str = "default-src 'self'; script-src 'self' https://telegram.org; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'";

#[derive(Clone)]
struct AppState {
    texts: Texts,
}

pub fn routes(texts: Texts) -> Router {
    Router::new()
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route("/app/", get(index))
        .route("/app/{*file}", get(asset))
        .with_state(AppState { texts })
}

fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // Small files, changed with every release: always revalidate.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn index(State(state): State<AppState>) -> Response {
    let Some(page) = Assets::get("index.html") else {
        return (
            StatusCode::NOT_FOUND,
            "the Mini App is missing from this build",
        )
            .into_response();
    };
    let page = String::from_utf8_lossy(&page.data);
    // `</` would end the script block that holds the JSON.
    let texts = serde_json::to_string(&state.texts.web_ui())
        .unwrap_or_else(|_| "{}".into())
        .replace("</", "<\\/");
    let page = page
        .replace("__LANG__", state.texts.language().code())
        .replace("__TEXTS__", &texts);
    secured(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}

async fn asset(Path(file): Path<String>) -> Response {
    if file == "index.html" {
        return Redirect::permanent("/app/").into_response();
    }
    let Some(asset) = Assets::get(&file) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let mime = match file.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    secured(([(header::CONTENT_TYPE, mime)], asset.data.into_owned()).into_response())
}
