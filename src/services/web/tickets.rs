//! Reading tickets for the web desk: the list with filters, search (the
//! same as /find) and cursor pagination, and one ticket with its timeline
//! from the events log and where each message landed (message links).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::WebDesk;
use super::error::{WebError, WebResult};
use super::levels::SlaView;
use super::principal::{Permission, Principal, Refusal};
use crate::domain::card::topic_link;
use crate::entities::{
    Actor, Priority, TicketStatus, events, feedback, message_links, mirrors, technicians, tickets,
};
use crate::services::manager::parse_find;
use crate::services::reports::{self, TicketRow};

/// Tickets one page holds by default, and at most.
pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;
/// Search looks at the newest this many matches, like /find looks at 20.
const SEARCH_CAP: usize = 1000;
/// The chat id standing in for "written in the web desk": a web reply has
/// no Telegram original, so its copies are linked through (0, event id).
/// No Telegram chat has id 0.
pub const WEB_SOURCE_CHAT: i64 = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// No topic yet: the client is choosing a category.
    Held,
    New,
    Work,
    /// The team waits for the client.
    Waiting,
    Closed,
}

impl From<TicketStatus> for TicketState {
    fn from(status: TicketStatus) -> Self {
        match status {
            TicketStatus::Held => TicketState::Held,
            TicketStatus::New => TicketState::New,
            TicketStatus::Work => TicketState::Work,
            TicketStatus::Waiting => TicketState::Waiting,
            TicketStatus::Closed => TicketState::Closed,
        }
    }
}

/// `status=` of the list: one state, or every open one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Is(TicketStatus),
    Open,
}

impl StatusFilter {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value.to_ascii_lowercase().as_str() {
            "new" => StatusFilter::Is(TicketStatus::New),
            "work" => StatusFilter::Is(TicketStatus::Work),
            "waiting" => StatusFilter::Is(TicketStatus::Waiting),
            "held" => StatusFilter::Is(TicketStatus::Held),
            "closed" => StatusFilter::Is(TicketStatus::Closed),
            "open" => StatusFilter::Open,
            _ => return None,
        })
    }

    fn matches(self, status: TicketStatus) -> bool {
        match self {
            StatusFilter::Is(wanted) => status == wanted,
            StatusFilter::Open => status.is_open(),
        }
    }
}

/// `technician=`: a technician's id, or `none` for unassigned tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TechFilter {
    Id(i32),
    Unassigned,
}

#[derive(Debug, Clone, Default)]
pub struct TicketQuery {
    pub status: Option<StatusFilter>,
    pub technician: Option<TechFilter>,
    /// A category key (checked against CATEGORIES by the caller).
    pub category: Option<String>,
    pub priority: Option<Priority>,
    /// As /find reads it: `#12`, `@username`, a Telegram id, or words.
    pub q: Option<String>,
    /// Tickets older than this id (the previous page's `next_cursor`).
    pub before: Option<i32>,
    pub limit: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientView {
    pub tg_id: i64,
    pub name: Option<String>,
    pub username: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TechnicianRef {
    pub id: i32,
    pub name: String,
    pub username: Option<String>,
}

impl From<&technicians::Model> for TechnicianRef {
    fn from(tech: &technicians::Model) -> Self {
        Self {
            id: tech.id,
            name: tech.name.clone(),
            username: tech.username.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    pub id: i32,
    pub status: TicketState,
    pub client: ClientView,
    pub technician: Option<TechnicianRef>,
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The ticket's topic in the main group.
    pub topic_link: Option<String>,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// The category's key (see `GET /api/v1/desk`), when it has one.
    pub category: Option<String>,
    /// With `q`: the latest message that matched the words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_message: Option<String>,
}

impl TicketView {
    pub(super) fn from_row(row: TicketRow, matched_message: Option<String>) -> Self {
        Self {
            id: row.id,
            status: row.status.into(),
            client: ClientView {
                tg_id: row.client.tg_id,
                name: row.client.full_name,
                username: row.client.username,
            },
            technician: row.tech.as_ref().map(Into::into),
            created_at: row.created_at,
            first_response_at: row.first_response_at,
            closed_at: row.closed_at,
            topic_link: row.link,
            priority: row.priority.key().to_owned(),
            category: row.category,
            matched_message,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A cursor is opaque to callers; it holds the last id of a page.
pub fn encode_cursor(id: i32) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("before:{id}"))
}

pub fn decode_cursor(cursor: &str) -> Option<i32> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("before:")?
        .parse()
        .ok()
        .filter(|id| *id > 0)
}

/// Whether an action is allowed, and if not, why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Allowed {
    pub allowed: bool,
    pub reason: Option<Refusal>,
}

impl From<Permission> for Allowed {
    fn from(permission: Permission) -> Self {
        Self {
            allowed: permission.is_ok(),
            reason: permission.err(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketPermissions {
    pub reply: Allowed,
    pub assign: Allowed,
    pub close: Allowed,
    /// `POST …/priority`.
    pub priority: Allowed,
    /// `POST …/category`.
    pub category: Allowed,
    /// `POST …/wait`.
    pub wait: Allowed,
}

/// Where a copy of a message (or the message itself) is in Telegram.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageLinkView {
    /// `client`, `main` (the main topic) or `mirror` (a technician's topic).
    pub place: String,
    pub chat_id: i64,
    pub message_id: i32,
    /// A t.me link, for messages in the groups.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// The events log row.
    pub event_id: i32,
    pub at: DateTime<Utc>,
    /// `opened`, `message`, `note`, `specialist_call`, `edited`, `assigned`,
    /// `reassigned`, `closed`, `topic_recreated`, `client_blocked`,
    /// `delivery_failed`, or another event's name.
    pub kind: String,
    /// `client`, `staff`, `tech` or `system`.
    pub actor: String,
    pub author: Option<String>,
    /// For messages: `in` (from the client) or `out` (to the client).
    pub direction: Option<String>,
    pub text: Option<String>,
    /// What a message carries besides text: `photo`, `document`, …
    pub media: Option<String>,
    /// Written in the web desk rather than in Telegram.
    pub via_web: bool,
    /// For assignments and closing: the technician, or who closed it.
    pub detail: Option<String>,
    pub links: Vec<MessageLinkView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackView {
    pub speed: i16,
    pub quality: i16,
    pub politeness: i16,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub timeline: Vec<TimelineEntry>,
    pub feedback: Option<FeedbackView>,
    /// The ticket's service levels: its clocks and where they stand.
    pub sla: SlaView,
    pub permissions: TicketPermissions,
    /// Open the event stream from here to follow the ticket live.
    pub last_event_id: i32,
}

/// How an actor is named in the API.
pub(super) fn actor_name(actor: Actor) -> &'static str {
    match actor {
        Actor::Client => "client",
        Actor::Staff => "staff",
        Actor::Tech => "tech",
        Actor::System => "system",
    }
}

impl WebDesk {
    /// The ticket if the caller may see it; 404 otherwise, so a technician
    /// cannot even learn that another's ticket exists.
    pub(super) async fn visible_ticket(
        &self,
        caller: &Principal,
        id: i32,
    ) -> WebResult<tickets::Model> {
        match self.tickets.get(id).await? {
            Some(ticket) if caller.may_see(&ticket) => Ok(ticket),
            _ => Err(WebError::not_found(format!("no ticket #{id}"))),
        }
    }

    pub async fn list_tickets(
        &self,
        caller: &Principal,
        query: &TicketQuery,
    ) -> WebResult<TicketPage> {
        let limit = query.limit.clamp(1, MAX_LIMIT);
        let mut views = match query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) => self.search(caller, query, q, limit).await?,
            None => self.browse(caller, query, limit).await?,
        };
        let next_cursor = if views.len() as u64 > limit {
            views.truncate(limit as usize);
            views.last().map(|v| encode_cursor(v.id))
        } else {
            None
        };
        Ok(TicketPage {
            items: views,
            next_cursor,
        })
    }

    /// Newest first, `limit + 1` rows so the caller knows whether more follow.
    async fn browse(
        &self,
        caller: &Principal,
        query: &TicketQuery,
        limit: u64,
    ) -> WebResult<Vec<TicketView>> {
        let mut select = tickets::Entity::find();
        if let Some(category) = &query.category {
            select = select.filter(tickets::Column::Category.eq(category.clone()));
        }
        if let Some(priority) = query.priority {
            select = select.filter(tickets::Column::Priority.eq(priority));
        }
        match query.status {
            Some(StatusFilter::Is(status)) => {
                select = select.filter(tickets::Column::Status.eq(status));
            }
            Some(StatusFilter::Open) => {
                select = select.filter(tickets::Column::Status.ne(TicketStatus::Closed));
            }
            None => {}
        }
        match query.technician {
            Some(TechFilter::Id(id)) => {
                select = select.filter(tickets::Column::AssignedTechId.eq(id));
            }
            Some(TechFilter::Unassigned) => {
                select = select.filter(tickets::Column::AssignedTechId.is_null());
            }
            None => {}
        }
        if let Some(visible) = caller.visible_tickets() {
            select = select.filter(visible);
        }
        if let Some(before) = query.before {
            select = select.filter(tickets::Column::Id.lt(before));
        }
        let found = select
            .order_by_desc(tickets::Column::Id)
            .limit(limit + 1)
            .all(&self.db)
            .await?;
        Ok(reports::rows_for(&self.db, found)
            .await?
            .into_iter()
            .map(|row| TicketView::from_row(row, None))
            .collect())
    }

    async fn search(
        &self,
        caller: &Principal,
        query: &TicketQuery,
        q: &str,
        limit: u64,
    ) -> WebResult<Vec<TicketView>> {
        let find = parse_find(q).ok_or_else(|| {
            WebError::invalid(
                "q",
                "expected #number, @username, a Telegram id or words, as /find takes",
            )
        })?;
        let found = reports::find(&self.db, &find, SEARCH_CAP).await?;
        let tech_of = |row: &TicketRow| row.tech.as_ref().map(|t| t.id);
        Ok(found
            .tickets
            .into_iter()
            .filter(|found| {
                let row = &found.row;
                let holder = tech_of(row);
                caller.sees_ticket(holder, row.category.as_deref())
                    && query.status.is_none_or(|s| s.matches(row.status))
                    && query
                        .category
                        .as_deref()
                        .is_none_or(|c| row.category.as_deref() == Some(c))
                    && query.priority.is_none_or(|p| row.priority == p)
                    && query.technician.is_none_or(|t| match t {
                        TechFilter::Id(id) => holder == Some(id),
                        TechFilter::Unassigned => holder.is_none(),
                    })
                    && query.before.is_none_or(|before| row.id < before)
            })
            .take(limit as usize + 1)
            .map(|found| TicketView::from_row(found.row, found.message))
            .collect())
    }

    pub async fn ticket_detail(&self, caller: &Principal, id: i32) -> WebResult<TicketDetail> {
        let ticket = self.visible_ticket(caller, id).await?;
        let row = reports::rows_for(&self.db, vec![ticket.clone()])
            .await?
            .remove(0);
        let timeline = self.timeline(&ticket, &row).await?;
        let feedback = feedback::Entity::find()
            .filter(feedback::Column::TicketId.eq(id))
            .one(&self.db)
            .await?
            .map(|f| FeedbackView {
                speed: f.q1,
                quality: f.q2,
                politeness: f.q3,
                comment: f.comment,
                at: f.created_at,
            });
        let permissions = TicketPermissions {
            reply: caller.may_reply(&ticket).into(),
            assign: caller.may_assign(&ticket, None).into(),
            close: caller.may_close(&ticket).into(),
            priority: caller.may_set_levels(&ticket).into(),
            category: self.may_move(caller, &ticket).into(),
            wait: Self::may_wait(caller, &ticket).into(),
        };
        let sla = self.sla_view(&ticket, Utc::now());
        Ok(TicketDetail {
            ticket: TicketView::from_row(row, None),
            timeline,
            feedback,
            sla,
            permissions,
            last_event_id: self.newest_event_id().await?,
        })
    }

    async fn timeline(
        &self,
        ticket: &tickets::Model,
        row: &TicketRow,
    ) -> WebResult<Vec<TimelineEntry>> {
        let events = events::Entity::find()
            .filter(events::Column::TicketId.eq(ticket.id))
            .order_by_asc(events::Column::Id)
            .all(&self.db)
            .await?;
        let links = message_links::Entity::find()
            .filter(message_links::Column::TicketId.eq(ticket.id))
            .all(&self.db)
            .await?;
        let mirrors = mirrors::Entity::find()
            .filter(mirrors::Column::TicketId.eq(ticket.id))
            .all(&self.db)
            .await?;
        let techs: BTreeMap<i64, technicians::Model> = technicians::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.group_chat_id, t))
            .collect();
        let places = Places {
            ticket,
            mirrors: &mirrors,
        };
        let client_name = row
            .client
            .full_name
            .clone()
            .unwrap_or_else(|| row.client.tg_id.to_string());
        let mut timeline = Vec::with_capacity(events.len());
        for event in events {
            let text = |key: &str| {
                event
                    .payload
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let via_web = event.payload.get("via").and_then(Value::as_str) == Some("web");
            let source = event.payload.get("source").and_then(|s| {
                Some((
                    s.get("chat")?.as_i64()?,
                    s.get("message_id")?.as_i64()? as i32,
                ))
            });
            let source = if via_web {
                Some((WEB_SOURCE_CHAT, event.id))
            } else {
                source
            };
            let author = match event.actor {
                Actor::Client => Some(client_name.clone()),
                _ if via_web => text("author"),
                Actor::Tech => source
                    .and_then(|(chat, _)| techs.get(&chat))
                    .map(|t| t.name.clone()),
                _ => text("author"),
            };
            let mut entry = TimelineEntry {
                event_id: event.id,
                at: event.ts,
                kind: event.action.clone(),
                actor: actor_name(event.actor).to_owned(),
                author,
                direction: None,
                text: None,
                media: None,
                via_web,
                detail: None,
                links: Vec::new(),
            };
            match event.action.as_str() {
                "ticket_opened" => entry.kind = "opened".into(),
                "message_bridged" => {
                    entry.kind = "message".into();
                    entry.direction = Some(
                        if event.actor == Actor::Client {
                            "in"
                        } else {
                            "out"
                        }
                        .into(),
                    );
                    entry.text = text("text");
                    entry.media = text("kind").filter(|kind| kind != "text");
                    if let Some(source) = source {
                        entry.links = places.links_of(source, &links);
                    }
                }
                "internal_note" | "specialist_call" => {
                    if event.action == "internal_note" {
                        entry.kind = "note".into();
                    }
                    entry.text = text("text");
                    if let Some(source) = source {
                        entry.links = places.links_of(source, &links);
                    }
                }
                "assigned" | "reassigned" => entry.detail = text("tech"),
                "priority_changed" => {
                    entry.detail = text("to");
                    entry.author = text("by");
                }
                "category_changed" => {
                    entry.detail = text("to");
                    entry.author = text("by");
                }
                "category_chosen" => entry.detail = text("category"),
                "waiting" => entry.author = text("by"),
                "sla_warning" | "sla_breached" => entry.detail = text("clock"),
                "closed" => entry.detail = text("by"),
                // What failed may quote an outbox row; its kind is enough.
                "delivery_failed" => entry.detail = text("error"),
                _ => {}
            }
            timeline.push(entry);
        }
        Ok(timeline)
    }

    /// The newest event id committed now.
    pub async fn newest_event_id(&self) -> WebResult<i32> {
        let newest: Option<Option<i32>> = events::Entity::find()
            .select_only()
            .expr(events::Column::Id.max())
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(newest.flatten().unwrap_or(0))
    }
}

/// The places of one ticket: its client, main topic and mirrors.
struct Places<'a> {
    ticket: &'a tickets::Model,
    mirrors: &'a [mirrors::Model],
}

impl Places<'_> {
    fn link(&self, chat: i64, message_id: i32) -> Option<MessageLinkView> {
        if chat == WEB_SOURCE_CHAT {
            return None;
        }
        let (place, thread) = if chat == self.ticket.client_tg_id {
            ("client", None)
        } else if chat == self.ticket.main_chat_id {
            ("main", self.ticket.main_thread_id)
        } else {
            let mirror = self.mirrors.iter().rev().find(|m| m.chat_id == chat)?;
            ("mirror", mirror.thread_id)
        };
        let url = thread
            .and_then(|thread| topic_link(chat, thread))
            .map(|topic| format!("{topic}/{message_id}"));
        Some(MessageLinkView {
            place: place.into(),
            chat_id: chat,
            message_id,
            url,
        })
    }

    /// The original (when it is in Telegram) and every copy made of it.
    fn links_of(&self, source: (i64, i32), links: &[message_links::Model]) -> Vec<MessageLinkView> {
        let copies = links
            .iter()
            .filter(|l| (l.src_chat_id, l.src_message_id) == source)
            .map(|l| (l.dst_chat_id, l.dst_message_id));
        std::iter::once(source)
            .chain(copies)
            .filter_map(|(chat, id)| self.link(chat, id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        for junk in ["", "42", "!!", &encode_cursor(0)] {
            assert_eq!(decode_cursor(junk), None, "{junk}");
        }
    }
}
