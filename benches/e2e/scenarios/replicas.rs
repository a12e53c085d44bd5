//! Two bot processes on one database and one Redis, webhook posts
//! alternating between them (services lane only): exactly one open ticket
//! and one topic per client, every client's messages in order in the
//! topic, none twice.
//!
//! Alternating posts is the hard case for the replicas: consecutive
//! messages of one client land on different processes, so the first
//! messages of a new client race to open its ticket in both, and both
//! processes' outboxes send into the same chats.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, Statement};

use crate::bot::problem_summary;
use crate::burst::{self, Burst};
use crate::checks::Audit;
use crate::desk::{Desk, Lane};
use crate::load::{Collector, Poster};
use crate::report::Report;

pub struct Options {
    pub clients: usize,
    pub messages: u32,
    /// Webhook connections at once, over both processes.
    pub connections: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clients: 50,
            messages: 20,
            connections: 40,
        }
    }
}

pub async fn run(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    if lane != Lane::Services {
        report.heading(&format!("Two replicas, {}: not applicable", lane.name()));
        report.line(
            "the in-process store lives inside one process, so two processes cannot share it; run with --lane services",
        );
        return Ok(());
    }
    let mut desk = Desk::open(lane).await?;
    desk.without_flood_limits();
    let outcome = two_replicas(&desk, options, report).await;
    let logs = desk.keep_logs(&format!("replicas-{}", lane.slug()));
    report.line(&format!("bot logs kept in {}", logs.display()));
    desk.clean_up().await;
    outcome
}

async fn two_replicas(desk: &Desk, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let vars = desk.bot_vars();
    let bots = [
        desk.start_bot_with(&vars).await?,
        desk.start_bot_with(&vars).await?,
    ];
    let clients = desk.add_clients(options.clients);
    let bodies = burst::bodies(desk, &clients, 0, options.messages);
    let total = options.clients * options.messages as usize;
    let collector = Collector::start(&desk.fake, desk.main_group);
    let poster = Poster::new(
        bots.iter()
            .map(|bot| desk.webhook_url(bot.address))
            .collect(),
        &desk.secret,
    );
    let cpu_before: Vec<f64> = bots.iter().map(|bot| bot.cpu_seconds()).collect();

    let started = Instant::now();
    let burst = Burst::start(
        &poster,
        bodies,
        options.connections,
        Duration::from_secs(120),
    );
    burst.finish().await?;
    let accepted_in = started.elapsed();
    let everything_landed = collector
        .wait_while_arriving(total, Duration::from_secs(60), Duration::from_secs(900))
        .await
        .map_err(|error| error.to_string());
    let last_landed = collector.read(|landed| {
        landed
            .first
            .iter()
            .filter(|((chat, _), _)| *chat == desk.main_group)
            .map(|(_, at)| *at)
            .max()
    });
    // Late second copies still count.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cpu: Vec<f64> = bots
        .iter()
        .zip(&cpu_before)
        .map(|(bot, before)| bot.cpu_seconds() - before)
        .collect();
    let sent: BTreeMap<u32, u32> = (0..options.clients as u32)
        .map(|c| (c, options.messages))
        .collect();
    let audit = Audit::of_main_group(&desk.fake, desk.main_group, &sent);
    let tickets = open_tickets(desk).await?;
    let order_trace = match audit.out_of_order_client {
        Some(client) => crate::trace::order_of(desk, clients[client as usize]).await,
        None => Vec::new(),
    };
    let mut problems = Vec::new();
    let mut stopped = Vec::new();
    for bot in bots {
        problems.extend(bot.problems_logged());
        stopped.push(bot.stop().await);
    }

    // What the database holds for the benchmark's clients.
    let one_each = clients
        .iter()
        .filter(|client| tickets.open.get(client) == Some(&(1, 1)))
        .count();
    let elapsed = last_landed.map(|at| at - started);
    let rate = elapsed.map_or(0.0, |e| total as f64 / e.as_secs_f64());

    report.heading(&format!(
        "Two replicas on one database and one Redis, {}: {} clients × {} messages, posts alternating, {} connections",
        desk.lane.name(),
        options.clients,
        options.messages,
        options.connections
    ));
    report.line(&format!(
        "{total} messages in {}: **{rate:.0} messages/s** end to end (all accepted by the webhooks after {:.2} s)",
        elapsed.map_or("—".to_owned(), |e| format!("{:.2} s", e.as_secs_f64())),
        accepted_in.as_secs_f64()
    ));
    if let Err(error) = &everything_landed {
        report.line(&format!("at the end: {error}"));
    }
    report.line(&format!(
        "CPU of the two processes: {:.1} s and {:.1} s",
        cpu[0], cpu[1]
    ));
    report.line(&format!(
        "database: {} tickets in all; {one_each} of {} clients with exactly one open ticket and one topic",
        tickets.all,
        options.clients
    ));
    report.line(&format!("main group: {audit}"));
    if let Some(example) = &audit.out_of_order_example {
        report.line(&format!(
            "first client out of order, first copies in topic order: {example}"
        ));
    }
    for line in &order_trace {
        report.line(&format!("  {line}"));
    }
    report.line(&format!("webhook answers: {}", poster.counts.summary()));
    report.line(&format!(
        "warnings/errors logged by the two processes: {}",
        problems.len()
    ));
    for group in problem_summary(&problems).into_iter().take(8) {
        report.line(&format!("  {group}"));
    }
    for (i, outcome) in stopped.iter().enumerate() {
        match outcome {
            Ok(()) => report.line(&format!("process {} stopped cleanly on SIGTERM", i + 1)),
            Err(error) => report.line(&format!(
                "process {} did not stop cleanly: {error:#}",
                i + 1
            )),
        }
    }
    report.target(
        "exactly one open ticket and one topic per client",
        one_each == options.clients
            && tickets.all == options.clients
            && audit.topics == options.clients
            && audit.clients_split == 0,
        &format!(
            "{one_each} clients with one open ticket, {} tickets, {} topics, {} clients split",
            tickets.all, audit.topics, audit.clients_split
        ),
    );
    report.target(
        "every client's messages in order in its topic, none twice",
        audit.is_clean() && everything_landed.is_ok(),
        &audit.to_string(),
    );
    Ok(())
}

struct Tickets {
    /// Every ticket row.
    all: usize,
    /// Per client: open tickets, and distinct topics among them.
    open: HashMap<i64, (i64, i64)>,
}

async fn open_tickets(desk: &Desk) -> anyhow::Result<Tickets> {
    let db = Database::connect(&desk.database_url).await?;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT client_tg_id, COUNT(*) AS open_tickets, COUNT(DISTINCT main_thread_id) AS topics \
             FROM tickets WHERE status <> 'CLOSED' GROUP BY client_tg_id",
        ))
        .await?;
    let mut open = HashMap::new();
    for row in rows {
        let client: i64 = row.try_get("", "client_tg_id")?;
        let tickets: i64 = row.try_get("", "open_tickets")?;
        let topics: i64 = row.try_get("", "topics")?;
        open.insert(client, (tickets, topics));
    }
    let all: i64 = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS tickets FROM tickets",
        ))
        .await?
        .map_or(Ok(0), |row| row.try_get("", "tickets"))?;
    db.close().await.ok();
    Ok(Tickets {
        all: all as usize,
        open,
    })
}
