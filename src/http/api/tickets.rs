//! Tickets: the list, one ticket with its timeline, and what can be done
//! with it. Each handler checks its input and makes one call to the web
//! desk, which goes through the bot's own services.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, Caller, path_id};
use crate::services::web::actions::ReplyReceipt;
use crate::services::web::tickets::{
    DEFAULT_LIMIT, MAX_LIMIT, StatusFilter, TechFilter, TicketDetail, TicketPage, TicketQuery,
    decode_cursor,
};

/// Filters of the ticket list. Every one is optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketListParams {
    /// `new`, `work`, `closed`, or `open` (new and work).
    pub status: Option<String>,
    /// A category key (categories come with service levels; until then
    /// any value is refused).
    pub category: Option<String>,
    /// A technician's id, or `none` for unassigned tickets.
    pub technician: Option<String>,
    /// A priority (comes with service levels; until then refused).
    pub priority: Option<String>,
    /// Search as /find does: `#12`, `@username`, a Telegram id, or words
    /// from the client's name or the conversation.
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Tickets per page, 1–200 (default 50).
    pub limit: Option<String>,
}

/// Tickets, newest first, in pages.
#[utoipa::path(
    get, path = "/api/v1/tickets", tag = "tickets",
    params(TicketListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = TicketPage),
        (status = 401, body = ErrorBody),
        (status = 422, description = "A filter is malformed; `field` names it", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<axum::Json<TicketPage>> {
    let value = |key: &str| raw.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut query = TicketQuery {
        limit: DEFAULT_LIMIT,
        ..TicketQuery::default()
    };
    if let Some(status) = value("status") {
        query.status =
            Some(StatusFilter::parse(status).ok_or_else(|| {
                ApiError::invalid("status", "expected new, work, closed or open")
            })?);
    }
    if value("category").is_some() {
        return Err(ApiError::invalid(
            "category",
            "no categories are configured on this desk",
        ));
    }
    if value("priority").is_some() {
        return Err(ApiError::invalid(
            "priority",
            "priorities are not in use on this desk yet",
        ));
    }
    if let Some(tech) = value("technician") {
        query.technician = Some(if tech.eq_ignore_ascii_case("none") {
            TechFilter::Unassigned
        } else {
            TechFilter::Id(tech.parse().ok().filter(|id| *id > 0).ok_or_else(|| {
                ApiError::invalid("technician", "expected a technician's id or none")
            })?)
        });
    }
    query.q = value("q").map(str::to_owned);
    if let Some(cursor) = value("cursor") {
        query.before = Some(decode_cursor(cursor).ok_or_else(|| {
            ApiError::invalid("cursor", "expected the next_cursor of a previous page")
        })?);
    }
    if let Some(limit) = value("limit") {
        query.limit = limit
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::invalid("limit", format!("expected a number from 1 to {MAX_LIMIT}"))
            })?;
    }
    Ok(axum::Json(state.web.list_tickets(&caller, &query).await?))
}

/// One ticket with its timeline, feedback and what the caller may do.
#[utoipa::path(
    get, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = TicketDetail),
        (status = 404, description = "No such ticket in the caller's view", body = ErrorBody),
    )
)]
pub async fn detail(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TicketDetail>> {
    let id = path_id(&id, "ticket")?;
    Ok(axum::Json(state.web.ticket_detail(&caller, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    pub technician_id: i32,
}

/// Give the ticket to a technician (a technician may take an unassigned
/// ticket for themselves). The technician gets the mirrored topic as with
/// the card's button.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/assign", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    request_body = AssignRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Assigned (or already was)", body = TicketDetail),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Closed, or being changed right now", body = ErrorBody),
        (status = 422, description = "No such available technician", body = ErrorBody),
    )
)]
pub async fn assign(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignRequest>,
) -> ApiResult<axum::Json<TicketDetail>> {
    let id = path_id(&id, "ticket")?;
    if body.technician_id <= 0 {
        return Err(ApiError::invalid(
            "technician_id",
            "expected a technician's id",
        ));
    }
    Ok(axum::Json(
        state.web.assign(&caller, id, body.technician_id).await?,
    ))
}

/// Close the ticket: topics renamed and closed, the client told and asked
/// for feedback, as with /close.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/close", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Closed", body = TicketDetail),
        (status = 403, description = "A technician closing a ticket they do not hold", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already closed, or being changed", body = ErrorBody),
    )
)]
pub async fn close(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TicketDetail>> {
    let id = path_id(&id, "ticket")?;
    Ok(axum::Json(state.web.close(&caller, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyRequest {
    /// Plain text; sent to the client as the team, and into the topics
    /// with the author's name.
    pub text: String,
}

/// Answer the client as the team. It reaches the client's chat through the
/// outbox, and shows in the main topic and the technician's topic marked
/// with the author's name, like a staff message.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/messages", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    request_body = ReplyRequest,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued for delivery", body = ReplyReceipt),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The ticket is closed", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
    )
)]
pub async fn reply(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReplyRequest>,
) -> ApiResult<(axum::http::StatusCode, axum::Json<ReplyReceipt>)> {
    let id = path_id(&id, "ticket")?;
    let receipt = state.web.reply(&caller, id, &body.text).await?;
    Ok((axum::http::StatusCode::ACCEPTED, axum::Json(receipt)))
}

/// Set the priority. Arrives with service levels; until then 404.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/priority", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    security(("bearer" = [])),
    responses((status = 404, description = "Not available yet", body = ErrorBody))
)]
pub async fn priority(Caller(_caller): Caller) -> ApiError {
    ApiError::not_found("priorities arrive with service levels; this desk has none yet")
}

/// Move to a category. Arrives with service levels; until then 404.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/category", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    security(("bearer" = [])),
    responses((status = 404, description = "Not available yet", body = ErrorBody))
)]
pub async fn category(Caller(_caller): Caller) -> ApiError {
    ApiError::not_found("categories arrive with service levels; this desk has none yet")
}

/// Wait for the client. Arrives with service levels; until then 404.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/wait", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    security(("bearer" = [])),
    responses((status = 404, description = "Not available yet", body = ErrorBody))
)]
pub async fn wait(Caller(_caller): Caller) -> ApiError {
    ApiError::not_found("waiting for the client arrives with service levels; not yet available")
}
