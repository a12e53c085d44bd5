//! When the routines come due: apalis-cron schedules, one per routine.
//!
//! Every instance runs every clock. A tick does not do the work: it stores
//! one routine job keyed by the routine and the tick's moment, so however
//! many instances tick, one job exists and one worker runs it (apalis'
//! idempotency key does the deduplication in the database). The ticks of a
//! periodic clock are aligned to the epoch, so every instance names the
//! same moments.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use apalis_cron::Tick;
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

/// When a routine comes due.
#[derive(Debug, Clone)]
pub enum When {
    /// Every period, at whole multiples of it since the epoch (so every
    /// instance ticks at the same moments); whole seconds, at least one.
    Every { seconds: u64, last: u64 },
    /// Once a day at a local time.
    Daily(Box<cron::Schedule>),
}

impl When {
    pub fn every(period: Duration) -> When {
        let seconds = period.as_secs() + u64::from(period.subsec_nanos() > 0);
        When::Every {
            seconds: seconds.max(1),
            last: 0,
        }
    }

    /// Daily at `time` (in the clock's time zone), to the minute.
    pub fn daily_at(time: NaiveTime) -> When {
        let expression = format!("0 {} {} * * *", time.minute(), time.hour());
        When::Daily(Box::new(
            expression
                .parse()
                .expect("a minute and an hour make a valid cron expression"),
        ))
    }

    /// The latest moment this clock was due at or before `now`: what a
    /// start runs in case it was missed while no instance was up.
    pub fn last_due(&self, zone: Tz, now: DateTime<Utc>) -> Option<i64> {
        match self {
            When::Every { seconds, .. } => {
                let period = *seconds as i64;
                Some(now.timestamp().div_euclid(period) * period)
            }
            When::Daily(schedule) => schedule
                .after(&now.with_timezone(&zone))
                .next_back()
                .map(|at| at.timestamp()),
        }
    }
}

impl apalis_cron::Schedule<Tz> for When {
    fn next_tick(&mut self, zone: &Tz) -> Option<Tick<Tz>> {
        match self {
            When::Every { seconds, last } => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                // Never the same moment twice, even if a timer fires a hair early.
                let from = now.max(*last);
                let next = (from / *seconds + 1) * *seconds;
                *last = next;
                Some(Tick::new(next))
            }
            When::Daily(schedule) => schedule
                .upcoming(*zone)
                .next()
                .map(|at| Tick::new(at.timestamp().max(0) as u64)),
        }
    }
}

impl PartialEq for When {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                When::Every { seconds, last },
                When::Every {
                    seconds: other_seconds,
                    last: other_last,
                },
            ) => seconds == other_seconds && last == other_last,
            (When::Daily(a), When::Daily(b)) => a.to_string() == b.to_string(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apalis_cron::Schedule;
    use chrono::TimeZone;

    #[test]
    fn periodic_ticks_fall_on_whole_periods_and_never_repeat() {
        let mut every = When::every(Duration::from_secs(60));
        let first = every.next_tick(&Tz::UTC).unwrap().get_timestamp();
        assert_eq!(first % 60, 0);
        let second = every.next_tick(&Tz::UTC).unwrap().get_timestamp();
        assert!(second > first, "{first} then {second}");
        assert_eq!(
            When::every(Duration::from_millis(50)),
            When::Every {
                seconds: 1,
                last: 0
            }
        );
    }

    #[test]
    fn the_last_due_moment_of_a_daily_clock_is_in_its_time_zone() {
        let zone: Tz = "Asia/Almaty".parse().unwrap();
        let clock = When::daily_at(NaiveTime::from_hms_opt(0, 5, 0).unwrap());
        // 10:00 UTC is 15:00 in Almaty (UTC+5): last due at 00:05 local
        // that day, 19:05 UTC the day before.
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        let due = clock.last_due(zone, now).unwrap();
        assert_eq!(
            DateTime::from_timestamp(due, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 30, 19, 5, 0).unwrap()
        );
        let every = When::every(Duration::from_secs(3600));
        assert_eq!(every.last_due(zone, now), Some(now.timestamp()));
    }
}
