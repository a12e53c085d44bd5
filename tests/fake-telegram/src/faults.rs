//! Making things go wrong on purpose: injected errors, added latency, and
//! Telegram's flood limits enforced with 429s.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::api_error::ApiError;

/// An error the fake answers instead of running a call.
///
/// ```
/// use fake_telegram::Fault;
/// // The next two sendMessage calls into chat -1001 get a 429 with retry_after=3.
/// let fault = Fault::retry_after(3).on("sendMessage").in_chat(-1001).times(2);
/// # let _ = fault;
/// ```
#[derive(Clone, Debug)]
pub struct Fault {
    pub(crate) method: Option<String>,
    pub(crate) chat: Option<i64>,
    pub(crate) remaining: u32,
    pub(crate) error: ApiError,
}

impl Fault {
    /// 429 "Too Many Requests: retry after N" with `parameters.retry_after`.
    pub fn retry_after(secs: u32) -> Self {
        Self::from_error(ApiError::too_many_requests(secs))
    }

    /// 400 "Bad Request: message thread not found".
    pub fn thread_not_found() -> Self {
        Self::from_error(ApiError::thread_not_found())
    }

    /// 403 "Forbidden: bot was blocked by the user".
    pub fn blocked() -> Self {
        Self::from_error(ApiError::blocked())
    }

    /// 400 "Bad Request: message is too long".
    pub fn too_long() -> Self {
        Self::from_error(ApiError::text_too_long())
    }

    /// 400 "Bad Request: chat not found".
    pub fn chat_not_found() -> Self {
        Self::from_error(ApiError::chat_not_found())
    }

    /// Any status and description, e.g. `Fault::error(502, "Bad Gateway")`.
    /// A 5xx makes teloxide sleep 10 s before it reports the error.
    pub fn error(status: u16, description: impl Into<String>) -> Self {
        Self::from_error(ApiError::new(status, description))
    }

    fn from_error(error: ApiError) -> Self {
        Self {
            method: None,
            chat: None,
            remaining: 1,
            error,
        }
    }

    /// Only calls of this method (any case: `"sendMessage"`, `"SendMessage"`).
    /// Without it the fault matches every method.
    pub fn on(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_lowercase());
        self
    }

    /// Only calls whose `chat_id` is this chat.
    pub fn in_chat(mut self, chat_id: i64) -> Self {
        self.chat = Some(chat_id);
        self
    }

    /// Applies to this many matching calls (default 1).
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = n;
        self
    }
}

/// Injected faults, applied first-come first-served.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queue: Vec<Fault>,
}

impl Faults {
    pub fn push(&mut self, fault: Fault) {
        if fault.remaining > 0 {
            self.queue.push(fault);
        }
    }

    pub fn clear(&mut self) {
        self.queue.clear();
    }

    pub fn remaining(&self) -> u32 {
        self.queue.iter().map(|f| f.remaining).sum()
    }

    /// Takes one use of the first fault matching this call.
    pub fn take(&mut self, method: &str, chat_id: Option<i64>) -> Option<ApiError> {
        let pos = self.queue.iter().position(|f| {
            f.method.as_deref().is_none_or(|m| m == method)
                && f.chat.is_none_or(|c| Some(c) == chat_id)
        })?;
        let fault = &mut self.queue[pos];
        fault.remaining -= 1;
        let error = fault.error.clone();
        if fault.remaining == 0 {
            self.queue.remove(pos);
        }
        Some(error)
    }
}

/// Delay added before calls take effect.
#[derive(Debug, Default)]
pub(crate) struct Latency {
    pub global: Option<Duration>,
    pub per_method: HashMap<String, Duration>,
}

impl Latency {
    pub fn for_method(&self, method: &str) -> Option<Duration> {
        self.per_method.get(method).copied().or(self.global)
    }
}

/// Telegram's flood limits for message-producing calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Messages per second across all chats (Telegram: about 30).
    pub global_per_second: u32,
    /// Messages per minute into one group (Telegram: about 20).
    pub group_per_minute: u32,
    /// The window of `group_per_minute`: a minute, unless a test wants
    /// Telegram's minute to pass in seconds.
    pub group_window: Duration,
    /// Calls per second into one private chat (Telegram: about 1).
    pub private_per_second: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self::telegram()
    }
}

impl Limits {
    /// The documented limits: 30 msg/s overall, 20 msg/min per group,
    /// 1 msg/s per private chat.
    pub fn telegram() -> Self {
        Self {
            global_per_second: 30,
            group_per_minute: 20,
            group_window: Duration::from_secs(60),
            private_per_second: 1,
        }
    }
}

/// Sliding-window counters for [`Limits`].
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limits: Limits,
    global: VecDeque<Instant>,
    per_chat: HashMap<i64, VecDeque<Instant>>,
}

impl RateLimiter {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            global: VecDeque::new(),
            per_chat: HashMap::new(),
        }
    }

    fn window(&self, is_group: bool) -> Duration {
        if is_group {
            self.limits.group_window
        } else {
            Duration::from_secs(1)
        }
    }

    /// Checks whether `count` more messages may go into `chat` now; on
    /// refusal returns the retry_after Telegram would give. Private chats
    /// count one per call (an album is one burst).
    pub fn check(
        &mut self,
        chat: i64,
        is_group: bool,
        count: u32,
        now: Instant,
    ) -> Result<(), u32> {
        let second = Duration::from_secs(1);
        prune(&mut self.global, now, second);
        if self.global.len() as u32 + count > self.limits.global_per_second {
            return Err(wait_secs(&self.global, now, second));
        }
        let window = self.window(is_group);
        let limit = if is_group {
            self.limits.group_per_minute
        } else {
            self.limits.private_per_second
        };
        let chat_count = if is_group { count } else { 1 };
        let entries = self.per_chat.entry(chat).or_default();
        prune(entries, now, window);
        if entries.len() as u32 + chat_count > limit {
            return Err(wait_secs(entries, now, window));
        }
        Ok(())
    }

    /// Records `count` messages that did go into `chat`.
    pub fn record(&mut self, chat: i64, is_group: bool, count: u32, now: Instant) {
        for _ in 0..count {
            self.global.push_back(now);
        }
        let chat_count = if is_group { count } else { 1 };
        let entries = self.per_chat.entry(chat).or_default();
        for _ in 0..chat_count {
            entries.push_back(now);
        }
    }
}

fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
        q.pop_front();
    }
}

/// Whole seconds until the oldest entry leaves the window (at least 1).
fn wait_secs(q: &VecDeque<Instant>, now: Instant, window: Duration) -> u32 {
    let oldest = q.front().copied().unwrap_or(now);
    let left = window.saturating_sub(now.duration_since(oldest));
    (left.as_millis().div_ceil(1000) as u32).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_match_method_chat_and_count() {
        let mut f = Faults::default();
        f.push(Fault::blocked().on("SendMessage").in_chat(7).times(2));
        assert!(f.take("sendmessage", Some(8)).is_none());
        assert!(f.take("copymessage", Some(7)).is_none());
        assert_eq!(f.take("sendmessage", Some(7)).unwrap().status, 403);
        assert!(f.take("sendmessage", Some(7)).is_some());
        assert!(f.take("sendmessage", Some(7)).is_none());
    }

    #[test]
    fn limiter_allows_one_per_second_per_private_chat() {
        let mut l = RateLimiter::new(Limits::telegram());
        let t0 = Instant::now();
        assert!(l.check(1, false, 1, t0).is_ok());
        l.record(1, false, 1, t0);
        assert_eq!(l.check(1, false, 1, t0), Err(1));
        assert!(l.check(2, false, 1, t0).is_ok());
        assert!(
            l.check(1, false, 1, t0 + Duration::from_millis(1000))
                .is_ok()
        );
    }

    #[test]
    fn limiter_counts_group_messages_per_minute() {
        let mut l = RateLimiter::new(Limits::telegram());
        let t0 = Instant::now();
        for i in 0..20 {
            let t = t0 + Duration::from_millis(100 * i);
            assert!(l.check(-5, true, 1, t).is_ok());
            l.record(-5, true, 1, t);
        }
        let err = l
            .check(-5, true, 1, t0 + Duration::from_secs(3))
            .unwrap_err();
        assert_eq!(err, 57);
    }
}
