//! What the web desk changes, through the services the bot uses: assigning
//! and closing through `TicketService` (its lock, outbox rows and events),
//! availability through `reports::set_available`, and a reply, which is
//! written here like the bridge writes a staff message: the text goes to
//! the client as the team's answer (the first one counts as the first
//! response), and into the main topic and the technician's topic marked
//! with the author's name, all through the outbox, in one transaction with
//! its `message_bridged` event.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;
use teloxide::types::{User, UserId};
use utoipa::ToSchema;

use super::WebDesk;
use super::error::{WebError, WebResult};
use super::principal::{Principal, Role};
use super::tickets::{TechnicianRef, TicketDetail, WEB_SOURCE_CHAT};
use crate::domain::text::with_author;
use crate::entities::{Actor, events};
use crate::outbox::{Delivery, RichText, Target, TextMessage};
use crate::records::events::strip_nul;
use crate::services::reports::{self, Availability, TechRef};
use crate::services::tickets::Change;

/// Longest reply, in characters (Telegram's 4096 per message; longer
/// replies go out in parts, but a wall of text is a mistake).
pub const REPLY_LIMIT: usize = 4 * 4096;

/// A reply written in the web desk, as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyReceipt {
    /// The `message_bridged` event of the reply.
    pub event_id: i32,
    pub ticket_id: i32,
    /// The places it is on its way to: `client`, `main`, and `mirror` when
    /// the ticket is assigned.
    pub destinations: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TechnicianView {
    #[serde(flatten)]
    pub technician: TechnicianRef,
    /// Listed in TECH_GROUPS_MAPPING.
    pub active: bool,
    /// Takes new tickets (/tech_on, /tech_off).
    pub available: bool,
    pub open_tickets: u64,
}

/// The author of a change as the ticket services want it: a Telegram user.
fn acting_user(caller: &Principal) -> User {
    User {
        id: UserId(caller.acting_user_id().max(0) as u64),
        is_bot: false,
        first_name: caller.display_name(),
        last_name: None,
        username: match caller {
            Principal::Person { username, .. } => username.clone(),
            Principal::Token { .. } => None,
        },
        language_code: None,
        is_premium: false,
        added_to_attachment_menu: false,
    }
}

pub(super) fn actor_of(caller: &Principal) -> Actor {
    match caller {
        Principal::Person {
            role: Role::Technician,
            ..
        } => Actor::Tech,
        _ => Actor::Staff,
    }
}

/// What a ticket service's answer means for the caller.
pub(super) fn settled(change: Change, ticket_id: i32) -> WebResult<()> {
    match change {
        Change::Done | Change::Unchanged => Ok(()),
        Change::Busy => Err(WebError::Conflict(format!(
            "someone is changing ticket #{ticket_id} right now: try again in a moment"
        ))),
        Change::TicketClosed => Err(WebError::Conflict(format!("ticket #{ticket_id} is closed"))),
        Change::UnknownTicket => Err(WebError::not_found(format!("no ticket #{ticket_id}"))),
        Change::UnknownTechnician => Err(WebError::invalid(
            "technician_id",
            "no such technician, or they take no new tickets",
        )),
        Change::UnknownCategory => Err(WebError::invalid("key", "no category has this key")),
    }
}

impl WebDesk {
    pub async fn assign(
        &self,
        caller: &Principal,
        ticket_id: i32,
        technician_id: i32,
    ) -> WebResult<TicketDetail> {
        let ticket = self.visible_ticket(caller, ticket_id).await?;
        caller.may_assign(&ticket, Some(technician_id))?;
        let change = self
            .tickets
            .assign(ticket_id, technician_id, &acting_user(caller))
            .await?;
        settled(change, ticket_id)?;
        self.ticket_detail(caller, ticket_id).await
    }

    pub async fn close(&self, caller: &Principal, ticket_id: i32) -> WebResult<TicketDetail> {
        let ticket = self.visible_ticket(caller, ticket_id).await?;
        caller.may_close(&ticket)?;
        let change = self
            .tickets
            .close(ticket_id, actor_of(caller), &caller.display_name())
            .await?;
        settled(change, ticket_id)?;
        self.ticket_detail(caller, ticket_id).await
    }

    /// Sends `text` to the client as the team, and into the ticket's topics
    /// marked with the caller's name.
    pub async fn reply(
        &self,
        caller: &Principal,
        ticket_id: i32,
        text: &str,
    ) -> WebResult<ReplyReceipt> {
        let text = text.trim();
        if text.is_empty() {
            return Err(WebError::invalid("text", "the reply is empty"));
        }
        if text.chars().count() > REPLY_LIMIT {
            return Err(WebError::invalid(
                "text",
                format!("at most {REPLY_LIMIT} characters"),
            ));
        }
        let ticket = self.visible_ticket(caller, ticket_id).await?;
        caller.may_reply(&ticket)?;
        let mirror = self.tickets.current_mirror(ticket_id).await?;
        let author = caller.display_name();
        let (marked, marks) = with_author(&author, text, &[]);

        let mut destinations = vec!["client".to_owned(), "main".to_owned()];
        if mirror.is_some() {
            destinations.push("mirror".to_owned());
        }
        let txn = self.db.begin().await?;
        let mut payload = json!({
            "via": "web",
            "author": author,
            "author_tg_id": caller.acting_user_id(),
            "kind": "text",
            "text": text,
            "destinations": destinations,
        });
        strip_nul(&mut payload);
        // The event comes first: its id names the reply, in the dedup keys
        // and as the stand-in source that links the copies to each other,
        // so a client's reply to the answer finds it in the topics.
        let event = events::ActiveModel {
            ticket_id: Set(Some(ticket_id)),
            actor: Set(actor_of(caller)),
            action: Set("message_bridged".to_owned()),
            payload: Set(payload),
            ts: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let source = Some((WEB_SOURCE_CHAT, event.id));
        let delivery =
            |lane: i64, target: Target, text: RichText, response: bool, key: &str| Delivery {
                lane,
                ticket_id: Some(ticket_id),
                action: TextMessage::new(target, text).as_response(response).into(),
                source,
                media_group_id: None,
                dedup_key: format!("web-reply:{}:{key}", event.id),
                held: false,
            };
        let marked = RichText {
            text: marked,
            entities: marks,
        };
        let mut deliveries = vec![
            delivery(
                ticket.client_tg_id,
                Target::Client {
                    user_id: ticket.client_tg_id,
                },
                RichText::plain(text),
                true,
                "client",
            ),
            delivery(
                ticket.main_chat_id,
                Target::Main { ticket_id },
                marked.clone(),
                false,
                "main",
            ),
        ];
        if let Some(mirror) = &mirror {
            deliveries.push(delivery(
                mirror.chat_id,
                Target::Mirror {
                    mirror_id: mirror.id,
                },
                marked,
                false,
                "mirror",
            ));
        }
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, event_id = event.id, "reply from the web desk");
        Ok(ReplyReceipt {
            event_id: event.id,
            ticket_id,
            destinations,
        })
    }

    pub async fn technicians(&self, _caller: &Principal) -> WebResult<Vec<TechnicianView>> {
        Ok(reports::technicians(&self.db)
            .await?
            .into_iter()
            .map(|load| TechnicianView {
                technician: (&load.tech).into(),
                active: load.tech.is_active,
                available: load.tech.available,
                open_tickets: load.open_tickets,
            })
            .collect())
    }

    pub async fn set_availability(
        &self,
        caller: &Principal,
        technician_id: i32,
        available: bool,
    ) -> WebResult<TechnicianView> {
        caller.may_switch_availability()?;
        let tech = match reports::set_available(
            &self.db,
            &self.store,
            &TechRef::Id(technician_id),
            available,
            caller.acting_user_id(),
        )
        .await?
        {
            Availability::Changed(tech) | Availability::Unchanged(tech) => tech,
            Availability::NotInMapping(tech) => {
                return Err(WebError::Conflict(format!(
                    "{} is not in TECH_GROUPS_MAPPING any more",
                    tech.name
                )));
            }
            Availability::Unknown => {
                return Err(WebError::not_found(format!(
                    "no technician {technician_id}"
                )));
            }
        };
        self.technicians(caller)
            .await?
            .into_iter()
            .find(|view| view.technician.id == tech.id)
            .ok_or_else(|| WebError::not_found(format!("no technician {technician_id}")))
    }
}
