//! Several main groups multiply the desk's capacity (issue 11): a burst of
//! new tickets under Telegram's limits enforced by the fake, once with
//! three categories that each have their own main group, once with the
//! same three categories all in one main group. Each group takes 20
//! messages a minute, so three should drain the burst about three times
//! faster.
//!
//! Both desks run at the same time (the runs wait on Telegram's limits,
//! not on the machine). Every client writes one message and, asked for a
//! category, taps one of the buttons (client i the (i mod 3)-th), as a
//! person would; the ticket then opens in that category's group: topic,
//! card, and the held message.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use fake_telegram::{FakeTelegram, Limits, UserSpec};

use crate::bot::problem_summary;
use crate::checks::Audit;
use crate::desk::{Desk, Lane};
use crate::load::{Collector, Marker, Poster};
use crate::report::Report;

pub struct Options {
    pub tickets: usize,
}

impl Default for Options {
    fn default() -> Self {
        // 60 tickets × 3 messages (topic, card, the client's message): in
        // one group 20 at once and 160 at 20 a minute, eight minutes; the
        // issue's 90 would take twelve and a half.
        Options { tickets: 60 }
    }
}

const CATEGORIES: usize = 3;

/// What one desk's run showed.
struct Drain {
    groups: usize,
    /// First post → last client message in its group.
    drained: Option<Duration>,
    /// Per group: messages from the bot, and its pace (messages a minute,
    /// see `pace_per_minute`).
    per_group: Vec<(usize, f64)>,
    /// Main-group messages a minute over the whole run, all groups.
    overall_rate: f64,
    audits: Vec<Audit>,
    /// Client messages that landed in a group other than their category's.
    misrouted: usize,
    taps: usize,
    too_many_requests: u64,
    landed: Result<(), String>,
    problems: Vec<String>,
    webhook: String,
}

pub async fn run(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let (one, three) = tokio::join!(desk_run(lane, 1, options), desk_run(lane, 3, options));
    let (one, three) = (one?, three?);
    report.heading(&format!(
        "Three main groups against one, {}: Telegram's limits enforced, {} new tickets at once over three categories, each client taps its category",
        lane.name(),
        options.tickets
    ));
    for drain in [&one, &three] {
        let label = if drain.groups == 1 {
            "one main group"
        } else {
            "three main groups"
        };
        report.line(&format!(
            "{label}: every client message in its topic after **{}**; {} messages a minute over all groups; per group: {}",
            crate::stats::secs(drain.drained),
            format_args!("{:.1}", drain.overall_rate),
            drain
                .per_group
                .iter()
                .map(|(count, rate)| format!("{count} messages at {rate:.2}/min"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        report.line(&format!(
            "  {} category taps; 429 answers: {}; misrouted: {}; {}",
            drain.taps,
            drain.too_many_requests,
            drain.misrouted,
            drain
                .audits
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        if let Err(error) = &drain.landed {
            report.line(&format!("  at the end: {error}"));
        }
        report.line(&format!("  webhook answers: {}", drain.webhook));
        report.line(&format!(
            "  warnings/errors logged by the bot: {}",
            drain.problems.len()
        ));
        for group in problem_summary(&drain.problems).into_iter().take(5) {
            report.line(&format!("    {group}"));
        }
    }
    let speedup = match (one.drained, three.drained) {
        (Some(one), Some(three)) if !three.is_zero() => one.as_secs_f64() / three.as_secs_f64(),
        _ => 0.0,
    };
    report.line(&format!(
        "speed-up of three groups: **{speedup:.2}×** in drain time; {:.2}× in messages a minute",
        if one.overall_rate > 0.0 {
            three.overall_rate / one.overall_rate
        } else {
            0.0
        }
    ));
    report.target(
        "three main groups drain the burst about three times faster (≥ 2.7×)",
        speedup >= 2.7,
        &format!("{speedup:.2}×"),
    );
    for drain in [&one, &three] {
        report.target(
            &format!(
                "{} group(s): zero 429s, every message once, in its category's group",
                drain.groups
            ),
            drain.too_many_requests == 0
                && drain.misrouted == 0
                && drain.landed.is_ok()
                && drain.audits.iter().all(Audit::is_clean),
            &format!(
                "{} × 429, {} misrouted, {}",
                drain.too_many_requests,
                drain.misrouted,
                drain
                    .audits
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        );
    }
    Ok(())
}

async fn desk_run(lane: Lane, groups: usize, options: &Options) -> anyhow::Result<Drain> {
    let mut desk = Desk::open(lane).await?;
    let mut group_of_category = vec![desk.main_group; CATEGORIES];
    if groups == CATEGORIES {
        for (i, group) in group_of_category.iter_mut().enumerate().skip(1) {
            *group = desk.fake.add_forum_group(&format!("Support {}", i + 1));
            desk.fake.add_member(*group, desk.staff);
        }
    }
    let categories: Vec<String> = ["billing", "tech", "access"]
        .iter()
        .zip(["💳", "🛠", "🔑"])
        .enumerate()
        .map(|(i, (key, emoji))| {
            let group = if groups == CATEGORIES && i > 0 {
                format!(r#","main_group_id":{}"#, group_of_category[i])
            } else {
                String::new()
            };
            format!(r#"{{"key":"{key}","name":"{key}","emoji":"{emoji}"{group}}}"#)
        })
        .collect();
    desk.extra_vars
        .push(("CATEGORIES".into(), format!("[{}]", categories.join(","))));
    desk.fake.enforce_limits(Some(Limits::telegram()));
    let outcome = burst(&desk, &group_of_category, options).await;
    desk.keep_logs(&format!("groups-{groups}-{}", lane.slug()));
    desk.clean_up().await;
    let mut drain = outcome?;
    drain.groups = groups;
    Ok(drain)
}

async fn burst(desk: &Desk, group_of_category: &[i64], options: &Options) -> anyhow::Result<Drain> {
    let bot = desk.start_bot().await?;
    let collector = Collector::start(&desk.fake, desk.main_group);
    let poster = Poster::new(vec![desk.webhook_url(bot.address)], &desk.secret);
    let clients: Vec<i64> = (0..options.tickets)
        .map(|i| {
            desk.fake.add_user(
                UserSpec::new(format!("Client{i:03}"))
                    .username(format!("client{i:03}"))
                    .language_code("en"),
            )
        })
        .collect();
    let index: HashMap<i64, usize> = clients.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let bodies: Vec<String> = clients
        .iter()
        .enumerate()
        .map(|(i, &client)| {
            desk.client_update(
                client,
                &Marker {
                    client: i as u32,
                    seq: 0,
                }
                .text(),
            )
        })
        .collect();
    let taps = Arc::new(Mutex::new(0usize));
    let tapper = tokio::spawn(tap_categories(
        desk.fake.clone(),
        poster.clone(),
        index,
        taps.clone(),
    ));

    let started = Instant::now();
    let mut posts = tokio::task::JoinSet::new();
    for body in bodies {
        let poster = poster.clone();
        posts.spawn(async move { poster.deliver(&body, Duration::from_secs(60)).await });
    }
    while let Some(posted) = posts.join_next().await {
        posted??;
    }
    let groups: HashSet<i64> = group_of_category.iter().copied().collect();
    let landed = wait_in_groups(
        &collector,
        &groups,
        options.tickets,
        Duration::from_secs(900),
    )
    .await;
    tapper.abort();
    let too_many_requests = desk.fake.too_many_requests_served();
    let problems = bot.problems_logged();
    bot.stop().await?;

    let mut per_group = Vec::new();
    let mut audits = Vec::new();
    let mut all_times: Vec<Instant> = Vec::new();
    for &group in group_of_category
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
    {
        let times: Vec<Instant> = collector.read(|l| {
            l.all
                .iter()
                .filter(|m| m.chat_id == group)
                .map(|m| m.at)
                .collect()
        });
        let count = times.len();
        let rate = crate::stats::pace_per_minute(&times, 20).unwrap_or(0.0);
        per_group.push((count, rate));
        all_times.extend(&times);
        let sent: BTreeMap<u32, u32> = (0..options.tickets)
            .filter(|i| group_of_category[i % CATEGORIES] == group)
            .map(|i| (i as u32, 1))
            .collect();
        audits.push(Audit::of_main_group(&desk.fake, group, &sent));
    }
    let (drained, misrouted) = collector.read(|l| {
        let copies: Vec<(&(i64, Marker), &Instant)> =
            l.first.iter().filter(|((chat, _), _)| *chat < 0).collect();
        let misrouted = copies
            .iter()
            .filter(|((chat, marker), _)| {
                *chat != group_of_category[marker.client as usize % CATEGORIES]
            })
            .count();
        (
            copies
                .iter()
                .map(|(_, at)| at.saturating_duration_since(started))
                .max(),
            misrouted,
        )
    });
    all_times.sort();
    let overall_rate = match (all_times.first(), all_times.last()) {
        (Some(first), Some(last)) if last > first => {
            all_times.len() as f64 / (*last - started.min(*first)).as_secs_f64() * 60.0
        }
        _ => 0.0,
    };
    let taps = *taps.lock().expect("poisoned");
    Ok(Drain {
        groups: 0,
        drained: if landed.is_ok() { drained } else { None },
        per_group,
        overall_rate,
        audits,
        misrouted,
        taps,
        too_many_requests,
        landed,
        problems,
        webhook: poster.counts.summary(),
    })
}

/// Taps a category as soon as a client is asked for one: client number i
/// takes the (i mod 3)-th button.
async fn tap_categories(
    fake: FakeTelegram,
    poster: Poster,
    index: HashMap<i64, usize>,
    taps: Arc<Mutex<usize>>,
) -> anyhow::Result<()> {
    let mut landed = fake.watch_bot_messages();
    let mut tapped: HashSet<i64> = HashSet::new();
    while let Some(message) = landed.recv().await {
        let Some(&i) = index.get(&message.chat_id) else {
            continue;
        };
        if tapped.contains(&message.chat_id) {
            continue;
        }
        let Some(question) = fake.message(message.chat_id, message.message_id) else {
            continue;
        };
        let buttons = question.buttons();
        if buttons.len() < CATEGORIES {
            continue;
        }
        tapped.insert(message.chat_id);
        let data = buttons[i % CATEGORIES].1.clone();
        let pressed = fake
            .user(message.chat_id)
            .presses(message.message_id, &data);
        let body = fake
            .take_update(pressed.update_id)
            .context("deliveries are held")?;
        *taps.lock().expect("poisoned") += 1;
        let poster = poster.clone();
        tokio::spawn(async move { poster.deliver(&body, Duration::from_secs(60)).await });
    }
    Ok(())
}

/// Waits until `count` client messages are in the groups.
async fn wait_in_groups(
    collector: &Collector,
    groups: &HashSet<i64>,
    count: usize,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let landed = collector.read(|l| {
            l.first
                .keys()
                .filter(|(chat, _)| groups.contains(chat))
                .count()
        });
        if landed >= count {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "only {landed} of {count} client messages landed within {timeout:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
