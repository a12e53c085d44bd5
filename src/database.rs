//! Connecting to PostgreSQL or SQLite and bringing the schema up to date.

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::{self, Connection, PgConnection};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr};
use secrecy::ExposeSecret;

use crate::config::DatabaseSettings;

/// The PostgreSQL advisory lock instances take to migrate ("topicdsk" in
/// ASCII). Fixed, so every instance and every version agrees on it.
const MIGRATION_LOCK: i64 = 0x746f_7069_6364_736b;

/// Connects and applies pending migrations, so the first start on an empty
/// database just works.
///
/// Several instances may start at the same moment on one PostgreSQL (a
/// scaled compose service, a rolling update): they take turns under an
/// advisory lock, so the schema is created once and the others find it
/// up to date. SQLite needs no lock: it is one file on one machine, for
/// one instance.
pub async fn connect_and_migrate(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let db = connect(settings).await?;
    if settings.is_sqlite() {
        Migrator::up(&db, None).await?;
        // A pooled SQLite connection opened before a migration altered a
        // table may answer later queries with the columns it knew then
        // (seen in the schema tests as "Missing value for column"): the
        // application gets a pool opened after the schema is final.
        db.close().await?;
        return connect(settings).await;
    } else {
        migrate_in_turn(&db, settings.url.expose_secret()).await?;
    }
    Ok(db)
}

/// Migrates while holding [`MIGRATION_LOCK`]. The lock belongs to a
/// session, so it is taken on a connection of its own, outside the pool
/// (a pooled connection would go back to the pool still holding it), and
/// closing that connection releases it: an instance that dies while
/// migrating frees the lock with its session.
async fn migrate_in_turn(db: &DatabaseConnection, url: &str) -> Result<(), DbErr> {
    let mut session = PgConnection::connect(url).await.map_err(conn_error)?;
    let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .fetch_one(&mut session)
        .await
        .map_err(exec_error)?;
    if !taken {
        tracing::info!("another instance is applying the migrations; waiting for it to finish");
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut session)
            .await
            .map_err(exec_error)?;
    }
    let migrated = Migrator::up(db, None).await;
    // Closing the session releases the lock too; unlocking first says so
    // plainly and does not depend on when the server notices.
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut session)
        .await;
    let _ = session.close().await;
    migrated
}

fn conn_error(error: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(error)))
}

fn exec_error(error: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(error)))
}

pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let url = settings.url.expose_secret();
    let mut options = ConnectOptions::new(url.to_owned());
    // Short timeouts: when the database is down, the webhook must answer 503
    // quickly so Telegram retries, rather than hang.
    options
        .connect_timeout(Duration::from_secs(3))
        .acquire_timeout(Duration::from_secs(3))
        // A ping before every checkout is one more round trip per query;
        // a connection that was busy a moment ago is alive, so only one
        // idle for a while is checked (a dead one still fails its query,
        // and that update is retried).
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
    if settings.is_sqlite() {
        create_sqlite_directory(url)?;
        // SQLite has one writer at a time; WAL lets readers go on meanwhile
        // and the busy timeout makes writers queue instead of failing.
        options.max_connections(8).map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    } else {
        options.max_connections(16).min_connections(1);
    }
    Database::connect(options).await
}

/// `sqlite://data/topicdesk.db?mode=rwc` needs ./data to exist.
fn create_sqlite_directory(url: &str) -> Result<(), DbErr> {
    match migration::sqlite_parent_dir(url) {
        Some(dir) => std::fs::create_dir_all(&dir).map_err(|e| {
            DbErr::Custom(format!(
                "cannot create the database directory {}: {e}",
                dir.display()
            ))
        }),
        None => Ok(()),
    }
}

/// Whether `error` says the database is out of reach (no connection, a
/// broken one, a full pool) rather than that the statement failed: the same
/// statement may well succeed once it is back.
pub fn is_unreachable(error: &DbErr) -> bool {
    use sqlx::Error as Sqlx;
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(
                e.as_ref(),
                Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed
            )
        }
        _ => false,
    }
}

/// A stand-in for `error` for each of the callers who shared the statement
/// that failed (a grouped write or read answers them all with one error,
/// which cannot be cloned): it keeps the message and whether the database
/// was out of reach, which decides whether the caller waits patiently.
pub fn shared_error(error: &DbErr) -> DbErr {
    if is_unreachable(error) {
        DbErr::Conn(RuntimeErr::Internal(error.to_string()))
    } else {
        DbErr::Custom(error.to_string())
    }
}
