//! The events log as a live feed: every `events` row the caller may see,
//! in id order, so that "everything after id N" is exactly what a client
//! that saw N has missed, on any instance.
//!
//! Ids are handed out when a row is inserted, but rows become visible when
//! their transaction commits, and that order can differ on PostgreSQL: id
//! 11 may be readable while id 10 is still on its way. A reader that moved
//! past 11 would never see 10. So the feed stops at a gap until it fills,
//! or until the row after it is [`GAP_GRACE`] old (the gap's transaction
//! rolled back; its id is never coming). Each instance reads the database;
//! nothing of it lives in one process.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use utoipa::ToSchema;

use super::WebDesk;
use super::error::WebResult;
use super::principal::Principal;
use super::tickets::actor_name;
use crate::entities::{events, tickets};

/// How long a gap in the ids is waited for before it is taken as a
/// rolled-back transaction. The desk's transactions last milliseconds.
pub const GAP_GRACE: chrono::Duration = chrono::Duration::seconds(5);
/// How often an instance looks for new events.
const POLL: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedEvent {
    /// The events log row: use it as `Last-Event-ID` to resume.
    pub id: i32,
    pub ticket_id: Option<i32>,
    /// `ticket_opened`, `message_bridged`, `assigned`, `closed`, …
    pub action: String,
    /// `client`, `staff`, `tech` or `system`.
    pub actor: String,
    pub at: DateTime<Utc>,
    pub payload: Value,
}

/// A step along the log.
#[derive(Debug, Clone)]
pub struct FeedBatch {
    /// The caller's events, in id order.
    pub events: Vec<FeedEvent>,
    /// Every id up to here is dealt with (sent or not the caller's).
    pub position: i32,
    /// Stopped at a gap that may still fill: look again soon.
    pub waiting_for_gap: bool,
    /// The page was full: more may follow at once.
    pub more: bool,
}

impl WebDesk {
    /// Publishes the newest event id every [`POLL`] until `shutdown`, so
    /// that open streams look at the database only when there is news.
    pub async fn watch_events(self, shutdown: CancellationToken) {
        loop {
            match self.newest_event_id().await {
                Ok(newest) => {
                    self.latest_event.send_if_modified(|seen| {
                        let changed = *seen != newest;
                        *seen = newest;
                        changed
                    });
                }
                Err(error) => tracing::warn!(error = %error, "could not read the newest event"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Changes whenever a newer event is committed.
    pub fn event_ticks(&self) -> watch::Receiver<i32> {
        self.latest_event.subscribe()
    }

    /// The caller's events after `after`, at most `limit` rows read.
    pub async fn events_after(
        &self,
        caller: &Principal,
        after: i32,
        limit: u64,
    ) -> WebResult<FeedBatch> {
        let rows = events::Entity::find()
            .filter(events::Column::Id.gt(after))
            .order_by_asc(events::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let more = rows.len() as u64 == limit;
        let holders = self.holders_of(caller, &rows).await?;
        let now = Utc::now();
        let mut batch = FeedBatch {
            events: Vec::new(),
            position: after,
            waiting_for_gap: false,
            more,
        };
        for row in rows {
            if row.id != batch.position + 1 && now - row.ts < GAP_GRACE {
                batch.waiting_for_gap = true;
                batch.more = false;
                break;
            }
            batch.position = row.id;
            if self.may_see_event(caller, &row, &holders) {
                batch.events.push(feed_event(row));
            }
        }
        Ok(batch)
    }

    /// For a caller who does not see everything: who holds the tickets
    /// these events are about.
    async fn holders_of(
        &self,
        caller: &Principal,
        rows: &[events::Model],
    ) -> WebResult<BTreeMap<i32, Holder>> {
        if caller.sees_everything() {
            return Ok(BTreeMap::new());
        }
        let ids: Vec<i32> = rows.iter().filter_map(|r| r.ticket_id).collect();
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        Ok(tickets::Entity::find()
            .select_only()
            .columns([
                tickets::Column::Id,
                tickets::Column::AssignedTechId,
                tickets::Column::Category,
            ])
            .filter(tickets::Column::Id.is_in(ids))
            .into_tuple::<(i32, Option<i32>, Option<String>)>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|(id, holder, category)| (id, (holder, category)))
            .collect())
    }

    fn may_see_event(
        &self,
        caller: &Principal,
        row: &events::Model,
        holders: &BTreeMap<i32, Holder>,
    ) -> bool {
        if caller.sees_everything() {
            return true;
        }
        let Some(ticket) = row.ticket_id else {
            return false;
        };
        holders
            .get(&ticket)
            .is_some_and(|(holder, category)| caller.sees_ticket(*holder, category.as_deref()))
    }
}

/// Who holds a ticket, and its category: what decides whether a
/// technician sees it.
type Holder = (Option<i32>, Option<String>);

fn feed_event(row: events::Model) -> FeedEvent {
    let mut payload = row.payload;
    // A failed delivery's row may quote a message (an API token's, say);
    // its error says what went wrong.
    if row.action == "delivery_failed"
        && let Some(fields) = payload.as_object_mut()
    {
        fields.remove("action");
    }
    FeedEvent {
        id: row.id,
        ticket_id: row.ticket_id,
        action: row.action,
        actor: actor_name(row.actor).to_owned(),
        at: row.ts,
        payload,
    }
}
