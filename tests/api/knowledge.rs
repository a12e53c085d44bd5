//! The knowledge base's articles: saved by managers from Telegram, sent
//! from ticket topics as saved answers (`/kb`), and written, searched and
//! deleted through the API, also with two instances.

use std::time::Duration;

use fake_telegram::{UserSpec, entity};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use topicdesk::entities::kb_articles;

use crate::support::kb::{
    KbDesk, body_of, bot_mentions, bot_mentions_after, calls_into, kb_desk, seed_articles,
};
use crate::support::{AppOptions, Desk, WAIT, eventually};

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
    bot_mentions_after(&kb.desk, kb.manager, written.message_id, slug).await;
}

async fn articles(desk: &Desk) -> Vec<kb_articles::Model> {
    kb_articles::Entity::find()
        .order_by_asc(kb_articles::Column::Id)
        .all(&desk.app.db)
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
    bot_mentions(
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
    bot_mentions(desk, kb.manager, "Добавлен перевод статьи pay-card (kk)").await;
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
    bot_mentions(desk, kb.manager, "Статьи базы знаний: 1").await;
    desk.fake()
        .user(kb.manager)
        .in_private()
        .command("/kb_show pay-card");
    bot_mentions(desk, kb.manager, "pay-card · kk").await;
    desk.fake()
        .user(kb.manager)
        .in_private()
        .command("/kb_delete pay-card lang=kk");
    bot_mentions(desk, kb.manager, "Статья pay-card удалена, переводов: 1").await;
    assert_eq!(articles(desk).await.len(), 1);
    // Without a replied message there is nothing to save: the usage.
    desk.fake()
        .user(kb.manager)
        .in_private()
        .command("/kb_save other");
    bot_mentions(desk, kb.manager, "Использование: ответьте на сообщение").await;
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
    let client = desk.new_client_writes(
        UserSpec::new("Aigerim")
            .username("aigerim")
            .language_code("kk"),
        "Сәлеметсіз бе",
    );
    let topic = desk.wait_for_topic_of("Aigerim").await;
    desk.wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    let mirror = desk
        .assign(topic.thread_id, "Ivan Petrov", desk.tech_group)
        .await;
    assert!(desk.ticket(1).await.first_response_at.is_none());

    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .command("/kb pay-by-card");
    bot_mentions(desk, client, &pay_kk).await;
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
        desk.ticket(1).await.first_response_at.is_some()
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
    let answer = desk
        .staff_presses(topic.thread_id, choice.id(), "Оплата картой")
        .await;
    assert_eq!(answer.text.as_deref(), Some("Статья отправлена клиенту."));
    bot_mentions(desk, client, &pay_ru).await;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.message(main, choice.id()).is_some_and(|m| m.is_deleted())
        })
        .await
        .unwrap();
    eventually("first_response_at to be set", WAIT, || async {
        desk.ticket(1).await.first_response_at.is_some()
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
