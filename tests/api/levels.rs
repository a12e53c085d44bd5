//! Service levels: priorities, SLA warnings and breaches (each once, also
//! with two instances), business hours, waiting for the client, and what a
//! ticket's life with all of it costs the main group. Targets are seconds
//! long so the clocks run out while the test watches.

use std::time::Duration;

use chrono::{Datelike, Timelike, Utc};
use fake_telegram::UserSpec;
use sea_orm::EntityTrait;
use topicdesk::entities::{Priority, TicketStatus};

use crate::support::{AppOptions, Desk, WAIT, eventually, spawn_app_with, vars};

/// How long the clocks may take past their moment before a test gives up:
/// the job engine polls every 250 ms in tests, the sweep runs every minute.
const CLOCK_WAIT: Duration = Duration::from_secs(15);

/// A desk with managers Maria and Boris (ADMIN_IDS) and the given SLA_POLICY.
async fn desk_with_policy(policy: &str, extra: Vec<(&str, &str)>) -> (Desk, i64, i64) {
    let fake = fake_telegram::FakeTelegram::start().await;
    let maria = fake.add_user(UserSpec::new("Maria").username("maria"));
    let boris = fake.add_user(UserSpec::new("Boris"));
    let mut settings = vars([
        ("ADMIN_IDS", format!("{maria},{boris}").as_str()),
        ("SLA_POLICY", policy),
    ]);
    settings.extend(vars(extra));
    let desk = Desk::open_on(fake, settings).await;
    (desk, maria, boris)
}

fn count(texts: &[String], needle: &str) -> usize {
    texts.iter().filter(|t| t.contains(needle)).count()
}

#[tokio::test]
async fn an_unanswered_ticket_is_warned_once_then_breached_once_with_badge_card_line_and_manager_messages()
 {
    let (desk, maria, boris) = desk_with_policy(
        r#"{"normal":{"first_response":"4s","resolution":"1h","warn_at":0.5}}"#,
        vec![],
    )
    .await;
    let (_client, topic) = desk.client_opens_ticket("Anna", "Nothing works").await;
    let main = desk.main_group();
    let opened = desk.ticket(1).await;
    let due = opened
        .first_response_due
        .expect("a first-response deadline");
    let lag = (due - opened.created_at).num_milliseconds();
    assert!(
        (3_900..=4_100).contains(&lag),
        "due 4 s after opening: {lag} ms"
    );
    assert!(
        desk.card_text(topic.thread_id)
            .contains("⏱ Первый ответ до"),
        "{}",
        desk.card_text(topic.thread_id)
    );

    // Unassigned: the warning goes to the main topic, at half the target.
    let warning = desk
        .fake()
        .wait_for_value("the warning", CLOCK_WAIT, |w| {
            w.topic_texts(main, topic.thread_id)
                .into_iter()
                .find(|t| t.starts_with("⏳ #1"))
        })
        .await
        .unwrap();
    assert!(warning.contains("первый ответ"), "{warning}");
    let warned = desk.ticket(1).await;
    let warned_at = warned
        .first_response_warned_at
        .expect("the warning is recorded");
    assert!(warned_at >= due - chrono::Duration::seconds(2));
    assert!(warned_at < due, "warned before the deadline");

    // The breach: the badge, the card's line, each manager told privately.
    let badged = desk
        .fake()
        .wait_for_value("the badge", CLOCK_WAIT, |w| {
            w.topic(main, topic.thread_id)
                .filter(|t| t.name.starts_with("⏰ "))
        })
        .await
        .unwrap();
    assert_eq!(badged.name, "⏰ 🟢 [Новый] #1 | Anna (@anna)");
    for manager in [maria, boris] {
        desk.fake()
            .wait_until(WAIT, |w| count(&w.texts(manager), "⏰ Обращение #1") == 1)
            .await
            .unwrap();
    }
    eventually("the card's breach line", WAIT, || async {
        desk.card_text(topic.thread_id)
            .contains("⏰ Просрочено: первый ответ")
    })
    .await;
    let breached = desk.ticket(1).await;
    assert!(breached.first_response_breached_at.unwrap() >= due);

    // Long after: nothing fired twice, and the main group got no message
    // for the breach (the card was edited, the topic renamed once).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let texts = desk.fake().topic_texts(main, topic.thread_id);
    assert_eq!(count(&texts, "⏳ #1"), 1, "{texts:#?}");
    // (The card, first, carries the breach line; nothing after it does.)
    assert!(
        !texts[1..].iter().any(|t| t.contains("Просрочено")),
        "{texts:#?}"
    );
    for manager in [maria, boris] {
        assert_eq!(count(&desk.fake().texts(manager), "⏰ Обращение #1"), 1);
    }
    let renames = desk
        .fake()
        .calls_to("editForumTopic")
        .iter()
        .filter(|c| c.chat_id() == Some(main))
        .count();
    assert_eq!(renames, 1, "one title edit at the breach");
}

#[tokio::test]
async fn an_assigned_ticket_is_warned_in_the_technicians_topic_and_an_answer_stops_the_clock() {
    let (desk, maria, _) = desk_with_policy(
        r#"{"normal":{"first_response":"6s","resolution":"1h","warn_at":0.3}}"#,
        vec![],
    )
    .await;
    let (client, topic, mirror) = desk.assigned_ticket("Bella", "Help me").await;
    let warning = desk
        .fake()
        .wait_for_value("the warning in the mirror", CLOCK_WAIT, |w| {
            w.topic_texts(desk.tech_group, mirror.thread_id)
                .into_iter()
                .find(|t| t.starts_with("⏳ #1"))
        })
        .await
        .unwrap();
    assert!(warning.contains("первый ответ"));
    assert!(
        !desk
            .fake()
            .topic_texts(desk.main_group(), topic.thread_id)
            .iter()
            .any(|t| t.starts_with("⏳")),
        "the main group is spared the warning"
    );
    // The technician answers in time: no breach follows.
    desk.tech_answers(client, &mirror, "Looking into it").await;
    eventually("the first response to be recorded", WAIT, || async {
        desk.ticket(1).await.first_response_at.is_some()
    })
    .await;
    let due = desk.ticket(1).await.first_response_due.unwrap();
    let left = (due - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_secs(2)).await;
    assert!(desk.ticket(1).await.first_response_breached_at.is_none());
    assert!(
        !desk
            .fake()
            .texts(maria)
            .iter()
            .any(|t| t.contains("Обращение #1"))
    );
    let title = desk
        .fake()
        .topic(desk.main_group(), topic.thread_id)
        .unwrap();
    assert!(!title.name.starts_with('⏰'), "{}", title.name);
}

#[tokio::test]
async fn a_warning_and_a_breach_due_together_both_go_warning_first() {
    // Warned at 99 % of one second: both moments come within one check.
    let (desk, _, _) = desk_with_policy(
        r#"{"normal":{"first_response":"1s","resolution":"1h","warn_at":0.99}}"#,
        vec![],
    )
    .await;
    let (_client, topic) = desk.client_opens_ticket("Clara", "Hi").await;
    eventually("the breach", CLOCK_WAIT, || async {
        desk.ticket(1).await.first_response_breached_at.is_some()
    })
    .await;
    let t = desk.ticket(1).await;
    assert!(t.first_response_warned_at.unwrap() <= t.first_response_breached_at.unwrap());
    let texts = desk.fake().topic_texts(desk.main_group(), topic.thread_id);
    assert_eq!(count(&texts, "⏳ #1"), 1, "{texts:#?}");
}

#[tokio::test]
async fn priority_is_set_by_button_and_by_command_and_moves_the_deadlines() {
    let (desk, _, _) = desk_with_policy(
        r#"{"normal":{"first_response":"1h","resolution":"8h"},"urgent":{"first_response":"15m","resolution":"2h"}}"#,
        vec![],
    )
    .await;
    let (_client, topic) = desk.client_opens_ticket("Dana", "Urgent!").await;
    let before = desk.ticket(1).await;
    assert_eq!(before.priority, Priority::Normal);

    let card = desk.card(topic.thread_id);
    let answer = desk
        .staff_presses(topic.thread_id, card.id(), "🔥 Срочный")
        .await;
    assert_eq!(answer.text.as_deref(), Some("Приоритет: 🔥 Срочный"));
    eventually("the card to show the new priority", WAIT, || async {
        let card = desk.card(topic.thread_id);
        card.text().unwrap_or_default().contains("🔥 Срочный")
            && card
                .buttons()
                .iter()
                .any(|(label, _)| label == "• 🔥 Срочный")
    })
    .await;
    let urgent = desk.ticket(1).await;
    assert_eq!(urgent.priority, Priority::Urgent);
    let first = (urgent.first_response_due.unwrap() - urgent.created_at).num_minutes();
    assert_eq!(first, 15);
    assert_eq!(
        (urgent.resolution_due.unwrap() - urgent.created_at).num_minutes(),
        120
    );

    // The command works from the topic too; a wrong level gets the usage.
    let command = desk
        .fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .command("/priority low");
    eventually("the low priority", WAIT, || async {
        desk.ticket(1).await.priority == Priority::Low
    })
    .await;
    // Low has no targets: the deadlines go.
    let low = desk.ticket(1).await;
    assert_eq!(low.first_response_due, None);
    let main = desk.main_group();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.message(main, command.message_id)
                .is_some_and(|m| m.bot_reactions() == ["👍"])
        })
        .await
        .unwrap();
    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .command("/priority soon");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(desk.main_group(), topic.thread_id)
                .iter()
                .any(|t| t.contains("/priority low | normal | high | urgent"))
        })
        .await
        .unwrap();
    let events = topicdesk::entities::events::Entity::find()
        .all(&desk.app.db)
        .await
        .unwrap();
    let changes: Vec<_> = events
        .iter()
        .filter(|e| e.action == "priority_changed")
        .map(|e| e.payload["to"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(changes, ["urgent", "low"]);
}

#[tokio::test]
async fn waiting_pauses_the_resolution_clock_and_the_clients_answer_resumes_it() {
    let (desk, _, _) = desk_with_policy(
        r#"{"normal":{"first_response":"1h","resolution":"5s","warn_at":0.9}}"#,
        vec![],
    )
    .await;
    let (client, topic, mirror) = desk.assigned_ticket("Elena", "Question").await;
    desk.fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .command("/wait");
    let main = desk.main_group();
    let waiting = desk
        .fake()
        .wait_for_value("the waiting title", WAIT, |w| {
            w.topic(main, topic.thread_id)
                .filter(|t| t.name.starts_with("⏸"))
        })
        .await
        .unwrap();
    assert_eq!(waiting.name, "⏸ [Ждёт клиента | @ivan] #1 | Elena");
    let paused = desk.ticket(1).await;
    assert_eq!(paused.status, TicketStatus::Waiting);
    let due_before = paused.resolution_due.unwrap();

    // Past the deadline while waiting: no breach.
    let left = (due_before - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_secs(2)).await;
    assert!(desk.ticket(1).await.resolution_breached_at.is_none());

    // The client answers: back to work, the deadline moved by the wait.
    desk.fake()
        .user(client)
        .in_private()
        .text("Here is the log");
    desk.fake()
        .wait_for_value("the working title", WAIT, |w| {
            w.topic(main, topic.thread_id)
                .filter(|t| t.name.starts_with("🟡"))
        })
        .await
        .unwrap();
    let resumed = desk.ticket(1).await;
    assert_eq!(resumed.status, TicketStatus::Work);
    assert_eq!(resumed.waiting_since, None);
    let moved = (resumed.resolution_due.unwrap() - due_before).num_milliseconds();
    let waited = (Utc::now() - paused.waiting_since.unwrap()).num_milliseconds();
    assert!(
        moved > 4_000 && moved <= waited,
        "moved by the wait: {moved} ms of {waited} ms"
    );
    // And the resumed clock runs out in the end.
    eventually("the resolution breach", CLOCK_WAIT, || async {
        desk.ticket(1).await.resolution_breached_at.is_some()
    })
    .await;
}

#[tokio::test]
async fn a_ticket_left_waiting_is_closed_with_a_note_and_the_survey() {
    let (desk, _, _) = desk_with_policy(
        r#"{"normal":{"first_response":"1h","resolution":"8h"}}"#,
        vec![("WAITING_AUTO_CLOSE", "2s")],
    )
    .await;
    let (client, topic) = desk.client_opens_ticket("Fiona", "Question").await;
    let card = desk.card(topic.thread_id);
    desk.staff_presses(topic.thread_id, card.id(), "⏸ Ждём клиента")
        .await;
    eventually("the automatic close", CLOCK_WAIT, || async {
        desk.ticket(1).await.status == TicketStatus::Closed
    })
    .await;
    let survey = desk.texts.survey_question(1);
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).iter().any(|t| t == survey))
        .await
        .unwrap();
    eventually("the closing note on the card", WAIT, || async {
        desk.card_text(topic.thread_id)
            .contains("клиент не отвечал")
    })
    .await;
}

/// Fixed-offset zones, so a test can put "now" where it needs it on the
/// business hours' clock.
fn zone_where_it_is_daytime() -> (String, chrono::FixedOffset) {
    for hours in -12i32..=12 {
        let offset = chrono::FixedOffset::east_opt(hours * 3600).unwrap();
        let local = Utc::now().with_timezone(&offset);
        if (2..=20).contains(&local.hour()) {
            // Etc/GMT signs are inverted: Etc/GMT-3 is UTC+3.
            let name = match hours {
                0 => "Etc/GMT".to_owned(),
                h if h > 0 => format!("Etc/GMT-{h}"),
                h => format!("Etc/GMT+{}", -h),
            };
            return (name, offset);
        }
    }
    unreachable!("some zone has daytime")
}

fn day_name(day: chrono::Weekday) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day.num_days_from_monday() as usize]
}

/// Like a ticket opened on Friday at 17:50 with a 30-minute target being
/// due on Monday at 09:20: the desk closes ten minutes after the ticket
/// opens, the next two days are its weekend, and it opens again at 09:00.
#[tokio::test]
async fn business_hours_skip_the_night_and_the_weekend() {
    let (zone, offset) = zone_where_it_is_daytime();
    let now = Utc::now().with_timezone(&offset);
    let closing = now + chrono::Duration::minutes(10);
    let today = now.weekday();
    let monday = today.succ().succ().succ();
    let hours = format!(
        "{} 00:00-{:02}:{:02}; {} 09:00-18:00 {zone}",
        day_name(today),
        closing.hour(),
        closing.minute(),
        day_name(monday),
    );
    let (desk, _, _) = desk_with_policy(
        r#"{"normal":{"first_response":"30m","resolution":"8h"}}"#,
        vec![("BUSINESS_HOURS", hours.as_str())],
    )
    .await;
    desk.client_opens_ticket("Gala", "Friday evening question")
        .await;
    let t = desk.ticket(1).await;
    let opened = t.created_at.with_timezone(&offset);
    let close = opened
        .date_naive()
        .and_hms_opt(closing.hour(), closing.minute(), 0)
        .unwrap()
        .and_local_timezone(offset)
        .unwrap();
    let worked_today = close - opened;
    let monday_opening = (opened.date_naive() + chrono::Duration::days(3))
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_local_timezone(offset)
        .unwrap();
    let expected = monday_opening + (chrono::Duration::minutes(30) - worked_today);
    let due = t.first_response_due.unwrap().with_timezone(&offset);
    assert!(
        (due - expected).num_milliseconds().abs() < 1_000,
        "due {due}, expected {expected}"
    );
}

#[tokio::test]
async fn outside_business_hours_the_client_is_told_when_the_team_is_back() {
    let (zone, offset) = zone_where_it_is_daytime();
    let now = Utc::now().with_timezone(&offset);
    // Open only tomorrow, 09:00-18:00.
    let tomorrow = now.weekday().succ();
    let hours = format!("{} 09:00-18:00 {zone}", day_name(tomorrow));
    let desk = Desk::open_with(AppOptions {
        vars: vec![("BUSINESS_HOURS".into(), hours)],
        ..AppOptions::default()
    })
    .await;
    let client =
        desk.new_client_writes(UserSpec::new("Hana").language_code("en"), "Hello at night");
    let ack = desk
        .fake()
        .wait_for_value("the acknowledgement", WAIT, |w| {
            w.texts(client).into_iter().find(|t| t.contains("#1"))
        })
        .await
        .unwrap();
    assert!(
        ack.ends_with(&format!(
            "We are outside working hours now and will answer from 09:00 tomorrow ({zone})."
        )),
        "{ack}"
    );
}

/// A whole ticket life with a priority change, a warning and a breach still
/// costs the main group the topic, the card, the conversation and the
/// survey's summary — plus one title edit for the breach.
#[tokio::test]
async fn a_ticket_life_with_service_levels_costs_the_main_group_one_title_edit_more() {
    let (desk, _, _) = desk_with_policy(
        r#"{"normal":{"first_response":"1h","resolution":"8h"},"high":{"first_response":"2s","resolution":"1h","warn_at":0.5}}"#,
        vec![],
    )
    .await;
    let (client, topic, mirror) = desk.assigned_ticket("Vera", "Help").await;
    let card = desk.card(topic.thread_id);
    desk.staff_presses(topic.thread_id, card.id(), "🔼 Высокий")
        .await;
    let main = desk.main_group();
    desk.fake()
        .wait_for_value("the badge", CLOCK_WAIT, |w| {
            w.topic(main, topic.thread_id)
                .filter(|t| t.name.starts_with("⏰ "))
        })
        .await
        .unwrap();
    desk.fake()
        .wait_for_value("the badge in the mirror", CLOCK_WAIT, |w| {
            w.topic(desk.tech_group, mirror.thread_id)
                .filter(|t| t.name.starts_with("⏰ "))
        })
        .await
        .unwrap();
    assert!(
        desk.fake()
            .topic_texts(desk.tech_group, mirror.thread_id)
            .iter()
            .any(|t| t.starts_with("⏳ #1")),
        "the warning went to the technician"
    );
    desk.tech_answers(client, &mirror, "On my way").await;
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .command("/close");
    for n in 1..=3 {
        desk.answer_survey(client, n, 5).await;
    }
    let summary = desk.texts.survey_summary([5, 5, 5], None);
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id).contains(&summary)
        })
        .await
        .unwrap();
    // The badge leaves both topics with the resolution.
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(desk.tech_group, mirror.thread_id)
                .is_some_and(|t| !t.name.starts_with('⏰'))
        })
        .await
        .unwrap();
    let from_bot = desk.bot_posts(main, topic.thread_id);
    assert_eq!(from_bot.len(), 4, "{from_bot:#?}");
    assert_eq!(from_bot[1], "Help");
    assert_eq!(from_bot[2], "Ivan Petrov:\nOn my way");
    assert_eq!(from_bot[3], summary);
    let in_main = |method: &str| {
        desk.fake()
            .calls_to(method)
            .iter()
            .filter(|c| c.chat_id() == Some(main))
            .count()
    };
    assert_eq!(in_main("createForumTopic"), 1);
    // Assigned, breached, closed: the breach is the one edit more.
    assert_eq!(in_main("editForumTopic"), 3);
}

/// Two instances on one database and store: every warning and breach
/// fires once.
#[tokio::test]
async fn two_instances_fire_each_warning_and_breach_once() {
    if std::env::var("TEST_DATABASE_URL").is_err() || std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: needs TEST_DATABASE_URL and TEST_REDIS_URL (two instances share them)");
        return;
    }
    let (desk, maria, _) = desk_with_policy(
        r#"{"normal":{"first_response":"3s","resolution":"5s","warn_at":0.5}}"#,
        vec![],
    )
    .await;
    let mapping_and_more: Vec<(String, String)> = vec![
        ("ADMIN_IDS".into(), maria.to_string()),
        (
            "SLA_POLICY".into(),
            r#"{"normal":{"first_response":"3s","resolution":"5s","warn_at":0.5}}"#.into(),
        ),
        (
            "TECH_GROUPS_MAPPING".into(),
            format!(
                r#"[{{"name":"Ivan Petrov","username":"ivan","tg_user_id":{},"group_chat_id":{}}}]"#,
                desk.tech, desk.tech_group
            ),
        ),
    ];
    let second = spawn_app_with(AppOptions {
        fake: Some(desk.fake().clone()),
        database: Some(desk.app.database.clone()),
        main_group: Some(desk.main_group()),
        vars: mapping_and_more,
        ..AppOptions::default()
    })
    .await;
    let mut topics = Vec::new();
    for name in ["Ira", "Jana", "Kira"] {
        let (_, topic) = desk.client_opens_ticket(name, "Hello").await;
        topics.push(topic);
    }
    for id in 1..=3 {
        eventually("both breaches", CLOCK_WAIT, || async {
            let t = desk.ticket(id).await;
            t.first_response_breached_at.is_some() && t.resolution_breached_at.is_some()
        })
        .await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (index, topic) in topics.iter().enumerate() {
        let id = index + 1;
        let texts = desk.fake().topic_texts(desk.main_group(), topic.thread_id);
        assert_eq!(count(&texts, &format!("⏳ #{id}: первый")), 1, "{texts:#?}");
        assert_eq!(
            count(&texts, &format!("⏳ #{id}: решение")),
            1,
            "{texts:#?}"
        );
        let to_maria = desk.fake().texts(maria);
        assert_eq!(
            count(&to_maria, &format!("Обращение #{id} ")),
            2,
            "{to_maria:#?}"
        );
    }
    drop(second);
}
