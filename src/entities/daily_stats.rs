//! `daily_stats`: the nightly rollup, one row per day × category ×
//! technician (`''` and `0` for none), and one row of the day's totals
//! (category `*`, technician `-1`), which also marks the day as rolled up.
//! Re-running a day replaces its rows. Durations are in seconds of
//! business time.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "daily_stats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `YYYY-MM-DD` in the business hours' time zone (UTC without).
    #[sea_orm(column_type = "Text")]
    pub day: String,
    #[sea_orm(column_type = "Text")]
    pub category: String,
    pub tech_id: i32,
    pub opened: i32,
    pub closed: i32,
    /// First responses given that day, which the first-response
    /// percentiles were taken over.
    pub first_responses: i32,
    pub first_response_p50_secs: Option<f64>,
    pub first_response_p90_secs: Option<f64>,
    pub resolution_p50_secs: Option<f64>,
    pub resolution_p90_secs: Option<f64>,
    pub sla_met: i32,
    pub sla_breached: i32,
    pub survey_q1_avg: Option<f64>,
    pub survey_q2_avg: Option<f64>,
    pub survey_q3_avg: Option<f64>,
    pub survey_responses: i32,
    pub computed_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
