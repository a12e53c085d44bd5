//! The scheduled routines and what each one does when its job runs.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use super::retry::JobName;
use crate::schedule::{JobFailure, JobStore, PlannedWork};
use crate::services::ServiceError;
use crate::services::daily_stats::DailyStats;
use crate::services::housekeeping;
use crate::services::sheets::{REPORT_BATCH, Sheets};

/// A routine: work that comes due on a clock rather than being planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Routine {
    /// The SLA and waiting sweep, the safety net behind planned jobs.
    SlaSweep,
    /// Old finished updates, sent deliveries and finished jobs go.
    Prune,
    /// Due rows of the Google Sheets report are appended.
    SheetsReport,
    /// Yesterday's (and any missing day's) statistics into `daily_stats`.
    DailyRollup,
    /// Yesterday's summary to every manager (DAILY_REPORT_AT).
    DailyReport,
}

impl Routine {
    pub const ALL: [Routine; 5] = [
        Routine::SlaSweep,
        Routine::Prune,
        Routine::SheetsReport,
        Routine::DailyRollup,
        Routine::DailyReport,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Routine::SlaSweep => "sla_sweep",
            Routine::Prune => "prune",
            Routine::SheetsReport => "sheets_report",
            Routine::DailyRollup => "daily_rollup",
            Routine::DailyReport => "daily_report",
        }
    }

    /// Whether every start runs the routine once, rather than only a tick
    /// missed while no instance ran: pruning, so a restart with a shorter
    /// retention takes effect at once.
    pub fn runs_at_start(self) -> bool {
        matches!(self, Routine::Prune)
    }

    /// The key of this routine's run at `tick`; every instance computes the
    /// same one.
    pub fn key(self, tick: i64) -> String {
        format!("{}:{tick}", self.name())
    }
}

/// One run of a routine, for the moment its clock ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutineRun {
    pub routine: Routine,
    /// The tick's moment, in seconds since the epoch (UTC).
    pub tick: i64,
}

impl JobName for RoutineRun {
    fn job_name(&self) -> &'static str {
        self.routine.name()
    }
}

/// Everything the routines need.
pub struct Routines {
    pub work: Arc<dyn PlannedWork>,
    pub db: DatabaseConnection,
    pub store: JobStore,
    pub sheets: Sheets,
    pub daily: DailyStats,
    /// How long finished updates, sent deliveries and finished jobs stay.
    pub retention: Duration,
}

/// Finished jobs stay at least this long whatever the retention: their
/// keys are what keeps a daily routine from running twice when an
/// instance starts and catches up on the day's tick.
const JOB_KEYS_KEPT: Duration = Duration::from_secs(2 * 24 * 3600);

impl Routines {
    pub async fn run(&self, run: &RoutineRun) -> Result<(), JobFailure> {
        let tick = DateTime::<Utc>::from_timestamp(run.tick, 0).unwrap_or_else(Utc::now);
        match run.routine {
            Routine::SlaSweep => self.work.sweep().await,
            Routine::Prune => self.prune().await,
            Routine::SheetsReport => self.sheets_report().await,
            Routine::DailyRollup => self
                .daily
                .roll_up_due(tick)
                .await
                .map(|_| ())
                .map_err(service_failure),
            Routine::DailyReport => self.daily.send_report(tick).await.map_err(service_failure),
        }
    }

    async fn prune(&self) -> Result<(), JobFailure> {
        let cutoff = Utc::now() - chrono::Duration::from_std(self.retention).unwrap_or_default();
        let pruned = housekeeping::prune(&self.db, cutoff)
            .await
            .map_err(|error| service_failure(error.into()))?;
        let keys_cutoff = Utc::now()
            - chrono::Duration::from_std(self.retention.max(JOB_KEYS_KEPT)).unwrap_or_default();
        let jobs = self
            .store
            .prune_finished(keys_cutoff)
            .await
            .map_err(|error| JobFailure::outage(error.to_string()))?;
        if pruned.inbound + pruned.outbox + jobs > 0 {
            tracing::info!(
                updates = pruned.inbound,
                deliveries = pruned.outbox,
                jobs,
                "pruned finished updates, sent deliveries and finished jobs"
            );
        }
        Ok(())
    }

    /// Appends due report rows; again at once while full batches go out.
    /// A failure of Sheets (or of the database) leaves the rows queued and
    /// is an outage to the engine: tried again with growing pauses, never
    /// given up, as the report always was.
    async fn sheets_report(&self) -> Result<(), JobFailure> {
        loop {
            match self.sheets.send_due_reports(&self.db).await {
                Ok(sent) if sent as u64 >= REPORT_BATCH => continue,
                Ok(_) => return Ok(()),
                Err(error) => {
                    return Err(JobFailure::outage(format!(
                        "Google Sheets report: {error}; the rows stay queued"
                    )));
                }
            }
        }
    }
}

fn service_failure(error: ServiceError) -> JobFailure {
    if error.is_outage() {
        JobFailure::outage(error.to_string())
    } else {
        JobFailure::failed(error.to_string())
    }
}
