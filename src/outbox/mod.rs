//! The outbox: everything the bot owes Telegram, as rows queued per
//! destination chat ("lane").
//!
//! Services decide *what* must be sent and write it here, in the same
//! transaction as the state change that caused it. The delivery engine
//! (`engine`) sends each lane in order, within Telegram's rate limits, so a
//! busy main group never holds up an answer to a client, and a crash loses
//! nothing: pending rows are sent after restart. Each row carries a unique
//! dedup key, so a replayed update enqueues nothing twice.

mod action;
mod engine;
mod executor;
mod history;
mod knowledge;
mod lane;
mod lane_read;
mod overlap;
mod places;
mod queue_writer;
mod requests;
mod sent;
mod settle;

pub use action::{Action, Delivery, ReplyTo, RichText, Target, TextMessage};
pub use engine::DeliveryEngine;
pub use executor::Executor;
pub use knowledge::{CardContent, DeskKnowledge};

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::sea_query::{InsertStatement, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryTrait,
};
use tokio::sync::mpsc;

use crate::entities::OutboxStatus;
use crate::entities::{events, outbox};
use crate::records::handled;
use queue_writer::{EventRow, QueueWriter, QueuedRow, QueuedWrite, queue_writer};

/// Writes deliveries and wakes their lanes.
#[derive(Clone)]
pub struct Outbox {
    wake: mpsc::UnboundedSender<i64>,
    /// Bridged messages' writes, shared by the handlers finishing together.
    queue_writer: QueueWriter,
}

impl Outbox {
    /// The handle handlers use, and the receiver the engine listens on.
    /// Starts the writer of bridged messages on `db`.
    pub fn new(db: DatabaseConnection) -> (Outbox, mpsc::UnboundedReceiver<i64>) {
        let (wake, receiver) = mpsc::unbounded_channel();
        let outbox = Outbox {
            wake,
            queue_writer: queue_writer(db),
        };
        (outbox, receiver)
    }

    /// The ticket whose copies of `source` are still owed: queued, held, or
    /// sent a moment ago with their links not yet written (a row is marked
    /// sent together with its links). `None` once they are all settled.
    pub async fn ticket_still_copying<C: ConnectionTrait>(
        &self,
        conn: &C,
        source: (i64, i32),
    ) -> Result<Option<i32>, DbErr> {
        let row = outbox::Entity::find()
            .filter(outbox::Column::Status.is_in([OutboxStatus::Pending, OutboxStatus::Held]))
            .filter(outbox::Column::SourceChatId.eq(source.0))
            .filter(outbox::Column::SourceMessageId.eq(source.1))
            .one(conn)
            .await?;
        Ok(row.and_then(|row| row.ticket_id))
    }

    /// Inserts deliveries on `conn` (usually the transaction that made the
    /// state change). Returns the lanes to wake once it is committed.
    pub async fn insert<C: ConnectionTrait>(
        &self,
        conn: &C,
        deliveries: Vec<Delivery>,
    ) -> Result<Lanes, DbErr> {
        let (rows, lanes) = rows_of(deliveries)?;
        if let Some(insert) = insert_statement(rows) {
            // One statement for all of them: a message bridged to two places
            // costs one round trip, not two.
            conn.execute(&insert).await?;
        }
        Ok(lanes)
    }

    /// Inserts deliveries and the event that records why, atomically, with
    /// the done mark of the update being handled when `last_write` (see
    /// `records::handled`: only a handler's last write may carry it). This
    /// is every bridged message's write: the writes of handlers finishing
    /// together share one statement and one commit (`queue_writer`), and
    /// this returns once its own is committed.
    pub async fn insert_with_event(
        &self,
        deliveries: Vec<Delivery>,
        event: events::ActiveModel,
        last_write: bool,
    ) -> Result<Lanes, DbErr> {
        let mut lanes = BTreeSet::new();
        let mut rows = Vec::with_capacity(deliveries.len());
        for delivery in deliveries {
            lanes.insert(delivery.lane);
            rows.push(QueuedRow {
                lane_chat_id: delivery.lane,
                ticket_id: delivery.ticket_id,
                action: action_json(&delivery.action)?,
                source_chat_id: delivery.source.map(|(chat, _)| chat),
                source_message_id: delivery.source.map(|(_, id)| id),
                media_group_id: delivery.media_group_id,
                dedup_key: delivery.dedup_key,
                status: QueuedRow::status_of(delivery.held),
            });
        }
        let done = if last_write {
            handled::update_being_handled()
        } else {
            None
        };
        let write = QueuedWrite {
            rows,
            event: EventRow::of(event),
            done,
        };
        match self.queue_writer.submit(write).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Err(error),
            Err(error) => return Err(DbErr::Custom(error.to_string())),
        }
        if done.is_some() {
            handled::mark_written();
        }
        Ok(Lanes(lanes))
    }

    /// Tells the engine these lanes have work. Call after commit.
    pub fn wake(&self, lanes: Lanes) {
        for lane in lanes.0 {
            let _ = self.wake.send(lane);
        }
    }

    /// Queues a ticket's failed deliveries again, as if new; returns how
    /// many.
    pub async fn resend_failed<C: ConnectionTrait>(
        &self,
        conn: &C,
        ticket_id: i32,
    ) -> Result<u64, DbErr> {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
        let failed = outbox::Entity::find()
            .filter(outbox::Column::TicketId.eq(ticket_id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Failed));
        let lanes: Vec<i64> = failed
            .clone()
            .select_only()
            .column(outbox::Column::LaneChatId)
            .distinct()
            .into_tuple()
            .all(conn)
            .await?;
        let requeued = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Pending))
            .col_expr(outbox::Column::Attempts, Expr::value(0))
            .col_expr(
                outbox::Column::NotBefore,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(outbox::Column::TicketId.eq(ticket_id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Failed))
            .exec(conn)
            .await?
            .rows_affected;
        self.wake(Lanes(lanes.into_iter().collect()));
        Ok(requeued)
    }

    /// Releases a held ticket's rows into `lane` (the main group it opened
    /// in): they go out in the order they were written. Returns the lanes
    /// to wake after commit.
    pub async fn release<C: ConnectionTrait>(
        &self,
        conn: &C,
        ticket_id: i32,
        lane: i64,
    ) -> Result<Lanes, DbErr> {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, QueryFilter};
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Pending))
            .col_expr(outbox::Column::LaneChatId, Expr::value(lane))
            .filter(outbox::Column::TicketId.eq(ticket_id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Held))
            .exec(conn)
            .await?;
        Ok(Lanes(BTreeSet::from([lane])))
    }

    /// Deletes a ticket's held rows: it closed before it was released, so
    /// they will never be wanted.
    pub async fn drop_held<C: ConnectionTrait>(
        &self,
        conn: &C,
        ticket_id: i32,
    ) -> Result<u64, DbErr> {
        use sea_orm::{ColumnTrait, QueryFilter};
        Ok(outbox::Entity::delete_many()
            .filter(outbox::Column::TicketId.eq(ticket_id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Held))
            .exec(conn)
            .await?
            .rows_affected)
    }

    /// Moves a ticket's unsent rows from lane `from` to lane `to` (its main
    /// topic moved to another main group: they follow it).
    pub async fn move_lane<C: ConnectionTrait>(
        &self,
        conn: &C,
        ticket_id: i32,
        from: i64,
        to: i64,
    ) -> Result<Lanes, DbErr> {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, QueryFilter};
        outbox::Entity::update_many()
            .col_expr(outbox::Column::LaneChatId, Expr::value(to))
            .filter(outbox::Column::TicketId.eq(ticket_id))
            .filter(outbox::Column::LaneChatId.eq(from))
            .filter(outbox::Column::Status.is_in([OutboxStatus::Pending, OutboxStatus::Held]))
            .exec(conn)
            .await?;
        Ok(Lanes(BTreeSet::from([to])))
    }

    /// Inserts outside any transaction and wakes at once.
    pub async fn enqueue<C: ConnectionTrait>(
        &self,
        conn: &C,
        deliveries: Vec<Delivery>,
    ) -> Result<(), DbErr> {
        let lanes = self.insert(conn, deliveries).await?;
        self.wake(lanes);
        Ok(())
    }
}

/// A ticket's deliveries that failed for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedDeliveries {
    pub ticket_id: i32,
    pub count: u64,
    /// Why the latest of them failed.
    pub last_error: String,
}

/// The tickets with failed deliveries, the latest failure first.
pub async fn failed_by_ticket<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<FailedDeliveries>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let groups: Vec<(i32, i64, i32)> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::TicketId)
        .column_as(outbox::Column::Id.count(), "failed")
        .column_as(outbox::Column::Id.max(), "latest")
        .filter(outbox::Column::Status.eq(OutboxStatus::Failed))
        .filter(outbox::Column::TicketId.is_not_null())
        .group_by(outbox::Column::TicketId)
        .order_by_desc(outbox::Column::Id.max())
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    let latest = outbox::Entity::find()
        .filter(outbox::Column::Id.is_in(groups.iter().map(|(_, _, id)| *id)))
        .all(conn)
        .await?;
    Ok(groups
        .into_iter()
        .map(|(ticket_id, count, latest_id)| FailedDeliveries {
            ticket_id,
            count: count.max(0) as u64,
            last_error: latest
                .iter()
                .find(|row| row.id == latest_id)
                .and_then(|row| row.last_error.clone())
                .unwrap_or_default(),
        })
        .collect())
}

/// Deletes deliveries sent before `cutoff`. Failed ones stay for a person
/// to look at (their events say why).
pub async fn prune_sent<C: ConnectionTrait>(
    conn: &C,
    cutoff: chrono::DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let result = outbox::Entity::delete_many()
        .filter(outbox::Column::Status.eq(OutboxStatus::Sent))
        .filter(outbox::Column::SentAt.lt(cutoff))
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}

/// Lanes that received work in a transaction, to wake after commit.
#[must_use = "wake the lanes once the transaction is committed"]
#[derive(Debug, Default)]
pub struct Lanes(BTreeSet<i64>);

impl Lanes {
    pub fn merge(&mut self, other: Lanes) {
        self.0.extend(other.0);
    }
}

/// The rows of `deliveries`, and the lanes they go to.
fn rows_of(deliveries: Vec<Delivery>) -> Result<(Vec<outbox::ActiveModel>, Lanes), DbErr> {
    let mut lanes = BTreeSet::new();
    let now = Utc::now();
    let mut rows = Vec::with_capacity(deliveries.len());
    for delivery in deliveries {
        lanes.insert(delivery.lane);
        rows.push(outbox::ActiveModel {
            lane_chat_id: Set(delivery.lane),
            ticket_id: Set(delivery.ticket_id),
            action: Set(action_json(&delivery.action)?),
            source_chat_id: Set(delivery.source.map(|(chat, _)| chat)),
            source_message_id: Set(delivery.source.map(|(_, id)| id)),
            media_group_id: Set(delivery.media_group_id),
            dedup_key: Set(Some(delivery.dedup_key)),
            status: Set(if delivery.held {
                OutboxStatus::Held
            } else {
                OutboxStatus::Pending
            }),
            attempts: Set(0),
            created_at: Set(now),
            ..Default::default()
        });
    }
    Ok((rows, Lanes(lanes)))
}

/// An action as its row stores it.
fn action_json(action: &Action) -> Result<serde_json::Value, DbErr> {
    let mut json = serde_json::to_value(action)
        .map_err(|e| DbErr::Custom(format!("cannot encode an outbox action: {e}")))?;
    crate::records::events::strip_nul(&mut json);
    Ok(json)
}

/// One INSERT of `rows` that skips a row whose dedup key is already there
/// (a replayed update); `None` for no rows.
fn insert_statement(rows: Vec<outbox::ActiveModel>) -> Option<InsertStatement> {
    if rows.is_empty() {
        return None;
    }
    Some(
        outbox::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(outbox::Column::DedupKey)
                    .do_nothing()
                    .to_owned(),
            )
            .into_query(),
    )
}
