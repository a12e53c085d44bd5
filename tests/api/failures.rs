//! Telegram's failure modes: rate limits on every kind of call, deleted
//! topics, clients who block the bot, and deliveries that keep failing.

use std::time::Duration;

use fake_telegram::{Fault, Limits};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use topicdesk::entities::{events, tickets, users};

use crate::support::{AppOptions, Desk, WAIT, eventually};

async fn events_named(desk: &Desk, action: &str) -> Vec<events::Model> {
    events::Entity::find()
        .filter(events::Column::Action.eq(action))
        .all(&desk.app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_429_on_any_kind_of_call_is_waited_out() {
    let desk = Desk::open().await;
    for method in [
        "createForumTopic",
        "copyMessage",
        "editForumTopic",
        "answerCallbackQuery",
        "closeForumTopic",
        "copyMessages",
    ] {
        desk.fake()
            .inject(Fault::retry_after(1).on(method).times(1));
    }
    let (client, topic, mirror) = desk.assigned_ticket("Rita", "Slow day").await;
    let main = desk.main_group();
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .command("/close");
    let tech = desk.tech_group;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(main, topic.thread_id)
                .is_some_and(|t| t.closed && t.name.starts_with("🟣"))
                && w.topic(tech, mirror.thread_id).is_some_and(|t| t.closed)
        })
        .await
        .expect("everything happened despite the 429s");
    assert!(
        desk.fake()
            .texts(client)
            .contains(&desk.texts.closed_for_client(1))
    );
    assert_eq!(desk.fake().too_many_requests_served(), 6);
    assert_eq!(desk.fake().callback_answers().len(), 1);
}

#[tokio::test]
async fn a_deleted_topic_is_recreated_and_the_message_delivered() {
    let desk = Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Sasha", "Before deletion").await;
    let main = desk.main_group();
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .deletes_topic();

    desk.fake().user(client).in_private().text("After deletion");
    let recreated = desk
        .fake()
        .wait_for_value("a new topic", WAIT, |w| {
            w.topics(main)
                .into_iter()
                .find(|t| !t.deleted && t.thread_id != topic.thread_id)
        })
        .await
        .unwrap();
    assert_eq!(recreated.name, topic.name, "same title, same ticket number");
    let posts = desk
        .wait_for_topic_messages(main, recreated.thread_id, 3)
        .await;
    assert!(
        posts[0].text().unwrap().contains("#1"),
        "the card comes first"
    );
    assert!(!posts[0].buttons().is_empty());
    let texts: Vec<_> = posts
        .iter()
        .map(|m| m.text().unwrap_or_default().to_owned())
        .collect();
    assert!(
        texts.contains(&desk.texts.topic_recreated_note().to_owned()),
        "{texts:?}"
    );
    assert!(texts.contains(&"After deletion".to_owned()), "{texts:?}");

    eventually("the ticket to point at the new topic", WAIT, || async {
        let ticket = tickets::Entity::find_by_id(1)
            .one(&desk.app.db)
            .await
            .unwrap()
            .unwrap();
        ticket.main_thread_id == Some(recreated.thread_id)
    })
    .await;
    assert_eq!(events_named(&desk, "topic_recreated").await.len(), 1);
}

#[tokio::test]
async fn a_client_who_blocks_the_bot_is_marked_and_the_team_told_once() {
    let desk = Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Tanya", "Hi").await;
    desk.fake().user(client).in_private().blocks_bot();
    let main = desk.main_group();
    let note = desk.texts.client_blocked_note().to_owned();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id).contains(&note)
        })
        .await
        .expect("the main topic is told");
    eventually("the block to be recorded", WAIT, || async {
        let user = users::Entity::find_by_id(client)
            .one(&desk.app.db)
            .await
            .unwrap()
            .unwrap();
        user.blocked_bot_at.is_some()
    })
    .await;

    // Staff answers anyway: Telegram refuses with 403, and nobody is told twice.
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .text("Are you there?");
    eventually("the refused delivery to be recorded", WAIT, || async {
        !events_named(&desk, "delivery_failed").await.is_empty()
    })
    .await;
    let notes = desk
        .fake()
        .topic_texts(main, topic.thread_id)
        .iter()
        .filter(|t| **t == note)
        .count();
    assert_eq!(notes, 1);
    let ticket = tickets::Entity::find_by_id(1)
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(ticket.status.is_open(), "the ticket stays");

    // Writing again means they are back.
    desk.fake()
        .user(client)
        .in_private()
        .text("Sorry, I'm back");
    eventually("the block to be cleared", WAIT, || async {
        let user = users::Entity::find_by_id(client)
            .one(&desk.app.db)
            .await
            .unwrap()
            .unwrap();
        user.blocked_bot_at.is_none()
    })
    .await;
}

#[tokio::test]
async fn a_403_on_delivery_marks_the_client_blocked() {
    let desk = Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Uma", "Hello").await;
    desk.fake()
        .inject(Fault::blocked().on("copyMessage").in_chat(client).times(1));
    let main = desk.main_group();
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .text("Answer");
    let note = desk.texts.client_blocked_note().to_owned();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id).contains(&note)
        })
        .await
        .expect("the main topic is told");
    let user = users::Entity::find_by_id(client)
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(user.blocked_bot_at.is_some());
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_recorded_and_does_not_stop_the_next_ones() {
    let desk = Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Vika", "Hello").await;
    let main = desk.main_group();
    desk.fake().inject(
        Fault::error(400, "Bad Request: something odd")
            .on("copyMessage")
            .in_chat(client)
            .times(5),
    );
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .text("Lost answer");
    eventually(
        "the failure to be recorded",
        Duration::from_secs(40),
        || async { !events_named(&desk, "delivery_failed").await.is_empty() },
    )
    .await;
    let failure = &events_named(&desk, "delivery_failed").await[0];
    assert_eq!(failure.ticket_id, Some(1));
    assert!(
        failure.payload.to_string().contains("something odd"),
        "{}",
        failure.payload
    );

    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .text("Next answer");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.texts(client).contains(&"Next answer".to_owned())
        })
        .await
        .expect("later messages still flow");
}

#[tokio::test]
async fn under_telegrams_limits_the_bot_causes_no_429s() {
    let desk = Desk::open_with(AppOptions {
        adjust: Some(Box::new(|settings| {
            settings.limits = topicdesk::telegram::limits::Limits::telegram();
        })),
        ..AppOptions::default()
    })
    .await;
    desk.fake().enforce_limits(Some(Limits::telegram()));
    let (client, topic) = desk.client_opens_ticket("Yana", "one").await;
    desk.fake().user(client).in_private().text("two");
    desk.fake().user(client).in_private().text("three");
    let main = desk.main_group();
    for answer in ["a", "b", "c"] {
        desk.fake()
            .user(desk.staff)
            .in_topic(main, topic.thread_id)
            .text(answer);
    }
    desk.fake()
        .wait_until(Duration::from_secs(20), |w| {
            let to_client = w.texts(client);
            ["a", "b", "c"]
                .iter()
                .all(|a| to_client.contains(&a.to_string()))
                && w.topic_texts(main, topic.thread_id)
                    .contains(&"three".to_owned())
        })
        .await
        .expect("everything arrives");
    assert_eq!(desk.fake().too_many_requests_served(), 0);
    let to_client: Vec<String> = desk.fake().texts(client);
    let answers: Vec<&String> = to_client.iter().filter(|t| t.len() == 1).collect();
    assert_eq!(answers, ["a", "b", "c"], "in order");
}
