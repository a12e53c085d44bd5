//! Service levels in the web desk: a ticket's SLA clocks as the API shows
//! them, the desk's categories and priorities (what the Mini App's
//! selectors offer), and the three changes — priority, category, waiting
//! for the client — which go through `TicketService` exactly as the card's
//! buttons and /priority, /category, /wait do (the ticket's lock, the card
//! edit and renames through the outbox, the events).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::Iterable;
use serde::Serialize;
use utoipa::ToSchema;

use super::WebDesk;
use super::actions::{actor_of, settled};
use super::error::{WebError, WebResult};
use super::principal::{Permission, Principal, Refusal};
use super::tickets::TicketDetail;
use crate::domain::language::Language;
use crate::entities::{Priority, TicketStatus, tickets};

/// One SLA clock of a ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaClockView {
    /// The target of the ticket's priority, in seconds of business time;
    /// null when SLA_POLICY gives that priority none.
    pub target_seconds: Option<f64>,
    /// When the clock runs out (moved later by time spent waiting for the
    /// client, for the resolution clock).
    pub due: Option<DateTime<Utc>>,
    /// When it stopped: the first answer that reached the client, or the
    /// closing.
    pub at: Option<DateTime<Utc>>,
    pub warned_at: Option<DateTime<Utc>>,
    pub breached_at: Option<DateTime<Utc>>,
    pub warned: bool,
    pub breached: bool,
    /// `none` (no target), `running`, `paused` (waiting for the client),
    /// `met`, or `breached`.
    pub state: String,
    /// Business time left until `due` while the clock runs or is paused,
    /// in seconds; negative once it is overdue. Null when it stopped.
    pub remaining_seconds: Option<f64>,
}

/// A ticket's service levels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaView {
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// The priority in the desk's language, as on the card.
    pub priority_label: String,
    pub first_response: SlaClockView,
    pub resolution: SlaClockView,
    /// Since when the ticket waits for the client (status `waiting`).
    pub waiting_since: Option<DateTime<Utc>>,
    /// Whether the clocks count business hours only (BUSINESS_HOURS).
    pub business_hours: bool,
}

/// A category of the desk, for selectors and labels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryView {
    pub key: String,
    /// The name in the desk's language (BOT_LANGUAGE).
    pub name: String,
    /// The name in every language the bot speaks, by language code.
    pub names: BTreeMap<String, String>,
    pub emoji: Option<String>,
    /// Emoji and name, as on the card.
    pub label: String,
    /// The priority its tickets start with.
    pub priority: String,
    /// Whether its topics open in a main group of its own.
    pub own_main_group: bool,
}

/// A priority, with its SLA targets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PriorityView {
    pub key: String,
    /// In the desk's language, with its emoji, as on the card.
    pub label: String,
    pub first_response_seconds: Option<f64>,
    pub resolution_seconds: Option<f64>,
    /// Share of a target after which staff are warned.
    pub warn_at: Option<f64>,
}

/// What the Mini App needs to render the desk's selectors.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskView {
    /// The desk's language code (BOT_LANGUAGE).
    pub language: String,
    /// CATEGORIES in their order; empty when the desk has none.
    pub categories: Vec<CategoryView>,
    /// Lowest first.
    pub priorities: Vec<PriorityView>,
    /// Whether SLA_POLICY is set.
    pub sla: bool,
    /// Whether the clocks count business hours only.
    pub business_hours: bool,
    /// WAITING_AUTO_CLOSE in seconds, when set.
    pub waiting_auto_close_seconds: Option<f64>,
}

/// A priority as a caller writes it (`low`, `normal`, `high`, `urgent`,
/// any case); 422 on `field` otherwise.
pub fn parse_priority(field: &'static str, value: &str) -> WebResult<Priority> {
    Priority::from_key(value)
        .ok_or_else(|| WebError::invalid(field, "expected low, normal, high or urgent"))
}

impl WebDesk {
    /// The desk's categories and priorities.
    pub fn desk_view(&self) -> DeskView {
        let desk = self.tickets.desk();
        let language = self.texts.language();
        let categories = desk
            .categories
            .iter()
            .map(|category| CategoryView {
                key: category.key.clone(),
                name: category.name(language).to_owned(),
                names: Language::ALL
                    .iter()
                    .map(|lang| (lang.code().to_owned(), category.name(*lang).to_owned()))
                    .collect(),
                emoji: category.emoji.clone(),
                label: category.label(language),
                priority: category
                    .priority
                    .as_deref()
                    .and_then(Priority::from_key)
                    .unwrap_or_default()
                    .key()
                    .to_owned(),
                own_main_group: category.main_group_id.is_some(),
            })
            .collect();
        let priorities = Priority::iter()
            .map(|priority| {
                let targets = desk.sla_targets(priority.key());
                PriorityView {
                    key: priority.key().to_owned(),
                    label: self.texts.priority_label(priority).to_owned(),
                    first_response_seconds: targets.map(|t| t.first_response.as_secs_f64()),
                    resolution_seconds: targets.map(|t| t.resolution.as_secs_f64()),
                    warn_at: targets.map(|t| t.warn_at),
                }
            })
            .collect();
        DeskView {
            language: language.code().to_owned(),
            categories,
            priorities,
            sla: desk.sla.is_some(),
            business_hours: !desk.calendar.is_always_open(),
            waiting_auto_close_seconds: desk.waiting_auto_close.map(|d| d.as_secs_f64()),
        }
    }

    /// The ticket's clocks at `now`.
    pub(super) fn sla_view(&self, ticket: &tickets::Model, now: DateTime<Utc>) -> SlaView {
        let desk = self.tickets.desk();
        let calendar = &desk.calendar;
        let targets = desk.sla_targets(ticket.priority.key());
        let left = |due: DateTime<Utc>, from: DateTime<Utc>| {
            if due >= from {
                calendar.between(from, due).as_secs_f64()
            } else {
                -calendar.between(due, from).as_secs_f64()
            }
        };
        let open = ticket.status.is_open();
        let waiting = ticket
            .waiting_since
            .filter(|_| ticket.status == TicketStatus::Waiting);

        let clock = |target: Option<f64>,
                     due: Option<DateTime<Utc>>,
                     at: Option<DateTime<Utc>>,
                     warned_at: Option<DateTime<Utc>>,
                     breached_at: Option<DateTime<Utc>>,
                     paused_since: Option<DateTime<Utc>>| {
            let (state, remaining) = match (due, at) {
                (None, _) => ("none", None),
                (Some(_), Some(_)) if breached_at.is_some() => ("breached", None),
                (Some(_), Some(_)) => ("met", None),
                (Some(_), None) if !open => ("met", None),
                (Some(due), None) => {
                    let (state, from) = match paused_since {
                        Some(since) => ("paused", since),
                        None => ("running", now),
                    };
                    let state = if breached_at.is_some() {
                        "breached"
                    } else {
                        state
                    };
                    (state, Some(left(due, from)))
                }
            };
            SlaClockView {
                target_seconds: target,
                due,
                at,
                warned_at,
                breached_at,
                warned: warned_at.is_some(),
                breached: breached_at.is_some(),
                state: state.to_owned(),
                remaining_seconds: remaining,
            }
        };
        SlaView {
            priority: ticket.priority.key().to_owned(),
            priority_label: self.texts.priority_label(ticket.priority).to_owned(),
            first_response: clock(
                targets.map(|t| t.first_response.as_secs_f64()),
                ticket.first_response_due,
                ticket.first_response_at,
                ticket.first_response_warned_at,
                ticket.first_response_breached_at,
                None,
            ),
            resolution: clock(
                targets.map(|t| t.resolution.as_secs_f64()),
                ticket.resolution_due,
                ticket.closed_at,
                ticket.resolution_warned_at,
                ticket.resolution_breached_at,
                waiting,
            ),
            waiting_since: waiting,
            business_hours: !calendar.is_always_open(),
        }
    }

    /// Whether the caller may move the ticket to another category.
    pub(super) fn may_move(&self, caller: &Principal, ticket: &tickets::Model) -> Permission {
        caller.may_set_levels(ticket)?;
        if self.tickets.desk().categories.is_empty() {
            return Err(Refusal::NoCategories);
        }
        Ok(())
    }

    pub(super) fn may_wait(caller: &Principal, ticket: &tickets::Model) -> Permission {
        caller.may_set_levels(ticket)?;
        if ticket.status == TicketStatus::Waiting {
            return Err(Refusal::AlreadyWaiting);
        }
        Ok(())
    }

    /// Checks that `key` names a category of the desk (422 on `field`).
    pub fn check_category(&self, field: &'static str, key: &str) -> WebResult<()> {
        let categories = &self.tickets.desk().categories;
        if categories.is_empty() {
            return Err(WebError::invalid(
                field,
                "no categories are configured on this desk (CATEGORIES)",
            ));
        }
        if self.tickets.desk().category(key).is_none() {
            let keys: Vec<&str> = categories.iter().map(|c| c.key.as_str()).collect();
            return Err(WebError::invalid(
                field,
                format!(
                    "no category has this key; expected one of {}",
                    keys.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// Sets the ticket's priority, as the card's priority buttons do.
    pub async fn set_priority(
        &self,
        caller: &Principal,
        ticket_id: i32,
        level: &str,
    ) -> WebResult<TicketDetail> {
        let priority = Priority::from_key(level)
            .ok_or_else(|| WebError::invalid("level", "expected low, normal, high or urgent"))?;
        let ticket = self.visible_ticket(caller, ticket_id).await?;
        caller.may_set_levels(&ticket)?;
        let change = self
            .tickets
            .set_priority(
                ticket_id,
                priority,
                actor_of(caller),
                &caller.display_name(),
            )
            .await?;
        settled(change, ticket_id)?;
        self.ticket_detail(caller, ticket_id).await
    }

    /// Moves the ticket to the category with `key`, as /category does
    /// (into that category's main group when it has its own).
    pub async fn set_category(
        &self,
        caller: &Principal,
        ticket_id: i32,
        key: &str,
    ) -> WebResult<TicketDetail> {
        let key = key.trim();
        self.check_category("key", key)?;
        let ticket = self.visible_ticket(caller, ticket_id).await?;
        self.may_move(caller, &ticket)?;
        let change = self
            .tickets
            .move_to_category(ticket_id, key, actor_of(caller), &caller.display_name())
            .await?;
        settled(change, ticket_id)?;
        self.ticket_detail(caller, ticket_id).await
    }

    /// The team waits for the client, as /wait does: ⏸ in the titles, the
    /// resolution clock paused until the client writes.
    pub async fn wait_for_client(
        &self,
        caller: &Principal,
        ticket_id: i32,
    ) -> WebResult<TicketDetail> {
        let ticket = self.visible_ticket(caller, ticket_id).await?;
        match Self::may_wait(caller, &ticket) {
            // Waiting already: asked twice, done once.
            Err(Refusal::AlreadyWaiting) => return self.ticket_detail(caller, ticket_id).await,
            other => other?,
        }
        let change = self
            .tickets
            .wait_for_client(ticket_id, actor_of(caller), &caller.display_name())
            .await?;
        settled(change, ticket_id)?;
        self.ticket_detail(caller, ticket_id).await
    }
}
