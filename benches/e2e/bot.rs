//! The bot under test as a separate process: the release binary, started
//! with the environment a user would give it, measured through /proc.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

/// The binary cargo built next to this benchmark.
const BOT_BINARY: &str = env!("CARGO_BIN_EXE_topicdesk");

/// Linux reports CPU times in clock ticks of 1/100 s on every platform we run.
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

pub struct BotProcess {
    child: Child,
    pid: u32,
    pub address: SocketAddr,
    pub log: PathBuf,
}

impl BotProcess {
    /// Starts the bot with `vars` (plus APP_HOST/APP_PORT on a free port) and
    /// waits until /readyz answers 200.
    pub async fn start(vars: &BTreeMap<String, String>, log_dir: &Path) -> anyhow::Result<Self> {
        let port = free_port()?;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let log = log_dir.join(format!("bot-{port}.log"));
        let log_file = std::fs::File::create(&log).context("creating the bot's log file")?;
        let mut command = Command::new(BOT_BINARY);
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(vars)
            .env("APP_HOST", "127.0.0.1")
            .env("APP_PORT", port.to_string())
            // The working directory holds no .env: only `vars` count.
            .current_dir(log_dir)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .kill_on_drop(true);
        let child = command
            .spawn()
            .with_context(|| format!("starting {BOT_BINARY}"))?;
        let pid = child.id().context("the bot exited at once")?;
        let mut bot = BotProcess {
            child,
            pid,
            address,
            log,
        };
        bot.wait_ready(Duration::from_secs(60)).await?;
        Ok(bot)
    }

    async fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let http = reqwest::Client::builder().no_proxy().build()?;
        let url = format!("http://{}/readyz", self.address);
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the bot exited with {status} before it was ready; see {}",
                    self.log.display()
                );
            }
            if let Ok(response) = http.get(&url).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "the bot was not ready within {timeout:?}; see {}",
                    self.log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Peak resident set size so far (VmHWM), in bytes.
    pub fn peak_rss_bytes(&self) -> u64 {
        read_status_kb(self.pid, "VmHWM:") * 1024
    }

    /// User + system CPU time so far, in seconds.
    pub fn cpu_seconds(&self) -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) else {
            return 0.0;
        };
        // Fields after the parenthesised command name; utime and stime are
        // the 14th and 15th fields of the whole line.
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (ticks(11) + ticks(12)) / CLOCK_TICKS_PER_SECOND
    }

    /// How the process ended, if it has ended by itself (a crash, a panic,
    /// giving up on a lost database): the fault runs check it is still up.
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// SIGKILL: the process vanishes mid-work, as in a crash or an OOM kill.
    pub async fn kill_hard(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// SIGTERM, then waits for the exit; fails unless it exits 0 in time.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .context("running kill -TERM")?;
        if !status.success() {
            bail!("kill -TERM {} failed", self.pid);
        }
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .context("the bot did not stop within 30 s of SIGTERM")??;
        if !exit.success() {
            bail!("the bot stopped with {exit}; see {}", self.log.display());
        }
        Ok(())
    }

    /// Lines of the bot's log at WARN or worse, for the report.
    pub fn problems_logged(&self) -> Vec<String> {
        problems_in(&self.log)
    }
}

/// Lines at WARN or worse in a bot's log file; also for a process that is
/// gone (killed), whose log stays behind.
pub fn problems_in(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains("\"level\":40") || line.contains("\"level\":50"))
        .map(str::to_owned)
        .collect()
}

fn read_status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

/// Problem lines grouped by their message, most frequent first, each with
/// the first error it carried: `12 × cannot store an update… (e.g. …)`.
pub fn problem_summary(lines: &[String]) -> Vec<String> {
    let mut groups: BTreeMap<String, (usize, Option<String>)> = BTreeMap::new();
    for line in lines {
        let parsed: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        let message = parsed["msg"].as_str().unwrap_or(line).to_owned();
        let error = parsed["error"].as_str().map(str::to_owned);
        let group = groups.entry(message).or_default();
        group.0 += 1;
        if group.1.is_none() {
            group.1 = error;
        }
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    groups
        .into_iter()
        .map(|(message, (count, error))| match error {
            Some(error) => format!("{count} × {message} (e.g. {error})"),
            None => format!("{count} × {message}"),
        })
        .collect()
}
