//! Starting and stopping: configuration errors, technician sync, signals.

use std::process::{Command, Stdio};
use std::time::Duration;

use sea_orm::{EntityTrait, QueryOrder};
use topicdesk::entities::technicians;

use crate::support::{AppOptions, TestDatabase, spawn_app_with};

/// Runs the real binary with only `vars` (no .env: it runs in an empty dir).
fn run_binary(vars: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_topicdesk"));
    command.current_dir(dir.path()).env_clear();
    for (key, value) in vars {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

#[test]
fn a_malformed_setting_stops_the_bot_with_one_line_naming_the_key() {
    let output = run_binary(&[("BOT_TOKEN", "123456:ABCdef"), ("MAIN_GROUP_ID", "support")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("MAIN_GROUP_ID"), "{stderr}");
    assert!(stderr.contains("\"support\""), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_missing_token_stops_the_bot_with_one_line_naming_the_key() {
    let output = run_binary(&[("MAIN_GROUP_ID", "-100123")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("BOT_TOKEN"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn the_token_never_appears_in_a_configuration_error() {
    let output = run_binary(&[
        ("BOT_TOKEN", "123456:VerySecretTokenValue"),
        ("MAIN_GROUP_ID", "-100123"),
        ("WEBHOOK_URL", "https://example.com"),
        ("WEBHOOK_SECRET", "bad secret with spaces"),
    ]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("WEBHOOK_SECRET"), "{stderr}");
    assert!(!stderr.contains("VerySecretTokenValue"), "{stderr}");
    assert!(!stderr.contains("bad secret with spaces"), "{stderr}");
}

#[tokio::test]
async fn sigterm_stops_the_bot_cleanly_with_exit_code_0() {
    let fake = fake_telegram::FakeTelegram::start().await;
    let main_group = fake.add_forum_group("Support");
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_topicdesk"))
        .current_dir(dir.path())
        .env_clear()
        .env("BOT_TOKEN", fake.token())
        .env("MAIN_GROUP_ID", main_group.to_string())
        .env("TELEGRAM_API_URL", fake.api_url())
        .env("APP_HOST", "127.0.0.1")
        .env("APP_PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");

    // The embedded default: polling, and a SQLite file under ./data.
    fake.wait_for_call("deleteWebhook").await.unwrap();
    let client = fake.add_user("Petr");
    fake.user(client).in_private().command("/start");
    fake.wait_for_bot_messages(client, 1).await.unwrap();
    assert!(dir.path().join("data/topicdesk.db").exists());

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the bot did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(exit.code(), Some(0));
}

#[tokio::test]
async fn technicians_follow_the_mapping_at_every_start() {
    let database = std::sync::Arc::new(TestDatabase::create().await);
    let first = r#"[
        {"name":"Ivan Petrov","username":"ivan","tg_user_id":111,"group_chat_id":-1002001},
        {"name":"Olga","group_chat_id":-1002002}
    ]"#;
    let app = spawn_app_with(AppOptions {
        database: Some(database.clone()),
        vars: vec![("TECH_GROUPS_MAPPING".into(), first.into())],
        ..AppOptions::default()
    })
    .await;
    let rows = technicians::Entity::find()
        .order_by_asc(technicians::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|t| t.is_active));
    app.stop().await.unwrap();

    // Ivan changes username and group, Olga leaves, Semen joins.
    let second = r#"[
        {"name":"Ivan Petrov","username":"ivan_p","tg_user_id":111,"group_chat_id":-1002009},
        {"name":"Semen","username":"semen","group_chat_id":-1002003}
    ]"#;
    let app = spawn_app_with(AppOptions {
        database: Some(database),
        vars: vec![("TECH_GROUPS_MAPPING".into(), second.into())],
        ..AppOptions::default()
    })
    .await;
    let rows = technicians::Entity::find()
        .order_by_asc(technicians::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let summary: Vec<(String, Option<String>, i64, bool)> = rows
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                t.username.clone(),
                t.group_chat_id,
                t.is_active,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("Ivan Petrov".into(), Some("ivan_p".into()), -1002009, true),
            ("Olga".into(), None, -1002002, false),
            ("Semen".into(), Some("semen".into()), -1002003, true),
        ]
    );
}
