//! Database schema of topicdesk, as reversible SeaORM migrations.
//!
//! One schema serves PostgreSQL (production) and SQLite (a small team's
//! `cargo run`). Every migration has a `down()`, so `down` all the way and
//! `up` again always works.
//!
//! Conventions every migration follows:
//! - timestamps are `TIMESTAMPTZ` (`timestamp with time zone` on PostgreSQL,
//!   RFC 3339 text on SQLite) and are always written by the application in
//!   UTC, never defaulted by the database (SQLite's `CURRENT_TIMESTAMP` uses a
//!   different text format, which would break ordering);
//! - Telegram chat and user ids are `BIGINT`, message and topic (thread) ids
//!   are `INTEGER`;
//! - enum-like columns (`status`, `actor`) are `TEXT` holding the upper-case
//!   value of the matching SeaORM `ActiveEnum`;
//! - foreign keys are declared inside `CREATE TABLE`, because SQLite cannot
//!   add them later.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_users;
mod m20261122_000002_create_technicians;
mod m20261122_000003_create_tickets;
mod m20261122_000004_create_tech_threads;
mod m20261122_000005_create_feedback;
mod m20261122_000006_create_events;
mod m20261122_000007_create_message_links;
mod m20261122_000008_create_inbound_updates;
mod m20261122_000009_create_outbox;
mod m20261123_100000_add_technicians_available;
mod m20261123_100100_add_events_search_text;
mod m20261123_110000_create_sheet_reports;
mod m20261123_120000_add_inbound_updates_topic_id;
mod m20261130_090000_rename_tech_threads_to_mirrors;
mod m20261130_100000_add_users_banned;
mod m20261130_110000_add_service_levels;
mod m20261201_090000_add_daily_stats_first_responses;
mod m20261201_100000_create_web_access;
mod m20261202_090000_create_knowledge_base;
mod m20261203_090000_add_outbox_turns_index;

/// Where the database lives when `DATABASE_URL` is not set: a SQLite file
/// under `./data`, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/topicdesk.db?mode=rwc";

/// All migrations of topicdesk, in the order they apply.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_users::Migration),
            Box::new(m20261122_000002_create_technicians::Migration),
            Box::new(m20261122_000003_create_tickets::Migration),
            Box::new(m20261122_000004_create_tech_threads::Migration),
            Box::new(m20261122_000005_create_feedback::Migration),
            Box::new(m20261122_000006_create_events::Migration),
            Box::new(m20261122_000007_create_message_links::Migration),
            Box::new(m20261122_000008_create_inbound_updates::Migration),
            Box::new(m20261122_000009_create_outbox::Migration),
            Box::new(m20261123_100000_add_technicians_available::Migration),
            Box::new(m20261123_100100_add_events_search_text::Migration),
            Box::new(m20261123_110000_create_sheet_reports::Migration),
            Box::new(m20261123_120000_add_inbound_updates_topic_id::Migration),
            Box::new(m20261130_090000_rename_tech_threads_to_mirrors::Migration),
            Box::new(m20261130_100000_add_users_banned::Migration),
            Box::new(m20261130_110000_add_service_levels::Migration),
            Box::new(m20261201_090000_add_daily_stats_first_responses::Migration),
            Box::new(m20261201_100000_create_web_access::Migration),
            Box::new(m20261202_090000_create_knowledge_base::Migration),
            Box::new(m20261203_090000_add_outbox_turns_index::Migration),
        ]
    }
}

/// `url` with its password replaced by `***`, fit for logs.
///
/// ```
/// assert_eq!(
///     migration::redact_database_url("postgres://app:s3cret@db:5432/topicdesk"),
///     "postgres://app:***@db:5432/topicdesk"
/// );
/// assert_eq!(
///     migration::redact_database_url("sqlite://data/topicdesk.db?mode=rwc"),
///     "sqlite://data/topicdesk.db?mode=rwc"
/// );
/// ```
pub fn redact_database_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    // The last '@' ends the user info (a password may itself contain '@').
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_owned(),
    }
}

/// For a SQLite URL naming a file, the directory that file lives in (which
/// SQLite will not create by itself). `None` for other databases, in-memory
/// SQLite and files in the current directory.
///
/// ```
/// use std::path::Path;
/// assert_eq!(
///     migration::sqlite_parent_dir("sqlite://data/topicdesk.db?mode=rwc").as_deref(),
///     Some(Path::new("data"))
/// );
/// assert_eq!(migration::sqlite_parent_dir("sqlite::memory:"), None);
/// assert_eq!(migration::sqlite_parent_dir("postgres://localhost/db"), None);
/// ```
pub fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?;
    (!parent.as_os_str().is_empty()).then(|| parent.to_path_buf())
}
