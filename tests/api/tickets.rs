//! A ticket's life: opened by the client's first real message, assigned to
//! a technician with a mirrored topic, closed from any side.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use topicdesk::entities::{TicketStatus, events, mirrors, tickets};

use crate::support::{Desk, WAIT, eventually};

async fn ticket_rows(desk: &Desk) -> Vec<tickets::Model> {
    tickets::Entity::find()
        .order_by_asc(tickets::Column::Id)
        .all(&desk.app.db)
        .await
        .unwrap()
}

async fn event_actions(desk: &Desk, ticket_id: i32) -> Vec<String> {
    events::Entity::find()
        .filter(events::Column::TicketId.eq(ticket_id))
        .order_by_asc(events::Column::Id)
        .all(&desk.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn start_and_help_answer_without_opening_a_ticket() {
    let desk = Desk::open().await;
    let client = desk.fake().add_user("Curious");
    desk.fake().user(client).in_private().command("/start");
    desk.fake().user(client).in_private().command("/help");
    let replies = desk.fake().wait_for_bot_messages(client, 2).await.unwrap();
    assert_eq!(replies[0].text(), Some(desk.texts.greeting()));
    assert_eq!(replies[1].text(), Some(desk.texts.help()));
    assert!(desk.fake().topics(desk.main_group()).is_empty());
    assert!(ticket_rows(&desk).await.is_empty());
}

#[tokio::test]
async fn a_first_message_opens_a_ticket_with_its_topic_card_and_one_acknowledgement() {
    let desk = Desk::open().await;
    let client = desk.new_client_writes(
        fake_telegram::UserSpec::new("Anna")
            .last_name("Smith")
            .username("anna"),
        "My printer is on fire",
    );

    let topic = desk.wait_for_topic_of("Anna").await;
    assert_eq!(topic.name, "🟢 [Новый] #1 | Anna Smith (@anna)");
    let posts = desk
        .wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    let card = &posts[0];
    assert!(card.is_from_bot());
    assert!(card.text().unwrap().contains("#1"), "{:?}", card.text());
    assert!(card.text().unwrap().contains("Anna Smith"));
    let labels: Vec<String> = card.buttons().into_iter().map(|(label, _)| label).collect();
    assert_eq!(
        labels,
        [
            "Ivan Petrov",
            "Olga Sidorova",
            "🔽 Низкий",
            "• ▫️ Обычный",
            "🔼 Высокий",
            "🔥 Срочный",
            "⏸ Ждём клиента",
            "Закрыть"
        ]
    );
    assert!(
        card.text().unwrap().contains("▫️ Обычный"),
        "the priority is on the card"
    );
    assert_eq!(posts[1].text(), Some("My printer is on fire"));

    let acks = desk.fake().wait_for_bot_messages(client, 1).await.unwrap();
    assert_eq!(
        acks[0].text(),
        Some(desk.texts.ticket_opened_ack(1).as_str())
    );

    // A second message joins the same ticket, without another acknowledgement.
    desk.fake().user(client).in_private().text("Now it smells");
    desk.wait_for_topic_messages(desk.main_group(), topic.thread_id, 3)
        .await;
    assert_eq!(desk.fake().bot_messages(client).len(), 1);
    assert_eq!(desk.fake().topics(desk.main_group()).len(), 1);

    let rows = ticket_rows(&desk).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, TicketStatus::New);
    assert_eq!(rows[0].main_thread_id, Some(topic.thread_id));
    assert_eq!(rows[0].card_message_id, Some(card.id()));
    let actions = event_actions(&desk, 1).await;
    assert_eq!(actions.iter().filter(|a| *a == "ticket_opened").count(), 1);
    assert_eq!(
        actions.iter().filter(|a| *a == "message_bridged").count(),
        2
    );
}

#[tokio::test]
async fn a_burst_from_a_new_client_makes_one_ticket_with_the_messages_in_order() {
    let desk = Desk::open().await;
    let client = desk.fake().add_user("Burst");
    for n in 1..=5 {
        desk.fake()
            .user(client)
            .in_private()
            .text(&format!("part {n}"));
    }
    let topic = desk.wait_for_topic_of("Burst").await;
    let posts = desk
        .wait_for_topic_messages(desk.main_group(), topic.thread_id, 6)
        .await;
    let texts: Vec<_> = posts[1..].iter().map(|m| m.text().unwrap()).collect();
    assert_eq!(texts, ["part 1", "part 2", "part 3", "part 4", "part 5"]);
    assert_eq!(desk.fake().topics(desk.main_group()).len(), 1);
    assert_eq!(ticket_rows(&desk).await.len(), 1);
    assert_eq!(
        desk.fake().bot_messages(client).len(),
        1,
        "one acknowledgement"
    );
}

#[tokio::test]
async fn assigning_a_technician_mirrors_the_ticket_into_their_group() {
    let desk = Desk::open().await;
    let (_client, topic, mirror) = desk.assigned_ticket("Boris", "VPN is down").await;

    assert_eq!(mirror.name, "#1 | Boris");
    let history = desk
        .fake()
        .topic_messages(desk.tech_group, mirror.thread_id);
    let texts: Vec<_> = history
        .iter()
        .map(|m| m.text().unwrap_or_default())
        .collect();
    assert!(texts[0].contains("#1"), "the card comes first: {texts:?}");
    assert_eq!(texts[1], "VPN is down");
    assert_eq!(texts[2], desk.texts.tech_topic_intro(1));
    assert_eq!(
        history[2].buttons().len(),
        1,
        "the intro carries a Close button"
    );

    let main = desk.main_group();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(main, topic.thread_id)
                .is_some_and(|t| t.name == "🟡 [В работе | @ivan] #1 | Boris")
        })
        .await
        .expect("the main topic is renamed");
    let assigned = desk.texts.assigned_note("@ivan");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id)
                .iter()
                .any(|t| t.starts_with(&desk.texts.card_title(1)) && t.contains(&assigned))
        })
        .await
        .expect("the card says who took it");
    assert!(
        !desk
            .fake()
            .topic_texts(main, topic.thread_id)
            .contains(&assigned),
        "no separate note in the busy main group"
    );
    let answers = desk.fake().callback_answers();
    assert_eq!(answers.len(), 1);
    assert_eq!(
        answers[0].text.as_deref(),
        Some(desk.texts.assign_done("@ivan").as_str())
    );

    let rows = ticket_rows(&desk).await;
    assert_eq!(rows[0].status, TicketStatus::Work);
    assert!(rows[0].assigned_tech_id.is_some());
    assert!(
        event_actions(&desk, 1)
            .await
            .contains(&"assigned".to_owned())
    );
}

#[tokio::test]
async fn reassigning_moves_the_bridge_to_the_new_technician() {
    let desk = Desk::open().await;
    let (client, topic, first) = desk.assigned_ticket("Clara", "Mail is slow").await;
    let second = desk
        .assign(topic.thread_id, "Olga Sidorova", desk.second_tech_group)
        .await;

    let tech_group = desk.tech_group;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(tech_group, first.thread_id)
                .is_some_and(|t| t.closed)
        })
        .await
        .expect("the old mirror is closed");
    let old_texts = desk.fake().topic_texts(desk.tech_group, first.thread_id);
    assert!(
        old_texts.contains(&desk.texts.reassigned_away_note("Olga Sidorova")),
        "{old_texts:?}"
    );
    let history = desk
        .fake()
        .topic_texts(desk.second_tech_group, second.thread_id);
    assert!(history.contains(&"Mail is slow".to_owned()), "{history:?}");

    // The client's next message goes to the new technician only.
    desk.fake().user(client).in_private().text("Any news?");
    let olga = desk.second_tech_group;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(olga, second.thread_id)
                .contains(&"Any news?".to_owned())
        })
        .await
        .unwrap();
    assert!(
        !desk
            .fake()
            .topic_texts(desk.tech_group, first.thread_id)
            .contains(&"Any news?".to_owned())
    );
    let bridges = mirrors::Entity::find().all(&desk.app.db).await.unwrap();
    assert_eq!(bridges.len(), 2);
    assert!(bridges[0].closed_at.is_some() && bridges[1].closed_at.is_none());
    assert!(
        event_actions(&desk, 1)
            .await
            .contains(&"reassigned".to_owned())
    );
}

#[tokio::test]
async fn the_close_button_closes_the_ticket_everywhere_and_the_next_message_opens_a_new_one() {
    let desk = Desk::open().await;
    let (client, topic, mirror) = desk.assigned_ticket("Dora", "Password reset").await;

    let card = desk.card(topic.thread_id);
    let answer = desk
        .staff_presses(topic.thread_id, card.id(), "Закрыть")
        .await;
    assert_eq!(answer.text.as_deref(), Some(desk.texts.closed_done()));

    let (main, tech) = (desk.main_group(), desk.tech_group);
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(main, topic.thread_id)
                .is_some_and(|t| t.closed && t.name == "🟣 [Закрыт | @ivan] #1 | Dora")
                && w.topic(tech, mirror.thread_id).is_some_and(|t| t.closed)
        })
        .await
        .expect("both topics are renamed and closed");
    let closed_note = desk.texts.closed_note("Sveta Staff");
    let card = desk.card_text(topic.thread_id);
    assert!(
        card.contains(&closed_note),
        "the card says who closed it: {card}"
    );
    assert!(
        !desk
            .fake()
            .topic_texts(main, topic.thread_id)
            .contains(&closed_note),
        "no separate note in the busy main group"
    );
    assert!(
        desk.fake()
            .topic_texts(tech, mirror.thread_id)
            .contains(&closed_note)
    );
    let told = desk.texts.closed_for_client(1);
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&told))
        .await
        .expect("the client is told");
    let row = &ticket_rows(&desk).await[0];
    assert_eq!(row.status, TicketStatus::Closed);
    assert!(row.closed_at.is_some());

    // A message after closing opens ticket #2, whose card links #1.
    desk.fake().user(client).in_private().text("One more thing");
    let new_topic = desk
        .fake()
        .wait_for_value("a second topic", WAIT, |w| {
            w.topics(main).into_iter().find(|t| t.name.contains("#2"))
        })
        .await
        .unwrap();
    assert_eq!(new_topic.name, "🟢 [Новый] #2 | Dora (@dora)");
    let posts = desk
        .wait_for_topic_messages(main, new_topic.thread_id, 2)
        .await;
    let card = &posts[0];
    assert!(card.text().unwrap().contains("#1"));
    let link = format!(
        "https://t.me/c/{}/{}",
        -main - 1_000_000_000_000,
        topic.thread_id
    );
    assert!(
        card.entities().iter().any(|e| e["url"] == link.as_str()),
        "the card links the earlier topic {link}: {:?}",
        card.entities()
    );
}

#[tokio::test]
async fn close_works_from_the_tech_topic_and_from_the_client() {
    let desk = Desk::open().await;
    let (_client, topic, mirror) = desk.assigned_ticket("Egor", "Printer jam").await;
    desk.fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .command("/close");
    let main = desk.main_group();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(main, topic.thread_id).is_some_and(|t| t.closed)
        })
        .await
        .expect("/close in the tech topic closes the ticket");
    assert!(
        desk.card_text(topic.thread_id)
            .contains(&desk.texts.closed_note("Ivan Petrov"))
    );

    let (client, second) = desk.client_opens_ticket("Fima", "Keyboard").await;
    desk.fake().user(client).in_private().command("/close");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(main, second.thread_id)
                .is_some_and(|t| t.closed && t.name == "🟣 [Закрыт] #2 | Fima")
        })
        .await
        .expect("the client's /close closes their ticket");
    eventually("the ticket to be closed", WAIT, || async {
        ticket_rows(&desk)
            .await
            .iter()
            .all(|t| t.status == TicketStatus::Closed)
    })
    .await;
}

#[tokio::test]
async fn button_presses_that_cannot_apply_are_refused_politely_and_change_nothing() {
    let desk = Desk::open().await;
    let (_client, topic) = desk.client_opens_ticket("Gena", "Scanner").await;
    let card = desk.card(topic.thread_id);

    // Garbage data.
    let stale = desk
        .fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .presses(card.id(), "what-is-this");
    let answer = desk
        .fake()
        .wait_for_callback_answer(&stale.callback_id)
        .await
        .unwrap();
    assert_eq!(answer.text.as_deref(), Some(desk.texts.stale_button()));

    // Close, then try to assign the closed ticket.
    desk.staff_presses(topic.thread_id, card.id(), "Закрыть")
        .await;
    let answer = desk
        .staff_presses(topic.thread_id, card.id(), "Ivan Petrov")
        .await;
    assert_eq!(
        answer.text.as_deref(),
        Some(desk.texts.ticket_already_closed())
    );
    let row = &ticket_rows(&desk).await[0];
    assert_eq!(row.status, TicketStatus::Closed);
    assert_eq!(row.assigned_tech_id, None);
}

#[tokio::test]
async fn an_assign_button_pressed_outside_the_main_group_is_refused() {
    let desk = Desk::open().await;
    let (_client, topic, mirror) = desk.assigned_ticket("Hana", "Router").await;
    let intro = desk
        .fake()
        .topic_messages(desk.tech_group, mirror.thread_id)
        .into_iter()
        .find(|m| !m.buttons().is_empty())
        .unwrap();
    let card = desk.card(topic.thread_id);
    let olga = card.button_data("Olga Sidorova").unwrap();
    let pressed = desk
        .fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .presses(intro.id(), &olga);
    let answer = desk
        .fake()
        .wait_for_callback_answer(&pressed.callback_id)
        .await
        .unwrap();
    assert_eq!(
        answer.text.as_deref(),
        Some(desk.texts.only_in_main_group())
    );
    let row = &ticket_rows(&desk).await[0];
    let ivan = desk
        .fake()
        .topics(desk.second_tech_group)
        .into_iter()
        .filter(|t| !t.deleted)
        .count();
    assert_eq!(ivan, 0, "no topic appeared in Olga's group");
    assert_eq!(row.status, TicketStatus::Work);
}

#[tokio::test]
async fn english_texts_with_bot_language_en() {
    let desk = Desk::open_with(crate::support::AppOptions {
        vars: vec![("BOT_LANGUAGE".into(), "en".into())],
        ..Default::default()
    })
    .await;
    let client = desk.new_client_writes("Jane", "Hello");
    let topic = desk.wait_for_topic_of("Jane").await;
    assert_eq!(topic.name, "🟢 [New] #1 | Jane");
    let english = topicdesk::texts::Texts::new(topicdesk::config::Language::En);
    let acks = desk.fake().wait_for_bot_messages(client, 1).await.unwrap();
    assert_eq!(acks[0].text(), Some(english.ticket_opened_ack(1).as_str()));
    desk.wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    let card = desk.card(topic.thread_id);
    assert!(card.buttons().iter().any(|(label, _)| label == "Close"));
}

#[tokio::test]
async fn a_nul_character_in_a_name_or_text_does_not_lose_the_message() {
    let desk = Desk::open().await;
    desk.new_client_writes("Nul\u{0}Name", "before\u{0}after");
    let topic = desk.wait_for_topic_of("NulName").await;
    let posts = desk
        .wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    assert_eq!(
        posts[1].text(),
        Some("before\u{0}after"),
        "the copy keeps the text"
    );
    eventually("the update to be done", WAIT, || async {
        desk.app
            .inbound_rows()
            .await
            .iter()
            .all(|r| r.status == topicdesk::entities::InboundStatus::Done)
    })
    .await;
}
