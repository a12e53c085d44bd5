//! Telegram's limits enforced by the fake (30 messages/s overall, 20 a
//! minute into one group, 1 a second into one private chat): a burst of
//! clients, staff answering each of them once. What it shows: no 429s, the
//! main group's backlog draining at its ceiling, every message in order,
//! and answers to clients never waiting behind the main group.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_telegram::Limits;

use crate::checks::Audit;
use crate::desk::{Desk, Lane};
use crate::load::{Collector, Marker, Poster};
use crate::report::Report;
use crate::stats::{Percentiles, XorShift, ms};

/// The staff answer to client `c` is traced as message number 100 of `c`.
const ANSWER_SEQ: u32 = 100;

pub struct Options {
    pub clients: usize,
    pub messages: usize,
    /// Each client's messages arrive at random moments within this window.
    pub window: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clients: 50,
            messages: 4,
            window: Duration::from_secs(10),
        }
    }
}

pub async fn run(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let desk = Desk::open(lane).await?;
    desk.fake.enforce_limits(Some(Limits::telegram()));
    let bot = desk.start_bot().await?;
    let clients = desk.add_clients(options.clients);
    let collector = Collector::start(&desk.fake, desk.main_group);
    let poster = Poster::new(vec![desk.webhook_url(bot.address)], &desk.secret);

    let mut random = XorShift(0x5EED_1234_ABCD_0001);
    let mut schedule: Vec<(Duration, Marker, String)> = Vec::new();
    for (i, &client) in clients.iter().enumerate() {
        let mut offsets: Vec<Duration> = (0..options.messages)
            .map(|_| options.window.mul_f64(random.next_fraction()))
            .collect();
        offsets.sort();
        for (seq, offset) in offsets.into_iter().enumerate() {
            let marker = Marker {
                client: i as u32,
                seq: seq as u32,
            };
            schedule.push((offset, marker, desk.client_update(client, &marker.text())));
        }
    }
    schedule.sort_by_key(|(offset, marker, _)| (*offset, *marker));

    let answered_at: Arc<Mutex<HashMap<u32, Instant>>> = Default::default();
    let staff = tokio::spawn(answer_each_client_once(
        StaffContext {
            fake: desk.fake.clone(),
            main_group: desk.main_group,
            staff: desk.staff,
            poster: poster.clone(),
            clients: options.clients,
        },
        answered_at.clone(),
    ));

    let started = Instant::now();
    let mut posts = tokio::task::JoinSet::new();
    for (offset, marker, body) in schedule {
        tokio::time::sleep_until((started + offset).into()).await;
        let poster = poster.clone();
        posts.spawn(async move {
            poster.deliver(&body, Duration::from_secs(60)).await?;
            anyhow::Ok(marker)
        });
    }
    while let Some(done) = posts.join_next().await {
        done??;
    }
    let total = options.clients * options.messages;
    // At 20 a minute, the main group needs about 15 minutes for 50 tickets.
    collector.wait_for(total, Duration::from_secs(3600)).await?;
    staff.await??;
    let answers_deadline = Instant::now() + Duration::from_secs(60);
    let answered = answered_at.lock().expect("poisoned").clone();
    loop {
        let landed = collector.read(|l| {
            answered
                .keys()
                .filter(|c| {
                    l.first.contains_key(&(
                        clients[**c as usize],
                        Marker {
                            client: **c,
                            seq: ANSWER_SEQ,
                        },
                    ))
                })
                .count()
        });
        if landed == answered.len() || Instant::now() > answers_deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let too_many_requests = desk.fake.too_many_requests_served();
    let problems = bot.problems_logged();
    bot.stop().await?;

    // The main group: every message the bot put there, in landing order.
    let (main_times, copies_in_main, answer_waits, last_in_private) = collector.read(|l| {
        let main: Vec<Instant> = l
            .all
            .iter()
            .filter(|m| m.chat_id == desk.main_group)
            .map(|m| m.at)
            .collect();
        let copies = l
            .all
            .iter()
            .filter(|m| m.chat_id == desk.main_group)
            .filter(|m| m.text.as_deref().and_then(Marker::parse).is_some())
            .count();
        let waits: Vec<Duration> = answered
            .iter()
            .filter_map(|(c, posted)| {
                l.first
                    .get(&(
                        clients[*c as usize],
                        Marker {
                            client: *c,
                            seq: ANSWER_SEQ,
                        },
                    ))
                    .map(|at| at.saturating_duration_since(*posted))
            })
            .collect();
        let last_private = l.all.iter().filter(|m| m.chat_id > 0).map(|m| m.at).max();
        (main, copies, waits, last_private)
    });
    let main_count = main_times.len();
    let first_main = *main_times.first().unwrap_or(&started);
    let last_main = *main_times.last().unwrap_or(&started);
    // The first 20 go out at once (the window is empty); from the 21st on
    // the group drains at its ceiling, which is the rate that matters.
    let steady_rate = if main_count > 21 {
        (main_count - 21) as f64 / (last_main - main_times[20]).as_secs_f64() * 60.0
    } else {
        0.0
    };
    let topics = desk.fake.topics(desk.main_group).len();
    let sent: BTreeMap<u32, u32> = (0..options.clients as u32)
        .map(|c| (c, options.messages as u32))
        .collect();
    let audit = Audit::of_main_group(&desk.fake, desk.main_group, &sent);
    let waits = Percentiles::of(answer_waits.clone());

    report.heading(&format!(
        "Telegram's limits enforced, {}: {} clients × {} messages within {} s, staff answer each once",
        lane.name(),
        options.clients,
        options.messages,
        options.window.as_secs()
    ));
    report.line(&format!(
        "429 answers from the fake: **{too_many_requests}**"
    ));
    report.line(&format!(
        "main group: {main_count} messages from the bot ({topics} topics, {copies_in_main} client messages, {} cards and notes); the first landed after {:.1} s, the last after {:.1} s",
        main_count - copies_in_main - topics,
        (first_main - started).as_secs_f64(),
        (last_main - started).as_secs_f64()
    ));
    report.line(&format!(
        "main group drain rate from the 21st message on: **{steady_rate:.2} messages/minute** (ceiling 20)"
    ));
    report.line(&format!(
        "cost of a ticket in the main group: {:.1} messages ({:.1} of them client messages)",
        main_count as f64 / options.clients as f64,
        copies_in_main as f64 / options.clients as f64
    ));
    report.line(&format!(
        "last message into a client's chat after {:.1} s",
        last_in_private.map_or(0.0, |at| (at - started).as_secs_f64())
    ));
    report.line(&format!(
        "staff answer → client's chat: {waits} ({} of {} answers arrived)",
        answer_waits.len(),
        options.clients
    ));
    report.line(&format!("order: {audit}"));
    report.line(&format!("webhook answers: {}", poster.counts.summary()));
    report.line(&format!(
        "warnings/errors logged by the bot: {}",
        problems.len()
    ));
    report.target(
        "zero 429s",
        too_many_requests == 0,
        &too_many_requests.to_string(),
    );
    report.target(
        "main group drains within 5 % of 20/minute",
        (19.0..=21.0).contains(&steady_rate),
        &format!("{steady_rate:.2}/min"),
    );
    report.target(
        "every client answer within 2 s",
        answer_waits.len() == options.clients && waits.max <= Duration::from_secs(2),
        &format!("max {}", ms(waits.max)),
    );
    report.target(
        "every message once and in order",
        audit.is_clean(),
        &audit.to_string(),
    );
    desk.clean_up().await;
    Ok(())
}

struct StaffContext {
    fake: fake_telegram::FakeTelegram,
    main_group: i64,
    staff: i64,
    poster: Poster,
    clients: usize,
}

/// Staff answer a client as soon as the client's first message shows up in
/// its topic; records when each answer was posted.
async fn answer_each_client_once(
    ctx: StaffContext,
    answered_at: Arc<Mutex<HashMap<u32, Instant>>>,
) -> anyhow::Result<()> {
    let mut landed = ctx.fake.watch_bot_messages();
    let mut answers = tokio::task::JoinSet::new();
    let mut done = 0;
    while done < ctx.clients {
        let Some(message) = landed.recv().await else {
            anyhow::bail!("the fake stopped");
        };
        let (Some(thread), Some(marker)) = (
            message.thread_id,
            message.text.as_deref().and_then(Marker::parse),
        ) else {
            continue;
        };
        if message.chat_id != ctx.main_group || marker.seq == ANSWER_SEQ {
            continue;
        }
        if answered_at
            .lock()
            .expect("poisoned")
            .contains_key(&marker.client)
        {
            continue;
        }
        done += 1;
        let answer = Marker {
            client: marker.client,
            seq: ANSWER_SEQ,
        };
        let sent = ctx
            .fake
            .user(ctx.staff)
            .in_topic(ctx.main_group, thread)
            .text(&answer.text());
        let body = ctx
            .fake
            .take_update(sent.update_id)
            .expect("deliveries are held");
        answered_at
            .lock()
            .expect("poisoned")
            .insert(marker.client, Instant::now());
        let poster = ctx.poster.clone();
        answers.spawn(async move { poster.deliver(&body, Duration::from_secs(60)).await });
    }
    while let Some(done) = answers.join_next().await {
        done??;
    }
    Ok(())
}
