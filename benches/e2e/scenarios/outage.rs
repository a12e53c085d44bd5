//! A service taken away for 10 s in the middle of a burst, then given back
//! (services lane only):
//!
//! - `postgres`: the webhook must answer 503 while the database is down
//!   (Telegram then delivers again later), nothing may be lost once it is
//!   back, and the bot must recover by itself within 5 s;
//! - `redis`: /readyz must say the store is down, nothing may be lost, and
//!   the bot must recover by itself when Redis returns.
//!
//! The bot reaches the service through a [`Proxy`] that cuts every
//! connection and refuses new ones, so the machine's own PostgreSQL and
//! Redis keep running for everything else. The outage starts once a third
//! of the burst is accepted: the bot then has updates stored but not yet
//! processed and outbox rows not yet sent, which must survive.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::bot::problem_summary;
use crate::burst::{self, Burst};
use crate::checks::Audit;
use crate::desk::{Desk, Lane};
use crate::load::{Answer, Collector, Poster};
use crate::probe::{ReadyzProbe, ReadyzSample};
use crate::proxy::Proxy;
use crate::report::Report;
use crate::stats::secs;

pub struct Options {
    pub clients: usize,
    pub messages: u32,
    /// Webhook connections at once (Telegram's default max_connections).
    pub connections: usize,
    pub outage: Duration,
    /// The bot must be itself again this soon after the service returns.
    pub recover_within: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clients: 100,
            messages: 20,
            connections: 40,
            outage: Duration::from_secs(10),
            recover_within: Duration::from_secs(5),
        }
    }
}

/// Answers that started before the cut may still end after it (a write
/// that committed just in time is rightly a 200); from this long after the
/// cut on, every answer is one the bot gave without its service.
const CUT_GRACE: Duration = Duration::from_secs(1);

/// Waiting for the backlog ends once nothing has landed for this long:
/// longer than anything in the bot waits by design (a lane lock's 30 s TTL,
/// 30 s of patience for an earlier update of a chat).
const STALL: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Service {
    Postgres,
    Redis,
}

impl Service {
    /// The bot's variable that points at the service.
    fn var(self) -> &'static str {
        match self {
            Service::Postgres => "DATABASE_URL",
            Service::Redis => "REDIS_URL",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Service::Postgres => "PostgreSQL",
            Service::Redis => "Redis",
        }
    }
}

pub async fn run_postgres(
    lane: Lane,
    options: &Options,
    report: &mut Report,
) -> anyhow::Result<()> {
    let Some((outcome, logs)) = run_outage(lane, Service::Postgres, options, report).await? else {
        return Ok(());
    };
    let o = &outcome;
    o.report_common(options, report);
    let late = o.answers_between(o.down_at + CUT_GRACE, o.up_at);
    let other_5xx = o
        .answers
        .iter()
        .filter(|a| a.status.is_some_and(|s| s >= 500 && s != 503))
        .count();
    report.line(&format!(
        "5xx answers other than 503 over the whole run: {other_5xx}"
    ));
    o.report_tail(report, &logs);
    report.target(
        "503 while the database is down",
        late.unavailable > 0 && late.accepted == 0 && late.other.is_empty() && late.failed == 0,
        &format!("from {} s after the cut: {late}", CUT_GRACE.as_secs()),
    );
    o.target_nothing_lost(report);
    let webhook = o.first_accepted_after_up();
    let readyz = o.readyz_back();
    report.target(
        &format!("recovers within {} s", options.recover_within.as_secs()),
        webhook.is_some_and(|d| d <= options.recover_within)
            && readyz.is_some_and(|d| d <= options.recover_within),
        &format!(
            "first webhook 200 after {}, /readyz 200 after {}",
            secs(webhook),
            secs(readyz)
        ),
    );
    Ok(())
}

pub async fn run_redis(lane: Lane, options: &Options, report: &mut Report) -> anyhow::Result<()> {
    let Some((outcome, logs)) = run_outage(lane, Service::Redis, options, report).await? else {
        return Ok(());
    };
    let o = &outcome;
    o.report_common(options, report);
    o.report_tail(report, &logs);
    let while_down = o.readyz_while_down();
    let reported = !while_down.is_empty()
        && while_down
            .iter()
            .all(|s| s.status == Some(503) && s.body.to_lowercase().contains("redis"));
    report.target(
        "/readyz reports Redis down",
        reported,
        &format!(
            "{} of {} answers sent while it was down were 503 naming redis",
            while_down
                .iter()
                .filter(|s| s.status == Some(503) && s.body.to_lowercase().contains("redis"))
                .count(),
            while_down.len()
        ),
    );
    o.target_nothing_lost(report);
    let readyz = o.readyz_back();
    let delivered = o.everything_delivered_after_up();
    report.target(
        "recovers by itself",
        readyz.is_some_and(|d| d <= options.recover_within)
            && o.everything_landed.is_ok(),
        &format!(
            "/readyz 200 after {} (target {} s), everything delivered {} after Redis returned, without a restart",
            secs(readyz),
            options.recover_within.as_secs(),
            secs(delivered)
        ),
    );
    Ok(())
}

/// Runs the burst with `service` away for a while in the middle; `None`
/// (after saying so) in the embedded lane, which has neither service.
async fn run_outage(
    lane: Lane,
    service: Service,
    options: &Options,
    report: &mut Report,
) -> anyhow::Result<Option<(Outcome, PathBuf)>> {
    if lane != Lane::Services {
        report.heading(&format!(
            "{} stopped mid-burst, {}: not applicable",
            service.name(),
            lane.name()
        ));
        report.line(&format!(
            "this lane runs without {}; run with --lane services",
            service.name()
        ));
        return Ok(None);
    }
    let mut desk = Desk::open(lane).await?;
    desk.without_flood_limits();
    let outcome = burst_with_outage(&desk, service, options).await;
    let logs = desk.keep_logs(&format!(
        "{}-{}",
        service.name().to_lowercase(),
        lane.slug()
    ));
    desk.clean_up().await;
    let outcome = outcome?;
    report.heading(&format!(
        "{} stopped for {} s mid-burst, {}: {} clients × {} messages, {} connections",
        service.name(),
        options.outage.as_secs(),
        lane.name(),
        options.clients,
        options.messages,
        options.connections
    ));
    Ok(Some((outcome, logs)))
}

/// What a run with an outage showed, measured from outside the bot.
struct Outcome {
    service: Service,
    total: usize,
    accepted_before: usize,
    started: Instant,
    down_at: Instant,
    up_at: Instant,
    refused: u64,
    answers: Vec<Answer>,
    answer_summary: String,
    readyz: Vec<ReadyzSample>,
    /// First copy of a message in the main group after the service returned.
    first_landing_after_up: Option<Instant>,
    /// The last message's first copy in the main group.
    last_landing: Option<Instant>,
    everything_landed: Result<(), String>,
    audit: Audit,
    /// Where the first client out of order lost its order (see `trace`).
    order_trace: Vec<String>,
    problems: Vec<String>,
    stopped: Result<(), String>,
}

async fn burst_with_outage(
    desk: &Desk,
    service: Service,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let mut vars = desk.bot_vars();
    let (proxy, through_proxy) = Proxy::start_for_url(&vars[service.var()]).await?;
    vars.insert(service.var().to_owned(), through_proxy);
    let mut bot = desk.start_bot_with(&vars).await?;
    let clients = desk.add_clients(options.clients);
    let bodies = burst::bodies(desk, &clients, 0, options.messages);
    let total = options.clients * options.messages as usize;
    let collector = Collector::start(&desk.fake, desk.main_group);
    let poster = Poster::new(vec![desk.webhook_url(bot.address)], &desk.secret);
    let probe = ReadyzProbe::start(bot.address, Duration::from_millis(100));

    let started = Instant::now();
    let burst = Burst::start(
        &poster,
        bodies,
        options.connections,
        Duration::from_secs(300),
    );
    burst
        .wait_accepted(total / 3, Duration::from_secs(120))
        .await?;
    let accepted_before = burst.accepted();
    let down_at = Instant::now();
    proxy.go_down();
    tokio::time::sleep(options.outage).await;
    proxy.come_back();
    let up_at = Instant::now();
    if let Some(status) = bot.exit_status() {
        anyhow::bail!(
            "the bot exited while {} was away ({status}); see {}",
            service.name(),
            bot.log.display()
        );
    }
    burst.finish().await?;
    let everything_landed = collector
        .wait_while_arriving(total, STALL, Duration::from_secs(900))
        .await
        .map_err(|error| error.to_string());
    // Late second copies still count.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let readyz = probe.stop();
    let (first_landing_after_up, last_landing) = collector.read(|landed| {
        let in_main = || {
            landed
                .first
                .iter()
                .filter(|((chat, _), _)| *chat == desk.main_group)
                .map(|(_, at)| *at)
        };
        (in_main().filter(|at| *at >= up_at).min(), in_main().max())
    });
    let sent: BTreeMap<u32, u32> = (0..options.clients as u32)
        .map(|c| (c, options.messages))
        .collect();
    let audit = Audit::of_main_group(&desk.fake, desk.main_group, &sent);
    let order_trace = match audit.out_of_order_client {
        Some(client) => crate::trace::order_of(desk, clients[client as usize]).await,
        None => Vec::new(),
    };
    let problems = bot.problems_logged();
    let stopped = bot.stop().await.map_err(|error| format!("{error:#}"));
    Ok(Outcome {
        service,
        total,
        accepted_before,
        started,
        down_at,
        up_at,
        refused: proxy.refused(),
        answers: poster.answers(),
        answer_summary: poster.counts.summary(),
        readyz,
        first_landing_after_up,
        last_landing,
        everything_landed,
        audit,
        order_trace,
        problems,
        stopped,
    })
}

/// Webhook answers counted by kind.
#[derive(Default)]
struct Tally {
    accepted: usize,
    unavailable: usize,
    other: BTreeMap<u16, usize>,
    failed: usize,
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} × 200, {} × 503", self.accepted, self.unavailable)?;
        for (status, count) in &self.other {
            write!(f, ", {count} × {status}")?;
        }
        write!(f, ", {} connection failures", self.failed)
    }
}

impl Outcome {
    fn answers_between(&self, from: Instant, to: Instant) -> Tally {
        let mut tally = Tally::default();
        for answer in self.answers.iter().filter(|a| a.at >= from && a.at < to) {
            match answer.status {
                Some(200) => tally.accepted += 1,
                Some(503) => tally.unavailable += 1,
                Some(status) => *tally.other.entry(status).or_default() += 1,
                None => tally.failed += 1,
            }
        }
        tally
    }

    fn first_accepted_after_up(&self) -> Option<Duration> {
        self.answers
            .iter()
            .filter(|a| a.status == Some(200) && a.at >= self.up_at)
            .map(|a| a.at - self.up_at)
            .min()
    }

    /// When /readyz first answered 200 to a probe sent after the return.
    fn readyz_back(&self) -> Option<Duration> {
        self.readyz
            .iter()
            .filter(|s| s.sent >= self.up_at && s.status == Some(200))
            .map(|s| s.answered - self.up_at)
            .min()
    }

    /// Probes sent after the cut (with grace) and answered before the return.
    fn readyz_while_down(&self) -> Vec<&ReadyzSample> {
        self.readyz
            .iter()
            .filter(|s| s.sent >= self.down_at + CUT_GRACE && s.answered < self.up_at)
            .collect()
    }

    fn everything_delivered_after_up(&self) -> Option<Duration> {
        self.everything_landed.as_ref().ok()?;
        self.last_landing
            .map(|at| at.saturating_duration_since(self.up_at))
    }

    /// The lines both services report the same way.
    fn report_common(&self, options: &Options, report: &mut Report) {
        let name = self.service.name();
        report.line(&format!(
            "{name} went away with {} of {} messages accepted, {:.2} s into the burst; back {:.1} s later; the proxy refused {} connections meanwhile",
            self.accepted_before,
            self.total,
            (self.down_at - self.started).as_secs_f64(),
            (self.up_at - self.down_at).as_secs_f64(),
            self.refused
        ));
        report.line(&format!(
            "webhook answers while {name} was down: {} (from {} s after the cut: {})",
            self.answers_between(self.down_at, self.up_at),
            CUT_GRACE.as_secs(),
            self.answers_between(self.down_at + CUT_GRACE, self.up_at)
        ));
        let while_down = self.readyz_while_down();
        let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
        let mut said: Vec<&str> = Vec::new();
        for sample in &while_down {
            let status = sample
                .status
                .map_or("no answer".to_owned(), |s| s.to_string());
            *statuses.entry(status).or_default() += 1;
            if !said.contains(&sample.body.as_str()) {
                said.push(&sample.body);
            }
        }
        report.line(&format!(
            "/readyz while {name} was down: {} probes: {}",
            while_down.len(),
            statuses
                .iter()
                .map(|(status, count)| format!("{count} × {status}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for body in said.iter().take(3) {
            report.line(&format!("  it said: `{body}`"));
        }
        if said.len() > 3 {
            report.line(&format!("  … and {} other answers", said.len() - 3));
        }
        let refused = self.answers_between(self.down_at, self.up_at);
        let webhook = if refused.unavailable + refused.other.len() + refused.failed == 0 {
            "the webhook never refused a post".to_owned()
        } else {
            format!(
                "first webhook 200 after {}",
                secs(self.first_accepted_after_up())
            )
        };
        report.line(&format!(
            "after {name} came back (target: within {} s): {webhook}, /readyz 200 after {}, first copy in the main group after {}, everything delivered after {}",
            options.recover_within.as_secs(),
            secs(self.readyz_back()),
            secs(
                self.first_landing_after_up
                    .map(|at| at - self.up_at)
            ),
            secs(self.everything_delivered_after_up())
        ));
        if let Err(error) = &self.everything_landed {
            report.line(&format!(
                "at the end: {error}; the last copy landed {} after {name} came back",
                secs(
                    self.last_landing
                        .map(|at| at.saturating_duration_since(self.up_at))
                )
            ));
        }
        report.line(&format!("main group: {}", self.audit));
        if let Some(example) = &self.audit.out_of_order_example {
            report.line(&format!(
                "first client out of order, first copies in topic order: {example}"
            ));
        }
        for line in &self.order_trace {
            report.line(&format!("  {line}"));
        }
        report.line(&format!(
            "webhook answers, whole run: {}",
            self.answer_summary
        ));
    }

    fn report_tail(&self, report: &mut Report, logs: &std::path::Path) {
        report.line(&format!(
            "warnings/errors logged by the bot: {}",
            self.problems.len()
        ));
        for group in problem_summary(&self.problems).into_iter().take(8) {
            report.line(&format!("  {group}"));
        }
        match &self.stopped {
            Ok(()) => report.line("the bot stopped cleanly on SIGTERM afterwards"),
            Err(error) => report.line(&format!("the bot did not stop cleanly: {error}")),
        }
        report.line(&format!("bot log kept in {}", logs.display()));
    }

    fn target_nothing_lost(&self, report: &mut Report) {
        report.target(
            "nothing lost",
            self.audit.missing == 0 && self.everything_landed.is_ok(),
            &format!("{} of {} missing", self.audit.missing, self.total),
        );
        report.target(
            "every message once and in order",
            self.audit.is_clean(),
            &self.audit.to_string(),
        );
    }
}
