//! Reading the rolled-up days: `/stats` and the daily report.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use teloxide::types::MessageEntityKind;

use crate::domain::rich_text::RichBuilder;
use crate::entities::{TicketStatus, daily_stats, tickets};
use crate::outbox::{Delivery, RichText, Target, TextMessage};
use crate::services::ServiceResult;
use crate::services::reports::{Spread, Stats, spread};
use crate::texts::Texts;

use super::{DailyStats, Figures, TOTAL_CATEGORY, TOTAL_TECH, day_label, total_key};

impl DailyStats {
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
