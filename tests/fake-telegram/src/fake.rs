//! The handle tests hold: starts the server and the delivery loop, sets the
//! world up, and gives access to actors, inspection, waits and faults.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::actors::Actor;
use crate::delivery;
use crate::faults::{Fault, Limits, RateLimiter};
use crate::inspect::{
    CallbackAnswer, DeliveryAttempt, RecordedCall, StoredMessage, TopicInfo, WebhookState,
};
use crate::methods::topics::{ICON_COLORS, check_topic_name};
use crate::options::FakeOptions;
use crate::server;
use crate::setup::{AdminRights, BotRole, GroupSpec, MemberRole, UserSpec};
use crate::world::World;

/// State shared by the handle, the HTTP server and the delivery loop.
pub(crate) struct Shared {
    world: Mutex<World>,
    version: watch::Sender<u64>,
    pub(crate) cancel: CancellationToken,
    pub(crate) token: String,
    pub(crate) http: reqwest::Client,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, World> {
        // A panic inside a test closure must not wedge every later call.
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads the world.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&self.lock())
    }

    /// Changes the world and wakes everyone waiting for a change.
    pub(crate) fn mutate<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let result = f(&mut self.lock());
        self.version.send_modify(|v| *v += 1);
        result
    }

    /// Changes bookkeeping nobody waits for, without waking waiters.
    pub(crate) fn with_world_quiet<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(&mut self.lock())
    }

    /// A receiver that sees every later change.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }
}

struct Inner {
    shared: Arc<Shared>,
    addr: SocketAddr,
    bot_username: String,
    wait_timeout: Duration,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Stops the server (long polls and latency sleeps return at once)
        // and the delivery loop; their tasks then finish on their own.
        self.shared.cancel.cancel();
    }
}

/// A running fake Telegram Bot API on `127.0.0.1`.
///
/// Clones share the same fake; it stops when the last clone is dropped (or
/// on [`shutdown`](Self::shutdown)). Must be started inside a Tokio runtime.
#[derive(Clone)]
pub struct FakeTelegram {
    inner: Arc<Inner>,
}

/// The bot's identity, as `getMe` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotUser {
    pub id: i64,
    pub username: String,
    pub first_name: String,
}

impl FakeTelegram {
    /// Starts a fake with default options on a free port.
    pub async fn start() -> Self {
        Self::start_with(FakeOptions::default()).await
    }

    /// Starts a fake with these options on a free port.
    pub async fn start_with(opts: FakeOptions) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("fake-telegram: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake-telegram: local address");
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(opts.webhook_timeout)
            .build()
            .expect("fake-telegram: HTTP client");
        let shared = Arc::new(Shared {
            world: Mutex::new(World::new(&opts)),
            version: watch::channel(0).0,
            cancel: CancellationToken::new(),
            token: format!("{}:{}", opts.bot_id, opts.token_secret),
            http,
        });
        let app = server::router(shared.clone());
        let cancel = shared.cancel.clone();
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move { cancel.cancelled().await })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "fake-telegram server stopped with an error");
            }
        });
        let deliveries = tokio::spawn(delivery::run(shared.clone()));
        Self {
            inner: Arc::new(Inner {
                shared,
                addr,
                bot_username: opts.bot_username,
                wait_timeout: opts.wait_timeout,
                tasks: Mutex::new(vec![server, deliveries]),
            }),
        }
    }

    /// Stops the server and the delivery loop and waits until they are gone.
    pub async fn shutdown(self) {
        self.inner.shared.cancel.cancel();
        let tasks =
            std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for task in tasks {
            let _ = task.await;
        }
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    /// The API root to give the bot: `http://127.0.0.1:PORT`.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// The only token the fake accepts (`{bot_id}:{secret}`).
    pub fn token(&self) -> String {
        self.inner.shared.token.clone()
    }

    /// The bot's own user.
    pub fn bot_user(&self) -> BotUser {
        self.read(|w| BotUser {
            id: w.bot.id,
            username: w.bot.username.clone(),
            first_name: w.bot.first_name.clone(),
        })
    }

    /// The bot's user id.
    pub fn bot_id(&self) -> i64 {
        self.read(|w| w.bot.id)
    }

    /// The bot's username, without `@`.
    pub fn bot_username(&self) -> &str {
        &self.inner.bot_username
    }

    /// Reads the world (for checks not covered by the accessors).
    pub fn read<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        self.shared().read(f)
    }

    pub(crate) fn mutate<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        self.shared().mutate(f)
    }

    pub(crate) fn default_wait(&self) -> Duration {
        self.inner.wait_timeout
    }

    // ----- world setup ---------------------------------------------------

    /// Adds a person (`"Alice"` or a [`UserSpec`]); returns their user id,
    /// which is also the id of their private chat with the bot.
    pub fn add_user(&self, spec: impl Into<UserSpec>) -> i64 {
        self.mutate(|w| w.add_user(spec.into()))
    }

    /// Adds a forum supergroup where the bot is an administrator with
    /// `can_manage_topics`; returns its chat id.
    pub fn add_forum_group(&self, title: &str) -> i64 {
        self.add_group(GroupSpec::forum(title))
    }

    /// Adds a supergroup described by `spec`; returns its chat id.
    pub fn add_group(&self, spec: GroupSpec) -> i64 {
        self.mutate(|w| w.add_group(spec))
    }

    /// Makes `user` an ordinary member of group `chat`.
    pub fn add_member(&self, chat: i64, user: i64) {
        self.set_member_role(chat, user, MemberRole::Member);
    }

    /// Makes `user` an administrator (default rights) of group `chat`.
    pub fn add_admin(&self, chat: i64, user: i64) {
        self.set_member_role(chat, user, MemberRole::Admin(AdminRights::default()));
    }

    /// Sets `user`'s membership in group `chat`.
    pub fn set_member_role(&self, chat: i64, user: i64, role: MemberRole) {
        self.mutate(|w| w.set_member(chat, user, role));
    }

    /// Changes the bot's membership in group `chat` (no update is sent).
    pub fn set_bot_role(&self, chat: i64, role: BotRole) {
        self.mutate(|w| {
            let group = w
                .chats
                .get_mut(&chat)
                .and_then(|c| c.group_mut())
                .unwrap_or_else(|| panic!("{chat} is not a group"));
            group.bot = role;
        });
    }

    /// Turns Topics on or off in group `chat`, as its settings would; its
    /// topics stay where they are. No update is sent.
    pub fn set_forum(&self, chat: i64, on: bool) {
        self.mutate(|w| {
            let group = w
                .chats
                .get_mut(&chat)
                .and_then(|c| c.group_mut())
                .unwrap_or_else(|| panic!("{chat} is not a group"));
            group.is_forum = on;
        });
    }

    /// Creates a topic as existing state (its service message is stored but
    /// no update is sent and no call is recorded); returns its
    /// `message_thread_id`. The topic is attributed to the bot, so
    /// `TopicInfo::created_by_bot` is true — count `createForumTopic` calls
    /// to see what the bot created. To have a person create a topic with an
    /// update, use `user(..).in_group(..).creates_topic(..)`.
    pub fn add_topic(&self, chat: i64, name: &str) -> i32 {
        check_topic_name(name).expect("add_topic: topic names are 1-128 characters");
        self.mutate(|w| {
            assert!(
                w.chats
                    .get(&chat)
                    .and_then(|c| c.group())
                    .is_some_and(|g| g.is_forum),
                "add_topic: {chat} is not a forum group"
            );
            let creator = w.bot.id;
            w.open_topic(chat, creator, name, ICON_COLORS[0], None).0
        })
    }

    /// Acts as person `user` (see [`Actor`]).
    pub fn user(&self, user: i64) -> Actor<'_> {
        assert!(
            self.read(|w| w.users.contains_key(&user)),
            "unknown user {user}; add it with add_user"
        );
        Actor::new(self, user)
    }

    // ----- delivery ------------------------------------------------------

    /// Delivers webhooks to `http://{addr}` + the registered URL's path
    /// (and query) instead of the registered host.
    pub fn route_webhooks_to(&self, addr: SocketAddr) {
        self.route_webhooks_round_robin(vec![addr]);
    }

    /// Delivers webhooks to these addresses in turn, one update each, like
    /// a load balancer in front of several bot instances.
    pub fn route_webhooks_round_robin(&self, addrs: Vec<SocketAddr>) {
        self.mutate(|w| {
            w.webhook_routes = addrs;
            w.next_route = 0;
        });
    }

    /// Delivers every update twice (on) or once (off) from now on.
    pub fn set_redeliver_twice(&self, on: bool) {
        self.mutate(|w| w.duplicate_deliveries = on);
    }

    /// Sets how many webhook POSTs may run at once.
    pub fn set_webhook_concurrency(&self, n: usize) {
        self.mutate(|w| w.delivery_concurrency = n.max(1));
    }

    /// Sets the pause before a failed delivery is retried.
    pub fn set_retry_delay(&self, delay: Duration) {
        self.mutate(|w| w.retry_delay = delay);
    }

    /// Queues an arbitrary update (an `update_id` is assigned when missing);
    /// returns its update id.
    pub fn enqueue_update(&self, mut update: Value) -> i64 {
        self.mutate(|w| {
            let id = match update.get("update_id").and_then(Value::as_i64) {
                Some(id) => {
                    w.updates.next_id = w.updates.next_id.max(id);
                    id
                }
                None => {
                    let id = w.alloc_update_id();
                    update["update_id"] = serde_json::json!(id);
                    id
                }
            };
            w.enqueue_raw_update(id, update);
            id
        })
    }

    /// Holds webhook deliveries back (on) so the caller can take updates
    /// with [`take_update`](Self::take_update) and post them on its own
    /// schedule, or lets the delivery loop send them again (off).
    pub fn hold_deliveries(&self, on: bool) {
        self.mutate(|w| w.deliveries_held = on);
    }

    /// Removes a queued update that is not being delivered and returns its
    /// body, e.g. the update an actor's action just queued.
    pub fn take_update(&self, update_id: i64) -> Option<String> {
        self.inner.shared.with_world_quiet(|w| {
            let pending = &mut w.updates.pending;
            let pos = pending
                .iter()
                .rposition(|u| u.id == update_id && !u.in_flight)?;
            pending.remove(pos).map(|u| u.body)
        })
    }

    /// Every message the bot stores from now on, as it lands.
    pub fn watch_bot_messages(&self) -> tokio::sync::mpsc::UnboundedReceiver<crate::LandedMessage> {
        self.inner
            .shared
            .with_world_quiet(|w| w.observers.subscribe())
    }

    /// POSTs `body` once to the registered webhook with its secret token,
    /// outside the queue; returns the HTTP status or the connection error.
    pub async fn post_to_webhook(&self, body: impl Into<String>) -> Result<u16, String> {
        let secret = self.read(|w| w.webhook.as_ref().and_then(|h| h.secret_token.clone()));
        self.post_to_webhook_with_secret(body, secret.as_deref())
            .await
    }

    /// Like [`post_to_webhook`](Self::post_to_webhook) with an explicit
    /// secret header (`None` sends none).
    pub async fn post_to_webhook_with_secret(
        &self,
        body: impl Into<String>,
        secret: Option<&str>,
    ) -> Result<u16, String> {
        let url = self.read(|w| {
            w.webhook
                .as_ref()
                .map(|h| delivery::delivery_url(&h.url, w.webhook_routes.first().copied()))
        });
        let Some(url) = url else {
            return Err("no webhook is set".to_owned());
        };
        let job = delivery::Job {
            update_id: 0,
            body: body.into(),
            url,
            secret: secret.map(str::to_owned),
        };
        delivery::post(&self.shared().http, &job).await
    }

    // ----- faults --------------------------------------------------------

    /// Queues an injected error (see [`Fault`]).
    pub fn inject(&self, fault: Fault) {
        self.mutate(|w| w.faults.push(fault));
    }

    /// Removes all injected errors not used yet.
    pub fn clear_faults(&self) {
        self.mutate(|w| w.faults.clear());
    }

    /// How many injected error uses are left.
    pub fn faults_remaining(&self) -> u32 {
        self.read(|w| w.faults.remaining())
    }

    /// Delays every call by `delay` (`None` removes it) before it takes effect.
    pub fn set_latency(&self, delay: Option<Duration>) {
        self.mutate(|w| w.latency.global = delay);
    }

    /// Delays calls of one method (any case), overriding the global latency.
    pub fn set_method_latency(&self, method: &str, delay: Option<Duration>) {
        let method = method.to_ascii_lowercase();
        self.mutate(|w| match delay {
            Some(d) => {
                w.latency.per_method.insert(method, d);
            }
            None => {
                w.latency.per_method.remove(&method);
            }
        });
    }

    /// Calls into `chat` in flight now, and the most there were at once.
    pub fn in_flight(&self, chat: i64) -> crate::InFlight {
        self.read(|w| w.in_flight(chat))
    }

    /// Enforces flood limits with 429s (`None` turns them off). Counters start empty.
    pub fn enforce_limits(&self, limits: Option<Limits>) {
        self.mutate(|w| w.limiter = limits.map(RateLimiter::new));
    }

    // ----- inspection (snapshots; see also `World`) -----------------------

    /// Messages in `chat` (not deleted), in order, service messages included.
    pub fn messages(&self, chat: i64) -> Vec<StoredMessage> {
        self.read(|w| w.messages(chat))
    }

    /// Messages the bot sent into `chat` (not deleted).
    pub fn bot_messages(&self, chat: i64) -> Vec<StoredMessage> {
        self.read(|w| w.bot_messages(chat))
    }

    /// Non-service messages in one forum topic.
    pub fn topic_messages(&self, chat: i64, thread: i32) -> Vec<StoredMessage> {
        self.read(|w| w.topic_messages(chat, thread))
    }

    /// Texts (or captions) of the non-service messages in `chat`.
    pub fn texts(&self, chat: i64) -> Vec<String> {
        self.read(|w| w.texts(chat))
    }

    /// Texts (or captions) in one forum topic.
    pub fn topic_texts(&self, chat: i64, thread: i32) -> Vec<String> {
        self.read(|w| w.topic_texts(chat, thread))
    }

    /// One message, deleted or not.
    pub fn message(&self, chat: i64, id: i32) -> Option<StoredMessage> {
        self.read(|w| w.message(chat, id))
    }

    /// The newest live message in `chat`.
    pub fn last_message(&self, chat: i64) -> Option<StoredMessage> {
        self.read(|w| w.last_message(chat))
    }

    /// Deleted messages of `chat`.
    pub fn deleted_messages(&self, chat: i64) -> Vec<StoredMessage> {
        self.read(|w| w.deleted_messages(chat))
    }

    /// Topics of `chat`, deleted ones included.
    pub fn topics(&self, chat: i64) -> Vec<TopicInfo> {
        self.read(|w| w.topics(chat))
    }

    /// One topic.
    pub fn topic(&self, chat: i64, thread: i32) -> Option<TopicInfo> {
        self.read(|w| w.topic(chat, thread))
    }

    /// Every recorded call.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.read(|w| w.calls())
    }

    /// Recorded calls of one method (any case).
    pub fn calls_to(&self, method: &str) -> Vec<RecordedCall> {
        self.read(|w| w.calls_to(method))
    }

    /// Forgets recorded calls (long benchmarks).
    pub fn clear_calls(&self) {
        self.mutate(|w| w.calls.clear());
    }

    /// The registered webhook.
    pub fn webhook(&self) -> Option<WebhookState> {
        self.read(|w| w.webhook())
    }

    /// Answers to callback queries.
    pub fn callback_answers(&self) -> Vec<CallbackAnswer> {
        self.read(|w| w.callback_answers())
    }

    /// The answer to one callback query.
    pub fn callback_answer(&self, callback_id: &str) -> Option<CallbackAnswer> {
        self.read(|w| w.callback_answer(callback_id))
    }

    /// How many calls of `method` (any case) arrived so far, counted before
    /// their latency: with a latency set, a call is in flight once counted
    /// here and until it shows in [`FakeTelegram::calls`].
    pub fn arrived_calls(&self, method: &str) -> u64 {
        self.read(|w| w.arrived_calls(method))
    }

    /// How many 429s were served.
    pub fn too_many_requests_served(&self) -> u64 {
        self.read(|w| w.too_many_requests_served())
    }

    /// Commands for a scope (`None` = default) and language (`None` = all).
    pub fn menu_button(&self, chat: Option<i64>) -> Option<Value> {
        self.read(|w| w.menu_button(chat))
    }

    pub fn my_commands(
        &self,
        scope: Option<Value>,
        language_code: Option<&str>,
    ) -> Option<Vec<(String, String)>> {
        self.read(|w| w.my_commands(scope, language_code))
    }

    /// Updates not yet accepted or confirmed.
    pub fn pending_updates(&self) -> usize {
        self.read(|w| w.pending_updates())
    }

    /// Every update created, in order.
    pub fn updates_sent(&self) -> Vec<Value> {
        self.read(|w| w.updates_sent())
    }

    /// Every webhook POST attempt.
    pub fn delivery_attempts(&self) -> Vec<DeliveryAttempt> {
        self.read(|w| w.delivery_attempts())
    }

    /// A readable dump of the state.
    pub fn describe(&self) -> String {
        self.read(|w| w.describe())
    }
}
