//! Bridged messages' writes, group-committed across chats.
//!
//! Every bridged message ends in one write: its deliveries, the event that
//! records it and (as its handler's last write) the done mark of its
//! update. Under a burst, dozens of handlers of different chats finish
//! together; their writes go in one statement and one commit, and each
//! handler still waits for its own. A lone write goes at once.
//!
//! The rows travel as one JSON document per table, unpacked by the
//! database (`jsonb_to_recordset`, `json_each`): the statement has one
//! shape whatever the number of rows, so it is prepared once per
//! connection. If a shared write fails, each of its writes is tried alone,
//! so one bad row never fails the handlers it happened to travel with.

use chrono::Utc;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement, TransactionTrait, Value,
};
use serde::Serialize;
use serde_json::Value as Json;

use crate::entities::{InboundStatus, OutboxStatus, events};
use crate::group_commit::GroupCommit;

/// One handler's write.
#[derive(Debug, Clone)]
pub(super) struct QueuedWrite {
    pub rows: Vec<QueuedRow>,
    pub event: EventRow,
    /// The update whose done mark rides along.
    pub done: Option<i64>,
}

/// An outbox row as the write's JSON carries it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct QueuedRow {
    pub lane_chat_id: i64,
    pub ticket_id: Option<i32>,
    pub action: Json,
    pub source_chat_id: Option<i64>,
    pub source_message_id: Option<i32>,
    pub media_group_id: Option<String>,
    pub dedup_key: String,
    pub status: &'static str,
}

/// An event row as the write's JSON carries it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct EventRow {
    pub ticket_id: Option<i32>,
    pub actor: String,
    pub action: String,
    pub payload: Json,
    pub search_text: Option<String>,
}

impl EventRow {
    /// The values of a new event (see `records::events::new_event`).
    pub fn of(event: events::ActiveModel) -> Self {
        use sea_orm::ActiveEnum;
        Self {
            ticket_id: event.ticket_id.try_as_ref().copied().flatten(),
            actor: event
                .actor
                .try_as_ref()
                .map(|actor| actor.to_value())
                .unwrap_or_default(),
            action: event.action.try_as_ref().cloned().unwrap_or_default(),
            payload: event.payload.try_as_ref().cloned().unwrap_or(Json::Null),
            search_text: event.search_text.try_as_ref().cloned().flatten(),
        }
    }
}

impl QueuedRow {
    pub fn status_of(held: bool) -> &'static str {
        if held {
            OutboxStatus::Held.as_str()
        } else {
            OutboxStatus::Pending.as_str()
        }
    }
}

/// Each write's own outcome: a shared write that fails is retried write
/// by write, and only the bad one fails.
pub(super) type QueueWriter = GroupCommit<QueuedWrite, Result<(), DbErr>, DbErr>;

pub(super) fn queue_writer(db: DatabaseConnection) -> QueueWriter {
    GroupCommit::start(move |writes: Vec<QueuedWrite>| {
        let db = db.clone();
        Box::pin(async move {
            match write(&db, &writes).await {
                Ok(()) => Ok(writes.iter().map(|_| Ok(())).collect()),
                Err(error) if writes.len() == 1 => Ok(vec![Err(error)]),
                Err(error) => {
                    tracing::debug!(%error, writes = writes.len(), "a shared write failed; writing each alone");
                    let mut outcomes = Vec::with_capacity(writes.len());
                    for one in writes {
                        outcomes.push(write(&db, std::slice::from_ref(&one)).await);
                    }
                    Ok(outcomes)
                }
            }
        })
    })
}

/// Writes `writes` atomically: one statement on PostgreSQL (the rows and
/// the done marks in CTEs), one transaction of three on SQLite (in-process:
/// no round trips to save, only commits).
async fn write(db: &DatabaseConnection, writes: &[QueuedWrite]) -> Result<(), DbErr> {
    let encode = |what: &str, value: serde_json::Result<String>| {
        value.map_err(|error| DbErr::Custom(format!("cannot encode the {what}: {error}")))
    };
    let rows = encode(
        "outbox rows",
        serde_json::to_string(&writes.iter().flat_map(|w| &w.rows).collect::<Vec<_>>()),
    )?;
    let events = encode(
        "events",
        serde_json::to_string(&writes.iter().map(|w| &w.event).collect::<Vec<_>>()),
    )?;
    let done: Vec<i64> = writes.iter().filter_map(|w| w.done).collect();
    let done = encode("done marks", serde_json::to_string(&done))?;
    let now = Utc::now();
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            db.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                POSTGRES_WRITE,
                [
                    Value::from(rows),
                    events.into(),
                    done.into(),
                    now.into(),
                    InboundStatus::Done.as_str().into(),
                ],
            ))
            .await?;
            Ok(())
        }
        backend => {
            let txn = db.begin().await?;
            let statement = |sql: &str, values: Vec<Value>| {
                Statement::from_sql_and_values(backend, sql, values)
            };
            txn.execute_raw(statement(SQLITE_ROWS, vec![rows.into(), now.into()]))
                .await?;
            txn.execute_raw(statement(SQLITE_EVENTS, vec![events.into(), now.into()]))
                .await?;
            if !writes.iter().all(|w| w.done.is_none()) {
                txn.execute_raw(statement(
                    SQLITE_DONE,
                    vec![InboundStatus::Done.as_str().into(), now.into(), done.into()],
                ))
                .await?;
            }
            txn.commit().await
        }
    }
}

/// `$1` the outbox rows, `$2` the events, `$3` the updates to mark done
/// (JSON), `$4` now, `$5` the done status. A row whose dedup key is there
/// already (a replayed update) is skipped. Data-modifying CTEs run whether
/// or not anything reads them. The done marks compare with `= ANY(ARRAY(…))`
/// on purpose: an `IN (SELECT …)` of the unpacked list is planned as a hash
/// join over the whole table (its size unknown at planning), 3 ms instead
/// of 0.07 at 20,000 rows.
const POSTGRES_WRITE: &str = " \
WITH queued AS ( \
 INSERT INTO outbox (lane_chat_id, ticket_id, action, source_chat_id, source_message_id, \
 media_group_id, dedup_key, status, attempts, created_at) \
 SELECT r.lane_chat_id, r.ticket_id, r.action, r.source_chat_id, r.source_message_id, \
 r.media_group_id, r.dedup_key, r.status, 0, $4 \
 FROM jsonb_to_recordset($1::text::jsonb) AS r(lane_chat_id bigint, ticket_id integer, \
 action jsonb, source_chat_id bigint, source_message_id integer, media_group_id text, \
 dedup_key text, status text) \
 ON CONFLICT (dedup_key) DO NOTHING), \
settled AS ( \
 UPDATE inbound_updates SET status = $5, processed_at = $4, attempts = attempts + 1 \
 WHERE update_id = ANY(ARRAY(SELECT jsonb_array_elements_text($3::text::jsonb)::bigint))) \
INSERT INTO events (ticket_id, actor, action, payload, ts, search_text) \
 SELECT e.ticket_id, e.actor, e.action, e.payload, $4, e.search_text \
 FROM jsonb_to_recordset($2::text::jsonb) AS e(ticket_id integer, actor text, action text, \
 payload jsonb, search_text text)";

/// `?1` the outbox rows (JSON), `?2` now. `WHERE true` keeps SQLite from
/// reading `ON CONFLICT` as part of the SELECT.
const SQLITE_ROWS: &str = " \
INSERT INTO outbox (lane_chat_id, ticket_id, action, source_chat_id, source_message_id, \
 media_group_id, dedup_key, status, attempts, created_at) \
 SELECT json_extract(value, '$.lane_chat_id'), json_extract(value, '$.ticket_id'), \
 json_extract(value, '$.action'), json_extract(value, '$.source_chat_id'), \
 json_extract(value, '$.source_message_id'), json_extract(value, '$.media_group_id'), \
 json_extract(value, '$.dedup_key'), json_extract(value, '$.status'), 0, ?2 \
 FROM json_each(?1) WHERE true ORDER BY key \
 ON CONFLICT (dedup_key) DO NOTHING";

/// `?1` the events (JSON), `?2` now.
const SQLITE_EVENTS: &str = " \
INSERT INTO events (ticket_id, actor, action, payload, ts, search_text) \
 SELECT json_extract(value, '$.ticket_id'), json_extract(value, '$.actor'), \
 json_extract(value, '$.action'), json_extract(value, '$.payload'), ?2, \
 json_extract(value, '$.search_text') \
 FROM json_each(?1) ORDER BY key";

/// `?1` the done status, `?2` now, `?3` the updates (JSON).
const SQLITE_DONE: &str = " \
UPDATE inbound_updates SET status = ?1, processed_at = ?2, attempts = attempts + 1 \
 WHERE update_id IN (SELECT value FROM json_each(?3))";

// The statements above are written out by hand; the test keeps them in
// step with the entities.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::outbox;
    use sea_orm::{EntityName, Iterable};

    #[test]
    fn the_handwritten_statements_name_every_column_the_tables_have() {
        let outbox_columns: Vec<String> = outbox::Column::iter()
            .map(|c| sea_orm::IdenStatic::as_str(&c).to_owned())
            .collect();
        for column in &outbox_columns {
            if ["id", "last_error", "not_before", "sent_at"].contains(&column.as_str()) {
                continue;
            }
            assert!(POSTGRES_WRITE.contains(column.as_str()), "{column}");
            assert!(SQLITE_ROWS.contains(column.as_str()), "{column}");
        }
        assert_eq!(outbox::Entity.table_name(), "outbox");
        for column in events::Column::iter() {
            let column = sea_orm::IdenStatic::as_str(&column);
            if column == "id" {
                continue;
            }
            assert!(POSTGRES_WRITE.contains(column), "{column}");
            assert!(SQLITE_EVENTS.contains(column), "{column}");
        }
    }
}
