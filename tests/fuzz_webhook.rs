//! Fuzzing the webhook: random bytes, random JSON and mutated real Telegram
//! updates are POSTed to the running application's `POST /webhook/{secret}`.
//! Every answer must be 200, 400 or 413: never a 5xx (the database is up the
//! whole time) and never a dropped connection (a panicking handler). At the
//! end the application must still be healthy and a new client's `/start`
//! must still be greeted, which proves the dispatcher survived everything
//! the fuzzer made it process, and no handler may have panicked.
//!
//! `FUZZ_CASES` sets the number of bodies (3,000 by default; the full run
//! is `FUZZ_CASES=100000 cargo test --release --test fuzz_webhook -- --nocapture`).
//! `FUZZ_SEED` changes the otherwise fixed seed, so CI is reproducible.

#[path = "api/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fake_telegram::{Media, Origin, UserSpec};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Map, Value, json};
use topicdesk::entities::enums::InboundStatus;
use topicdesk::entities::inbound_updates;

use support::{Desk, eventually};

const DEFAULT_CASES: u32 = 3_000;
const DEFAULT_SEED: u64 = 0x7091_cde5_f022_0005;
/// The webhook's body limit; bodies around it must get 413, not a crash.
const MAX_BODY_BYTES: usize = 1024 * 1024;

// ----- the test ----------------------------------------------------------------

#[test]
fn the_webhook_survives_random_and_mutated_updates() {
    let cases = env_number("FUZZ_CASES", u64::from(DEFAULT_CASES)) as u32;
    let seed = env_number("FUZZ_SEED", DEFAULT_SEED);
    // The fake Telegram runs on this runtime and must keep answering the
    // bot between cases, so it gets worker threads of its own.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the test");

    let desk = runtime.block_on(Desk::open());
    let realistic = runtime.block_on(realistic_updates(&desk));
    let unhandled = unhandled_kinds(&desk);
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(4)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    let target = Target {
        client,
        url: desk.app.url(&format!("/webhook/{}", desk.app.secret)),
        secret: desk.app.secret.clone(),
    };

    // Unchanged, every seed is a valid update: acknowledged with 200, the
    // kinds the bot does not handle included (they are ignored).
    runtime.block_on(async {
        for (n, update) in realistic.iter().chain(&unhandled).enumerate() {
            let mut update = update.clone();
            update["update_id"] = json!(900_000_000 + n as u64);
            let status = target
                .post(serde_json::to_vec(&update).expect("JSON"))
                .await
                .expect("the webhook answers");
            assert_eq!(status, 200, "a valid update was refused: {update}");
        }
    });

    let seeds = Arc::new(Seeds {
        realistic,
        unhandled,
    });
    println!(
        "fuzzing the webhook with {cases} bodies, seed {seed:#x}, {} realistic and {} unhandled seed updates",
        seeds.realistic.len(),
        seeds.unhandled.len(),
    );

    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        max_shrink_iters: 2_000,
        ..Config::default()
    });
    let tally = Tally::default();
    let started = Instant::now();
    let outcome = runner.run(&body_strategy(seeds), |body| {
        let oversized = body.bytes.len() > MAX_BODY_BYTES;
        let status = match runtime.block_on(target.post(body.bytes.clone())) {
            Ok(status) => status,
            // Past the limit the server answers 413 without reading the
            // rest and closes; a client still sending may see only the
            // reset. Telegram never sends such a body.
            Err(_) if oversized => {
                tally.closed_mid_upload.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            Err(error) => return Err(TestCaseError::fail(format!("no answer: {}", chain(&error)))),
        };
        tally.count(status);
        if oversized {
            prop_assert_eq!(status, 413, "a body over the limit was not refused");
        } else {
            prop_assert!(matches!(status, 200 | 400), "the webhook answered {status}");
        }
        Ok(())
    });
    let elapsed = started.elapsed();
    println!(
        "{} bodies posted (shrinking included) in {:.1} s ({:.0}/s): {tally}",
        tally.total(),
        elapsed.as_secs_f64(),
        tally.total() as f64 / elapsed.as_secs_f64().max(1e-9),
    );
    match outcome {
        Ok(()) => {}
        Err(TestError::Fail(reason, body)) => {
            let saved = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join("fuzz_webhook-failing-body.json");
            std::fs::write(&saved, &body.bytes).expect("saving the failing body");
            panic!(
                "minimal failing body (saved whole in {}): {body:?}\nfailure: {reason}",
                saved.display()
            )
        }
        Err(TestError::Abort(reason)) => panic!("fuzzing aborted: {reason}"),
    }

    runtime.block_on(the_application_survived(&desk));
    drop(desk);
    runtime.shutdown_timeout(Duration::from_secs(5));
}

/// Health answers, a new client is still greeted, and no handler panicked on
/// anything the fuzzer made it process.
async fn the_application_survived(desk: &Desk) {
    let health = desk.app.get("/healthz").await;
    assert_eq!(health.status(), 200, "/healthz after fuzzing");

    let started = Instant::now();
    let newcomer = desk.fake().add_user(UserSpec::new("Afterwards"));
    desk.fake().user(newcomer).in_private().command("/start");
    let greeting = desk.texts.greeting().to_owned();
    eventually(
        "the greeting for a client after fuzzing",
        Duration::from_secs(120),
        || {
            let greeted = desk
                .fake()
                .bot_messages(newcomer)
                .iter()
                .any(|m| m.text() == Some(greeting.as_str()));
            async move { greeted }
        },
    )
    .await;
    println!(
        "a new client was greeted {:.1} s after fuzzing ended",
        started.elapsed().as_secs_f64()
    );

    let mut settled = Vec::new();
    for status in [
        InboundStatus::Pending,
        InboundStatus::Done,
        InboundStatus::Parked,
    ] {
        let rows = inbound_updates::Entity::find()
            .filter(inbound_updates::Column::Status.eq(status))
            .count(&desk.app.db)
            .await
            .expect("counting inbound_updates");
        settled.push(format!("{status:?}: {rows}"));
    }
    println!("stored updates: {}", settled.join(", "));
    // Parked is allowed (a mangled update may fail at Telegram every time);
    // the reasons are shown so that new kinds of failure get noticed.
    let parked = inbound_updates::Entity::find()
        .filter(inbound_updates::Column::Status.eq(InboundStatus::Parked))
        .all(&desk.app.db)
        .await
        .expect("reading parked updates");
    let mut reasons = std::collections::BTreeMap::new();
    for row in &parked {
        let reason: String = row
            .last_error
            .as_deref()
            .unwrap_or_default()
            .chars()
            .take(160)
            .collect();
        reasons.entry(reason).or_insert_with(|| row.payload.clone());
    }
    for (reason, payload) in reasons.iter().take(12) {
        let payload: String = payload.chars().take(600).collect();
        println!("  parked because: {reason}\n    e.g. {payload}");
    }

    let panicked = inbound_updates::Entity::find()
        .filter(inbound_updates::Column::LastError.contains("panicked"))
        .all(&desk.app.db)
        .await
        .expect("reading inbound_updates");
    assert!(
        panicked.is_empty(),
        "{} update(s) made a handler panic; the first: {} on {}",
        panicked.len(),
        panicked[0].last_error.as_deref().unwrap_or_default(),
        panicked[0].payload,
    );
}

/// An error with all its causes, for a connection that failed.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => {
            let value = value.trim();
            let parsed = match value.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => value.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name} must be a whole number, not {value:?}"))
        }
        _ => default,
    }
}

struct Target {
    client: reqwest::Client,
    url: String,
    secret: String,
}

impl Target {
    async fn post(&self, body: Vec<u8>) -> Result<u16, reqwest::Error> {
        let mut request = self
            .client
            .post(&self.url)
            .header("x-telegram-bot-api-secret-token", &self.secret)
            .header("content-type", "application/json");
        if body.len() > MAX_BODY_BYTES {
            // The server refuses it without reading it all and then closes
            // the connection; keeping it for the next case would lose that
            // case to the close.
            request = request.header("connection", "close");
        }
        let response = request.body(body).send().await?;
        let status = response.status().as_u16();
        // Read the answer so the connection goes back to the pool.
        response.bytes().await?;
        Ok(status)
    }
}

/// How many answers of each status, for the report.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    bad_request: AtomicU64,
    too_large: AtomicU64,
    /// Over the limit, refused before the client finished sending.
    closed_mid_upload: AtomicU64,
    other: AtomicU64,
}

impl Tally {
    fn count(&self, status: u16) {
        let counter = match status {
            200 => &self.ok,
            400 => &self.bad_request,
            413 => &self.too_large,
            _ => &self.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn total(&self) -> u64 {
        [
            &self.ok,
            &self.bad_request,
            &self.too_large,
            &self.closed_mid_upload,
            &self.other,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "200: {}, 400: {}, 413: {}, closed mid-upload (over 1 MiB): {}, other: {}",
            self.ok.load(Ordering::Relaxed),
            self.bad_request.load(Ordering::Relaxed),
            self.too_large.load(Ordering::Relaxed),
            self.closed_mid_upload.load(Ordering::Relaxed),
            self.other.load(Ordering::Relaxed),
        )
    }
}

// ----- the corpus ----------------------------------------------------------------

/// Updates the fake Telegram produced for real conversations: a client's
/// commands, text, media, album, edit and button press, staff in the
/// ticket's topic, a technician opening a topic, blocking and unblocking.
async fn realistic_updates(desk: &Desk) -> Vec<Value> {
    let fake = desk.fake();
    let main = desk.main_group();
    let (client, topic) = desk
        .client_opens_ticket("Fuzzy", "My printer is on fire")
        .await;
    let private = || fake.user(client).in_private();
    private().command("/start");
    private().command("/help");
    let first = private().text("it smells of smoke, see https://example.test #urgent");
    private().edits(first.message_id, "it smells of smoke (edited)");
    private().photo("the printer");
    private().album(vec![
        Media::photo().caption("front"),
        Media::photo(),
        Media::video(),
    ]);
    private().document("log.txt", "the log");
    private().voice();
    private().sticker("🔥");
    private().location(55.75, 37.62);
    private().contact("+10000000000", "Fuzzy");
    private().poll("Which one?", &["left", "right"]);
    private().dice("🎲", 4);
    private().forwarded(Origin::HiddenUser("Someone".into()), "forwarded text");
    private()
        .replying_to(first.message_id)
        .text("replying to myself");

    let staff_in_topic = || fake.user(desk.staff).in_topic(main, topic.thread_id);
    let card = desk
        .wait_for_topic_messages(main, topic.thread_id, 2)
        .await
        .remove(0);
    if let Some((_, data)) = card.buttons().into_iter().next() {
        staff_in_topic().presses(card.id(), &data);
    }
    staff_in_topic().text("We are on it");
    staff_in_topic().photo("a schematic");
    fake.user(desk.tech)
        .in_group(desk.tech_group)
        .creates_topic("Side talk");
    fake.user(desk.staff).in_group(main).text("in General");
    private().blocks_bot();
    private().unblocks_bot();

    eventually(
        "the fake to deliver every seed update",
        Duration::from_secs(30),
        || {
            let pending = fake.pending_updates();
            async move { pending == 0 }
        },
    )
    .await;
    fake.updates_sent()
}

/// Kinds the bot does not handle, shaped like Telegram sends them, plus one
/// no version of Telegram has yet.
fn unhandled_kinds(desk: &Desk) -> Vec<Value> {
    let channel = json!({ "id": -1_001_234_567_890_i64, "type": "channel", "title": "News" });
    let user =
        json!({ "id": 4_242, "is_bot": false, "first_name": "Someone", "language_code": "en" });
    let group = json!({ "id": desk.main_group(), "type": "supergroup", "title": "Support", "is_forum": true });
    let private = json!({ "id": 4_242, "type": "private", "first_name": "Someone" });
    let poll = json!({
        "id": "5000000001",
        "question": "Lunch?",
        "options": [{ "text": "yes", "voter_count": 1 }, { "text": "no", "voter_count": 0 }],
        "total_voter_count": 1,
        "is_closed": false,
        "is_anonymous": true,
        "type": "regular",
        "allows_multiple_answers": false,
    });
    let post =
        json!({ "message_id": 77, "date": 1_700_000_000, "chat": channel, "text": "channel news" });
    vec![
        json!({ "update_id": 1, "channel_post": post }),
        json!({ "update_id": 1, "edited_channel_post": {
            "message_id": 77, "date": 1_700_000_000, "edit_date": 1_700_000_100,
            "chat": channel, "text": "channel news, edited" } }),
        json!({ "update_id": 1, "inline_query": {
            "id": "inline-1", "from": user, "query": "printer", "offset": "" } }),
        json!({ "update_id": 1, "chosen_inline_result": {
            "result_id": "r1", "from": user, "query": "printer" } }),
        json!({ "update_id": 1, "poll": poll }),
        json!({ "update_id": 1, "poll_answer": {
            "poll_id": "5000000001", "user": user, "option_ids": [0] } }),
        json!({ "update_id": 1, "message_reaction": {
            "chat": group, "message_id": 5, "user": user, "date": 1_700_000_000,
            "old_reaction": [], "new_reaction": [{ "type": "emoji", "emoji": "👍" }] } }),
        json!({ "update_id": 1, "message_reaction_count": {
            "chat": channel, "message_id": 77, "date": 1_700_000_000,
            "reactions": [{ "type": { "type": "emoji", "emoji": "🔥" }, "total_count": 3 }] } }),
        json!({ "update_id": 1, "business_connection": {
            "id": "biz-1", "user": user, "user_chat_id": 4_242, "date": 1_700_000_000,
            "can_reply": true, "is_enabled": true } }),
        json!({ "update_id": 1, "business_message": {
            "message_id": 9, "date": 1_700_000_000, "chat": private, "from": user,
            "business_connection_id": "biz-1", "text": "via business" } }),
        json!({ "update_id": 1, "deleted_business_messages": {
            "business_connection_id": "biz-1", "chat": private, "message_ids": [9] } }),
        json!({ "update_id": 1, "chat_join_request": {
            "chat": group, "from": user, "user_chat_id": 4_242, "date": 1_700_000_000 } }),
        json!({ "update_id": 1, "chat_member": {
            "chat": group, "from": user, "date": 1_700_000_000,
            "old_chat_member": { "user": user, "status": "left" },
            "new_chat_member": { "user": user, "status": "member" } } }),
        json!({ "update_id": 1, "chat_boost": {
            "chat": channel, "boost": { "boost_id": "b1", "add_date": 1_700_000_000,
            "expiration_date": 1_800_000_000, "source": { "source": "premium", "user": user } } } }),
        json!({ "update_id": 1, "pre_checkout_query": {
            "id": "pcq-1", "from": user, "currency": "XTR", "total_amount": 5,
            "invoice_payload": "tip" } }),
        json!({ "update_id": 1, "unknown_future_kind": { "answer": 42, "nested": { "list": [1, "two", null] } } }),
    ]
}

// ----- strategies ------------------------------------------------------------------

/// One body to POST, with where it came from.
#[derive(Clone)]
struct Body {
    origin: &'static str,
    bytes: Vec<u8>,
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 4_000;
        let text = String::from_utf8_lossy(&self.bytes);
        if text.chars().count() <= SHOWN {
            write!(f, "[{}, {} bytes] {text}", self.origin, self.bytes.len())
        } else {
            let head: String = text.chars().take(SHOWN).collect();
            write!(
                f,
                "[{}, {} bytes, first {SHOWN} characters] {head}",
                self.origin,
                self.bytes.len()
            )
        }
    }
}

fn body(origin: &'static str, bytes: Vec<u8>) -> Body {
    Body { origin, bytes }
}

/// The corpus the mutations start from.
struct Seeds {
    /// Produced by the fake for real conversations.
    realistic: Vec<Value>,
    /// Hand-written kinds the bot does not handle. teloxide parses several
    /// of them with hand-written code, so they get a larger share.
    unhandled: Vec<Value>,
}

impl Seeds {
    fn pick(&self, unhandled: bool, index: &prop::sample::Index) -> Value {
        let from = if unhandled {
            &self.unhandled
        } else {
            &self.realistic
        };
        index.get(from).clone()
    }
}

fn body_strategy(seeds: Arc<Seeds>) -> impl Strategy<Value = Body> {
    let mutated_seeds = seeds.clone();
    let edited_seeds = seeds;
    prop_oneof![
        1 => vec(any::<u8>(), 0..512).prop_map(|b| body("random bytes", b)),
        1 => any::<String>().prop_map(|s| body("random text", s.into_bytes())),
        2 => vec(select(TOKENS), 0..48).prop_map(|t| body("token soup", t.concat().into_bytes())),
        2 => json_value().prop_map(|v| body("random JSON", to_bytes(&v))),
        3 => update_shaped().prop_map(|v| body("update-shaped JSON", to_bytes(&v))),
        8 => (any::<bool>(), any::<prop::sample::Index>(), vec(mutation(), 1..5), id_choice())
            .prop_map(move |(unhandled, seed, mutations, id)| {
                let mut update = mutated_seeds.pick(unhandled, &seed);
                for mutation in &mutations {
                    mutation.apply(&mut update);
                }
                body("mutated update", id.render(update))
            }),
        2 => (any::<bool>(), any::<prop::sample::Index>(), vec(byte_edit(), 1..4), any::<u32>())
            .prop_map(move |(unhandled, seed, edits, id)| {
                let mut update = edited_seeds.pick(unhandled, &seed);
                update["update_id"] = json!(id);
                let mut bytes = to_bytes(&update);
                for edit in &edits {
                    edit.apply(&mut bytes);
                }
                body("byte-edited update", bytes)
            }),
    ]
}

fn to_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a Value always serializes")
}

/// Pieces of JSON and not quite JSON, glued at random.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    " ",
    "\n",
    "\"",
    "\\",
    "\"update_id\"",
    "\"message\"",
    "\"edited_message\"",
    "\"callback_query\"",
    "\"chat\"",
    "\"from\"",
    "\"id\"",
    "\"text\"",
    "\"type\"",
    "\"private\"",
    "\"supergroup\"",
    "\"date\"",
    "\"message_id\"",
    "0",
    "1",
    "-1",
    "7",
    "4294967296",
    "9223372036854775808",
    "18446744073709551616",
    "1e999",
    "-0",
    "0.5",
    "null",
    "true",
    "false",
    "\"x\"",
    "\"/start\"",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"\\uDFFF\"",
    "\u{feff}",
    "\u{0}",
    "é",
    "🔥",
    "NaN",
    "Infinity",
    "//",
    "/*",
];

/// Field names Telegram uses, so random objects sometimes look the part.
const KEYS: &[&str] = &[
    "update_id",
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "channel_post",
    "message_id",
    "message_thread_id",
    "is_topic_message",
    "date",
    "edit_date",
    "chat",
    "id",
    "type",
    "title",
    "is_forum",
    "from",
    "is_bot",
    "first_name",
    "last_name",
    "username",
    "language_code",
    "text",
    "entities",
    "offset",
    "length",
    "url",
    "caption",
    "photo",
    "video",
    "document",
    "voice",
    "sticker",
    "file_id",
    "file_unique_id",
    "file_size",
    "width",
    "height",
    "duration",
    "media_group_id",
    "reply_to_message",
    "forum_topic_created",
    "forum_topic_closed",
    "name",
    "icon_color",
    "data",
    "chat_instance",
    "old_chat_member",
    "new_chat_member",
    "status",
    "user",
    "until_date",
    "reply_markup",
    "inline_keyboard",
    "callback_data",
    "forward_origin",
    "sender_chat",
    "location",
    "contact",
    "poll",
    "dice",
];

/// Update kinds, known to teloxide or not.
const KINDS: &[&str] = &[
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "channel_post",
    "edited_channel_post",
    "inline_query",
    "poll",
    "poll_answer",
    "message_reaction",
    "business_message",
    "chat_join_request",
    "unknown_future_kind",
];

/// Strings that tend to break things.
const STRINGS: &[&str] = &[
    "",
    " ",
    "/start",
    "/start@topicdesk_test_bot",
    "/help",
    "/close",
    "/assign 1",
    "/start 💥",
    "\u{0}",
    "\u{202e}gnp.exe",
    "\u{feff}",
    "👩‍👩‍👧‍👦",
    "ق",
    "日本語",
    "\r\n",
    "\\",
    "\"",
    "<b>bold</b>",
    "*_`[]()~>#+-=|{}.!",
    "private",
    "supergroup",
    "channel",
    "group",
    "kicked",
    "member",
    "left",
    "-100",
    "1e10",
];

fn key() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(KEYS).prop_map(str::to_owned),
        1 => "[a-z_]{1,16}",
        1 => any::<String>(),
    ]
    .boxed()
}

fn string() -> BoxedStrategy<String> {
    prop_oneof![
        2 => select(STRINGS).prop_map(str::to_owned),
        2 => any::<String>(),
        1 => "\\PC{0,64}",
    ]
    .boxed()
}

/// Numbers at the edges of every integer type ids are stored in.
fn interesting_number() -> BoxedStrategy<Value> {
    prop_oneof![
        select(vec![
            0_i64,
            1,
            -1,
            i64::from(i32::MAX),
            i64::from(i32::MIN),
            i64::from(i32::MAX) + 1,
            i64::from(u32::MAX),
            i64::from(u32::MAX) + 1,
            i64::MAX,
            i64::MIN,
            -1_001_234_567_890,
        ])
        .prop_map(Value::from),
        select(&[u64::MAX, i64::MAX as u64 + 1][..]).prop_map(Value::from),
        select(&[0.5, -0.0, 1e300, -1e300, 5e-324, 1_700_000_000.25][..]).prop_map(Value::from),
    ]
    .boxed()
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        interesting_number(),
        string().prop_map(Value::String),
    ]
    .boxed()
}

fn json_value() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(5, 64, 8, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..8).prop_map(Value::Array),
                vec((key(), inner), 0..8)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// A valid update_id and one kind holding random JSON: past the first check,
/// into teloxide's parser and, when it parses, into the handlers.
fn update_shaped() -> impl Strategy<Value = Value> {
    (
        any::<u32>(),
        select(KINDS),
        json_value(),
        vec((key(), json_value()), 0..3),
    )
        .prop_map(|(id, kind, payload, extra)| {
            let mut update = Map::new();
            update.insert("update_id".into(), json!(id));
            update.insert(kind.into(), payload);
            for (k, v) in extra {
                if k != "update_id" {
                    update.insert(k, v);
                }
            }
            Value::Object(update)
        })
}

// ----- mutations of seed updates ---------------------------------------------------

#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the chosen node with one of another JSON type.
    Retype { node: prop::sample::Index, to: u8 },
    /// Replace the chosen node with random JSON.
    Replace {
        node: prop::sample::Index,
        value: Value,
    },
    /// Remove the chosen node from its object or array.
    Drop { node: prop::sample::Index },
    /// Remove one field of the update's payload (`message.from`,
    /// `poll_answer.user`, ...): optional fields Telegram leaves out.
    DropPayloadField { field: prop::sample::Index },
    /// Add an unknown (or known) field to the chosen object.
    AddField {
        node: prop::sample::Index,
        key: String,
        value: Value,
    },
    /// Replace the chosen node with a number at some edge.
    Number {
        node: prop::sample::Index,
        value: Value,
    },
    /// Replace the chosen node with a long string.
    LongString {
        node: prop::sample::Index,
        length: usize,
        fill: char,
    },
    /// Replace the chosen node with a strange string.
    Text {
        node: prop::sample::Index,
        text: String,
    },
    /// Bury the chosen node `depth` arrays or objects deep.
    Nest {
        node: prop::sample::Index,
        depth: usize,
        in_objects: bool,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let node = any::<prop::sample::Index>;
    prop_oneof![
        6 => (node(), any::<u8>()).prop_map(|(node, to)| Mutation::Retype { node, to }),
        3 => (node(), json_value()).prop_map(|(node, value)| Mutation::Replace { node, value }),
        5 => node().prop_map(|node| Mutation::Drop { node }),
        4 => node().prop_map(|field| Mutation::DropPayloadField { field }),
        3 => (node(), key(), json_value())
            .prop_map(|(node, key, value)| Mutation::AddField { node, key, value }),
        5 => (node(), interesting_number()).prop_map(|(node, value)| Mutation::Number { node, value }),
        1 => (
            node(),
            select(&[1_000, 4_097, 70_000, 600_000, MAX_BODY_BYTES - 600, MAX_BODY_BYTES + 1][..]),
            select(&['a', 'ж', '🔥', '"', '\\', '\u{0}'][..]),
        )
            .prop_map(|(node, length, fill)| Mutation::LongString { node, length, fill }),
        3 => (node(), string()).prop_map(|(node, text)| Mutation::Text { node, text }),
        1 => (node(), 1..200_usize, any::<bool>())
            .prop_map(|(node, depth, in_objects)| Mutation::Nest { node, depth, in_objects }),
    ]
}

/// A step from a node to one of its children.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn all_paths(value: &Value) -> Vec<Vec<Step>> {
    fn walk(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        out.push(path.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(Step::Key(k.clone()));
                    walk(v, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn node_at<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |node, step| match step {
        Step::Key(k) => &mut node[k.as_str()],
        Step::Index(i) => &mut node[*i],
    })
}

impl Mutation {
    fn node(&self) -> &prop::sample::Index {
        match self {
            Mutation::DropPayloadField { field } => field,
            Mutation::Retype { node, .. }
            | Mutation::Replace { node, .. }
            | Mutation::Drop { node }
            | Mutation::AddField { node, .. }
            | Mutation::Number { node, .. }
            | Mutation::LongString { node, .. }
            | Mutation::Text { node, .. }
            | Mutation::Nest { node, .. } => node,
        }
    }

    fn apply(&self, update: &mut Value) {
        if let Mutation::DropPayloadField { field } = self {
            let payload = update.as_object_mut().and_then(|fields| {
                fields
                    .iter_mut()
                    .find(|(key, _)| *key != "update_id")
                    .and_then(|(_, payload)| payload.as_object_mut())
            });
            if let Some(payload) = payload.filter(|p| !p.is_empty()) {
                let key = field
                    .get(&payload.keys().cloned().collect::<Vec<_>>())
                    .clone();
                payload.remove(&key);
            }
            return;
        }
        let paths = all_paths(update);
        let path = self.node().get(&paths).clone();
        if let Mutation::Drop { .. } = self {
            let Some((last, parent)) = path.split_last() else {
                *update = Value::Null;
                return;
            };
            match (node_at(update, parent), last) {
                (Value::Object(map), Step::Key(k)) => {
                    map.remove(k);
                }
                (Value::Array(items), Step::Index(i)) => {
                    items.remove(*i);
                }
                _ => {}
            }
            return;
        }
        let node = node_at(update, &path);
        match self {
            Mutation::Retype { to, .. } => *node = retyped(node, *to),
            Mutation::Replace { value, .. } | Mutation::Number { value, .. } => {
                *node = value.clone()
            }
            Mutation::AddField { key, value, .. } => match node {
                Value::Object(map) => {
                    map.insert(key.clone(), value.clone());
                }
                other => *other = json!({ key.as_str(): value }),
            },
            Mutation::LongString { length, fill, .. } => {
                // Sized by its JSON form: "\u0000" takes six bytes.
                let escaped = to_bytes(&Value::String(fill.to_string())).len() - 2;
                let count = length / escaped;
                *node = Value::String(std::iter::repeat_n(*fill, count).collect());
            }
            Mutation::Text { text, .. } => *node = Value::String(text.clone()),
            Mutation::Nest {
                depth, in_objects, ..
            } => {
                let mut nested = node.take();
                for _ in 0..*depth {
                    nested = if *in_objects {
                        json!({ "a": nested })
                    } else {
                        json!([nested])
                    };
                }
                *node = nested;
            }
            Mutation::Drop { .. } | Mutation::DropPayloadField { .. } => {
                unreachable!("handled above")
            }
        }
    }
}

/// The same node as another JSON type.
fn retyped(node: &Value, to: u8) -> Value {
    let as_number = || match node {
        Value::Number(n) => Value::Number(n.clone()),
        Value::String(s) => s
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(s.len())),
        Value::Bool(b) => Value::from(u8::from(*b)),
        Value::Array(items) => Value::from(items.len()),
        Value::Object(map) => Value::from(map.len()),
        Value::Null => Value::from(0),
    };
    match to % 7 {
        0 => Value::Null,
        1 => Value::Bool(!node.is_null()),
        2 => as_number(),
        3 => match node {
            Value::String(s) => Value::String(s.clone()),
            other => Value::String(other.to_string()),
        },
        4 => json!([node]),
        5 => json!({ "value": node }),
        _ => match node {
            Value::Array(_) => json!([]),
            Value::Object(_) => json!({}),
            Value::String(_) => json!(""),
            _ => as_number(),
        },
    }
}

/// What the mutated update says its update_id is.
#[derive(Clone, Debug)]
enum IdChoice {
    /// As the seed had it: a duplicate of an update already stored.
    Keep,
    /// A fresh one, so the update is stored and handled.
    Fresh(u32),
    /// Written as this JSON text.
    Raw(&'static str),
    /// No update_id at all.
    Missing,
    /// The key twice.
    Twice(u32, u32),
}

fn id_choice() -> impl Strategy<Value = IdChoice> {
    prop_oneof![
        2 => Just(IdChoice::Keep),
        8 => any::<u32>().prop_map(IdChoice::Fresh),
        3 => select(&[
            "0", "-1", "4294967295", "4294967296", "9223372036854775807",
            "9223372036854775808", "18446744073709551615", "18446744073709551616",
            "-9223372036854775808", "100000000000000000000000000000", "1e3", "1.0", "-0",
            "1E400", "null", "true", "\"42\"", "[]", "{}", "[1]",
        ][..])
        .prop_map(IdChoice::Raw),
        1 => Just(IdChoice::Missing),
        1 => (any::<u32>(), any::<u32>()).prop_map(|(a, b)| IdChoice::Twice(a, b)),
    ]
}

impl IdChoice {
    fn render(&self, mut update: Value) -> Vec<u8> {
        let Value::Object(map) = &mut update else {
            return to_bytes(&update);
        };
        let id = match self {
            IdChoice::Keep => return to_bytes(&update),
            IdChoice::Fresh(id) => id.to_string(),
            IdChoice::Raw(raw) => (*raw).to_owned(),
            IdChoice::Missing => {
                map.remove("update_id");
                return to_bytes(&update);
            }
            IdChoice::Twice(a, b) => format!("{a},\"update_id\":{b}"),
        };
        map.remove("update_id");
        let rest = to_bytes(&update);
        let mut bytes = format!("{{\"update_id\":{id}").into_bytes();
        if rest.len() > 2 {
            bytes.push(b',');
        }
        bytes.extend_from_slice(&rest[1..]);
        bytes
    }
}

// ----- byte edits of seed updates ----------------------------------------------------

#[derive(Clone, Debug)]
enum ByteEdit {
    Flip {
        at: prop::sample::Index,
        mask: u8,
    },
    Insert {
        at: prop::sample::Index,
        bytes: Vec<u8>,
    },
    Delete {
        at: prop::sample::Index,
        length: usize,
    },
    Truncate {
        at: prop::sample::Index,
    },
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    let at = any::<prop::sample::Index>;
    prop_oneof![
        3 => (at(), 1..=u8::MAX).prop_map(|(at, mask)| ByteEdit::Flip { at, mask }),
        3 => (at(), prop_oneof![
            vec(any::<u8>(), 1..8),
            select(TOKENS).prop_map(|t| t.as_bytes().to_vec()),
        ])
            .prop_map(|(at, bytes)| ByteEdit::Insert { at, bytes }),
        2 => (at(), 1..32_usize).prop_map(|(at, length)| ByteEdit::Delete { at, length }),
        1 => at().prop_map(|at| ByteEdit::Truncate { at }),
    ]
}

impl ByteEdit {
    fn apply(&self, bytes: &mut Vec<u8>) {
        let position = |at: &prop::sample::Index| at.index(bytes.len() + 1);
        match self {
            ByteEdit::Flip { at, mask } => {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] ^= mask;
                }
            }
            ByteEdit::Insert {
                at,
                bytes: inserted,
            } => {
                let i = position(at);
                bytes.splice(i..i, inserted.iter().copied());
            }
            ByteEdit::Delete { at, length } => {
                let i = position(at);
                let end = (i + length).min(bytes.len());
                bytes.drain(i..end);
            }
            ByteEdit::Truncate { at } => {
                let i = position(at);
                bytes.truncate(i);
            }
        }
    }
}
