//! Business rules. Services never parse raw updates; handlers translate an
//! update into a service call.

pub mod bridge;
pub mod reports;
pub mod sheets;
pub mod survey;
pub mod technicians;
pub mod tickets;
pub mod users;
