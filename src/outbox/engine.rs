//! The delivery engine: one worker per destination chat that has work,
//! sending that chat's outbox rows in order. Workers start when their lane is
//! woken and stop when it has been idle for a while. A periodic sweep wakes
//! lanes with pending rows nobody woke (after a restart, or rows waiting out
//! a backoff).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::executor::{Executor, Step};
use crate::entities::OutboxStatus;
use crate::entities::outbox::{self, Column};
use crate::store::Store;

/// Rows read per look at a lane.
const BATCH: u64 = 100;
/// A lane worker with nothing to do for this long stops.
const IDLE_STOP: Duration = Duration::from_secs(60);
/// How long a lane's lock lives unless renewed. The holder renews it every
/// third of this while its step runs, so an instance that died frees its
/// lanes within this time, and a live one never loses a lane mid-step.
const LANE_LOCK_TTL: Duration = Duration::from_secs(6);
/// How often lanes with pending rows are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(2);
/// Tickets of one lane whose rows are sent side by side.
const SEQUENCES_AT_ONCE: usize = 16;
/// A lane step starts no send that could not begin within this, so a lane
/// waiting for its rate limit lets go of its lock between steps.
const STEP_BUDGET: Duration = Duration::from_secs(10);

struct LaneHandle {
    notify: Arc<Notify>,
    /// Wake-ups so far; a worker only stops if none came while it decided to.
    wakes: u64,
}

#[derive(Clone)]
pub struct DeliveryEngine {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    executor: Executor,
    lanes: Mutex<HashMap<i64, LaneHandle>>,
    /// Set when other instances share the outbox: each step of a lane is then
    /// taken under a store lock, so one chat's rows go out once and in order.
    shared: Option<Store>,
    shutdown: CancellationToken,
    /// The lane workers, so shutdown can let them finish their current step
    /// (and release their lane) instead of dropping them mid-send.
    workers: TaskTracker,
}

impl DeliveryEngine {
    /// `shared` is the store other instances also use, when there are any.
    pub fn new(
        db: DatabaseConnection,
        executor: Executor,
        shared: Option<Store>,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                executor,
                lanes: Mutex::new(HashMap::new()),
                shared,
                shutdown,
                workers: TaskTracker::new(),
            }),
        }
    }

    /// Runs until shutdown: wakes lanes as the outbox asks, and sweeps.
    pub async fn run(self, mut wake_requests: mpsc::UnboundedReceiver<i64>) {
        let mut sweep = tokio::time::interval(SWEEP_EVERY);
        loop {
            tokio::select! {
                _ = self.inner.shutdown.cancelled() => return,
                lane = wake_requests.recv() => match lane {
                    Some(lane) => self.wake(lane),
                    None => return,
                },
                _ = sweep.tick() => {
                    match self.lanes_with_work().await {
                        Ok(lanes) => lanes.into_iter().for_each(|lane| self.wake(lane)),
                        Err(error) => tracing::warn!(error = %error, "outbox sweep failed"),
                    }
                }
            }
        }
    }

    /// After shutdown began: waits until every lane worker finished its
    /// current step.
    pub async fn finished(&self) {
        self.inner.workers.close();
        self.inner.workers.wait().await;
    }

    fn wake(&self, lane: i64) {
        let mut lanes = self.inner.lanes.lock().expect("lane registry poisoned");
        match lanes.get_mut(&lane) {
            Some(handle) => {
                handle.wakes += 1;
                handle.notify.notify_one();
            }
            None => {
                let notify = Arc::new(Notify::new());
                lanes.insert(
                    lane,
                    LaneHandle {
                        notify: notify.clone(),
                        wakes: 0,
                    },
                );
                let engine = self.clone();
                self.inner
                    .workers
                    .spawn(async move { engine.run_lane(lane, notify).await });
            }
        }
    }

    async fn lanes_with_work(&self) -> Result<Vec<i64>, DbErr> {
        outbox::Entity::find()
            .select_only()
            .column(Column::LaneChatId)
            .distinct()
            .filter(Column::Status.eq(OutboxStatus::Pending))
            .into_tuple::<i64>()
            .all(&self.inner.db)
            .await
    }

    async fn run_lane(self, lane: i64, notify: Arc<Notify>) {
        let mut seen_wakes = 0;
        loop {
            if self.inner.shutdown.is_cancelled() {
                break;
            }
            let rows = match self.pending(lane).await {
                Ok(rows) => rows,
                Err(error) => {
                    tracing::warn!(lane, error = %error, "cannot read the outbox; retrying");
                    self.pause(&notify, Duration::from_secs(1)).await;
                    continue;
                }
            };
            if rows.is_empty() {
                let woken = tokio::select! {
                    _ = self.inner.shutdown.cancelled() => break,
                    woken = tokio::time::timeout(IDLE_STOP, notify.notified()) => woken,
                };
                match woken {
                    Ok(()) => continue,
                    Err(_) if self.retire(lane, &mut seen_wakes) => break,
                    Err(_) => continue,
                }
            }
            if let Step::WaitUntil(when) = self.step_exclusively(lane, rows).await {
                let wait = (when - Utc::now()).to_std().unwrap_or_default();
                self.pause(&notify, wait).await;
            }
        }
    }

    /// One step of the lane; with other instances around, under the lane's
    /// lock and on freshly read rows (another instance may have sent some).
    async fn step_exclusively(&self, lane: i64, rows: Vec<outbox::Model>) -> Step {
        let Some(store) = &self.inner.shared else {
            return self.send(lane, rows).await;
        };
        let lock = match store.try_lock(&format!("lane:{lane}"), LANE_LOCK_TTL).await {
            Ok(Some(lock)) => lock,
            Ok(None) => {
                tracing::debug!(lane, "another instance is sending into this chat");
                return Step::WaitUntil(Utc::now() + chrono::Duration::milliseconds(50));
            }
            Err(error) => {
                tracing::warn!(lane, error = %error, "cannot take the lane's lock; retrying");
                return Step::WaitUntil(Utc::now() + chrono::Duration::seconds(1));
            }
        };
        let step = async {
            match self.pending(lane).await {
                Ok(rows) if rows.is_empty() => Step::Reread,
                Ok(rows) => self.send(lane, rows).await,
                Err(error) => {
                    tracing::warn!(lane, error = %error, "cannot read the outbox; retrying");
                    Step::WaitUntil(Utc::now() + chrono::Duration::seconds(1))
                }
            }
        };
        let step = tokio::select! {
            step = step => step,
            // The lock is gone (the store was out of reach for longer than
            // its TTL): another instance may own the lane now, so stop.
            () = keep_renewing(store, &lock) => {
                tracing::warn!(lane, "lost the lane's lock; stopping this step");
                Step::WaitUntil(Utc::now() + chrono::Duration::seconds(1))
            }
        };
        drop(rows);
        if let Err(error) = store.unlock(lock).await {
            tracing::warn!(lane, error = %error, "could not release the lane's lock; it expires by itself");
        }
        step
    }

    /// Sends what it can of the rows read from a lane. Rows for different
    /// tickets go out side by side (order only matters within a ticket's
    /// topic), each ticket's rows one after another; a backlog of one
    /// ticket's messages leaves in one copyMessages.
    ///
    /// A step ends after about STEP_BUDGET, so the lane's lock (held and
    /// renewed for the whole step when instances share the outbox) is let go
    /// of between steps.
    async fn send(&self, lane: i64, rows: Vec<outbox::Model>) -> Step {
        let deadline = tokio::time::Instant::now() + STEP_BUDGET;
        // Side by side only while Telegram's limit for the chat has room for
        // all of them; a rate-limited chat goes one ticket at a time, oldest
        // first, so each ticket's backlog leaves together.
        let at_once = if self
            .inner
            .executor
            .send_delay(lane, SEQUENCES_AT_ONCE as u32)
            .await
            .is_zero()
        {
            SEQUENCES_AT_ONCE
        } else {
            1
        };
        let outcomes: Vec<Step> = futures::stream::iter(sequences(lane, rows))
            .map(|sequence| self.send_in_order(lane, sequence, deadline))
            .buffered(at_once)
            .collect()
            .await;
        let mut earliest_wait = None;
        for outcome in outcomes {
            match outcome {
                Step::WaitUntil(when) => {
                    earliest_wait =
                        Some(earliest_wait.map_or(when, |w: DateTime<Utc>| w.min(when)));
                }
                // Some rows moved: read the lane again at once.
                Step::Finished(_) | Step::Reread => return Step::Reread,
            }
        }
        earliest_wait.map_or(Step::Reread, Step::WaitUntil)
    }

    /// Sends one sequence from its head until it is done or has to wait.
    async fn send_in_order(
        &self,
        lane: i64,
        rows: Vec<outbox::Model>,
        deadline: tokio::time::Instant,
    ) -> Step {
        let mut next = 0;
        while next < rows.len() {
            let wait = self.inner.executor.send_delay(lane, 1).await;
            let now = tokio::time::Instant::now();
            if now + wait > deadline {
                return if next > 0 {
                    Step::Finished(next)
                } else {
                    Step::WaitUntil(Utc::now() + wait.max(Duration::from_millis(10)))
                };
            }
            match self.inner.executor.step(lane, &rows[next..]).await {
                Step::Finished(count) => next += count.max(1),
                Step::WaitUntil(_) | Step::Reread if next > 0 => return Step::Finished(next),
                other => return other,
            }
        }
        Step::Finished(next)
    }

    /// Stops the lane unless a wake-up arrived since it last looked.
    fn retire(&self, lane: i64, seen_wakes: &mut u64) -> bool {
        let mut lanes = self.inner.lanes.lock().expect("lane registry poisoned");
        match lanes.get(&lane) {
            Some(handle) if handle.wakes == *seen_wakes => {
                lanes.remove(&lane);
                true
            }
            Some(handle) => {
                *seen_wakes = handle.wakes;
                false
            }
            None => true,
        }
    }

    async fn pause(&self, notify: &Notify, wait: Duration) {
        tokio::select! {
            _ = self.inner.shutdown.cancelled() => {}
            _ = notify.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }

    async fn pending(&self, lane: i64) -> Result<Vec<outbox::Model>, DbErr> {
        outbox::Entity::find()
            .filter(Column::Status.eq(OutboxStatus::Pending))
            .filter(Column::LaneChatId.eq(lane))
            .order_by_asc(Column::Id)
            .limit(BATCH)
            .all(&self.inner.db)
            .await
    }
}

/// Renews `lock` every third of its TTL; returns only once it is lost.
async fn keep_renewing(store: &Store, lock: &crate::store::Lock) {
    loop {
        tokio::time::sleep(LANE_LOCK_TTL / 3).await;
        match store.extend(lock).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                tracing::warn!(error = %error, "could not renew a lane's lock; trying again");
            }
        }
    }
}

/// Splits a lane's rows into sequences that must keep their order: in a
/// group, one per ticket (each ticket has its own topic there); in a private
/// chat, just one, since the client reads everything in one stream.
/// Sequences come in the order of their oldest row.
fn sequences(lane: i64, rows: Vec<outbox::Model>) -> Vec<Vec<outbox::Model>> {
    let mut order: Vec<Option<i32>> = Vec::new();
    let mut by_key: HashMap<Option<i32>, Vec<outbox::Model>> = HashMap::new();
    for row in rows {
        let key = if lane < 0 { row.ticket_id } else { None };
        by_key
            .entry(key)
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(row);
    }
    order
        .into_iter()
        .filter_map(|key| by_key.remove(&key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i32, lane: i64, ticket: Option<i32>) -> outbox::Model {
        outbox::Model {
            id,
            lane_chat_id: lane,
            ticket_id: ticket,
            action: serde_json::json!({}),
            source_chat_id: None,
            source_message_id: None,
            media_group_id: None,
            dedup_key: None,
            status: OutboxStatus::Pending,
            attempts: 0,
            last_error: None,
            not_before: None,
            created_at: Utc::now(),
            sent_at: None,
        }
    }

    fn ids(sequences: &[Vec<outbox::Model>]) -> Vec<Vec<i32>> {
        sequences
            .iter()
            .map(|s| s.iter().map(|r| r.id).collect())
            .collect()
    }

    #[test]
    fn a_group_lane_splits_by_ticket_keeping_each_tickets_order() {
        let lane = -100;
        let rows = vec![
            row(1, lane, Some(7)),
            row(2, lane, Some(8)),
            row(3, lane, Some(7)),
            row(4, lane, None),
            row(5, lane, Some(8)),
        ];
        assert_eq!(
            ids(&sequences(lane, rows)),
            vec![vec![1, 3], vec![2, 5], vec![4]]
        );
    }

    #[test]
    fn a_private_chat_stays_one_sequence() {
        let lane = 42;
        let rows = vec![
            row(1, lane, Some(7)),
            row(2, lane, Some(8)),
            row(3, lane, Some(7)),
        ];
        assert_eq!(ids(&sequences(lane, rows)), vec![vec![1, 2, 3]]);
    }
}
