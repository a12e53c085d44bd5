//! Signing in with Telegram's initData, refreshing, signing out, and who
//! the caller is.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiState;
use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, Caller};
use crate::services::web::Principal;
use crate::services::web::sessions::SessionTokens;

#[derive(Debug, Deserialize, ToSchema)]
pub struct TelegramSignIn {
    /// `Telegram.WebApp.initData`, exactly as the Mini App received it.
    pub init_data: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `person` (signed in through the Mini App) or `api_token`.
    pub kind: &'static str,
    pub name: String,
    /// `admin` or `technician`; API tokens: null.
    pub role: Option<&'static str>,
    pub tg_user_id: Option<i64>,
    /// The caller's technician row, if any.
    pub technician_id: Option<i32>,
    /// `read` or `write`, for API tokens.
    pub scope: Option<&'static str>,
    /// Sees every ticket (admins and API tokens).
    pub sees_everything: bool,
    pub may_switch_availability: bool,
    pub may_manage_tokens: bool,
}

/// Exchange Telegram's initData for an access and a refresh token.
#[utoipa::path(
    post, path = "/api/v1/auth/telegram", tag = "auth",
    request_body = TelegramSignIn,
    responses(
        (status = 200, description = "Signed in", body = SessionTokens),
        (status = 401, description = "initData is not signed with the bot token, or is too old", body = ErrorBody),
        (status = 403, description = "Not on the desk's team; the detail says whom to ask", body = ErrorBody),
        (status = 422, description = "No init_data", body = ErrorBody),
    )
)]
pub async fn telegram(
    State(state): State<ApiState>,
    ApiJson(body): ApiJson<TelegramSignIn>,
) -> ApiResult<axum::Json<SessionTokens>> {
    Ok(axum::Json(state.web.sign_in(&body.init_data).await?))
}

/// Trade a refresh token for new tokens. Each refresh token works once;
/// presenting a used one again signs the whole session out.
#[utoipa::path(
    post, path = "/api/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = SessionTokens),
        (status = 401, description = "Unknown, expired, revoked or already used", body = ErrorBody),
        (status = 403, description = "No longer on the desk's team", body = ErrorBody),
    )
)]
pub async fn refresh(
    State(state): State<ApiState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<axum::Json<SessionTokens>> {
    Ok(axum::Json(state.web.refresh(&body.refresh_token).await?))
}

/// Sign out: the refresh token and every access token of its session stop
/// working.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
pub async fn logout(
    State(state): State<ApiState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<StatusCode> {
    state.web.logout(&body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the bearer token belongs to, and what they may do.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Me),
        (status = 401, body = ErrorBody),
    )
)]
pub async fn me(Caller(caller): Caller) -> axum::Json<Me> {
    let me = match &caller {
        Principal::Person {
            tg_user_id,
            name,
            role,
            tech_id,
            ..
        } => Me {
            kind: "person",
            name: name.clone(),
            role: Some(role.as_str()),
            tg_user_id: Some(*tg_user_id),
            technician_id: *tech_id,
            scope: None,
            sees_everything: caller.sees_everything(),
            may_switch_availability: caller.may_switch_availability().is_ok(),
            may_manage_tokens: caller.may_manage_tokens().is_ok(),
        },
        Principal::Token { name, .. } => Me {
            kind: "api_token",
            name: name.clone(),
            role: None,
            tg_user_id: None,
            technician_id: None,
            scope: caller.scope_name(),
            sees_everything: true,
            may_switch_availability: caller.may_switch_availability().is_ok(),
            may_manage_tokens: false,
        },
    };
    axum::Json(me)
}
