//! Small pure building blocks the services call: topic names, text
//! splitting and marking, the client card, button data. Nothing here touches
//! the network, the database or the clock, so every rule is tested right
//! next to its code.

pub mod calendar;
pub mod callback;
pub mod card;
pub mod category;
pub mod commands;
pub mod duration;
pub mod knowledge;
pub mod language;
pub mod limits;
pub mod passage;
pub mod rich_text;
pub mod sla;
pub mod text;
pub mod topic_title;
