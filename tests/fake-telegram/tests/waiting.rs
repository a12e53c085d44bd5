//! Waiting for the bot without fixed sleeps.

mod common;

use std::time::Duration;

use common::bot;
use fake_telegram::{FakeOptions, FakeTelegram};
use teloxide::prelude::*;

#[tokio::test]
async fn waits_wake_on_the_change_they_wait_for() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let forum = tg.add_forum_group("Support");
    let bot = bot(&tg);
    tokio::spawn(async move {
        bot.send_message(ChatId(alice), "hello").await.unwrap();
        let topic = bot
            .create_forum_topic(ChatId(forum), "Alice")
            .await
            .unwrap();
        bot.send_message(ChatId(forum), "copy")
            .message_thread_id(topic.thread_id)
            .await
            .unwrap();
    });
    let replies = tg.wait_for_bot_messages(alice, 1).await.unwrap();
    assert_eq!(replies[0].text(), Some("hello"));
    let topic = tg.wait_for_topic(forum, "Alice").await.unwrap();
    let in_topic = tg
        .wait_for_topic_messages(forum, topic.thread_id, 1)
        .await
        .unwrap();
    assert_eq!(in_topic[0].text(), Some("copy"));
    let call = tg.wait_for_call("createForumTopic").await.unwrap();
    assert!(call.is_ok());
    let count = tg
        .wait_for(Duration::from_secs(5), |w| {
            Some(w.call_count("sendmessage")).filter(|n| *n == 2)
        })
        .await;
    assert_eq!(count.unwrap(), 2);
}

#[tokio::test]
async fn a_timed_out_wait_describes_the_state() {
    let tg =
        FakeTelegram::start_with(FakeOptions::default().wait_timeout(Duration::from_millis(50)))
            .await;
    let alice = tg.add_user("Alice");
    tg.user(alice).text("is anyone there?");
    let err = tg.wait_for_bot_messages(alice, 1).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("timed out after 50ms waiting for 1 bot messages in chat"),
        "{text}"
    );
    assert!(text.contains("private with Alice"), "{text}");
    assert!(text.contains("is anyone there?"), "{text}");
    assert!(text.contains("1 pending"), "{text}");

    let err = tg
        .wait_until(Duration::from_millis(20), |w| w.pending_updates() == 0)
        .await
        .unwrap_err();
    assert_eq!(err.timeout, Duration::from_millis(20));
}
