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

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use apalis::prelude::{BackendExt, Data, Strategy, WorkerBuilder, WorkerBuilderExt, WorkerError};
use apalis_cron::{CronScheduler, Tick};
use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use clock::When;
pub use retry::{JobName, JobRetry};
pub use routines::{Routine, RoutineRun, Routines};

use crate::config::JobsSettings;
use crate::metrics::Metrics;
use crate::retry::Pauses;
use crate::schedule::{
    JobFailure, JobStore, PLANNED_QUEUE, Planned, PlannedWork, Pushed, ROUTINE_QUEUE,
    ScheduleError, StoreTiming,
};

/// Planned jobs run side by side, up to this many at once per instance.
const PLANNED_CONCURRENCY: usize = 8;
/// Routines are few and each never overlaps itself.
const ROUTINE_CONCURRENCY: usize = 4;
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

/// Looks for due jobs every `poll` (apalis' interval strategy).
fn polling(settings: &JobsSettings) -> Strategy {
    Strategy::new().interval(settings.poll)
}

fn timing(settings: &JobsSettings) -> StoreTiming {
    StoreTiming {
        heartbeat: settings.heartbeat,
        missed_heartbeats: 3,
    }
}

fn planned_worker(
    store: JobStore,
    settings: Arc<JobsSettings>,
    metrics: Metrics,
    runner: Arc<PlannedRunner>,
    instance: String,
    shutdown: CancellationToken,
) -> impl FnMut() -> BoxFuture<'static, Result<(), WorkerError>> + Send + 'static {
    let mut restarts = 0u32;
    move || {
        restarts += 1;
        let name = format!("{PLANNED_QUEUE}:{instance}:{restarts}");
        let retry = JobRetry::new(settings.clone(), metrics.clone(), shutdown.clone());
        let stop = stopped(shutdown.clone());
        match &store {
            JobStore::Postgres(pool) => {
                let backend = JobStore::postgres::<Planned>(pool, PLANNED_QUEUE, timing(&settings))
                    .poll_with_strategy(polling(&settings));
                run_until(
                    WorkerBuilder::new(name)
                        .backend(backend)
                        .data(runner.clone())
                        .concurrency(PLANNED_CONCURRENCY)
                        .retry(retry)
                        .catch_panic()
                        .build(run_planned)
                        .run_until(stop),
                )
            }
            JobStore::Sqlite(pool) => {
                let backend = JobStore::sqlite::<Planned>(pool, PLANNED_QUEUE, timing(&settings))
                    .poll_with_strategy(polling(&settings));
                run_until(
                    WorkerBuilder::new(name)
                        .backend(backend)
                        .data(runner.clone())
                        .concurrency(PLANNED_CONCURRENCY)
                        .retry(retry)
                        .catch_panic()
                        .build(run_planned)
                        .run_until(stop),
                )
            }
        }
    }
}

fn routine_worker(
    store: JobStore,
    settings: Arc<JobsSettings>,
    runner: Arc<RoutineRunner>,
    retry: JobRetry,
    instance: String,
    shutdown: CancellationToken,
) -> impl FnMut() -> BoxFuture<'static, Result<(), WorkerError>> + Send + 'static {
    let mut restarts = 0u32;
    move || {
        restarts += 1;
        let name = format!("{ROUTINE_QUEUE}:{instance}:{restarts}");
        let stop = stopped(shutdown.clone());
        match &store {
            JobStore::Postgres(pool) => {
                let backend =
                    JobStore::postgres::<RoutineRun>(pool, ROUTINE_QUEUE, timing(&settings))
                        .poll_with_strategy(polling(&settings));
                run_until(
                    WorkerBuilder::new(name)
                        .backend(backend)
                        .data(runner.clone())
                        .concurrency(ROUTINE_CONCURRENCY)
                        .retry(retry.clone())
                        .catch_panic()
                        .build(run_routine)
                        .run_until(stop),
                )
            }
            JobStore::Sqlite(pool) => {
                let backend =
                    JobStore::sqlite::<RoutineRun>(pool, ROUTINE_QUEUE, timing(&settings))
                        .poll_with_strategy(polling(&settings));
                run_until(
                    WorkerBuilder::new(name)
                        .backend(backend)
                        .data(runner.clone())
                        .concurrency(ROUTINE_CONCURRENCY)
                        .retry(retry.clone())
                        .catch_panic()
                        .build(run_routine)
                        .run_until(stop),
                )
            }
        }
    }
}

/// Times a job and counts it.
async fn measured<F>(
    name: &'static str,
    metrics: &Metrics,
    shutdown: &CancellationToken,
    work: F,
) -> Result<(), JobFailure>
where
    F: Future<Output = Result<(), JobFailure>>,
{
    if shutdown.is_cancelled() {
        // Left for the next start rather than begun while stopping.
        return Err(JobFailure::outage("shutting down"));
    }
    metrics.jobs_run.with_label_values(&[name]).inc();
    let started = Instant::now();
    let result = work.await;
    metrics
        .job_seconds
        .with_label_values(&[name])
        .observe(started.elapsed().as_secs_f64());
    result
}

struct PlannedRunner {
    work: Arc<dyn PlannedWork>,
    metrics: Metrics,
    shutdown: CancellationToken,
}

async fn run_planned(job: Planned, runner: Data<Arc<PlannedRunner>>) -> Result<(), JobFailure> {
    measured(
        job.name(),
        &runner.metrics,
        &runner.shutdown,
        runner.work.run(&job),
    )
    .await
}

struct RoutineRunner {
    routines: Routines,
    metrics: Metrics,
    shutdown: CancellationToken,
}

async fn run_routine(run: RoutineRun, runner: Data<Arc<RoutineRunner>>) -> Result<(), JobFailure> {
    measured(
        run.routine.name(),
        &runner.metrics,
        &runner.shutdown,
        runner.routines.run(&run),
    )
    .await
}

/// Stores a routine's job for a tick.
struct TickPusher {
    routine: Routine,
    store: JobStore,
    metrics: Metrics,
}

impl TickPusher {
    /// This start's own run (see [`Routine::runs_at_start`]).
    async fn push_for_start(
        &self,
        instance: &str,
        now: DateTime<Utc>,
    ) -> Result<Pushed, ScheduleError> {
        let run = RoutineRun {
            routine: self.routine,
            tick: now.timestamp(),
        };
        let key = format!("{}:start:{instance}", self.routine.name());
        self.store.push(ROUTINE_QUEUE, run, now, &key).await
    }

    async fn push(&self, tick: i64) -> Result<Pushed, ScheduleError> {
        if self.routine == Routine::SlaSweep {
            // Every instance, every minute: a cheap moment to read the queue.
            for queue in [PLANNED_QUEUE, ROUTINE_QUEUE] {
                if let Ok(waiting) = self.store.waiting(queue).await {
                    self.metrics
                        .jobs_waiting
                        .with_label_values(&[queue])
                        .set(waiting);
                }
            }
        }
        let key = self.routine.key(tick);
        // Whatever the previous run is doing (retrying through an outage,
        // or just slow), the routine does not run beside itself.
        let prefix = format!("{}:", self.routine.name());
        if self.store.in_flight(ROUTINE_QUEUE, &prefix).await? {
            tracing::debug!(
                routine = self.routine.name(),
                "previous run still in flight; tick skipped"
            );
            return Ok(Pushed::AlreadyThere);
        }
        let when = DateTime::<Utc>::from_timestamp(tick, 0).unwrap_or_else(Utc::now);
        let run = RoutineRun {
            routine: self.routine,
            tick,
        };
        self.store.push(ROUTINE_QUEUE, run, when, &key).await
    }
}

async fn on_tick(tick: Tick<Tz>, pusher: Data<Arc<TickPusher>>) -> Result<(), JobFailure> {
    let at = tick.get_timestamp() as i64;
    match pusher.push(at).await {
        Ok(_) => Ok(()),
        Err(error) => {
            // The next tick (or, for a daily routine, the next start) catches up.
            tracing::warn!(routine = pusher.routine.name(), error = %error, "cannot store a routine's tick");
            Ok(())
        }
    }
}
