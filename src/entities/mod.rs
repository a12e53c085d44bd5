//! SeaORM entities, one module per table (the schema itself lives in the
//! `migration` crate), plus the string enums stored in `status`/`actor`
//! columns.
//!
//! Timestamps are `DateTimeUtc` (`chrono::DateTime<Utc>`) on both backends.
//! Telegram chat and user ids are `i64`, message and topic ids `i32`.

pub mod enums;
pub mod prelude;

pub mod daily_stats;
pub mod events;
pub mod feedback;
pub mod inbound_updates;
pub mod kb_articles;
pub mod kb_suggestions;
pub mod message_links;
pub mod outbox;
pub mod sheet_reports;

pub mod api_tokens;
pub mod web_sessions;

pub mod mirrors;
pub mod technicians;
pub mod tickets;
pub mod users;

pub use enums::{Actor, InboundStatus, OutboxStatus, Priority, TicketStatus};
