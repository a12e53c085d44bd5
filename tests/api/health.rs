//! Health, readiness and metrics, and the self-check behind readiness.

use std::time::Duration;

use fake_telegram::{AdminRights, BotRole, FakeTelegram, GroupSpec};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::logs::{ERROR, INFO, message};
use crate::support::outage::ClosablePort;
use crate::support::{
    AppOptions, CapturedLogs, TestApp, eventually, eventually_some, spawn_app, spawn_app_with,
};

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
    // Storing, processing and answering the update took statements.
    let statements: u64 = metrics
        .lines()
        .find_map(|line| line.strip_prefix("topicdesk_database_statements_total "))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or_else(|| panic!("no statement count in\n{metrics}"));
    assert!(statements >= 3, "{statements} statements counted");
}

#[tokio::test]
async fn readyz_turns_red_when_a_right_or_topics_are_taken_away_and_green_when_given_back() {
    let logs = CapturedLogs::new();
    let app = spawn_app_with(AppOptions {
        logs: Some(logs.clone()),
        adjust: Some(Box::new(|settings| {
            settings.intake.self_check_every = Duration::from_millis(100);
        })),
        ..AppOptions::default()
    })
    .await;
    let group = app.main_group;
    let is_ready = || async { readiness(&app).await.0 == StatusCode::OK };
    eventually("readyz to answer 200", Duration::from_secs(10), is_ready).await;

    let mut seen = Vec::new();
    for loss in Loss::ALL {
        loss.take_away(&app.fake, group);
        let problem = eventually_some(loss.what(), Duration::from_secs(10), || async {
            let (status, json) = readiness(&app).await;
            let problems = json["problems"].as_array().cloned().unwrap_or_default();
            match problems.as_slice() {
                [problem] if status == StatusCode::SERVICE_UNAVAILABLE => {
                    problem.as_str().map(str::to_owned)
                }
                _ => None,
            }
        })
        .await;
        assert!(problem.contains(&group.to_string()), "{problem}");
        assert!(problem.contains(loss.fix()), "{problem}");
        loss.give_back(&app.fake, group);
        eventually(
            "readyz to turn green again",
            Duration::from_secs(10),
            is_ready,
        )
        .await;
        seen.push(problem.trim_start_matches("self-check: ").to_owned());
    }

    // Each problem is logged once when it appears and once when it is gone.
    for problem in &seen {
        let logged = |level: u64, msg: &str| {
            logs.at(level, msg)
                .iter()
                .filter(|line| line["problem"].as_str() == Some(problem.as_str()))
                .count()
        };
        assert_eq!(logged(ERROR, "self-check found a problem"), 1, "{problem}");
        assert_eq!(logged(INFO, "self-check: problem resolved"), 1, "{problem}");
    }
    // Checking again and again while all is well says nothing new.
    let passed = logs
        .lines()
        .iter()
        .filter(|line| message(line) == "self-check passed")
        .count();
    assert_eq!(passed, 1 + Loss::ALL.len());
    // Every "not ready" answer above was a 503 on purpose, its cause
    // logged once: none is an error of its own.
    assert_eq!(
        logs.at(ERROR, "response failed"),
        Vec::<serde_json::Value>::new()
    );
}

/// What can be taken away from the main group under a running bot.
#[derive(Clone, Copy)]
enum Loss {
    AdminRights,
    ManageTopics,
    Topics,
}

impl Loss {
    const ALL: [Loss; 3] = [Loss::AdminRights, Loss::ManageTopics, Loss::Topics];

    fn what(self) -> &'static str {
        match self {
            Loss::AdminRights => "the bot is no longer an administrator",
            Loss::ManageTopics => "the bot lost Manage topics",
            Loss::Topics => "the group is no longer a forum",
        }
    }

    /// What /readyz tells the user to do.
    fn fix(self) -> &'static str {
        match self {
            Loss::AdminRights => "make it one with the \"Manage topics\" right",
            Loss::ManageTopics => "grant it in the group's administrator settings",
            Loss::Topics => "open the group settings and enable Topics",
        }
    }

    fn take_away(self, fake: &FakeTelegram, group: i64) {
        match self {
            Loss::AdminRights => fake.set_bot_role(group, BotRole::Member),
            Loss::ManageTopics => {
                fake.set_bot_role(group, BotRole::Admin(AdminRights::without_topics()))
            }
            Loss::Topics => fake.set_forum(group, false),
        }
    }

    fn give_back(self, fake: &FakeTelegram, group: i64) {
        match self {
            Loss::Topics => fake.set_forum(group, true),
            _ => fake.set_bot_role(group, BotRole::Admin(AdminRights::default())),
        }
    }
}

#[tokio::test]
async fn readyz_says_so_when_a_recheck_cannot_reach_telegram_and_keeps_the_last_results() {
    let fake = fake_telegram::FakeTelegram::start().await;
    let main_group = fake.add_group(GroupSpec::plain("Support without topics"));
    let port = ClosablePort::start(fake.addr()).await;
    let logs = CapturedLogs::new();
    let app = spawn_app_with(AppOptions {
        fake: Some(fake),
        main_group: Some(main_group),
        vars: vec![("TELEGRAM_API_URL".into(), port.url())],
        logs: Some(logs.clone()),
        ..AppOptions::default()
    })
    .await;
    logs.wait_for("the problem to be found", Duration::from_secs(10), |line| {
        message(line) == "self-check found a problem"
    })
    .await;

    port.close().await;
    let problems = eventually_some(
        "readyz to say Telegram cannot be reached",
        Duration::from_secs(20),
        || async {
            let (_, json) = readiness(&app).await;
            let problems: Vec<String> = json["problems"]
                .as_array()?
                .iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect();
            problems
                .iter()
                .any(|p| p.contains("cannot reach Telegram"))
                .then_some(problems)
        },
    )
    .await;
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("enable Topics"), "{problems:?}");
    assert!(problems[1].contains("TELEGRAM_API_URL"), "{problems:?}");
    // Not knowing is not the same as fixed.
    assert!(!logs.text().contains("problem resolved"), "{}", logs.text());
}

/// The statements counted so far by the application's /metrics.
async fn statements_so_far(desk: &crate::support::Desk) -> u64 {
    let metrics = desk.app.get("/metrics").await.text().await.unwrap();
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("topicdesk_database_statements_total "))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or_else(|| panic!("no statement count in\n{metrics}"))
}

#[tokio::test]
async fn a_message_into_an_open_ticket_costs_a_bounded_number_of_statements() {
    let desk = crate::support::Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Vera", "first").await;
    let before = statements_so_far(&desk).await;
    const MESSAGES: usize = 10;
    for n in 1..=MESSAGES {
        desk.fake()
            .user(client)
            .in_private()
            .text(&format!("more {n}"));
    }
    desk.wait_for_topic_messages(desk.main_group(), topic.thread_id, 2 + MESSAGES)
        .await;
    let spent = statements_so_far(&desk).await - before;
    // Per message: stored, read with the client's open ticket, bridged
    // (outbox rows, event and done mark in one write), read by its lane
    // with the ticket's topic, sent and marked, and the engine's sweeps
    // meanwhile. SQLite counts its transactions' BEGIN and COMMIT too. A
    // client whose open ticket is not found on arrival costs about twice as
    // much: their row is rewritten and a ticket looked for. On PostgreSQL
    // with Redis, an instance that knows it is alone does not ask for the
    // chat's earlier updates held by other instances (6.0–6.2 when it did,
    // 4.4–4.8 without).
    let per_message = spent as f64 / MESSAGES as f64;
    let services = ["TEST_DATABASE_URL", "TEST_REDIS_URL"]
        .iter()
        .all(|name| std::env::var(name).is_ok());
    let budget = if services { 5.5 } else { 8.0 };
    assert!(
        per_message <= budget,
        "{per_message:.1} statements per message ({spent} for {MESSAGES}); at most {budget}"
    );
}
