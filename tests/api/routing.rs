//! Routing: categories (the client's choice, its timeout, moves between
//! main groups), several main groups, and automatic assignment.

use std::time::Duration;

use fake_telegram::{GroupSpec, UserSpec};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use topicdesk::entities::{Priority, TicketStatus, tickets};

use crate::support::flows::billing_and_tech;
use crate::support::{AppOptions, Desk, WAIT, eventually, eventually_some, vars};

struct Routed {
    desk: Desk,
    /// The billing category's own main group.
    billing_group: i64,
    /// Staff of the billing group.
    billing_staff: i64,
    manager: i64,
}

/// A desk with two categories: billing (high priority, Ivan, its own main
/// group) and tech (MAIN_GROUP_ID, anyone), plus `extra` settings.
async fn routed_desk(extra: Vec<(&str, &str)>) -> Routed {
    let fake = fake_telegram::FakeTelegram::start().await;
    let billing_group = fake.add_forum_group("Billing desk");
    let manager = fake.add_user(UserSpec::new("Maria"));
    let billing_staff = fake.add_user(UserSpec::new("Sveta").last_name("Staff"));
    fake.add_member(billing_group, billing_staff);
    let categories = billing_and_tech(billing_group);
    let mut settings = vars([
        ("CATEGORIES", categories.as_str()),
        ("ADMIN_IDS", manager.to_string().as_str()),
    ]);
    settings.extend(vars(extra));
    let desk = Desk::open_on(fake, settings).await;
    Routed {
        desk,
        billing_group,
        billing_staff,
        manager,
    }
}

#[tokio::test]
async fn the_clients_category_choice_opens_the_ticket_in_that_categorys_main_group() {
    let routed = routed_desk(vec![]).await;
    let desk = &routed.desk;
    let client = desk.new_client_writes(
        UserSpec::new("Kate").username("kate").language_code("en"),
        "My card was charged twice",
    );
    let question = desk.category_question(client).await;
    let labels: Vec<String> = question.buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(
        labels,
        ["💳 Billing", "🛠 Technical"],
        "in the client's language"
    );
    // The client adds a second message before choosing: both are kept.
    desk.fake().user(client).in_private().text("Order 1234");
    eventually("the second message to be stored", WAIT, || async {
        let rows = desk.app.inbound_rows().await;
        rows.len() == 2
            && rows
                .iter()
                .all(|r| r.status == topicdesk::entities::InboundStatus::Done)
    })
    .await;
    assert!(desk.fake().topics(desk.main_group()).is_empty());
    assert!(desk.fake().topics(routed.billing_group).is_empty());
    assert_eq!(desk.ticket(1).await.status, TicketStatus::Held);

    let answer = desk
        .client_presses(client, question.id(), "💳 Billing")
        .await;
    assert_eq!(answer.text.as_deref(), Some("💳 Billing"));

    let topic = desk.wait_for_topic_in(routed.billing_group, "Kate").await;
    let texts = desk
        .fake()
        .wait_for_topic_messages(routed.billing_group, topic.thread_id, 3)
        .await
        .unwrap();
    let texts: Vec<String> = texts
        .iter()
        .map(|m| m.text_or_caption().unwrap_or_default().to_owned())
        .collect();
    assert!(texts[0].contains("💳 Оплата · 🔼 Высокий"), "{texts:#?}");
    assert_eq!(texts[1..], ["My card was charged twice", "Order 1234"]);
    assert!(desk.fake().topics(desk.main_group()).is_empty());
    // The question became the acknowledgement.
    desk.fake()
        .wait_until(WAIT, |w| {
            w.message(client, question.id()).is_some_and(|m| {
                m.text()
                    == Some("💳 Billing — request #1 received. A specialist will reply right here.")
                    && m.buttons().is_empty()
            })
        })
        .await
        .unwrap();
    let opened = desk.ticket(1).await;
    assert_eq!(opened.category.as_deref(), Some("billing"));
    assert_eq!(opened.priority, Priority::High);
    assert_eq!(opened.main_chat_id, routed.billing_group);
    assert_eq!(opened.status, TicketStatus::New);
}

#[tokio::test]
async fn without_a_choice_the_ticket_opens_in_the_first_category_after_the_timeout() {
    let routed = routed_desk(vec![("CATEGORY_TIMEOUT", "2s")]).await;
    let desk = &routed.desk;
    let client = desk.new_client_writes(UserSpec::new("Lena"), "Hello?");
    let topic = eventually_some(
        "the topic after the timeout",
        Duration::from_secs(15),
        || async { desk.topic_in(routed.billing_group, "Lena") },
    )
    .await;
    desk.fake()
        .wait_for_topic_messages(routed.billing_group, topic.thread_id, 2)
        .await
        .unwrap();
    let opened = desk.ticket(1).await;
    assert_eq!(opened.category.as_deref(), Some("billing"));
    desk.fake()
        .wait_until(WAIT, |w| {
            w.texts(client)
                .iter()
                .any(|t| t.starts_with("💳 Оплата — обращение #1 принято"))
        })
        .await
        .unwrap();
    let events = topicdesk::entities::events::Entity::find()
        .filter(topicdesk::entities::events::Column::Action.eq("category_chosen"))
        .all(&desk.app.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].payload["timed_out"], true);

    // The question kept its buttons; a late tap finds the ticket open.
    let question = desk
        .fake()
        .messages(client)
        .into_iter()
        .find(|m| m.is_from_bot() && !m.buttons().is_empty())
        .expect("the question");
    let answer = desk
        .client_presses(client, question.id(), "🛠 Техника")
        .await;
    assert_eq!(
        answer.text.as_deref(),
        Some("Ваше обращение уже передано команде.")
    );
    assert_eq!(desk.ticket(1).await.category.as_deref(), Some("billing"));
}

#[tokio::test]
async fn staff_move_a_ticket_to_a_category_of_another_main_group() {
    let routed = routed_desk(vec![]).await;
    let desk = &routed.desk;
    let client = desk
        .new_client_chooses("Mila", "The app crashes", "🛠 Техника")
        .await;
    let main = desk.main_group();
    let old = desk.wait_for_topic_in(main, "Mila").await;
    desk.fake()
        .wait_for_topic_messages(main, old.thread_id, 2)
        .await
        .unwrap();

    desk.fake()
        .user(desk.staff)
        .in_topic(main, old.thread_id)
        .command("/category billing");
    let new = desk.wait_for_topic_in(routed.billing_group, "Mila").await;
    let posts = desk
        .fake()
        .wait_for_topic_messages(routed.billing_group, new.thread_id, 2)
        .await
        .unwrap();
    assert!(
        posts[0].text().unwrap().contains("💳 Оплата"),
        "the card: {posts:#?}"
    );
    let note = posts[1].text().unwrap();
    assert!(
        note.contains("🛠 Техника") && note.contains("Sveta Staff"),
        "{note}"
    );
    assert!(
        note.contains("https://t.me/c/"),
        "a link to the old topic: {note}"
    );
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(main, old.thread_id).is_some_and(|t| t.closed)
                && w.topic_texts(main, old.thread_id)
                    .iter()
                    .any(|t| t.contains("➡️") && t.contains("💳 Оплата"))
        })
        .await
        .unwrap();
    let moved = desk.ticket(1).await;
    assert_eq!(moved.main_chat_id, routed.billing_group);
    assert_eq!(moved.main_thread_id, Some(new.thread_id));

    // The client's next message lands in the new topic only.
    desk.fake().user(client).in_private().text("Still crashing");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(routed.billing_group, new.thread_id)
                .contains(&"Still crashing".to_owned())
        })
        .await
        .unwrap();
    assert!(
        !desk
            .fake()
            .topic_texts(main, old.thread_id)
            .contains(&"Still crashing".to_owned())
    );
    // A staff answer from the new topic reaches the client.
    desk.fake()
        .user(routed.billing_staff)
        .in_topic(routed.billing_group, new.thread_id)
        .text("We refund it");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.texts(client).iter().any(|t| t == "We refund it")
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn every_main_group_is_checked_at_start() {
    let fake = fake_telegram::FakeTelegram::start().await;
    let billing_group = fake.add_group(GroupSpec::plain("Billing without topics"));
    let categories =
        format!(r#"[{{"key":"billing","name":"Оплата","main_group_id":{billing_group}}}]"#);
    let desk = Desk::open_with(AppOptions {
        fake: Some(fake),
        vars: vec![("CATEGORIES".into(), categories)],
        ..AppOptions::default()
    })
    .await;
    let problems = eventually_some("the self-check to report", WAIT, || async {
        let response = desk.app.get("/readyz").await;
        let json: serde_json::Value = response.json().await.unwrap();
        json["problems"]
            .as_array()
            .filter(|p| !p.is_empty() && !json.to_string().contains("has not finished"))
            .cloned()
    })
    .await;
    assert_eq!(problems.len(), 1, "{problems:?}");
    let problem = problems[0].as_str().unwrap();
    assert!(problem.contains("category billing"), "{problem}");
    assert!(problem.contains("enable Topics"), "{problem}");
}

/// A client writes and picks "🛠 Техника"; returns the ticket once it has a
/// technician (or `None` when it stays unassigned).
async fn open_tech_ticket(desk: &Desk, name: &str, id: i32) -> tickets::Model {
    desk.new_client_chooses(name, "Help", "🛠 Техника").await;
    eventually("the ticket to open", WAIT, || async {
        desk.ticket(id).await.status != TicketStatus::Held
    })
    .await;
    eventually_some("the assignment or the card's note", WAIT, || async {
        let t = desk.ticket(id).await;
        if t.assigned_tech_id.is_some() {
            return Some(t);
        }
        let noted = desk
            .fake()
            .topics(desk.main_group())
            .into_iter()
            .find(|topic| topic.name.contains(name))
            .is_some_and(|topic| {
                desk.fake()
                    .topic_texts(desk.main_group(), topic.thread_id)
                    .first()
                    .is_some_and(|card| card.contains("Нет свободного специалиста"))
            });
        noted.then_some(t)
    })
    .await
}

#[tokio::test]
async fn round_robin_takes_turns_and_skips_unavailable_technicians() {
    let routed = routed_desk(vec![("ASSIGN_MODE", "round_robin")]).await;
    let desk = &routed.desk;
    let ivan = desk.tech_id("Ivan Petrov").await;
    let olga = desk.tech_id("Olga Sidorova").await;
    let first = open_tech_ticket(desk, "Nora", 1).await;
    let second = open_tech_ticket(desk, "Oksana", 2).await;
    let third = open_tech_ticket(desk, "Polina", 3).await;
    assert_eq!(
        [
            first.assigned_tech_id,
            second.assigned_tech_id,
            third.assigned_tech_id
        ],
        [Some(ivan), Some(olga), Some(ivan)]
    );
    // Assigned as by the button: a mirrored topic with the history, 🟡.
    let mirror = desk
        .wait_for_topic_in(desk.second_tech_group, "Oksana")
        .await;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(desk.second_tech_group, mirror.thread_id)
                .contains(&"Help".to_owned())
        })
        .await
        .unwrap();
    let main_topic = desk.wait_for_topic_in(desk.main_group(), "Oksana").await;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(desk.main_group(), main_topic.thread_id)
                .is_some_and(|t| t.name.starts_with("🟡 [В работе | Olga Sidorova]"))
        })
        .await
        .unwrap();

    // Olga goes off: her turn is skipped.
    desk.set_available(routed.manager, olga, false).await;
    let fourth = open_tech_ticket(desk, "Rita", 4).await;
    assert_eq!(fourth.assigned_tech_id, Some(ivan));

    // Nobody available: the ticket stays new and the card says so.
    desk.set_available(routed.manager, ivan, false).await;
    let fifth = open_tech_ticket(desk, "Sonya", 5).await;
    assert_eq!(fifth.assigned_tech_id, None);
    assert_eq!(fifth.status, TicketStatus::New);
}

#[tokio::test]
async fn least_loaded_picks_the_technician_with_fewest_open_tickets() {
    let routed = routed_desk(vec![("ASSIGN_MODE", "least_loaded")]).await;
    let desk = &routed.desk;
    let ivan = desk.tech_id("Ivan Petrov").await;
    let olga = desk.tech_id("Olga Sidorova").await;
    let first = open_tech_ticket(desk, "Tanya", 1).await;
    assert_eq!(first.assigned_tech_id, Some(ivan));
    let second = open_tech_ticket(desk, "Uma", 2).await;
    assert_eq!(second.assigned_tech_id, Some(olga));
    // Olga's ticket is closed: she has none open, Ivan has one.
    let main = desk.main_group();
    let topic = desk.wait_for_topic_in(main, "Uma").await;
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .command("/close");
    eventually("the close", WAIT, || async {
        desk.ticket(2).await.status == TicketStatus::Closed
    })
    .await;
    let third = open_tech_ticket(desk, "Vika", 3).await;
    assert_eq!(third.assigned_tech_id, Some(olga));
    // Olga goes off: Ivan gets the next one although he has more.
    desk.set_available(routed.manager, olga, false).await;
    let fourth = open_tech_ticket(desk, "Yana", 4).await;
    assert_eq!(fourth.assigned_tech_id, Some(ivan));
}

#[tokio::test]
async fn the_billing_category_is_assigned_only_to_its_technicians() {
    let routed = routed_desk(vec![("ASSIGN_MODE", "least_loaded")]).await;
    let desk = &routed.desk;
    let ivan = desk.tech_id("Ivan Petrov").await;
    for (id, name) in [(1, "Zoya"), (2, "Alla")] {
        desk.new_client_chooses(name, "Refund", "💳 Оплата").await;
        eventually("the assignment", WAIT, || async {
            desk.ticket(id).await.assigned_tech_id.is_some()
        })
        .await;
        // Olga has fewer tickets, but billing lists only Ivan.
        assert_eq!(desk.ticket(id).await.assigned_tech_id, Some(ivan));
    }
}

#[tokio::test]
async fn a_client_who_closes_before_choosing_costs_the_team_nothing() {
    let routed = routed_desk(vec![]).await;
    let desk = &routed.desk;
    let client = desk.new_client_writes(UserSpec::new("Bea"), "Never mind");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.messages(client).iter().any(|m| !m.buttons().is_empty())
        })
        .await
        .unwrap();
    desk.fake().user(client).in_private().command("/close");
    eventually("the ticket to close", WAIT, || async {
        desk.ticket(1).await.status == TicketStatus::Closed
    })
    .await;
    let closed = desk.texts.closed_for_client(1);
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&closed))
        .await
        .unwrap();
    let held = topicdesk::entities::outbox::Entity::find()
        .all(&desk.app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|row| row.status == topicdesk::entities::OutboxStatus::Held)
        .count();
    assert_eq!(held, 0, "nothing is left waiting for a release");
    assert!(desk.fake().topics(desk.main_group()).is_empty());
    assert!(desk.fake().topics(routed.billing_group).is_empty());
    // No survey for a question the team never saw.
    assert!(
        !desk
            .fake()
            .texts(client)
            .contains(&desk.texts.survey_question(1).to_owned())
    );
}
