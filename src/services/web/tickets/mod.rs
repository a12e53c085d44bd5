//! Reading tickets for the web desk: the list with filters, search (the
//! same as /find) and cursor pagination, and one ticket with its timeline
//! from the events log and where each message landed (message links).

mod detail;
mod views;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::{Actor, Priority, TicketStatus, events, tickets};
use crate::services::manager::parse_find;
use crate::services::reports::{self, TicketRow};
use crate::services::web::WebDesk;
use crate::services::web::error::{WebError, WebResult};
use crate::services::web::principal::Principal;

pub use views::{
    Allowed, ClientView, FeedbackView, MessageLinkView, TechnicianRef, TicketDetail, TicketPage,
    TicketPermissions, TicketState, TicketView, TimelineEntry,
};

/// Tickets one page holds by default, and at most.
pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;
/// Search looks at the newest this many matches, like /find looks at 20.
const SEARCH_CAP: usize = 1000;
/// The chat id standing in for "written in the web desk": a web reply has
/// no Telegram original, so its copies are linked through (0, event id).
/// No Telegram chat has id 0.
pub const WEB_SOURCE_CHAT: i64 = 0;

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
