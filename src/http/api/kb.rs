//! The knowledge base: articles (admins and write-scope tokens write,
//! everyone signed in reads) and the search.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiState;
use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, Caller, path_id};
use crate::services::web::knowledge::{ArticleInput, ArticleView, SearchResult};

/// Filters of the article list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// `ru`, `kk` or `en`: only that language's translations.
    pub language: Option<String>,
}

/// Every article (published or not), by slug, then language.
#[utoipa::path(
    get, path = "/api/v1/kb/articles", tag = "knowledge",
    params(ArticleListParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ArticleView>), (status = 401, body = ErrorBody))
)]
pub async fn list(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<axum::Json<Vec<ArticleView>>> {
    let language = raw.get("language").map(|l| l.trim());
    Ok(axum::Json(state.web.articles(&caller, language).await?))
}

#[utoipa::path(
    get, path = "/api/v1/kb/articles/{id}", tag = "knowledge",
    params(("id" = i32, Path, description = "The article's id")),
    security(("bearer" = [])),
    responses((status = 200, body = ArticleView), (status = 404, body = ErrorBody))
)]
pub async fn detail(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ArticleView>> {
    let id = path_id(&id, "article")?;
    Ok(axum::Json(state.web.article(&caller, id).await?))
}

/// Write an article: a new slug, a translation (an existing slug in
/// another language), or a replacement (the same slug and language).
#[utoipa::path(
    post, path = "/api/v1/kb/articles", tag = "knowledge",
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses(
        (status = 201, body = ArticleView),
        (status = 403, description = "Admins and write-scope tokens only", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<ArticleInput>,
) -> ApiResult<(StatusCode, axum::Json<ArticleView>)> {
    let saved = state.web.save_article(&caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(saved)))
}

/// Change an article; its slug and language stay.
#[utoipa::path(
    put, path = "/api/v1/kb/articles/{id}", tag = "knowledge",
    params(("id" = i32, Path, description = "The article's id")),
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses(
        (status = 200, body = ArticleView),
        (status = 403, description = "Admins and write-scope tokens only", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ArticleInput>,
) -> ApiResult<axum::Json<ArticleView>> {
    let id = path_id(&id, "article")?;
    Ok(axum::Json(
        state.web.update_article(&caller, id, body).await?,
    ))
}

#[utoipa::path(
    delete, path = "/api/v1/kb/articles/{id}", tag = "knowledge",
    params(("id" = i32, Path, description = "The article's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Admins and write-scope tokens only", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, "article")?;
    state.web.delete_article(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What to search for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words, as a client would write them.
    pub q: String,
    /// `ru`, `kk` or `en`: the translation to return when a slug has it.
    pub language: Option<String>,
    /// At most this many results (1–20, default 3).
    pub limit: Option<usize>,
}

/// The published articles best matching `q`, one per slug.
#[utoipa::path(
    get, path = "/api/v1/kb/search", tag = "knowledge",
    params(SearchParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<SearchResult>), (status = 422, body = ErrorBody))
)]
pub async fn search(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<axum::Json<Vec<SearchResult>>> {
    let query = raw.get("q").map(String::as_str).unwrap_or_default();
    let limit = match raw.get("limit").map(|l| l.trim()).filter(|l| !l.is_empty()) {
        None => None,
        Some(limit) => Some(
            limit
                .parse::<usize>()
                .map_err(|_| ApiError::invalid("limit", "a number from 1 to 20"))?,
        ),
    };
    let language = raw.get("language").map(String::as_str);
    Ok(axum::Json(
        state
            .web
            .search_articles(&caller, query, language, limit)
            .await?,
    ))
}
