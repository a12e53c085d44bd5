//! Technicians, statistics and the dashboard (with its charts).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use chrono::{Duration, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, Caller, path_id};
use crate::http::app::charts::{self, Palette};
use crate::services::web::actions::TechnicianView;
use crate::services::web::levels::DeskView;
use crate::services::web::stats::{Dashboard, StatsReport};

/// Every technician, with whether they take new tickets and their load.
#[utoipa::path(
    get, path = "/api/v1/technicians", tag = "technicians",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TechnicianView>), (status = 401, body = ErrorBody))
)]
pub async fn technicians(
    State(state): State<ApiState>,
    Caller(caller): Caller,
) -> ApiResult<axum::Json<Vec<TechnicianView>>> {
    Ok(axum::Json(state.web.technicians(&caller).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AvailabilityRequest {
    /// Whether the technician takes new tickets (like /tech_on, /tech_off).
    pub available: bool,
}

/// Let a technician take new tickets, or stop it (admins).
#[utoipa::path(
    post, path = "/api/v1/technicians/{id}/availability", tag = "technicians",
    params(("id" = i32, Path, description = "The technician's id")),
    request_body = AvailabilityRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = TechnicianView),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not in TECH_GROUPS_MAPPING any more", body = ErrorBody),
    )
)]
pub async fn availability(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AvailabilityRequest>,
) -> ApiResult<axum::Json<TechnicianView>> {
    let id = path_id(&id, "technician")?;
    Ok(axum::Json(
        state
            .web
            .set_availability(&caller, id, body.available)
            .await?,
    ))
}

/// The period and filters of the statistics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day, `YYYY-MM-DD` (UTC); default 29 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC); default today.
    pub to: Option<String>,
    /// A category key (`GET /api/v1/desk` lists them).
    pub category: Option<String>,
    /// A technician's id: only their tickets.
    pub technician: Option<String>,
}

fn date(raw: &HashMap<String, String>, key: &'static str) -> ApiResult<Option<NaiveDate>> {
    match raw.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(value) => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ApiError::invalid(key, "expected a date like 2026-11-30")),
    }
}

/// What /stats gives, per day: tickets opened and closed, first-response
/// and resolution times, survey answers, SLA outcomes, and the nightly
/// rollup's numbers (`daily_stats`) for the days it has done.
#[utoipa::path(
    get, path = "/api/v1/stats", tag = "stats",
    params(StatsParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = StatsReport),
        (status = 403, description = "A technician asking for another's figures", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn stats(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<axum::Json<StatsReport>> {
    let to = date(&raw, "to")?.unwrap_or_else(|| Utc::now().date_naive());
    let from = date(&raw, "from")?.unwrap_or(to - Duration::days(29));
    let category = raw
        .get("category")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty());
    let technician = match raw
        .get("technician")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(value) => Some(
            value
                .parse()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ApiError::invalid("technician", "expected a technician's id"))?,
        ),
    };
    Ok(axum::Json(
        state
            .web
            .stats(&caller, from, to, technician, category)
            .await?,
    ))
}

/// The desk's categories (names in every language, emoji) and priorities
/// with their SLA targets: what selectors offer.
#[utoipa::path(
    get, path = "/api/v1/desk", tag = "stats",
    security(("bearer" = [])),
    responses((status = 200, body = DeskView), (status = 401, body = ErrorBody))
)]
pub async fn desk(State(state): State<ApiState>, Caller(_caller): Caller) -> axum::Json<DeskView> {
    axum::Json(state.web.desk_view())
}

/// The dashboard's figures: open tickets, the oldest waiting, today's
/// times, 30 days per day, and each technician's load and rating.
#[utoipa::path(
    get, path = "/api/v1/dashboard", tag = "stats",
    security(("bearer" = [])),
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody))
)]
pub async fn dashboard(
    State(state): State<ApiState>,
    Caller(caller): Caller,
) -> ApiResult<axum::Json<Dashboard>> {
    Ok(axum::Json(state.web.dashboard(&caller).await?))
}

/// Colours of a chart, to match the Mini App's theme.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartParams {
    /// Text and axes, `RRGGBB`.
    pub fg: Option<String>,
    /// The first series, `RRGGBB`.
    pub accent: Option<String>,
}

fn colour(raw: &HashMap<String, String>, key: &'static str) -> ApiResult<Option<(u8, u8, u8)>> {
    let Some(value) = raw.get(key) else {
        return Ok(None);
    };
    let hex = value.trim().trim_start_matches('#');
    let channel = |at: usize| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok();
    match (hex.len(), channel(0), channel(2), channel(4)) {
        (6, Some(r), Some(g), Some(b)) => Ok(Some((r, g, b))),
        _ => Err(ApiError::invalid(key, "expected a colour like 2481cc")),
    }
}

/// The dashboard's 30-day charts as SVG: `opened-closed` (tickets per
/// day) or `survey` (average answers per day).
#[utoipa::path(
    get, path = "/api/v1/dashboard/charts/{chart}", tag = "stats",
    params(("chart" = String, Path, description = "`opened-closed` or `survey`"), ChartParams),
    security(("bearer" = [])),
    responses(
        (status = 200, content_type = "image/svg+xml", body = String),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn chart(
    State(state): State<ApiState>,
    Caller(caller): Caller,
    Path(chart): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<impl IntoResponse> {
    let palette = Palette::new(colour(&raw, "fg")?, colour(&raw, "accent")?);
    let texts = state.web.texts();
    let render: fn(&Dashboard, &Palette, &crate::texts::Texts) -> String = match chart.as_str() {
        "opened-closed" => charts::opened_closed,
        "survey" => charts::survey,
        _ => return Err(ApiError::not_found(format!("no chart {chart:?}"))),
    };
    let dashboard = state.web.dashboard(&caller).await?;
    let svg = render(&dashboard, &palette, &texts);
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    ))
}
