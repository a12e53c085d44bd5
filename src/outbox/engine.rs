//! The delivery engine: one worker per destination chat ("lane") that has
//! work. Workers start when their lane is woken and stop when it has been
//! idle for a while. A periodic sweep wakes lanes with pending rows nobody
//! woke (after a restart, or rows waiting out a backoff) and refreshes the
//! outbox gauges. With other instances around, each step of a lane runs
//! under the lane's lock in the shared store, renewed while the step runs
//! and kept for a moment after it in case the lane has more to do.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::executor::Executor;
use super::lane::{LaneStep, RoundRobin};
use crate::entities::OutboxStatus;
use crate::entities::outbox::{self, Column};
use crate::store::{Lock, Store};

/// A lane worker with nothing to do for this long stops.
const IDLE_STOP: Duration = Duration::from_secs(60);
/// How long a lane's lock lives unless renewed. The holder renews it every
/// third of this while its step runs, so an instance that died frees its
/// lanes within this time, and a live one never loses a lane mid-step.
const LANE_LOCK_TTL: Duration = Duration::from_secs(6);
/// After a step, a lane keeps its lock this long in case more work comes;
/// at a steady load it does, and taking and releasing the lock were two of
/// the few Redis round trips a message costs. Another instance's rows for
/// the lane wait at most this long (plus that instance's 50 ms retry); the
/// holder's own steps meanwhile read and send them with its rows.
const LANE_LOCK_LINGER: Duration = Duration::from_millis(100);
/// How often lanes with pending rows are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(2);
/// How often the outbox gauges are refreshed (one grouped query).
const GAUGES_EVERY: Duration = Duration::from_secs(10);

/// A lane's lock kept between steps.
struct HeldLock {
    lock: Lock,
    /// When the last step under it began: the lock was fresh or renewed
    /// then, and lives at least a TTL from that moment.
    fresh_at: tokio::time::Instant,
}

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
        let mut gauges = tokio::time::interval(GAUGES_EVERY);
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
                _ = gauges.tick() => {
                    if let Err(error) = self.inner.executor.refresh_gauges().await {
                        tracing::debug!(error = %error, "could not refresh the outbox gauges");
                    }
                }
            }
        }
    }

    /// While the application stops, after intake has finished its
    /// in-flight updates: lets the lanes send what is due (the answers
    /// those updates queued), for at most `within`. What is left waits in
    /// the database for the next start.
    pub async fn drain_due(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            let due = outbox::Entity::find()
                .filter(Column::Status.eq(OutboxStatus::Pending))
                .filter(
                    sea_orm::Condition::any()
                        .add(Column::NotBefore.is_null())
                        .add(Column::NotBefore.lte(Utc::now())),
                )
                .one(&self.inner.db)
                .await;
            if !matches!(due, Ok(Some(_))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
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
        let mut turns = RoundRobin::default();
        let mut held: Option<HeldLock> = None;
        loop {
            if self.inner.shutdown.is_cancelled() {
                break;
            }
            // Boxed: a step's state (the whole send path) is tens of
            // kilobytes, and a worker spends most of its life idle; inline,
            // every idle worker of a burst's hundreds of chats would keep it.
            match Box::pin(self.step_exclusively(lane, &mut turns, &mut held)).await {
                LaneStep::Again => {}
                LaneStep::WaitUntil(when) => {
                    let wait = (when - Utc::now()).to_std().unwrap_or_default();
                    if wait > LANE_LOCK_LINGER {
                        self.release(lane, &mut held).await;
                    }
                    self.pause(&notify, wait).await;
                }
                LaneStep::Idle => {
                    if held.is_some() {
                        let woken = tokio::select! {
                            _ = self.inner.shutdown.cancelled() => break,
                            woken = tokio::time::timeout(LANE_LOCK_LINGER, notify.notified()) => woken,
                        };
                        if woken.is_ok() {
                            continue;
                        }
                        self.release(lane, &mut held).await;
                    }
                    let woken = tokio::select! {
                        _ = self.inner.shutdown.cancelled() => break,
                        woken = tokio::time::timeout(IDLE_STOP, notify.notified()) => woken,
                    };
                    if woken.is_err() && self.retire(lane, &mut seen_wakes) {
                        break;
                    }
                }
            }
        }
        self.release(lane, &mut held).await;
    }

    /// One step of the lane; with other instances around, under the lane's
    /// lock, kept alive while the step runs and kept in `held` afterwards
    /// (the caller releases it once the lane rests).
    async fn step_exclusively(
        &self,
        lane: i64,
        turns: &mut RoundRobin,
        held: &mut Option<HeldLock>,
    ) -> LaneStep {
        let executor = &self.inner.executor;
        let Some(store) = &self.inner.shared else {
            return executor.lane_step(lane, turns).await;
        };
        let now = tokio::time::Instant::now();
        let kept = match held.take() {
            // Taken or renewed within a third of its TTL: it still holds,
            // and lives at least a TTL from then.
            Some(kept) if kept.fresh_at.elapsed() < LANE_LOCK_TTL / 3 => Some(kept),
            Some(kept) => match store.extend(&kept.lock).await {
                Ok(true) => Some(HeldLock {
                    lock: kept.lock,
                    fresh_at: now,
                }),
                // Expired meanwhile (or the store is away): take it anew.
                _ => None,
            },
            None => None,
        };
        let (lock, fresh_at) = match kept {
            Some(kept) => (kept.lock, kept.fresh_at),
            None => match store.try_lock(&format!("lane:{lane}"), LANE_LOCK_TTL).await {
                Ok(Some(lock)) => (lock, now),
                Ok(None) => {
                    tracing::debug!(lane, "another instance is sending into this chat");
                    return LaneStep::WaitUntil(Utc::now() + chrono::Duration::milliseconds(50));
                }
                Err(error) => {
                    tracing::warn!(lane, error = %error, "cannot take the lane's lock; retrying");
                    return LaneStep::WaitUntil(Utc::now() + chrono::Duration::seconds(1));
                }
            },
        };
        tokio::select! {
            step = executor.lane_step(lane, turns) => {
                *held = Some(HeldLock { lock, fresh_at });
                step
            }
            // The lock is gone (the store was out of reach for longer than
            // its TTL): another instance may own the lane now, so stop.
            () = keep_renewing(store, &lock) => {
                tracing::warn!(lane, "lost the lane's lock; stopping this step");
                LaneStep::WaitUntil(Utc::now() + chrono::Duration::seconds(1))
            }
        }
    }

    /// Releases the lane's lock if this worker holds it.
    async fn release(&self, lane: i64, held: &mut Option<HeldLock>) {
        let (Some(store), Some(kept)) = (&self.inner.shared, held.take()) else {
            return;
        };
        if let Err(error) = store.unlock(kept.lock).await {
            tracing::warn!(lane, error = %error, "could not release the lane's lock; it expires by itself");
        }
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
}

/// Renews `lock` every third of its TTL; returns only once it is lost.
async fn keep_renewing(store: &Store, lock: &Lock) {
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
