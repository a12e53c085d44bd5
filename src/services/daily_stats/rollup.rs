//! The nightly rollup: the figures of past days computed from the tickets
//! and written to `daily_stats`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use crate::entities::{daily_stats, feedback, tickets};
use crate::services::ServiceResult;
use crate::services::reports::{IN_CHUNK, spread};

use super::{DailyStats, Day, Figures, TOTAL_CATEGORY, day_label, next_day, total_key};

/// Days recomputed every night besides the missing ones: yesterday, and
/// the day before for survey answers that came in after midnight.
const RECOMPUTED_DAYS: u64 = 2;
/// No statistic reaches further back than /stats can ask.
const OLDEST_DAY: u64 = 3650;
/// Days computed from one read of the tickets.
const DAYS_PER_READ: u64 = 31;

impl DailyStats {
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
}
