//! Health, readiness and metrics, and the self-check behind readiness.

use std::time::Duration;

use fake_telegram::GroupSpec;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{AppOptions, TestApp, eventually, eventually_some, spawn_app, spawn_app_with};

async fn readiness(app: &TestApp) -> (StatusCode, Value) {
    let response = app.get("/readyz").await;
    let status = response.status();
    (status, response.json().await.expect("readyz answers JSON"))
}

#[tokio::test]
async fn healthz_says_the_process_is_up() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn readyz_turns_ready_once_the_self_check_passes() {
    let app = spawn_app().await;
    eventually("readyz to answer 200", Duration::from_secs(10), || async {
        readiness(&app).await.0 == StatusCode::OK
    })
    .await;
    assert!(app.fake.calls_to("getMe").iter().any(|c| c.is_ok()));
    assert!(
        app.fake
            .calls_to("getChatMember")
            .iter()
            .any(|c| c.chat_id() == Some(app.main_group))
    );
}

#[tokio::test]
async fn readyz_names_each_misconfigured_group_and_how_to_fix_it() {
    let fake = fake_telegram::FakeTelegram::start().await;
    let main_group = fake.add_group(GroupSpec::plain("Support without topics"));
    let tech_group = fake.add_group(GroupSpec::forum("Ivan's desk").bot_without_topic_rights());
    let mapping =
        format!(r#"[{{"name":"Ivan Petrov","username":"ivan","group_chat_id":{tech_group}}}]"#);
    let app = spawn_app_with(AppOptions {
        fake: Some(fake),
        main_group: Some(main_group),
        vars: vec![("TECH_GROUPS_MAPPING".into(), mapping)],
        ..AppOptions::default()
    })
    .await;

    let body = eventually_some(
        "the self-check to report",
        Duration::from_secs(10),
        || async {
            let (status, json) = readiness(&app).await;
            (status == StatusCode::SERVICE_UNAVAILABLE
                && !json.to_string().contains("has not finished"))
            .then_some(json)
        },
    )
    .await;
    let problems: Vec<String> = body["problems"]
        .as_array()
        .expect("a list of problems")
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("main group") && problems[0].contains("enable Topics"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("Ivan Petrov") && problems[1].contains("Manage topics"),
        "{problems:?}"
    );

    // The bot keeps running: it still answers clients.
    let client = app.fake.add_user("Nina");
    app.fake.user(client).in_private().command("/start");
    app.fake.wait_for_bot_messages(client, 1).await.unwrap();
}

#[tokio::test]
async fn readyz_recovers_when_the_group_is_fixed() {
    let fake = fake_telegram::FakeTelegram::start().await;
    let main_group = fake.add_group(GroupSpec::forum("Support").bot_not_admin());
    let app = spawn_app_with(AppOptions {
        fake: Some(fake),
        main_group: Some(main_group),
        ..AppOptions::default()
    })
    .await;
    eventually(
        "readyz to report the missing admin rights",
        Duration::from_secs(10),
        || async {
            let (status, json) = readiness(&app).await;
            status == StatusCode::SERVICE_UNAVAILABLE
                && json.to_string().contains("not an administrator")
        },
    )
    .await;

    app.fake.set_bot_role(
        main_group,
        fake_telegram::BotRole::Admin(Default::default()),
    );
    eventually("readyz to turn ready", Duration::from_secs(10), || async {
        readiness(&app).await.0 == StatusCode::OK
    })
    .await;
}

#[tokio::test]
async fn metrics_count_updates_and_telegram_calls() {
    let app = spawn_app().await;
    let client = app.fake.add_user("Oleg");
    app.fake.user(client).in_private().command("/start");
    app.fake.wait_for_bot_messages(client, 1).await.unwrap();

    let metrics = eventually_some(
        "the update to be counted as processed",
        Duration::from_secs(10),
        || async {
            let metrics = app.get("/metrics").await.text().await.unwrap();
            // The answer leaves through the outbox after the update is done;
            // its call is counted once Telegram has answered it.
            (metrics.contains("topicdesk_updates_processed_total 1")
                && metrics.contains(r#"method="SendMessage",outcome="ok""#))
            .then_some(metrics)
        },
    )
    .await;
    for expected in [
        r#"topicdesk_updates_received_total{source="webhook"} 1"#,
        "topicdesk_inbound_backlog 0",
        "topicdesk_handler_duration_seconds_count 1",
        r#"topicdesk_telegram_api_calls_total{method="SendMessage",outcome="ok"} 1"#,
        r#"topicdesk_telegram_api_calls_total{method="SetWebhook",outcome="ok"} 1"#,
    ] {
        assert!(
            metrics.contains(expected),
            "missing {expected} in\n{metrics}"
        );
    }
}
