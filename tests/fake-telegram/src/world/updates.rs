//! Outgoing updates: the queue shared by webhook delivery and `getUpdates`,
//! the `allowed_updates` filter, and the webhook registration.

use std::collections::VecDeque;
use std::time::Instant;

use serde_json::{Value, json};

use super::World;
use crate::inspect::DeliveryAttempt;

/// Update types Telegram leaves out when `allowed_updates` is not given.
const OFF_BY_DEFAULT: [&str; 3] = ["chat_member", "message_reaction", "message_reaction_count"];

/// A registered webhook.
#[derive(Clone, Debug)]
pub(crate) struct WebhookConfig {
    pub url: String,
    pub secret_token: Option<String>,
    pub max_connections: u32,
    pub allowed_updates: Option<Vec<String>>,
    pub ip_address: Option<String>,
    pub has_custom_certificate: bool,
}

/// An update that has not been confirmed yet.
#[derive(Clone, Debug)]
pub(crate) struct PendingUpdate {
    pub id: i64,
    pub body: String,
    /// A webhook POST for it is running.
    pub in_flight: bool,
    /// Successful webhook deliveries so far.
    pub acks: u32,
    /// Not to be retried before this instant.
    pub retry_at: Option<Instant>,
}

/// The update queue and everything known about deliveries.
#[derive(Debug, Default)]
pub(crate) struct Updates {
    pub next_id: i64,
    pub pending: VecDeque<PendingUpdate>,
    /// The `allowed_updates` filter of the last setWebhook/getUpdates that set one.
    pub allowed: Option<Vec<String>>,
    /// Every update ever created (after filtering), in order.
    pub history: Vec<Value>,
    /// Every webhook POST attempt, in order.
    pub attempts: Vec<DeliveryAttempt>,
    /// Unix time and text of the last failed webhook delivery.
    pub last_error: Option<(u64, String)>,
    /// Bumped by every getUpdates call; an older long poll seeing a newer
    /// value answers 409 like Telegram does for competing pollers.
    pub poll_generation: u64,
}

impl Updates {
    fn allows(&self, kind: &str) -> bool {
        match &self.allowed {
            Some(list) if !list.is_empty() => list.iter().any(|k| k == kind),
            _ => !OFF_BY_DEFAULT.contains(&kind),
        }
    }

    /// Removes every pending update with an id below `offset`.
    pub fn confirm_below(&mut self, offset: i64) {
        while self
            .pending
            .front()
            .is_some_and(|u| u.id < offset && !u.in_flight)
        {
            self.pending.pop_front();
        }
    }
}

impl World {
    /// Creates an update `{"update_id": …, kind: payload}` and queues it for
    /// the bot, unless the current `allowed_updates` filter excludes `kind`.
    /// Returns the update id either way.
    pub(crate) fn push_update(&mut self, kind: &str, payload: Value) -> i64 {
        self.updates.next_id += 1;
        let id = self.updates.next_id;
        if !self.updates.allows(kind) {
            return id;
        }
        let mut update = json!({ "update_id": id });
        update[kind] = payload;
        self.enqueue_raw_update(id, update);
        id
    }

    /// Queues a complete update object as is.
    pub(crate) fn enqueue_raw_update(&mut self, id: i64, update: Value) {
        self.updates.pending.push_back(PendingUpdate {
            id,
            body: update.to_string(),
            in_flight: false,
            acks: 0,
            retry_at: None,
        });
        self.updates.history.push(update);
    }

    /// The next free update id (for callers building their own update).
    pub(crate) fn alloc_update_id(&mut self) -> i64 {
        self.updates.next_id += 1;
        self.updates.next_id
    }
}
