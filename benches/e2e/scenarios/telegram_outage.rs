//! The Bot API has a bad minute while the desk is busy (issue 10): first it
//! answers every call with `502 Bad Gateway`, then it takes connections and
//! never answers (a timeout, as seen from the bot). Meanwhile clients with
//! open tickets keep writing, new clients write for the first time, and
//! staff answer each open ticket once.
//!
//! What must hold once the Bot API is back: nothing lost (every client
//! message in its topic, every answer in its client's chat), no delivery
//! marked failed and no attempt used up, /readyz saying "Telegram API
//! unreachable since …" while it lasted; and how long the backlog took to
//! drain is measured.
//!
//! The bot reaches the fake Telegram through a [`Proxy`]; the 502s are
//! injected into the fake itself. Webhook posts come from the harness, so
//! the outage is only the bot's way out, as with the real Telegram.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anyhow::Context;
use fake_telegram::Fault;

use crate::bot::problem_summary;
use crate::checks::Audit;
use crate::desk::{Desk, Lane};
use crate::load::{Collector, Marker, Poster};
use crate::outbox;
use crate::probe::ReadyzProbe;
use crate::proxy::Proxy;
use crate::report::Report;
use crate::stats::{XorShift, secs};

/// The staff answer to client `c` is traced as message number 100 of `c`.
const ANSWER_SEQ: u32 = 100;

pub struct Options {
    /// Clients whose tickets are open before the outage.
    pub clients: usize,
    /// Messages each of them writes during the outage.
    pub messages_during: u32,
    /// Clients who write for the first time during the outage.
    pub new_clients: usize,
    /// The first part of the outage: every call answered 502.
    pub bad_gateway: Duration,
    /// The second part: connections taken, never answered.
    pub silence: Duration,
    /// The traffic is spread over this much of the outage's start.
    pub traffic_window: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clients: 40,
            messages_during: 3,
            new_clients: 10,
            bad_gateway: Duration::from_secs(30),
            silence: Duration::from_secs(30),
            traffic_window: Duration::from_secs(50),
        }
    }
}

/// A call that met the outage may wait out its lane's backoff (up to a
/// minute) before it tries again: waiting for the backlog ends only once
/// nothing has landed for longer than that.
const STALL: Duration = Duration::from_secs(120);

pub async fn run(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let mut desk = Desk::open(lane).await?;
    // Not a test of Telegram's limits: the backlog drains as fast as the
    // bot can send, so the drain time is the bot's recovery, not the
    // main group's 20 a minute.
    desk.without_flood_limits();
    let outcome = outage(&desk, options, report).await;
    let logs = desk.keep_logs(&format!("telegram-outage-{}", lane.slug()));
    report.line(&format!("bot logs kept in {}", logs.display()));
    desk.clean_up().await;
    outcome
}

async fn outage(desk: &Desk, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let upstream = desk.fake.addr();
    let proxy = Proxy::start(upstream).await?;
    let mut vars = desk.bot_vars();
    vars.insert(
        "TELEGRAM_API_URL".into(),
        format!("http://{}", proxy.address),
    );
    let mut bot = desk.start_bot_with(&vars).await?;
    let main = desk.main_group;
    let collector = Collector::start(&desk.fake, main);
    let poster = Poster::new(vec![desk.webhook_url(bot.address)], &desk.secret);

    // Tickets open before the outage: each client's first message.
    let clients = desk.add_clients(options.clients + options.new_clients);
    let (old, new) = clients.split_at(options.clients);
    for (i, &client) in old.iter().enumerate() {
        let marker = Marker {
            client: i as u32,
            seq: 0,
        };
        poster
            .deliver(
                &desk.client_update(client, &marker.text()),
                Duration::from_secs(60),
            )
            .await?;
    }
    collector
        .wait_for(options.clients, Duration::from_secs(120))
        .await
        .context("the tickets opened before the outage")?;
    let threads: HashMap<u32, i32> = collector.read(|l| {
        l.all
            .iter()
            .filter(|m| m.chat_id == main)
            .filter_map(|m| {
                let marker = m.text.as_deref().and_then(Marker::parse)?;
                Some((marker.client, m.thread_id?))
            })
            .collect()
    });

    // The outage's traffic, made up front, each event at a random moment
    // of the window (a client's own messages in order).
    let mut random = XorShift(0x7E1E_0B57_0000_0010);
    let mut events: Vec<(Duration, Marker, String)> = Vec::new();
    for (i, &client) in old.iter().enumerate() {
        let mut offsets: Vec<Duration> = (0..options.messages_during)
            .map(|_| options.traffic_window.mul_f64(random.next_fraction()))
            .collect();
        offsets.sort();
        for (n, offset) in offsets.into_iter().enumerate() {
            let marker = Marker {
                client: i as u32,
                seq: n as u32 + 1,
            };
            events.push((offset, marker, desk.client_update(client, &marker.text())));
        }
        let answer = Marker {
            client: i as u32,
            seq: ANSWER_SEQ,
        };
        let thread = *threads
            .get(&(i as u32))
            .context("a ticket's topic before the outage")?;
        let sent = desk
            .fake
            .user(desk.staff)
            .in_topic(main, thread)
            .text(&answer.text());
        let body = desk
            .fake
            .take_update(sent.update_id)
            .context("deliveries are held")?;
        events.push((
            options.traffic_window.mul_f64(random.next_fraction()),
            answer,
            body,
        ));
    }
    for (i, &client) in new.iter().enumerate() {
        let marker = Marker {
            client: (options.clients + i) as u32,
            seq: 0,
        };
        events.push((
            options.traffic_window.mul_f64(random.next_fraction()),
            marker,
            desk.client_update(client, &marker.text()),
        ));
    }
    events.sort_by_key(|(offset, marker, _)| (*offset, *marker));
    let expected_in_main =
        options.clients * (1 + options.messages_during as usize) + options.new_clients;

    let probe = ReadyzProbe::start(bot.address, Duration::from_millis(250));
    let before = outbox::state(&desk.database_url).await?;
    let down_at = Instant::now();
    desk.fake
        .inject(Fault::error(502, "Bad Gateway").times(u32::MAX));
    // Posts in order of their moments; one client's messages stay in order
    // because each post is answered before the next is sent.
    let traffic = {
        let poster = poster.clone();
        tokio::spawn(async move {
            for (offset, _, body) in events {
                tokio::time::sleep_until((down_at + offset).into()).await;
                poster.deliver(&body, Duration::from_secs(60)).await?;
            }
            anyhow::Ok(())
        })
    };
    tokio::time::sleep_until((down_at + options.bad_gateway).into()).await;
    let silent_at = Instant::now();
    desk.fake.clear_faults();
    proxy.go_silent();
    tokio::time::sleep_until((silent_at + options.silence).into()).await;
    let during = outbox::state(&desk.database_url).await?;
    let up_at = Instant::now();
    proxy.come_back();
    traffic.await??;
    if let Some(status) = bot.exit_status() {
        anyhow::bail!(
            "the bot exited during the outage ({status}); see {}",
            bot.log.display()
        );
    }
    let in_main = collector
        .wait_while_arriving(expected_in_main, STALL, Duration::from_secs(900))
        .await
        .map_err(|error| error.to_string());
    let answers_in = wait_for_answers(&collector, old, STALL).await;
    // Late second copies still count.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let readyz = probe.stop();
    let after = outbox::state(&desk.database_url).await?;

    let (first_after_up, last_landing, landed_during, answer_last) = collector.read(|l| {
        let expected_main = |m: &Marker| m.seq != ANSWER_SEQ;
        let main_firsts: Vec<Instant> = l
            .first
            .iter()
            .filter(|((chat, marker), _)| *chat == main && expected_main(marker))
            .map(|(_, at)| *at)
            .collect();
        let answers: Vec<Instant> = l
            .first
            .iter()
            .filter(|((chat, marker), _)| *chat > 0 && marker.seq == ANSWER_SEQ)
            .map(|(_, at)| *at)
            .collect();
        let landed_during = l
            .all
            .iter()
            .filter(|m| m.at > down_at + Duration::from_secs(1) && m.at < up_at)
            .count();
        (
            l.all.iter().map(|m| m.at).filter(|at| *at >= up_at).min(),
            main_firsts.iter().chain(&answers).copied().max(),
            landed_during,
            answers.iter().copied().max(),
        )
    });
    let sent: BTreeMap<u32, u32> = (0..options.clients as u32)
        .map(|c| (c, 1 + options.messages_during))
        .chain(
            ((options.clients as u32)..(options.clients + options.new_clients) as u32)
                .map(|c| (c, 1)),
        )
        .collect();
    let audit = Audit::of_main_group(&desk.fake, main, &sent);
    let (answers_landed, answer_repeats) = collector.read(|l| {
        let landed = old
            .iter()
            .enumerate()
            .filter(|(i, client)| {
                l.first.contains_key(&(
                    **client,
                    Marker {
                        client: *i as u32,
                        seq: ANSWER_SEQ,
                    },
                ))
            })
            .count();
        let repeats = l
            .all
            .iter()
            .filter(|m| m.chat_id > 0)
            .filter(|m| {
                m.text
                    .as_deref()
                    .and_then(Marker::parse)
                    .is_some_and(|k| k.seq == ANSWER_SEQ)
            })
            .count()
            .saturating_sub(landed);
        (landed, repeats)
    });

    // /readyz from the outage's start until the Bot API came back.
    let outage_samples: Vec<_> = readyz
        .iter()
        .filter(|s| s.sent >= down_at && s.answered < up_at)
        .collect();
    let names_outage = |body: &str| body.contains("Telegram API unreachable since");
    let first_named = outage_samples
        .iter()
        .find(|s| s.status == Some(503) && names_outage(&s.body))
        .map(|s| s.sent);
    let after_named: Vec<_> = outage_samples
        .iter()
        .filter(|s| first_named.is_some_and(|at| s.sent >= at))
        .collect();
    let named_count = after_named
        .iter()
        .filter(|s| s.status == Some(503) && names_outage(&s.body))
        .count();
    let example = after_named
        .iter()
        .find(|s| names_outage(&s.body))
        .map(|s| s.body.clone());
    let ready_again = readyz
        .iter()
        .filter(|s| s.sent >= up_at && s.status == Some(200))
        .map(|s| s.answered - up_at)
        .min();

    let problems = bot.problems_logged();
    let stopped = bot.stop().await;

    report.heading(&format!(
        "Telegram outage, {}: {} s of 502s then {} s without answers; {} open tickets write {} messages each and get one staff answer each, {} new clients write once, all during the outage",
        desk.lane.name(),
        options.bad_gateway.as_secs(),
        options.silence.as_secs(),
        options.clients,
        options.messages_during,
        options.new_clients
    ));
    report.line(&format!(
        "outbox before the outage: {before}; at its end: {during}; after the drain: {after}"
    ));
    report.line(&format!(
        "messages that landed in Telegram during the outage: {landed_during}; connections the silent proxy held: {}",
        proxy.refused()
    ));
    report.line(&format!(
        "/readyz during the outage: {} probes; first said it {} after the outage began; from then on {named_count} of {} said 503 `Telegram API unreachable since …`",
        outage_samples.len(),
        secs(first_named.map(|at| at - down_at)),
        after_named.len()
    ));
    if let Some(body) = example {
        report.line(&format!("  it said: `{body}`"));
    }
    report.line(&format!(
        "after the Bot API came back: /readyz 200 after {}, first message landed after {}, everything drained after {} (the last answer to a client after {})",
        secs(ready_again),
        secs(first_after_up.map(|at| at - up_at)),
        secs(last_landing.map(|at| at.saturating_duration_since(up_at))),
        secs(answer_last.map(|at| at.saturating_duration_since(up_at)))
    ));
    if let Err(error) = &in_main {
        report.line(&format!("main group at the end: {error}"));
    }
    if let Err(error) = &answers_in {
        report.line(&format!("answers at the end: {error}"));
    }
    report.line(&format!("main group: {audit}"));
    report.line(&format!(
        "staff answers in the clients' chats: {answers_landed} of {} ({answer_repeats} extra copies)",
        options.clients
    ));
    report.line(&format!("webhook answers: {}", poster.counts.summary()));
    report.line(&format!(
        "warnings/errors logged by the bot: {}",
        problems.len()
    ));
    for group in problem_summary(&problems).into_iter().take(8) {
        report.line(&format!("  {group}"));
    }
    match &stopped {
        Ok(()) => report.line("the bot stopped cleanly on SIGTERM afterwards"),
        Err(error) => report.line(&format!("the bot did not stop cleanly: {error:#}")),
    }
    report.target(
        "nothing lost",
        audit.missing == 0 && answers_landed == options.clients && audit.clients_split == 0,
        &format!(
            "{} of {expected_in_main} client messages missing, {} of {} answers missing",
            audit.missing,
            options.clients - answers_landed,
            options.clients
        ),
    );
    report.target(
        "nothing marked failed, no attempt used",
        after.failed == 0 && after.failure_events == 0 && after.attempts == 0,
        &format!(
            "{} failed rows, {} delivery_failed events, {} attempts used",
            after.failed, after.failure_events, after.attempts
        ),
    );
    report.target(
        "/readyz says Telegram API unreachable during the outage",
        first_named.is_some() && named_count == after_named.len(),
        &format!(
            "from {} after the start: {named_count} of {} probes",
            secs(first_named.map(|at| at - down_at)),
            after_named.len()
        ),
    );
    report.target(
        "every message once and in order",
        audit.is_clean() && answer_repeats == 0,
        &format!("{audit}; {answer_repeats} extra answers"),
    );
    Ok(())
}

/// Waits until every old client has its staff answer, for as long as
/// answers keep coming.
async fn wait_for_answers(
    collector: &Collector,
    clients: &[i64],
    stall: Duration,
) -> Result<(), String> {
    let landed = || {
        collector.read(|l| {
            clients
                .iter()
                .enumerate()
                .filter(|(i, client)| {
                    l.first.contains_key(&(
                        **client,
                        Marker {
                            client: *i as u32,
                            seq: ANSWER_SEQ,
                        },
                    ))
                })
                .count()
        })
    };
    let mut last = landed();
    let mut last_change = Instant::now();
    while last < clients.len() {
        if last_change.elapsed() > stall {
            return Err(format!(
                "only {last} of {} answers arrived; none for {stall:?}",
                clients.len()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = landed();
        if now != last {
            last = now;
            last_change = Instant::now();
        }
    }
    Ok(())
}
