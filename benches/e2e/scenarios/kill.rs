//! kill -9 of the bot at a random moment at the peak of a burst, then a restart,
//! ten times: every client message must still reach its topic, with at
//! most 0.5 % of them twice.
//!
//! All rounds share one desk: one database, one Redis prefix, one store
//! state file. That is what a crash-looping production bot goes through:
//! each new process inherits whatever the killed ones left half done
//! (stored but unprocessed updates, unsent outbox rows, lane locks in
//! Redis). Each round brings 100 new clients, so every round's kill can
//! land while tickets and topics are being opened, and the clients' later
//! messages go to tickets that already exist.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use fake_telegram::UserSpec;

use crate::bot::{problem_summary, problems_in};
use crate::burst::{self, Burst};
use crate::checks::Audit;
use crate::desk::{Desk, Lane};
use crate::load::{Collector, Marker, Poster};
use crate::report::Report;
use crate::stats::{XorShift, secs};

pub struct Options {
    pub rounds: usize,
    pub clients_per_round: usize,
    pub messages: u32,
    /// Webhook connections at once (Telegram's default max_connections).
    pub connections: usize,
    pub seed: u64,
    /// How long a round may take to be delivered after its restart. In the
    /// services lane the killed process's Redis lane lock alone may hold
    /// the main group for up to 30 s.
    pub drain_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rounds: 10,
            clients_per_round: 100,
            messages: 20,
            connections: 40,
            seed: 0x0DEA_D0BE_EF00_0009,
            drain_timeout: Duration::from_secs(180),
        }
    }
}

/// How long one webhook POST is retried: longer than any restart.
const POST_DEADLINE: Duration = Duration::from_secs(300);

/// What happened in one round.
struct Round {
    /// Messages of the round the killed process had accepted.
    accepted_at_kill: usize,
    /// Messages of the round in the main group at the kill.
    delivered_at_kill: usize,
    /// Since the round's burst began.
    killed_after: Duration,
    /// From the kill until the new process answered /readyz.
    restart_took: Duration,
    /// Accepted before the kill but not in the main group at the kill.
    backlog: usize,
    /// After the restart: first copy of anything in the main group.
    resumed: Option<Duration>,
    /// After the restart: the last of the backlog in the main group.
    backlog_delivered: Option<Duration>,
    /// After the restart: every message of the round in the main group;
    /// `None` if that did not happen within the drain timeout.
    drained: Option<Duration>,
}

pub async fn run(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let mut desk = Desk::open(lane).await?;
    desk.without_flood_limits();
    let outcome = rounds(&desk, options, report).await;
    let logs = desk.keep_logs(&format!("kill-{}", lane.slug()));
    report.line(&format!("bot logs kept in {}", logs.display()));
    desk.clean_up().await;
    outcome
}

async fn rounds(desk: &Desk, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let vars = desk.bot_vars();
    let mut bot = desk.start_bot().await?;
    let collector = Collector::start(&desk.fake, desk.main_group);
    let poster = Poster::new(vec![desk.webhook_url(bot.address)], &desk.secret);
    let mut random = XorShift(options.seed);
    let per_round = options.clients_per_round * options.messages as usize;
    let mut rounds = Vec::with_capacity(options.rounds);
    let mut killed_logs = Vec::new();
    let mut all_clients: Vec<i64> = Vec::new();
    let started = Instant::now();

    for round in 0..options.rounds {
        let first_marker = (round * options.clients_per_round) as u32;
        let clients = add_clients(desk, first_marker, options.clients_per_round);
        all_clients.extend(&clients);
        let bodies = burst::bodies(desk, &clients, first_marker, options.messages);
        // A random moment at the burst's peak: once copies of the round
        // pour into the main group (between a tenth and 60 % of the round
        // delivered), when the most sends are in flight and a kill can
        // double the most. Counted in messages, so it is the same share of
        // the work whatever the machine's speed.
        let landed_before = collector.read(|l| l.distinct_in_watched);
        let kill_at_landed =
            per_round / 10 + (random.next_fraction() * (per_round / 2) as f64) as usize;

        let burst_started = Instant::now();
        let burst = Burst::start(&poster, bodies, options.connections, POST_DEADLINE);
        collector
            .wait_for(landed_before + kill_at_landed, Duration::from_secs(180))
            .await
            .with_context(|| format!("round {}: before the kill", round + 1))?;
        let accepted_at_kill = burst.accepted();
        let delivered_at_kill = collector.read(|l| l.distinct_in_watched) - landed_before;
        let killed = Instant::now();
        killed_logs.push(bot.log.clone());
        bot.kill_hard().await?;
        // Posts fail while no process listens, and are retried like
        // Telegram retries them; the new process has a new port.
        bot = desk
            .start_bot_with(&vars)
            .await
            .with_context(|| format!("round {}: the restart", round + 1))?;
        let ready = Instant::now();
        poster.set_urls(vec![desk.webhook_url(bot.address)]);
        let accepted_at = burst
            .finish()
            .await
            .with_context(|| format!("round {}: after the restart", round + 1))?;
        let markers: Vec<Marker> = accepted_at.keys().copied().collect();
        let drained_in_time =
            all_landed(&collector, desk.main_group, &markers, options.drain_timeout).await;

        rounds.push(collector.read(|landed| {
            let landed_at = |marker: &Marker| landed.first.get(&(desk.main_group, *marker));
            let backlog: Vec<&Marker> = accepted_at
                .iter()
                .filter(|(_, at)| **at <= killed)
                .map(|(marker, _)| marker)
                .filter(|marker| landed_at(marker).is_none_or(|at| *at > killed))
                .collect();
            let after_restart = |at: Instant| at.saturating_duration_since(ready);
            Round {
                accepted_at_kill,
                delivered_at_kill,
                killed_after: killed - burst_started,
                restart_took: ready - killed,
                backlog: backlog.len(),
                resumed: landed
                    .all
                    .iter()
                    .filter(|m| m.chat_id == desk.main_group && m.at >= ready)
                    .map(|m| m.at - ready)
                    .min(),
                backlog_delivered: backlog
                    .iter()
                    .map(|marker| landed_at(marker).copied())
                    .collect::<Option<Vec<Instant>>>()
                    .and_then(|ats| ats.into_iter().max())
                    .map(after_restart),
                drained: drained_in_time
                    .then(|| {
                        accepted_at
                            .keys()
                            .filter_map(|marker| landed_at(marker).copied())
                            .max()
                    })
                    .flatten()
                    .map(after_restart),
            }
        }));
    }

    let total = options.rounds * per_round;
    // Whatever a round left behind has had its chance since; wait on while
    // copies keep coming, so "late" and "lost" can be told apart.
    let everything_landed = collector
        .wait_while_arriving(total, Duration::from_secs(60), Duration::from_secs(900))
        .await
        .map_err(|error| error.to_string());
    // Late copies (an outbox row sent again after a restart) still count.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let elapsed = started.elapsed();
    let sent: BTreeMap<u32, u32> = (0..(options.rounds * options.clients_per_round) as u32)
        .map(|c| (c, options.messages))
        .collect();
    let audit = Audit::of_main_group(&desk.fake, desk.main_group, &sent);
    // Each round's own clients: the copies its kill doubled (a round is
    // delivered in full before the next one starts).
    let per_kill: Vec<usize> = (0..options.rounds)
        .map(|round| {
            let first = (round * options.clients_per_round) as u32;
            let sent: BTreeMap<u32, u32> = (first..first + options.clients_per_round as u32)
                .map(|c| (c, options.messages))
                .collect();
            Audit::of_main_group(&desk.fake, desk.main_group, &sent).duplicates
        })
        .collect();
    let order_trace = match audit.out_of_order_client {
        Some(client) => crate::trace::order_of(desk, all_clients[client as usize]).await,
        None => Vec::new(),
    };
    let mut problems: Vec<String> = killed_logs.iter().flat_map(|l| problems_in(l)).collect();
    problems.extend(bot.problems_logged());
    let stopped = bot.stop().await;

    report.heading(&format!(
        "kill -9 mid-burst, {}: {} rounds × {} new clients × {} messages, {} connections, one database throughout",
        desk.lane.name(),
        options.rounds,
        options.clients_per_round,
        options.messages,
        options.connections
    ));
    report.line(&format!(
        "{total} messages sent in {:.1} s with {} kills and restarts",
        elapsed.as_secs_f64(),
        options.rounds
    ));
    for (i, round) in rounds.iter().enumerate() {
        report.line(&format!(
            "{}; {} duplicates",
            describe(i + 1, round, per_round),
            per_kill.get(i).copied().unwrap_or(0)
        ));
    }
    let worst = rounds.iter().map(|r| r.drained).max().flatten();
    let undrained = rounds.iter().filter(|r| r.drained.is_none()).count();
    report.line(&format!(
        "recovery (restart → round fully delivered): worst {}; {undrained} of {} rounds not delivered within {} s",
        secs(worst),
        rounds.len(),
        options.drain_timeout.as_secs()
    ));
    if let Err(error) = &everything_landed {
        report.line(&format!("at the end: {error}"));
    }
    let duplicate_share = audit.duplicates as f64 * 100.0 / total as f64;
    report.line(&format!("main group: {audit}"));
    if let Some(example) = &audit.out_of_order_example {
        report.line(&format!(
            "first client out of order, first copies in topic order: {example}"
        ));
    }
    for line in &order_trace {
        report.line(&format!("  {line}"));
    }
    report.line(&format!(
        "duplicates: {} extra copies = {duplicate_share:.2} % of {total} messages",
        audit.duplicates
    ));
    report.line(&format!("webhook answers: {}", poster.counts.summary()));
    report.line(&format!(
        "warnings/errors logged by the {} processes: {}",
        options.rounds + 1,
        problems.len()
    ));
    for group in problem_summary(&problems).into_iter().take(8) {
        report.line(&format!("  {group}"));
    }
    match &stopped {
        Ok(()) => report.line("the last process stopped cleanly on SIGTERM"),
        Err(error) => report.line(&format!("the last process did not stop cleanly: {error:#}")),
    }
    report.target(
        "every message reaches its topic",
        audit.missing == 0 && audit.clients_split == 0,
        &format!(
            "{} missing, {} clients split over topics",
            audit.missing, audit.clients_split
        ),
    );
    let worst_kill = per_kill.iter().copied().max().unwrap_or(0);
    report.line(&format!(
        "duplicates per kill: {} (worst {worst_kill} = {:.2} % of the round's {per_round})",
        per_kill
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        worst_kill as f64 * 100.0 / per_round as f64
    ));
    report.target(
        "duplicates ≤ 0.5 % per kill",
        worst_kill * 1000 <= per_round * 5,
        &format!(
            "worst kill {:.2} %, all kills {duplicate_share:.2} %",
            worst_kill as f64 * 100.0 / per_round as f64
        ),
    );
    Ok(())
}

/// Waits until every one of `markers` is in `chat`; false after `timeout`.
async fn all_landed(
    collector: &Collector,
    chat: i64,
    markers: &[Marker],
    timeout: Duration,
) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        let landed = collector.read(|l| {
            markers
                .iter()
                .all(|marker| l.first.contains_key(&(chat, *marker)))
        });
        if landed {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `count` new clients with names of their own (`Client0100`, …).
fn add_clients(desk: &Desk, first: u32, count: usize) -> Vec<i64> {
    (first..first + count as u32)
        .map(|n| {
            desk.fake
                .add_user(UserSpec::new(format!("Client{n:04}")).username(format!("client{n:04}")))
        })
        .collect()
}

fn describe(number: usize, round: &Round, per_round: usize) -> String {
    format!(
        "round {number}: killed with {} of {per_round} accepted and {} delivered ({:.2} s into the burst); new process ready {:.2} s later; \
         {} accepted messages were not yet in the group; after the restart: deliveries resumed {}, that backlog delivered {}, the round delivered {}",
        round.accepted_at_kill,
        round.delivered_at_kill,
        round.killed_after.as_secs_f64(),
        round.restart_took.as_secs_f64(),
        round.backlog,
        secs(round.resumed),
        if round.backlog == 0 {
            "(none)".to_owned()
        } else {
            secs(round.backlog_delivered)
        },
        secs(round.drained)
    )
}
