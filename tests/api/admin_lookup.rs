//! Manager commands that look things up: /find over clients, tickets and
//! what was written, and /stats against known rows in the database.

use chrono::{Duration, Utc};
use fake_telegram::{StoredMessage, UserSpec};
use serde_json::json;
use topicdesk::config::Language;
use topicdesk::domain::calendar::BusinessCalendar;
use topicdesk::entities::{Actor as EventActor, TicketStatus};
use topicdesk::outbox::Outbox;
use topicdesk::services::daily_stats::DailyStats;
use topicdesk::texts::Texts;

use crate::support::admin::{
    Row, ask, insert_client, insert_feedback, insert_ticket, open_desk, single, text_of,
};

#[tokio::test]
async fn find_matches_client_names_usernames_ids_and_ticket_numbers() {
    let (desk, admin) = open_desk(vec![]).await;
    let fake = desk.fake();
    let anna = fake.add_user(
        UserSpec::new("Анна")
            .last_name("Каренина")
            .username("Anna_K"),
    );
    fake.user(anna).text("Здравствуйте");
    desk.wait_for_topic_of("Анна").await;
    let (boris, _) = desk.client_opens_ticket("Boris", "Hello").await;
    let me = fake.user(admin).in_private();
    let found = |answer: Vec<StoredMessage>| -> Vec<String> {
        text_of(&answer)
            .lines()
            .skip(1)
            .map(|line| line.split(' ').next().unwrap().to_owned())
            .collect()
    };

    for query in [
        "анна",
        "КАРЕНИНА",
        "Анна каренина",
        "anna_k",
        "@anna_K",
        &anna.to_string(),
        "#1",
    ] {
        let answer = ask(&desk.app, me, &format!("/find {query}")).await;
        assert_eq!(found(answer), ["#1"], "{query}");
    }
    let answer = ask(&desk.app, me, &format!("/find {boris}")).await;
    assert!(text_of(&answer).starts_with("Найдено обращений: 1\n#2 · 🟢 Новый · Boris (@boris)"));
    // A username is matched whole.
    assert_eq!(
        single(&ask(&desk.app, me, "/find @anna").await),
        desk.texts.find_none()
    );
    assert_eq!(
        single(&ask(&desk.app, me, "/find #3").await),
        desk.texts.find_none()
    );
    for bad in ["/find", "/find #abc", "/find @"] {
        assert_eq!(
            single(&ask(&desk.app, me, bad).await),
            desk.texts.usage_find(),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn find_matches_words_of_logged_messages_in_any_case_with_wildcards_taken_literally() {
    let (desk, admin) = open_desk(vec![]).await;
    let db = &desk.app.db;
    let main = desk.main_group();
    let texts = [
        "Принтер не печатает, скидка 100% не помогла",
        "Скидка 1000 рублей, а ПРИНТЕР так и не работает",
        "file_name.txt is missing",
    ];
    for (n, text) in texts.iter().enumerate() {
        let client = 7_000_000 + n as i64;
        insert_client(db, client, &format!("Client {n}"), None).await;
        let ticket = insert_ticket(db, main, Row::new(client, TicketStatus::New, Utc::now())).await;
        // Logged the way the bridge logs a message.
        topicdesk::records::events::record(
            db,
            Some(ticket.id),
            EventActor::Client,
            "message_bridged",
            json!({ "text": text, "kind": "text" }),
        )
        .await
        .unwrap();
    }
    let me = desk.fake().user(admin).in_private();
    let numbers = |text: String| -> Vec<String> {
        text.lines()
            .filter(|line| line.starts_with('#'))
            .map(|line| line.split(' ').next().unwrap().to_owned())
            .collect()
    };

    let answer = text_of(&ask(&desk.app, me, "/find принтер").await);
    assert_eq!(numbers(answer.clone()), ["#2", "#1"]);
    assert!(
        answer.contains("«Скидка 1000 рублей, а ПРИНТЕР так и не работает»"),
        "{answer}"
    );
    assert_eq!(
        numbers(text_of(&ask(&desk.app, me, "/find ПРИНТЕР скидка").await)),
        ["#2", "#1"]
    );
    assert_eq!(
        numbers(text_of(&ask(&desk.app, me, "/find 100%").await)),
        ["#1"]
    );
    assert_eq!(
        numbers(text_of(&ask(&desk.app, me, "/find 100").await)),
        ["#2", "#1"]
    );
    assert_eq!(
        numbers(text_of(&ask(&desk.app, me, "/find e_n").await)),
        ["#3"]
    );
    assert_eq!(
        single(&ask(&desk.app, me, "/find 1%0").await),
        desk.texts.find_none()
    );
    assert_eq!(
        single(&ask(&desk.app, me, "/find e%n").await),
        desk.texts.find_none()
    );
}

#[tokio::test]
async fn find_matches_words_the_client_wrote() {
    let (desk, admin) = open_desk(vec![]).await;
    desk.client_opens_ticket("Anna", "Принтер снова НЕ ПЕЧАТАЕТ")
        .await;
    desk.client_opens_ticket("Boris", "VPN is down").await;
    let answer = ask(
        &desk.app,
        desk.fake().user(admin).in_private(),
        "/find не печатает",
    )
    .await;
    let text = single(&answer);
    assert!(
        text.starts_with("Найдено обращений: 1\n#1 · 🟢 Новый · Anna (@anna)"),
        "{text}"
    );
    assert!(text.ends_with("«Принтер снова НЕ ПЕЧАТАЕТ»"), "{text}");
}

/// /stats reads whole past days from the daily rollup and adds today live.
/// Each figure counts what happened that day: first responses given, and
/// tickets closed (with their survey), in the period. Over several days
/// the median and 90th percentile are the daily ones weighted by count.
#[tokio::test]
async fn stats_reports_counts_percentiles_survey_averages_and_response_rate() {
    let (desk, admin) = open_desk(vec![]).await;
    let db = &desk.app.db;
    crate::jobs::start_rollup_done(db).await;
    let main = desk.main_group();
    let now = Utc::now();
    let (m, h, d) = (Duration::minutes, Duration::hours, Duration::days);
    // Days are UTC dates (no BUSINESS_HOURS): anchor the past on them, and
    // today's tickets between midnight and now.
    let today = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let day = |back: i64, hour: i64| today - d(back) + h(hour);
    let earlier_today = today + (now - today) / 2;
    // (created, first response after, closed at, feedback)
    let rows = [
        (day(3, 10), Some(m(1)), Some(day(3, 11)), Some([5, 4, 5])),
        (day(2, 10), Some(m(2)), Some(day(2, 12)), Some([4, 4, 3])),
        (day(1, 10), Some(m(5)), Some(day(1, 14)), None),
        (earlier_today, None, None, None),
        (earlier_today, None, None, None),
        // Opened and answered before the period, closed in it.
        (day(10, 10), Some(m(1)), Some(day(1, 12)), None),
        // Opened and closed before the period.
        (
            day(10, 10),
            Some(Duration::seconds(30)),
            Some(day(9, 10)),
            Some([1, 1, 1]),
        ),
    ];
    for (n, (created, response, closed, answers)) in rows.into_iter().enumerate() {
        let client = 7_000_000 + n as i64;
        insert_client(db, client, &format!("Client {n}"), None).await;
        let status = if closed.is_some() {
            TicketStatus::Closed
        } else if response.is_some() {
            TicketStatus::Work
        } else {
            TicketStatus::New
        };
        let mut row = Row::new(client, status, created);
        row.first_response_at = response.map(|after| created + after);
        row.closed_at = closed;
        let ticket = insert_ticket(db, main, row).await;
        if let Some(answers) = answers {
            insert_feedback(db, ticket.id, answers, None).await;
        }
    }
    let me = desk.fake().user(admin).in_private();

    // Before the nightly rollup, past days hold nothing yet: today only.
    let text = single(&ask(&desk.app, me, "/stats").await);
    assert!(text.contains("\nОткрыто: 2\nЗакрыто: 0\n"), "{text}");

    DailyStats::new(
        db.clone(),
        BusinessCalendar::default(),
        Outbox::new(db.clone()).0,
        Texts::new(Language::Ru),
        Vec::new(),
    )
    .roll_up_due(now)
    .await
    .unwrap();

    let text = single(&ask(&desk.app, me, "/stats").await);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Статистика за 7 дн. (с "), "{text}");
    // First responses given in the period: 1, 2 and 5 min on three days →
    // 2 min 40 s for both figures. Resolutions: 1 h and 2 h on two days,
    // 4 h and 9 d 2 h (218 h) yesterday, whose median is 111 h and p90
    // 196.6 h; weighted by count: (1 + 2 + 2 × 111) / 4 = 56.25 h and
    // (1 + 2 + 2 × 196.6) / 4 = 99.05 h.
    assert_eq!(
        lines[2..],
        [
            "Открыто: 5",
            "Закрыто: 4",
            "Из открытых за период ещё не закрыто: 2",
            "Первый ответ: медиана 2 мин 40 с, 90-й процентиль 2 мин 40 с (обращений: 3)",
            "Решение: медиана 2 д 8 ч, 90-й процентиль 4 д 3 ч (обращений: 4)",
            "Опрос (1–5): скорость 4,50 · качество 4,00 · вежливость 4,00",
            "Ответили на опрос: 2 из 4 закрытых (50%)",
        ]
    );

    let text = single(&ask(&desk.app, me, "/stats 30").await);
    assert!(text.contains("\nОткрыто: 7\nЗакрыто: 5\n"), "{text}");
    assert!(
        text.contains("скорость 3,33 · качество 3,00 · вежливость 3,00"),
        "{text}"
    );
    assert!(
        text.ends_with("Ответили на опрос: 3 из 5 закрытых (60%)"),
        "{text}"
    );

    for bad in ["/stats abc", "/stats 0", "/stats 3651", "/stats -1"] {
        assert_eq!(
            single(&ask(&desk.app, me, bad).await),
            desk.texts.usage_stats(),
            "{bad}"
        );
    }
}
