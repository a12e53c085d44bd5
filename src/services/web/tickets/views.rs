//! What the web desk shows of tickets: the shapes of the list, the
//! detail and its timeline, as the API serializes them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entities::{TicketStatus, technicians};
use crate::services::reports::TicketRow;
use crate::services::web::levels::SlaView;
use crate::services::web::principal::{Permission, Refusal};

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
    pub(in crate::services::web) fn from_row(
        row: TicketRow,
        matched_message: Option<String>,
    ) -> Self {
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
