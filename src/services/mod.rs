//! Business rules. Services never parse raw updates; handlers translate an
//! update into a service call.

pub mod technicians;
pub mod users;
