//! The knowledge base before a person: articles offered to clients
//! (KB_SUGGEST suggest and hold), what the client's answer does, and what
//! each costs the main group.

use std::time::Duration;

use fake_telegram::{StoredMessage, UserSpec};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use topicdesk::entities::TicketStatus;
use topicdesk::entities::kb_suggestions::{self, SuggestionOutcome};

use crate::support::kb::{body_of, bot_mentions, calls_into, kb_desk, seed_articles};
use crate::support::{Desk, WAIT, eventually, eventually_some};

async fn suggestions(desk: &Desk, ticket_id: i32) -> Vec<kb_suggestions::Model> {
    kb_suggestions::Entity::find()
        .filter(kb_suggestions::Column::TicketId.eq(ticket_id))
        .order_by_asc(kb_suggestions::Column::Id)
        .all(&desk.app.db)
        .await
        .unwrap()
}

/// The question with «Помогло» / «Нужен специалист» in the client's chat.
async fn kb_question(desk: &Desk, client: i64) -> StoredMessage {
    desk.fake()
        .wait_for_value("the knowledge base's question", WAIT, |w| {
            w.messages(client)
                .into_iter()
                .find(|m| m.is_from_bot() && m.buttons().len() == 2)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn suggest_offers_articles_and_helped_closes_the_ticket_without_a_survey() {
    let kb = kb_desk(&[]).await;
    let desk = &kb.desk;
    seed_articles(desk).await;
    let pay_en = body_of(desk, "pay-by-card", "en").await;
    let client = desk.new_client_writes(
        UserSpec::new("Kate").username("kate").language_code("en"),
        "how do i pay with my credit card",
    );
    let question = kb_question(desk, client).await;
    let labels: Vec<String> = question.buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["It helped ✅", "Need a specialist 👤"]);
    // The English translation, with its title.
    let texts = desk.fake().texts(client);
    assert!(
        texts
            .iter()
            .any(|t| t == &format!("Paying by card\n\n{pay_en}")),
        "{texts:#?}"
    );
    // The ticket opened as today, and its card names the offered article.
    let topic = desk.wait_for_topic_of("Kate").await;
    let main = desk.main_group();
    desk.wait_for_topic_messages(main, topic.thread_id, 2).await;
    let card = desk.card_text(topic.thread_id);
    assert!(
        card.contains("Предложено из базы знаний: Paying by card"),
        "{card}"
    );
    // Suggest costs the main group nothing beyond the topic, the card and
    // the client's message.
    let sent_into_main: Vec<String> = calls_into(desk, main)
        .iter()
        .map(|c| c.method.clone())
        .collect();
    assert_eq!(
        sent_into_main,
        ["createforumtopic", "sendmessage", "copymessage"],
        "{sent_into_main:?}"
    );

    desk.client_presses(client, question.id(), "It helped ✅")
        .await;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(main, topic.thread_id)
                .is_some_and(|t| t.closed && t.name.starts_with("🟣 [Закрыт | база знаний] #1"))
        })
        .await
        .unwrap();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.message(client, question.id()).is_some_and(|m| {
                m.text() == Some("Glad it helped! Request #1 is closed. If you have more questions, just write here.")
                    && m.buttons().is_empty()
            })
        })
        .await
        .unwrap();
    let closed = desk.ticket(1).await;
    assert_eq!(closed.status, TicketStatus::Closed);
    assert_eq!(closed.close_reason.as_deref(), Some("KB"));
    let offers = suggestions(desk, 1).await;
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].outcome, SuggestionOutcome::Helped);
    // No survey: nothing with score buttons reached the client, and no
    // report waits for one.
    assert!(
        desk.fake()
            .messages(client)
            .iter()
            .all(|m| m.buttons().iter().all(|(label, _)| label != "5")),
        "no survey"
    );
    // /stats counts it apart: offered once, resolved without a person.
    desk.fake().user(kb.manager).in_private().command("/stats");
    let stats = bot_mentions(desk, kb.manager, "База знаний").await;
    let stats = stats.text().unwrap();
    assert!(
        stats.contains("Предложено клиентам: 1, помогло без специалиста: 1 (100"),
        "{stats}"
    );
    assert!(
        stats.contains("pay-by-card: помогло 1, не помогло 0"),
        "{stats}"
    );
}

#[tokio::test]
async fn hold_answered_by_helped_never_touches_the_main_group() {
    let kb = kb_desk(&[("KB_SUGGEST", "hold")]).await;
    let desk = &kb.desk;
    seed_articles(desk).await;
    let main = desk.main_group();
    let client = desk.new_client_writes(UserSpec::new("Lena"), "не могу оплатить картой");
    let question = kb_question(desk, client).await;
    assert_eq!(
        question.text(),
        Some(
            "Возможно, это ответ на ваш вопрос. Если нет — нажмите «Нужен специалист» или просто напишите ещё, и вопрос получит специалист."
        )
    );
    assert_eq!(desk.ticket(1).await.status, TicketStatus::Held);
    desk.client_presses(client, question.id(), "Помогло ✅")
        .await;
    eventually("the ticket to close", WAIT, || async {
        desk.ticket(1).await.status == TicketStatus::Closed
    })
    .await;
    bot_mentions(desk, client, "Рады, что помогло! Обращение #1 закрыто.").await;
    assert_eq!(desk.ticket(1).await.close_reason.as_deref(), Some("KB"));
    assert_eq!(
        suggestions(desk, 1).await[0].outcome,
        SuggestionOutcome::Helped
    );
    assert!(
        calls_into(desk, main).is_empty(),
        "{:?}",
        calls_into(desk, main)
    );
    assert!(desk.fake().topics(main).is_empty());
}

#[tokio::test]
async fn hold_opens_the_ticket_when_the_client_writes_again_with_every_message_in_order() {
    let kb = kb_desk(&[("KB_SUGGEST", "hold"), ("KB_HOLD_TIMEOUT", "10m")]).await;
    let desk = &kb.desk;
    seed_articles(desk).await;
    let client = desk.new_client_writes(UserSpec::new("Pavel"), "не могу оплатить картой");
    kb_question(desk, client).await;
    assert!(desk.fake().topics(desk.main_group()).is_empty());
    desk.fake()
        .user(client)
        .in_private()
        .text("всё равно не проходит");
    let topic = desk.wait_for_topic_of("Pavel").await;
    let messages = desk
        .wait_for_topic_messages(desk.main_group(), topic.thread_id, 3)
        .await;
    let texts: Vec<&str> = messages
        .iter()
        .map(|m| m.text_or_caption().unwrap_or_default())
        .collect();
    assert_eq!(
        texts[1..],
        ["не могу оплатить картой", "всё равно не проходит"]
    );
    bot_mentions(desk, client, "Обращение #1 принято").await;
    let opened = desk.ticket(1).await;
    assert_eq!(opened.status, TicketStatus::New);
    assert!(!opened.kb_held);
    assert_eq!(
        suggestions(desk, 1).await[0].outcome,
        SuggestionOutcome::NeededPerson
    );
}

#[tokio::test]
async fn hold_opens_the_ticket_after_the_timeout() {
    let kb = kb_desk(&[("KB_SUGGEST", "hold"), ("KB_HOLD_TIMEOUT", "2s")]).await;
    let desk = &kb.desk;
    seed_articles(desk).await;
    let client = desk.new_client_writes(UserSpec::new("Dana"), "не могу оплатить картой");
    kb_question(desk, client).await;
    let topic = eventually_some(
        "the topic after the hold",
        Duration::from_secs(20),
        || async {
            desk.fake()
                .topics(desk.main_group())
                .into_iter()
                .find(|t| t.name.contains("Dana"))
        },
    )
    .await;
    let messages = desk
        .wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    assert_eq!(messages[1].text(), Some("не могу оплатить картой"));
    assert_eq!(
        suggestions(desk, 1).await[0].outcome,
        SuggestionOutcome::TimedOut
    );
}

#[tokio::test]
async fn need_a_person_in_hold_asks_for_the_category_next() {
    let categories = r#"[{"key":"billing","name":{"ru":"Оплата","en":"Billing","kk":"Төлем"}},{"key":"tech","name":"Техника"}]"#;
    let kb = kb_desk(&[("KB_SUGGEST", "hold"), ("CATEGORIES", categories)]).await;
    let desk = &kb.desk;
    seed_articles(desk).await;
    let client = desk.new_client_writes(UserSpec::new("Timur"), "не могу оплатить картой");
    let question = kb_question(desk, client).await;
    desk.client_presses(client, question.id(), "Нужен специалист 👤")
        .await;
    let categories = desk
        .fake()
        .wait_for_value("the category question", WAIT, |w| {
            w.messages(client).into_iter().find(|m| {
                m.is_from_bot()
                    && m.buttons()
                        .iter()
                        .any(|(label, _)| label.contains("Оплата"))
            })
        })
        .await
        .unwrap();
    assert!(desk.fake().topics(desk.main_group()).is_empty());
    desk.client_presses(client, categories.id(), "Оплата").await;
    let topic = desk.wait_for_topic_of("Timur").await;
    let messages = desk
        .wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    assert_eq!(messages[1].text(), Some("не могу оплатить картой"));
    assert_eq!(desk.ticket(1).await.category.as_deref(), Some("billing"));
}
