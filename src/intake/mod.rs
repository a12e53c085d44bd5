//! Durable intake: nothing is acknowledged to Telegram before it is stored,
//! and everything stored is processed, in order per chat and topic, even
//! across crashes and restarts.

mod inbound;
mod ordering;
mod polling;
mod processor;
mod queue;
pub mod webhook;

pub use inbound::{InboundStore, NewUpdate, PendingUpdate};
pub use ordering::{OrderingKey, ordering_key};
pub use polling::run_polling;
pub use processor::UpdateProcessor;
pub use queue::{InboundListener, UpdateQueue};

use sea_orm::DbErr;
use teloxide::types::{Update, UpdateKind};

use crate::group_commit::GroupCommit;
use crate::metrics::Metrics;
use crate::store::Presence;

/// Where an update came from, for metrics and logs.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Webhook,
    Polling,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Source::Webhook => "webhook",
            Source::Polling => "polling",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    /// Stored for the first time and queued.
    New,
    /// Seen before; ignored.
    Duplicate,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("not a Telegram update: {0}")]
    NotAnUpdate(String),
    #[error("could not store the update: {0}")]
    Storage(#[from] DbErr),
}

/// Stores incoming updates and feeds them to the dispatcher.
#[derive(Clone)]
pub struct Intake {
    inbound: InboundStore,
    queue: UpdateQueue,
    metrics: Metrics,
    /// Updates arriving together are stored in one statement and commit
    /// (each caller still waits for its own), then queued in update_id order.
    writer: GroupCommit<(NewUpdate, Update), bool, DbErr>,
    /// With Redis: a newcomer among other instances takes no update until
    /// they all know of it (`store::presence`).
    presence: Option<Presence>,
}

impl Intake {
    /// Starts the intake's writer task: call within the runtime.
    pub fn new(inbound: InboundStore, queue: UpdateQueue, metrics: Metrics) -> Self {
        let handoff = Handoff {
            inbound: inbound.clone(),
            queue: queue.clone(),
            metrics: metrics.clone(),
        };
        let writer = GroupCommit::start(move |batch: Vec<(NewUpdate, Update)>| {
            let handoff = handoff.clone();
            Box::pin(async move { handoff.store_and_queue(batch).await })
        });
        Self {
            inbound,
            queue,
            metrics,
            writer,
            presence: None,
        }
    }

    /// Takes updates only once this instance has joined the others.
    pub fn with_presence(mut self, presence: Option<Presence>) -> Self {
        self.presence = presence;
        self
    }

    async fn joined(&self) {
        if let Some(presence) = &self.presence {
            presence.joined().await;
        }
    }

    /// Checks that `raw` is a Telegram update, stores it, and queues it when
    /// it is new. Only an `Ok` may be acknowledged to Telegram.
    pub async fn accept(&self, raw: &str, source: Source) -> Result<Accepted, IntakeError> {
        let update = parse_update(raw)?;
        self.joined().await;
        let update_id = update.id.0;
        let row = NewUpdate {
            update_id: update.id.0 as i64,
            payload: raw.to_owned(),
            key: ordering_key(&update),
        };
        let is_new = self
            .writer
            .submit((row, update.clone()))
            .await
            .map_err(|error| IntakeError::Storage(DbErr::Custom(error.to_string())))?;
        if !is_new {
            self.requeue_if_orphaned(update).await?;
            tracing::debug!(
                update_id,
                source = source.label(),
                "duplicate update ignored"
            );
            return Ok(Accepted::Duplicate);
        }
        self.metrics
            .updates_received
            .with_label_values(&[source.label()])
            .inc();
        Ok(Accepted::New)
    }

    /// Queues every stored update that has not finished, oldest first. Called
    /// once at start, before any new update is accepted. Updates that already
    /// used up their attempts (they may have crashed the process) are parked.
    pub async fn replay_pending(&self, max_attempts: u32) -> Result<usize, DbErr> {
        self.joined().await;
        let pending = self.inbound.pending().await?;
        let mut replayed = 0;
        for row in pending {
            if row.attempts >= max_attempts as i32 {
                tracing::error!(
                    update_id = row.update_id,
                    attempts = row.attempts,
                    "update parked: it never finished in any attempt"
                );
                self.inbound
                    .park(
                        row.update_id,
                        "never finished: the process stopped during every attempt",
                    )
                    .await?;
                self.metrics.updates_parked.inc();
                continue;
            }
            match parse_update(&row.payload) {
                // Beyond the queue's room, rows stay for the refill; only
                // updates really started count an attempt.
                Ok(update) if self.queue.has_room() => {
                    self.inbound.record_attempt_start(row.update_id).await?;
                    self.dispatch(update).await;
                    replayed += 1;
                }
                Ok(update) => {
                    self.queue.leave_in_database(update.id.0);
                    replayed += 1;
                }
                Err(error) => {
                    tracing::error!(update_id = row.update_id, error = %error, "stored update cannot be read; parked");
                    self.inbound.park(row.update_id, &error.to_string()).await?;
                    self.metrics.updates_parked.inc();
                }
            }
        }
        Ok(replayed)
    }

    /// Reads back the updates left in the database while the in-memory
    /// queue was full, oldest first, as room frees up. Runs until shutdown.
    pub async fn refill(self, shutdown: tokio_util::sync::CancellationToken) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.queue.wait_for_room() => {}
            }
            while self.queue.is_overflowing() && !shutdown.is_cancelled() {
                match self.refill_once().await {
                    Ok(true) => break,
                    Ok(false) => {}
                    Err(error) => {
                        tracing::warn!(error = %error, "cannot read back queued updates; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
                if self.queue.next_to_refill().is_empty() {
                    break;
                }
            }
        }
    }

    /// One read; true when nothing more waits in the database.
    async fn refill_once(&self) -> Result<bool, DbErr> {
        let ids = self.queue.next_to_refill();
        if ids.is_empty() {
            return Ok(!self.queue.is_overflowing());
        }
        let rows = self
            .inbound
            .pending_by_ids(ids.iter().map(|id| i64::from(*id)).collect())
            .await?;
        for id in ids {
            let Some(row) = rows.iter().find(|row| row.update_id == i64::from(id)) else {
                // Settled meanwhile (or pruned): nothing to bring in.
                self.queue.forget_left(id);
                continue;
            };
            match parse_update(&row.payload) {
                Ok(update) => self.queue.push_refilled(update),
                Err(error) => {
                    tracing::error!(update_id = row.update_id, error = %error, "stored update cannot be read; parked");
                    self.inbound.park(row.update_id, &error.to_string()).await?;
                    self.queue.forget_left(id);
                }
            }
        }
        Ok(!self.queue.is_overflowing())
    }

    /// An insert can outlive the timeout that gave up on it (SQLite finishes a
    /// statement its caller dropped; PostgreSQL commits what it received).
    /// Then the row exists but was never queued, and Telegram's redelivery
    /// looks like a duplicate. A pending row this process is not working on
    /// is such an orphan: queue it now rather than wait for a restart.
    async fn requeue_if_orphaned(&self, update: Update) -> Result<(), DbErr> {
        if self.queue.is_in_flight(update.id.0) {
            return Ok(());
        }
        if self.inbound.is_pending(update.id.0 as i64).await? {
            tracing::warn!(
                update_id = update.id.0,
                "stored update was never queued; queuing it now"
            );
            self.dispatch(update).await;
        }
        Ok(())
    }

    async fn dispatch(&self, update: Update) {
        Handoff {
            inbound: self.inbound.clone(),
            queue: self.queue.clone(),
            metrics: self.metrics.clone(),
        }
        .dispatch(update)
        .await
    }
}

/// What the writer needs to queue what it stored.
#[derive(Clone)]
struct Handoff {
    inbound: InboundStore,
    queue: UpdateQueue,
    metrics: Metrics,
}

impl Handoff {
    /// One group write: stores the batch, then queues its new updates in
    /// update_id order (Telegram numbers a chat's updates in order; requests
    /// that arrived together may have overtaken each other).
    async fn store_and_queue(&self, batch: Vec<(NewUpdate, Update)>) -> Result<Vec<bool>, DbErr> {
        let (rows, updates): (Vec<NewUpdate>, Vec<Update>) = batch.into_iter().unzip();
        let is_new = self.inbound.insert_many(&rows).await?;
        let mut fresh: Vec<Update> = updates
            .into_iter()
            .zip(&is_new)
            .filter_map(|(update, new)| new.then_some(update))
            .collect();
        fresh.sort_by_key(|update| update.id.0);
        for update in fresh {
            self.dispatch(update).await;
        }
        Ok(is_new)
    }

    async fn dispatch(&self, update: Update) {
        if let UpdateKind::Error(raw) = &update.kind {
            // A kind this version cannot read: acknowledged and kept in the
            // inbound store (for a later version, or a person), not handled.
            let kinds: Vec<&str> = raw
                .as_object()
                .map(|fields| fields.keys().map(String::as_str).collect())
                .unwrap_or_default();
            tracing::warn!(
                update_id = update.id.0,
                kinds = ?kinds,
                "an update this version cannot read was skipped"
            );
            self.metrics.updates_unparsable.inc();
            if let Err(error) = self.inbound.mark_done(update.id.0 as i64).await {
                tracing::error!(update_id = update.id.0, error = %error, "could not mark the update done");
            }
            return;
        }
        self.queue.push(update);
    }
}

/// A Telegram update is a JSON object with an integer update_id.
fn parse_update(raw: &str) -> Result<Update, IntakeError> {
    let value: serde_json::Value = serde_json::from_str(raw)
        .map_err(|e| IntakeError::NotAnUpdate(format!("invalid JSON: {e}")))?;
    match value.get("update_id") {
        Some(id) if id.is_u64() && id.as_u64().is_some_and(|id| id <= i64::MAX as u64) => {}
        Some(_) => {
            return Err(IntakeError::NotAnUpdate(
                "update_id is not a non-negative integer".into(),
            ));
        }
        None => return Err(IntakeError::NotAnUpdate("no update_id".into())),
    }
    // teloxide's Update parser only works on text: from a `Value` every
    // update would come out as `UpdateKind::Error`. It also panics on some
    // malformed updates (a message_reaction with neither `user` nor
    // `actor_chat`), which must be a 400, not a dropped connection that
    // Telegram would retry forever.
    let parsed = std::panic::catch_unwind(|| serde_json::from_str::<Update>(raw))
        .map_err(|_| IntakeError::NotAnUpdate("the update's fields do not fit together".into()))?;
    parsed.map_err(|e| IntakeError::NotAnUpdate(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_objects_with_an_integer_update_id_are_updates() {
        assert!(parse_update("not json").is_err());
        assert!(parse_update("[]").is_err());
        assert!(parse_update(r#"{"message":{}}"#).is_err());
        assert!(parse_update(r#"{"update_id":"7"}"#).is_err());
        assert!(parse_update(r#"{"update_id":-1}"#).is_err());
        let update = parse_update(r#"{"update_id":7,"something_new":{}}"#).unwrap();
        assert_eq!(update.id.0, 7);
        assert!(matches!(update.kind, UpdateKind::Error(_)));
        let update = parse_update(
            r#"{"update_id":8,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private","first_name":"A"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"hi"}}"#,
        )
        .unwrap();
        assert!(matches!(update.kind, UpdateKind::Message(_)), "{update:?}");
        // teloxide panics on this one; it must come back as "not an update".
        let reaction_without_actor = r#"{"update_id":9,"message_reaction":{"chat":{"id":-100777,"type":"supergroup","title":"G"},"message_id":5,"date":0,"old_reaction":[],"new_reaction":[]}}"#;
        assert!(matches!(
            parse_update(reaction_without_actor),
            Err(IntakeError::NotAnUpdate(_))
        ));
    }
}
