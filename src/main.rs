//! Starts topicdesk: settings, logging, then the application until SIGTERM.

use std::process::ExitCode;

use topicdesk::config::Settings;
use topicdesk::startup::Application;
use topicdesk::telemetry;

fn main() -> ExitCode {
    // Before any thread exists: the runtime's threads are where arenas form.
    limit_malloc_arenas();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    // One worker unless the operator sets TOKIO_WORKER_THREADS (which tokio
    // reads only when no number is given here). The bot waits on Telegram,
    // the database and the store; its own CPU per message is about half a
    // millisecond. With a second worker, each message woke the idle one
    // across threads: at a steady 100 messages a second that cost 12 % more
    // CPU and a longer tail, and a burst went no faster (BENCHMARKS.md,
    // issue 14). The one CPU-heavy task, building the knowledge-base index,
    // runs on the blocking pool.
    if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
        runtime.worker_threads(1);
    }
    match runtime.enable_all().build() {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("topicdesk: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

/// glibc's malloc gives every thread that contends for it an arena of its
/// own (up to eight per core) and hands freed memory back to the system
/// late. SQLite runs a thread per pooled connection, and a 10,000-message
/// burst peaked at 94 MiB resident with the default, 61 MiB with two
/// arenas; with one, PostgreSQL's burst peaks at 38.9 MiB instead of 42.3
/// and SQLite's at 46.5 instead of 51.3, at the same throughput and CPU
/// (BENCHMARKS.md, issue 14). A MALLOC_ARENA_MAX set by the operator wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only tunes the allocator, and runs here before
        // any other thread could be allocating.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

async fn run() -> ExitCode {
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("topicdesk: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(
        settings.log_format,
        settings.log_filter.as_deref(),
        telemetry::stdout,
    );

    let application = match Application::build(settings).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "startup failed");
            eprintln!("topicdesk: startup failed: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "stopped with an error");
            eprintln!("topicdesk: {error:#}");
            ExitCode::FAILURE
        }
    }
}
