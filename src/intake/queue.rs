//! The hand-off between intake (webhook, polling, replay) and the teloxide
//! Dispatcher: producers push updates that are already stored; the
//! Dispatcher pulls them through `InboundListener`, a custom UpdateListener.

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use futures::stream::{BoxStream, StreamExt};
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::Update;
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use crate::metrics::Metrics;

/// Producer side. Unbounded on purpose: every update in it is already safe in
/// the database, and the backlog gauge shows how deep it gets.
///
/// It also knows which updates this process has queued and not finished, so
/// a stored update that never got queued (its insert outlived a timeout) can
/// be told apart from one that is merely still in the works.
#[derive(Clone)]
pub struct UpdateQueue {
    sender: mpsc::UnboundedSender<Update>,
    in_flight: Arc<Mutex<HashSet<u32>>>,
    metrics: Metrics,
}

impl UpdateQueue {
    pub fn new(metrics: Metrics) -> (UpdateQueue, InboundListener) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let (stop_token, stop_flag) = mk_stop_token();
        (
            UpdateQueue {
                sender,
                in_flight: Arc::default(),
                metrics,
            },
            InboundListener {
                receiver: Arc::new(Mutex::new(Some(receiver))),
                stop_token,
                stop_flag,
            },
        )
    }

    /// Queues a stored update for processing, unless it is already queued.
    /// After shutdown began the update simply stays pending in the database
    /// for the next start.
    pub fn push(&self, update: Update) {
        let id = update.id.0;
        if !self.lock().insert(id) {
            return;
        }
        if self.sender.send(update).is_ok() {
            self.metrics.inbound_backlog.inc();
        } else {
            self.lock().remove(&id);
        }
    }

    pub fn is_in_flight(&self, update_id: u32) -> bool {
        self.lock().contains(&update_id)
    }

    /// Called when processing of an update ended, however it ended.
    pub fn finish(&self, update_id: u32) {
        if self.lock().remove(&update_id) {
            self.metrics.inbound_backlog.dec();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<u32>> {
        self.in_flight.lock().expect("in-flight set lock poisoned")
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
