//! /stats: figures for a period, computed here from the fetched rows so
//! they come out the same on PostgreSQL and SQLite.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::IN_CHUNK;
use crate::entities::{feedback, tickets};

/// Median and 90th percentile of some durations, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub count: usize,
    pub median: f64,
    pub p90: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub since: DateTime<Utc>,
    /// Tickets opened in the period.
    pub opened: u64,
    /// Tickets closed in the period (whenever opened).
    pub closed: u64,
    /// Of the tickets opened in the period, those not closed yet.
    pub still_open: u64,
    /// Opening to first answer, for tickets opened in the period.
    pub first_response: Option<Spread>,
    /// Opening to closing, for tickets closed in the period.
    pub resolution: Option<Spread>,
    /// Survey rows of the tickets closed in the period.
    pub feedback: u64,
    /// Average answer to each survey question.
    pub averages: Option<[f64; 3]>,
}

impl Stats {
    /// Surveys answered per ticket closed, 0..=1.
    pub fn response_rate(&self) -> Option<f64> {
        (self.closed > 0).then(|| self.feedback as f64 / self.closed as f64)
    }
}

/// Figures for the period from `since` to now.
pub async fn stats(db: &DatabaseConnection, since: DateTime<Utc>) -> Result<Stats, DbErr> {
    let opened = tickets::Entity::find()
        .filter(tickets::Column::CreatedAt.gte(since))
        .all(db)
        .await?;
    let closed = tickets::Entity::find()
        .filter(tickets::Column::ClosedAt.gte(since))
        .all(db)
        .await?;
    let first_response = spread(
        opened
            .iter()
            .filter_map(|t| Some(seconds_between(t.created_at, t.first_response_at?)))
            .collect(),
    );
    let resolution = spread(
        closed
            .iter()
            .filter_map(|t| Some(seconds_between(t.created_at, t.closed_at?)))
            .collect(),
    );
    let closed_ids: Vec<i32> = closed.iter().map(|t| t.id).collect();
    let mut answers = Vec::new();
    for chunk in closed_ids.chunks(IN_CHUNK) {
        answers.extend(
            feedback::Entity::find()
                .filter(feedback::Column::TicketId.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    let averages = (!answers.is_empty()).then(|| {
        let n = answers.len() as f64;
        let mean = |q: fn(&feedback::Model) -> i16| {
            answers.iter().map(|a| f64::from(q(a))).sum::<f64>() / n
        };
        [mean(|a| a.q1), mean(|a| a.q2), mean(|a| a.q3)]
    });
    Ok(Stats {
        since,
        opened: opened.len() as u64,
        closed: closed.len() as u64,
        still_open: opened.iter().filter(|t| t.status.is_open()).count() as u64,
        first_response,
        resolution,
        feedback: answers.len() as u64,
        averages,
    })
}

fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    // A clock step backwards must not make a negative duration.
    (to - from).num_milliseconds().max(0) as f64 / 1000.0
}

fn spread(mut seconds: Vec<f64>) -> Option<Spread> {
    seconds.sort_by(f64::total_cmp);
    Some(Spread {
        count: seconds.len(),
        median: percentile(&seconds, 0.5)?,
        p90: percentile(&seconds, 0.9)?,
    })
}

/// The `p` quantile (0..=1) of sorted values, interpolating linearly
/// between the two nearest ranks — PostgreSQL's `percentile_cont`, so a
/// figure can be checked with SQL. `None` for no values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let fraction = rank - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_ranks_like_percentile_cont() {
        let values = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(percentile(&values, 0.5), Some(25.0));
        assert_eq!(percentile(&values, 0.9), Some(37.0));
        assert_eq!(percentile(&values, 0.0), Some(10.0));
        assert_eq!(percentile(&values, 1.0), Some(40.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 0.5), Some(5.5));
        assert!((percentile(&ten, 0.9).unwrap() - 9.1).abs() < 1e-9);
    }

    #[test]
    fn a_single_value_is_every_percentile_and_none_has_none() {
        assert_eq!(percentile(&[7.0], 0.5), Some(7.0));
        assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(spread(Vec::new()), None);
    }

    #[test]
    fn a_spread_sorts_before_taking_percentiles() {
        let spread = spread(vec![300.0, 60.0, 120.0]).unwrap();
        assert_eq!(spread.count, 3);
        assert_eq!(spread.median, 120.0);
        assert!((spread.p90 - 264.0).abs() < 1e-9);
    }
}
