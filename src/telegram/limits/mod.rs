//! Staying under Telegram's flood limits. Telegram allows a bot about 30
//! messages a second overall, about 20 a minute into one group and about one
//! a second into one private chat, and answers anything beyond with 429 and a
//! wait. Every ticket topic lives in one main group, so the whole team shares
//! that group's 20 a minute; waiting here before each message-producing call
//! keeps the bot from provoking 429s in steady state, and keeps one busy
//! chat from stalling the others.
//!
//! Each limit is a sliding window. A caller reserves its slot under a short
//! lock and then sleeps outside it, so concurrent senders for one chat line
//! up one after another while every other chat carries on.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

pub use crate::domain::limits::Limits;

/// The sliding windows that enforce a set of limits.
trait LimitWindows {
    fn global_window(&self) -> Option<Window>;
    fn chat_window(&self, chat_id: i64) -> Option<Window>;
}

impl LimitWindows for Limits {
    fn global_window(&self) -> Option<Window> {
        Window::new(self.global_per_second, Duration::from_secs(1) + self.margin)
    }

    fn chat_window(&self, chat_id: i64) -> Option<Window> {
        if is_group(chat_id) {
            Window::new(self.group_per_minute, self.group_window + self.margin)
        } else {
            Window::new(
                self.private_per_second,
                Duration::from_secs(1) + self.margin,
            )
        }
    }
}

/// Groups and channels have negative ids, users positive ones.
fn is_group(chat_id: i64) -> bool {
    chat_id < 0
}

/// At most `capacity` messages in any span of `period`. `events` holds the
/// send times still inside a window, in order, reservations for the future
/// included.
#[derive(Debug)]
struct Window {
    capacity: usize,
    period: Duration,
    events: VecDeque<Instant>,
}

impl Window {
    fn new(capacity: u32, period: Duration) -> Option<Self> {
        (capacity > 0).then(|| Self {
            capacity: capacity as usize,
            period,
            events: VecDeque::new(),
        })
    }

    /// Forgets sends that no longer count at `now`.
    fn prune(&mut self, now: Instant) {
        while self
            .events
            .front()
            .is_some_and(|&at| at + self.period <= now)
        {
            self.events.pop_front();
        }
    }

    /// Number of events in the window `(end - period, end]`.
    fn count_ending_at(&self, end: Instant) -> usize {
        let upto = self.events.partition_point(|&at| at <= end);
        let before = self.events.partition_point(|&at| at + self.period <= end);
        upto - before
    }

    /// Whether `count` more events at `at` keep every window that contains
    /// `at` within capacity, future reservations included.
    fn fits_at(&self, at: Instant, count: usize) -> bool {
        // The windows containing `at` end at `at` or at a later event less
        // than a period away; the fullest of them ends at one of those.
        let later = self
            .events
            .iter()
            .copied()
            .filter(|&event| event > at && event < at + self.period);
        std::iter::once(at)
            .chain(later)
            .all(|end| self.count_ending_at(end) + count <= self.capacity)
    }

    /// Earliest instant from `from` on at which `count` more events fit.
    /// Becoming possible only happens when an event leaves the window, so the
    /// candidates are `from` and the moments events expire; the last of
    /// those always fits.
    fn earliest(&self, from: Instant, count: usize) -> Instant {
        let expiries = self
            .events
            .iter()
            .map(|&event| event + self.period)
            .filter(|&at| at > from);
        std::iter::once(from)
            .chain(expiries)
            .find(|&at| self.fits_at(at, count))
            .unwrap_or(from)
    }

    fn record(&mut self, at: Instant, count: usize) {
        let index = self.events.partition_point(|&event| event <= at);
        for _ in 0..count {
            self.events.insert(index, at);
        }
    }

    /// A batch larger than the whole window is treated as filling it, so it
    /// waits for an empty window instead of forever.
    fn cap(&self, count: u32) -> usize {
        (count as usize).min(self.capacity)
    }
}

/// How often idle chats are dropped from memory.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct State {
    global: Option<Window>,
    chats: HashMap<i64, Window>,
    /// Chats Telegram told us (with a 429) to leave alone until then.
    paused: HashMap<i64, Instant>,
    next_sweep: Instant,
}

#[derive(Debug)]
struct Inner {
    limits: Limits,
    state: Mutex<State>,
}

/// Shared by every sender; cheap to clone.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

/// The chat's window cost of `count` messages: a private chat counts one
/// call as one message even for an album, a group every message.
fn chat_cost(chat_id: i64, count: u32) -> u32 {
    if is_group(chat_id) {
        count
    } else {
        count.min(1)
    }
}

impl RateLimiter {
    pub fn new(limits: Limits) -> Self {
        Self {
            inner: Arc::new(Inner {
                limits,
                state: Mutex::new(State {
                    global: limits.global_window(),
                    chats: HashMap::new(),
                    paused: HashMap::new(),
                    next_sweep: Instant::now() + SWEEP_EVERY,
                }),
            }),
        }
    }

    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// Waits until `count` messages may go into `chat_id` (negative ids are
    /// groups, positive are private chats), then records them. Never holds a
    /// lock across an await; one chat's wait never delays another chat.
    ///
    /// `count` is the number of messages the call produces (an album of ten
    /// is ten). All of them count toward the global and a group's limit; a
    /// private chat counts the call once. `0` returns at once.
    ///
    /// The slot is reserved before sleeping, so concurrent callers for one
    /// chat are served in the order they arrived. A caller dropped while
    /// waiting keeps its slot, which only ever makes the limiter more careful.
    pub async fn acquire(&self, chat_id: i64, count: u32) {
        let at = self.reserve_at(chat_id, count);
        if at > Instant::now() {
            tokio::time::sleep_until(at).await;
        }
    }

    /// Reserves the earliest slot for `count` messages into `chat_id` and
    /// returns it; the caller waits until then.
    pub fn reserve_at(&self, chat_id: i64, count: u32) -> Instant {
        if count == 0 {
            return Instant::now();
        }
        self.schedule(chat_id, count, true)
    }

    /// Telegram answered a call into `chat_id` with "retry after `wait`":
    /// nothing goes there before then.
    pub fn pause(&self, chat_id: i64, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let paused = state.paused.entry(chat_id).or_insert(until);
        *paused = (*paused).max(until);
    }

    /// How long `acquire` would wait now (for deciding to batch).
    pub fn delay_for(&self, chat_id: i64, count: u32) -> Duration {
        if count == 0 {
            return Duration::ZERO;
        }
        let at = self.schedule(chat_id, count, false);
        at.saturating_duration_since(Instant::now())
    }

    /// The earliest moment `count` messages may go into `chat_id`,
    /// reserving it when `reserve` is set.
    fn schedule(&self, chat_id: i64, count: u32, reserve: bool) -> Instant {
        let limits = self.inner.limits;
        let now = Instant::now();
        let mut guard = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let state = &mut *guard;

        if now >= state.next_sweep {
            state.paused.retain(|_, until| *until > now);
            state.chats.retain(|_, window| {
                window.prune(now);
                !window.events.is_empty()
            });
            state.next_sweep = now + SWEEP_EVERY;
        }

        // The chat's own window first. Its reservations are in order, so
        // the chat may send from its last reservation on, once enough of its
        // earlier messages have left the window.
        let mut chat_window = if reserve {
            match state.chats.entry(chat_id) {
                Entry::Occupied(entry) => Some(entry.into_mut()),
                Entry::Vacant(entry) => limits
                    .chat_window(chat_id)
                    .map(|window| entry.insert(window)),
            }
        } else {
            state.chats.get_mut(&chat_id)
        };
        if let Some(window) = chat_window.as_deref_mut() {
            window.prune(now);
        }
        let chat_slots = chat_window
            .as_ref()
            .map(|window| window.cap(chat_cost(chat_id, count)));
        let mut at = state.paused.get(&chat_id).copied().unwrap_or(now).max(now);
        if let (Some(window), Some(cost)) = (chat_window.as_deref(), chat_slots) {
            let from = window.events.back().map_or(at, |&last| last.max(at));
            at = window.earliest(from, cost);
        }

        // Then the global window, which holds reservations of many chats at
        // various future moments: a group waiting a minute occupies the
        // global window only a minute from now, not at present.
        let mut global_cost = 0;
        if let Some(global) = state.global.as_mut() {
            global.prune(now);
            global_cost = global.cap(count);
            at = global.earliest(at, global_cost);
        }

        if reserve {
            if let (Some(window), Some(cost)) = (chat_window, chat_slots) {
                window.record(at, cost);
            }
            if let Some(global) = state.global.as_mut() {
                global.record(at, global_cost);
            }
        }
        at
    }
}

#[cfg(test)]
mod tests;
