//! Business hours: when the team works, so SLA clocks count only that time.
//!
//! A calendar is a weekly schedule of opening hours in one IANA time zone,
//! minus holidays. Every computation walks the local days and turns each
//! day's opening hours into UTC instants with the zone's rules for that
//! date, so a DST change moves the hours with the wall clock: 09:00 stays
//! 09:00 local, and a night that loses or gains an hour is simply a night.
//!
//! All instants are UTC; the zone matters only for reading the schedule.

mod business_time;
mod parse;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

const MINUTES_PER_DAY: u32 = 24 * 60;

/// Opening hours within one day, in minutes since local midnight:
/// `opens < closes <= 1440` (1440 is `24:00`, the next midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Span {
    opens: u32,
    closes: u32,
}

/// When the team works: opening hours per weekday in a time zone, and
/// holidays (local dates) when it does not.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    zone: Tz,
    /// Indexed by `Weekday::num_days_from_monday`; sorted, not overlapping.
    week: [Vec<Span>; 7],
    holidays: BTreeSet<NaiveDate>,
    /// Every minute of every day, no holidays: business time is plain time,
    /// and the arithmetic takes the short way.
    always_open: bool,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self::always()
    }
}

impl BusinessCalendar {
    /// Open around the clock, every day, in UTC: what SLA clocks use without
    /// BUSINESS_HOURS.
    pub fn always() -> Self {
        Self {
            zone: Tz::UTC,
            week: std::array::from_fn(|_| {
                vec![Span {
                    opens: 0,
                    closes: MINUTES_PER_DAY,
                }]
            }),
            holidays: BTreeSet::new(),
            always_open: true,
        }
    }

    /// The time zone of the opening hours (UTC for [`always`](Self::always)).
    pub fn time_zone(&self) -> Tz {
        self.zone
    }

    /// Whether the team works every minute of every day: then business time
    /// is plain time.
    pub fn is_always_open(&self) -> bool {
        self.always_open
    }

    /// The holidays, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    /// `at` on the team's wall clock.
    pub fn to_local(&self, at: DateTime<Utc>) -> DateTime<Tz> {
        at.with_timezone(&self.zone)
    }

    /// The team's date at `at`: the day a statistic counts it in.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.to_local(at).date_naive()
    }

    /// The first moment of a local date (midnight, or the moment the clocks
    /// jump to when a DST change skips midnight).
    pub fn start_of_local_day(&self, date: NaiveDate) -> DateTime<Utc> {
        self.resolve(date.and_time(NaiveTime::MIN))
    }

    /// The first moment after `after` when the team's wall clock shows
    /// `time` (for schedules such as DAILY_REPORT_AT). On a day when a DST
    /// change skips that time, the moment the clocks jump past it.
    pub fn next_local_time(&self, after: DateTime<Utc>, time: NaiveTime) -> DateTime<Utc> {
        let mut date = self.local_date(after).pred_opt().unwrap_or(NaiveDate::MIN);
        loop {
            let candidate = self.resolve(date.and_time(time));
            if candidate > after {
                return candidate;
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => return DateTime::<Utc>::MAX_UTC,
            }
        }
    }
}
