//! Business rules. Services never parse raw updates; handlers translate an
//! update into a service call.

pub use error::{ServiceError, ServiceResult};

pub mod bridge;
pub mod daily_stats;
pub mod desk;
pub mod error;
pub mod housekeeping;
pub mod knowledge;
pub mod manager;
pub mod moderation;
pub mod planned;
pub mod planner;
pub mod reports;
pub mod sheets;
pub mod sla;
pub mod survey;
pub mod technicians;
pub mod tickets;
pub mod users;
pub mod web;
