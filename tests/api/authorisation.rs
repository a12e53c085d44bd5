//! Who the bot listens to: the groups the configuration names, and nobody
//! who merely added it somewhere else; and a webhook secret hard to guess.

use std::time::Duration;

use fake_telegram::{BotRole, GroupSpec};
use serde_json::Value;
use topicdesk::entities::InboundStatus;

use crate::support::logs::{INFO, WARN, message};
use crate::support::{AppOptions, CapturedLogs, TestApp, eventually, spawn_app_with};

const PATIENCE: Duration = Duration::from_secs(10);

async fn app_with_logs() -> (TestApp, CapturedLogs) {
    let logs = CapturedLogs::new();
    let app = spawn_app_with(AppOptions {
        logs: Some(logs.clone()),
        ..AppOptions::default()
    })
    .await;
    (app, logs)
}

async fn all_updates_done(app: &TestApp, count: usize) {
    eventually("every update to be handled", PATIENCE, || async {
        let rows = app.inbound_rows().await;
        rows.len() == count && rows.iter().all(|row| row.status == InboundStatus::Done)
    })
    .await;
}

/// Lines about `group`, by level and the start of their message.
fn about(logs: &CapturedLogs, level: u64, start: &str, group: i64) -> Vec<Value> {
    logs.lines()
        .into_iter()
        .filter(|line| {
            line["level"] == level && line["group"] == group && message(line).starts_with(start)
        })
        .collect()
}

#[tokio::test]
async fn a_group_outside_the_configuration_is_ignored_and_named_in_the_log_once() {
    let (app, logs) = app_with_logs().await;
    let reader = app.fake.add_user("Rita");
    let group = app
        .fake
        .add_group(GroupSpec::forum("Book club").members([reader]));

    app.fake.user(reader).in_group(group).text("hello, bot");
    app.fake.user(reader).in_group(group).command("/close");
    app.fake.user(reader).in_group(group).command("/start");
    all_updates_done(&app, 3).await;

    assert!(
        app.fake
            .calls()
            .iter()
            .all(|call| call.chat_id() != Some(group)),
        "the bot did something in the group: {:?}",
        app.fake.calls()
    );
    let warnings = about(&logs, WARN, "ignoring group", group);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let text = message(&warnings[0]);
    assert!(text.contains(&group.to_string()), "{text}");
    assert!(text.contains("Book club"), "{text}");
    assert!(text.contains("remove the bot from it"), "{text}");
    assert!(text.contains("TECH_GROUPS_MAPPING"), "{text}");

    // The configured places work as before.
    let client = app.fake.add_user("Petr");
    app.fake.user(client).in_private().command("/start");
    app.fake.wait_for_bot_messages(client, 1).await.unwrap();
}

#[tokio::test]
async fn the_bot_added_to_a_group_outside_the_configuration_says_so_and_what_to_do() {
    let (app, logs) = app_with_logs().await;
    let owner = app.fake.add_user("Boris");
    let group = app.fake.add_group(
        GroupSpec::forum("Random chat")
            .bot_role(BotRole::Left)
            .admins([owner]),
    );

    app.fake.user(owner).in_group(group).adds_bot();
    all_updates_done(&app, 1).await;
    let added = about(&logs, WARN, "the bot was added to group", group);
    assert_eq!(added.len(), 1, "{added:#?}");
    let text = message(&added[0]);
    assert!(text.contains("Random chat"), "{text}");
    assert!(text.contains("remove the bot from it"), "{text}");
    assert_eq!(added[0]["added_by"], owner);

    // Its messages are ignored without a second warning.
    app.fake.user(owner).in_group(group).text("welcome, bot");
    all_updates_done(&app, 2).await;
    assert!(about(&logs, WARN, "ignoring group", group).is_empty());

    app.fake
        .user(owner)
        .in_group(group)
        .sets_bot_role(BotRole::Left);
    all_updates_done(&app, 3).await;
    assert_eq!(about(&logs, INFO, "the bot left group", group).len(), 1);
    assert!(app.fake.calls().iter().all(|c| c.chat_id() != Some(group)));
}

#[tokio::test]
async fn a_short_webhook_secret_is_a_startup_warning_naming_the_key_not_the_value() {
    let short = "short_secret1";
    let logs = CapturedLogs::new();
    let app = spawn_app_with(AppOptions {
        vars: vec![("WEBHOOK_SECRET".into(), short.into())],
        logs: Some(logs.clone()),
        ..AppOptions::default()
    })
    .await;
    let warnings: Vec<Value> = logs
        .lines()
        .into_iter()
        .filter(|line| line["level"] == WARN && line["key"] == "WEBHOOK_SECRET")
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        message(&warnings[0]).contains("shorter than 16 characters"),
        "{warnings:#?}"
    );
    assert!(!logs.text().contains(short), "the secret is in the log");
    // A warning, not a refusal: the webhook is registered.
    assert!(app.fake.webhook().is_some());

    // A long secret says nothing.
    let (_, quiet) = app_with_logs().await;
    assert!(
        quiet
            .lines()
            .iter()
            .all(|line| line["key"] != "WEBHOOK_SECRET"),
        "{}",
        quiet.text()
    );
}
