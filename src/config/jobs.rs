//! How the job engine paces itself. Not read from the environment: the
//! defaults suit production, and tests shorten them to watch minutes in
//! seconds.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct JobsSettings {
    /// How often the workers look for jobs that came due.
    pub poll: Duration,
    /// The SLA and waiting sweep: the safety net behind planned jobs.
    pub sweep_every: Duration,
    /// Pruning of finished updates, sent deliveries and finished jobs.
    pub prune_every: Duration,
    /// A failed job is tried this many times in all, then given up.
    pub attempts: u32,
    /// The pause after a job's first failure; it doubles each time.
    pub retry_first: Duration,
    /// The longest pause between attempts of a failing job.
    pub retry_longest: Duration,
    /// The longest pause while an outage lasts (outages never use up
    /// attempts).
    pub outage_longest: Duration,
    /// How often a worker tells the others it is alive; one silent for
    /// three of these is taken for dead and its jobs go to another.
    pub heartbeat: Duration,
}

impl Default for JobsSettings {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(1),
            sweep_every: Duration::from_secs(60),
            prune_every: Duration::from_secs(3600),
            attempts: 5,
            retry_first: Duration::from_secs(2),
            retry_longest: Duration::from_secs(5 * 60),
            outage_longest: Duration::from_secs(60),
            heartbeat: Duration::from_secs(10),
        }
    }
}
