//! Daily statistics: the nightly rollup into `daily_stats`, `/stats` read
//! from it, and the managers' daily report.
//!
//! A day is a date on the team's wall clock (BUSINESS_HOURS' time zone,
//! UTC without), and each figure counts what *happened* that day, so a
//! finished day's numbers stay put: tickets opened that day; tickets closed
//! that day, with their resolution time, SLA outcome and survey answers;
//! first responses given that day, with their time. Durations are business
//! time (plain time without BUSINESS_HOURS).
//!
//! Rows: one per category × technician that had anything that day (`''`
//! and `0` when a ticket has none), and one totals row (category `*`,
//! technician `-1`) written for every day rolled up, even an empty one, so
//! a missing totals row means the day was never rolled up. Rolling up a day
//! again replaces its rows, in one transaction.
//!
//! The rollup runs shortly after midnight for yesterday, recomputes the day
//! before too (survey answers arrive up to a day after closing), and fills
//! every day that has no rows yet since the first ticket (the first night
//! after an upgrade, or nights the desk was down).

mod read;
mod rollup;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use crate::domain::calendar::BusinessCalendar;
use crate::outbox::Outbox;
use crate::texts::Texts;

/// The totals row's category and technician.
pub const TOTAL_CATEGORY: &str = "*";
pub const TOTAL_TECH: i32 = -1;

/// One slice of one day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub opened: u32,
    pub closed: u32,
    /// Seconds of business time from opening to the first response, for
    /// first responses given that day.
    pub first_response: Vec<f64>,
    /// Seconds of business time from opening to closing, for tickets
    /// closed that day.
    pub resolution: Vec<f64>,
    pub sla_met: u32,
    pub sla_breached: u32,
    /// Survey answers of the tickets closed that day.
    pub survey: Vec<[i16; 3]>,
}

/// A day's figures by (category, technician); the totals under
/// ([`TOTAL_CATEGORY`], [`TOTAL_TECH`]).
pub type Day = BTreeMap<(String, i32), Figures>;

/// The statistics service. Cheap to clone.
#[derive(Clone)]
pub struct DailyStats {
    db: DatabaseConnection,
    calendar: BusinessCalendar,
    outbox: Outbox,
    texts: Texts,
    managers: Vec<i64>,
}

impl DailyStats {
    pub fn new(
        db: DatabaseConnection,
        calendar: BusinessCalendar,
        outbox: Outbox,
        texts: Texts,
        managers: Vec<i64>,
    ) -> Self {
        Self {
            db,
            calendar,
            outbox,
            texts,
            managers,
        }
    }

    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }
}

fn total_key() -> (String, i32) {
    (TOTAL_CATEGORY.to_owned(), TOTAL_TECH)
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(date)
}

/// `YYYY-MM-DD`, as `daily_stats.day` holds it (so text order is date order).
pub fn day_label(date: &NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}
