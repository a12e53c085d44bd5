//! Enums stored as upper-case `TEXT` (`"NEW"`, `"CLIENT"`, `"PENDING"`, ...).

use std::fmt;

use sea_orm::entity::prelude::*;

/// Where a ticket is in its life: `HELD` while it has no topic yet (the
/// client is choosing a category), `NEW` until a technician takes it, `WORK`
/// while someone is on it, `WAITING` while the team waits for the client,
/// `CLOSED` at the end. A client has at most one ticket that is not `CLOSED`
/// (a partial unique index guarantees it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum TicketStatus {
    #[sea_orm(string_value = "HELD")]
    Held,
    #[sea_orm(string_value = "NEW")]
    New,
    #[sea_orm(string_value = "WORK")]
    Work,
    #[sea_orm(string_value = "WAITING")]
    Waiting,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

impl TicketStatus {
    /// The value stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Held => "HELD",
            Self::New => "NEW",
            Self::Work => "WORK",
            Self::Waiting => "WAITING",
            Self::Closed => "CLOSED",
        }
    }

    /// `NEW` and `WORK` tickets are open.
    pub const fn is_open(self) -> bool {
        !matches!(self, Self::Closed)
    }
}

/// Who caused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Actor {
    /// The client who owns the ticket.
    #[sea_orm(string_value = "CLIENT")]
    Client,
    /// A technician, from their own group.
    #[sea_orm(string_value = "TECH")]
    Tech,
    /// Support staff in the main group, or a manager's admin command.
    #[sea_orm(string_value = "STAFF")]
    Staff,
    /// The bot itself (timeouts, retries, recovery).
    #[sea_orm(string_value = "SYSTEM")]
    System,
}

impl Actor {
    /// The value stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Client => "CLIENT",
            Self::Tech => "TECH",
            Self::Staff => "STAFF",
            Self::System => "SYSTEM",
        }
    }
}

/// Processing state of a stored Telegram update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum InboundStatus {
    /// Stored, not yet handled (or handling failed and will be retried).
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Handled.
    #[sea_orm(string_value = "DONE")]
    Done,
    /// Gave up after repeated failures; kept for inspection, not replayed.
    #[sea_orm(string_value = "PARKED")]
    Parked,
}

impl InboundStatus {
    /// The value stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Done => "DONE",
            Self::Parked => "PARKED",
        }
    }
}

macro_rules! display_as_str {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

/// Delivery state of an outbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum OutboxStatus {
    /// Waiting in its lane.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Delivered.
    #[sea_orm(string_value = "SENT")]
    Sent,
    /// Given up on (the error is kept); an event records it.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Kept back until its ticket opens (a client choosing a category):
    /// then it becomes `PENDING`, in its place in the lane.
    #[sea_orm(string_value = "HELD")]
    Held,
}

impl OutboxStatus {
    /// The value stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Sent => "SENT",
            Self::Failed => "FAILED",
            Self::Held => "HELD",
        }
    }
}

/// How urgent a ticket is; sets its SLA targets.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Default,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Priority {
    #[sea_orm(string_value = "LOW")]
    Low,
    #[default]
    #[sea_orm(string_value = "NORMAL")]
    Normal,
    #[sea_orm(string_value = "HIGH")]
    High,
    #[sea_orm(string_value = "URGENT")]
    Urgent,
}

impl Priority {
    /// The value stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Low => "LOW",
            Self::Normal => "NORMAL",
            Self::High => "HIGH",
            Self::Urgent => "URGENT",
        }
    }

    /// The key users write (`low`, `normal`, `high`, `urgent`).
    pub const fn key(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    /// The priority a user wrote, in any case.
    pub fn from_key(key: &str) -> Option<Self> {
        use sea_orm::Iterable;
        Self::iter().find(|p| p.key().eq_ignore_ascii_case(key.trim()))
    }
}

display_as_str!(TicketStatus, Actor, InboundStatus, OutboxStatus, Priority);

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    #[test]
    fn as_str_matches_the_stored_value() {
        for status in TicketStatus::iter() {
            assert_eq!(status.as_str(), status.to_value());
        }
        for actor in Actor::iter() {
            assert_eq!(actor.as_str(), actor.to_value());
        }
        for status in InboundStatus::iter() {
            assert_eq!(status.as_str(), status.to_value());
        }
        for status in OutboxStatus::iter() {
            assert_eq!(status.as_str(), status.to_value());
        }
        for priority in Priority::iter() {
            assert_eq!(priority.as_str(), priority.to_value());
            assert_eq!(Priority::from_key(priority.key()), Some(priority));
        }
    }
}
