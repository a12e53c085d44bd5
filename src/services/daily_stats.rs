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

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use teloxide::types::MessageEntityKind;

use super::ServiceResult;
use super::reports::{IN_CHUNK, Spread, Stats, spread};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::rich_text::RichBuilder;
use crate::entities::{TicketStatus, daily_stats, feedback, tickets};
use crate::outbox::{Delivery, Outbox, RichText, Target, TextMessage};
use crate::texts::Texts;

/// The totals row's category and technician.
pub const TOTAL_CATEGORY: &str = "*";
pub const TOTAL_TECH: i32 = -1;
/// Days recomputed every night besides the missing ones: yesterday, and
/// the day before for survey answers that came in after midnight.
const RECOMPUTED_DAYS: u64 = 2;
/// No statistic reaches further back than /stats can ask.
const OLDEST_DAY: u64 = 3650;
/// Days computed from one read of the tickets.
const DAYS_PER_READ: u64 = 31;

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

    /// The figures of the days `first..=last`, computed from the tickets
    /// now; the last day stops at `until` when given (today, live).
    pub async fn compute(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        until: Option<DateTime<Utc>>,
    ) -> Result<BTreeMap<NaiveDate, Day>, DbErr> {
        let start = self.calendar.start_of_local_day(first);
        let mut end = self.calendar.start_of_local_day(next_day(last));
        if let Some(until) = until {
            end = end.min(until);
        }
        let in_range =
            |column: tickets::Column| Condition::all().add(column.gte(start)).add(column.lt(end));
        let touched = tickets::Entity::find()
            .filter(
                Condition::any()
                    .add(in_range(tickets::Column::CreatedAt))
                    .add(in_range(tickets::Column::ClosedAt))
                    .add(in_range(tickets::Column::FirstResponseAt)),
            )
            .all(&self.db)
            .await?;
        let closed_ids: Vec<i32> = touched
            .iter()
            .filter(|t| t.closed_at.is_some_and(|at| at >= start && at < end))
            .map(|t| t.id)
            .collect();
        let mut answers: HashMap<i32, [i16; 3]> = HashMap::new();
        for chunk in closed_ids.chunks(IN_CHUNK) {
            for answer in feedback::Entity::find()
                .filter(feedback::Column::TicketId.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?
            {
                answers.insert(answer.ticket_id, [answer.q1, answer.q2, answer.q3]);
            }
        }

        let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
        let mut date = first;
        while date <= last {
            days.entry(date)
                .or_default()
                .insert(total_key(), Figures::default());
            date = next_day(date);
        }
        let counted = |at: DateTime<Utc>| at >= start && at < end;
        for ticket in &touched {
            let slice = (
                ticket.category.clone().unwrap_or_default(),
                ticket.assigned_tech_id.unwrap_or(0),
            );
            let mut add = |at: DateTime<Utc>, change: &dyn Fn(&mut Figures)| {
                let day = days.entry(self.calendar.local_date(at)).or_default();
                change(day.entry(slice.clone()).or_default());
                change(day.entry(total_key()).or_default());
            };
            if counted(ticket.created_at) {
                add(ticket.created_at, &|f| f.opened += 1);
            }
            if let Some(at) = ticket.first_response_at.filter(|at| counted(*at)) {
                let took = self.business_seconds(ticket.created_at, at);
                add(at, &|f| f.first_response.push(took));
            }
            if let Some(at) = ticket.closed_at.filter(|at| counted(*at)) {
                let took = self.business_seconds(ticket.created_at, at);
                let breached = ticket.first_response_breached_at.is_some()
                    || ticket.resolution_breached_at.is_some();
                let had_due =
                    ticket.first_response_due.is_some() || ticket.resolution_due.is_some();
                let answer = answers.get(&ticket.id).copied();
                add(at, &|f| {
                    f.closed += 1;
                    f.resolution.push(took);
                    if breached {
                        f.sla_breached += 1;
                    } else if had_due {
                        f.sla_met += 1;
                    }
                    if let Some(answer) = answer {
                        f.survey.push(answer);
                    }
                });
            }
        }
        Ok(days)
    }

    fn business_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        self.calendar.between(from, to).as_secs_f64()
    }

    /// Computes the days `first..=last` and replaces their rows, in one
    /// transaction. Returns the rows written.
    pub async fn roll_up(&self, first: NaiveDate, last: NaiveDate) -> Result<usize, DbErr> {
        let days = self.compute(first, last, None).await?;
        let computed_at = Utc::now();
        let rows: Vec<daily_stats::ActiveModel> = days
            .iter()
            .flat_map(|(date, day)| {
                day.iter().map(move |((category, tech), figures)| {
                    row(*date, category, *tech, figures, computed_at)
                })
            })
            .collect();
        let written = rows.len();
        let labels: Vec<String> = days.keys().map(day_label).collect();
        let txn = self.db.begin().await?;
        daily_stats::Entity::delete_many()
            .filter(daily_stats::Column::Day.is_in(labels))
            .exec(&txn)
            .await?;
        for chunk in rows.chunks(200) {
            daily_stats::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(written)
    }

    /// The nightly run for the tick at `now`: the last
    /// [`RECOMPUTED_DAYS`] days before today, and every earlier day since
    /// the first ticket that was never rolled up. Returns the days done.
    pub async fn roll_up_due(&self, now: DateTime<Utc>) -> ServiceResult<usize> {
        let today = self.calendar.local_date(now);
        let Some(yesterday) = today.checked_sub_days(Days::new(1)) else {
            return Ok(0);
        };
        let oldest = today
            .checked_sub_days(Days::new(OLDEST_DAY))
            .unwrap_or(NaiveDate::MIN);
        let first_ticket = tickets::Entity::find()
            .order_by_asc(tickets::Column::CreatedAt)
            .one(&self.db)
            .await?;
        let Some(first_ticket) = first_ticket else {
            return Ok(0);
        };
        let first = self
            .calendar
            .local_date(first_ticket.created_at)
            .max(oldest);
        if first > yesterday {
            return Ok(0);
        }
        let done: HashSet<String> = daily_stats::Entity::find()
            .select_only()
            .column(daily_stats::Column::Day)
            .filter(daily_stats::Column::Category.eq(TOTAL_CATEGORY))
            .filter(daily_stats::Column::Day.gte(day_label(&first)))
            .into_tuple::<String>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let recomputed_from = today
            .checked_sub_days(Days::new(RECOMPUTED_DAYS))
            .unwrap_or(NaiveDate::MIN);
        let mut todo: Vec<NaiveDate> = Vec::new();
        let mut date = first;
        while date <= yesterday {
            if date >= recomputed_from || !done.contains(&day_label(&date)) {
                todo.push(date);
            }
            date = next_day(date);
        }
        for run in consecutive_runs(&todo) {
            let mut from = run.0;
            while from <= run.1 {
                let to = from
                    .checked_add_days(Days::new(DAYS_PER_READ - 1))
                    .unwrap_or(run.1)
                    .min(run.1);
                self.roll_up(from, to).await?;
                from = next_day(to);
            }
        }
        if !todo.is_empty() {
            tracing::info!(
                days = todo.len(),
                from = %todo[0],
                to = %todo[todo.len() - 1],
                "daily statistics rolled up"
            );
        }
        Ok(todo.len())
    }

    /// `/stats days`: the last `days` local days up to `now` — whole past
    /// days from `daily_stats`, today computed live.
    ///
    /// Over several days the median and 90th percentile are the daily
    /// figures averaged, weighted by how many tickets each day had: exact
    /// for one day, an approximation over more (percentiles do not add up).
    pub async fn period(&self, days: u32, now: DateTime<Utc>) -> ServiceResult<Stats> {
        let today = self.calendar.local_date(now);
        let first = today
            .checked_sub_days(Days::new(u64::from(days.max(1) - 1)))
            .unwrap_or(NaiveDate::MIN);
        let since = self.calendar.start_of_local_day(first);
        let mut parts: Vec<Summary> = daily_stats::Entity::find()
            .filter(daily_stats::Column::Category.eq(TOTAL_CATEGORY))
            .filter(daily_stats::Column::TechId.eq(TOTAL_TECH))
            .filter(daily_stats::Column::Day.gte(day_label(&first)))
            .filter(daily_stats::Column::Day.lt(day_label(&today)))
            .all(&self.db)
            .await?
            .iter()
            .map(Summary::from_row)
            .collect();
        let live = self.compute(today, today, Some(now)).await?;
        if let Some(figures) = live.get(&today).and_then(|day| day.get(&total_key())) {
            parts.push(Summary::from_figures(figures));
        }
        let still_open = tickets::Entity::find()
            .filter(tickets::Column::CreatedAt.gte(since))
            .filter(tickets::Column::Status.ne(TicketStatus::Closed))
            .count(&self.db)
            .await?;
        Ok(combine(&parts, since, still_open))
    }

    /// Sends every manager the summary of the day before the tick at
    /// `now`, privately (rolling that day up first if the nightly run has
    /// not). Once per day and manager, whoever runs it.
    pub async fn send_report(&self, now: DateTime<Utc>) -> ServiceResult<()> {
        if self.managers.is_empty() {
            return Ok(());
        }
        let Some(day) = self.calendar.local_date(now).checked_sub_days(Days::new(1)) else {
            return Ok(());
        };
        let label = day_label(&day);
        let total = || {
            daily_stats::Entity::find()
                .filter(daily_stats::Column::Day.eq(label.clone()))
                .filter(daily_stats::Column::Category.eq(TOTAL_CATEGORY))
                .filter(daily_stats::Column::TechId.eq(TOTAL_TECH))
        };
        let row = match total().one(&self.db).await? {
            Some(row) => row,
            None => {
                self.roll_up(day, day).await?;
                total()
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| DbErr::RecordNotFound(format!("daily_stats of {label}")))?
            }
        };
        let (text, entities) = report_text(&self.texts, &label, &row).finish();
        let deliveries = self
            .managers
            .iter()
            .map(|&manager| {
                let message = TextMessage::new(
                    Target::Chat {
                        chat_id: manager,
                        thread_id: None,
                    },
                    RichText {
                        text: text.clone(),
                        entities: entities.clone(),
                    },
                );
                Delivery::without_ticket(
                    manager,
                    message,
                    format!("daily-report:{label}:{manager}"),
                )
            })
            .collect();
        self.outbox.enqueue(&self.db, deliveries).await?;
        Ok(())
    }
}

/// The daily report: the day's counts, times, SLA and survey.
fn report_text(texts: &Texts, day: &str, row: &daily_stats::Model) -> RichBuilder {
    let mut reply = RichBuilder::default();
    reply.push_with(&texts.daily_report_title(day), MessageEntityKind::Bold);
    reply.push("\n");
    let summary = Summary::from_row(row);
    let stats = combine(std::slice::from_ref(&summary), DateTime::<Utc>::MIN_UTC, 0);
    for line in [
        texts.stats_opened(stats.opened),
        texts.stats_closed(stats.closed),
    ] {
        reply.push(&format!("\n{line}"));
    }
    for (what, spread) in [
        (texts.label_first_response(), stats.first_response),
        (texts.label_resolution(), stats.resolution),
    ] {
        let line = match spread {
            Some(spread) => texts.stats_spread(
                what,
                &texts.duration(spread.median),
                &texts.duration(spread.p90),
                spread.count,
            ),
            None => texts.stats_no_spread(what),
        };
        reply.push(&format!("\n{line}"));
    }
    reply.push(&format!(
        "\n{}",
        texts.daily_report_sla(row.sla_met as u64, row.sla_breached as u64)
    ));
    let survey = match stats.averages {
        Some([q1, q2, q3]) => {
            texts.stats_survey(&texts.decimal(q1), &texts.decimal(q2), &texts.decimal(q3))
        }
        None => texts.stats_no_survey().to_owned(),
    };
    reply.push(&format!("\n{survey}"));
    if let Some(rate) = stats.response_rate() {
        let line = texts.stats_response_rate(stats.feedback, stats.closed, &texts.percent(rate));
        reply.push(&format!("\n{line}"));
    }
    reply
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

/// Runs of consecutive dates in sorted `dates`, as (first, last).
fn consecutive_runs(dates: &[NaiveDate]) -> Vec<(NaiveDate, NaiveDate)> {
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &date in dates {
        match runs.last_mut() {
            Some((_, last)) if next_day(*last) == date => *last = date,
            _ => runs.push((date, date)),
        }
    }
    runs
}

fn row(
    date: NaiveDate,
    category: &str,
    tech: i32,
    figures: &Figures,
    computed_at: DateTime<Utc>,
) -> daily_stats::ActiveModel {
    let points = |values: &[f64]| {
        spread(values.to_vec()).map_or((None, None), |s| (Some(s.median), Some(s.p90)))
    };
    let (fr50, fr90) = points(&figures.first_response);
    let (res50, res90) = points(&figures.resolution);
    let mean = |pick: usize| {
        (!figures.survey.is_empty()).then(|| {
            figures
                .survey
                .iter()
                .map(|a| f64::from(a[pick]))
                .sum::<f64>()
                / figures.survey.len() as f64
        })
    };
    daily_stats::ActiveModel {
        day: Set(day_label(&date)),
        category: Set(category.to_owned()),
        tech_id: Set(tech),
        opened: Set(figures.opened as i32),
        closed: Set(figures.closed as i32),
        first_responses: Set(figures.first_response.len() as i32),
        first_response_p50_secs: Set(fr50),
        first_response_p90_secs: Set(fr90),
        resolution_p50_secs: Set(res50),
        resolution_p90_secs: Set(res90),
        sla_met: Set(figures.sla_met as i32),
        sla_breached: Set(figures.sla_breached as i32),
        survey_q1_avg: Set(mean(0)),
        survey_q2_avg: Set(mean(1)),
        survey_q3_avg: Set(mean(2)),
        survey_responses: Set(figures.survey.len() as i32),
        computed_at: Set(computed_at),
        ..Default::default()
    }
}

/// One day's totals, as much as combining days needs.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Summary {
    opened: u64,
    closed: u64,
    first_response: Option<Spread>,
    resolution: Option<Spread>,
    responses: u64,
    averages: Option<[f64; 3]>,
}

impl Summary {
    fn from_row(row: &daily_stats::Model) -> Summary {
        let spread = |count: i32, median: Option<f64>, p90: Option<f64>| {
            Some(Spread {
                count: usize::try_from(count).ok().filter(|n| *n > 0)?,
                median: median?,
                p90: p90?,
            })
        };
        Summary {
            opened: row.opened.max(0) as u64,
            closed: row.closed.max(0) as u64,
            first_response: spread(
                row.first_responses,
                row.first_response_p50_secs,
                row.first_response_p90_secs,
            ),
            resolution: spread(row.closed, row.resolution_p50_secs, row.resolution_p90_secs),
            responses: row.survey_responses.max(0) as u64,
            averages: match (row.survey_q1_avg, row.survey_q2_avg, row.survey_q3_avg) {
                (Some(a), Some(b), Some(c)) if row.survey_responses > 0 => Some([a, b, c]),
                _ => None,
            },
        }
    }

    fn from_figures(figures: &Figures) -> Summary {
        let n = figures.survey.len();
        Summary {
            opened: u64::from(figures.opened),
            closed: u64::from(figures.closed),
            first_response: spread(figures.first_response.clone()),
            resolution: spread(figures.resolution.clone()),
            responses: n as u64,
            averages: (n > 0).then(|| {
                let mean = |pick: usize| {
                    figures
                        .survey
                        .iter()
                        .map(|a| f64::from(a[pick]))
                        .sum::<f64>()
                        / n as f64
                };
                [mean(0), mean(1), mean(2)]
            }),
        }
    }
}

/// Several days' summaries as one period.
fn combine(parts: &[Summary], since: DateTime<Utc>, still_open: u64) -> Stats {
    let weighted_spread = |pick: fn(&Summary) -> Option<Spread>| {
        let spreads: Vec<Spread> = parts.iter().filter_map(pick).collect();
        let count: usize = spreads.iter().map(|s| s.count).sum();
        (count > 0).then(|| {
            let weighted = |value: fn(&Spread) -> f64| {
                spreads
                    .iter()
                    .map(|s| value(s) * s.count as f64)
                    .sum::<f64>()
                    / count as f64
            };
            Spread {
                count,
                median: weighted(|s| s.median),
                p90: weighted(|s| s.p90),
            }
        })
    };
    let responses: u64 = parts.iter().map(|p| p.responses).sum();
    let averages = (responses > 0).then(|| {
        let mut sums = [0.0; 3];
        for part in parts {
            if let Some(averages) = part.averages {
                for (sum, average) in sums.iter_mut().zip(averages) {
                    *sum += average * part.responses as f64;
                }
            }
        }
        sums.map(|sum| sum / responses as f64)
    });
    Stats {
        since,
        opened: parts.iter().map(|p| p.opened).sum(),
        closed: parts.iter().map(|p| p.closed).sum(),
        still_open,
        first_response: weighted_spread(|p| p.first_response),
        resolution: weighted_spread(|p| p.resolution),
        feedback: responses,
        averages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    #[test]
    fn consecutive_dates_are_grouped_into_runs() {
        assert_eq!(
            consecutive_runs(&[date(1), date(2), date(3), date(7), date(9), date(10)]),
            [(date(1), date(3)), (date(7), date(7)), (date(9), date(10))]
        );
        assert!(consecutive_runs(&[]).is_empty());
    }

    #[test]
    fn days_combine_by_weighting_each_days_figures_by_its_count() {
        let day = |count: usize, median: f64, responses: u64, average: f64| Summary {
            opened: 2,
            closed: 1,
            first_response: Some(Spread {
                count,
                median,
                p90: median * 2.0,
            }),
            resolution: None,
            responses,
            averages: (responses > 0).then_some([average; 3]),
        };
        let stats = combine(
            &[day(1, 60.0, 1, 5.0), day(3, 120.0, 3, 3.0)],
            Utc::now(),
            1,
        );
        assert_eq!(stats.opened, 4);
        assert_eq!(stats.closed, 2);
        let first = stats.first_response.unwrap();
        assert_eq!(first.count, 4);
        assert_eq!(first.median, 105.0);
        assert_eq!(first.p90, 210.0);
        assert_eq!(stats.resolution, None);
        assert_eq!(stats.feedback, 4);
        assert_eq!(stats.averages, Some([3.5; 3]));
        let nothing = combine(&[], Utc::now(), 0);
        assert_eq!((nothing.first_response, nothing.averages), (None, None));
    }
}
