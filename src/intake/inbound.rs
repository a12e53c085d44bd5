//! The inbound store: every update is written here before Telegram gets its
//! 200, and marked done only when its handlers finish. What is still pending
//! at start is replayed.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::ordering::OrderingKey;
use crate::entities::InboundStatus;
use crate::entities::inbound_updates::{self, Column, Entity as InboundUpdate};
use crate::records::handled;

/// Longest text kept from a handler error; enough to diagnose, small enough
/// that a pathological error cannot bloat the table.
const MAX_ERROR_LEN: usize = 2000;

/// How many pending rows are replayed per query at start.
const REPLAY_BATCH: u64 = 500;

#[derive(Clone)]
pub struct InboundStore {
    db: DatabaseConnection,
}

/// An update to store.
#[derive(Debug, Clone)]
pub struct NewUpdate {
    pub update_id: i64,
    pub payload: String,
    pub key: Option<OrderingKey>,
}

/// A stored update that has not finished yet.
#[derive(Debug, Clone)]
pub struct PendingUpdate {
    pub update_id: i64,
    pub payload: String,
    pub attempts: i32,
}

impl InboundStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Stores a raw update. Returns false when this update_id was stored
    /// before (a redelivery), in which case nothing changes.
    pub async fn insert(
        &self,
        update_id: i64,
        payload: &str,
        key: Option<OrderingKey>,
    ) -> Result<bool, DbErr> {
        let row = inbound_updates::ActiveModel {
            update_id: Set(update_id),
            payload: Set(payload.to_owned()),
            chat_id: Set(key.map(|(chat, _)| chat)),
            topic_id: Set(key.map(|(_, topic)| topic)),
            status: Set(InboundStatus::Pending),
            attempts: Set(0),
            received_at: Set(Utc::now()),
            ..Default::default()
        };
        let inserted = InboundUpdate::insert(row)
            .on_conflict(OnConflict::column(Column::UpdateId).do_nothing().to_owned())
            .exec_without_returning(&self.db)
            .await?;
        Ok(inserted == 1)
    }

    /// Stores several raw updates in one statement and one commit. Answers,
    /// for each, whether it is new: false for an update_id stored before (a
    /// redelivery) and for a repeat of an earlier one in the same batch.
    pub async fn insert_many(&self, updates: &[NewUpdate]) -> Result<Vec<bool>, DbErr> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        let now = Utc::now();
        let mut insert = Query::insert();
        insert.into_table(InboundUpdate).columns([
            Column::UpdateId,
            Column::Payload,
            Column::ChatId,
            Column::TopicId,
            Column::Status,
            Column::Attempts,
            Column::ReceivedAt,
        ]);
        for update in updates {
            insert.values_panic([
                update.update_id.into(),
                update.payload.clone().into(),
                update.key.map(|(chat, _)| chat).into(),
                update.key.map(|(_, topic)| topic).into(),
                InboundStatus::Pending.as_str().into(),
                0i32.into(),
                now.into(),
            ]);
        }
        insert
            .on_conflict(OnConflict::column(Column::UpdateId).do_nothing().to_owned())
            .returning_col(Column::UpdateId);
        let rows = self.db.query_all(&insert).await?;
        let mut stored = HashSet::with_capacity(rows.len());
        for row in rows {
            stored.insert(row.try_get_by_index::<i64>(0)?);
        }
        // `remove`: a second copy of the same update in this batch is a
        // duplicate like any redelivery.
        Ok(updates
            .iter()
            .map(|update| stored.remove(&update.update_id))
            .collect())
    }

    pub async fn is_pending(&self, update_id: i64) -> Result<bool, DbErr> {
        let row = InboundUpdate::find_by_id(update_id).one(&self.db).await?;
        Ok(row.is_some_and(|row| row.status == InboundStatus::Pending))
    }

    /// For each (ordering key, update_id) asked: the unfinished updates with
    /// that key older than that update_id. One statement answers all of
    /// them, so handlers starting together (a burst) share one round trip.
    pub async fn earlier_pending_many(
        &self,
        asked: &[(OrderingKey, i64)],
    ) -> Result<Vec<Vec<i64>>, DbErr> {
        let mut older_in_any = Condition::any();
        for ((chat, topic), update_id) in asked {
            older_in_any = older_in_any.add(
                Condition::all()
                    .add(Column::ChatId.eq(*chat))
                    .add(Column::TopicId.eq(*topic))
                    .add(Column::UpdateId.lt(*update_id)),
            );
        }
        let rows: Vec<(i64, Option<i64>, Option<i32>)> = InboundUpdate::find()
            .select_only()
            .columns([Column::UpdateId, Column::ChatId, Column::TopicId])
            .filter(Column::Status.eq(InboundStatus::Pending))
            .filter(older_in_any)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(asked
            .iter()
            .map(|((chat, topic), update_id)| {
                rows.iter()
                    .filter(|(id, row_chat, row_topic)| {
                        *row_chat == Some(*chat)
                            && row_topic.unwrap_or(0) == *topic
                            && id < update_id
                    })
                    .map(|(id, _, _)| *id)
                    .collect()
            })
            .collect())
    }

    /// The unfinished updates among `ids`.
    pub async fn pending_by_ids(&self, ids: Vec<i64>) -> Result<Vec<PendingUpdate>, DbErr> {
        let rows = InboundUpdate::find()
            .filter(Column::Status.eq(InboundStatus::Pending))
            .filter(Column::UpdateId.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| PendingUpdate {
                update_id: row.update_id,
                payload: row.payload,
                attempts: row.attempts,
            })
            .collect())
    }

    /// Every unfinished update, oldest first.
    pub async fn pending(&self) -> Result<Vec<PendingUpdate>, DbErr> {
        let mut pending = Vec::new();
        let mut after = i64::MIN;
        loop {
            let batch = InboundUpdate::find()
                .filter(Column::Status.eq(InboundStatus::Pending))
                .filter(Column::UpdateId.gt(after))
                .order_by_asc(Column::UpdateId)
                .limit(REPLAY_BATCH)
                .all(&self.db)
                .await?;
            let Some(last) = batch.last() else { break };
            after = last.update_id;
            let full = batch.len() as u64 == REPLAY_BATCH;
            pending.extend(batch.into_iter().map(|row| PendingUpdate {
                update_id: row.update_id,
                payload: row.payload,
                attempts: row.attempts,
            }));
            if !full {
                break;
            }
        }
        Ok(pending)
    }

    pub async fn mark_done(&self, update_id: i64) -> Result<(), DbErr> {
        self.mark_many_done(&[update_id]).await
    }

    /// Marks several finished updates done in one statement.
    pub async fn mark_many_done(&self, update_ids: &[i64]) -> Result<(), DbErr> {
        self.db.execute(&handled::done_marks(update_ids)).await?;
        Ok(())
    }

    /// Records a failed attempt; the update stays pending.
    pub async fn record_failure(&self, update_id: i64, error: &str) -> Result<(), DbErr> {
        InboundUpdate::update_many()
            .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
            .col_expr(Column::LastError, Expr::value(truncate(error)))
            .filter(Column::UpdateId.eq(update_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Counts an attempt before it starts, so an update that kills the
    /// process every time cannot be replayed forever.
    pub async fn record_attempt_start(&self, update_id: i64) -> Result<(), DbErr> {
        InboundUpdate::update_many()
            .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
            .filter(Column::UpdateId.eq(update_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Gives up on an update: it is kept, with its error, for a person to look at.
    pub async fn park(&self, update_id: i64, error: &str) -> Result<(), DbErr> {
        InboundUpdate::update_many()
            .col_expr(Column::Status, Expr::value(InboundStatus::Parked))
            .col_expr(Column::ProcessedAt, Expr::value(Utc::now()))
            .col_expr(Column::LastError, Expr::value(truncate(error)))
            .filter(Column::UpdateId.eq(update_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

fn truncate(error: &str) -> String {
    match error.char_indices().nth(MAX_ERROR_LEN) {
        Some((cut, _)) => format!("{}…", &error[..cut]),
        None => error.to_owned(),
    }
}
