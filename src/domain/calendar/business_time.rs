//! Business-time arithmetic: whether the team is at work, and moving
//! through business hours in UTC instants, one local day at a time.

use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};

use super::{BusinessCalendar, MINUTES_PER_DAY, Span};

impl BusinessCalendar {
    /// Whether `at` falls within business hours.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        if self.always_open {
            return true;
        }
        self.windows_from(at)
            .take_while(|(opens, _)| *opens <= at)
            .any(|(_, closes)| at < closes)
    }

    /// When the team is back: `None` while it is at work (`at` is within
    /// business hours), otherwise the start of the next business hours —
    /// what a client is told outside them ("we answer from 09:00 Monday").
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.always_open {
            return None;
        }
        for (opens, closes) in self.windows_from(at) {
            if opens > at {
                return Some(opens);
            }
            if at < closes {
                return None;
            }
        }
        None
    }

    /// The moment `work` of business time after `start`. Closed time (nights,
    /// closed days, holidays) does not count; when `work` ends exactly at
    /// closing time, that closing time is the answer. Opened Friday 17:50
    /// with 30 minutes to go on a `Mon-Fri 09:00-18:00` calendar: 10 minutes
    /// on Friday, 20 on Monday, due Monday 09:20.
    pub fn add(&self, start: DateTime<Utc>, work: Duration) -> DateTime<Utc> {
        let Ok(mut remaining) = TimeDelta::from_std(work) else {
            return DateTime::<Utc>::MAX_UTC;
        };
        if remaining.is_zero() {
            return start;
        }
        if self.always_open {
            return start
                .checked_add_signed(remaining)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
        }
        for (opens, closes) in self.windows_from(start) {
            let from = opens.max(start);
            if closes <= from {
                continue;
            }
            let open_here = closes - from;
            if remaining <= open_here {
                return from + remaining;
            }
            remaining -= open_here;
        }
        DateTime::<Utc>::MAX_UTC
    }

    /// The earliest moment from which `work` of business time runs until
    /// `end`: the inverse of [`add`](Self::add), `subtract(add(x, d), d) == x`
    /// whenever `d > 0` and `x` is within business hours. `work` of zero
    /// gives `end`.
    pub fn subtract(&self, end: DateTime<Utc>, work: Duration) -> DateTime<Utc> {
        let Ok(mut remaining) = TimeDelta::from_std(work) else {
            return DateTime::<Utc>::MIN_UTC;
        };
        if remaining.is_zero() {
            return end;
        }
        if self.always_open {
            return end
                .checked_sub_signed(remaining)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
        }
        let mut windows = self.windows_before(end);
        while let Some((opens, closes)) = windows.next() {
            let to = closes.min(end);
            if to <= opens {
                continue;
            }
            let open_here = to - opens;
            if remaining < open_here {
                return to - remaining;
            }
            remaining -= open_here;
            if remaining.is_zero() {
                // The work starts right at this opening; the earliest moment
                // from which it does is the close of the business hours
                // before (the closed time in between counts for nothing).
                return windows.next().map_or(opens, |(_, closes)| closes);
            }
        }
        DateTime::<Utc>::MIN_UTC
    }

    /// Business time between two moments; zero when `to <= from`.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::ZERO;
        }
        if self.always_open {
            return (to - from).to_std().unwrap_or_default();
        }
        let mut total = TimeDelta::zero();
        for (opens, closes) in self.windows_from(from) {
            if opens >= to {
                break;
            }
            let start = opens.max(from);
            let end = closes.min(to);
            if end > start {
                total += end - start;
            }
        }
        total.to_std().unwrap_or_default()
    }

    /// Business hours as UTC intervals `[opens, closes)`, in order, starting
    /// with any that contains or follows `at` (earlier ones may come first;
    /// callers skip them). Ends only at the end of chrono's calendar.
    fn windows_from(
        &self,
        at: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        // A day's hours end by the next local midnight, and `at` is past its
        // own local date's midnight; starting a day early is a margin for
        // zones whose clocks go back across midnight.
        let first = self.local_date(at).pred_opt().unwrap_or(NaiveDate::MIN);
        first
            .iter_days()
            .flat_map(move |date| self.windows_on(date))
    }

    /// The same intervals backwards, starting with any that contains or
    /// precedes `at` (later ones may come first).
    fn windows_before(
        &self,
        at: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let last = self.local_date(at).succ_opt().unwrap_or(NaiveDate::MAX);
        last.iter_days()
            .rev()
            .flat_map(move |date| self.windows_on(date).rev())
    }

    /// One local date's business hours in UTC; none on holidays.
    fn windows_on(
        &self,
        date: NaiveDate,
    ) -> impl DoubleEndedIterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let spans: &[Span] = if self.holidays.contains(&date) {
            &[]
        } else {
            &self.week[date.weekday().num_days_from_monday() as usize]
        };
        spans
            .iter()
            .map(move |span| {
                (
                    self.resolve_minute(date, span.opens),
                    self.resolve_minute(date, span.closes),
                )
            })
            // Hours that fall wholly into a DST gap last no time at all.
            .filter(|(opens, closes)| opens < closes)
    }

    /// `minute` minutes after the local midnight of `date` (1440 being the
    /// next midnight) as a UTC instant.
    fn resolve_minute(&self, date: NaiveDate, minute: u32) -> DateTime<Utc> {
        let (date, minute) = if minute >= MINUTES_PER_DAY {
            match date.succ_opt() {
                Some(next) => (next, minute - MINUTES_PER_DAY),
                None => return DateTime::<Utc>::MAX_UTC,
            }
        } else {
            (date, minute)
        };
        let time =
            NaiveTime::from_num_seconds_from_midnight_opt(minute * 60, 0).unwrap_or(NaiveTime::MIN);
        self.resolve(date.and_time(time))
    }

    /// The first instant at which the local clock shows `local` or later.
    /// A time the clocks skip (spring forward) becomes the moment they jump;
    /// a time they show twice (fall back) its first occurrence. Being
    /// monotonic in `local`, this keeps the day's intervals in order and
    /// back to back when they were so on the wall clock.
    pub(super) fn resolve(&self, local: NaiveDateTime) -> DateTime<Utc> {
        // DST gaps are whole minutes and at most a day long (Samoa skipped
        // a whole date in 2011), so stepping minute by minute finds the end.
        let mut probe = local;
        for _ in 0..=2 * MINUTES_PER_DAY {
            if let Some(found) = self.zone.from_local_datetime(&probe).earliest() {
                return found.with_timezone(&Utc);
            }
            match probe.checked_add_signed(TimeDelta::minutes(1)) {
                Some(next) => probe = next,
                None => break,
            }
        }
        // Unreachable with real zone data; reading the wall clock as UTC is
        // the least surprising fallback.
        Utc.from_utc_datetime(&local)
    }
}
