//! API tokens, managed by admins signed in to the Mini App.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::ApiState;
use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, Caller, path_id};
use crate::services::web::api_tokens::{ApiTokenView, CreatedToken, Scope};

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    /// What the token is for, like `crm` (1–64 characters).
    pub name: String,
    /// `read` (default) or `write`.
    #[serde(default = "read")]
    pub scope: Scope,
}

fn read() -> Scope {
    Scope::Read
}

/// Every API token, revoked ones too; never the tokens themselves.
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "tokens",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiTokenView>), (status = 403, description = "Admins signed in to the Mini App only", body = ErrorBody))
)]
pub async fn list(
    State(state): State<ApiState>,
    Caller(caller): Caller,
) -> ApiResult<axum::Json<Vec<ApiTokenView>>> {
    Ok(axum::Json(state.web.api_tokens(&caller).await?))
}

/// Make a token. The answer is the only time the token is shown.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "tokens",
    request_body = NewToken,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CreatedToken),
        (status = 403, description = "Admins signed in to the Mini App only", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, axum::Json<CreatedToken>)> {
    let created = state
        .web
        .create_api_token(&caller, &body.name, body.scope)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Revoke a token: it stops working at once.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i32, Path, description = "The token's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ApiTokenView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ApiTokenView>> {
    let id = path_id(&id, "API token")?;
    Ok(axum::Json(state.web.revoke_api_token(&caller, id).await?))
}
