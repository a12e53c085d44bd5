//! The enqueue side of the job engine: what the services use to plan work
//! for a later moment, and the trait they implement to carry it out.
//!
//! A [`Schedule`] stores a [`Planned`] job in apalis' storage, in the
//! application's own database (see `store`), due at a moment; the workers
//! in `crate::jobs` fetch it when it is due, on whichever instance gets
//! there first, and hand it to the [`PlannedWork`] the application was
//! built with. Jobs are durable (a restart runs them late, never not at
//! all), retried with backoff, and must be idempotent: a job may run twice
//! (an instance dies after the work and before the job is marked done), so
//! the work it does carries its own dedup keys (outbox rows) or checks
//! (SLA moments set once).
//!
//! This is a low layer, beside the outbox: it knows the database and the
//! job types, never the services.

mod store;
mod work;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

pub use store::{JobStore, PLANNED_QUEUE, Pushed, ROUTINE_QUEUE, StoreTiming};
pub use work::{JobFailure, PlannedWork};

/// A one-off job the services plan for a moment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum Planned {
    /// Check a ticket's SLA clocks: warn or mark a breach if its moment came.
    SlaCheck { ticket_id: i32 },
    /// The client did not pick a category in time: open with the first one.
    CategoryTimeout { ticket_id: i32 },
    /// A ticket waited for the client long enough: close it.
    WaitingAutoClose { ticket_id: i32 },
    /// A ticket held while the client reads the knowledge base's articles
    /// (KB_SUGGEST=hold) got no «Помогло» in time: it opens.
    KbHoldTimeout { ticket_id: i32 },
}

impl Planned {
    /// The job's name in logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Planned::SlaCheck { .. } => "sla_check",
            Planned::CategoryTimeout { .. } => "category_timeout",
            Planned::WaitingAutoClose { .. } => "waiting_auto_close",
            Planned::KbHoldTimeout { .. } => "kb_hold_timeout",
        }
    }

    /// Every planned job's name, so metrics show each from the start.
    pub const NAMES: [&'static str; 4] = [
        "sla_check",
        "category_timeout",
        "waiting_auto_close",
        "kb_hold_timeout",
    ];

    fn ticket_id(&self) -> i32 {
        match self {
            Planned::SlaCheck { ticket_id }
            | Planned::CategoryTimeout { ticket_id }
            | Planned::WaitingAutoClose { ticket_id }
            | Planned::KbHoldTimeout { ticket_id } => *ticket_id,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("the job store cannot be reached: {0}")]
    Database(#[from] sea_orm::sqlx::Error),
    #[error("the job could not be stored: {0}")]
    Push(String),
    #[error("the job cannot be encoded: {0}")]
    Encode(String),
    #[error("cannot create the job engine's tables: {0}")]
    Setup(String),
    #[error("the job engine does not support the {0} database")]
    Unsupported(String),
}

impl ScheduleError {
    fn from_push<E: std::fmt::Display>(error: apalis::prelude::TaskSinkError<E>) -> Self {
        match error {
            apalis::prelude::TaskSinkError::CodecError(error) => {
                ScheduleError::Encode(error.to_string())
            }
            other => ScheduleError::Push(other.to_string()),
        }
    }

    /// Whether the database was away (try again later) rather than the job
    /// being refused.
    pub fn is_outage(&self) -> bool {
        match self {
            ScheduleError::Database(_) => true,
            ScheduleError::Push(_) => true,
            ScheduleError::Encode(_) | ScheduleError::Setup(_) | ScheduleError::Unsupported(_) => {
                false
            }
        }
    }
}

/// Plans jobs. Cheap to clone; every clone stores into the same database.
#[derive(Clone, Debug)]
pub struct Schedule {
    store: JobStore,
}

impl Schedule {
    /// Plans into the database of `db` (whose apalis tables
    /// [`JobStore::set_up`] has created).
    pub fn new(db: &DatabaseConnection) -> Result<Schedule, ScheduleError> {
        Ok(Schedule {
            store: JobStore::of(db)?,
        })
    }

    /// Plans `job` for `when` (a moment in the past means as soon as a
    /// worker is free). Planning the same job for the same moment twice
    /// stores it once.
    pub async fn at(&self, job: Planned, when: DateTime<Utc>) -> Result<(), ScheduleError> {
        let key = format!("{}:{}:{}", job.name(), job.ticket_id(), when.timestamp());
        self.store
            .push(PLANNED_QUEUE, job, when, &key)
            .await
            .map(|_| ())
    }

    /// Plans `job` for right now.
    pub async fn now(&self, job: Planned) -> Result<(), ScheduleError> {
        self.at(job, Utc::now()).await
    }

    /// The storage behind this schedule, for the workers.
    pub fn store(&self) -> &JobStore {
        &self.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planned_job_is_stored_as_a_tagged_object() {
        let job = Planned::SlaCheck { ticket_id: 7 };
        let json = serde_json::to_value(&job).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"job": "sla_check", "ticket_id": 7})
        );
        assert_eq!(serde_json::from_value::<Planned>(json).unwrap(), job);
        for job in [
            Planned::SlaCheck { ticket_id: 1 },
            Planned::CategoryTimeout { ticket_id: 1 },
            Planned::WaitingAutoClose { ticket_id: 1 },
        ] {
            assert!(Planned::NAMES.contains(&job.name()));
        }
    }
}
