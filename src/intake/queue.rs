//! The hand-off between intake (webhook, polling, replay) and the teloxide
//! Dispatcher: producers push updates that are already stored; the
//! Dispatcher pulls them through `InboundListener`, a custom UpdateListener.

use std::collections::{BTreeSet, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use futures::stream::{BoxStream, StreamExt};
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::Update;
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use crate::metrics::Metrics;

/// Producer side.
///
/// It also knows which updates this process has queued and not finished, so
/// a stored update that never got queued (its insert outlived a timeout) can
/// be told apart from one that is merely still in the works.
#[derive(Clone)]
pub struct UpdateQueue {
    sender: mpsc::UnboundedSender<Update>,
    held: Arc<Mutex<Held>>,
    capacity: usize,
    /// Signalled when an overflowing queue has room again.
    room: Arc<Notify>,
    metrics: Metrics,
}

#[derive(Default)]
struct Held {
    in_flight: HashSet<u32>,
    /// Updates this process stored but left in the database for lack of
    /// room, oldest first. Only their ids are kept: another instance's
    /// pending rows are never taken. While any wait there, new updates wait
    /// there too, so nothing overtakes an older update of its chat.
    left_in_database: BTreeSet<u32>,
}

impl UpdateQueue {
    /// A queue holding at most `capacity` updates in memory.
    pub fn new(capacity: usize, metrics: Metrics) -> (UpdateQueue, InboundListener) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let (stop_token, stop_flag) = mk_stop_token();
        (
            UpdateQueue {
                sender,
                held: Arc::default(),
                capacity: capacity.max(1),
                room: Arc::default(),
                metrics,
            },
            InboundListener {
                receiver: Arc::new(Mutex::new(Some(receiver))),
                stop_token,
                stop_flag,
            },
        )
    }

    /// Queues a stored update for processing, unless it is already queued,
    /// or leaves it in the database when the queue is full (the refill
    /// brings it in later). After shutdown began the update simply stays
    /// pending in the database for the next start. Returns false when the
    /// update was left in the database.
    pub fn push(&self, update: Update) -> bool {
        {
            let mut held = self.lock();
            if held.in_flight.contains(&update.id.0) {
                return true;
            }
            if !held.left_in_database.is_empty() || held.in_flight.len() >= self.capacity {
                held.left_in_database.insert(update.id.0);
                self.metrics.inbound_left_in_database.inc();
                return false;
            }
        }
        self.send(update);
        true
    }

    /// Whether a push would be queued now rather than left in the database.
    pub fn has_room(&self) -> bool {
        let held = self.lock();
        held.left_in_database.is_empty() && held.in_flight.len() < self.capacity
    }

    /// Records that a stored update was left for the refill.
    pub fn leave_in_database(&self, update_id: u32) {
        self.lock().left_in_database.insert(update_id);
        self.metrics.inbound_left_in_database.inc();
    }

    /// The oldest updates left in the database that fit in the queue now.
    pub fn next_to_refill(&self) -> Vec<u32> {
        let held = self.lock();
        let free = self.capacity.saturating_sub(held.in_flight.len());
        held.left_in_database.iter().take(free).copied().collect()
    }

    /// Queues an update the refill read back from the database.
    pub fn push_refilled(&self, update: Update) {
        self.forget_left(update.id.0);
        self.send(update);
    }

    /// The refill found the row gone or settled (or parked it): stop
    /// waiting for it.
    pub fn forget_left(&self, update_id: u32) {
        self.lock().left_in_database.remove(&update_id);
    }

    fn send(&self, update: Update) {
        let id = update.id.0;
        if !self.lock().in_flight.insert(id) {
            return;
        }
        if self.sender.send(update).is_ok() {
            self.metrics.inbound_backlog.inc();
        } else {
            self.lock().in_flight.remove(&id);
        }
    }

    pub fn is_in_flight(&self, update_id: u32) -> bool {
        self.lock().in_flight.contains(&update_id)
    }

    /// Called when processing of an update ended, however it ended.
    pub fn finish(&self, update_id: u32) {
        let mut held = self.lock();
        if held.in_flight.remove(&update_id) {
            self.metrics.inbound_backlog.dec();
        }
        if !held.left_in_database.is_empty() && held.in_flight.len() <= self.capacity / 2 {
            self.room.notify_one();
        }
    }

    /// Waits until updates were left in the database and there is room to
    /// read them back.
    pub async fn wait_for_room(&self) {
        self.room.notified().await;
    }

    pub fn is_overflowing(&self) -> bool {
        !self.lock().left_in_database.is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().expect("in-flight set lock poisoned")
    }
}

/// Consumer side, handed to `Dispatcher::dispatch_with_listener`. Clones
/// share one receiver: when a dispatcher fails to start (getMe failed before
/// it asked for the stream), a clone serves the next attempt.
#[derive(Clone)]
pub struct InboundListener {
    receiver: Arc<Mutex<Option<mpsc::UnboundedReceiver<Update>>>>,
    stop_token: StopToken,
    stop_flag: StopFlag,
}

impl<'a> AsUpdateStream<'a> for InboundListener {
    type StreamErr = Infallible;
    type Stream = BoxStream<'a, Result<Update, Infallible>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        let receiver = self.receiver.lock().expect("listener lock poisoned").take();
        match receiver {
            Some(receiver) => UnboundedReceiverStream::new(receiver)
                .take_until(self.stop_flag.clone())
                .map(Ok)
                .boxed(),
            // The Dispatcher asks once; a second stream would have nothing to say.
            None => futures::stream::empty().boxed(),
        }
    }
}

impl UpdateListener for InboundListener {
    type Err = Infallible;

    fn stop_token(&mut self) -> StopToken {
        self.stop_token.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(id: u32) -> Update {
        serde_json::from_value(serde_json::json!({ "update_id": id, "unknown_kind": {} }))
            .expect("an update")
    }

    #[test]
    fn a_full_queue_leaves_updates_in_the_database_until_the_refill_brought_them_in() {
        let (queue, _listener) = UpdateQueue::new(2, Metrics::new());
        assert!(queue.push(update(1)));
        assert!(queue.push(update(2)));
        assert!(!queue.push(update(3)), "no room: left in the database");
        queue.finish(1);
        assert!(
            !queue.push(update(4)),
            "while older updates wait in the database, newer ones wait too"
        );
        assert_eq!(
            queue.next_to_refill(),
            vec![3],
            "oldest first, as much as fits"
        );
        queue.push_refilled(update(3));
        assert!(queue.is_in_flight(3));
        assert!(queue.next_to_refill().is_empty(), "full again");
        queue.finish(2);
        queue.finish(3);
        assert_eq!(queue.next_to_refill(), vec![4]);
        queue.push_refilled(update(4));
        assert!(!queue.is_overflowing());
        assert!(queue.push(update(5)), "caught up: queued directly again");
    }
}
