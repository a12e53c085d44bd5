//! The knowledge base: articles saved by managers from Telegram, saved
//! answers in ticket topics (`/kb`), articles offered to clients before a
//! person (KB_SUGGEST suggest and hold), and what each costs the main group.

use std::time::Duration;

use fake_telegram::{RecordedCall, StoredMessage, UserSpec, entity};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use topicdesk::entities::kb_suggestions::SuggestionOutcome;
use topicdesk::entities::{TicketStatus, kb_articles, kb_suggestions, tickets};

use crate::support::{AppOptions, Desk, WAIT, eventually, eventually_some};

/// The evaluation set's articles (tests/kb_eval): twenty-odd topics in
/// three languages, the set the search engine is measured on.
const EVAL_ARTICLES: &str = include_str!("../kb_eval/articles.json");

#[derive(serde::Deserialize)]
struct EvalArticle {
    slug: String,
    language: String,
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// Puts the evaluation set's articles into the database, as the API or
/// /kb_save would have.
async fn seed_articles(desk: &Desk) {
    let articles: Vec<EvalArticle> = serde_json::from_str(EVAL_ARTICLES).unwrap();
    let now = chrono::Utc::now();
    for article in articles {
        kb_articles::ActiveModel {
            slug: Set(article.slug),
            language: Set(article.language),
            title: Set(article.title),
            body: Set(article.body),
            entities: Set(serde_json::json!([])),
            tags: Set(serde_json::json!(article.tags)),
            media_file_id: Set(None),
            media_kind: Set(None),
            published: Set(true),
            created_by: Set(None),
            created_at: Set(now),
            updated_by: Set(None),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&desk.app.db)
        .await
        .unwrap();
    }
}

/// The body of `slug` in `language`.
async fn body_of(desk: &Desk, slug: &str, language: &str) -> String {
    kb_articles::Entity::find()
        .filter(kb_articles::Column::Slug.eq(slug))
        .filter(kb_articles::Column::Language.eq(language))
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap()
        .body
}

struct KbDesk {
    desk: Desk,
    manager: i64,
}

/// A desk whose ADMIN_IDS names Maria, with `vars` on top.
async fn kb_desk(vars: &[(&str, &str)]) -> KbDesk {
    let fake = fake_telegram::FakeTelegram::start().await;
    let manager = fake.add_user(UserSpec::new("Maria").username("maria"));
    let mut all = vec![("ADMIN_IDS".to_owned(), manager.to_string())];
    all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let desk = Desk::open_with(AppOptions {
        fake: Some(fake),
        vars: all,
        ..AppOptions::default()
    })
    .await;
    fake_member(&desk, manager);
    KbDesk { desk, manager }
}

fn fake_member(desk: &Desk, user: i64) {
    desk.fake().add_member(desk.main_group(), user);
}

/// The bot's newest text in `chat` once it contains `needle`.
async fn bot_says(desk: &Desk, chat: i64, needle: &str) -> StoredMessage {
    bot_says_after(desk, chat, 0, needle).await
}

/// The bot's first text in `chat` after message `after` that contains `needle`.
async fn bot_says_after(desk: &Desk, chat: i64, after: i32, needle: &str) -> StoredMessage {
    desk.fake()
        .wait_for_value(&format!("the bot to say {needle:?}"), WAIT, |w| {
            w.messages(chat).into_iter().find(|m| {
                m.id() > after
                    && m.is_from_bot()
                    && m.text_or_caption().is_some_and(|t| t.contains(needle))
            })
        })
        .await
        .unwrap()
}

/// The manager writes `text` in their private chat and saves it with
/// `/kb_save <args>`; waits for the bot's confirmation.
async fn save(kb: &KbDesk, text: &str, args: &str) {
    let written = kb.desk.fake().user(kb.manager).in_private().text(text);
    kb.desk
        .fake()
        .user(kb.manager)
        .in_private()
        .replying_to(written.message_id)
        .command(&format!("/kb_save {args}"));
    let slug = args.split_whitespace().next().unwrap();
    bot_says_after(&kb.desk, kb.manager, written.message_id, slug).await;
}

async fn articles(desk: &Desk) -> Vec<kb_articles::Model> {
    kb_articles::Entity::find()
        .order_by_asc(kb_articles::Column::Id)
        .all(&desk.app.db)
        .await
        .unwrap()
}

async fn ticket(desk: &Desk, id: i32) -> tickets::Model {
    tickets::Entity::find_by_id(id)
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn suggestions(desk: &Desk, ticket_id: i32) -> Vec<kb_suggestions::Model> {
    kb_suggestions::Entity::find()
        .filter(kb_suggestions::Column::TicketId.eq(ticket_id))
        .order_by_asc(kb_suggestions::Column::Id)
        .all(&desk.app.db)
        .await
        .unwrap()
}

/// Calls that put something into (or changed something in) `chat`; reads
/// such as getChat are not counted.
fn calls_into(desk: &Desk, chat: i64) -> Vec<RecordedCall> {
    desk.fake()
        .calls()
        .into_iter()
        .filter(|c| c.chat_id() == Some(chat))
        .filter(|c| !c.method.starts_with("get"))
        .collect()
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
async fn a_manager_saves_articles_from_replied_messages_keeping_entities_and_media() {
    let kb = kb_desk(&[]).await;
    let desk = &kb.desk;
    // A formatted text: the bold word survives.
    let written = desk
        .fake()
        .user(kb.manager)
        .in_private()
        .text_with_entities(
            "Оплата картой: откройте раздел «Оплата» и выберите карту.",
            vec![entity("bold", 0, 13)],
        );
    desk.fake()
        .user(kb.manager)
        .in_private()
        .replying_to(written.message_id)
        .command("/kb_save Pay-Card Оплата картой");
    bot_says(
        desk,
        kb.manager,
        "Статья pay-card (ru) сохранена: «Оплата картой»",
    )
    .await;
    let saved = articles(desk).await;
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].slug, "pay-card");
    assert_eq!(saved[0].language, "ru");
    assert_eq!(saved[0].title, "Оплата картой");
    assert_eq!(saved[0].entities[0]["type"], "bold");
    assert_eq!(saved[0].entities[0]["length"], 13);
    assert!(saved[0].published);
    assert_eq!(saved[0].created_by, Some(kb.manager));

    // A photo with a caption, in Kazakh: a translation of the same slug.
    let photo = desk
        .fake()
        .user(kb.manager)
        .in_private()
        .photo("Картамен төлеу: «Төлем» бөлімін ашыңыз.");
    desk.fake()
        .user(kb.manager)
        .in_private()
        .replying_to(photo.message_id)
        .command("/kb_save pay-card");
    bot_says(desk, kb.manager, "Добавлен перевод статьи pay-card (kk)").await;
    let saved = articles(desk).await;
    assert_eq!(saved.len(), 2);
    assert_eq!(saved[1].language, "kk", "Kazakh letters tell the language");
    assert_eq!(saved[1].media_kind.as_deref(), Some("photo"));
    let photo_file = desk
        .fake()
        .message(kb.manager, photo.message_id)
        .unwrap()
        .file_id()
        .unwrap()
        .to_owned();
    assert_eq!(saved[1].media_file_id.as_deref(), Some(photo_file.as_str()));

    // The same slug and language again replaces; lang= overrides detection.
    save(
        &kb,
        "Pay by card: open Payments.",
        "pay-card Paying lang=ru",
    )
    .await;
    let saved = articles(desk).await;
    assert_eq!(saved.len(), 2);
    assert_eq!(saved[0].body, "Pay by card: open Payments.");
    assert_eq!(saved[0].title, "Paying");

    // Every change is an event.
    let events = topicdesk::entities::events::Entity::find()
        .filter(topicdesk::entities::events::Column::Action.eq("kb_article_saved"))
        .all(&desk.app.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 3);

    desk.fake()
        .user(kb.manager)
        .in_private()
        .command("/kb_list");
    bot_says(desk, kb.manager, "Статьи базы знаний: 1").await;
    desk.fake()
        .user(kb.manager)
        .in_private()
        .command("/kb_show pay-card");
    bot_says(desk, kb.manager, "pay-card · kk").await;
    desk.fake()
        .user(kb.manager)
        .in_private()
        .command("/kb_delete pay-card lang=kk");
    bot_says(desk, kb.manager, "Статья pay-card удалена, переводов: 1").await;
    assert_eq!(articles(desk).await.len(), 1);
    // Without a replied message there is nothing to save: the usage.
    desk.fake()
        .user(kb.manager)
        .in_private()
        .command("/kb_save other");
    bot_says(desk, kb.manager, "Использование: ответьте на сообщение").await;
}

#[tokio::test]
async fn people_who_are_not_managers_cannot_change_articles() {
    let kb = kb_desk(&[]).await;
    let desk = &kb.desk;
    seed_articles(desk).await;
    let before = articles(desk).await;
    let stranger = desk.fake().add_user(UserSpec::new("Eve"));
    let written = desk.fake().user(stranger).in_private().text("Моя статья");
    desk.fake()
        .user(stranger)
        .in_private()
        .replying_to(written.message_id)
        .command("/kb_save pay-by-card");
    desk.fake()
        .user(stranger)
        .in_private()
        .command("/kb_delete pay-by-card");
    // Staff in the main group are not managers either.
    desk.fake()
        .user(desk.staff)
        .in_group(desk.main_group())
        .command("/kb_delete pay-by-card");
    let refusal = desk.texts.admin_refusal();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.texts(stranger).iter().filter(|t| *t == refusal).count() == 2
                && w.texts(desk.main_group()).iter().any(|t| t == refusal)
        })
        .await
        .unwrap();
    assert_eq!(articles(desk).await, before, "nothing changed");
}

#[tokio::test]
async fn a_saved_answer_reaches_the_client_as_the_teams_answer_in_their_language() {
    let kb = kb_desk(&[("KB_SUGGEST", "off")]).await;
    let desk = &kb.desk;
    seed_articles(desk).await;
    let pay_kk = body_of(desk, "pay-by-card", "kk").await;
    let pay_ru = body_of(desk, "pay-by-card", "ru").await;
    let client = desk.fake().add_user(
        UserSpec::new("Aigerim")
            .username("aigerim")
            .language_code("kk"),
    );
    desk.fake().user(client).in_private().text("Сәлеметсіз бе");
    let topic = desk.wait_for_topic_of("Aigerim").await;
    desk.wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    let mirror = desk
        .assign(topic.thread_id, "Ivan Petrov", desk.tech_group)
        .await;
    assert!(ticket(desk, 1).await.first_response_at.is_none());

    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .command("/kb pay-by-card");
    bot_says(desk, client, &pay_kk).await;
    // The technician's topic gets it marked with the author, like any staff message.
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(desk.tech_group, mirror.thread_id)
                .iter()
                .any(|t| t == &format!("Sveta Staff:\n{pay_kk}"))
        })
        .await
        .unwrap();
    eventually("first_response_at to be set", WAIT, || async {
        ticket(desk, 1).await.first_response_at.is_some()
    })
    .await;
    let bridged = topicdesk::entities::events::Entity::find()
        .filter(topicdesk::entities::events::Column::Action.eq("message_bridged"))
        .all(&desk.app.db)
        .await
        .unwrap();
    assert!(
        bridged
            .iter()
            .any(|e| e.payload["via"] == "kb" && e.payload["slug"] == "pay-by-card"),
        "recorded like a staff message"
    );
    // No extra message in the main topic: the command is all staff see there.
    assert!(
        desk.fake()
            .topic_messages(desk.main_group(), topic.thread_id)
            .iter()
            .all(|m| m.text_or_caption() != Some(pay_kk.as_str())
                && m.text_or_caption() != Some(pay_ru.as_str()))
    );

    // From the technician's topic it goes to the client and, marked, to the main topic.
    desk.fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .command("/kb pay-by-card");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(desk.main_group(), topic.thread_id)
                .iter()
                .any(|t| t == &format!("Ivan Petrov:\n{pay_kk}"))
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn kb_with_words_offers_buttons_and_a_tap_sends_the_article_and_removes_them() {
    let kb = kb_desk(&[("KB_SUGGEST", "off")]).await;
    let desk = &kb.desk;
    seed_articles(desk).await;
    let pay_ru = body_of(desk, "pay-by-card", "ru").await;
    let (client, topic) = desk.client_opens_ticket("Oleg", "Добрый день").await;
    let main = desk.main_group();
    let before = calls_into(desk, main).len();

    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .command("/kb оплата картой");
    let choice = desk
        .fake()
        .wait_for_value("the buttons", WAIT, |w| {
            w.topic_messages(main, topic.thread_id)
                .into_iter()
                .find(|m| m.is_from_bot() && m.text().is_some_and(|t| t.contains("База знаний")))
        })
        .await
        .unwrap();
    let labels: Vec<String> = choice.buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels[0], "Оплата картой", "{labels:?}");
    assert!(labels.len() <= 3);
    let pressed = desk
        .fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .presses_button(choice.id(), "Оплата картой");
    let answer = desk
        .fake()
        .wait_for_callback_answer(&pressed.callback_id)
        .await
        .unwrap();
    assert_eq!(answer.text.as_deref(), Some("Статья отправлена клиенту."));
    bot_says(desk, client, &pay_ru).await;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.message(main, choice.id()).is_some_and(|m| m.is_deleted())
        })
        .await
        .unwrap();
    eventually("first_response_at to be set", WAIT, || async {
        ticket(desk, 1).await.first_response_at.is_some()
    })
    .await;
    // The main group's cost: one message (the buttons), then its deletion.
    let spent: Vec<String> = calls_into(desk, main)[before..]
        .iter()
        .filter(|c| c.method != "setmessagereaction")
        .map(|c| c.method.clone())
        .collect();
    assert_eq!(spent, ["sendmessage", "deletemessage"], "{spent:?}");
}

#[tokio::test]
async fn suggest_offers_articles_and_helped_closes_the_ticket_without_a_survey() {
    let kb = kb_desk(&[]).await;
    let desk = &kb.desk;
    seed_articles(desk).await;
    let pay_en = body_of(desk, "pay-by-card", "en").await;
    let client = desk
        .fake()
        .add_user(UserSpec::new("Kate").username("kate").language_code("en"));
    desk.fake()
        .user(client)
        .in_private()
        .text("how do i pay with my credit card");
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

    let pressed = desk
        .fake()
        .user(client)
        .in_private()
        .presses_button(question.id(), "It helped ✅");
    desk.fake()
        .wait_for_callback_answer(&pressed.callback_id)
        .await
        .unwrap();
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
    let closed = ticket(desk, 1).await;
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
    let stats = bot_says(desk, kb.manager, "База знаний").await;
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
    let client = desk.fake().add_user(UserSpec::new("Lena"));
    desk.fake()
        .user(client)
        .in_private()
        .text("не могу оплатить картой");
    let question = kb_question(desk, client).await;
    assert_eq!(
        question.text(),
        Some(
            "Возможно, это ответ на ваш вопрос. Если нет — нажмите «Нужен специалист» или просто напишите ещё, и вопрос получит специалист."
        )
    );
    assert_eq!(ticket(desk, 1).await.status, TicketStatus::Held);
    let pressed = desk
        .fake()
        .user(client)
        .in_private()
        .presses_button(question.id(), "Помогло ✅");
    desk.fake()
        .wait_for_callback_answer(&pressed.callback_id)
        .await
        .unwrap();
    eventually("the ticket to close", WAIT, || async {
        ticket(desk, 1).await.status == TicketStatus::Closed
    })
    .await;
    bot_says(desk, client, "Рады, что помогло! Обращение #1 закрыто.").await;
    assert_eq!(ticket(desk, 1).await.close_reason.as_deref(), Some("KB"));
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
    let client = desk.fake().add_user(UserSpec::new("Pavel"));
    desk.fake()
        .user(client)
        .in_private()
        .text("не могу оплатить картой");
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
    bot_says(desk, client, "Обращение #1 принято").await;
    let opened = ticket(desk, 1).await;
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
    let client = desk.fake().add_user(UserSpec::new("Dana"));
    desk.fake()
        .user(client)
        .in_private()
        .text("не могу оплатить картой");
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
    let client = desk.fake().add_user(UserSpec::new("Timur"));
    desk.fake()
        .user(client)
        .in_private()
        .text("не могу оплатить картой");
    let question = kb_question(desk, client).await;
    let pressed = desk
        .fake()
        .user(client)
        .in_private()
        .presses_button(question.id(), "Нужен специалист 👤");
    desk.fake()
        .wait_for_callback_answer(&pressed.callback_id)
        .await
        .unwrap();
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
    let chosen = desk
        .fake()
        .user(client)
        .in_private()
        .presses_button(categories.id(), "Оплата");
    desk.fake()
        .wait_for_callback_answer(&chosen.callback_id)
        .await
        .unwrap();
    let topic = desk.wait_for_topic_of("Timur").await;
    let messages = desk
        .wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    assert_eq!(messages[1].text(), Some("не могу оплатить картой"));
    assert_eq!(ticket(desk, 1).await.category.as_deref(), Some("billing"));
}

#[tokio::test]
async fn the_api_writes_reads_searches_and_deletes_articles_for_those_allowed() {
    use reqwest::{Method, StatusCode};
    use serde_json::json;

    use crate::support::web::{Api, WebDesk};

    let web = WebDesk::open().await;
    let admin = web.sign_in_admin().await;
    let (status, created) = admin
        .post(
            "/api/v1/kb/articles",
            json!({
                "slug": "pay-by-card",
                "title": "Оплата картой",
                "body": "Оплатить заказ можно картой Visa или Mastercard в приложении.",
                "entities": [{ "type": "bold", "offset": 0, "length": 8 }],
                "tags": ["оплата", "карта"],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["language"], "ru", "told from the text");
    assert_eq!(created["entities"][0]["type"], "bold");
    let id = created["id"].as_i64().unwrap();
    let (status, english) = admin
        .post(
            "/api/v1/kb/articles",
            json!({
                "slug": "pay-by-card",
                "language": "en",
                "title": "Paying by card",
                "body": "You can pay with a Visa or Mastercard card in the app.",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{english}");

    // Bad input gets a field and a reason, never a panic.
    let (status, refused) = admin
        .post(
            "/api/v1/kb/articles",
            json!({ "slug": "Оплата!", "body": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = admin
        .post(
            "/api/v1/kb/articles",
            json!({ "slug": "x", "body": "x", "language": "de" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Reading: a technician and a read-scope token may; writing: not.
    let tech = web.sign_in(web.tech, "Ivan").await;
    let list = tech.ok("/api/v1/kb/articles").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (status, _) = tech
        .post("/api/v1/kb/articles", json!({ "slug": "x", "body": "x" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, token) = admin
        .post("/api/v1/tokens", json!({ "name": "crm", "scope": "read" }))
        .await;
    let reader = Api::anonymous(&web).with_token(token["token"].as_str().unwrap());
    let found = reader
        .ok("/api/v1/kb/search?q=%D0%BD%D0%B5%20%D0%BC%D0%BE%D0%B3%D1%83%20%D0%BE%D0%BF%D0%BB%D0%B0%D1%82%D0%B8%D1%82%D1%8C%20%D0%BA%D0%B0%D1%80%D1%82%D0%BE%D0%B9&language=en")
        .await;
    assert_eq!(found[0]["article"]["slug"], "pay-by-card", "{found}");
    assert_eq!(
        found[0]["article"]["language"], "en",
        "the reader's translation"
    );
    let (status, _) = reader
        .call(Method::DELETE, &format!("/api/v1/kb/articles/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = Api::anonymous(&web).get("/api/v1/kb/articles").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Changing by id keeps the slug and language.
    let (status, changed) = admin
        .call(
            Method::PUT,
            &format!("/api/v1/kb/articles/{id}"),
            Some(json!({ "title": "Картой", "body": "Новый текст", "published": false })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["slug"], "pay-by-card");
    assert_eq!(changed["language"], "ru");
    assert_eq!(changed["published"], false);
    let (status, _) = admin
        .call(Method::DELETE, &format!("/api/v1/kb/articles/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin.get(&format!("/api/v1/kb/articles/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(articles(&web).await.len(), 1);
    let events = topicdesk::entities::events::Entity::find()
        .filter(
            topicdesk::entities::events::Column::Action
                .is_in(["kb_article_saved", "kb_article_deleted"]),
        )
        .all(&web.app.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 4);
}

#[tokio::test]
async fn two_instances_search_the_same_articles_as_soon_as_either_changes_them() {
    use std::sync::Arc;

    use reqwest::{Method, StatusCode};
    use serde_json::{Value, json};

    use crate::support::web::{PUBLIC_URL, signed_init_data};
    use crate::support::{TestApp, TestDatabase, spawn_app_with};

    let fake = fake_telegram::FakeTelegram::start().await;
    let admin = fake.add_user(UserSpec::new("Maria"));
    let main_group = fake.add_forum_group("Support");
    let database = Arc::new(TestDatabase::create().await);
    let options = || AppOptions {
        fake: Some(fake.clone()),
        database: Some(database.clone()),
        main_group: Some(main_group),
        vars: vec![
            ("ADMIN_IDS".into(), admin.to_string()),
            ("PUBLIC_URL".into(), PUBLIC_URL.into()),
            ("WEBHOOK_SECRET".into(), "shared_secret".into()),
        ],
        ..AppOptions::default()
    };
    let first = spawn_app_with(options()).await;
    let second = spawn_app_with(options()).await;
    async fn call(
        app: &TestApp,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = app.http.request(method, app.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
    // An admin signs in on the first and makes a write token both accept.
    let init_data = signed_init_data(&fake.token(), admin, "Maria", Duration::ZERO);
    let signed_in: Value = first
        .http
        .post(first.url("/api/v1/auth/telegram"))
        .json(&json!({ "init_data": init_data }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = signed_in["access_token"].as_str().unwrap();
    let (_, token) = call(
        &first,
        Method::POST,
        "/api/v1/tokens",
        access,
        Some(json!({ "name": "sync", "scope": "write" })),
    )
    .await;
    let token = token["token"].as_str().unwrap().to_owned();
    let search = "/api/v1/kb/search?q=%D0%BE%D0%BF%D0%BB%D0%B0%D1%82%D0%B0%20%D0%BA%D0%B0%D1%80%D1%82%D0%BE%D0%B9";
    let (status, found) = call(&second, Method::GET, search, &token, None).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found, json!([]), "nothing yet");

    let (status, created) = call(
        &first,
        Method::POST,
        "/api/v1/kb/articles",
        &token,
        Some(json!({ "slug": "pay-by-card", "title": "Оплата картой", "body": "Оплата картой Visa в приложении." })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, found) = call(&second, Method::GET, search, &token, None).await;
    assert_eq!(found[0]["article"]["title"], "Оплата картой", "{found}");

    let id = created["id"].as_i64().unwrap();
    call(
        &first,
        Method::PUT,
        &format!("/api/v1/kb/articles/{id}"),
        &token,
        Some(json!({ "title": "Оплата картой онлайн", "body": "Оплата картой Visa на сайте." })),
    )
    .await;
    let (_, found) = call(&second, Method::GET, search, &token, None).await;
    assert_eq!(
        found[0]["article"]["title"], "Оплата картой онлайн",
        "{found}"
    );

    call(
        &second,
        Method::DELETE,
        &format!("/api/v1/kb/articles/{id}"),
        &token,
        None,
    )
    .await;
    let (_, found) = call(&first, Method::GET, search, &token, None).await;
    assert_eq!(found, json!([]), "deleted on the other instance");
}
