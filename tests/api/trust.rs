//! Nothing lost when Telegram stumbles, nothing swallowed silently, and no
//! client able to drown the rest (issue 10): outages, failed deliveries and
//! /resend, fair lanes, bans, the hourly ticket limit, specialist calls seen.

use std::time::Duration;

use fake_telegram::{FakeTelegram, Fault, Limits, UserSpec};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use topicdesk::entities::{OutboxStatus, TicketStatus, events, outbox, tickets};

use crate::support::outage::TcpProxy;
use crate::support::{AppOptions, Desk, WAIT, eventually};

async fn outbox_rows(desk: &Desk) -> Vec<outbox::Model> {
    outbox::Entity::find().all(&desk.app.db).await.unwrap()
}

async fn readyz(desk: &Desk) -> (u16, String) {
    let response = desk.app.get("/readyz").await;
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_telegram_outage_loses_nothing_uses_no_attempts_and_shows_in_readyz() {
    let fake = FakeTelegram::start().await;
    let proxy = TcpProxy::start(fake.addr()).await;
    let desk = Desk::open_with(AppOptions {
        fake: Some(fake),
        vars: vec![(
            "TELEGRAM_API_URL".into(),
            format!("http://{}/", proxy.address),
        )],
        ..AppOptions::default()
    })
    .await;
    let (client, topic) = desk.client_opens_ticket("Vova", "first").await;
    let main = desk.main_group();

    proxy.go_down();
    for text in ["one", "two", "three"] {
        desk.fake().user(client).in_private().text(text);
    }
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .text("we are on it");
    eventually("readyz to name the outage", WAIT, || async {
        let (status, body) = readyz(&desk).await;
        status == 503 && body.contains("Telegram API unreachable since")
    })
    .await;
    eventually("the deliveries to have met the outage", WAIT, || async {
        outbox_rows(&desk)
            .await
            .iter()
            .any(|row| row.status == OutboxStatus::Pending && row.last_error.is_some())
    })
    .await;
    // Waiting out an outage is not the rows' fault.
    assert!(
        outbox_rows(&desk)
            .await
            .iter()
            .all(|row| row.attempts == 0 && row.status != OutboxStatus::Failed)
    );

    proxy.come_back();
    desk.fake()
        .wait_until(Duration::from_secs(30), |w| {
            let topic_texts = w.topic_texts(main, topic.thread_id);
            ["one", "two", "three"]
                .iter()
                .all(|t| topic_texts.contains(&t.to_string()))
                && w.texts(client).contains(&"we are on it".to_owned())
        })
        .await
        .expect("everything arrives once Telegram is back");
    assert!(
        outbox_rows(&desk)
            .await
            .iter()
            .all(|row| row.status != OutboxStatus::Failed)
    );
    eventually("readyz to turn ready", WAIT, || async {
        readyz(&desk).await.0 == 200
    })
    .await;
}

#[tokio::test]
async fn once_telegram_answers_again_the_backlog_goes_without_sitting_out_its_pause() {
    let fake = FakeTelegram::start().await;
    let proxy = TcpProxy::start(fake.addr()).await;
    let desk = Desk::open_with(AppOptions {
        fake: Some(fake),
        vars: vec![(
            "TELEGRAM_API_URL".into(),
            format!("http://{}/", proxy.address),
        )],
        ..AppOptions::default()
    })
    .await;
    let (client, topic) = desk.client_opens_ticket("Zhanna", "first").await;
    let main = desk.main_group();

    proxy.go_down();
    desk.fake().user(client).in_private().text("still there?");
    // The outage lasts until the lane's pause has grown long: its rows wait
    // at least 12 s more.
    eventually(
        "the pause to have grown past 12 s",
        Duration::from_secs(60),
        || async {
            let later = chrono::Utc::now() + chrono::Duration::seconds(12);
            outbox_rows(&desk).await.iter().any(|row| {
                row.status == OutboxStatus::Pending && row.not_before.is_some_and(|at| at > later)
            })
        },
    )
    .await;

    proxy.come_back();
    let back = std::time::Instant::now();
    desk.fake()
        .wait_until(Duration::from_secs(8), |w| {
            w.topic_texts(main, topic.thread_id)
                .contains(&"still there?".to_owned())
        })
        .await
        .expect("the message goes within seconds of Telegram's return, not after the pause");
    assert!(back.elapsed() < Duration::from_secs(12));
}

#[tokio::test]
async fn a_failed_delivery_is_told_once_listed_by_failed_and_sent_again_by_resend() {
    let desk = Desk::open_with(AppOptions {
        vars: vec![("ADMIN_IDS".into(), "777".into())],
        ..AppOptions::default()
    })
    .await;
    let manager = desk.fake().add_user(UserSpec::new("Masha").id(777));
    let (client, topic) = desk.client_opens_ticket("Lena", "Hello").await;
    let main = desk.main_group();
    // "chat not found" can never succeed: the row fails at once.
    desk.fake().inject(
        Fault::chat_not_found()
            .on("copyMessage")
            .in_chat(client)
            .times(2),
    );
    // One answer after the other's copy failed: written together, the two
    // would leave in one copyMessages, which the fault does not cover.
    for (n, text) in ["first answer", "second answer"].into_iter().enumerate() {
        desk.fake()
            .user(desk.staff)
            .in_topic(main, topic.thread_id)
            .text(text);
        eventually("the answer's copy to fail", WAIT, || async {
            outbox_rows(&desk)
                .await
                .iter()
                .filter(|row| row.status == OutboxStatus::Failed)
                .count()
                > n
        })
        .await;
    }
    let note = desk
        .fake()
        .wait_for_value("the note about the failure", WAIT, |w| {
            w.topic_texts(main, topic.thread_id)
                .into_iter()
                .find(|t| t.starts_with("⚠️"))
        })
        .await
        .unwrap();
    assert!(note.contains("/resend 1"), "{note}");
    assert!(note.contains("chat not found"), "{note}");
    eventually("both rows to fail", WAIT, || async {
        outbox_rows(&desk)
            .await
            .iter()
            .filter(|row| row.status == OutboxStatus::Failed)
            .count()
            == 2
    })
    .await;
    // One line per ticket, however many rows failed.
    let notes = desk
        .fake()
        .topic_texts(main, topic.thread_id)
        .into_iter()
        .filter(|t| t.starts_with("⚠️"))
        .count();
    assert_eq!(notes, 1);
    let metrics = desk.app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"topicdesk_outbox_failed_total{destination="client"} 2"#),
        "{metrics}"
    );

    let private = desk.fake().user(manager).in_private();
    private.command("/failed");
    let listing = desk
        .fake()
        .wait_for_value("the /failed answer", WAIT, |w| {
            w.texts(manager)
                .into_iter()
                .find(|t| t.starts_with(&desk.texts.failed_title(1)))
        })
        .await
        .unwrap();
    assert!(
        listing.contains(&desk.texts.failed_line(1, 2, "")[..10]),
        "{listing}"
    );

    private.command("/resend 1");
    desk.fake()
        .wait_until(WAIT, |w| {
            let texts = w.texts(client);
            texts.contains(&"first answer".to_owned())
                && texts.contains(&"second answer".to_owned())
        })
        .await
        .expect("the failed answers arrive after /resend");
    let answer = desk.texts.resend_done(1, 2);
    desk.fake()
        .wait_until(WAIT, |w| w.texts(manager).contains(&answer))
        .await
        .expect("the manager is told");
}

#[tokio::test]
async fn a_specialist_call_is_acknowledged_with_a_reaction_and_reaches_no_client() {
    let desk = Desk::open().await;
    let (client, _, mirror) = desk.assigned_ticket("Gosha", "Need help").await;
    let before = desk.fake().bot_messages(client).len();
    let call = desk
        .fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .text("@petya помоги");
    let tech_group = desk.tech_group;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.message(tech_group, call.message_id)
                .is_some_and(|m| m.bot_reactions() == ["👀"])
        })
        .await
        .expect("the author sees the call was kept inside the team");
    assert_eq!(desk.fake().bot_messages(client).len(), before);
}

#[tokio::test]
async fn a_banned_client_is_told_once_and_their_messages_are_kept_but_not_bridged() {
    let desk = Desk::open_with(AppOptions {
        vars: vec![("ADMIN_IDS".into(), "777".into())],
        ..AppOptions::default()
    })
    .await;
    let manager = desk.fake().add_user(UserSpec::new("Masha").id(777));
    desk.fake().add_member(desk.main_group(), manager);
    let (client, topic) = desk.client_opens_ticket("Troll", "spam one").await;
    let main = desk.main_group();
    desk.fake()
        .user(manager)
        .in_topic(main, topic.thread_id)
        .command("/ban");
    let banned_answer = desk.texts.ban_done("Troll (@troll)", client);
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id)
                .contains(&banned_answer)
        })
        .await
        .expect("the manager is told in the topic");
    let topic_before = desk.fake().topic_texts(main, topic.thread_id).len();

    for text in ["spam two", "spam three"] {
        desk.fake().user(client).in_private().text(text);
    }
    let notice = desk.texts.banned_notice().to_owned();
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&notice))
        .await
        .expect("the client is told");
    eventually("both messages to be kept", WAIT, || async {
        events::Entity::find()
            .filter(events::Column::Action.eq("message_held"))
            .all(&desk.app.db)
            .await
            .unwrap()
            .len()
            == 2
    })
    .await;
    let notices = desk
        .fake()
        .texts(client)
        .into_iter()
        .filter(|t| *t == notice)
        .count();
    assert_eq!(notices, 1, "one notice per ban");
    assert_eq!(
        desk.fake().topic_texts(main, topic.thread_id).len(),
        topic_before,
        "nothing reached the topic"
    );

    let private = desk.fake().user(manager).in_private();
    private.command("/banned");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.texts(manager)
                .iter()
                .any(|t| t.starts_with(&desk.texts.banned_title(1)) && t.contains("Troll"))
        })
        .await
        .expect("/banned lists the client");
    private.command(&format!("/unban {client}"));
    let lifted = desk.texts.unban_done("Troll (@troll)");
    desk.fake()
        .wait_until(WAIT, |w| w.texts(manager).contains(&lifted))
        .await
        .expect("/unban answers");
    desk.fake().user(client).in_private().text("sorry");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id)
                .contains(&"sorry".to_owned())
        })
        .await
        .expect("bridged again after /unban");
}

#[tokio::test]
async fn past_three_tickets_an_hour_a_clients_message_joins_their_latest_ticket() {
    let desk = Desk::open().await;
    let main = desk.main_group();
    let client = desk
        .fake()
        .add_user(UserSpec::new("Kolya").username("kolya"));
    for round in 1..=3 {
        desk.fake()
            .user(client)
            .in_private()
            .text(&format!("question {round}"));
        let ack = desk.texts.ticket_opened_ack(round);
        desk.fake()
            .wait_until(WAIT, |w| w.texts(client).contains(&ack))
            .await
            .unwrap();
        desk.fake().user(client).in_private().command("/close");
        let closed = desk.texts.closed_for_client(round);
        desk.fake()
            .wait_until(WAIT, |w| w.texts(client).contains(&closed))
            .await
            .unwrap();
    }
    desk.fake().user(client).in_private().text("question 4");
    let joined = desk.texts.added_to_latest_ticket(3);
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&joined))
        .await
        .expect("the client is told their message joined ticket #3");
    let latest = desk
        .fake()
        .wait_for_value("ticket #3's topic reopened", WAIT, |w| {
            w.topics(main)
                .into_iter()
                .find(|t| t.name.contains("#3") && !t.closed && t.name.starts_with("🟢"))
        })
        .await
        .unwrap();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, latest.thread_id)
                .contains(&"question 4".to_owned())
        })
        .await
        .expect("the message is in the reopened topic");
    assert_eq!(desk.fake().topics(main).len(), 3, "no fourth topic");
    let ticket = tickets::Entity::find_by_id(3)
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ticket.status, TicketStatus::New);
}

#[tokio::test]
async fn a_command_in_a_mirrored_topic_the_ticket_moved_away_from_is_refused() {
    let desk = Desk::open().await;
    let (_, topic, first) = desk.assigned_ticket("Dima", "Moving").await;
    desk.assign(topic.thread_id, "Olga Sidorova", desk.second_tech_group)
        .await;
    let close = desk
        .fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, first.thread_id)
        .command("/close");
    let refusal = desk.texts.ticket_is_closed_note().to_owned();
    let tech_group = desk.tech_group;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_messages(tech_group, first.thread_id)
                .iter()
                .any(|m| {
                    m.text() == Some(refusal.as_str()) && m.reply_to_id() == Some(close.message_id)
                })
        })
        .await
        .expect("the old topic answers that it no longer speaks for the ticket");
    let ticket = tickets::Entity::find_by_id(1)
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(ticket.status, TicketStatus::Closed);
}

#[tokio::test]
async fn an_update_of_an_unknown_kind_is_counted_and_skipped() {
    let desk = Desk::open().await;
    desk.fake()
        .enqueue_update(serde_json::json!({ "something_new": { "x": 1 } }));
    eventually("the unknown update to be counted", WAIT, || async {
        desk.app
            .get("/metrics")
            .await
            .text()
            .await
            .unwrap()
            .contains("topicdesk_updates_unparsable_total 1")
    })
    .await;
    let metrics = desk.app.get("/metrics").await.text().await.unwrap();
    for family in [
        "topicdesk_outbox_pending{destination=\"main_group\"}",
        "topicdesk_outbox_oldest_pending_seconds{destination=\"client\"}",
        "topicdesk_outbox_sent_total{destination=\"client\"}",
        "topicdesk_outbox_retried_total{destination=\"tech_group\"}",
        "topicdesk_outbox_rate_limited_total{destination=\"main_group\"}",
    ] {
        assert!(metrics.contains(family), "missing {family} in\n{metrics}");
    }
}

#[tokio::test]
async fn tickets_take_turns_so_a_flooding_client_cannot_hold_up_the_others() {
    // Telegram's limits, with its minute passing in four seconds so the
    // test watches several minutes of a busy main group.
    const MINUTE: Duration = Duration::from_secs(4);
    let limits = Limits {
        group_window: MINUTE,
        ..Limits::telegram()
    };
    let desk = Desk::open_with(AppOptions {
        adjust: Some(Box::new(|settings| {
            settings.limits = topicdesk::telegram::limits::Limits {
                group_window: MINUTE,
                ..topicdesk::telegram::limits::Limits::telegram()
            };
        })),
        ..AppOptions::default()
    })
    .await;
    desk.fake().enforce_limits(Some(limits));
    let main = desk.main_group();
    let (flooder, flood_topic) = desk.client_opens_ticket("Flood", "flood 0").await;
    for n in 1..=40 {
        desk.fake()
            .user(flooder)
            .in_private()
            .text(&format!("flood {n}"));
    }
    // The flood is queued before anyone else writes.
    eventually("the flood to be queued", WAIT, || async {
        outbox_rows(&desk)
            .await
            .iter()
            .filter(|row| row.lane_chat_id == main && row.status == OutboxStatus::Pending)
            .count()
            >= 15
    })
    .await;
    let quiet: Vec<i64> = (1..=5)
        .map(|n| {
            desk.new_client_writes(
                UserSpec::new(format!("Quiet{n}")).username(format!("quiet{n}")),
                &format!("quiet question {n}"),
            )
        })
        .collect();
    // Once every quiet question is queued, the lane gives each ticket a
    // turn: a quiet ticket needs three (topic, card, question), and the
    // flood sends at most one batch of ten copies per turn meanwhile.
    eventually(
        "the quiet questions to be queued",
        Duration::from_secs(30),
        || async {
            let rows = outbox_rows(&desk).await;
            (2..=6).all(|ticket| {
                rows.iter()
                    .any(|row| row.ticket_id == Some(ticket) && row.source_message_id.is_some())
            })
        },
    )
    .await;
    let flood_sent = |desk: &Desk| {
        desk.fake()
            .topic_texts(main, flood_topic.thread_id)
            .iter()
            .filter(|t| t.starts_with("flood "))
            .count()
    };
    let flooded_before = flood_sent(&desk);
    // Every quiet ticket's question reaches its topic while the flood is
    // still going out: they took turns with it.
    desk.fake()
        .wait_until(Duration::from_secs(60), |w| {
            (1..=5).all(|n| {
                w.topics(main).iter().any(|t| {
                    w.topic_texts(main, t.thread_id)
                        .contains(&format!("quiet question {n}"))
                })
            })
        })
        .await
        .expect("every quiet client's question arrives");
    let flooded = flood_sent(&desk) - flooded_before;
    assert!(
        flooded <= 30,
        "the quiet tickets waited behind the flood ({flooded} of its messages first)"
    );
    assert_eq!(desk.fake().too_many_requests_served(), 0);
    assert_eq!(
        desk.fake().in_flight(main).peak_calls,
        1,
        "under Telegram's limits the main group's calls go one at a time"
    );
    assert_eq!(quiet.len(), 5);
    desk.fake()
        .wait_until(Duration::from_secs(60), |w| {
            w.topic_texts(main, flood_topic.thread_id)
                .iter()
                .filter(|t| t.starts_with("flood "))
                .count()
                == 41
        })
        .await
        .expect("the whole flood arrives in the end");
    // In order.
    let order: Vec<String> = desk
        .fake()
        .topic_texts(main, flood_topic.thread_id)
        .into_iter()
        .filter(|t| t.starts_with("flood "))
        .collect();
    let expected: Vec<String> = (0..=40).map(|n| format!("flood {n}")).collect();
    assert_eq!(order, expected);
}

#[tokio::test]
async fn without_limits_tickets_take_their_turns_side_by_side_within_one_batch_in_flight() {
    // No rate limit counts the main group (the tests' default): the lane
    // overlaps its tickets' turns. Slow answers make the overlap visible.
    let desk = Desk::open().await;
    let main = desk.main_group();
    let fake = desk.fake();
    fake.set_method_latency("createForumTopic", Some(Duration::from_millis(200)));
    fake.set_method_latency("copyMessages", Some(Duration::from_millis(100)));
    let (flooder, flood_topic) = desk.client_opens_ticket("Flood", "flood 0").await;
    for n in 1..=30 {
        fake.user(flooder).in_private().text(&format!("flood {n}"));
    }
    for n in 1..=10 {
        desk.new_client_writes(
            UserSpec::new(format!("Side{n}")).username(format!("side{n}")),
            &format!("side question {n}"),
        );
    }
    fake.wait_until(Duration::from_secs(60), |w| {
        let flood = w
            .topic_texts(main, flood_topic.thread_id)
            .iter()
            .filter(|t| t.starts_with("flood "))
            .count();
        let asked = (1..=10)
            .filter(|n| {
                w.topics(main).iter().any(|t| {
                    w.topic_texts(main, t.thread_id)
                        .contains(&format!("side question {n}"))
                })
            })
            .count();
        flood == 31 && asked == 10
    })
    .await
    .expect("the flood and every new ticket's question arrive");
    let flight = fake.in_flight(main);
    assert!(
        flight.peak_calls > 1,
        "the main group's calls went one at a time: {flight:?}"
    );
    // A crash repeats every call in flight: never more than one copy batch.
    assert!(
        flight.peak_messages <= 8,
        "more than a batch of messages was in flight at once: {flight:?}"
    );
    // Each ticket's own messages still go in order.
    let flood: Vec<String> = fake
        .topic_texts(main, flood_topic.thread_id)
        .into_iter()
        .filter(|t| t.starts_with("flood "))
        .collect();
    let expected: Vec<String> = (0..=30).map(|n| format!("flood {n}")).collect();
    assert_eq!(flood, expected);
    assert_eq!(fake.topics(main).len(), 11, "one topic per ticket");
}
