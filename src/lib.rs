//! topicdesk: a Telegram helpdesk. Clients write to the bot privately, every
//! ticket becomes a forum topic in the support team's main group, and
//! technicians answer from mirrored topics in their own groups.
//!
//! `main.rs` only starts things; everything else lives here so the
//! integration tests can start exactly what production starts.

pub mod bot;
pub mod config;
pub mod database;
pub mod domain;
pub mod entities;
pub mod group_commit;
pub mod http;
pub mod intake;
pub mod jobs;
pub mod metrics;
pub mod outbox;
pub mod records;
pub mod retry;
pub mod schedule;
pub mod self_check;
pub mod services;
pub mod startup;
pub mod store;
pub mod telegram;
pub mod telemetry;
pub mod texts;
