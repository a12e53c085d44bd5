//! `cargo run -p migration -- [up|down|status|fresh|refresh|reset] [-u URL]`
//!
//! Applies topicdesk's migrations to the database named by `DATABASE_URL`
//! (read from the environment or an optional `.env`), or by `-u`. Without
//! either it uses the application's default, a SQLite file under `./data`,
//! so it works on a fresh machine with no configuration.

use std::process::ExitCode;

use migration::{DEFAULT_DATABASE_URL, Migrator, redact_database_url, sqlite_parent_dir};
use sea_orm_migration::cli;
use sea_orm_migration::sea_orm::Database;

fn main() -> ExitCode {
    // Before any thread exists: the CLI reads DATABASE_URL from the environment.
    dotenvy::dotenv().ok();
    let url = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            // SAFETY: single-threaded here; the async runtime starts below.
            unsafe { std::env::set_var("DATABASE_URL", DEFAULT_DATABASE_URL) };
            DEFAULT_DATABASE_URL.to_owned()
        }
    };
    let url = database_url_from_args().unwrap_or(url);

    if let Some(dir) = sqlite_parent_dir(&url)
        && let Err(err) = std::fs::create_dir_all(&dir)
    {
        eprintln!("cannot create {}: {err}", dir.display());
        return ExitCode::FAILURE;
    }
    let shown = redact_database_url(&url);
    eprintln!("database: {shown}");

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(cli::run_cli_with_connection(
        Migrator,
        move |mut options| async move {
            if options.get_url().starts_with("sqlite:") {
                // `fresh` turns SQLite's foreign keys off with a PRAGMA,
                // which holds for one connection only.
                options.max_connections(1);
            }
            match Database::connect(options).await {
                Ok(db) => Ok(db),
                Err(err) => {
                    // The CLI would panic with a backtrace; say it plainly.
                    eprintln!("cannot connect to {shown}: {err}");
                    std::process::exit(1);
                }
            }
        },
    ));
    ExitCode::SUCCESS
}

/// The URL given with `-u URL`, `--database-url URL` or `--database-url=URL`,
/// which the CLI prefers over `DATABASE_URL`.
fn database_url_from_args() -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-u" || arg == "--database-url" {
            return args.next();
        }
        if let Some(url) = arg.strip_prefix("--database-url=") {
            return Some(url.to_owned());
        }
    }
    None
}
