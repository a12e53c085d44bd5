//! The figures /stats shows for a period, and the percentiles they are
//! made of, computed in Rust so they come out the same on PostgreSQL and
//! SQLite. `services::daily_stats` fills them from the daily rollup.

use chrono::{DateTime, Utc};

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

/// Count, median and 90th percentile of some durations; `None` for none.
pub fn spread(mut seconds: Vec<f64>) -> Option<Spread> {
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
