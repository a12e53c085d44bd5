//! The two workers, planned jobs and routines: each job timed and counted.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use apalis::prelude::{BackendExt, Data, Strategy, WorkerBuilder, WorkerBuilderExt, WorkerError};
use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use crate::config::JobsSettings;
use crate::metrics::Metrics;
use crate::schedule::{
    JobFailure, JobStore, PLANNED_QUEUE, Planned, PlannedWork, ROUTINE_QUEUE, StoreTiming,
};

use super::{JobRetry, RoutineRun, Routines, run_until, stopped};

/// Planned jobs run side by side, up to this many at once per instance.
const PLANNED_CONCURRENCY: usize = 8;
/// Routines are few and each never overlaps itself.
const ROUTINE_CONCURRENCY: usize = 4;

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

pub(super) fn planned_worker(
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

pub(super) fn routine_worker(
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

pub(super) struct PlannedRunner {
    pub(super) work: Arc<dyn PlannedWork>,
    pub(super) metrics: Metrics,
    pub(super) shutdown: CancellationToken,
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

pub(super) struct RoutineRunner {
    pub(super) routines: Routines,
    pub(super) metrics: Metrics,
    pub(super) shutdown: CancellationToken,
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
