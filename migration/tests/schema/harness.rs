//! A fresh, empty database per test, on either backend, removed afterwards.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm_migration::MigratorTrait;
use sea_orm_migration::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, SqlxSqliteConnector,
    sqlx,
};

pub const PG_ENV: &str = "TEST_DATABASE_URL";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

enum Cleanup {
    Sqlite(#[allow(dead_code, reason = "removes the directory on drop")] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

/// A database nobody else uses, and how to get rid of it.
pub struct TestDb {
    pub conn: DatabaseConnection,
    cleanup: Cleanup,
}

impl TestDb {
    /// `None` for PostgreSQL when `TEST_DATABASE_URL` is not set.
    pub async fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => {
                let admin_url = std::env::var(PG_ENV).ok().filter(|url| !url.is_empty())?;
                Some(Self::postgres(admin_url).await)
            }
        }
    }

    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        Self {
            conn: connect(&url).await,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    async fn postgres(admin_url: String) -> Self {
        let name = unique_database_name();
        let admin = connect(&admin_url).await;
        admin
            .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        Self {
            conn: connect(&with_database(&admin_url, &name)).await,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }

    pub async fn destroy(self) {
        self.conn.close().await.ok();
        match self.cleanup {
            Cleanup::Sqlite(dir) => drop(dir),
            Cleanup::Postgres { admin_url, name } => {
                let admin = connect(&admin_url).await;
                admin
                    .execute_unprepared(&format!(
                        r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#
                    ))
                    .await
                    .expect("drop the test database");
                admin.close().await.ok();
            }
        }
    }
}

/// Runs `test` on a fresh database of `backend` and removes the database
/// afterwards, also when the test panics.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = TestDb::create(backend).await else {
        println!("{PG_ENV} is not set: skipping the PostgreSQL variant");
        return;
    };
    let outcome = tokio::spawn(test(db.conn.clone())).await;
    db.destroy().await;
    if let Err(err) = outcome {
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("test task failed: {err}"),
        }
    }
}

/// Applies every migration.
pub async fn migrated(db: &DatabaseConnection) {
    migration::Migrator::up(db, None)
        .await
        .expect("apply migrations");
}

/// The same database through a pool of one connection on SQLite.
/// `Migrator::fresh` turns SQLite's foreign keys off with a PRAGMA, which
/// holds for the one connection it runs on; with a larger pool the drops
/// that follow may run on another connection and fail.
pub async fn single_connection(db: &DatabaseConnection) -> DatabaseConnection {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let options = db.get_sqlite_connection_pool().connect_options();
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with((*options).clone())
                .await
                .expect("single SQLite connection");
            SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
        }
        _ => db.clone(),
    }
}

async fn connect(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url);
    // SQLite: one connection, so that no pooled connection opened before a
    // migration altered a table serves a test after it (sqlx answered such
    // queries with the old columns: "Missing value for column").
    let connections = if url.starts_with("sqlite:") { 1 } else { 4 };
    options.max_connections(connections).sqlx_logging(false);
    Database::connect(options)
        .await
        .unwrap_or_else(|err| panic!("connect to {url}: {err}"))
}

fn unique_database_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "topicdesk_test_{}_{nanos}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `url` pointing at database `name` instead of the one it names.
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a database URL");
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

/// Declares `sqlite::<test>` and `postgres::<test>` for each
/// `async fn <test>(db: DatabaseConnection)` named.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    $crate::harness::run($crate::harness::Backend::Sqlite, super::$test).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    $crate::harness::run($crate::harness::Backend::Postgres, super::$test).await;
                }
            )*
        }
    };
}

#[test]
fn with_database_swaps_only_the_database_name() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@db/postgres?sslmode=disable", "t1"),
        "postgres://u:p@db/t1?sslmode=disable"
    );
    assert_eq!(with_database("postgres://db", "t1"), "postgres://db/t1");
}
