//! Who is calling the web desk, and what they may do: the one place that
//! answers "may this caller see, answer, assign or close this ticket?".
//!
//! - an **admin** (ADMIN_IDS) sees and does everything;
//! - a **technician** (tg_user_id in TECH_GROUPS_MAPPING) sees tickets
//!   assigned to them and unassigned ones of their categories (a category
//!   whose CATEGORIES entry lists other technicians only is not theirs;
//!   one that lists none is everyone's), answers those, takes an
//!   unassigned one, and closes, prioritises, moves and puts on hold
//!   (waiting for the client) the ones they hold;
//! - an **API token** sees everything; with the `write` scope it also
//!   changes tickets, but it never manages tokens.

use sea_orm::ColumnTrait;
use sea_orm::sea_query::Condition;
use serde::Serialize;
use utoipa::ToSchema;

use crate::entities::api_tokens::TokenScope;
use crate::entities::{TicketStatus, tickets};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Technician,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Technician => "technician",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "admin" => Some(Role::Admin),
            "technician" => Some(Role::Technician),
            _ => None,
        }
    }
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Someone signed in through the Mini App.
    Person {
        tg_user_id: i64,
        name: String,
        username: Option<String>,
        role: Role,
        /// Their technician row, when they are one.
        tech_id: Option<i32>,
        /// The sign-in's refresh-token family.
        family: String,
        /// For a technician: the categories that are other technicians'
        /// (CATEGORIES lists technicians, and not them). Their unassigned
        /// tickets are not in this technician's view.
        other_categories: Vec<String>,
    },
    /// An integration with an API token.
    Token {
        id: i32,
        name: String,
        scope: TokenScope,
        /// The manager who created the token, who answers for its changes.
        created_by: i64,
    },
}

/// Why an action is not offered, as a code the Mini App words in its
/// language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    TicketClosed,
    NotYourTicket,
    AssignedToSomeoneElse,
    AdminsOnly,
    ReadOnlyToken,
    /// The client has not picked a category yet: the ticket has no topic.
    NotOpenYet,
    AlreadyWaiting,
    /// CATEGORIES is not set.
    NoCategories,
}

impl Refusal {
    /// The same in words, for API answers.
    pub fn detail(self) -> &'static str {
        match self {
            Refusal::TicketClosed => "the ticket is closed",
            Refusal::NotYourTicket => "technicians may only do this with tickets they hold",
            Refusal::AssignedToSomeoneElse => {
                "the ticket is assigned to someone else; technicians may only take unassigned tickets, for themselves"
            }
            Refusal::AdminsOnly => "only admins may do this",
            Refusal::ReadOnlyToken => "this API token has the read scope",
            Refusal::NotOpenYet => {
                "the client is still choosing a category; the ticket is not open yet"
            }
            Refusal::AlreadyWaiting => "the ticket already waits for the client",
            Refusal::NoCategories => "no categories are configured on this desk (CATEGORIES)",
        }
    }
}

pub type Permission = Result<(), Refusal>;

impl Principal {
    /// Sees the whole desk (admins and API tokens).
    pub fn sees_everything(&self) -> bool {
        match self {
            Principal::Person { role, .. } => *role == Role::Admin,
            Principal::Token { .. } => true,
        }
    }

    /// `read` or `write` for an API token.
    pub fn scope_name(&self) -> Option<&'static str> {
        match self {
            Principal::Token {
                scope: TokenScope::Read,
                ..
            } => Some("read"),
            Principal::Token {
                scope: TokenScope::Write,
                ..
            } => Some("write"),
            Principal::Person { .. } => None,
        }
    }

    pub fn is_admin_person(&self) -> bool {
        matches!(
            self,
            Principal::Person {
                role: Role::Admin,
                ..
            }
        )
    }

    /// The technician whose view this is, for a technician.
    pub fn technician(&self) -> Option<i32> {
        match self {
            Principal::Person {
                role: Role::Technician,
                tech_id,
                ..
            } => *tech_id,
            _ => None,
        }
    }

    /// Whose name goes on notes and marks: the person's, or the token's.
    pub fn display_name(&self) -> String {
        match self {
            Principal::Person { name, .. } => name.clone(),
            Principal::Token { name, .. } => format!("API: {name}"),
        }
    }

    /// The Telegram id recorded as the author of a change.
    pub fn acting_user_id(&self) -> i64 {
        match self {
            Principal::Person { tg_user_id, .. } => *tg_user_id,
            Principal::Token { created_by, .. } => *created_by,
        }
    }

    fn may_write(&self) -> Permission {
        match self {
            Principal::Token {
                scope: TokenScope::Read,
                ..
            } => Err(Refusal::ReadOnlyToken),
            _ => Ok(()),
        }
    }

    /// Categories whose unassigned tickets this caller does not see.
    fn other_categories(&self) -> &[String] {
        match self {
            Principal::Person {
                role: Role::Technician,
                other_categories,
                ..
            } => other_categories,
            _ => &[],
        }
    }

    /// Whether a ticket is in this caller's view at all.
    pub fn may_see(&self, ticket: &tickets::Model) -> bool {
        self.sees_ticket(ticket.assigned_tech_id, ticket.category.as_deref())
    }

    /// `may_see` from a ticket's holder and category alone.
    pub fn sees_ticket(&self, holder: Option<i32>, category: Option<&str>) -> bool {
        if self.sees_everything() {
            return true;
        }
        match (self.technician(), holder) {
            (_, None) => {
                category.is_none_or(|key| !self.other_categories().iter().any(|c| c == key))
            }
            (Some(me), Some(holder)) => me == holder,
            (None, Some(_)) => false,
        }
    }

    /// `may_see` as a condition on `tickets`; `None` when the caller sees
    /// every ticket.
    pub fn visible_tickets(&self) -> Option<Condition> {
        if self.sees_everything() {
            return None;
        }
        let mut unassigned = Condition::all().add(tickets::Column::AssignedTechId.is_null());
        let others = self.other_categories();
        if !others.is_empty() {
            unassigned = unassigned.add(
                Condition::any()
                    .add(tickets::Column::Category.is_null())
                    .add(tickets::Column::Category.is_not_in(others.iter().cloned())),
            );
        }
        let mut visible = Condition::any().add(unassigned);
        if let Some(me) = self.technician() {
            visible = visible.add(tickets::Column::AssignedTechId.eq(me));
        }
        Some(visible)
    }

    pub fn may_reply(&self, ticket: &tickets::Model) -> Permission {
        self.may_write()?;
        if !ticket.status.is_open() {
            return Err(Refusal::TicketClosed);
        }
        Ok(())
    }

    pub fn may_close(&self, ticket: &tickets::Model) -> Permission {
        self.may_write()?;
        if !ticket.status.is_open() {
            return Err(Refusal::TicketClosed);
        }
        if self.sees_everything() {
            return Ok(());
        }
        match (self.technician(), ticket.assigned_tech_id) {
            (Some(me), Some(holder)) if me == holder => Ok(()),
            _ => Err(Refusal::NotYourTicket),
        }
    }

    /// Changing what service levels hang on: the priority, the category,
    /// waiting for the client. Admins and write tokens on any open ticket,
    /// a technician on the tickets they hold — as in the topics, where a
    /// technician gives /priority, /category and /wait in their own.
    pub fn may_set_levels(&self, ticket: &tickets::Model) -> Permission {
        self.may_write()?;
        match ticket.status {
            TicketStatus::Closed => return Err(Refusal::TicketClosed),
            TicketStatus::Held => return Err(Refusal::NotOpenYet),
            _ => {}
        }
        if self.sees_everything() {
            return Ok(());
        }
        match (self.technician(), ticket.assigned_tech_id) {
            (Some(me), Some(holder)) if me == holder => Ok(()),
            _ => Err(Refusal::NotYourTicket),
        }
    }

    /// `to`: the technician it would go to; `None` asks whether the caller
    /// may assign the ticket to anyone at all (for the Mini App's buttons).
    pub fn may_assign(&self, ticket: &tickets::Model, to: Option<i32>) -> Permission {
        self.may_write()?;
        if !ticket.status.is_open() {
            return Err(Refusal::TicketClosed);
        }
        if self.sees_everything() {
            return Ok(());
        }
        let me = self.technician();
        if ticket.assigned_tech_id.is_some() {
            return Err(Refusal::AssignedToSomeoneElse);
        }
        match to {
            None => Ok(()),
            Some(to) if Some(to) == me => Ok(()),
            Some(_) => Err(Refusal::AssignedToSomeoneElse),
        }
    }

    pub fn may_switch_availability(&self) -> Permission {
        self.may_write()?;
        if self.sees_everything() {
            Ok(())
        } else {
            Err(Refusal::AdminsOnly)
        }
    }

    /// Writing knowledge-base articles: admins, and API tokens with the
    /// write scope; everyone signed in may read them.
    pub fn may_edit_articles(&self) -> Permission {
        self.may_write()?;
        if self.sees_everything() {
            Ok(())
        } else {
            Err(Refusal::AdminsOnly)
        }
    }

    /// Creating, listing and revoking API tokens: signed-in admins only, so
    /// a token can never mint another.
    pub fn may_manage_tokens(&self) -> Permission {
        if self.is_admin_person() {
            Ok(())
        } else {
            Err(Refusal::AdminsOnly)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::TicketStatus;

    fn ticket(tech: Option<i32>, status: TicketStatus) -> tickets::Model {
        tickets::Model {
            id: 1,
            client_tg_id: 5,
            status,
            main_chat_id: -100,
            main_thread_id: None,
            card_message_id: None,
            assigned_tech_id: tech,
            created_at: chrono::Utc::now(),
            first_response_at: None,
            closed_at: None,
            priority: Default::default(),
            category: None,
            first_response_due: None,
            resolution_due: None,
            waiting_since: None,
            first_response_warned_at: None,
            first_response_breached_at: None,
            resolution_warned_at: None,
            resolution_breached_at: None,
            close_reason: None,
            kb_held: false,
        }
    }

    fn tech(id: i32) -> Principal {
        Principal::Person {
            tg_user_id: 10,
            name: "Ivan".into(),
            username: None,
            role: Role::Technician,
            tech_id: Some(id),
            family: "f".into(),
            other_categories: vec!["billing".into()],
        }
    }

    #[test]
    fn a_technician_sees_their_own_and_unassigned_tickets_only() {
        let ivan = tech(1);
        assert!(ivan.may_see(&ticket(None, TicketStatus::New)));
        assert!(ivan.may_see(&ticket(Some(1), TicketStatus::Work)));
        assert!(!ivan.may_see(&ticket(Some(2), TicketStatus::Work)));
    }

    #[test]
    fn a_technician_does_not_see_unassigned_tickets_of_other_technicians_categories() {
        let ivan = tech(1);
        let mut billing = ticket(None, TicketStatus::New);
        billing.category = Some("billing".into());
        assert!(!ivan.may_see(&billing));
        billing.category = Some("tech".into());
        assert!(ivan.may_see(&billing));
        let mut held = ticket(Some(1), TicketStatus::Work);
        held.category = Some("billing".into());
        assert!(ivan.may_see(&held), "once assigned to them, any category");
        assert_eq!(ivan.may_set_levels(&held), Ok(()));
        assert_eq!(
            ivan.may_set_levels(&ticket(None, TicketStatus::New)),
            Err(Refusal::NotYourTicket)
        );
    }

    #[test]
    fn a_technician_closes_only_what_they_hold_and_takes_only_for_themselves() {
        let ivan = tech(1);
        assert_eq!(ivan.may_close(&ticket(Some(1), TicketStatus::Work)), Ok(()));
        assert_eq!(
            ivan.may_close(&ticket(None, TicketStatus::New)),
            Err(Refusal::NotYourTicket)
        );
        assert_eq!(
            ivan.may_assign(&ticket(None, TicketStatus::New), Some(1)),
            Ok(())
        );
        assert_eq!(
            ivan.may_assign(&ticket(None, TicketStatus::New), Some(2)),
            Err(Refusal::AssignedToSomeoneElse)
        );
        assert_eq!(ivan.may_switch_availability(), Err(Refusal::AdminsOnly));
    }

    #[test]
    fn a_read_token_sees_everything_and_changes_nothing() {
        let token = Principal::Token {
            id: 1,
            name: "crm".into(),
            scope: TokenScope::Read,
            created_by: 7,
        };
        let open = ticket(Some(2), TicketStatus::Work);
        assert!(token.may_see(&open));
        assert_eq!(token.may_reply(&open), Err(Refusal::ReadOnlyToken));
        assert_eq!(token.may_manage_tokens(), Err(Refusal::AdminsOnly));
    }
}
