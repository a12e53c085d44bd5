//! No secret in any log line: the token is part of every Bot API URL, and
//! HTTP clients quote the URL in their errors. Telegram's bad minutes are
//! played here (a long poll that never answers, a port that refuses) and
//! everything the application logs, stores or answers is searched for the
//! token's secret part.

use std::time::Duration;

use fake_telegram::{FakeOptions, FakeTelegram};
use sea_orm::EntityTrait;
use serde_json::Value;
use topicdesk::config::PollingSettings;
use topicdesk::entities::{events, outbox};

use crate::support::logs::{WARN, message};
use crate::support::outage::ClosablePort;
use crate::support::{AppOptions, CapturedLogs, TestApp, spawn_app_with};

const PATIENCE: Duration = Duration::from_secs(20);

/// A fake whose token has a secret of BotFather's length, unique to the
/// test so no other test's output can match it.
async fn fake_with_a_fresh_token() -> (FakeTelegram, String) {
    let secret = format!("AAH{}", uuid::Uuid::new_v4().simple());
    let fake = FakeTelegram::start_with(FakeOptions {
        token_secret: secret.clone(),
        ..FakeOptions::default()
    })
    .await;
    (fake, secret)
}

fn mentions(line: &Value, words: &str) -> bool {
    line.to_string().to_lowercase().contains(words)
}

/// Everything the application logged, answered on /readyz and /metrics,
/// and wrote into the outbox and the events: none of it holds `secret`.
async fn assert_nowhere(app: &TestApp, logs: &CapturedLogs, secret: &str) {
    let logged = logs.text();
    assert!(!logged.is_empty(), "nothing was captured");
    if let Some(at) = logged.find(secret) {
        let start = logged[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = logged[at..].find('\n').map_or(logged.len(), |i| at + i);
        panic!("a secret is in a log line: {}", &logged[start..end]);
    }
    for path in ["/readyz", "/metrics"] {
        let body = app.get(path).await.text().await.unwrap();
        assert!(!body.contains(secret), "{path}: {body}");
    }
    for row in outbox::Entity::find().all(&app.db).await.unwrap() {
        assert!(!format!("{row:?}").contains(secret), "{row:?}");
    }
    for row in events::Entity::find().all(&app.db).await.unwrap() {
        assert!(!format!("{row:?}").contains(secret), "{row:?}");
    }
}

#[tokio::test]
async fn polling_through_timeouts_and_refused_connections_never_logs_the_token() {
    let (fake, secret) = fake_with_a_fresh_token().await;
    let port = ClosablePort::start(fake.addr()).await;
    let logs = CapturedLogs::new();
    let app = spawn_app_with(AppOptions {
        webhook: false,
        fake: Some(fake.clone()),
        vars: vec![("TELEGRAM_API_URL".into(), port.url())],
        logs: Some(logs.clone()),
        adjust: Some(Box::new(|settings| {
            settings.telegram.polling = PollingSettings {
                long_poll: Duration::from_secs(1),
                timeout: Duration::from_secs(2),
            };
        })),
        ..AppOptions::default()
    })
    .await;
    fake.wait_for_call("getUpdates").await.unwrap();

    // Telegram holds getUpdates far beyond the client's timeout.
    fake.set_method_latency("getUpdates", Some(Duration::from_secs(3600)));
    let timed_out = logs
        .wait_for("getUpdates to time out", PATIENCE, |line| {
            line["level"] == WARN
                && message(line) == "getUpdates failed"
                && mentions(line, "timed out")
        })
        .await;
    // The cause is there, the URL is not.
    let reason = timed_out["reason"].as_str().unwrap();
    assert!(reason.starts_with("error sending request"), "{reason}");
    assert!(!reason.contains("http://"), "{reason}");

    // Then the Bot API's port refuses connections.
    port.close().await;
    logs.wait_for("getUpdates to be refused", PATIENCE, |line| {
        line["level"] == WARN && message(line) == "getUpdates failed" && mentions(line, "refused")
    })
    .await;

    assert_nowhere(&app, &logs, &secret).await;
}

#[tokio::test]
async fn a_send_that_cannot_reach_telegram_is_logged_and_stored_without_the_token() {
    let (fake, secret) = fake_with_a_fresh_token().await;
    let port = ClosablePort::start(fake.addr()).await;
    let logs = CapturedLogs::new();
    let app = spawn_app_with(AppOptions {
        fake: Some(fake.clone()),
        vars: vec![("TELEGRAM_API_URL".into(), port.url())],
        logs: Some(logs.clone()),
        ..AppOptions::default()
    })
    .await;

    // Once the bot is up and answering…
    let first = fake.add_user("Lena");
    fake.user(first).in_private().command("/start");
    fake.wait_for_bot_messages(first, 1).await.unwrap();

    port.close().await;
    let client = fake.add_user("Mark");
    fake.user(client).in_private().command("/start");
    // The greeting's sendMessage meets a closed port.
    let failure = logs
        .wait_for("the refused sendMessage to be logged", PATIENCE, |line| {
            line["level"].as_u64() >= Some(WARN)
                && mentions(line, "sendmessage")
                && mentions(line, "refused")
        })
        .await;
    assert!(
        !mentions(&failure, "bot<") && !mentions(&failure, "/sendmessage"),
        "{failure}"
    );

    assert_nowhere(&app, &logs, &secret).await;
    // The webhook's secret is in its path; the request log names the route.
    assert_nowhere(&app, &logs, &app.secret).await;
}
