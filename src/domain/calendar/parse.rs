//! Reading BUSINESS_HOURS and HOLIDAYS, and writing the schedule back in
//! that form for the log.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;

use super::{BusinessCalendar, MINUTES_PER_DAY, Span};

/// An example for error messages.
const HOURS_EXAMPLE: &str = "Mon-Fri 09:00-18:00 Europe/Moscow";

impl BusinessCalendar {
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
