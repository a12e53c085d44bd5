//! Manager commands, through the fake Telegram: who may use them and where,
//! what each answers (checked against known rows in the database), and the
//! technician switch, which must survive a restart while the mapping still
//! decides who exists.

use chrono::{Duration, Utc};
use fake_telegram::{UserSpec, utf16_len};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};
use serde_json::json;
use topicdesk::config::Language;
use topicdesk::domain::card::topic_link;
use topicdesk::entities::{TicketStatus, events, technicians, tickets};
use topicdesk::texts::Texts;

use crate::support::admin::{
    Row, ask, insert_client, insert_feedback, insert_ticket, open_desk, single, text_of,
};
use crate::support::flows::tech_id_in;
use crate::support::{AppOptions, Desk, WAIT, eventually, spawn_app_with};

/// Telegram's limit for one message, in UTF-16 units.
const TEXT_LIMIT: usize = 4096;

async fn ticket_count(db: &DatabaseConnection) -> usize {
    tickets::Entity::find().all(db).await.unwrap().len()
}

/// Texts of the buttons on the newest card in the main group.
/// The technician and close buttons of a new ticket's card.
async fn card_buttons_for(desk: &Desk, name: &str, text: &str) -> Vec<String> {
    let (_client, topic) = desk.client_opens_ticket(name, text).await;
    desk.card(topic.thread_id)
        .buttons()
        .into_iter()
        .filter(|(_, data)| data.starts_with("a:") || data.starts_with("c:"))
        .map(|(label, _)| label)
        .collect()
}

fn mapping(technicians: &[(&str, Option<&str>, i64, i64)]) -> String {
    let entries: Vec<serde_json::Value> = technicians
        .iter()
        .map(|(name, username, tg_user_id, group)| {
            json!({ "name": name, "username": username, "tg_user_id": tg_user_id, "group_chat_id": group })
        })
        .collect();
    serde_json::Value::Array(entries).to_string()
}

// --- who may ask, and where ---

#[tokio::test]
async fn anyone_but_a_manager_gets_a_refusal_that_reveals_nothing() {
    let (desk, admin) = open_desk(vec![]).await;
    let refusal = desk.texts.admin_refusal();
    let app = &desk.app;
    let client = desk.fake().add_user(UserSpec::new("Curious"));
    let ivan = tech_id_in(&app.db, "Ivan Petrov").await;

    for command in [
        "/techs",
        "/stats",
        "/ticket 1",
        "/find anna",
        &format!("/tech_off {ivan}"),
    ] {
        let answer = ask(app, desk.fake().user(client).in_private(), command).await;
        assert_eq!(single(&answer), refusal, "{command}");
    }
    // Staff who are not managers, in the main group.
    let answer = ask(
        app,
        desk.fake().user(desk.staff).in_group(desk.main_group()),
        "/tickets",
    )
    .await;
    assert_eq!(single(&answer), refusal);
    // A manager, but outside the private chat and the main group.
    desk.fake().add_member(desk.tech_group, admin);
    let answer = ask(
        app,
        desk.fake().user(admin).in_group(desk.tech_group),
        "/techs",
    )
    .await;
    assert_eq!(single(&answer), refusal);

    // The refusal names no command and no role, and nothing happened.
    assert!(!refusal.contains('/'));
    assert!(!refusal.to_lowercase().contains("админ"));
    assert_eq!(ticket_count(&app.db).await, 0);
    assert!(desk.fake().topics(desk.main_group()).is_empty());
    let techs = technicians::Entity::find().all(&app.db).await.unwrap();
    assert!(techs.iter().all(|t| t.available));
}

#[tokio::test]
async fn a_manager_is_answered_in_private_in_the_main_group_and_in_a_ticket_topic_without_bridging()
{
    let (desk, admin) = open_desk(vec![]).await;
    let app = &desk.app;

    let answer = ask(app, desk.fake().user(admin).in_private(), "/techs").await;
    assert!(
        single(&answer).starts_with("Специалисты: 2\n"),
        "{answer:?}"
    );
    let answer = ask(
        app,
        desk.fake().user(admin).in_group(desk.main_group()),
        "/techs",
    )
    .await;
    assert!(single(&answer).starts_with("Специалисты: 2\n"));

    let (client, topic) = desk.client_opens_ticket("Boris", "VPN is down").await;
    let answer = ask(
        app,
        desk.fake()
            .user(admin)
            .in_topic(desk.main_group(), topic.thread_id),
        "/ticket 1",
    )
    .await;
    assert!(single(&answer).starts_with("Обращение #1\n"));
    assert_eq!(answer[0].topic(), Some(topic.thread_id));
    // The command stayed in the team: the client got only the acknowledgement.
    assert_eq!(desk.fake().bot_messages(client).len(), 1);
    let bridged = events::Entity::find()
        .filter(events::Column::Action.eq("message_bridged"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(bridged.len(), 1, "only the client's message");

    // Addressed to this bot by name, it is answered; to another bot, not.
    let ours = format!("/techs@{}", desk.fake().bot_username());
    let answer = ask(
        app,
        desk.fake().user(admin).in_group(desk.main_group()),
        &ours,
    )
    .await;
    assert!(single(&answer).starts_with("Специалисты: 2\n"));
    let answer = ask(
        app,
        desk.fake().user(admin).in_group(desk.main_group()),
        "/techs@someone_elses_bot",
    )
    .await;
    assert!(answer.is_empty(), "{answer:?}");
    // And answers never use a parse mode.
    for call in desk.fake().calls_to("sendMessage") {
        assert!(call.params.get("parse_mode").is_none(), "{:?}", call.params);
    }
}

#[tokio::test]
async fn english_desks_get_english_answers_and_refusals() {
    let (desk, admin) = open_desk(vec![("BOT_LANGUAGE", "en")]).await;
    let texts = Texts::new(Language::En);
    let client = desk.fake().add_user("Curious");
    let answer = ask(&desk.app, desk.fake().user(client).in_private(), "/stats").await;
    assert_eq!(single(&answer), "This command is not available.");
    let answer = ask(&desk.app, desk.fake().user(admin).in_private(), "/stats").await;
    let text = single(&answer);
    assert!(text.starts_with("Figures for 7 days (since "), "{text}");
    assert!(text.contains("\nOpened: 0\nClosed: 0\n"), "{text}");
    let answer = ask(&desk.app, desk.fake().user(admin).in_private(), "/tickets").await;
    assert_eq!(single(&answer), texts.tickets_none());
}

// --- the commands ---

#[tokio::test]
async fn techs_lists_every_technician_with_availability_and_open_tickets() {
    let (desk, admin) = open_desk(vec![]).await;
    let db = &desk.app.db;
    let main = desk.main_group();
    let (ivan, olga) = (
        tech_id_in(db, "Ivan Petrov").await,
        tech_id_in(db, "Olga Sidorova").await,
    );
    let gone = technicians::ActiveModel {
        name: Set("Old Timer".into()),
        group_chat_id: Set(-1_009_999_999_999),
        is_active: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let now = Utc::now();
    let assigned = [
        (TicketStatus::Work, Some(ivan)),
        (TicketStatus::Work, Some(ivan)),
        (TicketStatus::Closed, Some(ivan)),
        (TicketStatus::Work, Some(olga)),
        (TicketStatus::New, None),
        (TicketStatus::Work, Some(gone.id)),
    ];
    for (n, (status, tech)) in assigned.into_iter().enumerate() {
        let client = 7_000_000 + n as i64;
        insert_client(db, client, &format!("Client {n}"), None).await;
        let mut row = Row::new(client, status, now);
        row.tech = tech;
        insert_ticket(db, main, row).await;
    }
    let answer = ask(
        &desk.app,
        desk.fake().user(admin).in_private(),
        &format!("/tech_off {olga}"),
    )
    .await;
    assert_eq!(
        single(&answer),
        desk.texts.tech_now_unavailable("Olga Sidorova")
    );

    let answer = ask(&desk.app, desk.fake().user(admin).in_private(), "/techs").await;
    assert_eq!(
        single(&answer),
        format!(
            "Специалисты: 3\n\
             {ivan} · Ivan Petrov (@ivan) · ✅ принимает обращения · открытых: 2\n\
             {olga} · Olga Sidorova · ⏸ не принимает новые · открытых: 1\n\
             {} · Old Timer · 🚫 нет в TECH_GROUPS_MAPPING · открытых: 1",
            gone.id
        )
    );
    assert_eq!(answer[0].entity_types(), ["bold", "code", "code", "code"]);
}

#[tokio::test]
async fn tickets_lists_the_latest_twenty_of_a_status_with_links_to_their_topics() {
    let (desk, admin) = open_desk(vec![]).await;
    let db = &desk.app.db;
    let main = desk.main_group();
    let ivan = tech_id_in(db, "Ivan Petrov").await;
    let now = Utc::now();
    // 23 new, then 3 in work, then 2 closed: ids 1..=28, newest last.
    for n in 1..=28i64 {
        let client = 7_000_000 + n;
        insert_client(
            db,
            client,
            &format!("Client _{n}_"),
            Some(&format!("client{n}")),
        )
        .await;
        let status = match n {
            1..=23 => TicketStatus::New,
            24..=26 => TicketStatus::Work,
            _ => TicketStatus::Closed,
        };
        let mut row = Row::new(client, status, now - Duration::hours(30 - n));
        row.tech = (status != TicketStatus::New).then_some(ivan);
        row.thread = Some(100 + n as i32);
        row.closed_at = (status == TicketStatus::Closed).then_some(now);
        insert_ticket(db, main, row).await;
    }
    let me = desk.fake().user(admin).in_private();

    let answer = ask(&desk.app, me, "/tickets").await;
    let text = single(&answer);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Обращения: последние 20 из 28");
    assert_eq!(lines.len(), 21);
    assert_eq!(
        lines[1],
        "#28 · 🟣 Закрыт · Client _28_ (@client28) · @ivan · 2 ч"
    );
    assert_eq!(
        lines[3],
        "#26 · 🟡 В работе · Client _26_ (@client26) · @ivan · 4 ч"
    );
    assert_eq!(
        lines[20],
        "#9 · 🟢 Новый · Client _9_ (@client9) · — · 21 ч"
    );
    // Each number links to its topic.
    let link = &answer[0].entities()[1];
    assert_eq!(link["type"], "text_link");
    assert_eq!(link["url"], topic_link(main, 128).unwrap());
    assert_eq!(link["length"], 3);

    let text = single(&ask(&desk.app, me, "/tickets new").await);
    assert!(
        text.starts_with("Обращения (новые): последние 20 из 23\n#23 · 🟢 Новый"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 21);
    let text = single(&ask(&desk.app, me, "/tickets WORK").await);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Обращения (в работе): 3");
    assert_eq!(lines.len(), 4);
    assert!(lines[1..].iter().all(|l| l.contains("🟡 В работе")));
    let text = single(&ask(&desk.app, me, "/tickets closed").await);
    assert!(text.starts_with("Обращения (закрытые): 2\n#28 "), "{text}");
    assert_eq!(
        single(&ask(&desk.app, me, "/tickets open").await),
        desk.texts.usage_tickets()
    );
}

#[tokio::test]
async fn ticket_shows_the_client_history_times_feedback_and_topic() {
    let (desk, admin) = open_desk(vec![]).await;
    let db = &desk.app.db;
    let (client, topic, _) = desk.assigned_ticket("Boris", "VPN is down").await;
    let mirror = desk
        .assign(topic.thread_id, "Olga Sidorova", desk.second_tech_group)
        .await;
    desk.fake()
        .user(desk.second_tech)
        .in_topic(desk.second_tech_group, mirror.thread_id)
        .text("Try reconnecting");
    eventually("the first response", WAIT, || async {
        tickets::Entity::find_by_id(1)
            .one(db)
            .await
            .unwrap()
            .is_some_and(|t| t.first_response_at.is_some())
    })
    .await;
    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .command("/close");
    eventually("the ticket closed", WAIT, || async {
        tickets::Entity::find_by_id(1)
            .one(db)
            .await
            .unwrap()
            .is_some_and(|t| t.status == TicketStatus::Closed)
    })
    .await;
    insert_feedback(db, 1, [5, 4, 3], Some("faster, please")).await;
    // Known times, to check the durations exactly.
    let ticket = tickets::Entity::find_by_id(1)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let opened = ticket.created_at;
    let mut row = ticket.into_active_model();
    row.first_response_at = Set(Some(opened + Duration::minutes(5)));
    row.closed_at = Set(Some(opened + Duration::minutes(123)));
    row.update(db).await.unwrap();

    let answer = ask(&desk.app, desk.fake().user(admin).in_private(), "/ticket 1").await;
    let text = single(&answer);
    let history: Vec<(String, String)> = events::Entity::find()
        .filter(events::Column::TicketId.eq(1))
        .order_by_asc(events::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.ts.format("%Y-%m-%d %H:%M UTC").to_string()))
        .collect();
    let at = |action: &str| {
        history
            .iter()
            .find(|(a, _)| a == action)
            .map(|(_, ts)| ts.clone())
            .unwrap()
    };
    let expected = format!(
        "Обращение #1\n\
         \n\
         Статус: 🟣 Закрыт\n\
         Клиент: Boris (@boris), ID {client}\n\
         Специалист: Olga Sidorova\n\
         Открыто: {}\n\
         Первый ответ: через 5 мин\n\
         Решение: 2 ч 3 мин\n\
         Сообщений: 2\n\
         Оценка: 5 · 4 · 3 — «faster, please»\n\
         Топик: {}\n\
         \n\
         История\n\
         {} — открыто\n\
         {} — назначено: Ivan Petrov\n\
         {} — передано: Olga Sidorova\n\
         {} — закрыто (Sveta Staff)",
        opened.format("%Y-%m-%d %H:%M UTC"),
        topic_link(desk.main_group(), topic.thread_id).unwrap(),
        at("ticket_opened"),
        at("assigned"),
        at("reassigned"),
        at("closed"),
    );
    assert_eq!(text, expected);
    assert_eq!(
        answer[0].entity_types(),
        ["bold", "code", "text_link", "bold"]
    );

    let me = desk.fake().user(admin).in_private();
    assert_eq!(
        single(&ask(&desk.app, me, "/ticket 99").await),
        desk.texts.ticket_not_found(99)
    );
    for bad in ["/ticket", "/ticket abc", "/ticket 0"] {
        assert_eq!(
            single(&ask(&desk.app, me, bad).await),
            desk.texts.usage_ticket()
        );
    }
}

#[tokio::test]
async fn tech_off_hides_the_button_from_new_cards_and_survives_a_restart_while_the_mapping_decides_who_exists()
 {
    let (desk, admin) = open_desk(vec![]).await;
    let db = desk.app.db.clone();
    let ivan = tech_id_in(&db, "Ivan Petrov").await;
    let olga = tech_id_in(&db, "Olga Sidorova").await;
    let me = desk.fake().user(admin).in_private();

    // A card from before the switch still shows Ivan.
    let (_, old_topic) = desk.client_opens_ticket("Early", "Hi").await;
    let answer = ask(&desk.app, me, &format!("/tech_off {ivan}")).await;
    assert_eq!(single(&answer), desk.texts.tech_now_unavailable("@ivan"));
    let answer = ask(&desk.app, me, "/tech_off @IVAN").await;
    assert_eq!(
        single(&answer),
        desk.texts.tech_already_unavailable("@ivan")
    );
    let row = technicians::Entity::find_by_id(ivan)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(!row.available && row.is_active);
    let switched = events::Entity::find()
        .filter(events::Column::Action.eq("technician_unavailable"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(switched.len(), 1);
    assert_eq!(switched[0].payload["tech_id"], ivan);
    assert_eq!(switched[0].payload["by"], admin);

    assert_eq!(
        card_buttons_for(&desk, "Second", "Hello").await,
        ["Olga Sidorova", "Закрыть"]
    );
    // Ivan's button on the old card no longer assigns him.
    let card = desk.card(old_topic.thread_id);
    let reply = desk
        .staff_presses(old_topic.thread_id, card.id(), "Ivan Petrov")
        .await;
    assert_eq!(reply.text.as_deref(), Some(desk.texts.stale_button()));
    let early = tickets::Entity::find_by_id(1)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(early.assigned_tech_id, None);

    // Restart with a mapping that drops Olga and adds Petr.
    let fake = desk.app.fake.clone();
    let database = desk.app.database.clone();
    let main_group = desk.main_group();
    let petr = fake.add_user(UserSpec::new("Petr").username("petr"));
    let petr_group = fake.add_forum_group("Petr's desk");
    fake.add_member(petr_group, petr);
    let Desk {
        app,
        texts,
        staff,
        tech,
        tech_group,
        second_tech,
        second_tech_group,
    } = desk;
    app.stop().await.unwrap();
    let app = spawn_app_with(AppOptions {
        fake: Some(fake),
        database: Some(database),
        main_group: Some(main_group),
        vars: vec![
            ("ADMIN_IDS".into(), admin.to_string()),
            (
                "TECH_GROUPS_MAPPING".into(),
                mapping(&[
                    ("Ivan Petrov", Some("ivan"), tech, tech_group),
                    ("Petr", Some("petr"), petr, petr_group),
                ]),
            ),
        ],
        ..Default::default()
    })
    .await;
    let desk = Desk {
        app,
        texts,
        staff,
        tech,
        tech_group,
        second_tech,
        second_tech_group,
    };
    let petr_id = tech_id_in(&db, "Petr").await;
    let rows = technicians::Entity::find()
        .order_by_asc(technicians::Column::Id)
        .all(&db)
        .await
        .unwrap();
    let flags: Vec<(&str, bool, bool)> = rows
        .iter()
        .map(|t| (t.name.as_str(), t.is_active, t.available))
        .collect();
    assert_eq!(
        flags,
        [
            ("Ivan Petrov", true, false),
            ("Olga Sidorova", false, true),
            ("Petr", true, true)
        ]
    );
    assert_eq!(
        card_buttons_for(&desk, "Third", "Hello").await,
        ["Petr", "Закрыть"]
    );

    let me = desk.fake().user(admin).in_private();
    let answer = ask(&desk.app, me, &format!("/tech_off {olga}")).await;
    assert_eq!(
        single(&answer),
        desk.texts.tech_not_in_mapping("Olga Sidorova")
    );
    let answer = ask(&desk.app, me, &format!("/tech_on {ivan}")).await;
    assert_eq!(single(&answer), desk.texts.tech_now_available("@ivan"));
    assert_eq!(
        card_buttons_for(&desk, "Fourth", "Hello").await,
        ["Ivan Petrov", "Petr", "Закрыть"]
    );
    let answer = ask(&desk.app, me, "/techs").await;
    assert!(
        single(&answer).contains(&format!("{petr_id} · Petr (@petr) · ✅")),
        "{answer:?}"
    );
    for bad in ["/tech_on", "/tech_on ivan", "/tech_on #1"] {
        assert_eq!(
            single(&ask(&desk.app, me, bad).await),
            desk.texts.usage_tech_switch("tech_on")
        );
    }
    assert_eq!(
        single(&ask(&desk.app, me, "/tech_off 999").await),
        desk.texts.tech_not_found()
    );
}

#[tokio::test]
async fn a_long_answer_is_split_into_messages_within_telegrams_limit() {
    let (desk, admin) = open_desk(vec![]).await;
    let db = &desk.app.db;
    insert_client(db, 7_000_001, "_Long_ *Story*", Some("long_story")).await;
    let ticket = insert_ticket(
        db,
        desk.main_group(),
        Row::new(
            7_000_001,
            TicketStatus::Closed,
            Utc::now() - Duration::hours(1),
        ),
    )
    .await;
    let comment = format!("{} конец_отзыва", "очень *долго* и _подробно_ ".repeat(200));
    insert_feedback(db, ticket.id, [2, 3, 4], Some(&comment)).await;

    let answer = ask(
        &desk.app,
        desk.fake().user(admin).in_private(),
        &format!("/ticket {}", ticket.id),
    )
    .await;
    assert!(answer.len() >= 2, "{} parts", answer.len());
    for part in &answer {
        let text = part.text().unwrap();
        assert!(utf16_len(text) <= TEXT_LIMIT, "{} units", utf16_len(text));
    }
    assert!(answer[0].text().unwrap().starts_with("Обращение #1\n"));
    assert!(
        answer[0]
            .text()
            .unwrap()
            .contains("Клиент: _Long_ *Story* (@long_story)")
    );
    assert!(text_of(&answer).contains("конец_отзыва»"));
    assert_eq!(answer[0].entity_types()[0], "bold");
}
