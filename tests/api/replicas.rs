//! Several bot instances on one database and one Redis behind a load
//! balancer, and parallel webhook deliveries: nothing lost, nothing twice,
//! one ticket and one topic per client.

use std::sync::Arc;
use std::time::Duration;

use fake_telegram::{FakeTelegram, World};
use sea_orm::EntityTrait;
use topicdesk::entities::tickets;

use crate::support::{AppOptions, TestDatabase, eventually, spawn_app_with};

const CLIENTS: usize = 8;
const MESSAGES: usize = 10;
const PATIENCE: Duration = Duration::from_secs(30);

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

/// The texts client `i` wrote, as they stand in the client's topic, once
/// every one of them is there (and only one topic is the client's).
fn topic_texts_of(w: &World, main_group: i64, i: usize) -> Option<Vec<String>> {
    let name = format!("Client{i}");
    let topics: Vec<_> = w
        .topics(main_group)
        .into_iter()
        .filter(|t| t.name.contains(&name))
        .collect();
    let [topic] = topics.as_slice() else {
        return None;
    };
    let prefix = format!("c{i} ");
    let texts: Vec<String> = w
        .topic_messages(main_group, topic.thread_id)
        .into_iter()
        .filter_map(|m| {
            m.text()
                .filter(|t| t.starts_with(&prefix))
                .map(str::to_owned)
        })
        .collect();
    (texts.len() >= MESSAGES).then_some(texts)
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
    let database = Arc::new(TestDatabase::create().await);
    // Replicas of one deployment share its settings, the webhook secret too.
    let options = || AppOptions {
        fake: Some(fake.clone()),
        database: Some(database.clone()),
        main_group: Some(main_group),
        vars: vec![("WEBHOOK_SECRET".into(), "shared_secret".into())],
        ..AppOptions::default()
    };
    let first = spawn_app_with(options()).await;
    let second = spawn_app_with(options()).await;
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
        fake: Some(fake.clone()),
        database: Some(database.clone()),
        main_group: Some(main_group),
        vars: vec![("WEBHOOK_SECRET".into(), "shared_secret".into())],
        adjust: Some(Box::new(|settings| {
            settings.limits = topicdesk::telegram::limits::Limits {
                group_window: MINUTE,
                ..topicdesk::telegram::limits::Limits::telegram()
            };
        })),
        ..AppOptions::default()
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
    let options = || AppOptions {
        fake: Some(fake.clone()),
        database: Some(database.clone()),
        main_group: Some(main_group),
        vars: vec![("WEBHOOK_SECRET".into(), "shared_secret".into())],
        ..AppOptions::default()
    };
    // A compose `--scale bot=2` first start, or a rollout.
    let (first, second) = tokio::join!(spawn_app_with(options()), spawn_app_with(options()));
    for app in [&first, &second] {
        eventually("both instances to be ready", PATIENCE, || async {
            app.get("/readyz").await.status() == reqwest::StatusCode::OK
        })
        .await;
    }
}
