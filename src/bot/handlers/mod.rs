//! Handlers, one module per place the bot listens in. Each gathers the
//! facts of an update and makes one service call.

pub mod buttons;
pub mod client;
pub mod foreign;
pub mod main_group;
pub mod manager;
pub mod membership;
pub mod team;
pub mod tech_group;
