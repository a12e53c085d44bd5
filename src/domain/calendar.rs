//! Business hours: when the team works, so SLA clocks count only that time.
//!
//! A calendar is a weekly schedule of opening hours in one IANA time zone,
//! minus holidays. Every computation walks the local days and turns each
//! day's opening hours into UTC instants with the zone's rules for that
//! date, so a DST change moves the hours with the wall clock: 09:00 stays
//! 09:00 local, and a night that loses or gains an hour is simply a night.
//!
//! All instants are UTC; the zone matters only for reading the schedule.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

const MINUTES_PER_DAY: u32 = 24 * 60;

/// An example for error messages.
const HOURS_EXAMPLE: &str = "Mon-Fri 09:00-18:00 Europe/Moscow";

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

    /// Reads BUSINESS_HOURS and HOLIDAYS.
    ///
    /// `hours`: one or more groups separated by `;`, each being days and one
    /// or more time ranges, then the IANA time zone once at the end:
    /// `Mon-Fri 09:00-18:00 Europe/Moscow`, `Mon,Wed,Fri 10:00-16:00 UTC`,
    /// `Mon-Sun 00:00-24:00 Asia/Almaty`,
    /// `Mon-Fri 09:00-13:00 14:00-18:00; Sat 10:00-14:00 Europe/Berlin`.
    /// Days are English names or their first three letters, alone, in
    /// comma lists, or as ranges (`Fri-Mon` wraps over the weekend). A range
    /// ends after it starts on the same day; `24:00` is the end of the day.
    ///
    /// `holidays`: comma-separated local dates `YYYY-MM-DD`; may be empty.
    pub fn parse(hours: &str, holidays: &str) -> Result<Self, String> {
        let (schedule, zone_name) =
            hours
                .trim()
                .rsplit_once(char::is_whitespace)
                .ok_or_else(|| {
                    format!(
                        "expected days, hours and a time zone like {HOURS_EXAMPLE}, got {hours:?}"
                    )
                })?;
        let zone: Tz = zone_name.parse().map_err(|_| {
            format!(
                "{zone_name:?} is not an IANA time zone; end with one like Europe/Moscow, Asia/Almaty or UTC (in {hours:?})"
            )
        })?;

        let mut week: [Vec<Span>; 7] = Default::default();
        for group in schedule.split(';') {
            let group = group.trim();
            if group.is_empty() {
                continue;
            }
            // Words with a colon are hours; the rest spell the days, which
            // may have spaces in them (`Mon, Wed, Fri`, `Mon - Fri`).
            let mut day_text = String::new();
            let mut spans = Vec::new();
            for word in group.split_whitespace() {
                if word.contains(':') {
                    spans.push(parse_span(word)?);
                } else {
                    day_text.push_str(word);
                }
            }
            let days = parse_days(&day_text)?;
            if spans.is_empty() {
                return Err(format!(
                    "{group:?} names days but no hours; write them like {HOURS_EXAMPLE}"
                ));
            }
            for day in days {
                week[day.num_days_from_monday() as usize].extend(spans.iter().copied());
            }
        }
        for spans in &mut week {
            merge(spans);
        }
        if week.iter().all(Vec::is_empty) {
            return Err(format!(
                "no opening hours in {hours:?}; write them like {HOURS_EXAMPLE}"
            ));
        }

        let holidays = parse_holidays(holidays)?;
        let always_open = holidays.is_empty()
            && week.iter().all(|spans| {
                spans.as_slice()
                    == [Span {
                        opens: 0,
                        closes: MINUTES_PER_DAY,
                    }]
            });
        Ok(Self {
            zone,
            week,
            holidays,
            always_open,
        })
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
    fn resolve(&self, local: NaiveDateTime) -> DateTime<Utc> {
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

/// `Mon-Fri`, `Mon,Wed,Fri`, `Sat`, `Fri-Mon`, `monday`.
fn parse_days(text: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match part.split_once('-') {
            Some((first, last)) => {
                let first = parse_day(first)?;
                let last = parse_day(last)?;
                let mut day = first;
                days.push(day);
                while day != last {
                    day = day.succ();
                    days.push(day);
                }
            }
            None => days.push(parse_day(part)?),
        }
    }
    if days.is_empty() {
        return Err(format!(
            "{text:?}: expected days like Mon-Fri or Mon,Wed,Fri"
        ));
    }
    Ok(days)
}

fn parse_day(text: &str) -> Result<Weekday, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun"))
}

/// `09:00-18:00`; `24:00` only as the end.
fn parse_span(text: &str) -> Result<Span, String> {
    let (opens, closes) = text
        .split_once('-')
        .ok_or_else(|| format!("{text:?}: expected hours like 09:00-18:00"))?;
    let opens = parse_clock(opens)
        .ok_or_else(|| format!("{text:?}: {opens:?} is not a time like 09:00"))?;
    let closes = parse_clock(closes)
        .ok_or_else(|| format!("{text:?}: {closes:?} is not a time like 18:00"))?;
    if opens >= MINUTES_PER_DAY || closes <= opens {
        return Err(format!(
            "{text:?}: the hours must end after they start on the same day (24:00 is the end of the day; split a night shift at midnight)"
        ));
    }
    Ok(Span { opens, closes })
}

/// `HH:MM` (or `H:MM`) from `00:00` to `24:00`, in minutes.
fn parse_clock(text: &str) -> Option<u32> {
    let (hours, minutes) = text.split_once(':')?;
    let digits = |s: &str, max_len| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    if minutes.len() != 2 {
        return None;
    }
    let (hours, minutes) = (digits(hours, 2)?, digits(minutes, 2)?);
    let total = hours * 60 + minutes;
    (minutes < 60 && total <= MINUTES_PER_DAY).then_some(total)
}

/// Sorts a day's hours and joins those that touch or overlap, so every
/// instant belongs to at most one interval.
fn merge(spans: &mut Vec<Span>) {
    spans.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans.drain(..) {
        match merged.last_mut() {
            Some(last) if span.opens <= last.closes => last.closes = last.closes.max(span.closes),
            _ => merged.push(span),
        }
    }
    *spans = merged;
}

fn parse_holidays(text: &str) -> Result<BTreeSet<NaiveDate>, String> {
    let mut dates = BTreeSet::new();
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let date = NaiveDate::parse_from_str(part, "%Y-%m-%d")
            .map_err(|_| format!("{part:?} is not a date; expected YYYY-MM-DD like 2026-01-01"))?;
        dates.insert(date);
    }
    Ok(dates)
}

impl std::fmt::Display for BusinessCalendar {
    /// The schedule in the form BUSINESS_HOURS takes, days with the same
    /// hours joined into ranges (`Mon-Fri 09:00-18:00 Europe/Moscow`), for
    /// the log at start.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.always_open {
            return write!(f, "24/7 ({})", self.zone.name());
        }
        let day_name = |index: usize| {
            Weekday::try_from(u8::try_from(index).unwrap_or_default()).unwrap_or(Weekday::Mon)
        };
        let mut groups = Vec::new();
        let mut index = 0;
        while index < 7 {
            let spans = &self.week[index];
            let mut last = index;
            while last + 1 < 7 && self.week[last + 1] == *spans {
                last += 1;
            }
            if !spans.is_empty() {
                let mut text = day_name(index).to_string();
                if last > index {
                    let _ = write!(text, "-{}", day_name(last));
                }
                for span in spans {
                    let _ = write!(
                        text,
                        " {:02}:{:02}-{:02}:{:02}",
                        span.opens / 60,
                        span.opens % 60,
                        span.closes / 60,
                        span.closes % 60
                    );
                }
                groups.push(text);
            }
            index = last + 1;
        }
        write!(f, "{} {}", groups.join("; "), self.zone.name())?;
        if !self.holidays.is_empty() {
            write!(f, ", {} holidays", self.holidays.len())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MOSCOW_OFFICE: &str = "Mon-Fri 09:00-18:00 Europe/Moscow";

    fn calendar(hours: &str) -> BusinessCalendar {
        BusinessCalendar::parse(hours, "").unwrap()
    }

    /// A wall-clock time in the calendar's zone, as UTC.
    fn local(cal: &BusinessCalendar, text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        cal.time_zone()
            .from_local_datetime(&naive)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn show(cal: &BusinessCalendar, at: DateTime<Utc>) -> String {
        cal.to_local(at).format("%a %Y-%m-%d %H:%M").to_string()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
    }

    fn minutes(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    fn hours(h: u64) -> Duration {
        Duration::from_secs(h * 3600)
    }

    #[test]
    fn a_ticket_opened_friday_evening_is_due_monday_morning() {
        let cal = calendar(MOSCOW_OFFICE);
        // 2026-01-16 is a Friday.
        let due = cal.add(local(&cal, "2026-01-16 17:50"), minutes(30));
        assert_eq!(show(&cal, due), "Mon 2026-01-19 09:20");
    }

    #[test]
    fn a_ticket_opened_on_saturday_starts_counting_on_monday() {
        let cal = calendar(MOSCOW_OFFICE);
        let due = cal.add(local(&cal, "2026-01-17 12:00"), minutes(30));
        assert_eq!(show(&cal, due), "Mon 2026-01-19 09:30");
    }

    #[test]
    fn work_that_ends_at_closing_time_is_due_at_closing_time() {
        let cal = calendar(MOSCOW_OFFICE);
        let due = cal.add(local(&cal, "2026-01-16 17:30"), minutes(30));
        assert_eq!(show(&cal, due), "Fri 2026-01-16 18:00");
    }

    #[test]
    fn long_targets_span_several_working_days() {
        let cal = calendar(MOSCOW_OFFICE);
        // 4 h on Monday, 9 h on Tuesday, 3 h on Wednesday.
        let due = cal.add(local(&cal, "2026-01-19 14:00"), hours(16));
        assert_eq!(show(&cal, due), "Wed 2026-01-21 12:00");
        let due = cal.add(
            local(&cal, "2026-01-19 10:00"),
            Duration::from_secs(2 * 86_400),
        );
        // 48 h of work is 5 days and 3 h of nine-hour days.
        assert_eq!(show(&cal, due), "Mon 2026-01-26 13:00");
    }

    #[test]
    fn holidays_are_skipped_like_weekends() {
        let cal = BusinessCalendar::parse(MOSCOW_OFFICE, "2026-01-19, 2026-01-20").unwrap();
        let due = cal.add(local(&cal, "2026-01-16 17:50"), minutes(30));
        assert_eq!(show(&cal, due), "Wed 2026-01-21 09:20");
        assert!(!cal.is_open(local(&cal, "2026-01-19 12:00")));
        assert_eq!(
            cal.next_opening(local(&cal, "2026-01-16 18:00"))
                .map(|at| show(&cal, at)),
            Some("Wed 2026-01-21 09:00".to_owned())
        );
        assert_eq!(cal.holidays().count(), 2);
    }

    #[test]
    fn between_counts_only_open_hours() {
        let cal = calendar(MOSCOW_OFFICE);
        let friday = local(&cal, "2026-01-16 17:50");
        let monday = local(&cal, "2026-01-19 09:20");
        assert_eq!(cal.between(friday, monday), minutes(30));
        assert_eq!(cal.between(monday, friday), Duration::ZERO);
        assert_eq!(cal.between(friday, friday), Duration::ZERO);
        let saturday = local(&cal, "2026-01-17 08:00");
        let sunday = local(&cal, "2026-01-18 20:00");
        assert_eq!(cal.between(saturday, sunday), Duration::ZERO);
        // A whole working week.
        let week_start = local(&cal, "2026-01-19 00:00");
        let week_end = local(&cal, "2026-01-26 00:00");
        assert_eq!(cal.between(week_start, week_end), hours(45));
    }

    #[test]
    fn subtract_walks_back_over_closed_time() {
        let cal = calendar(MOSCOW_OFFICE);
        let monday = local(&cal, "2026-01-19 09:20");
        assert_eq!(
            show(&cal, cal.subtract(monday, minutes(30))),
            "Fri 2026-01-16 17:50"
        );
        // Exactly back to an opening: the earliest such moment is the close
        // before it, which is what `add` would have answered.
        assert_eq!(
            show(&cal, cal.subtract(monday, minutes(20))),
            "Fri 2026-01-16 18:00"
        );
        assert_eq!(
            cal.add(cal.subtract(monday, minutes(20)), minutes(20)),
            monday
        );
        assert_eq!(cal.subtract(monday, Duration::ZERO), monday);
    }

    #[test]
    fn is_open_and_next_opening_tell_when_the_team_is_back() {
        let cal = calendar(MOSCOW_OFFICE);
        let saturday = local(&cal, "2026-01-17 12:00");
        assert!(!cal.is_open(saturday));
        assert_eq!(
            cal.next_opening(saturday).map(|at| show(&cal, at)),
            Some("Mon 2026-01-19 09:00".to_owned())
        );
        // Opening is inclusive, closing exclusive.
        let opening = local(&cal, "2026-01-19 09:00");
        assert!(cal.is_open(opening));
        assert_eq!(cal.next_opening(opening), None);
        let closing = local(&cal, "2026-01-19 18:00");
        assert!(!cal.is_open(closing));
        assert_eq!(
            cal.next_opening(closing).map(|at| show(&cal, at)),
            Some("Tue 2026-01-20 09:00".to_owned())
        );
        let night = local(&cal, "2026-01-20 03:00");
        assert_eq!(
            cal.next_opening(night).map(|at| show(&cal, at)),
            Some("Tue 2026-01-20 09:00".to_owned())
        );
    }

    #[test]
    fn around_the_clock_business_time_is_plain_time() {
        let cal = BusinessCalendar::always();
        assert!(cal.is_always_open());
        assert_eq!(cal.time_zone(), Tz::UTC);
        let start = utc("2026-03-29 00:30");
        assert_eq!(cal.add(start, hours(50)), start + TimeDelta::hours(50));
        assert_eq!(cal.between(start, start + TimeDelta::hours(50)), hours(50));
        assert_eq!(cal.subtract(start, hours(3)), start - TimeDelta::hours(3));
        assert!(cal.is_open(start));
        assert_eq!(cal.next_opening(start), None);
        assert_eq!(BusinessCalendar::default(), cal);
        let almaty = calendar("Mon-Sun 00:00-24:00 Asia/Almaty");
        assert!(almaty.is_always_open());
        assert_eq!(almaty.add(start, hours(50)), start + TimeDelta::hours(50));
    }

    #[test]
    fn open_every_minute_but_with_a_holiday_still_counts_dst_nights_in_real_time() {
        // The holiday keeps the calendar off the shortcut, so this runs the
        // day-by-day path through both of Berlin's DST changes in 2026.
        let cal =
            BusinessCalendar::parse("Mon-Sun 00:00-24:00 Europe/Berlin", "2030-01-01").unwrap();
        assert!(!cal.is_always_open());
        for start in [utc("2026-03-28 20:00"), utc("2026-10-24 20:00")] {
            assert_eq!(cal.add(start, hours(12)), start + TimeDelta::hours(12));
            assert_eq!(cal.between(start, start + TimeDelta::hours(12)), hours(12));
        }
        // The last Sunday of March has 23 hours, of October 25.
        let day =
            |d: &str| cal.start_of_local_day(NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
        assert_eq!(cal.between(day("2026-03-29"), day("2026-03-30")), hours(23));
        assert_eq!(cal.between(day("2026-10-25"), day("2026-10-26")), hours(25));
        assert_eq!(cal.between(day("2026-03-28"), day("2026-03-29")), hours(24));
    }

    #[test]
    fn hours_across_a_dst_change_last_what_the_wall_clock_says() {
        let cal = calendar("Mon-Sun 01:00-04:00 Europe/Berlin");
        // 29 March: 01:00 CET to 04:00 CEST is two real hours.
        let opens = local(&cal, "2026-03-29 01:00");
        assert_eq!(cal.between(opens, opens + TimeDelta::hours(6)), hours(2));
        assert_eq!(
            show(&cal, cal.add(opens, minutes(90))),
            "Sun 2026-03-29 03:30"
        );
        // 25 October: 01:00 CEST to 04:00 CET is four real hours.
        let opens = local(&cal, "2026-10-25 01:00");
        assert_eq!(cal.between(opens, opens + TimeDelta::hours(6)), hours(4));
        assert_eq!(cal.add(opens, hours(4)), opens + TimeDelta::hours(4));
    }

    #[test]
    fn an_opening_time_the_clocks_skip_opens_when_they_jump() {
        let cal = calendar("Sun 02:30-05:00 Europe/Berlin");
        let saturday = local(&cal, "2026-03-28 12:00");
        let opens = cal.next_opening(saturday).unwrap();
        // 02:00 CET jumps to 03:00 CEST, which is 01:00 UTC.
        assert_eq!(opens, utc("2026-03-29 01:00"));
        assert_eq!(show(&cal, opens), "Sun 2026-03-29 03:00");
        // A time shown twice counts from its first occurrence (CEST).
        let opens = cal.next_opening(local(&cal, "2026-10-24 12:00")).unwrap();
        assert_eq!(opens, utc("2026-10-25 00:30"));
        assert_eq!(
            cal.between(opens, opens + TimeDelta::hours(8)),
            minutes(210)
        );
    }

    #[test]
    fn working_days_after_a_dst_weekend_keep_their_wall_clock_hours() {
        let cal = calendar("Mon-Fri 09:00-18:00 Europe/Berlin");
        let due = cal.add(local(&cal, "2026-03-27 17:50"), minutes(30));
        assert_eq!(show(&cal, due), "Mon 2026-03-30 09:20");
        assert_eq!(due, utc("2026-03-30 07:20"));
        let due = cal.add(local(&cal, "2026-10-23 17:50"), minutes(30));
        assert_eq!(show(&cal, due), "Mon 2026-10-26 09:20");
        assert_eq!(due, utc("2026-10-26 08:20"));
    }

    #[test]
    fn a_night_shift_split_at_midnight_runs_through_it() {
        let cal = calendar("Mon-Fri 22:00-24:00; Tue-Sat 00:00-06:00 UTC");
        let late = utc("2026-01-19 23:30");
        assert_eq!(cal.add(late, minutes(60)), utc("2026-01-20 00:30"));
        assert_eq!(
            cal.between(utc("2026-01-19 23:00"), utc("2026-01-20 01:00")),
            hours(2)
        );
        assert!(cal.is_open(utc("2026-01-20 00:00")));
        assert_eq!(cal.next_opening(utc("2026-01-20 00:00")), None);
        // Saturday 06:00 to Monday 22:00 is closed.
        assert_eq!(
            cal.add(utc("2026-01-24 05:00"), hours(2)),
            utc("2026-01-26 23:00")
        );
    }

    #[test]
    fn local_dates_and_days_follow_the_time_zone() {
        let cal = calendar(MOSCOW_OFFICE);
        let late_utc = utc("2026-01-16 22:30");
        assert_eq!(
            cal.local_date(late_utc),
            NaiveDate::from_ymd_opt(2026, 1, 17).unwrap()
        );
        assert_eq!(
            cal.start_of_local_day(NaiveDate::from_ymd_opt(2026, 1, 17).unwrap()),
            utc("2026-01-16 21:00")
        );
        assert_eq!(
            cal.next_local_time(
                local(&cal, "2026-01-16 10:00"),
                NaiveTime::from_hms_opt(9, 0, 0).unwrap()
            ),
            local(&cal, "2026-01-17 09:00")
        );
        assert_eq!(
            cal.next_local_time(
                local(&cal, "2026-01-16 08:59"),
                NaiveTime::from_hms_opt(9, 0, 0).unwrap()
            ),
            local(&cal, "2026-01-16 09:00")
        );
        // Strictly after: at 09:00 the next 09:00 is tomorrow's.
        assert_eq!(
            cal.next_local_time(
                local(&cal, "2026-01-16 09:00"),
                NaiveTime::from_hms_opt(9, 0, 0).unwrap()
            ),
            local(&cal, "2026-01-17 09:00")
        );
    }

    #[test]
    fn the_schedule_forms_of_the_readme_are_read() {
        let cal = calendar("Mon,Wed,Fri 10:00-16:00 UTC");
        assert!(cal.is_open(utc("2026-01-21 10:00")));
        assert!(!cal.is_open(utc("2026-01-20 12:00")));
        assert_eq!(
            cal.to_string(),
            "Mon 10:00-16:00; Wed 10:00-16:00; Fri 10:00-16:00 UTC"
        );
        let cal = calendar("Fri-Mon 10:00-12:00 UTC");
        assert!(cal.is_open(utc("2026-01-18 11:00")), "Sunday");
        assert!(!cal.is_open(utc("2026-01-20 11:00")), "Tuesday");
        let cal = calendar("mon, wed - thu 9:00-13:00 14:00-18:00 Europe/Moscow");
        assert_eq!(
            cal.to_string(),
            "Mon 09:00-13:00 14:00-18:00; Wed-Thu 09:00-13:00 14:00-18:00 Europe/Moscow"
        );
        assert_eq!(calendar(MOSCOW_OFFICE).to_string(), MOSCOW_OFFICE);
        assert_eq!(
            calendar("Mon-Fri 09:00-18:00; Sat 10:00-14:00 Europe/Berlin").to_string(),
            "Mon-Fri 09:00-18:00; Sat 10:00-14:00 Europe/Berlin"
        );
        assert_eq!(BusinessCalendar::always().to_string(), "24/7 (UTC)");
        // Overlapping groups merge.
        let cal = calendar("Mon 09:00-12:00; Mon 11:00-13:00 UTC");
        assert_eq!(cal.to_string(), "Mon 09:00-13:00 UTC");
        let cal =
            BusinessCalendar::parse("Monday-Friday 09:00-18:00 UTC", " 2026-01-01 ,").unwrap();
        assert_eq!(cal.to_string(), "Mon-Fri 09:00-18:00 UTC, 1 holidays");
    }

    #[test]
    fn malformed_schedules_are_refused_with_a_reason() {
        let refused = |hours: &str, holidays: &str, expected: &str| {
            let err = BusinessCalendar::parse(hours, holidays).expect_err(hours);
            assert!(err.contains(expected), "{hours:?} / {holidays:?}: {err}");
        };
        refused("Mon-Fri 09:00-18:00", "", "not an IANA time zone");
        refused(
            "Mon-Fri 09:00-18:00 Moscow",
            "",
            "\"Moscow\" is not an IANA time zone",
        );
        refused("Europe/Moscow", "", "expected days, hours and a time zone");
        refused("", "", "expected days, hours and a time zone");
        refused("Mon-Fri Europe/Moscow", "", "no hours");
        refused(
            "09:00-18:00 Europe/Moscow",
            "",
            "expected days like Mon-Fri",
        );
        refused("Mon-Fry 09:00-18:00 UTC", "", "\"Fry\" is not a day");
        refused("Mon-Fri 09:00 UTC", "", "expected hours like 09:00-18:00");
        refused("Mon-Fri 9-18:00 UTC", "", "\"9\" is not a time");
        refused("Mon-Fri 09:00-25:00 UTC", "", "\"25:00\" is not a time");
        refused("Mon-Fri 09:60-18:00 UTC", "", "\"09:60\" is not a time");
        refused(
            "Mon-Fri 18:00-09:00 UTC",
            "",
            "split a night shift at midnight",
        );
        refused("Mon-Fri 09:00-09:00 UTC", "", "must end after they start");
        refused("Mon-Fri 24:00-24:00 UTC", "", "must end after they start");
        refused(MOSCOW_OFFICE, "2026-13-01", "\"2026-13-01\" is not a date");
        refused(MOSCOW_OFFICE, "01.01.2026", "expected YYYY-MM-DD");
    }

    /// Calendars for the properties: a plain office, one with a lunch break,
    /// DST and holidays, a night shift, and around the clock.
    fn sample_calendars() -> Vec<BusinessCalendar> {
        vec![
            calendar(MOSCOW_OFFICE),
            BusinessCalendar::parse(
                "Mon-Fri 09:00-13:00 14:00-18:00; Sat 10:00-14:00 Europe/Berlin",
                "2026-04-03,2026-05-01,2026-12-24,2026-12-25",
            )
            .unwrap(),
            calendar("Mon-Fri 22:00-24:00; Tue-Sat 00:00-06:00 America/New_York"),
            calendar("Sun 01:30-03:30 Europe/Berlin"),
            BusinessCalendar::always(),
        ]
    }

    /// Moments in 2026 (both DST changes included), to the nanosecond.
    fn moment() -> impl Strategy<Value = DateTime<Utc>> {
        let from = utc("2026-01-01 00:00").timestamp();
        let to = utc("2027-01-01 00:00").timestamp();
        (from..to, 0u32..1_000_000_000)
            .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap())
    }

    /// Up to 20 days of work, to the nanosecond.
    fn work() -> impl Strategy<Value = Duration> {
        (0u64..20 * 86_400, 0u32..1_000_000_000)
            .prop_map(|(secs, nanos)| Duration::new(secs, nanos))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn between_undoes_add(which in 0usize..5, start in moment(), work in work()) {
            let cal = &sample_calendars()[which];
            let due = cal.add(start, work);
            prop_assert!(due >= start);
            prop_assert_eq!(cal.between(start, due), work);
        }

        #[test]
        fn add_never_goes_back(which in 0usize..5, start in moment(), a in work(), b in work(), shift in work()) {
            let cal = &sample_calendars()[which];
            let (short, long) = (a.min(b), a.max(b));
            prop_assert!(cal.add(start, short) <= cal.add(start, long));
            let later = start + TimeDelta::from_std(shift).unwrap();
            prop_assert!(cal.add(start, short) <= cal.add(later, short));
        }

        #[test]
        fn adding_in_two_steps_is_adding_once(which in 0usize..5, start in moment(), a in work(), b in work()) {
            let cal = &sample_calendars()[which];
            prop_assert_eq!(cal.add(cal.add(start, a), b), cal.add(start, a + b));
        }

        #[test]
        fn subtract_undoes_add(which in 0usize..5, start in moment(), a in work(), b in work()) {
            let cal = &sample_calendars()[which];
            let end = cal.add(start, a + b);
            let back = cal.subtract(end, b);
            prop_assert_eq!(cal.between(back, end), b);
            if !a.is_zero() {
                prop_assert_eq!(back, cal.add(start, a));
            }
        }

        #[test]
        fn the_team_is_open_at_its_next_opening(which in 0usize..5, at in moment()) {
            let cal = &sample_calendars()[which];
            match cal.next_opening(at) {
                None => prop_assert!(cal.is_open(at)),
                Some(opens) => {
                    prop_assert!(!cal.is_open(at));
                    prop_assert!(opens > at);
                    prop_assert!(cal.is_open(opens));
                    prop_assert_eq!(cal.between(at, opens), Duration::ZERO);
                }
            }
        }
    }
}
