//! What the bot's database says about its deliveries, read after (or
//! during) a run with plain SQL that works on SQLite and PostgreSQL alike:
//! rows by state, attempts used, failures recorded.

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};

/// The outbox and its failure events at one moment.
#[derive(Debug, Default)]
pub struct OutboxState {
    pub pending: i64,
    pub held: i64,
    pub sent: i64,
    pub failed: i64,
    /// Attempts used up over all rows (an outage must not use any).
    pub attempts: i64,
    /// `delivery_failed` events.
    pub failure_events: i64,
}

impl std::fmt::Display for OutboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} sent, {} pending, {} held, {} failed; {} attempts used; {} delivery_failed events",
            self.sent, self.pending, self.held, self.failed, self.attempts, self.failure_events
        )
    }
}

async fn count(db: &impl ConnectionTrait, sql: &str) -> anyhow::Result<i64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<Option<i64>>("", "n")?.unwrap_or(0),
        None => 0,
    })
}

/// One connection to the bot's database: PostgreSQL's connections are
/// shared with everything else on the machine.
pub async fn connect(database_url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(database_url.to_owned());
    options.max_connections(1).min_connections(1);
    Ok(Database::connect(options).await?)
}

pub async fn state(database_url: &str) -> anyhow::Result<OutboxState> {
    let db = connect(database_url).await?;
    let by_status =
        |status: &str| format!("SELECT COUNT(*) AS n FROM outbox WHERE status = '{status}'");
    let state = OutboxState {
        pending: count(&db, &by_status("PENDING")).await?,
        held: count(&db, &by_status("HELD")).await?,
        sent: count(&db, &by_status("SENT")).await?,
        failed: count(&db, &by_status("FAILED")).await?,
        attempts: count(
            &db,
            "SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT) AS n FROM outbox",
        )
        .await?,
        failure_events: count(
            &db,
            "SELECT COUNT(*) AS n FROM events WHERE action = 'delivery_failed'",
        )
        .await?,
    };
    db.close().await.ok();
    Ok(state)
}

/// Copies of client messages queued for `lane` so far, whatever their
/// state: how far the bot has got turning a flood into deliveries.
pub async fn copies_queued(db: &DatabaseConnection, lane: i64) -> anyhow::Result<i64> {
    count(
        db,
        &format!(
            "SELECT COUNT(*) AS n FROM outbox WHERE lane_chat_id = {lane} AND source_message_id IS NOT NULL"
        ),
    )
    .await
}
