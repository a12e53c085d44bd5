//! Two instances started at the same moment on an empty PostgreSQL
//! database and one Redis, with Telegram's limits enforced by the fake
//! (issue 10, points 4 and 5; services lane only): both must become ready
//! (the migrations run once, under a lock), no call may be refused with a
//! 429 (the per-chat windows live in Redis, shared), and the main group
//! must still drain at its ceiling of 20 messages a minute (± 5 %).
//!
//! Webhook posts alternate between the two processes, so both have work
//! for the same main group all along.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use fake_telegram::Limits;

use crate::bot::{BotProcess, problem_summary};
use crate::burst::{self, Burst};
use crate::checks::Audit;
use crate::desk::{Desk, Lane};
use crate::load::{Collector, Poster};
use crate::report::Report;

pub struct Options {
    pub clients: usize,
    pub messages: u32,
}

impl Default for Options {
    fn default() -> Self {
        // 30 tickets × (topic + card + 2 messages) = 120 messages into the
        // main group: 20 at once, then 100 at 20 a minute, about 5 minutes.
        Options {
            clients: 30,
            messages: 2,
        }
    }
}

pub async fn run(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    if lane != Lane::Services {
        report.heading(&format!(
            "Two replicas under Telegram's limits, {}: not applicable",
            lane.name()
        ));
        report.line(
            "the in-process store lives inside one process, so two processes cannot share it; run with --lane services",
        );
        return Ok(());
    }
    let desk = Desk::open(lane).await?;
    desk.fake.enforce_limits(Some(Limits::telegram()));
    let outcome = together(&desk, options, report).await;
    let logs = desk.keep_logs(&format!("replicas-limits-{}", lane.slug()));
    report.line(&format!("bot logs kept in {}", logs.display()));
    desk.clean_up().await;
    outcome
}

async fn together(desk: &Desk, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let vars = desk.bot_vars();
    // The same moment: both processes are spawned before either is waited
    // for, on a database nothing has touched yet.
    let (first, second) = tokio::join!(timed_start(&vars, desk), timed_start(&vars, desk));
    let starts = [first, second];
    let mut bots: Vec<BotProcess> = Vec::new();
    let mut ready_after = Vec::new();
    let mut start_errors = Vec::new();
    for start in starts {
        match start {
            Ok((bot, after)) => {
                bots.push(bot);
                ready_after.push(after);
            }
            Err(error) => start_errors.push(format!("{error:#}")),
        }
    }
    report.heading(&format!(
        "Two replicas started together on an empty database, Telegram's limits enforced, {}: {} clients × {} messages, posts alternating",
        desk.lane.name(),
        options.clients,
        options.messages
    ));
    report.line(&format!(
        "ready after: {}",
        ready_after
            .iter()
            .map(|d: &Duration| format!("{:.2} s", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" and ")
    ));
    for error in &start_errors {
        report.line(&format!("a process did not become ready: {error}"));
    }
    report.target(
        "both instances become ready",
        bots.len() == 2,
        &format!("{} of 2 ready", bots.len()),
    );
    if bots.len() < 2 {
        for bot in bots {
            bot.stop().await.ok();
        }
        return Ok(());
    }
    desk.fake
        .wait_for_webhook()
        .await
        .map_err(|e| anyhow::anyhow!("the bots register their webhook: {e}"))?;

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
    let started = Instant::now();
    Burst::start(&poster, bodies, 10, Duration::from_secs(120))
        .finish()
        .await?;
    // Every ticket's topic and card go first (tickets take turns), so at
    // 20 a minute no client message lands for minutes at the start: only
    // a long stall means something stopped.
    let everything = collector
        .wait_while_arriving(total, Duration::from_secs(300), Duration::from_secs(900))
        .await
        .map_err(|error| error.to_string());
    // Anything the bots still had for the group (nothing, normally).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let too_many_requests = desk.fake.too_many_requests_served();
    let main_times: Vec<Instant> = collector.read(|l| {
        l.all
            .iter()
            .filter(|m| m.chat_id == desk.main_group)
            .map(|m| m.at)
            .collect()
    });
    let sent: BTreeMap<u32, u32> = (0..options.clients as u32)
        .map(|c| (c, options.messages))
        .collect();
    let audit = Audit::of_main_group(&desk.fake, desk.main_group, &sent);
    let mut problems = Vec::new();
    let mut stopped = Vec::new();
    for bot in bots {
        problems.extend(bot.problems_logged());
        stopped.push(bot.stop().await);
    }
    let count = main_times.len();
    let pace = crate::stats::pace_per_minute(&main_times, 20).unwrap_or(0.0);
    let steady_rate = if count > 21 {
        (count - 21) as f64 / (main_times[count - 1] - main_times[20]).as_secs_f64() * 60.0
    } else {
        0.0
    };
    // The same over every minute-long stretch after the first 20: the
    // slowest shows whether the two ever left the group idle.
    let windows: Vec<f64> = (20..count)
        .filter_map(|i| {
            let end = main_times[i] + Duration::from_secs(60);
            (main_times[count - 1] >= end)
                .then(|| main_times[i..].iter().filter(|t| **t < end).count() as f64)
        })
        .collect();
    let slowest_minute = windows.iter().copied().fold(f64::INFINITY, f64::min);
    let busiest_minute = windows.iter().copied().fold(0.0, f64::max);

    report.line(&format!(
        "main group: {count} messages from the bots; the last {:.1} s after the burst began",
        main_times
            .last()
            .map_or(0.0, |at| (*at - started).as_secs_f64())
    ));
    report.line(&format!(
        "429 answers from the fake: **{too_many_requests}**"
    ));
    report.line(&format!(
        "main group pace (60 s × 20 / mean time between a message and the 20th after it): **{pace:.2} messages/minute**"
    ));
    report.line(&format!(
        "drain rate from the 21st message on: {steady_rate:.2} messages/minute (high when the first 20 did not go at once); any 60 s after that held {} to {} messages",
        if windows.is_empty() { "—".to_owned() } else { format!("{slowest_minute:.0}") },
        if windows.is_empty() { "—".to_owned() } else { format!("{busiest_minute:.0}") },
    ));
    // Where the group waited longest between two messages, and where the
    // slowest minute began: a stall in the middle of the backlog would be
    // capacity lost between the two instances.
    if let Some((i, gap)) = main_times
        .windows(2)
        .enumerate()
        .map(|(i, w)| (i, w[1] - w[0]))
        .max_by_key(|(_, gap)| *gap)
    {
        report.line(&format!(
            "longest pause between two messages in the group: {:.1} s, after message {} ({:.1} s into the burst)",
            gap.as_secs_f64(),
            i + 1,
            (main_times[i] - started).as_secs_f64()
        ));
    }
    if let Some((i, _)) = windows.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)) {
        report.line(&format!(
            "the slowest 60 s began at message {} ({:.1} s into the burst)",
            i + 21,
            (main_times[i + 20] - started).as_secs_f64()
        ));
    }
    if let Err(error) = &everything {
        report.line(&format!("at the end: {error}"));
    }
    report.line(&format!("main group: {audit}"));
    report.line(&format!("webhook answers: {}", poster.counts.summary()));
    report.line(&format!(
        "warnings/errors logged by the two processes: {}",
        problems.len()
    ));
    for group in problem_summary(&problems).into_iter().take(8) {
        report.line(&format!("  {group}"));
    }
    for (i, outcome) in stopped.iter().enumerate() {
        if let Err(error) = outcome {
            report.line(&format!(
                "process {} did not stop cleanly: {error:#}",
                i + 1
            ));
        }
    }
    report.target(
        "zero 429s with two instances",
        too_many_requests == 0,
        &too_many_requests.to_string(),
    );
    report.target(
        "main group drains within 5 % of 20/minute",
        (19.0..=21.0).contains(&pace),
        &format!("{pace:.2}/min"),
    );
    report.target(
        "every message once and in order",
        audit.is_clean() && everything.is_ok(),
        &audit.to_string(),
    );
    Ok(())
}

async fn timed_start(
    vars: &BTreeMap<String, String>,
    desk: &Desk,
) -> anyhow::Result<(BotProcess, Duration)> {
    let launched = Instant::now();
    let bot = BotProcess::start(vars, desk.dir.path()).await?;
    Ok((bot, launched.elapsed()))
}
