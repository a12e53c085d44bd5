//! topicdesk: a Telegram helpdesk. Clients write to the bot privately, every
//! ticket becomes a forum topic in the support team's main group, and
//! technicians answer from mirrored topics in their own groups.
//!
//! `main.rs` only starts things; everything else lives here so the
//! integration tests can start exactly what production starts.

pub mod entities;
pub mod store;
