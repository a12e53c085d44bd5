//! The store's contract, written once and run against both backends.
//!
//! Each behaviour is an `async fn` over `&Store`; the `contract!` macro turns
//! it into one test for the in-process store (always) and one for Redis
//! (when `TEST_REDIS_URL` is set, e.g. `redis://127.0.0.1:6379`; otherwise
//! the Redis variant returns early with a note). Every Redis test works under
//! its own random prefix and deletes its keys afterwards, even when it fails.
//!
//! TTLs are tens of milliseconds and expiry is awaited by polling for the
//! condition with a deadline, so the suite is fast and not timing-fragile:
//! assertions that must happen *within* a TTL use long TTLs, and expiry is
//! checked by "gone eventually, and not before the TTL".

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use topicdesk::store::{DEDUP_TTL, Presence, Store, StoreError};

/// A TTL meant to run out during the test.
const SHORT: Duration = Duration::from_millis(30);
/// A TTL meant to outlast the test.
const LONG: Duration = Duration::from_secs(60);
/// How long to wait for something that should happen after a short TTL.
const PATIENCE: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

macro_rules! contract {
    ($($behaviour:ident),+ $(,)?) => {
        mod in_process {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $behaviour() {
                    let store = super::Store::in_process("topicdesk-test:");
                    super::$behaviour(&store).await;
                }
            )+
        }

        /// The in-process store that saves conversation state to a file.
        mod in_process_saved {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $behaviour() {
                    let dir = tempfile::tempdir().unwrap();
                    let store = super::Store::in_process_saved(
                        "topicdesk-test:",
                        dir.path().join("state.json"),
                    );
                    super::$behaviour(&store).await;
                }
            )+
        }

        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $behaviour() {
                    let Some(fixture) = super::RedisFixture::start(stringify!($behaviour)).await
                    else {
                        return;
                    };
                    super::$behaviour(&fixture.store).await;
                }
            )+
        }
    };
}

contract!(
    a_dedup_key_is_claimed_only_once_within_its_ttl,
    a_dedup_key_can_be_claimed_again_after_its_ttl,
    concurrent_claims_of_one_key_have_exactly_one_winner,
    a_lock_excludes_a_second_owner_until_released,
    an_expired_lock_goes_to_the_next_owner_and_the_stale_owner_cannot_release_it,
    with_lock_runs_the_work_only_when_the_lock_is_free,
    the_cache_stores_replaces_and_deletes_strings,
    cache_entries_expire_after_their_ttl,
    json_values_round_trip_through_the_cache,
    a_cache_entry_that_no_longer_decodes_is_a_miss,
    conversation_state_is_kept_per_user,
    conversation_state_can_be_overwritten_and_cleared,
    conversation_state_with_a_ttl_expires_and_without_one_stays,
    namespaces_keep_dedup_locks_cache_and_state_apart,
    stores_with_different_prefixes_on_one_backend_do_not_see_each_others_keys,
    the_store_answers_ping,
);

/// Polls `condition` until it holds, failing the test after [`PATIENCE`].
async fn eventually(what: &str, mut condition: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if condition().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn redis_url() -> Option<String> {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A Redis-backed store under a fresh random prefix; deletes every key under
/// that prefix when dropped (also when the test panics).
struct RedisFixture {
    store: Store,
    url: String,
    prefix: String,
}

impl RedisFixture {
    async fn start(test: &str) -> Option<RedisFixture> {
        let Some(url) = redis_url() else {
            eprintln!("skipped redis::{test}: TEST_REDIS_URL is not set");
            return None;
        };
        let prefix = format!("topicdesk-test:{}:", uuid::Uuid::new_v4().simple());
        let store = Store::redis(&url, prefix.clone())
            .await
            .unwrap_or_else(|e| panic!("TEST_REDIS_URL is set but Redis is not usable: {e:?}"));
        Some(RedisFixture { store, url, prefix })
    }
}

impl Drop for RedisFixture {
    fn drop(&mut self) {
        // Synchronous on purpose: Drop cannot await, and this must run on panic too.
        let cleanup = || -> ::redis::RedisResult<()> {
            let client = ::redis::Client::open(self.url.as_str())?;
            let mut conn = client.get_connection_with_timeout(Duration::from_secs(2))?;
            let pattern = format!("{}*", self.prefix);
            let mut cursor = 0u64;
            loop {
                let (next, keys): (u64, Vec<String>) = ::redis::cmd("SCAN")
                    .cursor_arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query(&mut conn)?;
                if !keys.is_empty() {
                    let _: i64 = ::redis::cmd("DEL").arg(&keys).query(&mut conn)?;
                }
                if next == 0 {
                    return Ok(());
                }
                cursor = next;
            }
        };
        if let Err(e) = cleanup() {
            eprintln!("could not clean up keys under {}: {e}", self.prefix);
        }
    }
}

// ---------------------------------------------------------------------------
// Dedup
// ---------------------------------------------------------------------------

async fn a_dedup_key_is_claimed_only_once_within_its_ttl(store: &Store) {
    assert!(store.claim_once("msg:1", DEDUP_TTL).await.unwrap());
    assert!(!store.claim_once("msg:1", DEDUP_TTL).await.unwrap());
    assert!(!store.claim_once("msg:1", DEDUP_TTL).await.unwrap());
    assert!(
        store.claim_once("msg:2", DEDUP_TTL).await.unwrap(),
        "another key is claimed independently"
    );
}

async fn a_dedup_key_can_be_claimed_again_after_its_ttl(store: &Store) {
    let start = Instant::now();
    assert!(store.claim_once("msg:1", SHORT).await.unwrap());
    eventually("the claim expires", async || {
        store.claim_once("msg:1", LONG).await.unwrap()
    })
    .await;
    assert!(
        start.elapsed() >= SHORT,
        "claimed again after {:?}, before the TTL of {SHORT:?}",
        start.elapsed()
    );
    assert!(
        !store.claim_once("msg:1", LONG).await.unwrap(),
        "the new claim holds"
    );
}

async fn concurrent_claims_of_one_key_have_exactly_one_winner(store: &Store) {
    let tasks = 50;
    let barrier = Arc::new(tokio::sync::Barrier::new(tasks));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let store = store.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store.claim_once("contended", LONG).await.unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for handle in handles {
        if handle.await.unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1, "{winners} of {tasks} tasks claimed the key");
}

// ---------------------------------------------------------------------------
// Locks
// ---------------------------------------------------------------------------

async fn a_lock_excludes_a_second_owner_until_released(store: &Store) {
    let first = store
        .try_lock("ticket:7", LONG)
        .await
        .unwrap()
        .expect("free lock");
    assert_eq!(first.name(), "ticket:7");
    assert_eq!(first.ttl(), LONG);
    assert!(
        store.try_lock("ticket:7", LONG).await.unwrap().is_none(),
        "a held lock cannot be taken"
    );
    let other = store.try_lock("ticket:8", LONG).await.unwrap();
    assert!(other.is_some(), "another lock name is independent");

    assert!(store.unlock(first).await.unwrap(), "the owner releases");
    let second = store.try_lock("ticket:7", LONG).await.unwrap();
    assert!(second.is_some(), "a released lock can be taken again");
    assert!(store.unlock(second.unwrap()).await.unwrap());
    assert!(store.unlock(other.unwrap()).await.unwrap());
}

async fn an_expired_lock_goes_to_the_next_owner_and_the_stale_owner_cannot_release_it(
    store: &Store,
) {
    let start = Instant::now();
    let stale = store
        .try_lock("sheet-sync", SHORT)
        .await
        .unwrap()
        .expect("free lock");

    let mut next = None;
    eventually("the first lock expires", async || {
        next = store.try_lock("sheet-sync", LONG).await.unwrap();
        next.is_some()
    })
    .await;
    let next = next.unwrap();
    assert!(
        start.elapsed() >= SHORT,
        "lock taken over after {:?}, before its TTL of {SHORT:?}",
        start.elapsed()
    );

    assert!(
        !store.unlock(stale).await.unwrap(),
        "the stale owner's unlock reports that it no longer owned the lock"
    );
    assert!(
        store.try_lock("sheet-sync", LONG).await.unwrap().is_none(),
        "the new owner's lock is still in place"
    );
    assert!(store.unlock(next).await.unwrap(), "the new owner releases");
}

async fn with_lock_runs_the_work_only_when_the_lock_is_free(store: &Store) {
    let ran = store
        .with_lock("digest", LONG, || async { 42 })
        .await
        .unwrap();
    assert_eq!(ran, Some(42));
    assert!(
        store
            .with_lock("digest", LONG, || async { 1 })
            .await
            .unwrap()
            == Some(1),
        "the lock was released after the work"
    );

    let held = store.try_lock("digest", LONG).await.unwrap().unwrap();
    let mut called = false;
    let skipped = store
        .with_lock("digest", LONG, || async {
            called = true;
        })
        .await
        .unwrap();
    assert!(skipped.is_none() && !called, "busy lock: work is skipped");
    assert!(
        store.unlock(held).await.unwrap(),
        "the holder still owns it"
    );
}

// ---------------------------------------------------------------------------
// Cache
// ---------------------------------------------------------------------------

async fn the_cache_stores_replaces_and_deletes_strings(store: &Store) {
    assert_eq!(store.cache_get("staff").await.unwrap(), None);
    store.cache_set("staff", "alice", LONG).await.unwrap();
    assert_eq!(
        store.cache_get("staff").await.unwrap().as_deref(),
        Some("alice")
    );
    store.cache_set("staff", "bob", LONG).await.unwrap();
    assert_eq!(
        store.cache_get("staff").await.unwrap().as_deref(),
        Some("bob")
    );

    assert!(store.cache_delete("staff").await.unwrap());
    assert_eq!(store.cache_get("staff").await.unwrap(), None);
    assert!(
        !store.cache_delete("staff").await.unwrap(),
        "deleting a missing key reports false"
    );

    store
        .cache_set("unicode", "Привет, _мир_ 👋", LONG)
        .await
        .unwrap();
    assert_eq!(
        store.cache_get("unicode").await.unwrap().as_deref(),
        Some("Привет, _мир_ 👋")
    );
}

async fn cache_entries_expire_after_their_ttl(store: &Store) {
    let start = Instant::now();
    store
        .cache_set("topic-title", "Printer on fire", SHORT)
        .await
        .unwrap();
    store.cache_set("kept", "yes", LONG).await.unwrap();
    eventually("the cache entry expires", async || {
        store.cache_get("topic-title").await.unwrap().is_none()
    })
    .await;
    assert!(
        start.elapsed() >= SHORT,
        "gone after {:?}, before its TTL of {SHORT:?}",
        start.elapsed()
    );
    assert!(
        !store.cache_delete("topic-title").await.unwrap(),
        "an expired entry counts as absent"
    );
    assert_eq!(
        store.cache_get("kept").await.unwrap().as_deref(),
        Some("yes")
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct TechProfile {
    id: i64,
    name: String,
    groups: Vec<i64>,
    on_duty: bool,
    note: Option<String>,
}

async fn json_values_round_trip_through_the_cache(store: &Store) {
    let profile = TechProfile {
        id: 5_000_000_001,
        name: "Zoë \"fixit\" _O'Neil_".into(),
        groups: vec![-1001234567890, -1009876543210],
        on_duty: true,
        note: None,
    };
    store
        .cache_set_json("tech:5", &profile, LONG)
        .await
        .unwrap();
    let back: Option<TechProfile> = store.cache_get_json("tech:5").await.unwrap();
    assert_eq!(back, Some(profile));

    let missing: Option<TechProfile> = store.cache_get_json("tech:6").await.unwrap();
    assert_eq!(missing, None);

    store
        .cache_set_json("ids", &[1, 2, 3][..], LONG)
        .await
        .unwrap();
    let ids: Option<Vec<u32>> = store.cache_get_json("ids").await.unwrap();
    assert_eq!(ids, Some(vec![1, 2, 3]));
}

async fn a_cache_entry_that_no_longer_decodes_is_a_miss(store: &Store) {
    store
        .cache_set("tech:5", "{\"old\":\"shape\"}", LONG)
        .await
        .unwrap();
    let decoded: Option<TechProfile> = store.cache_get_json("tech:5").await.unwrap();
    assert_eq!(decoded, None);
    assert_eq!(
        store.cache_get("tech:5").await.unwrap(),
        None,
        "the undecodable entry is dropped"
    );
}

// ---------------------------------------------------------------------------
// Conversation state
// ---------------------------------------------------------------------------

async fn conversation_state_is_kept_per_user(store: &Store) {
    store
        .fsm_set(1001, r#"{"step":"rating"}"#, None)
        .await
        .unwrap();
    store
        .fsm_set(-1001, r#"{"step":"comment"}"#, None)
        .await
        .unwrap();
    assert_eq!(
        store.fsm_get(1001).await.unwrap().as_deref(),
        Some(r#"{"step":"rating"}"#)
    );
    assert_eq!(
        store.fsm_get(-1001).await.unwrap().as_deref(),
        Some(r#"{"step":"comment"}"#)
    );
    assert_eq!(store.fsm_get(1002).await.unwrap(), None);
    assert_eq!(store.fsm_get(i64::MAX).await.unwrap(), None);
}

async fn conversation_state_can_be_overwritten_and_cleared(store: &Store) {
    store.fsm_set(42, "first", None).await.unwrap();
    store.fsm_set(42, "second", Some(LONG)).await.unwrap();
    assert_eq!(store.fsm_get(42).await.unwrap().as_deref(), Some("second"));

    store.fsm_set(43, "other user", None).await.unwrap();
    assert!(store.fsm_clear(42).await.unwrap());
    assert_eq!(store.fsm_get(42).await.unwrap(), None);
    assert!(!store.fsm_clear(42).await.unwrap(), "nothing left to clear");
    assert_eq!(
        store.fsm_get(43).await.unwrap().as_deref(),
        Some("other user"),
        "clearing one user leaves the others"
    );
}

async fn conversation_state_with_a_ttl_expires_and_without_one_stays(store: &Store) {
    let start = Instant::now();
    store.fsm_set(7, "survey", Some(SHORT)).await.unwrap();
    eventually("the state expires", async || {
        store.fsm_get(7).await.unwrap().is_none()
    })
    .await;
    assert!(start.elapsed() >= SHORT);

    // Setting without a TTL drops an earlier TTL, as Redis' SET does.
    store.fsm_set(8, "survey", Some(SHORT)).await.unwrap();
    store.fsm_set(8, "menu", None).await.unwrap();
    tokio::time::sleep(SHORT * 3).await;
    assert_eq!(store.fsm_get(8).await.unwrap().as_deref(), Some("menu"));
}

// ---------------------------------------------------------------------------
// Isolation and health
// ---------------------------------------------------------------------------

async fn namespaces_keep_dedup_locks_cache_and_state_apart(store: &Store) {
    assert!(store.claim_once("7", LONG).await.unwrap());
    assert_eq!(store.cache_get("7").await.unwrap(), None);
    assert_eq!(store.fsm_get(7).await.unwrap(), None);
    let lock = store.try_lock("7", LONG).await.unwrap();
    assert!(lock.is_some(), "a dedup claim is not a lock");

    store.cache_set("8", "cached", LONG).await.unwrap();
    assert_eq!(store.fsm_get(8).await.unwrap(), None);
    assert!(store.claim_once("8", LONG).await.unwrap());
    store.fsm_set(8, "state", None).await.unwrap();
    assert_eq!(
        store.cache_get("8").await.unwrap().as_deref(),
        Some("cached")
    );
    assert!(store.unlock(lock.unwrap()).await.unwrap());
}

async fn stores_with_different_prefixes_on_one_backend_do_not_see_each_others_keys(store: &Store) {
    let other = store.with_prefix(format!("{}other:", store.prefix()));
    assert_eq!(other.kind(), store.kind());

    assert!(store.claim_once("m", LONG).await.unwrap());
    assert!(other.claim_once("m", LONG).await.unwrap());

    let a = store.try_lock("l", LONG).await.unwrap().unwrap();
    let b = other.try_lock("l", LONG).await.unwrap().unwrap();

    store.cache_set("c", "mine", LONG).await.unwrap();
    assert_eq!(other.cache_get("c").await.unwrap(), None);
    other.cache_set("c", "theirs", LONG).await.unwrap();
    assert_eq!(store.cache_get("c").await.unwrap().as_deref(), Some("mine"));
    assert!(other.cache_delete("c").await.unwrap());
    assert_eq!(store.cache_get("c").await.unwrap().as_deref(), Some("mine"));

    store.fsm_set(1, "mine", None).await.unwrap();
    assert_eq!(other.fsm_get(1).await.unwrap(), None);
    assert!(!other.fsm_clear(1).await.unwrap());

    assert!(store.unlock(a).await.unwrap());
    assert!(other.unlock(b).await.unwrap());

    // A clone is the same store, not a copy.
    let clone = store.clone();
    assert_eq!(clone.cache_get("c").await.unwrap().as_deref(), Some("mine"));
}

async fn the_store_answers_ping(store: &Store) {
    store.ping().await.unwrap();
    assert!(["redis", "in-process"].contains(&store.kind()));
}

// ---------------------------------------------------------------------------
// Backend-specific behaviour
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_in_process_store_names_its_kind() {
    assert_eq!(Store::in_process("p:").kind(), "in-process");
}

/// Documented: each `Store::in_process` is its own world, even with the same
/// prefix; only clones share data.
#[tokio::test]
async fn separate_in_process_stores_are_independent_even_with_the_same_prefix() {
    let a = Store::in_process("topicdesk:");
    let b = Store::in_process("topicdesk:");
    assert!(a.claim_once("m", LONG).await.unwrap());
    assert!(b.claim_once("m", LONG).await.unwrap());
    a.cache_set("c", "a", LONG).await.unwrap();
    assert_eq!(b.cache_get("c").await.unwrap(), None);
}

#[tokio::test]
async fn the_redis_store_names_its_kind() {
    let Some(fixture) = RedisFixture::start("the_redis_store_names_its_kind").await else {
        return;
    };
    assert_eq!(fixture.store.kind(), "redis");
}

/// Two deployments configured with different prefixes against one server.
#[tokio::test]
async fn redis_stores_connected_separately_with_different_prefixes_are_isolated() {
    let Some(fixture) = RedisFixture::start("redis_stores_connected_separately").await else {
        return;
    };
    let other = Store::redis(&fixture.url, format!("{}b:", fixture.prefix))
        .await
        .unwrap();
    assert!(fixture.store.claim_once("m", LONG).await.unwrap());
    assert!(other.claim_once("m", LONG).await.unwrap());
    fixture.store.cache_set("c", "a", LONG).await.unwrap();
    assert_eq!(other.cache_get("c").await.unwrap(), None);
    other.fsm_set(1, "b", None).await.unwrap();
    assert_eq!(fixture.store.fsm_get(1).await.unwrap(), None);
}

/// A closed local port: nothing listens there once the listener is dropped.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

fn error_chain(error: &StoreError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn connecting_to_an_unreachable_redis_fails_fast_and_names_the_url() {
    let port = closed_port().await;
    let url = format!("redis://:hunter2@127.0.0.1:{port}/0");
    let start = Instant::now();
    let error = Store::redis(&url, "p:").await.unwrap_err();
    let took = start.elapsed();

    let chain = error_chain(&error);
    assert!(took < Duration::from_secs(3), "took {took:?}: {chain}");
    assert!(error.is_unavailable(), "{error:?}");
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "error names the address: {error}"
    );
    assert!(!chain.contains("hunter2"), "password leaked: {chain}");
    assert!(
        !format!("{error:?}").contains("hunter2"),
        "password leaked in Debug: {error:?}"
    );
}

#[tokio::test]
async fn connecting_to_a_redis_that_never_answers_times_out_instead_of_hanging() {
    // Accepts connections and then says nothing, like a hung server.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });

    let start = Instant::now();
    let error = Store::redis(&format!("redis://{addr}"), "p:")
        .await
        .unwrap_err();
    let took = start.elapsed();
    silent.abort();

    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(error.is_unavailable(), "{}", error_chain(&error));
    assert!(error.to_string().contains(&addr.to_string()), "{error}");
}

#[tokio::test]
async fn a_malformed_redis_url_is_a_configuration_error() {
    let error = Store::redis("http://:hunter2@example.com", "p:")
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Config(_)), "{error:?}");
    assert!(!error_chain(&error).contains("hunter2"), "{error}");
}

/// A TCP proxy in front of the real Redis that the test can cut and restore,
/// to stage an outage without touching the shared server.
struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    acceptor: JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let acceptor = tokio::spawn({
            let up = up.clone();
            let connections = connections.clone();
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !up.load(Ordering::SeqCst) {
                        continue; // dropped: the client sees the connection close
                    }
                    let upstream = upstream.clone();
                    let task = tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    connections.lock().unwrap().push(task);
                }
            }
        });
        Proxy {
            addr,
            up,
            connections,
            acceptor,
        }
    }

    /// Drops every open connection and refuses new ones.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.acceptor.abort();
    }
}

/// Runs `operation` during the outage: it must fail as unavailable, quickly.
async fn fails_fast_as_unavailable<T: std::fmt::Debug>(
    what: &str,
    operation: impl Future<Output = Result<T, StoreError>>,
) {
    let start = Instant::now();
    let result = operation.await;
    let took = start.elapsed();
    match result {
        Err(error) => assert!(error.is_unavailable(), "{what}: {}", error_chain(&error)),
        Ok(value) => panic!("{what} succeeded during the outage: {value:?}"),
    }
    assert!(took < Duration::from_secs(3), "{what} took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_store_reports_an_outage_and_recovers_by_itself() {
    let Some(fixture) = RedisFixture::start("the_redis_store_reports_an_outage").await else {
        return;
    };
    let upstream = url::Url::parse(&fixture.url).unwrap();
    let upstream_addr = format!(
        "{}:{}",
        upstream.host_str().unwrap(),
        upstream.port().unwrap_or(6379)
    );
    let proxy = Proxy::start(upstream_addr).await;
    let mut via_proxy = upstream.clone();
    via_proxy.set_host(Some("127.0.0.1")).unwrap();
    via_proxy.set_port(Some(proxy.addr.port())).unwrap();

    // Same prefix as the fixture, so its cleanup covers these keys too.
    let store = Store::redis(via_proxy.as_str(), fixture.prefix.clone())
        .await
        .unwrap();
    store.cache_set("k", "v", LONG).await.unwrap();

    proxy.cut();
    fails_fast_as_unavailable("ping", store.ping()).await;
    fails_fast_as_unavailable("cache_get", store.cache_get("k")).await;
    fails_fast_as_unavailable("claim_once", store.claim_once("m", LONG)).await;
    fails_fast_as_unavailable("try_lock", store.try_lock("l", LONG)).await;
    fails_fast_as_unavailable("fsm_set", store.fsm_set(1, "s", None)).await;

    proxy.restore();
    eventually(
        "the store works again",
        async || matches!(store.cache_get("k").await, Ok(Some(v)) if v == "v"),
    )
    .await;
    store.ping().await.unwrap();
    assert!(store.claim_once("m", LONG).await.unwrap());
}

/// Handlers run on spawned tasks, so every operation's future must be `Send`.
#[test]
fn every_operation_can_run_on_a_spawned_task() {
    fn send<F: Future + Send>(_: F) {}
    fn send_sync<T: Send + Sync + 'static>() {}
    fn clone<T: Clone>() {}
    send_sync::<Store>();
    clone::<Store>();
    send_sync::<StoreError>();

    let store = Store::in_process("p:");
    send(store.ping());
    send(store.claim_once("k", LONG));
    send(store.try_lock("k", LONG));
    send(store.with_lock("k", LONG, || async {}));
    send(store.cache_get("k"));
    send(store.cache_set("k", "v", LONG));
    send(store.cache_delete("k"));
    send(store.cache_get_json::<TechProfile>("k"));
    send(store.cache_set_json("k", &1, LONG));
    send(store.fsm_get(1));
    send(store.fsm_set(1, "s", None));
    send(store.fsm_clear(1));
    send(Store::redis("redis://127.0.0.1:1", "p:"));
}

// ---------------------------------------------------------------------------
// The in-process store's saved conversation state
// ---------------------------------------------------------------------------

#[tokio::test]
async fn conversation_state_of_the_in_process_store_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested/state.json");
    let before = Store::in_process_saved("desk:", file.clone());
    before.fsm_set(1, "survey:q2", Some(LONG)).await.unwrap();
    before.fsm_set(2, "forever", None).await.unwrap();
    before.fsm_set(3, "gone soon", Some(SHORT)).await.unwrap();
    before.fsm_set(4, "cleared", None).await.unwrap();
    before.fsm_clear(4).await.unwrap();
    before.cache_set("card", "not saved", LONG).await.unwrap();
    assert!(before.claim_once("bridged", LONG).await.unwrap());
    drop(before);

    let after = Store::in_process_saved("desk:", file.clone());
    assert_eq!(
        after.fsm_get(1).await.unwrap().as_deref(),
        Some("survey:q2")
    );
    assert_eq!(after.fsm_get(2).await.unwrap().as_deref(), Some("forever"));
    assert_eq!(after.fsm_get(4).await.unwrap(), None);
    eventually(
        "the short state to expire after the restart too",
        async || after.fsm_get(3).await.unwrap().is_none(),
    )
    .await;
    // Only conversation state is saved; caches and dedup keys start afresh.
    assert_eq!(after.cache_get("card").await.unwrap(), None);
    assert!(after.claim_once("bridged", LONG).await.unwrap());
    // Another prefix in the same file sees nothing of this one.
    let other = Store::in_process_saved("other:", file);
    assert_eq!(other.fsm_get(1).await.unwrap(), None);
}

#[tokio::test]
async fn a_damaged_state_file_means_starting_empty() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    std::fs::write(&file, b"{ not json").unwrap();
    let store = Store::in_process_saved("desk:", file.clone());
    assert_eq!(store.fsm_get(1).await.unwrap(), None);
    store.fsm_set(1, "fresh", None).await.unwrap();
    let again = Store::in_process_saved("desk:", file);
    assert_eq!(again.fsm_get(1).await.unwrap().as_deref(), Some("fresh"));
}

// ---------------------------------------------------------------------------
// Flood limits shared through Redis
// ---------------------------------------------------------------------------

mod shared_flood_limits {
    use std::time::Duration;

    use topicdesk::domain::limits::Limits;
    use topicdesk::store::{SharedFloodGate, Store};
    use topicdesk::telegram::FloodGate;

    use super::RedisFixture;

    const GROUP: i64 = -1001234567890;
    const CLIENT: i64 = 4242;

    /// A gate as a second instance would build it: its own connection pool
    /// to the same Redis, under the same prefix.
    async fn second_instance(fixture: &RedisFixture) -> SharedFloodGate {
        second_instance_with(fixture, Limits::telegram()).await
    }

    async fn second_instance_with(fixture: &RedisFixture, limits: Limits) -> SharedFloodGate {
        let store = Store::redis(&fixture.url, fixture.prefix.clone())
            .await
            .unwrap();
        SharedFloodGate::new(&store, limits).unwrap()
    }

    #[tokio::test]
    async fn two_instances_share_one_window_per_group() {
        let Some(fixture) = RedisFixture::start("two_instances_share_one_window_per_group").await
        else {
            return;
        };
        let first = SharedFloodGate::new(&fixture.store, Limits::telegram()).unwrap();
        let second = second_instance(&fixture).await;
        // Ten each: the group's 20 a minute are used up together.
        for _ in 0..10 {
            assert!(first.delay_for(GROUP, 1).await < Duration::from_secs(1));
            first.reserve(GROUP, 1).await;
            second.reserve(GROUP, 1).await;
        }
        for gate in [&first, &second] {
            let wait = gate.delay_for(GROUP, 1).await;
            assert!(
                wait > Duration::from_secs(55) && wait <= Duration::from_millis(60_250),
                "{wait:?}"
            );
        }
        // Another chat is not held up.
        assert!(second.delay_for(CLIENT, 1).await < Duration::from_millis(100));
    }

    #[tokio::test]
    async fn a_batch_counts_every_message_and_a_private_chat_counts_one_call() {
        let Some(fixture) =
            RedisFixture::start("a_batch_counts_every_message_and_a_private_chat_counts_one_call")
                .await
        else {
            return;
        };
        let gate = SharedFloodGate::new(&fixture.store, Limits::telegram()).unwrap();
        gate.reserve(GROUP, 20).await;
        assert!(gate.delay_for(GROUP, 1).await > Duration::from_secs(55));
        gate.reserve(CLIENT, 10).await;
        let wait = gate.delay_for(CLIENT, 1).await;
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_millis(1_250),
            "{wait:?}"
        );
    }

    #[tokio::test]
    async fn a_pause_one_instance_got_from_telegram_holds_for_the_other() {
        let Some(fixture) =
            RedisFixture::start("a_pause_one_instance_got_from_telegram_holds_for_the_other").await
        else {
            return;
        };
        let first = SharedFloodGate::new(&fixture.store, Limits::telegram()).unwrap();
        let second = second_instance(&fixture).await;
        first.pause(GROUP, Duration::from_secs(30)).await;
        let wait = second.delay_for(GROUP, 1).await;
        assert!(
            wait > Duration::from_secs(29) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert!(second.delay_for(-1009, 1).await < Duration::from_millis(100));
    }

    #[tokio::test]
    async fn with_the_limits_off_nothing_waits_but_a_pause_from_telegram() {
        let Some(fixture) =
            RedisFixture::start("with_the_limits_off_nothing_waits_but_a_pause_from_telegram")
                .await
        else {
            return;
        };
        let first = SharedFloodGate::new(&fixture.store, Limits::unlimited()).unwrap();
        let second = second_instance_with(&fixture, Limits::unlimited()).await;
        for _ in 0..50 {
            let at = first.reserve(GROUP, 10).await;
            assert!(at <= tokio::time::Instant::now());
        }
        assert_eq!(second.delay_for(GROUP, 1).await, Duration::ZERO);
        first.pause(GROUP, Duration::from_secs(30)).await;
        let wait = second.delay_for(GROUP, 1).await;
        assert!(
            wait > Duration::from_secs(29) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        let until = second.reserve(GROUP, 1).await;
        assert!(until > tokio::time::Instant::now() + Duration::from_secs(29));
        assert_eq!(second.delay_for(CLIENT, 1).await, Duration::ZERO);
    }

    /// With the limits off, a reservation right after a look that found no
    /// pause does not ask Redis again; a pause still holds it: its own at
    /// once, another instance's by the next look or within a moment.
    #[tokio::test]
    async fn with_the_limits_off_a_reservation_trusts_a_recent_look_but_never_over_a_pause() {
        let Some(fixture) = RedisFixture::start(
            "with_the_limits_off_a_reservation_trusts_a_recent_look_but_never_over_a_pause",
        )
        .await
        else {
            return;
        };
        let first = SharedFloodGate::new(&fixture.store, Limits::unlimited()).unwrap();
        let second = second_instance_with(&fixture, Limits::unlimited()).await;
        let later = || tokio::time::Instant::now() + Duration::from_secs(29);

        // Its own pause holds its next reservation at once.
        assert_eq!(first.delay_for(GROUP, 1).await, Duration::ZERO);
        first.pause(GROUP, Duration::from_secs(30)).await;
        assert!(first.reserve(GROUP, 1).await > later());

        // Another instance's pause: a look always sees it ...
        assert_eq!(second.delay_for(CLIENT, 1).await, Duration::ZERO);
        first.pause(CLIENT, Duration::from_secs(30)).await;
        assert!(second.delay_for(CLIENT, 1).await > Duration::from_secs(29));
        assert!(second.reserve(CLIENT, 1).await > later());

        // ... and a reservation within a moment, even without a look.
        let other_client = CLIENT + 1;
        assert_eq!(second.delay_for(other_client, 1).await, Duration::ZERO);
        first.pause(other_client, Duration::from_secs(30)).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        loop {
            if second.reserve(other_client, 1).await > later() {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "another instance's pause never reached the reservations"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

// ---------------------------------------------------------------------------
// Presence: which instances are alive
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_in_process_store_has_no_presence() {
    let store = Store::in_process("topicdesk-test:");
    let shutdown = tokio_util::sync::CancellationToken::new();
    assert!(Presence::start(&store, shutdown).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_instance_knows_it_and_a_newcomer_joins_only_once_the_first_knows_of_it() {
    let Some(fixture) = RedisFixture::start("presence").await else {
        return;
    };
    let first_stop = tokio_util::sync::CancellationToken::new();
    let first = Presence::start(&fixture.store, first_stop.clone()).expect("Redis has presence");
    eventually("the first instance to join", async || first.has_joined()).await;
    assert!(first.is_alone(), "nobody else recorded itself");

    let second_stop = tokio_util::sync::CancellationToken::new();
    let second = Presence::start(&fixture.store, second_stop.clone()).expect("Redis has presence");
    assert!(
        !second.has_joined(),
        "a newcomer takes no update before it has recorded itself"
    );
    let joined_after = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), second.joined())
        .await
        .expect("the newcomer joins");
    assert!(
        joined_after.elapsed() >= Duration::from_millis(1_900),
        "among others, a newcomer waits before it takes updates"
    );
    assert!(
        !first.is_alone(),
        "by the time the newcomer takes updates, the first knows of it"
    );
    assert!(!second.is_alone());

    // The newcomer leaves; the first keeps asking about earlier updates for
    // as long as one waits for them (30 s), so it is not alone yet.
    second_stop.cancel();
    let set = format!("{}presence:instances", fixture.prefix);
    let client = ::redis::Client::open(fixture.url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut members = 2;
    for _ in 0..200 {
        members = ::redis::cmd("ZCARD")
            .arg(&set)
            .query_async::<i64>(&mut conn)
            .await
            .unwrap();
        if members == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(members, 1, "a stopping instance removes its entry");
    assert!(!first.is_alone(), "company is remembered for a while");
    first_stop.cancel();
}
