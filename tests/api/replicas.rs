//! Several bot instances on one database and one Redis behind a load
//! balancer, and parallel webhook deliveries: nothing lost, nothing twice,
//! one ticket and one topic per client.

use std::sync::Arc;
use std::time::Duration;

use fake_telegram::{FakeTelegram, World};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use topicdesk::entities::{InboundStatus, inbound_updates, tickets};

use crate::support::{AppOptions, TestApp, TestDatabase, eventually, spawn_app_with};

const CLIENTS: usize = 8;
const MESSAGES: usize = 10;
const PATIENCE: Duration = Duration::from_secs(30);
/// The webhook secret replicas of one deployment share.
const SHARED_SECRET: &str = "shared_secret";

/// Every client writes `MESSAGES` messages, the clients taking turns.
fn clients_write(fake: &FakeTelegram) -> Vec<i64> {
    let clients: Vec<i64> = (0..CLIENTS)
        .map(|i| fake.add_user(format!("Client{i}").as_str()))
        .collect();
    for message in 0..MESSAGES {
        for (i, client) in clients.iter().enumerate() {
            fake.user(*client)
                .in_private()
                .text(&format!("c{i} m{message}"));
        }
    }
    clients
}

/// The texts `wanted` picks out of the topic named after `name`, once `n`
/// are there (and only one topic is that client's).
fn texts_in_topic_of(
    w: &World,
    main_group: i64,
    name: &str,
    wanted: impl Fn(&str) -> bool,
    n: usize,
) -> Option<Vec<String>> {
    let topics: Vec<_> = w
        .topics(main_group)
        .into_iter()
        .filter(|t| t.name.contains(name))
        .collect();
    let [topic] = topics.as_slice() else {
        return None;
    };
    let texts: Vec<String> = w
        .topic_messages(main_group, topic.thread_id)
        .into_iter()
        .filter_map(|m| m.text().filter(|t| wanted(t)).map(str::to_owned))
        .collect();
    (texts.len() >= n).then_some(texts)
}

/// The texts client `i` wrote, as they stand in the client's topic, once
/// every one of them is there.
fn topic_texts_of(w: &World, main_group: i64, i: usize) -> Option<Vec<String>> {
    let prefix = format!("c{i} ");
    texts_in_topic_of(
        w,
        main_group,
        &format!("Client{i}"),
        |t| t.starts_with(&prefix),
        MESSAGES,
    )
}

/// The settings of one replica: replicas of one deployment share the
/// database, Redis and settings, the webhook secret too.
fn replica_options(
    fake: &FakeTelegram,
    database: &Arc<TestDatabase>,
    main_group: i64,
) -> AppOptions {
    AppOptions {
        fake: Some(fake.clone()),
        database: Some(database.clone()),
        main_group: Some(main_group),
        vars: vec![("WEBHOOK_SECRET".into(), SHARED_SECRET.into())],
        ..AppOptions::default()
    }
}

/// Two replicas on a new database, started one after the other; returns
/// once the second is ready, which it is only after it has joined the first
/// (the first then knows it is no longer alone).
async fn two_replicas(fake: &FakeTelegram, main_group: i64) -> (TestApp, TestApp) {
    let database = Arc::new(TestDatabase::create().await);
    let first = spawn_app_with(replica_options(fake, &database, main_group)).await;
    let second = spawn_app_with(replica_options(fake, &database, main_group)).await;
    eventually("the second instance to be ready", PATIENCE, || async {
        second.get("/readyz").await.status() == reqwest::StatusCode::OK
    })
    .await;
    (first, second)
}

fn written_by(i: usize) -> Vec<String> {
    (0..MESSAGES).map(|m| format!("c{i} m{m}")).collect()
}

#[tokio::test]
async fn two_instances_behind_one_webhook_keep_one_topic_per_client_and_the_order() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: two instances need a shared store (set TEST_REDIS_URL)");
        return;
    }
    let fake = FakeTelegram::start().await;
    let main_group = fake.add_forum_group("Support");
    let (first, second) = two_replicas(&fake, main_group).await;
    // Posts alternate between the two, one after another.
    fake.route_webhooks_round_robin(vec![first.address, second.address]);

    let clients = clients_write(&fake);
    for i in 0..CLIENTS {
        let texts = fake
            .wait_for_value(&format!("every message of Client{i}"), PATIENCE, |w| {
                topic_texts_of(w, main_group, i)
            })
            .await
            .unwrap();
        assert_eq!(
            texts,
            written_by(i),
            "Client{i}'s messages once each, in order"
        );
    }
    assert_eq!(
        fake.topics(main_group).len(),
        CLIENTS,
        "one topic per client"
    );
    let rows = tickets::Entity::find().all(&first.db).await.unwrap();
    assert_eq!(rows.len(), CLIENTS, "one ticket per client");
    for client in &clients {
        assert_eq!(
            fake.bot_messages(*client).len(),
            1,
            "one acknowledgement each"
        );
    }
    let refused = fake
        .delivery_attempts()
        .iter()
        .filter(|a| !a.accepted())
        .count();
    assert_eq!(refused, 0, "both instances accepted their share");
    drop(second);
}

/// The copies of `name`'s messages in their topic (texts such as "a1" for
/// Anna), once `n` are there.
fn client_texts_in_topic(w: &World, main_group: i64, name: &str, n: usize) -> Option<Vec<String>> {
    let initial = name.to_lowercase().chars().next()?;
    texts_in_topic_of(
        w,
        main_group,
        name,
        |t| t.len() == 2 && t.starts_with(initial),
        n,
    )
}

#[tokio::test]
async fn an_update_waits_for_an_earlier_one_of_its_chat_that_another_instance_holds() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: another instance needs a shared store (set TEST_REDIS_URL)");
        return;
    }
    let fake = FakeTelegram::start().await;
    let main_group = fake.add_forum_group("Support");
    let (app, other) = two_replicas(&fake, main_group).await;
    fake.route_webhooks_to(app.address);
    let anna = fake.add_user("Anna");
    let boris = fake.add_user("Boris");
    fake.user(anna).in_private().text("a1");
    fake.user(boris).in_private().text("b1");
    for name in ["Anna", "Boris"] {
        fake.wait_for_value(&format!("{name}'s topic"), PATIENCE, |w| {
            client_texts_in_topic(w, main_group, name, 1)
        })
        .await
        .unwrap();
    }

    // Anna's second message reached the other instance, which stored it
    // and has not handled it yet: its row is pending, and this instance
    // never saw the update.
    fake.hold_deliveries(true);
    let held = fake.user(anna).in_private().text("a2");
    let body = fake.take_update(held.update_id).expect("the held update");
    inbound_updates::ActiveModel {
        update_id: Set(held.update_id),
        payload: Set(body.clone()),
        chat_id: Set(Some(anna)),
        topic_id: Set(Some(0)),
        status: Set(InboundStatus::Pending),
        attempts: Set(0),
        last_error: Set(None),
        received_at: Set(chrono::Utc::now()),
        processed_at: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    // Her third message and Boris's second reach this instance.
    fake.user(anna).in_private().text("a3");
    fake.user(boris).in_private().text("b2");
    fake.hold_deliveries(false);

    // Boris has nothing unfinished before his message: it goes at once,
    // checked in the same statement as Anna's.
    fake.wait_for_value("Boris's second message", PATIENCE, |w| {
        client_texts_in_topic(w, main_group, "Boris", 2)
    })
    .await
    .unwrap();
    let anna_now = fake.read(|w| client_texts_in_topic(w, main_group, "Anna", 1).unwrap());
    assert_eq!(anna_now, vec!["a1"], "a3 waits for a2");

    // The other instance gets round to a2; once it is handled there, a3
    // follows here, in Anna's order.
    let answer = other
        .http
        .post(other.url(&format!("/webhook/{SHARED_SECRET}")))
        .header("x-telegram-bot-api-secret-token", SHARED_SECRET)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    let anna_texts = fake
        .wait_for_value("Anna's three messages", PATIENCE, |w| {
            client_texts_in_topic(w, main_group, "Anna", 3)
        })
        .await
        .unwrap();
    assert_eq!(anna_texts, vec!["a1", "a2", "a3"]);
}

#[tokio::test]
async fn a_chats_sender_lets_go_of_its_lock_a_moment_after_its_last_delivery() {
    let Ok(redis_url) = std::env::var("TEST_REDIS_URL") else {
        eprintln!("skipped: the lane's lock lives in Redis (set TEST_REDIS_URL)");
        return;
    };
    let app = spawn_app_with(AppOptions::default()).await;
    let anna = app.fake.add_user("Anna");
    for text in ["a1", "a2", "a3"] {
        app.fake.user(anna).in_private().text(text);
    }
    app.fake
        .wait_for_value("Anna's three messages", PATIENCE, |w| {
            client_texts_in_topic(w, app.main_group, "Anna", 3)
        })
        .await
        .unwrap();
    // Another instance, as it would look for the main group's lock: the
    // sender keeps it only for a moment in case more comes, not for the
    // lock's six-second lifetime.
    let other = topicdesk::store::Store::redis(&redis_url, app.database.key_prefix())
        .await
        .unwrap();
    let lane = format!("lane:{}", app.main_group);
    let taken = std::sync::Arc::new(tokio::sync::Mutex::new(None));
    eventually(
        "the main group's lock is free",
        Duration::from_secs(3),
        || {
            let (other, lane, taken) = (other.clone(), lane.clone(), taken.clone());
            async move {
                match other.try_lock(&lane, Duration::from_secs(5)).await.unwrap() {
                    Some(lock) => {
                        *taken.lock().await = Some(lock);
                        true
                    }
                    None => false,
                }
            }
        },
    )
    .await;
    let lock = taken.lock().await.take().unwrap();
    assert!(other.unlock(lock).await.unwrap());
}

#[tokio::test]
async fn parallel_webhook_deliveries_lose_nothing_and_repeat_nothing() {
    let fake = FakeTelegram::start().await;
    let main_group = fake.add_forum_group("Support");
    let app = spawn_app_with(AppOptions {
        fake: Some(fake.clone()),
        main_group: Some(main_group),
        ..AppOptions::default()
    })
    .await;
    // Like Telegram with max_connections > 1: several posts at once.
    fake.set_webhook_concurrency(4);
    clients_write(&fake);
    for i in 0..CLIENTS {
        let mut texts = fake
            .wait_for_value(&format!("every message of Client{i}"), PATIENCE, |w| {
                topic_texts_of(w, main_group, i)
            })
            .await
            .unwrap();
        // Posts that overlap can be stored in either order, so only the
        // set is checked here: each message exactly once.
        texts.sort();
        assert_eq!(texts, written_by(i), "Client{i}'s messages, each once");
    }
    let rows = tickets::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), CLIENTS);
}

#[tokio::test]
async fn two_instances_keep_to_one_shared_limit_per_chat() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: shared limits need a shared store (set TEST_REDIS_URL)");
        return;
    }
    // Telegram's limits, with its minute passing in four seconds.
    const MINUTE: Duration = Duration::from_secs(4);
    let fake = FakeTelegram::start().await;
    fake.enforce_limits(Some(fake_telegram::Limits {
        group_window: MINUTE,
        ..fake_telegram::Limits::telegram()
    }));
    let main_group = fake.add_forum_group("Support");
    let database = Arc::new(TestDatabase::create().await);
    let options = || AppOptions {
        adjust: Some(Box::new(|settings| {
            settings.limits = topicdesk::telegram::limits::Limits {
                group_window: MINUTE,
                ..topicdesk::telegram::limits::Limits::telegram()
            };
        })),
        ..replica_options(&fake, &database, main_group)
    };
    let first = spawn_app_with(options()).await;
    let second = spawn_app_with(options()).await;
    fake.route_webhooks_round_robin(vec![first.address, second.address]);

    // Each new client costs the main group a topic, a card and a copy.
    const QUIET: usize = 12;
    let clients: Vec<i64> = (0..QUIET)
        .map(|i| fake.add_user(format!("Client{i}").as_str()))
        .collect();
    for (i, client) in clients.iter().enumerate() {
        fake.user(*client).in_private().text(&format!("hello {i}"));
    }
    fake.wait_until(PATIENCE, |w| {
        (0..QUIET).all(|i| {
            w.topics(main_group).iter().any(|t| {
                w.topic_texts(main_group, t.thread_id)
                    .contains(&format!("hello {i}"))
            })
        })
    })
    .await
    .expect("every client's message reaches the main group");
    assert_eq!(
        fake.too_many_requests_served(),
        0,
        "two instances, one window: Telegram never had to refuse"
    );
    drop(second);
}

#[tokio::test]
async fn two_instances_started_at_the_same_moment_on_an_empty_database_both_become_ready() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("skipped: instances share PostgreSQL only (set TEST_DATABASE_URL)");
        return;
    }
    let fake = FakeTelegram::start().await;
    let main_group = fake.add_forum_group("Support");
    // Empty: no table yet, so both instances find every migration pending.
    let database = Arc::new(TestDatabase::create().await);
    let options = || replica_options(&fake, &database, main_group);
    // A compose `--scale bot=2` first start, or a rollout.
    let (first, second) = tokio::join!(spawn_app_with(options()), spawn_app_with(options()));
    for app in [&first, &second] {
        eventually("both instances to be ready", PATIENCE, || async {
            app.get("/readyz").await.status() == reqwest::StatusCode::OK
        })
        .await;
    }
}
