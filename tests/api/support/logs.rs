//! Reading what one application logs. Its runtime's threads get their own
//! subscriber, production's (bunyan JSON), writing into a buffer, so a test
//! sees every line its application wrote and none of another test's.

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::runtime::Builder;
use topicdesk::config::LogFormat;
use tracing::dispatcher::{DefaultGuard, Dispatch};
use tracing::subscriber::NoSubscriber;
use tracing_subscriber::fmt::MakeWriter;

/// Everything, not just what production logs by default: a secret must
/// not show at any level a user might turn on.
const FILTER: &str = "trace";

thread_local! {
    static CAPTURING: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

/// The lines an application logged, as bunyan JSON.
#[derive(Clone, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every thread of the runtime log here.
    pub fn attach(&self, runtime: &mut Builder) {
        // While only one dispatcher exists, tracing decides whether a
        // callsite is wanted by asking the thread that first reaches it: an
        // application whose logs are not captured would switch the
        // callsite off for this one too. A second, silent dispatcher kept
        // for the whole run makes tracing ask every dispatcher.
        static SILENT: OnceLock<Dispatch> = OnceLock::new();
        SILENT.get_or_init(|| Dispatch::new(NoSubscriber::default()));
        // teloxide and reqwest log through the `log` crate.
        topicdesk::telemetry::route_log_records();
        let dispatch = Dispatch::new(topicdesk::telemetry::subscriber(
            LogFormat::Json,
            Some(FILTER),
            self.clone(),
        ));
        runtime
            .on_thread_start(move || {
                let guard = tracing::dispatcher::set_default(&dispatch);
                CAPTURING.with(|slot| *slot.borrow_mut() = Some(guard));
            })
            .on_thread_stop(|| {
                CAPTURING.with(|slot| slot.borrow_mut().take());
            });
    }

    /// Everything logged so far, as written.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Every line logged so far.
    pub fn lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a bunyan JSON line"))
            .collect()
    }

    /// The lines at `level` (bunyan's numbers: 30 INFO, 40 WARN, 50 ERROR)
    /// whose message contains `msg`.
    pub fn at(&self, level: u64, msg: &str) -> Vec<Value> {
        self.lines()
            .into_iter()
            .filter(|line| line["level"] == level && message(line).contains(msg))
            .collect()
    }

    /// Waits for a line that `wanted` accepts; after `timeout`, panics with
    /// the last lines logged.
    pub async fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.lines().into_iter().find(|line| wanted(line)) {
                return line;
            }
            if Instant::now() >= deadline {
                let lines = self.lines();
                let tail: Vec<String> = lines
                    .iter()
                    .skip(lines.len().saturating_sub(40))
                    .map(Value::to_string)
                    .collect();
                panic!(
                    "timed out after {timeout:?} waiting for {what}; the last lines:\n{}",
                    tail.join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A line's message, without the `[SPAN - EVENT] ` bunyan puts in front
/// of events inside a span.
pub fn message(line: &Value) -> &str {
    let msg = line["msg"].as_str().unwrap_or_default();
    match msg.split_once(" - EVENT] ") {
        Some((span, rest)) if span.starts_with('[') => rest,
        _ => msg,
    }
}

pub const INFO: u64 = 30;
pub const WARN: u64 = 40;
pub const ERROR: u64 = 50;

pub struct Appender(Arc<Mutex<Vec<u8>>>);

impl Write for Appender {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CapturedLogs {
    type Writer = Appender;

    fn make_writer(&'a self) -> Appender {
        Appender(self.0.clone())
    }
}
