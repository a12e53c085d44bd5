//! How a failing job is tried again: apalis' retry layer with our policy.
//!
//! A job that fails is tried again after a pause that doubles from
//! `retry_first` up to `retry_longest`, and given up after `attempts`
//! failures in all. An outage (`JobFailure::outage`: the database or the
//! store away) is different: the job did nothing wrong, so it is tried
//! again as long as the outage lasts, with pauses up to `outage_longest`,
//! and none of those tries counts against its attempts.
//!
//! A job given up is marked `Killed`, which apalis never fetches again. A
//! job interrupted by shutdown stays `Failed` with fetches left, so the
//! next start (here or on another instance) takes it up again.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use apalis::layers::retry::Policy;
use apalis::prelude::{BoxDynError, Status, Task};
use tokio_util::sync::CancellationToken;

use crate::config::JobsSettings;
use crate::metrics::Metrics;
use crate::schedule::JobFailure;

/// Names a job for logs and metrics.
pub trait JobName {
    fn job_name(&self) -> &'static str;
}

/// The retry policy of every worker; a fresh copy (no failures counted)
/// per job.
pub struct JobRetry {
    settings: Arc<JobsSettings>,
    /// A job whose outages pause on a scale of their own: (name, first, longest).
    own_pace: Option<(&'static str, Duration, Duration)>,
    metrics: Metrics,
    shutdown: CancellationToken,
    failures: u32,
    outages: u32,
}

impl Clone for JobRetry {
    fn clone(&self) -> Self {
        Self {
            settings: self.settings.clone(),
            own_pace: self.own_pace,
            metrics: self.metrics.clone(),
            shutdown: self.shutdown.clone(),
            failures: self.failures,
            outages: self.outages,
        }
    }
}

impl JobRetry {
    pub fn new(settings: Arc<JobsSettings>, metrics: Metrics, shutdown: CancellationToken) -> Self {
        Self {
            settings,
            own_pace: None,
            metrics,
            shutdown,
            failures: 0,
            outages: 0,
        }
    }

    /// Outages of the job `name` pause from `first` up to `longest`.
    pub fn with_outage_pauses(
        mut self,
        name: &'static str,
        first: Duration,
        longest: Duration,
    ) -> Self {
        self.own_pace = Some((name, first, longest));
        self
    }

    /// What to do after a failed try: `Some(pause)` to try again, `None` to
    /// stop (given up, or shutting down).
    fn decide(&mut self, name: &str, outage: bool) -> Decision {
        if self.shutdown.is_cancelled() {
            return Decision::Interrupted;
        }
        if outage {
            self.outages += 1;
            let (first, longest) = match self.own_pace {
                Some((own, first, longest)) if own == name => (first, longest),
                _ => (self.settings.retry_first, self.settings.outage_longest),
            };
            Decision::Again(doubling(first, longest, self.outages))
        } else {
            self.failures += 1;
            if self.failures >= self.settings.attempts.max(1) {
                Decision::GiveUp
            } else {
                Decision::Again(doubling(
                    self.settings.retry_first,
                    self.settings.retry_longest,
                    self.failures,
                ))
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Again(Duration),
    GiveUp,
    Interrupted,
}

/// `first` doubled for each try after the first, never above `longest`.
fn doubling(first: Duration, longest: Duration, tries: u32) -> Duration {
    let factor = 2u32.saturating_pow(tries.saturating_sub(1).min(20));
    first.saturating_mul(factor).min(longest.max(first))
}

type Pause = Pin<Box<dyn Future<Output = ()> + Send>>;

impl<T, Res> Policy<Task<T>, Res, BoxDynError> for JobRetry
where
    T: JobName + Clone,
{
    type Future = Pause;

    fn retry(
        &mut self,
        task: &mut Task<T>,
        result: &mut Result<Res, BoxDynError>,
    ) -> Option<Self::Future> {
        let error = result.as_ref().err()?;
        let name = task.args.job_name();
        let outage = error
            .downcast_ref::<JobFailure>()
            .is_some_and(|failure| failure.outage);
        match self.decide(name, outage) {
            Decision::Again(pause) => {
                self.metrics.jobs_retried.with_label_values(&[name]).inc();
                tracing::warn!(
                    job = name,
                    error = %error,
                    outage,
                    retry_in_ms = pause.as_millis() as u64,
                    "job failed; trying again"
                );
                let shutdown = self.shutdown.clone();
                Some(Box::pin(async move {
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        // The job then finds the shutdown and ends at once.
                        _ = shutdown.cancelled() => {}
                    }
                }))
            }
            Decision::GiveUp => {
                self.metrics.jobs_failed.with_label_values(&[name]).inc();
                tracing::error!(
                    job = name,
                    error = %error,
                    attempts = self.failures,
                    "job failed every attempt; given up"
                );
                // Killed, not Failed: apalis would fetch a failed job again.
                task.raw_status().store(Status::Killed);
                None
            }
            Decision::Interrupted => {
                self.metrics.jobs_retried.with_label_values(&[name]).inc();
                tracing::info!(
                    job = name,
                    "job interrupted by shutdown; it runs again at the next start"
                );
                None
            }
        }
    }

    fn clone_request(&mut self, task: &Task<T>) -> Option<Task<T>> {
        Some(task.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(attempts: u32) -> JobRetry {
        let settings = JobsSettings {
            attempts,
            retry_first: Duration::from_secs(1),
            retry_longest: Duration::from_secs(5),
            outage_longest: Duration::from_secs(3),
            ..JobsSettings::default()
        };
        JobRetry::new(Arc::new(settings), Metrics::new(), CancellationToken::new())
    }

    #[test]
    fn failures_pause_longer_each_time_and_are_given_up_after_the_attempts() {
        let mut retry = policy(4);
        let seconds = |d: Decision| match d {
            Decision::Again(pause) => pause.as_secs(),
            other => panic!("{other:?}"),
        };
        assert_eq!(seconds(retry.decide("job", false)), 1);
        assert_eq!(seconds(retry.decide("job", false)), 2);
        assert_eq!(seconds(retry.decide("job", false)), 4);
        assert_eq!(retry.decide("job", false), Decision::GiveUp);
    }

    #[test]
    fn outages_are_retried_without_using_up_attempts() {
        let mut retry = policy(2);
        for expected in [1, 2, 3, 3, 3, 3, 3, 3] {
            assert_eq!(
                retry.decide("job", true),
                Decision::Again(Duration::from_secs(expected))
            );
        }
        assert_eq!(
            retry.decide("job", false),
            Decision::Again(Duration::from_secs(1))
        );
        assert_eq!(retry.decide("job", false), Decision::GiveUp);
    }

    #[test]
    fn a_job_with_a_pace_of_its_own_waits_out_outages_on_that_scale() {
        let mut retry = policy(2).with_outage_pauses(
            "sheets_report",
            Duration::from_secs(30),
            Duration::from_secs(3600),
        );
        let pauses: Vec<Decision> = (0..8)
            .map(|_| retry.decide("sheets_report", true))
            .collect();
        let secs: Vec<u64> = pauses
            .iter()
            .map(|d| match d {
                Decision::Again(pause) => pause.as_secs(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600]);
        // Other jobs keep the common pace.
        assert_eq!(
            policy(2).decide("sla_check", true),
            Decision::Again(Duration::from_secs(1))
        );
    }

    #[test]
    fn a_shutdown_interrupts_instead_of_retrying() {
        let mut retry = policy(3);
        retry.shutdown.cancel();
        assert_eq!(retry.decide("job", false), Decision::Interrupted);
        assert_eq!(retry.decide("job", true), Decision::Interrupted);
    }
}
