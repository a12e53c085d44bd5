//! Texts of `/stats`, the daily report, and the numbers and times they
//! show.

use chrono::{DateTime, Utc};

use crate::texts::Texts;

impl Texts {
    // --- /stats ---

    pub fn stats_title(&self, days: u32, since: DateTime<Utc>) -> String {
        let since = self.timestamp(since);
        self.render(
            "stats-title",
            &[("days", days.into()), ("since", since.into())],
        )
    }

    pub fn stats_opened(&self, count: u64) -> String {
        self.render("stats-opened", &[("count", count.into())])
    }

    pub fn stats_closed(&self, count: u64) -> String {
        self.render("stats-closed", &[("count", count.into())])
    }

    pub fn stats_still_open(&self, count: u64) -> String {
        self.render("stats-still-open", &[("count", count.into())])
    }

    /// `what` is [`Texts::label_first_response`] or [`Texts::label_resolution`].
    pub fn stats_spread(&self, what: &str, median: &str, p90: &str, count: usize) -> String {
        self.render(
            "stats-spread",
            &[
                ("what", what.into()),
                ("median", median.into()),
                ("p90", p90.into()),
                ("count", count.into()),
            ],
        )
    }

    pub fn stats_no_spread(&self, what: &str) -> String {
        self.render("stats-no-spread", &[("what", what.into())])
    }

    /// Survey averages, each already formatted.
    pub fn stats_survey(&self, speed: &str, quality: &str, politeness: &str) -> String {
        self.render(
            "stats-survey",
            &[
                ("speed", speed.into()),
                ("quality", quality.into()),
                ("politeness", politeness.into()),
            ],
        )
    }

    pub fn stats_no_survey(&self) -> &'static str {
        fixed!(self, "stats-no-survey")
    }

    pub fn stats_response_rate(&self, answered: u64, closed: u64, percent: &str) -> String {
        self.render(
            "stats-response-rate",
            &[
                ("answered", answered.into()),
                ("closed", closed.into()),
                ("percent", percent.into()),
            ],
        )
    }

    // --- the daily report ---

    /// `date` is the day reported, `YYYY-MM-DD`.
    pub fn daily_report_title(&self, date: &str) -> String {
        self.render("daily-report-title", &[("date", date.into())])
    }

    /// Tickets closed that day within their SLA deadlines, and past one.
    pub fn daily_report_sla(&self, met: u64, breached: u64) -> String {
        self.render(
            "daily-report-sla",
            &[("met", met.into()), ("breached", breached.into())],
        )
    }

    // --- numbers and times ---

    /// A duration in its two largest units: "45 с", "5 мин 30 с", "2 ч",
    /// "1 д 3 ч". Rounded to whole seconds.
    pub fn duration(&self, seconds: f64) -> String {
        let total = seconds.max(0.0).round() as u64;
        let units: [(u64, &str); 4] = [
            (86_400, fixed!(self, "duration-unit.days")),
            (3_600, fixed!(self, "duration-unit.hours")),
            (60, fixed!(self, "duration-unit.minutes")),
            (1, fixed!(self, "duration-unit.seconds")),
        ];
        let Some(first) = units.iter().position(|(size, _)| total >= *size) else {
            return format!("0 {}", units[3].1);
        };
        let (size, name) = units[first];
        let mut text = format!("{} {name}", total / size);
        if let Some(&(next, next_name)) = units.get(first + 1) {
            let rest = total % size / next;
            if rest > 0 {
                text.push_str(&format!(" {rest} {next_name}"));
            }
        }
        text
    }

    /// A number with two decimals, with the language's decimal mark.
    pub fn decimal(&self, value: f64) -> String {
        format!("{value:.2}").replace('.', fixed!(self, "decimal-mark"))
    }

    /// A share (0..=1) as a whole percentage.
    pub fn percent(&self, share: f64) -> String {
        let whole = (share * 100.0).round() as i64;
        self.render("percent", &[("value", whole.to_string().into())])
    }

    /// A moment, in UTC: "2026-11-22 10:05 UTC".
    pub fn timestamp(&self, at: DateTime<Utc>) -> String {
        self.render(
            "timestamp",
            &[
                ("date", at.format("%Y-%m-%d").to_string().into()),
                ("time", at.format("%H:%M").to_string().into()),
            ],
        )
    }
}
