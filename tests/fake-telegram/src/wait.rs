//! Waiting for the bot: every wait re-checks its condition on each change of
//! the world (calls, deliveries, actions) and fails with a description of
//! the state when its timeout passes. Tests never need fixed sleeps.

use std::time::Duration;

use tokio::time::Instant;

use crate::fake::FakeTelegram;
use crate::inspect::{CallbackAnswer, RecordedCall, StoredMessage, TopicInfo, WebhookState};
use crate::world::World;

/// A wait whose condition did not come true in time.
#[derive(Clone, Debug)]
pub struct WaitError {
    /// What was awaited.
    pub what: String,
    /// How long it was awaited.
    pub timeout: Duration,
    /// [`World::describe`] at the moment of giving up.
    pub state: String,
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "timed out after {:?} waiting for {}\n{}",
            self.timeout, self.what, self.state
        )
    }
}

impl std::error::Error for WaitError {}

impl FakeTelegram {
    /// Waits until `condition` holds, re-checking on every change.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        mut condition: impl FnMut(&World) -> bool,
    ) -> Result<(), WaitError> {
        self.wait_for_value("a condition", timeout, |w| condition(w).then_some(()))
            .await
    }

    /// Waits until `probe` returns `Some`, re-checking on every change, and
    /// returns the value.
    pub async fn wait_for<T>(
        &self,
        timeout: Duration,
        probe: impl FnMut(&World) -> Option<T>,
    ) -> Result<T, WaitError> {
        self.wait_for_value("a value", timeout, probe).await
    }

    /// [`wait_for`](Self::wait_for) with a description for the error.
    pub async fn wait_for_value<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&World) -> Option<T>,
    ) -> Result<T, WaitError> {
        let mut changes = self.shared().subscribe();
        let deadline = Instant::now() + timeout;
        loop {
            changes.borrow_and_update();
            if let Some(value) = self.read(&mut probe) {
                return Ok(value);
            }
            tokio::select! {
                changed = changes.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        if let Some(value) = self.read(&mut probe) {
            return Ok(value);
        }
        Err(WaitError {
            what: what.to_owned(),
            timeout,
            state: self.describe(),
        })
    }

    /// Waits until `chat` holds at least `n` live messages (service messages
    /// included); returns them all.
    pub async fn wait_for_messages(
        &self,
        chat: i64,
        n: usize,
    ) -> Result<Vec<StoredMessage>, WaitError> {
        let what = format!("{n} messages in chat {chat}");
        self.wait_for_value(&what, self.default_wait(), |w| {
            Some(w.messages(chat)).filter(|m| m.len() >= n)
        })
        .await
    }

    /// Waits until the bot has sent at least `n` live messages into `chat`;
    /// returns them all.
    pub async fn wait_for_bot_messages(
        &self,
        chat: i64,
        n: usize,
    ) -> Result<Vec<StoredMessage>, WaitError> {
        let what = format!("{n} bot messages in chat {chat}");
        self.wait_for_value(&what, self.default_wait(), |w| {
            (w.bot_message_count(chat) >= n).then(|| w.bot_messages(chat))
        })
        .await
    }

    /// Waits until topic `thread` of `chat` holds at least `n` non-service
    /// messages; returns them all.
    pub async fn wait_for_topic_messages(
        &self,
        chat: i64,
        thread: i32,
        n: usize,
    ) -> Result<Vec<StoredMessage>, WaitError> {
        let what = format!("{n} messages in topic {thread} of chat {chat}");
        self.wait_for_value(&what, self.default_wait(), |w| {
            (w.topic_message_count(chat, thread) >= n).then(|| w.topic_messages(chat, thread))
        })
        .await
    }

    /// Waits until a live topic named `name` exists in `chat`.
    pub async fn wait_for_topic(&self, chat: i64, name: &str) -> Result<TopicInfo, WaitError> {
        let what = format!("a topic named {name:?} in chat {chat}");
        self.wait_for_value(&what, self.default_wait(), |w| w.topic_named(chat, name))
            .await
    }

    /// Waits until `chat` has at least `n` live topics; returns them.
    pub async fn wait_for_topics(&self, chat: i64, n: usize) -> Result<Vec<TopicInfo>, WaitError> {
        let what = format!("{n} topics in chat {chat}");
        self.wait_for_value(&what, self.default_wait(), |w| {
            let live: Vec<_> = w.topics(chat).into_iter().filter(|t| !t.deleted).collect();
            (live.len() >= n).then_some(live)
        })
        .await
    }

    /// Waits until at least `n` calls of `method` (any case) were recorded;
    /// returns them all.
    pub async fn wait_for_calls(
        &self,
        method: &str,
        n: usize,
    ) -> Result<Vec<RecordedCall>, WaitError> {
        let what = format!("{n} calls of {method}");
        self.wait_for_value(&what, self.default_wait(), |w| {
            (w.call_count(method) >= n).then(|| w.calls_to(method))
        })
        .await
    }

    /// Waits for the first call of `method` (any case); returns it.
    pub async fn wait_for_call(&self, method: &str) -> Result<RecordedCall, WaitError> {
        let mut calls = self.wait_for_calls(method, 1).await?;
        Ok(calls.remove(0))
    }

    /// Waits until update `update_id` has been accepted by the webhook or
    /// confirmed through getUpdates.
    pub async fn wait_delivered(&self, update_id: i64) -> Result<(), WaitError> {
        let what = format!("update {update_id} to be delivered");
        self.wait_for_value(&what, self.default_wait(), |w| {
            w.is_delivered(update_id).then_some(())
        })
        .await
    }

    /// Waits until no update is pending.
    pub async fn wait_all_delivered(&self) -> Result<(), WaitError> {
        self.wait_for_value("all updates to be delivered", self.default_wait(), |w| {
            (w.pending_updates() == 0).then_some(())
        })
        .await
    }

    /// Waits until a webhook is registered; returns it.
    pub async fn wait_for_webhook(&self) -> Result<WebhookState, WaitError> {
        self.wait_for_value("a webhook to be set", self.default_wait(), |w| w.webhook())
            .await
    }

    /// Waits until callback query `callback_id` is answered; returns the answer.
    pub async fn wait_for_callback_answer(
        &self,
        callback_id: &str,
    ) -> Result<CallbackAnswer, WaitError> {
        let what = format!("an answer to callback query {callback_id}");
        self.wait_for_value(&what, self.default_wait(), |w| {
            w.callback_answer(callback_id)
        })
        .await
    }
}
