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
use crate::services::web::levels::parse_priority;
use crate::services::web::tickets::{
    DEFAULT_LIMIT, MAX_LIMIT, StatusFilter, TechFilter, TicketDetail, TicketPage, TicketQuery,
    decode_cursor,
};

/// Filters of the ticket list. Every one is optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketListParams {
    /// `new`, `work`, `waiting`, `held`, `closed`, or `open` (every state
    /// but closed).
    pub status: Option<String>,
    /// A category key (`GET /api/v1/desk` lists them).
    pub category: Option<String>,
    /// A technician's id, or `none` for unassigned tickets.
    pub technician: Option<String>,
    /// `low`, `normal`, `high` or `urgent`.
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
        query.status = Some(StatusFilter::parse(status).ok_or_else(|| {
            ApiError::invalid(
                "status",
                "expected new, work, waiting, held, closed or open",
            )
        })?);
    }
    if let Some(category) = value("category") {
        state.web.check_category("category", category)?;
        query.category = Some(category.to_owned());
    }
    if let Some(priority) = value("priority") {
        query.priority = Some(parse_priority("priority", priority)?);
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct PriorityRequest {
    /// `low`, `normal`, `high` or `urgent`.
    pub level: String,
}

/// Set the priority, as the card's priority buttons and /priority do: the
/// SLA deadlines follow, the card is edited.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/priority", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    request_body = PriorityRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Set (or already was)", body = TicketDetail),
        (status = 403, description = "A read token, or a technician on a ticket they do not hold", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Closed, not open yet, or being changed", body = ErrorBody),
        (status = 422, description = "Not a priority; `field` is `level`", body = ErrorBody),
    )
)]
pub async fn priority(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PriorityRequest>,
) -> ApiResult<axum::Json<TicketDetail>> {
    let id = path_id(&id, "ticket")?;
    Ok(axum::Json(
        state.web.set_priority(&caller, id, &body.level).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CategoryRequest {
    /// A category key (`GET /api/v1/desk` lists them).
    pub key: String,
}

/// Move the ticket to another category, as /category does: the card is
/// edited, or, when the category has its own main group, the topic moves
/// there (a new topic, a note in each, the old one closed).
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/category", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    request_body = CategoryRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Moved (or already there)", body = TicketDetail),
        (status = 403, description = "A read token, or a technician on a ticket they do not hold", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Closed, not open yet, or being changed", body = ErrorBody),
        (status = 422, description = "No such category; `field` is `key`", body = ErrorBody),
    )
)]
pub async fn category(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CategoryRequest>,
) -> ApiResult<axum::Json<TicketDetail>> {
    let id = path_id(&id, "ticket")?;
    Ok(axum::Json(
        state.web.set_category(&caller, id, &body.key).await?,
    ))
}

/// Wait for the client, as /wait does: status `waiting`, ⏸ in the titles,
/// the resolution clock paused. The client's next message ends it.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/wait", tag = "tickets",
    params(("id" = i32, Path, description = "The ticket number")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Waiting (or already was)", body = TicketDetail),
        (status = 403, description = "A read token, or a technician on a ticket they do not hold", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Closed, not open yet, or being changed", body = ErrorBody),
    )
)]
pub async fn wait(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TicketDetail>> {
    let id = path_id(&id, "ticket")?;
    Ok(axum::Json(state.web.wait_for_client(&caller, id).await?))
}
