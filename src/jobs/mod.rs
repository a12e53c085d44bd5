//! The job engine's workers and clocks, on apalis.
//!
//! What runs, and when:
//!
//! | job | when | does |
//! |---|---|---|
//! | planned (`sla_check`, `category_timeout`, `waiting_auto_close`) | at the moment a service planned it (`schedule::Schedule::at`) | `PlannedWork::run` |
//! | `sla_sweep` | every minute | `PlannedWork::sweep`: whatever is due and was missed |
//! | `prune` | every hour | finished updates, sent deliveries and finished jobs older than INBOUND_RETENTION_HOURS |
//! | `sheets_report` | every 30 s while SHEETS_REPORT_RANGE is set | due rows of the report to Google Sheets |
//! | `daily_rollup` | 00:05 in the business hours' time zone (UTC without) | yesterday and any day missing into `daily_stats` |
//! | `daily_report` | DAILY_REPORT_AT, when set | yesterday's summary to every manager |
//!
//! Two workers, on every instance, take jobs from apalis' storage in the
//! application's database: one for planned jobs, one for routines. apalis
//! locks a job for the worker that fetched it (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), so each job runs on one instance; a worker that stops
//! beating its heart loses its jobs to the others. Every instance also runs
//! the clocks (`clock`): a tick stores one job per routine and moment,
//! deduplicated by its key, and stores nothing while the routine's previous
//! run is still in flight, so a routine never overlaps itself. At start,
//! each clock's last due moment is stored too: a tick missed while no
//! instance ran is run late, once (its key says whether it already ran).
//!
//! Failures are retried with backoff (`retry`); outages without using up
//! attempts. Counts, failures, retries and durations per job, and the jobs
//! waiting, are in `/metrics` (`topicdesk_jobs_*`).

mod clock;
mod retry;
mod routines;
mod ticks;
mod workers;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{WorkerBuilder, WorkerError};
use apalis_cron::CronScheduler;
use chrono::{NaiveTime, Utc};
use chrono_tz::Tz;
use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use clock::When;
pub use retry::{JobName, JobRetry};
pub use routines::{Routine, RoutineRun, Routines};
use ticks::{TickPusher, on_tick};
use workers::{PlannedRunner, RoutineRunner, planned_worker, routine_worker};

use crate::config::JobsSettings;
use crate::metrics::Metrics;
use crate::retry::Pauses;
use crate::schedule::{JobStore, PLANNED_QUEUE, Planned, Pushed, ROUTINE_QUEUE, ScheduleError};

/// The nightly rollup: shortly after midnight, when yesterday is over
/// everywhere in the zone's day.
const ROLLUP_AT: (u32, u32) = (0, 5);

impl JobName for Planned {
    fn job_name(&self) -> &'static str {
        self.name()
    }
}

/// The engine, before it starts.
pub struct JobEngine {
    pub store: JobStore,
    pub settings: JobsSettings,
    pub metrics: Metrics,
    pub routines: Routines,
    /// The business hours' time zone, in which the daily clocks tick.
    pub time_zone: Tz,
    /// The report's period, when the Sheets report is on.
    pub sheets_every: Option<Duration>,
    /// DAILY_REPORT_AT, when set.
    pub daily_report_at: Option<NaiveTime>,
}

/// The running engine: its workers and clocks, until shutdown.
pub struct RunningEngine {
    tasks: Vec<JoinHandle<()>>,
}

impl RunningEngine {
    /// Waits until every worker and clock has stopped (after shutdown).
    pub async fn finished(self) {
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

impl JobEngine {
    /// The clocks this desk runs.
    fn clocks(&self) -> Vec<(Routine, When)> {
        let mut clocks = vec![
            (Routine::SlaSweep, When::every(self.settings.sweep_every)),
            (Routine::Prune, When::every(self.settings.prune_every)),
            (
                Routine::DailyRollup,
                When::daily_at(
                    NaiveTime::from_hms_opt(ROLLUP_AT.0, ROLLUP_AT.1, 0)
                        .expect("a valid time of day"),
                ),
            ),
        ];
        if let Some(every) = self.sheets_every {
            clocks.push((Routine::SheetsReport, When::every(every)));
        }
        if let Some(at) = self.daily_report_at {
            clocks.push((Routine::DailyReport, When::daily_at(at)));
        }
        clocks
    }

    /// Starts the workers and the clocks; they stop with `shutdown`,
    /// letting running jobs finish.
    pub async fn start(self, shutdown: CancellationToken) -> Result<RunningEngine, ScheduleError> {
        for name in Planned::NAMES
            .into_iter()
            .chain(Routine::ALL.iter().map(|r| r.name()))
        {
            self.metrics.touch_job(name);
        }
        for queue in [PLANNED_QUEUE, ROUTINE_QUEUE] {
            self.metrics.jobs_waiting.with_label_values(&[queue]);
        }
        let settings = Arc::new(self.settings.clone());
        let instance = uuid::Uuid::new_v4().simple().to_string();
        let clocks = self.clocks();
        let mut tasks = Vec::new();

        // Whatever came due while no instance ran goes first.
        let now = Utc::now();
        for (routine, when) in &clocks {
            let pusher = TickPusher {
                routine: *routine,
                store: self.store.clone(),
                metrics: self.metrics.clone(),
            };
            let caught_up = if routine.runs_at_start() {
                pusher.push_for_start(&instance, now).await
            } else if let Some(tick) = when.last_due(self.time_zone, now) {
                pusher.push(tick).await
            } else {
                Ok(Pushed::AlreadyThere)
            };
            if let Err(error) = caught_up {
                tracing::warn!(routine = routine.name(), error = %error, "cannot catch up on a routine; its next tick will");
            }
        }

        let planned = Arc::new(PlannedRunner {
            work: self.routines.work.clone(),
            metrics: self.metrics.clone(),
            shutdown: shutdown.clone(),
        });
        tasks.push(spawn_supervised(
            "planned jobs",
            shutdown.clone(),
            planned_worker(
                self.store.clone(),
                settings.clone(),
                self.metrics.clone(),
                planned,
                instance.clone(),
                shutdown.clone(),
            ),
        ));

        let routines = Arc::new(RoutineRunner {
            routines: self.routines,
            metrics: self.metrics.clone(),
            shutdown: shutdown.clone(),
        });
        let mut retry = JobRetry::new(settings.clone(), self.metrics.clone(), shutdown.clone());
        if let Some(every) = self.sheets_every {
            // The report's own pace: from its period up to an hour while
            // Google fails, as it always backed off.
            retry = retry.with_outage_pauses(
                Routine::SheetsReport.name(),
                every,
                Duration::from_secs(3600),
            );
        }
        tasks.push(spawn_supervised(
            "routines",
            shutdown.clone(),
            routine_worker(
                self.store.clone(),
                settings.clone(),
                routines,
                retry,
                instance.clone(),
                shutdown.clone(),
            ),
        ));

        for (routine, when) in clocks {
            let pusher = Arc::new(TickPusher {
                routine,
                store: self.store.clone(),
                metrics: self.metrics.clone(),
            });
            let zone = self.time_zone;
            let name = format!("clock:{}:{instance}", routine.name());
            let stop = shutdown.clone();
            tasks.push(spawn_supervised(
                routine.name(),
                shutdown.clone(),
                move || {
                    let worker = WorkerBuilder::new(name.clone())
                        .backend(CronScheduler::new(when.clone()).with_timezone(zone))
                        .data(pusher.clone())
                        .build(on_tick);
                    run_until(worker.run_until(stopped(stop.clone())))
                },
            ));
        }
        tracing::info!(instance = %instance, "job engine started");
        Ok(RunningEngine { tasks })
    }
}

fn run_until(
    fut: impl Future<Output = Result<(), WorkerError>> + Send + 'static,
) -> BoxFuture<'static, Result<(), WorkerError>> {
    fut.boxed()
}

/// Resolves when `shutdown` is cancelled, in the shape `run_until` wants.
async fn stopped(shutdown: CancellationToken) -> Result<(), std::io::Error> {
    shutdown.cancelled().await;
    Ok(())
}

/// Runs a worker again after it stopped with an error (the database away:
/// apalis' backend gives up on its first failed query), with growing
/// pauses, until shutdown.
fn spawn_supervised<F>(
    what: &'static str,
    shutdown: CancellationToken,
    mut start: F,
) -> JoinHandle<()>
where
    F: FnMut() -> BoxFuture<'static, Result<(), WorkerError>> + Send + 'static,
{
    tokio::spawn(async move {
        let mut pauses = Pauses::new(Duration::from_millis(500), Duration::from_secs(30));
        loop {
            let result = start().await;
            if shutdown.is_cancelled() {
                return;
            }
            match result {
                Ok(()) => tracing::warn!(worker = what, "a job worker stopped; starting it again"),
                Err(error) => {
                    tracing::warn!(worker = what, error = %error, "a job worker failed; starting it again")
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(pauses.next_pause()) => {}
            }
        }
    })
}
