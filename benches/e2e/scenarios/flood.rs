//! A client floods the desk while others write once (issue 10, point 8),
//! under Telegram's limits enforced by the fake: one client queues 300
//! messages, then ten quiet clients write one message each. Tickets take
//! turns in the main group's lane (round robin), so each quiet ticket's
//! first message must reach the main group within one turn of it, not
//! behind the flood; and the flood itself leaves in copyMessages batches.
//!
//! Turns are counted from the fake's own record of the calls into the main
//! group, in the order it received them. A ticket needs three calls before
//! its first message is in its topic (the topic, the card, the copy), one
//! per round of the round robin. For a quiet ticket, the rounds that went
//! by are the calls the flooding ticket made between the moment the quiet
//! ticket's message was accepted and the moment it landed; the turns it
//! waited beyond its own three are that number minus three. "Within one
//! turn" means at most one: the flood's call that was already on its way.
//!
//! The run ends once every quiet message is in; the rest of the flood (a
//! quarter of an hour at 20 messages a minute) is not waited for.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anyhow::Context;
use fake_telegram::{Limits, RecordedCall};
use serde_json::Value;

use crate::bot::problem_summary;
use crate::desk::{Desk, Lane};
use crate::load::{Collector, Marker, Poster};
use crate::outbox;
use crate::report::Report;

pub struct Options {
    pub flood: u32,
    pub quiet: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            flood: 300,
            quiet: 10,
        }
    }
}

/// The flooding client is marker client 0; quiet clients are 1…
const FLOODER: u32 = 0;

pub async fn run(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let desk = Desk::open(lane).await?;
    desk.fake.enforce_limits(Some(Limits::telegram()));
    let outcome = flood(&desk, options, report).await;
    let logs = desk.keep_logs(&format!("flood-{}", lane.slug()));
    report.line(&format!("bot logs kept in {}", logs.display()));
    desk.clean_up().await;
    outcome
}

/// One call into the main group, as the fake received it.
struct GroupCall {
    seq: u64,
    method: String,
    thread: Option<i32>,
    /// Messages it put into the group (a batch of copies: several).
    messages: usize,
    /// For copies: the (source chat, message id) pairs copied.
    copied: Vec<(i64, i64)>,
}

async fn flood(desk: &Desk, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let bot = desk.start_bot().await?;
    let main = desk.main_group;
    let collector = Collector::start(&desk.fake, main);
    let poster = Poster::new(vec![desk.webhook_url(bot.address)], &desk.secret);
    let clients = desk.add_clients(1 + options.quiet);
    let flooder = clients[0];
    let started = Instant::now();

    // The flood, in order (one chat's updates come one after another).
    for seq in 0..options.flood {
        let marker = Marker {
            client: FLOODER,
            seq,
        };
        poster
            .deliver(
                &desk.client_update(flooder, &marker.text()),
                Duration::from_secs(60),
            )
            .await?;
    }
    let flood_posted = started.elapsed();
    // Queued: every message of the flood has its delivery row.
    let deadline = Instant::now() + Duration::from_secs(120);
    let db = outbox::connect(&desk.database_url).await?;
    loop {
        let queued = outbox::copies_queued(&db, main).await?;
        if queued >= options.flood as i64 {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {queued} of the flood's {} messages were queued within 120 s",
            options.flood
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    db.close().await.ok();
    let flood_queued = started.elapsed();
    let flood_landed_before = flood_landed(&collector, main);

    // The quiet clients, all at once.
    let calls_before = desk.fake.calls().last().map_or(0, |c| c.seq);
    let mut quiet_sources: HashMap<u32, (i64, i64)> = HashMap::new();
    let mut posts = tokio::task::JoinSet::new();
    for (i, &client) in clients[1..].iter().enumerate() {
        let marker = Marker {
            client: i as u32 + 1,
            seq: 0,
        };
        let sent = desk.fake.user(client).text(&marker.text());
        quiet_sources.insert(marker.client, (client, sent.message_id as i64));
        let body = desk
            .fake
            .take_update(sent.update_id)
            .context("deliveries are held")?;
        let poster = poster.clone();
        posts.spawn(async move {
            poster.deliver(&body, Duration::from_secs(60)).await?;
            anyhow::Ok((marker.client, Instant::now()))
        });
    }
    let mut accepted: HashMap<u32, Instant> = HashMap::new();
    while let Some(posted) = posts.join_next().await {
        let (client, at) = posted??;
        accepted.insert(client, at);
    }
    let quiet_posted = Instant::now();

    // Until every quiet message is in the main group.
    let quiet_in = wait_quiet(&collector, main, options.quiet, Duration::from_secs(600)).await;
    let too_many_requests = desk.fake.too_many_requests_served();
    let problems = bot.problems_logged();
    let flood_landed_after = flood_landed(&collector, main);
    let calls = group_calls(&desk.fake.calls(), main);
    bot.stop().await?;

    // Which topic is whose: the thread of each client's first copy.
    let thread_of: HashMap<u32, i32> = collector.read(|l| {
        l.all
            .iter()
            .filter(|m| m.chat_id == main)
            .filter_map(|m| {
                let marker = m.text.as_deref().and_then(Marker::parse)?;
                Some((marker.client, m.thread_id?))
            })
            .collect()
    });
    let flood_thread = thread_of.get(&FLOODER).copied();
    let landed_at: HashMap<u32, Instant> = collector.read(|l| {
        l.first
            .iter()
            .filter(|((chat, marker), _)| *chat == main && marker.client != FLOODER)
            .map(|((_, marker), at)| (marker.client, *at))
            .collect()
    });

    struct Quiet {
        own_calls: usize,
        flood_calls: usize,
        busiest_other: usize,
        wait: Option<Duration>,
    }
    let mut quiet: BTreeMap<u32, Quiet> = BTreeMap::new();
    for client in 1..=options.quiet as u32 {
        let Some(thread) = thread_of.get(&client).copied() else {
            continue;
        };
        let source = quiet_sources[&client];
        // The call that copied the quiet client's message.
        let Some(copied) = calls
            .iter()
            .find(|c| c.seq > calls_before && c.copied.contains(&source))
        else {
            continue;
        };
        let window: Vec<&GroupCall> = calls
            .iter()
            .filter(|c| c.seq > calls_before && c.seq <= copied.seq)
            .collect();
        let mut by_thread: HashMap<Option<i32>, usize> = HashMap::new();
        for call in &window {
            *by_thread.entry(call.thread).or_default() += 1;
        }
        quiet.insert(
            client,
            Quiet {
                own_calls: by_thread.get(&Some(thread)).copied().unwrap_or(0),
                flood_calls: by_thread.get(&flood_thread).copied().unwrap_or(0),
                busiest_other: by_thread
                    .iter()
                    .filter(|(t, _)| **t != Some(thread))
                    .map(|(_, n)| *n)
                    .max()
                    .unwrap_or(0),
                wait: landed_at
                    .get(&client)
                    .zip(accepted.get(&client))
                    .map(|(landed, posted)| landed.saturating_duration_since(*posted)),
            },
        );
    }
    let turns_beyond = |q: &Quiet| q.busiest_other as i64 - q.own_calls as i64;
    let worst_turns = quiet.values().map(turns_beyond).max();
    let worst_wait = quiet.values().filter_map(|q| q.wait).max();

    // How the flood left: calls and the messages each carried.
    let flood_calls: Vec<&GroupCall> = calls
        .iter()
        .filter(|c| c.thread == flood_thread && c.copied.iter().any(|(chat, _)| *chat == flooder))
        .collect();
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    let mut methods: BTreeMap<&str, usize> = BTreeMap::new();
    for call in &flood_calls {
        *sizes.entry(call.messages).or_default() += 1;
        *methods.entry(call.method.as_str()).or_default() += 1;
    }
    let flood_messages: usize = flood_calls.iter().map(|c| c.messages).sum();
    // Once the whole flood waits in the outbox (before that its rows come
    // in one by one while the lane is already sending them).
    let backlog_calls: Vec<&&GroupCall> = flood_calls
        .iter()
        .filter(|c| c.seq > calls_before)
        .collect();
    let backlog_messages: usize = backlog_calls.iter().map(|c| c.messages).sum();
    let batched: usize = backlog_calls
        .iter()
        .filter(|c| c.method == "copymessages")
        .map(|c| c.messages)
        .sum();
    let backlog_sizes: Vec<String> = backlog_calls
        .iter()
        .map(|c| c.messages.to_string())
        .collect();

    report.heading(&format!(
        "A flooding client and {} quiet ones, {}: Telegram's limits enforced; {} messages from one client, then one from each quiet client",
        options.quiet,
        desk.lane.name(),
        options.flood
    ));
    report.line(&format!(
        "the flood was accepted by the webhook after {:.1} s and fully queued after {:.1} s; {flood_landed_before} of its messages were in the main group when the quiet clients wrote, {flood_landed_after} when the last quiet message landed",
        flood_posted.as_secs_f64(),
        flood_queued.as_secs_f64()
    ));
    report.line(&format!(
        "quiet clients accepted {:.1} s into the run",
        (quiet_posted - started).as_secs_f64()
    ));
    for (client, q) in &quiet {
        report.line(&format!(
            "quiet client {client}: first message in the main group {} after it was accepted; its ticket made {} calls (topic, card, copy), the flood {} and the busiest other ticket {} meanwhile: {} turns beyond its own",
            crate::stats::secs(q.wait),
            q.own_calls,
            q.flood_calls,
            q.busiest_other,
            turns_beyond(q)
        ));
    }
    if let Err(error) = &quiet_in {
        report.line(&format!("at the end: {error}"));
    }
    report.line(&format!(
        "worst quiet ticket: **{} turns** beyond its own calls, **{}** from its message to the main group",
        worst_turns.map_or("—".to_owned(), |t| t.to_string()),
        crate::stats::secs(worst_wait)
    ));
    report.line(&format!(
        "the flood so far: {flood_messages} messages in {} calls ({}); messages per call: {}",
        flood_calls.len(),
        methods
            .iter()
            .map(|(m, n)| format!("{n} × {m}"))
            .collect::<Vec<_>>()
            .join(", "),
        sizes
            .iter()
            .map(|(size, n)| format!("{n} × {size}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    report.line(&format!(
        "the flood once it was all queued: {backlog_messages} messages in {} calls of {} messages; {batched} of them in copyMessages batches",
        backlog_calls.len(),
        backlog_sizes.join(", ")
    ));
    report.line(&format!(
        "429 answers from the fake: **{too_many_requests}**"
    ));
    report.line(&format!("webhook answers: {}", poster.counts.summary()));
    report.line(&format!(
        "warnings/errors logged by the bot: {}",
        problems.len()
    ));
    for group in problem_summary(&problems).into_iter().take(8) {
        report.line(&format!("  {group}"));
    }
    report.target(
        "every quiet ticket's first message within one turn of the round robin",
        quiet_in.is_ok() && quiet.len() == options.quiet && worst_turns.is_some_and(|t| t <= 1),
        &format!(
            "{} of {} in; worst {} turns beyond its own, {}",
            quiet.len(),
            options.quiet,
            worst_turns.map_or("—".to_owned(), |t| t.to_string()),
            crate::stats::secs(worst_wait)
        ),
    );
    report.target(
        "the flood leaves in copyMessages batches",
        backlog_messages > 0 && batched == backlog_messages,
        &format!(
            "{batched} of the {backlog_messages} flood messages sent after it was queued went in batches"
        ),
    );
    report.target(
        "zero 429s",
        too_many_requests == 0,
        &too_many_requests.to_string(),
    );
    Ok(())
}

fn flood_landed(collector: &Collector, main: i64) -> usize {
    collector.read(|l| {
        l.first
            .keys()
            .filter(|(chat, marker)| *chat == main && marker.client == FLOODER)
            .count()
    })
}

async fn wait_quiet(
    collector: &Collector,
    main: i64,
    quiet: usize,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let landed = collector.read(|l| {
            l.first
                .keys()
                .filter(|(chat, marker)| *chat == main && marker.client != FLOODER)
                .count()
        });
        if landed >= quiet {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "only {landed} of {quiet} quiet messages landed within {timeout:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn as_i64(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

/// Every successful call into `chat` that put something there, in the
/// order the fake received them.
fn group_calls(calls: &[RecordedCall], chat: i64) -> Vec<GroupCall> {
    calls
        .iter()
        .filter(|c| c.is_ok() && as_i64(&c.params["chat_id"]) == Some(chat))
        .filter_map(|c| {
            let result = c.result()?;
            let (thread, messages) = match c.method.as_str() {
                "createforumtopic" => (as_i64(&result["message_thread_id"]), 1),
                "sendmessage" | "copymessage" | "sendphoto" | "senddocument" | "forwardmessage" => {
                    (as_i64(&c.params["message_thread_id"]), 1)
                }
                "copymessages" | "forwardmessages" => (
                    as_i64(&c.params["message_thread_id"]),
                    result.as_array().map_or(1, Vec::len),
                ),
                _ => return None,
            };
            let from = as_i64(&c.params["from_chat_id"]);
            let ids: Vec<i64> = match &c.params["message_ids"] {
                Value::Array(ids) => ids.iter().filter_map(as_i64).collect(),
                Value::String(s) => serde_json::from_str::<Vec<i64>>(s).unwrap_or_default(),
                _ => as_i64(&c.params["message_id"]).into_iter().collect(),
            };
            Some(GroupCall {
                seq: c.seq,
                method: c.method.clone(),
                thread: thread.map(|t| t as i32),
                messages,
                copied: from
                    .map(|from| ids.into_iter().map(|id| (from, id)).collect())
                    .unwrap_or_default(),
            })
        })
        .collect()
}
