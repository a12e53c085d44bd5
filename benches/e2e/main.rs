//! The end-to-end benchmark and fault runs: the release binary of the bot,
//! as a separate process, against the fake Telegram, with PostgreSQL +
//! Redis and with SQLite + the in-process store. Everything is measured
//! from outside the process: what the webhook answered, when each copy
//! landed in the fake, and the process's own numbers from /proc.
//!
//!     cargo bench --bench e2e -- [SCENARIO…] [--lane embedded|services|both]
//!
//! Scenarios: throughput, steady, limits (the benchmark); kill, postgres,
//! redis, replicas (the fault runs); telegram-outage, replicas-limits,
//! flood, groups (Telegram's bad minutes, shared limits, fair lanes and
//! several main groups); `all` runs every one. The default is the
//! benchmark on both lanes. See BENCHMARKS.md for the results.

mod bot;
mod burst;
mod checks;
mod costs;
mod desk;
mod load;
mod machine;
mod outbox;
mod probe;
mod proxy;
mod report;
mod scenarios;
mod stats;
mod trace;

use desk::Lane;
use report::Report;

const SCENARIOS: [&str; 11] = [
    "throughput",
    "steady",
    "limits",
    "kill",
    "postgres",
    "redis",
    "replicas",
    "telegram-outage",
    "replicas-limits",
    "flood",
    "groups",
];

struct Args {
    scenarios: Vec<String>,
    lanes: Vec<Lane>,
}

fn parse_args() -> Result<Args, String> {
    let mut scenarios = Vec::new();
    let mut lanes = vec![Lane::Services, Lane::Embedded];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // cargo bench passes --bench to every benchmark binary.
            "--bench" => {}
            "--lane" => {
                lanes = match args.next().as_deref() {
                    Some("embedded") => vec![Lane::Embedded],
                    Some("services") => vec![Lane::Services],
                    Some("both") => vec![Lane::Services, Lane::Embedded],
                    other => {
                        return Err(format!(
                            "--lane takes embedded, services or both, not {other:?}"
                        ));
                    }
                }
            }
            "all" => scenarios.extend(SCENARIOS.iter().map(|s| s.to_string())),
            name if SCENARIOS.contains(&name) => scenarios.push(name.to_owned()),
            other => {
                return Err(format!(
                    "unknown argument {other:?}; scenarios: {}, all; option: --lane embedded|services|both",
                    SCENARIOS.join(", ")
                ));
            }
        }
    }
    if scenarios.is_empty() {
        scenarios = vec!["throughput".into(), "steady".into(), "limits".into()];
    }
    Ok(Args { scenarios, lanes })
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(problem) => {
            eprintln!("e2e: {problem}");
            std::process::exit(2);
        }
    };
    let mut report = Report::new();
    println!("# topicdesk end-to-end run");
    println!();
    println!("- machine: {}", report::machine());
    println!(
        "- date: {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    let mut failed = false;
    for scenario in &args.scenarios {
        for &lane in &args.lanes {
            let started = std::time::Instant::now();
            let outcome = scenarios::run(scenario, lane, &mut report).await;
            report.line(&format!(
                "wall time of this run: {:.0} s",
                started.elapsed().as_secs_f64()
            ));
            if let Err(error) = outcome {
                failed = true;
                report.heading(&format!("{scenario}, {}: FAILED", lane.name()));
                report.line(&format!("{error:#}"));
            }
        }
    }
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-report.md");
    if std::fs::write(&out, report.markdown()).is_ok() {
        println!("\nreport written to {}", out.display());
    }
    if !report.missed().is_empty() {
        println!("\ntargets missed:");
        for missed in report.missed() {
            println!("- {missed}");
        }
    }
    if failed || !report.missed().is_empty() {
        std::process::exit(1);
    }
}
