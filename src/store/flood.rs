//! Telegram's flood limits counted in Redis, so every instance of the bot
//! shares one window per chat and one overall: two instances must not each
//! send 20 messages a minute into the same main group.
//!
//! The windows follow the in-process limiter (`telegram::limits`) exactly:
//! sorted sets of send times (reservations in the future included); a
//! reservation takes the earliest moment at which every window containing it
//! stays within its limit. One Lua script reads, decides and records, so two
//! instances can never take the same slot, and Redis' clock is the one clock.
//! When Redis cannot be reached, the in-process limiter stands in, so the
//! bot keeps working (at worst Telegram answers a 429, which is waited out).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use tokio::time::Instant;

use super::{Backend, Store};
use crate::domain::limits::Limits;
use crate::telegram::FloodGate;
use crate::telegram::limits::RateLimiter;

const NS_FLOOD: &str = "flood:";

/// With the limits off, a reservation right after a look that found a
/// chat without a pause takes the look's word for this long instead of
/// asking Redis again. Only a call into a chat earns it a 429, and only the
/// instance holding the chat's lane sends into it; that instance records its
/// own pauses in process at once (`FloodGate::pause`), and each lane step
/// starts with a look (`delay_for`), which always asks Redis, so a pause
/// another instance got before the lane changed hands is seen. Before, every
/// call asked Redis twice for the same answer.
const NO_PAUSE_MEMO: Duration = Duration::from_millis(250);
/// Chats remembered without a pause at most; past it, stale ones go.
const NO_PAUSE_MEMO_CHATS: usize = 4_096;

/// KEYS: chat window, global window, chat pause. ARGV: chat capacity, chat
/// period (ms), chat cost, global capacity, global period (ms), global cost,
/// reserve (0/1), a unique number for this reservation. Returns the wait in
/// ms.
const RESERVE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function load(key, period)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
  local items = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  local events = {}
  for i = 2, #items, 2 do events[#events + 1] = tonumber(items[i]) end
  return events
end
local function count_ending_at(events, period, e)
  local c = 0
  for _, at in ipairs(events) do
    if at <= e and at + period > e then c = c + 1 end
  end
  return c
end
local function fits(events, capacity, period, at, cost)
  if count_ending_at(events, period, at) + cost > capacity then return false end
  for _, ev in ipairs(events) do
    if ev > at and ev < at + period and count_ending_at(events, period, ev) + cost > capacity then
      return false
    end
  end
  return true
end
local function earliest(events, capacity, period, from, cost)
  if fits(events, capacity, period, from, cost) then return from end
  for _, ev in ipairs(events) do
    local candidate = ev + period
    if candidate > from and fits(events, capacity, period, candidate, cost) then return candidate end
  end
  return from
end
local chat_cap, chat_period, chat_cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local global_cap, global_period, global_cost = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local at = now
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > at then at = paused end
if chat_cap > 0 and chat_cost > 0 then
  local events = load(KEYS[1], chat_period)
  local from = at
  if #events > 0 and events[#events] > from then from = events[#events] end
  at = earliest(events, chat_cap, chat_period, from, chat_cost)
end
if global_cap > 0 and global_cost > 0 then
  local events = load(KEYS[2], global_period)
  at = earliest(events, global_cap, global_period, at, global_cost)
end
if ARGV[7] == '1' then
  for i = 1, chat_cost do
    if chat_cap > 0 then redis.call('ZADD', KEYS[1], at, ARGV[8] .. ':' .. i) end
  end
  for i = 1, global_cost do
    if global_cap > 0 then redis.call('ZADD', KEYS[2], at, ARGV[8] .. ':' .. i) end
  end
  if chat_cap > 0 then redis.call('PEXPIRE', KEYS[1], at - now + chat_period + 1000) end
  if global_cap > 0 then redis.call('PEXPIRE', KEYS[2], at - now + global_period + 1000) end
end
return at - now
"#;

/// KEYS: chat pause. ARGV: wait (ms). Keeps the later of two pauses.
const PAUSE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilms = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current > untilms then untilms = current end
redis.call('SET', KEYS[1], untilms, 'PX', untilms - now + 1)
return untilms - now
"#;

/// The flood gate shared through Redis.
#[derive(Clone)]
pub struct SharedFloodGate {
    store: Store,
    limits: Limits,
    reserve: Arc<Script>,
    pause: Arc<Script>,
    /// Stands in while Redis cannot be reached, and holds this instance's
    /// own pauses.
    local: RateLimiter,
    /// With the limits off: when each chat was last found without a pause
    /// in Redis (see `NO_PAUSE_MEMO`).
    no_pause_seen: Arc<Mutex<HashMap<i64, Instant>>>,
}

impl SharedFloodGate {
    /// A gate on `store`'s Redis; `None` for the in-process store, where the
    /// in-process limiter is the right one.
    pub fn new(store: &Store, limits: Limits) -> Option<Self> {
        matches!(store.backend, Backend::Redis(_)).then(|| Self {
            store: store.clone(),
            limits,
            reserve: Arc::new(Script::new(RESERVE)),
            pause: Arc::new(Script::new(PAUSE)),
            local: RateLimiter::new(limits),
            no_pause_seen: Arc::default(),
        })
    }

    async fn ask(&self, chat: i64, count: u32, reserve: bool) -> Option<Duration> {
        let Backend::Redis(redis) = &self.store.backend else {
            return None;
        };
        let limits = self.limits;
        if !limits.count_into(chat) {
            return self.pause_left(chat, reserve).await;
        }
        let margin = limits.margin.as_millis() as i64;
        let chat_capacity = self.chat_capacity(chat);
        let chat_period = if chat < 0 {
            limits.group_window.as_millis() as i64 + margin
        } else {
            1_000 + margin
        };
        // A private chat counts one call as one message, a group every one;
        // a batch larger than a window counts as filling it.
        let chat_cost = if chat < 0 { count } else { count.min(1) }.min(chat_capacity);
        let global_cost = count.min(limits.global_per_second);
        let chat_key = self.store.key(NS_FLOOD, &format!("chat:{chat}"));
        let global_key = self.store.key(NS_FLOOD, "global");
        let pause_key = self.store.key(NS_FLOOD, &format!("pause:{chat}"));
        let unique = (uuid::Uuid::new_v4().as_u128() & 0x7fff_ffff_ffff_ffff) as i64;
        let answer = redis
            .eval_int(
                &self.reserve,
                &[&chat_key, &global_key, &pause_key],
                &[
                    i64::from(chat_capacity),
                    chat_period,
                    i64::from(chat_cost),
                    i64::from(limits.global_per_second),
                    1_000 + margin,
                    i64::from(global_cost),
                    i64::from(reserve),
                    unique,
                ],
            )
            .await;
        match answer {
            Ok(wait) => Some(Duration::from_millis(wait.max(0) as u64)),
            Err(error) => {
                tracing::warn!(error = %error, "shared flood limits unavailable; counting in this process");
                None
            }
        }
    }

    fn chat_capacity(&self, chat: i64) -> u32 {
        if chat < 0 {
            self.limits.group_per_minute
        } else {
            self.limits.private_per_second
        }
    }

    /// With nothing to count (the limits are off), only a 429's pause can
    /// hold a chat: this instance's own, kept in process, or one another
    /// instance recorded in Redis. A reservation (`reserving`) may take the
    /// word of a recent look (see `NO_PAUSE_MEMO`). The pause's key expires
    /// when the pause ends, so its time to live is the wait: one plain
    /// command instead of the script, which costs Redis tens of
    /// microseconds a call.
    async fn pause_left(&self, chat: i64, reserving: bool) -> Option<Duration> {
        let Backend::Redis(redis) = &self.store.backend else {
            return None;
        };
        let own = self.local.delay_for(chat, 1);
        if !own.is_zero() {
            return Some(own);
        }
        if reserving && self.no_pause_lately(chat) {
            return Some(Duration::ZERO);
        }
        let asked = Instant::now();
        let key = self.store.key(NS_FLOOD, &format!("pause:{chat}"));
        match redis.time_to_live(&key).await {
            // The key outlives the pause by a millisecond (see PAUSE).
            Ok(wait) => {
                let wait = wait
                    .unwrap_or_default()
                    .saturating_sub(Duration::from_millis(1));
                if wait.is_zero() {
                    self.remember_no_pause(chat, asked);
                } else {
                    self.forget_no_pause(chat);
                }
                Some(wait)
            }
            Err(error) => {
                tracing::warn!(error = %error, "shared flood limits unavailable; counting in this process");
                None
            }
        }
    }

    fn no_pause_lately(&self, chat: i64) -> bool {
        let seen = self
            .no_pause_seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        seen.get(&chat)
            .is_some_and(|at| at.elapsed() < NO_PAUSE_MEMO)
    }

    fn remember_no_pause(&self, chat: i64, at: Instant) {
        let mut seen = self
            .no_pause_seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= NO_PAUSE_MEMO_CHATS {
            seen.retain(|_, seen_at| seen_at.elapsed() < NO_PAUSE_MEMO);
        }
        seen.insert(chat, at);
    }

    fn forget_no_pause(&self, chat: i64) {
        self.no_pause_seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&chat);
    }
}

#[async_trait]
impl FloodGate for SharedFloodGate {
    async fn reserve(&self, chat: i64, count: u32) -> Instant {
        if count == 0 {
            return Instant::now();
        }
        match self.ask(chat, count, true).await {
            Some(wait) => Instant::now() + wait,
            None => self.local.reserve_at(chat, count),
        }
    }

    async fn delay_for(&self, chat: i64, count: u32) -> Duration {
        if count == 0 {
            return Duration::ZERO;
        }
        match self.ask(chat, count, false).await {
            Some(wait) => wait,
            None => self.local.delay_for(chat, count),
        }
    }

    async fn pause(&self, chat: i64, wait: Duration) {
        self.local.pause(chat, wait);
        self.forget_no_pause(chat);
        let Backend::Redis(redis) = &self.store.backend else {
            return;
        };
        let key = self.store.key(NS_FLOOD, &format!("pause:{chat}"));
        let millis = wait.as_millis().min(i64::MAX as u128) as i64;
        if let Err(error) = redis.eval_int(&self.pause, &[&key], &[millis]).await {
            tracing::warn!(error = %error, "could not share a chat's pause with other instances");
        }
    }

    fn limits(&self) -> Limits {
        self.limits
    }
}
