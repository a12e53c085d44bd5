//! Percentiles and formatting for the report.

use std::time::Duration;

/// Latency percentiles of a sample, nearest-rank.
pub struct Percentiles {
    pub count: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Percentiles {
    pub fn of(mut sample: Vec<Duration>) -> Percentiles {
        sample.sort_unstable();
        let at = |q: f64| {
            if sample.is_empty() {
                return Duration::ZERO;
            }
            let rank = ((q * sample.len() as f64).ceil() as usize).clamp(1, sample.len());
            sample[rank - 1]
        };
        Percentiles {
            count: sample.len(),
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: sample.last().copied().unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for Percentiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50 {} · p95 {} · p99 {} · max {} (n = {})",
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            ms(self.max),
            self.count
        )
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A measured time in seconds, or "never" when it did not happen.
pub fn secs(duration: Option<Duration>) -> String {
    duration.map_or("never".to_owned(), |d| format!("{:.2} s", d.as_secs_f64()))
}

pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// A small deterministic generator, so every run makes the same choices
/// (the limits run's schedule, the kill run's moments).
pub struct XorShift(pub u64);

impl XorShift {
    /// Uniform in [0, 1).
    pub fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The pace of a chat under a per-minute limit, in messages a minute, from
/// the instants its messages landed: 60 s × `limit` divided by the mean time
/// between a message and the one `limit` places later. At the ceiling each
/// message leaves exactly when the one `limit` places earlier drops out of
/// the window, so this gives the limit itself whatever the start looked
/// like (a burst of `limit` at once, or a trickle while work arrived).
/// `None` with fewer than `limit + 1` messages.
pub fn pace_per_minute(times: &[std::time::Instant], limit: usize) -> Option<f64> {
    if limit == 0 || times.len() <= limit {
        return None;
    }
    let gaps: Vec<f64> = times
        .windows(limit + 1)
        .map(|w| (w[limit] - w[0]).as_secs_f64())
        .collect();
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    (mean > 0.0).then(|| 60.0 * limit as f64 / mean)
}
