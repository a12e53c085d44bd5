//! Where jobs wait: apalis' storage, kept in the application's own
//! database (PostgreSQL through apalis-postgres, SQLite through
//! apalis-sqlite) on the pool SeaORM opened, so a deployment needs nothing
//! new and a job is as durable as a ticket.
//!
//! apalis keeps its tables beside ours: on PostgreSQL in a schema of its
//! own (`apalis.jobs`, `apalis.workers`, its migration history in
//! `apalis._sqlx_migrations`), on SQLite as `Jobs` and `Workers`. Its
//! migrations are applied at startup by sqlx's migrator, which holds a
//! PostgreSQL advisory lock while it works, so instances starting together
//! take turns as they do for our own migrations.
//!
//! Besides pushing jobs, this module answers the few questions the engine
//! asks the storage directly, in SQL on apalis' tables: is a routine still
//! in flight, how many jobs wait, and which finished ones may go.

use std::time::Duration;

use apalis::prelude::{TaskBuilder, TaskSink, TaskSinkError};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use chrono::{DateTime, Utc};
use sea_orm::sqlx::{self, PgPool, SqlitePool};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ScheduleError;

/// The queue of one-off jobs the services plan ([`super::Planned`]).
pub const PLANNED_QUEUE: &str = "topicdesk.planned";
/// The queue of scheduled routines (sweeps, pruning, reports, the rollup).
pub const ROUTINE_QUEUE: &str = "topicdesk.routines";

/// How often a stored job may be fetched. Far above any retry budget on
/// purpose: the worker's retry policy decides when a job is given up (and
/// marks it killed, which is never fetched again); this bound only matters
/// for a job interrupted by shutdowns over and over.
const MAX_FETCHES: usize = 1000;

/// How the workers look for due jobs and prove they are alive. A worker
/// that misses its heartbeats this long is taken for dead, and the jobs it
/// held go back to the queue for another instance.
#[derive(Debug, Clone, Copy)]
pub struct StoreTiming {
    pub heartbeat: Duration,
    pub missed_heartbeats: usize,
}

impl Default for StoreTiming {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(10),
            missed_heartbeats: 3,
        }
    }
}

/// The application's database, as apalis sees it. Cheap to clone.
#[derive(Clone, Debug)]
pub enum JobStore {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// Whether a push added a job, or found one with its key already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Added,
    AlreadyThere,
}

impl JobStore {
    /// The pool of `db`, whichever database it is.
    pub fn of(db: &DatabaseConnection) -> Result<JobStore, ScheduleError> {
        match db.get_database_backend() {
            DatabaseBackend::Postgres => Ok(JobStore::Postgres(
                db.get_postgres_connection_pool().clone(),
            )),
            DatabaseBackend::Sqlite => {
                Ok(JobStore::Sqlite(db.get_sqlite_connection_pool().clone()))
            }
            other => Err(ScheduleError::Unsupported(format!("{other:?}"))),
        }
    }

    /// Creates or updates apalis' tables. Only the migrations are run, not
    /// apalis-sqlite's `setup`, which would also switch the connection it
    /// happens to use to `synchronous = OFF`: our pool's durability
    /// settings stay as `database::connect` made them.
    pub async fn set_up(&self) -> Result<(), ScheduleError> {
        let migrated = match self {
            JobStore::Postgres(pool) => PostgresStorage::migrations().run(pool).await,
            JobStore::Sqlite(pool) => SqliteStorage::migrations().run(pool).await,
        };
        migrated.map_err(|error| ScheduleError::Setup(error.to_string()))
    }

    /// The storage of `queue`, as a typed apalis backend for PostgreSQL.
    pub fn postgres<T>(pool: &PgPool, queue: &str, timing: StoreTiming) -> PostgresStorage<T> {
        PostgresStorage::new(pool).with_config(
            apalis_postgres::Config::default()
                .queue(queue)
                .heartbeat_interval(timing.heartbeat)
                .missed_heartbeats(timing.missed_heartbeats),
        )
    }

    /// The storage of `queue`, as a typed apalis backend for SQLite.
    pub fn sqlite<T>(pool: &SqlitePool, queue: &str, timing: StoreTiming) -> SqliteStorage<T> {
        SqliteStorage::new(pool).with_config(
            apalis_sqlite::Config::default()
                .queue(queue)
                .heartbeat_interval(timing.heartbeat)
                .missed_heartbeats(timing.missed_heartbeats),
        )
    }

    /// Stores `job` in `queue`, due at `when`. `key` makes the push
    /// idempotent: a second push with the same key (from this instance or
    /// another) adds nothing, for as long as the first job's row is kept.
    pub async fn push<T>(
        &self,
        queue: &str,
        job: T,
        when: DateTime<Utc>,
        key: &str,
    ) -> Result<Pushed, ScheduleError>
    where
        T: Serialize + DeserializeOwned + Send + Sync + Unpin + 'static,
    {
        // apalis keeps whole seconds: round up, so a job never runs before
        // its moment (at most a second after it).
        let due = when.timestamp() + i64::from(when.timestamp_subsec_nanos() > 0);
        let task = TaskBuilder::new(job)
            .run_at_timestamp(due.max(0) as u64)
            .idempotency_key(key)
            .max_attempts(MAX_FETCHES)
            .build();
        match self {
            JobStore::Postgres(pool) => {
                let mut storage = Self::postgres::<T>(pool, queue, StoreTiming::default());
                match storage.push_task(task).await {
                    Ok(()) => Ok(Pushed::Added),
                    // apalis-postgres refuses a repeated key with the unique
                    // index rather than skipping it as apalis-sqlite does.
                    Err(TaskSinkError::PushError(apalis_postgres::Error::Database(
                        sqlx::Error::Database(error),
                    ))) if error.is_unique_violation() => Ok(Pushed::AlreadyThere),
                    Err(error) => Err(ScheduleError::from_push(error)),
                }
            }
            JobStore::Sqlite(pool) => {
                let before = self.has_key(queue, key).await?;
                let mut storage = Self::sqlite::<T>(pool, queue, StoreTiming::default());
                storage
                    .push_task(task)
                    .await
                    .map_err(ScheduleError::from_push)?;
                Ok(if before {
                    Pushed::AlreadyThere
                } else {
                    Pushed::Added
                })
            }
        }
    }

    async fn has_key(&self, queue: &str, key: &str) -> Result<bool, ScheduleError> {
        let found: Option<i64> = match self {
            JobStore::Postgres(pool) => sqlx::query_scalar(
                "SELECT 1::BIGINT FROM apalis.jobs WHERE job_type = $1 AND idempotency_key = $2",
            )
            .bind(queue)
            .bind(key)
            .fetch_optional(pool)
            .await?,
            JobStore::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT 1 FROM Jobs WHERE job_type = ?1 AND idempotency_key = ?2",
                )
                .bind(queue)
                .bind(key)
                .fetch_optional(pool)
                .await?
            }
        };
        Ok(found.is_some())
    }

    /// Whether a job of `queue` whose key starts with `key_prefix` is still
    /// to run: waiting, running, or failed with fetches left (it comes back).
    pub async fn in_flight(&self, queue: &str, key_prefix: &str) -> Result<bool, ScheduleError> {
        let pattern = format!("{}%", like_escaped(key_prefix));
        let found: Option<i64> = match self {
            JobStore::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT 1::BIGINT FROM apalis.jobs \
                     WHERE job_type = $1 AND idempotency_key LIKE $2 ESCAPE '\\' \
                     AND (status IN ('Pending', 'Queued', 'Running') \
                          OR (status = 'Failed' AND attempts < max_attempts)) \
                     LIMIT 1",
                )
                .bind(queue)
                .bind(&pattern)
                .fetch_optional(pool)
                .await?
            }
            JobStore::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT 1 FROM Jobs \
                     WHERE job_type = ?1 AND idempotency_key LIKE ?2 ESCAPE '\\' \
                     AND (status IN ('Pending', 'Queued', 'Running') \
                          OR (status = 'Failed' AND attempts < max_attempts)) \
                     LIMIT 1",
                )
                .bind(queue)
                .bind(&pattern)
                .fetch_optional(pool)
                .await?
            }
        };
        Ok(found.is_some())
    }

    /// Jobs of `queue` waiting for their time or a worker.
    pub async fn waiting(&self, queue: &str) -> Result<i64, ScheduleError> {
        let count: i64 =
            match self {
                JobStore::Postgres(pool) => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM apalis.jobs WHERE job_type = $1 AND status = 'Pending'",
                )
                .bind(queue)
                .fetch_one(pool)
                .await?,
                JobStore::Sqlite(pool) => {
                    sqlx::query_scalar(
                        "SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND status = 'Pending'",
                    )
                    .bind(queue)
                    .fetch_one(pool)
                    .await?
                }
            };
        Ok(count)
    }

    /// Deletes jobs that finished (done, or given up) before `cutoff`.
    /// Their keys go with them, which is fine: a key only has to outlive
    /// the moment its job is pushed from every instance.
    pub async fn prune_finished(&self, cutoff: DateTime<Utc>) -> Result<u64, ScheduleError> {
        let deleted = match self {
            JobStore::Postgres(pool) => sqlx::query(
                "DELETE FROM apalis.jobs \
                 WHERE status IN ('Done', 'Killed') AND done_at < $1",
            )
            .bind(cutoff)
            .execute(pool)
            .await?
            .rows_affected(),
            JobStore::Sqlite(pool) => {
                sqlx::query("DELETE FROM Jobs WHERE status IN ('Done', 'Killed') AND done_at < ?1")
                    .bind(cutoff.timestamp())
                    .execute(pool)
                    .await?
                    .rows_affected()
            }
        };
        Ok(deleted)
    }
}

/// `text` with LIKE's wildcards taken literally.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_a_key_prefix_are_literal() {
        assert_eq!(like_escaped("sla_sweep:"), "sla\\_sweep:");
        assert_eq!(like_escaped("100%\\"), "100\\%\\\\");
    }
}
