//! Latency at a steady rate: tickets already open, messages arriving
//! evenly (100 a second by default) for a minute, each client writing about
//! once a second. Limits off in the fake, as in the throughput run.

use std::time::{Duration, Instant};

use crate::costs::{Costs, STATS_SETTLE, statements_of};
use crate::desk::{Desk, Lane};
use crate::load::{Collector, Marker, Poster};
use crate::machine::CpuSnapshot;
use crate::report::Report;
use crate::stats::{Percentiles, mib, ms};

pub struct Options {
    pub rate: u32,
    pub duration: Duration,
    pub clients: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rate: 100,
            duration: Duration::from_secs(60),
            clients: 100,
        }
    }
}

pub async fn run(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let mut desk = Desk::open(lane).await?;
    desk.without_flood_limits();
    let bot = desk.start_bot().await?;
    let clients = desk.add_clients(options.clients);
    let collector = Collector::start(&desk.fake, desk.main_group);
    let poster = Poster::new(vec![desk.webhook_url(bot.address)], &desk.secret);

    // Warm-up: every client opens a ticket (message 0), untimed.
    for (i, &client) in clients.iter().enumerate() {
        let marker = Marker {
            client: i as u32,
            seq: 0,
        };
        poster
            .deliver(
                &desk.client_update(client, &marker.text()),
                Duration::from_secs(30),
            )
            .await?;
    }
    collector
        .wait_for(clients.len(), Duration::from_secs(120))
        .await?;
    // The warm-up's counters reach PostgreSQL's statistics first.
    tokio::time::sleep(STATS_SETTLE).await;
    let costs_before = Costs::take(&desk, statements_of(bot.address).await).await;

    let total = (options.rate as f64 * options.duration.as_secs_f64()) as usize;
    let mut schedule = Vec::with_capacity(total);
    for i in 0..total {
        let client = i % clients.len();
        let marker = Marker {
            client: client as u32,
            seq: 1 + (i / clients.len()) as u32,
        };
        schedule.push((marker, desk.client_update(clients[client], &marker.text())));
    }
    let interval = Duration::from_secs_f64(1.0 / options.rate as f64);
    let cpu_before = bot.cpu_seconds();
    let others_before = CpuSnapshot::take();
    let started = Instant::now();
    let mut posts = tokio::task::JoinSet::new();
    for (i, (marker, body)) in schedule.into_iter().enumerate() {
        let due = started + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let poster = poster.clone();
        posts.spawn(async move {
            poster.deliver(&body, Duration::from_secs(60)).await?;
            anyhow::Ok((marker, due))
        });
    }
    let mut posted = Vec::with_capacity(total);
    while let Some(done) = posts.join_next().await {
        posted.push(done??);
    }
    let sending_took = started.elapsed();
    collector
        .wait_for(clients.len() + total, Duration::from_secs(120))
        .await?;
    let cpu = bot.cpu_seconds() - cpu_before;
    let services_cpu = others_before.services_seconds();
    let others = others_before.since();
    let peak_rss = bot.peak_rss_bytes();
    let latencies: Vec<Duration> = collector.read(|landed| {
        posted
            .iter()
            .filter_map(|(marker, due)| {
                landed
                    .first
                    .get(&(desk.main_group, *marker))
                    .map(|at| at.saturating_duration_since(*due))
            })
            .collect()
    });
    let percentiles = Percentiles::of(latencies);
    let problems = bot.problems_logged();
    let statements = statements_of(bot.address).await;
    bot.stop().await?;
    let costs = costs_before.per_message(&Costs::take(&desk, statements).await, total);

    report.heading(&format!(
        "Latency at a steady {} messages/s for {} s, {}",
        options.rate,
        options.duration.as_secs(),
        lane.name()
    ));
    report.line(&format!(
        "{total} messages from {} clients with open tickets, sent over {:.1} s",
        clients.len(),
        sending_took.as_secs_f64()
    ));
    report.line(&format!(
        "latency, webhook POST → copy in the main group: {percentiles}"
    ));
    report.line(&format!(
        "bot process: peak RSS {}, CPU {cpu:.1} s ({:.0} % of one core)",
        mib(peak_rss),
        cpu * 100.0 / options.duration.as_secs_f64()
    ));
    report.line(&format!(
        "CPU of the rest of the machine meanwhile: {others}"
    ));
    report.line(&costs);
    report.line(&format!("webhook answers: {}", poster.counts.summary()));
    report.line(&format!(
        "warnings/errors logged by the bot: {}",
        problems.len()
    ));
    if lane == Lane::Services {
        report.target(
            "p99 ≤ 15 ms at 100 messages/s (issue 14)",
            percentiles.p99 <= Duration::from_millis(15),
            &ms(percentiles.p99),
        );
        let cores = (cpu + services_cpu) / sending_took.as_secs_f64();
        report.target(
            "bot + PostgreSQL + Redis ≤ 0.35 core at 100 messages/s (issue 14)",
            cores <= 0.35,
            &format!("{cores:.2} core"),
        );
        report.target(
            "peak RSS ≤ 40 MB",
            peak_rss <= 40 * 1_000_000,
            &mib(peak_rss),
        );
    }
    desk.clean_up().await;
    Ok(())
}
