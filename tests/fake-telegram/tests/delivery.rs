//! Getting updates to the bot: webhook pushes (secret header, order,
//! redelivery, concurrency, routing) and getUpdates (offset, long poll,
//! conflicts, allowed_updates).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::{Router, extract::State, http::StatusCode, routing::post};
use common::{WebhookReceiver, bot, call};
use fake_telegram::{FakeOptions, FakeTelegram};
use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::AllowedUpdate;
use tokio::sync::{Notify, Semaphore};

/// Registers the public webhook URL a production bot would, routed to `receiver`.
async fn set_webhook(tg: &FakeTelegram, receiver: &WebhookReceiver, secret: &str) {
    tg.route_webhooks_to(receiver.addr);
    let (status, body) = call(
        tg,
        "setWebhook",
        json!({ "url": "https://bot.example.test/webhook/path-secret", "secret_token": secret }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn webhook_updates_arrive_in_order_with_the_secret_header() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let receiver = WebhookReceiver::start().await;
    let queued_before = tg.user(alice).text("sent before the webhook existed");
    set_webhook(&tg, &receiver, "hook-Secret_1").await;
    let sent: Vec<_> = (0..5)
        .map(|i| tg.user(alice).text(&format!("m{i}")))
        .collect();

    let got = receiver.wait_for(6).await;
    assert!(got.iter().all(|r| r.path == "/webhook/path-secret"));
    assert!(
        got.iter()
            .all(|r| r.secret.as_deref() == Some("hook-Secret_1"))
    );
    let ids: Vec<i64> = got
        .iter()
        .map(|r| r.body["update_id"].as_i64().unwrap())
        .collect();
    let mut expected = vec![queued_before.update_id];
    expected.extend(sent.iter().map(|s| s.update_id));
    assert_eq!(ids, expected);
    assert_eq!(got[1].body["message"]["text"], "m0");
    tg.wait_all_delivered().await.unwrap();
    assert!(tg.delivery_attempts().iter().all(|a| a.accepted()));
}

#[tokio::test]
async fn a_refused_update_is_redelivered_and_holds_back_later_ones() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let receiver = WebhookReceiver::start().await;
    receiver.answer_with(&[503, 500]);
    set_webhook(&tg, &receiver, "s").await;
    let first = tg.user(alice).text("first");
    let second = tg.user(alice).text("second");

    let got = receiver.wait_for(4).await;
    let ids: Vec<i64> = got
        .iter()
        .map(|r| r.body["update_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            first.update_id,
            first.update_id,
            first.update_id,
            second.update_id
        ]
    );
    tg.wait_delivered(second.update_id).await.unwrap();
    let statuses: Vec<_> = tg.delivery_attempts().iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(503), Some(500), Some(200), Some(200)]);
    let info = bot(&tg).get_webhook_info().await.unwrap();
    assert_eq!(
        info.last_error_message.as_deref(),
        Some("Wrong response from the webhook: 500 Internal Server Error")
    );
    assert_eq!(info.pending_update_count, 0);
}

#[tokio::test]
async fn an_unreachable_webhook_keeps_updates_until_it_is_routed() {
    let tg =
        FakeTelegram::start_with(FakeOptions::default().retry_delay(Duration::from_millis(20)))
            .await;
    let alice = tg.add_user("Alice");
    call(
        &tg,
        "setWebhook",
        json!({ "url": "https://bot.example.test/hook" }),
    )
    .await;
    let sent = tg.user(alice).text("hello?");
    tg.wait_until(Duration::from_secs(5), |w| w.delivery_attempts().len() >= 2)
        .await
        .unwrap();
    let hook = tg.webhook().unwrap();
    assert_eq!(
        hook.last_error_message.as_deref(),
        Some("Failed to resolve host: Name or service not known")
    );
    assert_eq!(hook.pending_update_count, 1);

    let receiver = WebhookReceiver::start().await;
    tg.route_webhooks_to(receiver.addr);
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].path, "/hook");
    assert_eq!(got[0].body["update_id"].as_i64(), Some(sent.update_id));
}

#[tokio::test]
async fn redeliver_twice_sends_every_update_twice() {
    let tg = FakeTelegram::start_with(FakeOptions::default().redeliver_twice()).await;
    let alice = tg.add_user("Alice");
    let receiver = WebhookReceiver::start().await;
    set_webhook(&tg, &receiver, "s").await;
    let a = tg.user(alice).text("a");
    let b = tg.user(alice).text("b");
    let got = receiver.wait_for(4).await;
    let ids: Vec<i64> = got
        .iter()
        .map(|r| r.body["update_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![a.update_id, a.update_id, b.update_id, b.update_id]
    );
    tg.wait_all_delivered().await.unwrap();
}

/// A webhook endpoint that holds every request until released.
#[derive(Clone)]
struct Gate {
    arrived: Arc<std::sync::Mutex<usize>>,
    notify: Arc<Notify>,
    permits: Arc<Semaphore>,
}

async fn gated(State(gate): State<Gate>) -> StatusCode {
    *gate.arrived.lock().unwrap() += 1;
    gate.notify.notify_waiters();
    gate.permits.acquire().await.unwrap().forget();
    StatusCode::OK
}

async fn start_gate() -> (Gate, std::net::SocketAddr) {
    let gate = Gate {
        arrived: Arc::default(),
        notify: Arc::new(Notify::new()),
        permits: Arc::new(Semaphore::new(0)),
    };
    let app = Router::new()
        .route("/{*path}", post(gated))
        .with_state(gate.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (gate, addr)
}

impl Gate {
    async fn wait_arrived(&self, n: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let notified = self.notify.notified();
            if *self.arrived.lock().unwrap() >= n {
                return;
            }
            tokio::time::timeout_at(deadline, notified)
                .await
                .expect("requests did not arrive");
        }
    }
}

#[tokio::test]
async fn deliveries_run_one_at_a_time_unless_concurrency_is_raised() {
    for concurrency in [1usize, 3] {
        let tg =
            FakeTelegram::start_with(FakeOptions::default().webhook_concurrency(concurrency)).await;
        let alice = tg.add_user("Alice");
        let (gate, addr) = start_gate().await;
        tg.route_webhooks_to(addr);
        call(
            &tg,
            "setWebhook",
            json!({ "url": "https://bot.example.test/hook" }),
        )
        .await;
        for i in 0..4 {
            tg.user(alice).text(&format!("m{i}"));
        }
        gate.wait_arrived(concurrency).await;
        // The fake takes every deliverable update at once, so its in-flight
        // count shows the cap exactly.
        assert_eq!(tg.read(|w| w.deliveries_in_flight()), concurrency);
        gate.permits.add_permits(1);
        gate.wait_arrived(concurrency + 1).await;
        assert_eq!(tg.read(|w| w.deliveries_in_flight()), concurrency.min(3));
        gate.permits.add_permits(10);
        tg.wait_all_delivered().await.unwrap();
    }
}

#[tokio::test]
async fn raw_posts_report_the_receivers_status() {
    let tg = FakeTelegram::start().await;
    let receiver = WebhookReceiver::start().await;
    assert!(tg.post_to_webhook("{}").await.is_err(), "no webhook yet");
    set_webhook(&tg, &receiver, "abc").await;
    receiver.answer_with(&[401]);
    assert_eq!(
        tg.post_to_webhook_with_secret("{\"update_id\":1}", Some("wrong"))
            .await,
        Ok(401)
    );
    assert_eq!(tg.post_to_webhook("not json at all").await, Ok(200));
    let got = receiver.received();
    assert_eq!(got[0].secret.as_deref(), Some("wrong"));
    assert_eq!(got[1].secret.as_deref(), Some("abc"));
    assert!(
        tg.delivery_attempts().is_empty(),
        "raw posts are outside the queue"
    );

    let id = tg.enqueue_update(json!({ "message": { "weird": true } }));
    let got = receiver.wait_for(3).await;
    assert_eq!(
        got[2].body,
        json!({ "update_id": id, "message": { "weird": true } })
    );
}

#[tokio::test]
async fn get_updates_long_polls_until_an_update_arrives() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let bot = bot(&tg);

    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await }
    });
    tg.wait_until(Duration::from_secs(5), |w| w.polls_started() >= 1)
        .await
        .unwrap();
    let started = Instant::now();
    let sent = tg.user(alice).text("wake up");
    let updates = poll.await.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].id.0 as i64, sent.update_id);

    let started = Instant::now();
    let empty = bot
        .get_updates()
        .offset(updates[0].id.as_offset())
        .timeout(1)
        .await
        .unwrap();
    assert!(empty.is_empty());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "an empty poll lasts its timeout"
    );
}

#[tokio::test]
async fn a_second_poller_terminates_the_first_with_409() {
    let tg = FakeTelegram::start().await;
    let bot = bot(&tg);
    let first = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await }
    });
    tg.wait_until(Duration::from_secs(5), |w| w.polls_started() >= 1)
        .await
        .unwrap();
    let second = bot.get_updates().timeout(0).await.unwrap();
    assert!(second.is_empty());
    let err = first.await.unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            teloxide::RequestError::Api(teloxide::ApiError::TerminatedByOtherGetUpdates)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn allowed_updates_filters_what_gets_queued() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let bot = bot(&tg);
    let card = bot.send_message(ChatId(alice), "card").await.unwrap();
    bot.get_updates()
        .allowed_updates([AllowedUpdate::CallbackQuery])
        .timeout(0)
        .await
        .unwrap();

    tg.user(alice).text("ignored");
    let press = tg.user(alice).presses(card.id.0, "x");
    let updates = bot.get_updates().timeout(0).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].id.0 as i64, press.update_id);
}

#[tokio::test]
async fn dropping_pending_updates_forgets_them() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    tg.user(alice).text("old");
    assert_eq!(tg.pending_updates(), 1);
    bot(&tg)
        .delete_webhook()
        .drop_pending_updates(true)
        .await
        .unwrap();
    assert_eq!(tg.pending_updates(), 0);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let tg = FakeTelegram::start().await;
    let url = format!("{}/bot{}/getMe", tg.api_url(), tg.token());
    let slow_poll = tokio::spawn({
        let bot = bot(&tg);
        async move { bot.get_updates().timeout(30).await }
    });
    tg.wait_until(Duration::from_secs(5), |w| w.polls_started() >= 1)
        .await
        .unwrap();
    tg.clone().shutdown().await;
    assert!(
        slow_poll.await.unwrap().unwrap().is_empty(),
        "a running long poll ends at shutdown"
    );
    assert!(
        common::http().post(url).send().await.is_err(),
        "nothing listens any more"
    );
}
