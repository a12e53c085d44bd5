//! End to end: an unchanged teloxide dispatcher (polling, then teloxide's
//! own axum webhook listener) runs a small bot against the fake.

mod common;

use std::time::Duration;

use common::bot;
use fake_telegram::{FakeTelegram, GroupSpec};
use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Update};
use teloxide::update_listeners::{Polling, webhooks};

type HandlerResult = Result<(), teloxide::RequestError>;

/// Echoes text in upper case with a button; answers button presses.
fn handler() -> teloxide::dispatching::UpdateHandler<teloxide::RequestError> {
    let on_message = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let mut reply = bot.send_message(msg.chat.id, msg.text().unwrap_or("?").to_uppercase());
        if let Some(thread) = msg.thread_id.filter(|_| msg.is_topic_message) {
            reply = reply.message_thread_id(thread);
        }
        reply
            .reply_markup(InlineKeyboardMarkup::new([[
                InlineKeyboardButton::callback("OK", "ok"),
            ]]))
            .await?;
        HandlerResult::Ok(())
    });
    let on_callback =
        Update::filter_callback_query().endpoint(|bot: Bot, q: CallbackQuery| async move {
            bot.answer_callback_query(q.id)
                .text(format!("got {}", q.data.unwrap_or_default()))
                .await?;
            HandlerResult::Ok(())
        });
    dptree::entry().branch(on_message).branch(on_callback)
}

#[tokio::test]
async fn a_polling_dispatcher_answers_people() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let staff = tg.add_user("Sam");
    let forum = tg.add_group(GroupSpec::forum("Support").members([staff]));
    let topic = tg.add_topic(forum, "Ticket");
    let bot = bot(&tg);

    let listener = Polling::builder(bot.clone())
        .timeout(Duration::from_secs(5))
        .delete_webhook()
        .await
        .build();
    let mut dispatcher = Dispatcher::builder(bot, handler()).build();
    let shutdown = dispatcher.shutdown_token();
    let running = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(listener, LoggingErrorHandler::new())
            .await;
    });

    tg.user(alice).text("hello");
    tg.user(staff).in_topic(forum, topic).text("in a topic");
    let reply = &tg.wait_for_bot_messages(alice, 1).await.unwrap()[0];
    assert_eq!(reply.text(), Some("HELLO"));
    assert_eq!(
        tg.wait_for_topic_messages(forum, topic, 2).await.unwrap()[1].text(),
        Some("IN A TOPIC")
    );

    let press = tg.user(alice).presses_button(reply.id(), "OK");
    let answer = tg
        .wait_for_callback_answer(&press.callback_id)
        .await
        .unwrap();
    assert_eq!(answer.text.as_deref(), Some("got ok"));

    shutdown.shutdown().unwrap().await;
    running.await.unwrap();
    tg.wait_all_delivered().await.unwrap();
}

#[tokio::test]
async fn teloxides_webhook_listener_receives_routed_updates() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let bot = bot(&tg);

    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    tg.route_webhooks_to(addr);
    let url = reqwest::Url::parse("https://bot.example.test/webhook/abc").unwrap();
    let listener = webhooks::axum(bot.clone(), webhooks::Options::new(addr, url))
        .await
        .unwrap();
    let hook = tg.webhook().expect("teloxide registered the webhook");
    assert!(
        hook.secret_token.is_some(),
        "teloxide generates a secret token"
    );

    let mut dispatcher = Dispatcher::builder(bot, handler()).build();
    let shutdown = dispatcher.shutdown_token();
    let running = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(listener, LoggingErrorHandler::new())
            .await;
    });

    tg.user(alice).text("via webhook");
    let reply = &tg.wait_for_bot_messages(alice, 1).await.unwrap()[0];
    assert_eq!(reply.text(), Some("VIA WEBHOOK"));
    tg.wait_all_delivered().await.unwrap();
    assert!(tg.delivery_attempts().iter().all(|a| a.accepted()));

    shutdown.shutdown().unwrap().await;
    running.await.unwrap();
    tg.wait_until(Duration::from_secs(5), |w| w.webhook().is_none())
        .await
        .expect("teloxide deletes its webhook on stop");
}
