//! Injected errors, latency, and Telegram's flood limits.

mod common;

use std::time::{Duration, Instant};

use common::{bot, call, http};
use fake_telegram::{FakeOptions, FakeTelegram, Fault, GroupSpec, Limits};
use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::{MessageId, Seconds, ThreadId};
use teloxide::{ApiError, RequestError};

#[tokio::test]
async fn an_injected_429_reaches_teloxide_as_retry_after() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let bob = tg.add_user("Bob");
    tg.inject(
        Fault::retry_after(3)
            .on("SENDMESSAGE")
            .in_chat(alice)
            .times(2),
    );
    let bot = bot(&tg);

    let err = bot.send_message(ChatId(bob), "other chat").await;
    assert!(err.is_ok(), "the fault is for Alice's chat only");
    for _ in 0..2 {
        let err = bot.send_message(ChatId(alice), "hi").await.unwrap_err();
        assert!(
            matches!(err, RequestError::RetryAfter(s) if s == Seconds::from_seconds(3)),
            "{err:?}"
        );
    }
    bot.send_message(ChatId(alice), "hi")
        .await
        .expect("the fault is used up");
    assert_eq!(tg.too_many_requests_served(), 2);
    assert_eq!(tg.texts(alice), vec!["hi"], "a faulted call has no effect");

    let (status, body) = {
        tg.inject(Fault::retry_after(7));
        call(&tg, "getMe", json!({})).await
    };
    assert_eq!(status, 429);
    assert_eq!(
        body,
        json!({ "ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7", "parameters": { "retry_after": 7 } })
    );
}

#[tokio::test]
async fn injected_telegram_errors_map_to_teloxide_errors() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let bot = bot(&tg);
    tg.inject(Fault::blocked().on("sendMessage"));
    tg.inject(Fault::too_long().on("sendMessage"));
    tg.inject(Fault::thread_not_found().on("copyMessage"));
    tg.inject(Fault::error(400, "Bad Request: TOPIC_DELETED").on("sendPhoto"));

    let err = bot.send_message(ChatId(alice), "x").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::BotBlocked)),
        "{err:?}"
    );
    let err = bot.send_message(ChatId(alice), "x").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageIsTooLong)),
        "{err:?}"
    );
    let err = bot
        .copy_message(ChatId(alice), ChatId(alice), MessageId(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, RequestError::Api(ApiError::Unknown(d)) if d == "Bad Request: message thread not found")
    );
    let (status, body) = call(&tg, "sendphoto", json!({ "chat_id": alice, "photo": "x" })).await;
    assert_eq!(
        (status, body["description"].as_str()),
        (400, Some("Bad Request: TOPIC_DELETED"))
    );
    assert_eq!(tg.faults_remaining(), 0);
    assert_eq!(tg.calls().iter().filter(|c| !c.is_ok()).count(), 4);
}

#[tokio::test]
async fn real_conditions_produce_the_same_errors() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let staff = tg.add_user("Sam");
    let forum = tg.add_group(GroupSpec::forum("Support").members([staff]));
    let topic = tg
        .user(staff)
        .in_group(forum)
        .creates_topic("Ticket")
        .thread();
    let bot = bot(&tg);

    bot.send_message(ChatId(forum), "ok")
        .message_thread_id(ThreadId(MessageId(topic)))
        .await
        .unwrap();
    tg.user(staff).in_topic(forum, topic).deletes_topic();
    let err = bot
        .send_message(ChatId(forum), "x")
        .message_thread_id(ThreadId(MessageId(topic)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, RequestError::Api(ApiError::Unknown(d)) if d == "Bad Request: message thread not found")
    );
    let err = bot
        .copy_message(ChatId(forum), ChatId(forum), MessageId(topic))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToCopyNotFound)),
        "messages of a deleted topic are gone"
    );

    tg.user(alice).blocks_bot();
    let err = bot.send_message(ChatId(alice), "x").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::BotBlocked)),
        "{err:?}"
    );
    let (status, _) = call(&tg, "sendMessage", json!({ "chat_id": alice, "text": "x" })).await;
    assert_eq!(status, 403);
    tg.user(alice).unblocks_bot();
    bot.send_message(ChatId(alice), "welcome back")
        .await
        .unwrap();
}

#[tokio::test]
async fn latency_delays_calls_before_they_take_effect() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let bot = bot(&tg);
    tg.set_method_latency("SendMessage", Some(Duration::from_millis(400)));

    let started = Instant::now();
    bot.get_me().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "other methods are not delayed"
    );
    let started = Instant::now();
    bot.send_message(ChatId(alice), "slow").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));

    tg.set_method_latency("sendMessage", None);
    tg.set_latency(Some(Duration::from_millis(200)));
    let started = Instant::now();
    bot.get_me().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn a_caller_that_gives_up_during_latency_leaves_no_trace() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    tg.set_method_latency("sendMessage", Some(Duration::from_millis(400)));
    let url = format!("{}/bot{}/sendMessage", tg.api_url(), tg.token());

    let impatient = http()
        .post(&url)
        .timeout(Duration::from_millis(50))
        .json(&json!({ "chat_id": alice, "text": "abandoned" }))
        .send()
        .await;
    assert!(impatient.unwrap_err().is_timeout());

    // Sent after the abandoned call, with the same latency: by the time it is
    // answered the abandoned call would have taken effect if it were alive.
    let patient = http()
        .post(&url)
        .json(&json!({ "chat_id": alice, "text": "kept" }))
        .send()
        .await
        .unwrap();
    assert_eq!(patient.status(), 200);
    assert_eq!(tg.texts(alice), vec!["kept"]);
    assert_eq!(tg.calls_to("sendMessage").len(), 1);
}

#[tokio::test]
async fn limits_mode_allows_one_message_per_second_into_a_private_chat() {
    let tg = FakeTelegram::start_with(FakeOptions::default().limits(Limits::telegram())).await;
    let alice = tg.add_user("Alice");
    let bob = tg.add_user("Bob");
    let bot = bot(&tg);

    bot.send_message(ChatId(alice), "first").await.unwrap();
    let err = bot.send_message(ChatId(alice), "second").await.unwrap_err();
    assert!(
        matches!(err, RequestError::RetryAfter(s) if s == Seconds::from_seconds(1)),
        "{err:?}"
    );
    bot.send_message(ChatId(bob), "other chat")
        .await
        .expect("limits are per chat");
    assert_eq!(tg.texts(alice), vec!["first"]);
    let err = bot.send_message(ChatId(alice), "third").await.unwrap_err();
    assert!(
        matches!(err, RequestError::RetryAfter(_)),
        "a refused call does not count: {err:?}"
    );
    assert_eq!(tg.too_many_requests_served(), 2);
}

#[tokio::test]
async fn limits_mode_counts_group_messages_topics_and_albums() {
    let limits = Limits {
        global_per_second: 100,
        group_per_minute: 5,
        private_per_second: 100,
        ..Limits::telegram()
    };
    let tg = FakeTelegram::start_with(FakeOptions::default().limits(limits)).await;
    let alice = tg.add_user("Alice");
    let forum = tg.add_forum_group("Support");
    let a = tg.user(alice).photo("");
    let b = tg.user(alice).photo("");
    let bot = bot(&tg);

    bot.create_forum_topic(ChatId(forum), "Ticket")
        .await
        .unwrap();
    bot.send_message(ChatId(forum), "1").await.unwrap();
    bot.copy_messages(
        ChatId(forum),
        ChatId(alice),
        [MessageId(a.message_id), MessageId(b.message_id)],
    )
    .await
    .unwrap();
    let err = bot
        .copy_messages(
            ChatId(forum),
            ChatId(alice),
            [MessageId(a.message_id), MessageId(b.message_id)],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::RetryAfter(s) if s.seconds() > 50),
        "4 used, 2 more exceed 5/min: {err:?}"
    );
    bot.send_message(ChatId(forum), "5")
        .await
        .expect("one more fits");
    let err = bot
        .create_forum_topic(ChatId(forum), "Another")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::RetryAfter(_)),
        "createForumTopic counts: {err:?}"
    );

    tg.enforce_limits(None);
    bot.send_message(ChatId(forum), "unlimited").await.unwrap();
}

#[tokio::test]
async fn limits_mode_caps_messages_per_second_overall() {
    let limits = Limits {
        global_per_second: 3,
        group_per_minute: 100,
        private_per_second: 100,
        ..Limits::telegram()
    };
    let tg = FakeTelegram::start_with(FakeOptions::default().limits(limits)).await;
    let users: Vec<i64> = (0..4).map(|i| tg.add_user(format!("U{i}"))).collect();
    let bot = bot(&tg);
    for user in &users[..3] {
        bot.send_message(ChatId(*user), "x").await.unwrap();
    }
    let err = bot.send_message(ChatId(users[3]), "x").await.unwrap_err();
    assert!(matches!(err, RequestError::RetryAfter(_)), "{err:?}");
    bot.get_me()
        .await
        .expect("non-message calls are not limited");
}
