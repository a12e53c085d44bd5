//! The hand-off between intake (webhook, polling, replay) and the teloxide
//! Dispatcher: producers push updates that are already stored; the
//! Dispatcher pulls them through `InboundListener`, a custom UpdateListener.

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
#[derive(Clone)]
pub struct UpdateQueue {
    sender: mpsc::UnboundedSender<Update>,
    metrics: Metrics,
}

impl UpdateQueue {
    pub fn new(metrics: Metrics) -> (UpdateQueue, InboundListener) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let (stop_token, stop_flag) = mk_stop_token();
        (
            UpdateQueue { sender, metrics },
            InboundListener {
                receiver: Arc::new(Mutex::new(Some(receiver))),
                stop_token,
                stop_flag,
            },
        )
    }

    /// Queues a stored update for processing. After shutdown began the update
    /// simply stays pending in the database for the next start.
    pub fn push(&self, update: Update) {
        if self.sender.send(update).is_ok() {
            self.metrics.inbound_backlog.inc();
        }
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
