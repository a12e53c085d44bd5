//! The webhook's contract with Telegram: authenticate, store, acknowledge.

use fake_telegram::UserSpec;
use std::time::Duration;

use reqwest::StatusCode;

use crate::support::{AppOptions, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_bot_registers_its_webhook_with_the_secret_and_the_updates_it_handles() {
    let app = spawn_app().await;
    let webhook = app.fake.webhook().expect("a webhook is registered");
    assert_eq!(
        webhook.url,
        format!("https://bot.example.test/webhook/{}", app.secret)
    );
    assert_eq!(webhook.secret_token.as_deref(), Some(app.secret.as_str()));
    let allowed = webhook.allowed_updates.expect("allowed_updates is set");
    for kind in [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    ] {
        assert!(
            allowed.iter().any(|a| a == kind),
            "{kind} missing from {allowed:?}"
        );
    }
}

#[tokio::test]
async fn a_wrong_or_missing_secret_is_refused_with_401_and_nothing_is_stored() {
    let app = spawn_app().await;
    let update = r#"{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private","first_name":"A"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"/start"}}"#;

    let wrong = app.post_webhook(update, "not-the-secret").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let missing = app
        .http
        .post(app.url(&format!("/webhook/{}", app.secret)))
        .body(update)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);

    let wrong_path = app
        .http
        .post(app.url("/webhook/guessed"))
        .header("x-telegram-bot-api-secret-token", &app.secret)
        .body(update)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_path.status(), StatusCode::UNAUTHORIZED);

    assert!(app.inbound_rows().await.is_empty());
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_refused_with_413() {
    let app = spawn_app().await;
    let padding = "x".repeat(1024 * 1024);
    let body = format!(r#"{{"update_id":1,"padding":"{padding}"}}"#);
    let response = app.post_webhook(body, &app.secret).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(app.inbound_rows().await.is_empty());
}

#[tokio::test]
async fn a_body_that_is_not_a_telegram_update_is_refused_with_400() {
    let app = spawn_app().await;
    for body in [
        "garbage",
        "",
        "[]",
        "{}",
        r#"{"message":{"text":"hi"}}"#,
        r#"{"update_id":"12"}"#,
        r#"{"update_id":-3}"#,
        // teloxide's parser panics on this one (no user, no actor_chat).
        r#"{"update_id":7,"message_reaction":{"chat":{"id":-100777,"type":"supergroup","title":"G"},"message_id":5,"date":0,"old_reaction":[],"new_reaction":[]}}"#,
    ] {
        let response = app.post_webhook(body, &app.secret).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "body {body:?}");
    }
    assert!(app.inbound_rows().await.is_empty());
    // And the bot goes on working.
    let client = app.fake.add_user("Still here");
    app.fake.user(client).in_private().command("/start");
    app.fake.wait_for_bot_messages(client, 1).await.unwrap();
}

#[tokio::test]
async fn the_same_update_delivered_twice_is_processed_once() {
    let app = spawn_app().await;
    let client = app.fake.add_user(UserSpec::new("Anna").username("anna"));

    let start = app.fake.user(client).in_private().command("/start");
    app.fake.wait_for_bot_messages(client, 1).await.unwrap();

    // Telegram delivers the very same update again.
    let original = app
        .fake
        .updates_sent()
        .into_iter()
        .find(|u| u["update_id"] == start.update_id)
        .expect("the fake kept the update");
    let again = app.post_webhook(original.to_string(), &app.secret).await;
    assert_eq!(again.status(), StatusCode::OK);

    // Anything the duplicate caused would come before the answer to /help.
    app.fake.user(client).in_private().command("/help");
    let replies = app.fake.wait_for_bot_messages(client, 2).await.unwrap();
    let texts: Vec<_> = replies.iter().filter_map(|m| m.text()).collect();
    assert!(texts[0].contains("Здравствуйте"), "{texts:?}");
    assert!(texts[1].contains("Просто напишите"), "{texts:?}");
    assert_eq!(app.fake.bot_messages(client).len(), 2);
    assert_eq!(app.inbound_rows().await.len(), 2);
}

#[tokio::test]
async fn when_telegram_redelivers_every_update_each_is_processed_once() {
    let app = spawn_app().await;
    app.fake.set_redeliver_twice(true);
    let client = app.fake.add_user("Boris");

    app.fake.user(client).in_private().command("/start");
    app.fake.user(client).in_private().command("/help");
    app.fake.user(client).in_private().command("/start");
    app.fake.user(client).in_private().command("/help");

    app.fake
        .wait_until(Duration::from_secs(10), |world| {
            world
                .delivery_attempts()
                .iter()
                .filter(|a| a.accepted())
                .count()
                == 8
        })
        .await
        .expect("every update is acknowledged twice");
    // The last duplicate is acknowledged; a marker after it settles the rest.
    app.fake.set_redeliver_twice(false);
    app.fake.user(client).in_private().command("/start");
    let replies = app.fake.wait_for_bot_messages(client, 5).await.unwrap();
    assert_eq!(replies.len(), 5);
    assert_eq!(app.fake.bot_messages(client).len(), 5);
}

#[tokio::test]
async fn unsupported_update_kinds_are_acknowledged_and_ignored() {
    let app = spawn_app_with(AppOptions::default()).await;
    let bodies = [
        r#"{"update_id":900,"channel_post":{"message_id":1,"date":0,"chat":{"id":-100777,"type":"channel","title":"News"},"text":"hello"}}"#,
        r#"{"update_id":901,"inline_query":{"id":"q1","from":{"id":5,"is_bot":false,"first_name":"A"},"query":"x","offset":""}}"#,
        r#"{"update_id":902,"some_future_kind":{"anything":true}}"#,
        r#"{"update_id":903,"poll":{"id":"p1","question":"Q?","options":[{"text":"a","voter_count":1}],"total_voter_count":1,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}}"#,
        r#"{"update_id":904,"message_reaction":{"chat":{"id":-100777,"type":"supergroup","title":"G"},"message_id":5,"user":{"id":5,"is_bot":false,"first_name":"A"},"date":0,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}}"#,
        r#"{"update_id":905,"business_message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private","first_name":"A"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"hi"}}"#,
    ];
    for body in bodies {
        let response = app.post_webhook(body, &app.secret).await;
        assert_eq!(response.status(), StatusCode::OK, "{body}");
    }
    crate::support::eventually(
        "every update to be settled",
        std::time::Duration::from_secs(10),
        || async {
            let rows = app.inbound_rows().await;
            rows.len() == bodies.len() && rows.iter().all(|r| r.status.as_str() == "DONE")
        },
    )
    .await;
    assert!(app.fake.calls_to("sendMessage").is_empty());
}
