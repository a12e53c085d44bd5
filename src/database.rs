//! Connecting to PostgreSQL or SQLite and bringing the schema up to date.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use secrecy::ExposeSecret;

use crate::config::DatabaseSettings;

/// Connects and applies pending migrations, so the first start on an empty
/// database just works.
pub async fn connect_and_migrate(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let db = connect(settings).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
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
