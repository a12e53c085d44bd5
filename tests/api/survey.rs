//! The satisfaction survey after closing: three questions, an optional
//! comment, one feedback row, a summary in the ticket's topics.

use std::time::Duration;

use fake_telegram::StoredMessage;
use sea_orm::{EntityTrait, QueryOrder};
use topicdesk::entities::{feedback, tickets};

use crate::support::{AppOptions, Desk, WAIT, eventually, spawn_app_with};

/// Opens a ticket for a new client, assigns it, and closes it from the main topic.
async fn closed_ticket(desk: &Desk, name: &str) -> (i64, i32, i32) {
    let (client, topic, mirror) = desk.assigned_ticket(name, "Help").await;
    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .command("/close");
    (client, topic.thread_id, mirror.thread_id)
}

/// Waits for the request for a comment, with its skip button.
async fn comment_request(desk: &Desk, client: i64) -> StoredMessage {
    let ask = desk.texts.survey_ask_comment();
    desk.fake()
        .wait_for_value("the request for a comment", WAIT, |w| {
            w.bot_messages(client)
                .into_iter()
                .find(|m| m.text() == Some(ask) && !m.buttons().is_empty())
        })
        .await
        .unwrap()
}

async fn feedback_rows(desk: &Desk) -> Vec<feedback::Model> {
    feedback::Entity::find()
        .order_by_asc(feedback::Column::Id)
        .all(&desk.app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn closing_starts_the_survey_and_top_scores_finish_it_with_a_summary() {
    let desk = Desk::open().await;
    let (client, thread, mirror) = closed_ticket(&desk, "Alla").await;
    let q1 = desk.survey_question_to(client, 1).await;
    let labels: Vec<String> = q1.buttons().into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels, ["1", "2", "3", "4", "5"]);

    for n in 1..=3 {
        assert_eq!(
            desk.answer_survey(client, n, 5).await,
            desk.texts.survey_recorded(5)
        );
    }
    let thanks = desk.texts.survey_thanks().to_owned();
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&thanks))
        .await
        .expect("the client is thanked");
    let summary = desk.texts.survey_summary([5, 5, 5], None);
    let (main, tech) = (desk.main_group(), desk.tech_group);
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, thread).contains(&summary)
                && w.topic_texts(tech, mirror).contains(&summary)
        })
        .await
        .expect("the summary reaches both topics");
    let rows = feedback_rows(&desk).await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].q1, rows[0].q2, rows[0].q3), (5, 5, 5));
    assert_eq!(rows[0].comment, None);
    // The answered question lost its buttons.
    let q1_now = desk.fake().message(client, q1.id()).unwrap();
    assert!(q1_now.buttons().is_empty());
}

#[tokio::test]
async fn a_score_below_five_asks_for_a_comment_and_the_next_text_is_that_comment() {
    let desk = Desk::open().await;
    let (client, thread, _) = closed_ticket(&desk, "Boba").await;
    desk.answer_survey(client, 1, 5).await;
    desk.answer_survey(client, 2, 4).await;
    desk.answer_survey(client, 3, 5).await;
    let ask = desk.texts.survey_ask_comment().to_owned();
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&ask))
        .await
        .expect("the client is asked what to improve");

    desk.fake().user(client).in_private().text("answer faster");
    let summary = desk.texts.survey_summary([5, 4, 5], Some("answer faster"));
    assert_eq!(summary, "⭐ 5 · 4 · 5 — \"answer faster\"");
    let main = desk.main_group();
    desk.fake()
        .wait_until(WAIT, |w| w.topic_texts(main, thread).contains(&summary))
        .await
        .expect("the summary carries the comment");
    let rows = feedback_rows(&desk).await;
    assert_eq!(rows[0].comment.as_deref(), Some("answer faster"));
    let tickets = tickets::Entity::find().all(&desk.app.db).await.unwrap();
    assert_eq!(tickets.len(), 1, "the comment opened no ticket");
}

#[tokio::test]
async fn the_comment_can_be_skipped() {
    let desk = Desk::open().await;
    let (client, _, _) = closed_ticket(&desk, "Vova").await;
    for n in 1..=3 {
        desk.answer_survey(client, n, 3).await;
    }
    let request = comment_request(&desk, client).await;
    desk.client_presses(client, request.id(), desk.texts.survey_skip_button())
        .await;
    eventually("the feedback to be saved", WAIT, || async {
        feedback_rows(&desk).await.len() == 1
    })
    .await;
    let rows = feedback_rows(&desk).await;
    assert_eq!(
        (rows[0].q1, rows[0].q2, rows[0].q3, rows[0].comment.clone()),
        (3, 3, 3, None)
    );
}

#[tokio::test]
async fn old_foreign_and_repeated_buttons_are_answered_politely_and_change_nothing() {
    let desk = Desk::open().await;
    let (client, _, _) = closed_ticket(&desk, "Gosha").await;
    let q1 = desk.survey_question_to(client, 1).await;
    desk.answer_survey(client, 1, 2).await;

    // The same question pressed again.
    let again = desk
        .fake()
        .user(client)
        .in_private()
        .presses(q1.id(), "r:1:1:5");
    let reply = desk
        .fake()
        .wait_for_callback_answer(&again.callback_id)
        .await
        .unwrap();
    assert_eq!(reply.text.as_deref(), Some(desk.texts.survey_stale()));

    // Another client pressing this client's survey data in their own chat.
    let (other, _, _) = closed_ticket(&desk, "Dusya").await;
    let their_q1 = desk.survey_question_to(other, 1).await;
    let foreign = desk
        .fake()
        .user(other)
        .in_private()
        .presses(their_q1.id(), "r:1:2:5");
    let reply = desk
        .fake()
        .wait_for_callback_answer(&foreign.callback_id)
        .await
        .unwrap();
    assert_eq!(reply.text.as_deref(), Some(desk.texts.survey_stale()));

    // Client 1 goes on from question 2; their first answer stands.
    desk.answer_survey(client, 2, 5).await;
    desk.answer_survey(client, 3, 5).await;
    desk.fake().user(client).in_private().text("ok");
    eventually("the feedback to be saved", WAIT, || async {
        !feedback_rows(&desk).await.is_empty()
    })
    .await;
    let rows = feedback_rows(&desk).await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].ticket_id, rows[0].q1, rows[0].q2), (1, 2, 5));
}

#[tokio::test]
async fn a_restart_in_the_middle_of_the_survey_resumes_where_the_client_was() {
    let desk = Desk::open().await;
    let (client, _, _) = closed_ticket(&desk, "Emil").await;
    desk.answer_survey(client, 1, 4).await;
    desk.survey_question_to(client, 2).await;

    let Desk { app, texts, .. } = desk;
    let (fake, database, main_group) = (app.fake.clone(), app.database.clone(), app.main_group);
    app.stop().await.unwrap();
    let restarted = spawn_app_with(AppOptions {
        fake: Some(fake.clone()),
        database: Some(database),
        main_group: Some(main_group),
        ..AppOptions::default()
    })
    .await;
    let q2 = fake
        .bot_messages(client)
        .into_iter()
        .find(|m| m.text() == Some(texts.survey_question(2)))
        .unwrap();
    let pressed = fake.user(client).in_private().presses_button(q2.id(), "5");
    let reply = fake
        .wait_for_callback_answer(&pressed.callback_id)
        .await
        .unwrap();
    assert_eq!(reply.text, Some(texts.survey_recorded(5)));
    let q3 = fake
        .wait_for_value("question 3", WAIT, |w| {
            w.bot_messages(client)
                .into_iter()
                .find(|m| m.text() == Some(texts.survey_question(3)))
        })
        .await
        .unwrap();
    fake.user(client).in_private().presses_button(q3.id(), "5");
    let ask = texts.survey_ask_comment().to_owned();
    fake.wait_until(WAIT, |w| w.texts(client).contains(&ask))
        .await
        .unwrap();
    fake.user(client).in_private().text("fine");
    eventually("the feedback to be saved", WAIT, || async {
        feedback::Entity::find()
            .all(&restarted.db)
            .await
            .unwrap()
            .len()
            == 1
    })
    .await;
    let row = &feedback::Entity::find().all(&restarted.db).await.unwrap()[0];
    assert_eq!((row.q1, row.q2, row.q3), (4, 5, 5));
}

#[tokio::test]
async fn an_expired_survey_refuses_its_buttons_and_messages_open_a_ticket_again() {
    const TTL: Duration = Duration::from_millis(600);
    let desk = Desk::open_with(AppOptions {
        adjust: Some(Box::new(|settings| settings.survey_ttl = TTL)),
        ..AppOptions::default()
    })
    .await;
    let (client, _, _) = closed_ticket(&desk, "Fedya").await;
    for n in 1..=3 {
        desk.answer_survey(client, n, 1).await;
    }
    let request = comment_request(&desk, client).await;
    // Expiry is what is under test and leaves nothing to observe before it
    // happens, so this one waits out the deadline itself.
    tokio::time::sleep(TTL + Duration::from_millis(300)).await;

    let reply = desk
        .client_presses(client, request.id(), desk.texts.survey_skip_button())
        .await;
    assert_eq!(reply.text.as_deref(), Some(desk.texts.survey_stale()));

    desk.fake().user(client).in_private().text("new problem");
    let main = desk.main_group();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topics(main).iter().any(|t| t.name.contains("#2"))
        })
        .await
        .expect("a message after expiry opens a new ticket, not a comment");
    assert!(feedback_rows(&desk).await.is_empty());
}

/// The main group shares Telegram's 20 messages a minute among every ticket,
/// so what one ticket's whole life costs there is what bounds a busy team.
#[tokio::test]
async fn a_whole_ticket_life_costs_few_messages_in_the_main_group() {
    let desk = Desk::open().await;
    let (client, topic, mirror) = desk.assigned_ticket("Vera", "Help").await;
    desk.tech_answers(client, &mirror, "On my way").await;
    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .command("/close");
    for n in 1..=3 {
        desk.answer_survey(client, n, 5).await;
    }
    let summary = desk.texts.survey_summary([5, 5, 5], None);
    let main = desk.main_group();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id).contains(&summary)
        })
        .await
        .unwrap();
    let from_bot = desk.bot_posts(main, topic.thread_id);
    // The card (edited as the ticket moved on, not followed by notes), the
    // client's message, the technician's answer, the survey's summary.
    assert_eq!(from_bot.len(), 4, "{from_bot:#?}");
    assert!(from_bot[0].contains(&desk.texts.closed_note("Sveta Staff")));
    assert_eq!(from_bot[1], "Help");
    assert_eq!(from_bot[2], "Ivan Petrov:\nOn my way");
    assert_eq!(from_bot[3], summary);
    // Plus the topic itself: Telegram counts createForumTopic like a message.
    assert_eq!(
        desk.fake()
            .calls_to("createForumTopic")
            .iter()
            .filter(|c| c.chat_id() == Some(main))
            .count(),
        1
    );
}
