//! Logging: bunyan JSON for production, a pretty format for people at a
//! terminal. `RUST_LOG` filters; teloxide's `log` records are captured too.

use tracing::Subscriber;
use tracing::subscriber::set_global_default;
use tracing_bunyan_formatter::{BunyanFormattingLayer, JsonStorageLayer};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{EnvFilter, Registry, layer::SubscriberExt};

use crate::config::LogFormat;

const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn";

/// Installs the global subscriber. `filter` is RUST_LOG's value (from the
/// environment or .env); unset, empty or invalid means the default. Safe to
/// call more than once: later calls are ignored (tests start many
/// applications in one process).
pub fn init<W>(format: LogFormat, filter: Option<&str>, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    if set_global_default(subscriber(format, filter, writer)).is_ok() {
        route_log_records();
    }
}

/// The subscriber `init` installs, writing to `writer`. Tests give one to
/// an application's threads to read what it logs.
pub fn subscriber<W>(
    format: LogFormat,
    filter: Option<&str>,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = filter
        .filter(|f| !f.trim().is_empty())
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER));
    match format {
        LogFormat::Json => Box::new(
            Registry::default()
                .with(filter)
                .with(JsonStorageLayer)
                .with(BunyanFormattingLayer::new("topicdesk".into(), writer)),
        ),
        LogFormat::Pretty => Box::new(
            Registry::default()
                .with(filter)
                .with(tracing_subscriber::fmt::layer().with_writer(writer)),
        ),
    }
}

/// Routes the `log` crate (teloxide, sqlx) into tracing; once per process,
/// later calls do nothing.
pub fn route_log_records() {
    let _ = tracing_log::LogTracer::init();
}

/// Standard output, the sink for production.
pub fn stdout() -> Box<dyn std::io::Write + Send> {
    Box::new(std::io::stdout())
}

/// Discards everything; tests use it unless TEST_LOG is set.
pub fn sink() -> Box<dyn std::io::Write + Send> {
    Box::new(std::io::sink())
}
