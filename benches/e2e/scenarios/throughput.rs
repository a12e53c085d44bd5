//! Throughput: many clients writing at once, as fast as the webhook takes
//! it, with the fake's limits off. Measured from the first POST until the
//! last copy lands in the main group.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::checks::Audit;
use crate::costs::{Costs, STATS_SETTLE, statements_of};
use crate::desk::{Desk, Lane};
use crate::load::{Collector, Marker, Poster};
use crate::machine::CpuSnapshot;
use crate::report::Report;
use crate::stats::{Percentiles, mib};

pub struct Options {
    pub clients: usize,
    pub messages: usize,
    /// Webhook connections at once (Telegram's default max_connections).
    pub connections: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clients: 200,
            messages: 50,
            connections: 40,
        }
    }
}

pub async fn run(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let mut desk = Desk::open(lane).await?;
    desk.without_flood_limits();
    let bot = desk.start_bot().await?;
    // The start's counters reach PostgreSQL's statistics first.
    tokio::time::sleep(STATS_SETTLE).await;
    let costs_before = Costs::take(&desk, statements_of(bot.address).await).await;
    let clients = desk.add_clients(options.clients);
    // Bodies are made up front so making them is not measured.
    let mut bodies: Vec<Vec<(Marker, String)>> = vec![Vec::new(); clients.len()];
    for seq in 0..options.messages as u32 {
        for (i, &client) in clients.iter().enumerate() {
            let marker = Marker {
                client: i as u32,
                seq,
            };
            bodies[i].push((marker, desk.client_update(client, &marker.text())));
        }
    }
    let total = options.clients * options.messages;
    let collector = Collector::start(&desk.fake, desk.main_group);
    let poster = Poster::new(vec![desk.webhook_url(bot.address)], &desk.secret);
    let posted_at: Arc<Mutex<BTreeMap<Marker, Instant>>> = Default::default();
    let connections = Arc::new(Semaphore::new(options.connections));
    let cpu_before = bot.cpu_seconds();
    let others_before = CpuSnapshot::take();
    let started = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for client_bodies in bodies {
        let (poster, posted_at, connections) =
            (poster.clone(), posted_at.clone(), connections.clone());
        // Each client's messages go one after another, as Telegram sends
        // one chat's updates.
        senders.spawn(async move {
            for (marker, body) in client_bodies {
                let _connection = connections.acquire().await.expect("open");
                posted_at
                    .lock()
                    .expect("poisoned")
                    .insert(marker, Instant::now());
                poster.deliver(&body, Duration::from_secs(60)).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(sent) = senders.join_next().await {
        sent??;
    }
    let accepted_in = started.elapsed();
    collector.wait_for(total, Duration::from_secs(600)).await?;
    let cpu = bot.cpu_seconds() - cpu_before;
    let others = others_before.since();
    let peak_rss = bot.peak_rss_bytes();

    let posted_at = posted_at.lock().expect("poisoned").clone();
    let (latencies, last_landed) = collector.read(|landed| {
        let mut latencies = Vec::with_capacity(total);
        let mut last = started;
        for (marker, posted) in &posted_at {
            if let Some(at) = landed.first.get(&(desk.main_group, *marker)) {
                latencies.push(at.saturating_duration_since(*posted));
                last = last.max(*at);
            }
        }
        (latencies, last)
    });
    let elapsed = last_landed - started;
    let sent: BTreeMap<u32, u32> = (0..options.clients as u32)
        .map(|c| (c, options.messages as u32))
        .collect();
    let audit = Audit::of_main_group(&desk.fake, desk.main_group, &sent);
    let problems = bot.problems_logged();
    let statements = statements_of(bot.address).await;
    bot.stop().await?;
    let costs = costs_before.per_message(&Costs::take(&desk, statements).await, total);

    let rate = total as f64 / elapsed.as_secs_f64();
    report.heading(&format!(
        "Throughput, {}: {} clients × {} messages, {} connections",
        lane.name(),
        options.clients,
        options.messages,
        options.connections
    ));
    report.line(&format!(
        "{total} messages in {:.2} s: **{rate:.0} messages/s** end to end (all accepted by the webhook after {:.2} s)",
        elapsed.as_secs_f64(),
        accepted_in.as_secs_f64()
    ));
    report.line(&format!(
        "latency, webhook POST → copy in the main group: {}",
        Percentiles::of(latencies)
    ));
    report.line(&format!(
        "bot process: peak RSS {}, CPU {cpu:.1} s ({:.0} µs per message)",
        mib(peak_rss),
        cpu * 1e6 / total as f64
    ));
    report.line(&format!(
        "CPU of the rest of the machine meanwhile: {others}"
    ));
    report.line(&costs);
    report.line(&format!("webhook answers: {}", poster.counts.summary()));
    report.line(&format!("main group: {audit}"));
    report.line(&format!(
        "warnings/errors logged by the bot: {}",
        problems.len()
    ));
    // Issue 14 asks for it in both lanes.
    report.target("≥ 2000 messages/s", rate >= 2000.0, &format!("{rate:.0}/s"));
    if lane == Lane::Services {
        report.target(
            "peak RSS ≤ 40 MB",
            peak_rss <= 40 * 1_000_000,
            &mib(peak_rss),
        );
    }
    report.target(
        "nothing lost, duplicated or reordered",
        audit.is_clean(),
        &audit.to_string(),
    );
    desk.clean_up().await;
    Ok(())
}
