//! Which instances of the bot are alive, through Redis: each one records
//! itself every second in one sorted set and learns how many others did.
//!
//! What it is for: with other instances around, an update must wait while
//! an older one of its chat is unfinished elsewhere, which costs a database
//! read per update (`intake::UpdateProcessor`). An instance that knows it is
//! alone can skip that read, and under a burst that is a sixth of what the
//! database does for a message. Knowing must be safe, so:
//!
//! - **A newcomer waits before it takes updates.** An instance that finds
//!   others alive when it first records itself takes no update for
//!   [`JOIN_WAIT`]: by then every other instance has recorded itself again,
//!   seen the newcomer, and stopped trusting that it is alone. An update a
//!   lone instance started without asking was stored before that, so an
//!   older update stored at the newcomer after it came out of order from
//!   Telegram, which waiting could not have mended either.
//! - **Being alone is trusted only briefly**: for [`TRUST`] after the
//!   recording that showed it (less than [`JOIN_WAIT`]), and only if no
//!   recording failed or showed company in the last [`PEER_MEMORY`], as long
//!   as an update waits for an older one on another instance anyway. An
//!   instance that died leaves its entry for [`ENTRY_TTL`], and its
//!   unfinished updates are still waited for as before.
//!
//! The in-process store has no presence: it serves a single instance, which
//! never asks the database about other instances' updates either.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::Script;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::redis::RedisStore;
use super::{Backend, Store};

const NS_PRESENCE: &str = "presence:";

/// How often an instance records itself.
const BEAT: Duration = Duration::from_secs(1);
/// An entry not renewed for this long is an instance that is gone.
const ENTRY_TTL: Duration = Duration::from_secs(3);
/// How long a recording that found nobody else is believed.
const TRUST: Duration = Duration::from_millis(1_500);
/// How long a newcomer that found others waits before taking updates: more
/// than `TRUST`, so each other instance has recorded itself since, or
/// stopped believing it is alone.
const JOIN_WAIT: Duration = Duration::from_secs(2);
/// After seeing another instance (or failing to look), this long passes
/// before an instance believes it is alone again: as long as an update
/// waits for an older one held elsewhere (`EARLIER_UPDATE_PATIENCE`).
const PEER_MEMORY: Duration = Duration::from_secs(30);

/// KEYS: the set of instances. ARGV: this instance's id, the entry's TTL
/// (ms). Records the instance at Redis' clock, drops entries older than the
/// TTL, and answers how many other instances are recorded.
const RECORD: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return redis.call('ZCARD', KEYS[1]) - 1
"#;

/// This instance's view of the others; cheap to clone.
#[derive(Clone)]
pub struct Presence {
    inner: Arc<Inner>,
}

struct Inner {
    redis: RedisStore,
    key: String,
    id: i64,
    record: Script,
    view: Mutex<View>,
    joined: watch::Sender<bool>,
}

#[derive(Default)]
struct View {
    /// When the last recording that found nobody else was sent.
    alone_at: Option<Instant>,
    /// When a recording last found company or failed.
    company_at: Option<Instant>,
    /// The last recording failed: the next failure is not logged again.
    failing: bool,
}

impl Presence {
    /// Starts recording this instance, until `shutdown`; `None` for the
    /// in-process store.
    pub fn start(store: &Store, shutdown: CancellationToken) -> Option<Presence> {
        let Backend::Redis(redis) = &store.backend else {
            return None;
        };
        let presence = Presence {
            inner: Arc::new(Inner {
                redis: redis.clone(),
                key: store.key(NS_PRESENCE, "instances"),
                id: (uuid::Uuid::new_v4().as_u64_pair().0 >> 1) as i64,
                record: Script::new(RECORD),
                view: Mutex::default(),
                joined: watch::Sender::new(false),
            }),
        };
        tokio::spawn(presence.clone().keep_recording(shutdown));
        Some(presence)
    }

    /// Whether this instance may take it that no other one is alive.
    pub fn is_alone(&self) -> bool {
        let view = self.view();
        let recent = view.alone_at.is_some_and(|at| at.elapsed() < TRUST);
        let forgot_company = view.company_at.is_none_or(|at| at.elapsed() >= PEER_MEMORY);
        recent && forgot_company
    }

    /// Whether this instance takes updates yet (`/readyz` says so, so that
    /// a load balancer sends a newcomer nothing before).
    pub fn has_joined(&self) -> bool {
        *self.inner.joined.borrow()
    }

    /// Returns once this instance may take updates (see the module's
    /// documentation); at once after the first few seconds.
    pub async fn joined(&self) {
        let mut joined = self.inner.joined.subscribe();
        // Only an error if the sender is gone, and it lives in `self`.
        let _ = joined.wait_for(|joined| *joined).await;
    }

    async fn keep_recording(self, shutdown: CancellationToken) {
        let mut first = true;
        loop {
            let alone = self.record().await;
            if first {
                first = false;
                if alone {
                    self.inner.joined.send_replace(true);
                } else {
                    // Counted from the answer: the others' recordings
                    // that missed this one were all sent before it.
                    let joined = self.inner.joined.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(JOIN_WAIT).await;
                        joined.send_replace(true);
                    });
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(BEAT) => {}
            }
        }
        self.leave().await;
    }

    /// Records this instance once; answers whether it found nobody else.
    async fn record(&self) -> bool {
        let sent = Instant::now();
        let answer = self
            .inner
            .redis
            .eval_int(
                &self.inner.record,
                &[&self.inner.key],
                &[self.inner.id, ENTRY_TTL.as_millis() as i64],
            )
            .await;
        let mut view = self.view();
        let was_failing = std::mem::replace(&mut view.failing, answer.is_err());
        match answer {
            Ok(others) => {
                if was_failing {
                    tracing::info!("this instance tells the others it is alive again");
                }
                if others == 0 {
                    view.alone_at = Some(sent);
                } else {
                    view.company_at = Some(Instant::now());
                }
                others == 0
            }
            Err(error) => {
                view.company_at = Some(Instant::now());
                drop(view);
                if !was_failing {
                    tracing::warn!(error = %error, "cannot tell the other instances this one is alive; it asks for earlier updates of a chat meanwhile");
                }
                false
            }
        }
    }

    /// Removes this instance's entry, so the others need not wait for it to
    /// expire (they still remember it for `PEER_MEMORY`).
    async fn leave(&self) {
        let removed = self
            .inner
            .redis
            .remove_member(&self.inner.key, self.inner.id)
            .await;
        if let Err(error) = removed {
            tracing::debug!(error = %error, "could not remove this instance from the presence set; it expires");
        }
    }

    fn view(&self) -> std::sync::MutexGuard<'_, View> {
        self.inner.view.lock().expect("presence view poisoned")
    }
}
