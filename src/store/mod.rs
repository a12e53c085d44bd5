//! Short-lived shared state (dedup keys, locks, caches, conversation state).
//!
//! In production this is Redis, so that several bot instances agree on which
//! message was already bridged, who holds a lock and where a user stands in a
//! conversation. A small team runs a single instance with `cargo run` and no
//! services, so there is also an in-process implementation with the same
//! semantics. Callers see one type, [`Store`], and never learn which backend
//! they talk to except through [`Store::kind`] (for the startup log line).
//!
//! Every key is `{prefix}{namespace}{key}`. The prefix is configurable
//! (e.g. `topicdesk:`) so two deployments — or two tests — can share one
//! Redis without seeing each other's keys; the namespaces keep the roles
//! apart so that a cache key can never collide with a lock of the same name.
//!
//! Durations are rounded up to whole milliseconds (Redis' resolution, used by
//! both backends so they behave alike); a zero TTL counts as 1 ms.

mod flood;
mod memory;
mod presence;
mod redis;
mod snapshot;

pub use flood::SharedFloodGate;
pub use presence::Presence;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use self::memory::MemoryStore;
use self::redis::RedisStore;

/// How long a dedup claim lives: long enough to cover Telegram's redelivery of
/// an update and our own retries, short enough that the keys do not pile up.
pub const DEDUP_TTL: Duration = Duration::from_secs(2 * 60 * 60);

const NS_DEDUP: &str = "fwd:";
const NS_LOCK: &str = "lock:";
const NS_CACHE: &str = "cache:";
const NS_FSM: &str = "fsm:";

/// Boxed cause of a [`StoreError`]; keeps backend types out of the public API.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a store operation failed.
///
/// The split that matters to callers is [`StoreError::is_unavailable`]: an
/// unavailable store is a transient condition (Redis restarting, network
/// blip, pool exhausted) that readiness checks report and retries may wait
/// out; anything else is a bug or a misconfiguration and will not heal by
/// itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend could not be reached in time: connection refused or
    /// dropped, a timeout, or no free connection. Transient.
    #[error("{backend} is unavailable")]
    Unavailable {
        /// The backend, e.g. `redis at redis://127.0.0.1:6379` (never with a password).
        backend: String,
        #[source]
        source: BoxError,
    },
    /// The backend answered, but with an error (wrong value type, script
    /// failure, a value that is not UTF-8, ...).
    #[error("{backend} rejected `{operation}`")]
    Command {
        /// The backend, as in [`StoreError::Unavailable`].
        backend: String,
        /// The operation that failed, e.g. `SET NX`.
        operation: &'static str,
        #[source]
        source: BoxError,
    },
    /// The store could not be set up from its configuration (e.g. a malformed URL).
    #[error("invalid store configuration: {0}")]
    Config(String),
    /// A value could not be serialized to JSON for the cache.
    #[error("could not encode the value for cache key `{key}` as JSON")]
    Encode {
        /// The caller's cache key (without prefix and namespace).
        key: String,
        #[source]
        source: serde_json::Error,
    },
}

impl StoreError {
    /// True when the backend could not be reached; see [`StoreError::Unavailable`].
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}

/// The shared-state store: Redis or in-process, chosen once at startup.
///
/// Cheap to clone (an `Arc` or a pool handle inside); clones share the same
/// data. Every operation is namespaced under the store's prefix.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    prefix: Arc<str>,
}

/// An enum rather than a trait object: there are exactly two backends and
/// each operation is a one-line dispatch, so no `async_trait`/`dyn` is needed.
#[derive(Clone)]
enum Backend {
    Memory(MemoryStore),
    Redis(RedisStore),
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Store");
        s.field("kind", &self.kind())
            .field("prefix", &&*self.prefix);
        if let Backend::Redis(r) = &self.backend {
            s.field("url", &r.redacted_url());
        }
        s.finish()
    }
}

/// A held lock, returned by [`Store::try_lock`].
///
/// It carries a random owner token: [`Store::unlock`] removes the lock only if
/// the token still matches, so a holder whose lock expired (and was taken by
/// someone else) cannot release the new owner's lock. Dropping a `Lock`
/// without unlocking leaves it in place until its TTL runs out.
#[derive(Debug)]
#[must_use = "a lock stays held until its TTL runs out unless passed to Store::unlock"]
pub struct Lock {
    name: String,
    key: String,
    token: String,
    ttl: Duration,
}

impl Lock {
    /// The name the lock was taken under (without prefix and namespace).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The TTL the lock was taken with; it expires this long after [`Store::try_lock`].
    pub fn ttl(&self) -> Duration {
        self.ttl
    }
}

impl Store {
    /// A store that lives in this process only.
    ///
    /// For the single-instance setup (`cargo run` with no services). Each call
    /// creates a new, independent store: two instances never see each other's
    /// keys, even with the same prefix. Clone the `Store` to share it.
    /// An in-process store whose conversation state (`fsm:`) is saved to
    /// `state_file` after every change and read back at start, so a survey
    /// survives a restart as it would with Redis.
    pub fn in_process_saved(prefix: impl Into<String>, state_file: std::path::PathBuf) -> Store {
        let prefix: String = prefix.into();
        let snapshot = snapshot::Snapshot::new(state_file, format!("{prefix}{NS_FSM}"));
        Store {
            backend: Backend::Memory(MemoryStore::with_snapshot(snapshot)),
            prefix: prefix.into(),
        }
    }

    pub fn in_process(prefix: impl Into<String>) -> Store {
        Store {
            backend: Backend::Memory(MemoryStore::new()),
            prefix: prefix.into().into(),
        }
    }

    /// A store backed by Redis at `url` (e.g. `redis://:password@redis:6379/0`).
    ///
    /// Connects once before returning, so a wrong URL or a Redis that is down
    /// fails at startup with an error naming the URL (password redacted)
    /// rather than at the first message. Timeouts are short, so this fails
    /// within a few seconds instead of hanging. Later outages surface as
    /// [`StoreError::Unavailable`] per operation, and the store recovers by
    /// itself when Redis is back.
    pub async fn redis(url: &str, prefix: impl Into<String>) -> Result<Store, StoreError> {
        let backend = RedisStore::connect(url).await?;
        Ok(Store {
            backend: Backend::Redis(backend),
            prefix: prefix.into().into(),
        })
    }

    /// The same backend under another prefix (shares data and connections).
    ///
    /// Keys written through one view are invisible through a view with a
    /// different prefix, exactly as for two deployments sharing one Redis.
    pub fn with_prefix(&self, prefix: impl Into<String>) -> Store {
        Store {
            backend: self.backend.clone(),
            prefix: prefix.into().into(),
        }
    }

    /// The backend's name for logs: `"redis"` or `"in-process"`.
    pub fn kind(&self) -> &'static str {
        match &self.backend {
            Backend::Memory(_) => "in-process",
            Backend::Redis(_) => "redis",
        }
    }

    /// The prefix every key of this store starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Readiness check: Ok when the backend answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Memory(_) => Ok(()),
            Backend::Redis(r) => r.ping().await,
        }
    }

    fn key(&self, namespace: &str, key: &str) -> String {
        let mut full = String::with_capacity(self.prefix.len() + namespace.len() + key.len());
        full.push_str(&self.prefix);
        full.push_str(namespace);
        full.push_str(key);
        full
    }

    // ---- raw operations on full keys, dispatched to the backend ----

    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Memory(m) => Ok(m.set_nx(key, value, ttl)),
            Backend::Redis(r) => r.set_nx(key, value, ttl).await,
        }
    }

    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match &self.backend {
            Backend::Memory(m) => Ok(m.get(key)),
            Backend::Redis(r) => r.get(key).await,
        }
    }

    async fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Memory(m) => {
                m.set(key, value, ttl);
                Ok(())
            }
            Backend::Redis(r) => r.set(key, value, ttl).await,
        }
    }

    async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Memory(m) => Ok(m.delete(key)),
            Backend::Redis(r) => r.delete(key).await,
        }
    }

    async fn delete_if_equals(&self, key: &str, value: &str) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Memory(m) => Ok(m.delete_if_equals(key, value)),
            Backend::Redis(r) => r.delete_if_equals(key, value).await,
        }
    }

    async fn extend_if_equals(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Memory(m) => Ok(m.extend_if_equals(key, value, ttl)),
            Backend::Redis(r) => r.extend_if_equals(key, value, ttl).await,
        }
    }

    // ---- dedup ----

    /// Claims `key` for `ttl`: true only for the first caller within the TTL.
    ///
    /// (A bridged message goes out once because of the outbox's unique
    /// dedup keys in the database, not through this.) Atomic: of many
    /// concurrent callers exactly one gets `true`.
    pub async fn claim_once(&self, key: &str, ttl: Duration) -> Result<bool, StoreError> {
        self.set_nx(&self.key(NS_DEDUP, key), "1", ttl).await
    }

    // ---- locks ----

    /// Takes the lock `name` for `ttl`, or returns `None` if someone holds it.
    ///
    /// The TTL is the safety net for a holder that crashes: keep it longer
    /// than the work it guards, since after it the lock can be taken again.
    pub async fn try_lock(&self, name: &str, ttl: Duration) -> Result<Option<Lock>, StoreError> {
        let key = self.key(NS_LOCK, name);
        let token = uuid::Uuid::new_v4().simple().to_string();
        if self.set_nx(&key, &token, ttl).await? {
            Ok(Some(Lock {
                name: name.to_owned(),
                key,
                token,
                ttl,
            }))
        } else {
            Ok(None)
        }
    }

    /// Releases `lock` if the caller still owns it.
    ///
    /// Returns false when the lock had expired (and perhaps was taken by
    /// someone else, whose lock stays in place). The check and the delete are
    /// one atomic step, so a lock taken in between is never removed.
    pub async fn unlock(&self, lock: Lock) -> Result<bool, StoreError> {
        self.delete_if_equals(&lock.key, &lock.token).await
    }

    /// Keeps `lock` for another `ttl` from now, if the caller still owns it;
    /// false when it had expired (someone else may hold it now).
    pub async fn extend(&self, lock: &Lock) -> Result<bool, StoreError> {
        self.extend_if_equals(&lock.key, &lock.token, lock.ttl)
            .await
    }

    /// Runs `work` while holding the lock `name`; `Ok(None)` if it is taken.
    ///
    /// The lock is released afterwards. A failure to release is only logged:
    /// the work has already happened and the lock expires by its TTL anyway.
    /// If `work` panics or is cancelled, the lock likewise expires by its TTL.
    pub async fn with_lock<T, Fut>(
        &self,
        name: &str,
        ttl: Duration,
        work: impl FnOnce() -> Fut,
    ) -> Result<Option<T>, StoreError>
    where
        Fut: Future<Output = T>,
    {
        let Some(lock) = self.try_lock(name, ttl).await? else {
            return Ok(None);
        };
        let out = work().await;
        match self.unlock(lock).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                lock = name,
                ttl_ms = ttl.as_millis() as u64,
                "lock expired before the work finished; consider a longer TTL"
            ),
            Err(error) => tracing::warn!(
                lock = name,
                error = &error as &(dyn std::error::Error + 'static),
                "could not release lock; it will expire by its TTL"
            ),
        }
        Ok(Some(out))
    }

    // ---- cache ----

    /// The cached string under `key`, if present and not expired.
    pub async fn cache_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.get(&self.key(NS_CACHE, key)).await
    }

    /// Caches `value` under `key` for `ttl`, replacing any previous value.
    pub async fn cache_set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StoreError> {
        self.set(&self.key(NS_CACHE, key), value, Some(ttl)).await
    }

    /// Removes `key` from the cache; true if it was there.
    pub async fn cache_delete(&self, key: &str) -> Result<bool, StoreError> {
        self.delete(&self.key(NS_CACHE, key)).await
    }

    /// The cached JSON value under `key`, decoded as `T`.
    ///
    /// A value that no longer decodes (typically after a deploy changed `T`)
    /// is treated as a miss and dropped, so a cache never turns a schema
    /// change into a run of errors until its entries expire.
    pub async fn cache_get_json<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let full = self.key(NS_CACHE, key);
        let Some(raw) = self.get(&full).await? else {
            return Ok(None);
        };
        match serde_json::from_str(&raw) {
            Ok(value) => Ok(Some(value)),
            Err(error) => {
                tracing::warn!(
                    cache_key = key,
                    error = &error as &(dyn std::error::Error + 'static),
                    "dropping cache entry that does not decode"
                );
                self.delete(&full).await?;
                Ok(None)
            }
        }
    }

    /// Caches `value` as JSON under `key` for `ttl`.
    pub async fn cache_set_json<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let raw = serde_json::to_string(value).map_err(|source| StoreError::Encode {
            key: key.to_owned(),
            source,
        })?;
        self.cache_set(key, &raw, ttl).await
    }

    // ---- conversation state ----

    /// The conversation state of Telegram user `user_id` (callers store JSON).
    pub async fn fsm_get(&self, user_id: i64) -> Result<Option<String>, StoreError> {
        self.get(&self.fsm_key(user_id)).await
    }

    /// Sets the conversation state of `user_id`, replacing the previous one.
    ///
    /// With `ttl`, the state disappears after it (an abandoned survey should
    /// not greet the user weeks later); with `None` it stays until
    /// [`Store::fsm_clear`], even if the previous state had a TTL.
    pub async fn fsm_set(
        &self,
        user_id: i64,
        state: &str,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        self.set(&self.fsm_key(user_id), state, ttl).await
    }

    /// Forgets the conversation state of `user_id`; true if there was one.
    pub async fn fsm_clear(&self, user_id: i64) -> Result<bool, StoreError> {
        self.delete(&self.fsm_key(user_id)).await
    }

    fn fsm_key(&self, user_id: i64) -> String {
        self.key(NS_FSM, &user_id.to_string())
    }
}

/// Longest TTL honoured (about 140 000 years). Redis rejects expiry times
/// that overflow its clock, and `Instant + Duration::MAX` would panic, so an
/// absurd TTL is capped rather than turned into an error.
const MAX_TTL_MILLIS: u64 = 1 << 52;

/// A TTL in whole milliseconds, rounded up, at least 1 (Redis rejects `PX 0`).
fn ttl_millis(ttl: Duration) -> u64 {
    let millis = ttl.as_nanos().div_ceil(1_000_000).max(1);
    u64::try_from(millis).map_or(MAX_TTL_MILLIS, |m| m.min(MAX_TTL_MILLIS))
}
