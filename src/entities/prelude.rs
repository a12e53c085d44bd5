//! The entity types under short names, and the enums stored in the tables.

pub use super::daily_stats::Entity as DailyStats;
pub use super::enums::{Actor, InboundStatus, OutboxStatus, Priority, TicketStatus};
pub use super::events::Entity as Events;
pub use super::feedback::Entity as Feedback;
pub use super::inbound_updates::Entity as InboundUpdates;
pub use super::kb_articles::Entity as KbArticles;
pub use super::kb_suggestions::Entity as KbSuggestions;
pub use super::message_links::Entity as MessageLinks;
pub use super::mirrors::Entity as Mirrors;
pub use super::outbox::Entity as Outbox;
pub use super::sheet_reports::Entity as SheetReports;
pub use super::technicians::Entity as Technicians;
pub use super::tickets::Entity as Tickets;
pub use super::users::Entity as Users;
