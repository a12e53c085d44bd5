//! What a run cost in round trips: the statements the bot sent to its
//! database (its own `topicdesk_database_statements_total`), the
//! transactions PostgreSQL committed in the run's database
//! (`pg_stat_database`), and the commands Redis answered (`INFO
//! commandstats`). Divided by the messages, they are the per-message
//! breakdown BENCHMARKS.md records.

use std::net::SocketAddr;
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, DatabaseBackend, Statement};

use crate::desk::{Desk, Lane, postgres_admin_url, redis_url};

/// PostgreSQL's backends report their counters at most once a second while
/// busy and within ten seconds once idle: a snapshot waits this long after
/// the bot went quiet, so earlier work is not counted in the run.
pub const STATS_SETTLE: Duration = Duration::from_secs(11);

#[derive(Clone, Copy, Default)]
pub struct Costs {
    statements: u64,
    commits: u64,
    redis_commands: u64,
}

impl Costs {
    /// Counters now, with `statements` read from the bot's /metrics by
    /// [`statements_of`]. Take the last one after the bot stopped: its
    /// database connections report everything as they close.
    pub async fn take(desk: &Desk, statements: u64) -> Costs {
        let (commits, redis_commands) = match desk.lane {
            Lane::Services => (
                postgres_commits(desk).await.unwrap_or(0),
                redis_commands().await.unwrap_or(0),
            ),
            Lane::Embedded => (0, 0),
        };
        Costs {
            statements,
            commits,
            redis_commands,
        }
    }

    /// "per message: 7.1 statements, 4.2 commits, 3.0 Redis commands".
    pub fn per_message(&self, later: &Costs, messages: usize) -> String {
        let per = |before: u64, after: u64| after.saturating_sub(before) as f64 / messages as f64;
        let statements = per(self.statements, later.statements);
        match (later.commits, later.redis_commands) {
            (0, 0) => format!("per message: {statements:.1} SQL statements (bot's count)"),
            _ => format!(
                "per message: {statements:.1} SQL statements (bot's count), \
                 {:.1} PostgreSQL commits, {:.1} Redis commands",
                per(self.commits, later.commits),
                per(self.redis_commands, later.redis_commands)
            ),
        }
    }
}

/// The statements the bot has sent so far (0 when /metrics cannot say).
pub async fn statements_of(bot: SocketAddr) -> u64 {
    bot_statements(bot).await.unwrap_or(0)
}

async fn bot_statements(bot: SocketAddr) -> anyhow::Result<u64> {
    let http = reqwest::Client::builder().no_proxy().build()?;
    let text = http
        .get(format!("http://{bot}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    text.lines()
        .find_map(|line| line.strip_prefix("topicdesk_database_statements_total "))
        .and_then(|count| count.trim().parse::<f64>().ok())
        .map(|count| count as u64)
        .ok_or_else(|| anyhow::anyhow!("no statement count in /metrics"))
}

async fn postgres_commits(desk: &Desk) -> anyhow::Result<u64> {
    let Some(name) = desk.postgres_name() else {
        return Ok(0);
    };
    let admin = Database::connect(&postgres_admin_url()).await?;
    let row = admin
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database WHERE datname = $1",
            [name.into()],
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no statistics for the run's database"))?;
    let commits: i64 = row.try_get_by_index(0)?;
    admin.close().await.ok();
    Ok(commits as u64)
}

async fn redis_commands() -> anyhow::Result<u64> {
    let client = redis::Client::open(redis_url())?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut conn)
        .await?;
    // Lines like "cmdstat_get:calls=12,usec=…"; this connection's own INFO
    // calls are a handful, next to thousands.
    Ok(info
        .lines()
        .filter_map(|line| line.split_once("calls=")?.1.split(',').next())
        .filter_map(|calls| calls.parse::<u64>().ok())
        .sum())
}
