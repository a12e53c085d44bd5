//! The in-process backend: a map behind a std mutex, with expiry instants.
//!
//! For a single instance with no services, where "shared" state only has to be
//! shared between tasks of one process. Semantics follow the Redis backend:
//! an expired entry is invisible at once (every read checks its instant), and
//! expired entries are purged so memory stays bounded however many distinct
//! keys pass through (dedup keys are one per bridged message).
//!
//! Purging needs no background task (so [`MemoryStore::new`] needs no runtime
//! and nothing outlives the store): reads drop the expired entry they meet,
//! and writes sweep the whole map when it has doubled since the last sweep
//! or a minute has passed. Doubling keeps the sweep's cost amortised O(1)
//! per write and the map within about twice its live size.
//!
//! The lock is a `std::sync::Mutex`, held only for a map operation and never
//! across an `.await` (no method here is async), which is cheaper than an
//! async mutex for such short critical sections.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::snapshot::Snapshot;
use super::ttl_millis;

/// Below this many entries, growth alone never triggers a sweep.
const MIN_SWEEP_LEN: usize = 1024;
/// A write sweeps at least this often, so expired keys do not linger in a map
/// that stopped growing.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub(crate) struct MemoryStore {
    state: Arc<Mutex<State>>,
    /// Where covered keys are saved, if anywhere.
    snapshot: Option<Arc<Snapshot>>,
}

struct State {
    entries: HashMap<String, Entry>,
    /// Sweep when the map reaches this size...
    sweep_at_len: usize,
    /// ...or when a write happens after this instant.
    sweep_after: Instant,
}

struct Entry {
    value: String,
    expires_at: Option<Instant>,
}

impl Entry {
    fn is_live(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

/// The instant a TTL ends, with the same millisecond rounding as Redis; `None`
/// (never) if it lies beyond what `Instant` can represent.
fn expiry(now: Instant, ttl: Duration) -> Option<Instant> {
    now.checked_add(Duration::from_millis(ttl_millis(ttl)))
}

impl MemoryStore {
    pub(crate) fn new() -> MemoryStore {
        MemoryStore {
            state: Arc::new(Mutex::new(State {
                entries: HashMap::new(),
                sweep_at_len: MIN_SWEEP_LEN,
                sweep_after: Instant::now() + SWEEP_INTERVAL,
            })),
            snapshot: None,
        }
    }

    /// A store whose keys covered by `snapshot` survive restarts.
    pub(crate) fn with_snapshot(snapshot: Snapshot) -> MemoryStore {
        let mut store = Self::new();
        {
            let now = Instant::now();
            let mut state = store.lock();
            for (key, value, expires_at) in snapshot.load() {
                state.insert(now, &key, &value, expires_at);
            }
        }
        store.snapshot = Some(Arc::new(snapshot));
        store
    }

    /// Saves the covered keys after `key` changed, when `key` is covered.
    fn saved_after_change(&self, key: &str, state: &State) {
        if let Some(snapshot) = &self.snapshot
            && snapshot.covers(key)
        {
            snapshot.save(
                state
                    .entries
                    .iter()
                    .map(|(k, e)| (k, e.value.as_str(), e.expires_at)),
            );
        }
    }

    /// The map is consistent after every operation (none of them can panic
    /// half-way), so a poisoned mutex is safe to keep using; a store that
    /// panicked every caller after one unrelated panic would be worse.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> bool {
        let now = Instant::now();
        let mut state = self.lock();
        if state.entries.get(key).is_some_and(|e| e.is_live(now)) {
            return false;
        }
        state.insert(now, key, value, expiry(now, ttl));
        true
    }

    pub(crate) fn get(&self, key: &str) -> Option<String> {
        let now = Instant::now();
        let mut state = self.lock();
        match state.entries.get(key) {
            Some(entry) if entry.is_live(now) => Some(entry.value.clone()),
            Some(_) => {
                state.entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub(crate) fn set(&self, key: &str, value: &str, ttl: Option<Duration>) {
        let now = Instant::now();
        let expires_at = ttl.and_then(|ttl| expiry(now, ttl));
        let mut state = self.lock();
        state.insert(now, key, value, expires_at);
        self.saved_after_change(key, &state);
    }

    pub(crate) fn delete(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut state = self.lock();
        let removed = state.entries.remove(key).is_some_and(|e| e.is_live(now));
        self.saved_after_change(key, &state);
        removed
    }

    pub(crate) fn delete_if_equals(&self, key: &str, value: &str) -> bool {
        let now = Instant::now();
        let mut state = self.lock();
        let Some(entry) = state.entries.get(key) else {
            return false;
        };
        let (live, owned) = (entry.is_live(now), entry.value == value);
        // Remove it if it is ours, or if it expired anyway; never someone else's.
        if owned || !live {
            state.entries.remove(key);
        }
        live && owned
    }

    pub(crate) fn extend_if_equals(&self, key: &str, value: &str, ttl: Duration) -> bool {
        let now = Instant::now();
        let mut state = self.lock();
        match state.entries.get_mut(key) {
            Some(entry) if entry.is_live(now) && entry.value == value => {
                entry.expires_at = expiry(now, ttl);
                true
            }
            _ => false,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

impl State {
    fn insert(&mut self, now: Instant, key: &str, value: &str, expires_at: Option<Instant>) {
        if self.entries.len() >= self.sweep_at_len || now >= self.sweep_after {
            self.sweep(now);
        }
        self.entries.insert(
            key.to_owned(),
            Entry {
                value: value.to_owned(),
                expires_at,
            },
        );
    }

    fn sweep(&mut self, now: Instant) {
        self.entries.retain(|_, e| e.is_live(now));
        if self.entries.capacity() > 4 * self.entries.len().max(MIN_SWEEP_LEN) {
            self.entries.shrink_to_fit();
        }
        self.sweep_at_len = (2 * self.entries.len()).max(MIN_SWEEP_LEN);
        self.sweep_after = now + SWEEP_INTERVAL;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_entries_are_purged_so_many_short_lived_keys_stay_bounded() {
        let store = MemoryStore::new();
        let ttl = Duration::from_millis(1);
        let mut max_len = 0;
        for round in 0..50 {
            for i in 0..1_000 {
                assert!(store.set_nx(&format!("k{round}:{i}"), "1", ttl));
            }
            max_len = max_len.max(store.len());
            std::thread::sleep(Duration::from_millis(2));
        }
        // 50 000 keys went through; the live set never exceeds 1 000, so
        // sweeping on doubling keeps the map within a small multiple of that.
        assert!(
            max_len <= 2 * MIN_SWEEP_LEN + 1_000,
            "map grew to {max_len}"
        );
    }

    #[test]
    fn live_entries_survive_a_sweep() {
        let store = MemoryStore::new();
        store.set("keep", "v", None);
        for i in 0..(3 * MIN_SWEEP_LEN) {
            store.set(&format!("short{i}"), "1", Some(Duration::from_millis(1)));
        }
        std::thread::sleep(Duration::from_millis(2));
        for i in 0..(3 * MIN_SWEEP_LEN) {
            store.set(&format!("next{i}"), "1", Some(Duration::from_secs(60)));
        }
        assert_eq!(store.get("keep").as_deref(), Some("v"));
        assert!(store.len() < 5 * MIN_SWEEP_LEN, "map holds {}", store.len());
    }

    #[test]
    fn an_absurd_ttl_does_not_overflow() {
        let store = MemoryStore::new();
        assert!(store.set_nx("k", "1", Duration::MAX));
        assert!(!store.set_nx("k", "1", Duration::MAX));
    }
}
