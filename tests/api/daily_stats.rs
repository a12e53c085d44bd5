//! The daily rollup: a constructed day's numbers, in business time, row by
//! row; rolling a day up again gives the same rows; the managers' daily
//! report goes out once.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use topicdesk::config::Language;
use topicdesk::domain::calendar::BusinessCalendar;
use topicdesk::entities::{TicketStatus, daily_stats, feedback, technicians, tickets, users};
use topicdesk::outbox::Outbox;
use topicdesk::services::daily_stats::{DailyStats, day_label};
use topicdesk::texts::Texts;

use crate::support::{AppOptions, Desk, WAIT, eventually, spawn_app_with};

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .unwrap()
}

async fn client(db: &DatabaseConnection, tg_id: i64) {
    users::ActiveModel {
        tg_id: Set(tg_id),
        username: Set(None),
        full_name: Set(format!("Client {tg_id}")),
        language_code: Set(Some("ru".into())),
        created_at: Set(at(1, 0, 0)),
        last_seen: Set(at(1, 0, 0)),
        blocked_bot_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

#[derive(Default)]
struct Ticket {
    category: Option<&'static str>,
    tech: Option<i32>,
    created: Option<DateTime<Utc>>,
    responded: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    due: bool,
    breached: bool,
    survey: Option<[i16; 3]>,
}

async fn insert(db: &DatabaseConnection, client_id: i64, t: Ticket) {
    client(db, client_id).await;
    let created = t.created.unwrap();
    let ticket = tickets::ActiveModel {
        client_tg_id: Set(client_id),
        status: Set(if t.closed.is_some() {
            TicketStatus::Closed
        } else {
            TicketStatus::Work
        }),
        main_chat_id: Set(-100),
        assigned_tech_id: Set(t.tech),
        created_at: Set(created),
        first_response_at: Set(t.responded),
        closed_at: Set(t.closed),
        category: Set(t.category.map(str::to_owned)),
        first_response_due: Set(t.due.then(|| created + chrono::Duration::hours(1))),
        resolution_due: Set(t.due.then(|| created + chrono::Duration::hours(8))),
        first_response_breached_at: Set(t.breached.then(|| created + chrono::Duration::hours(1))),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    if let Some(q) = t.survey {
        feedback::ActiveModel {
            ticket_id: Set(ticket.id),
            q1: Set(q[0]),
            q2: Set(q[1]),
            q3: Set(q[2]),
            comment: Set(None),
            created_at: Set(t.closed.unwrap()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
}

/// The figures of a row, without its id and computation time.
type Figures = (
    String,
    i32,
    i32,
    i32,
    i32,
    [Option<f64>; 4],
    (i32, i32),
    [Option<f64>; 3],
    i32,
);

async fn rows_of(db: &DatabaseConnection, day: &str) -> Vec<Figures> {
    let rows = daily_stats::Entity::find()
        .filter(daily_stats::Column::Day.eq(day))
        .all(db)
        .await
        .unwrap();
    let mut rows: Vec<Figures> = rows
        .into_iter()
        .map(|r| {
            (
                r.category,
                r.tech_id,
                r.opened,
                r.closed,
                r.first_responses,
                [
                    r.first_response_p50_secs,
                    r.first_response_p90_secs,
                    r.resolution_p50_secs,
                    r.resolution_p90_secs,
                ],
                (r.sla_met, r.sla_breached),
                [r.survey_q1_avg, r.survey_q2_avg, r.survey_q3_avg],
                r.survey_responses,
            )
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    rows
}

fn stats(db: &DatabaseConnection, calendar: BusinessCalendar) -> DailyStats {
    DailyStats::new(
        db.clone(),
        calendar,
        Outbox::new(db.clone()).0,
        Texts::new(Language::Ru),
        Vec::new(),
    )
}

#[tokio::test]
async fn the_rollup_of_a_constructed_day_counts_it_in_business_time_and_a_second_run_gives_the_same_rows()
 {
    let desk = Desk::open().await;
    let db = &desk.app.db;
    crate::jobs::start_rollup_done(db).await;
    let tech = technicians::Entity::find()
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id;
    // Monday 16 November 2026; the team works 09:00–18:00 UTC on weekdays.
    let monday = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let calendar = BusinessCalendar::parse("Mon-Fri 09:00-18:00 UTC", "").unwrap();
    let billing = Some("billing");
    let tickets = [
        // Answered in 30 min, solved in 2 h, within its deadlines.
        Ticket {
            category: billing,
            tech: Some(tech),
            created: Some(at(16, 9, 0)),
            responded: Some(at(16, 9, 30)),
            closed: Some(at(16, 11, 0)),
            due: true,
            survey: Some([5, 4, 5]),
            ..Default::default()
        },
        // Answered in 10 min, solved in 7 h, but its first response was late.
        Ticket {
            category: billing,
            tech: Some(tech),
            created: Some(at(16, 10, 0)),
            responded: Some(at(16, 10, 10)),
            closed: Some(at(16, 17, 0)),
            due: true,
            breached: true,
            survey: Some([3, 3, 3]),
        },
        // Opened at night: counted as opened that day.
        Ticket {
            category: billing,
            tech: Some(tech),
            created: Some(at(16, 23, 0)),
            ..Default::default()
        },
        // No category, nobody assigned, not answered yet.
        Ticket {
            created: Some(at(16, 12, 0)),
            ..Default::default()
        },
        // Opened Friday 17:00: answered Monday 09:15 (1 h 15 min of business
        // time), closed Monday 10:00 (2 h); no SLA, so neither met nor breached.
        Ticket {
            tech: Some(tech),
            created: Some(at(13, 17, 0)),
            responded: Some(at(16, 9, 15)),
            closed: Some(at(16, 10, 0)),
            ..Default::default()
        },
    ];
    for (n, ticket) in tickets.into_iter().enumerate() {
        insert(db, 8_100_000 + n as i64, ticket).await;
    }

    let daily = stats(db, calendar);
    daily.roll_up(monday, monday).await.unwrap();
    let label = day_label(&monday);
    assert_eq!(label, "2026-11-16");
    let first = rows_of(db, &label).await;
    let none = [None; 3];
    assert_eq!(
        first,
        vec![
            ("".into(), 0, 1, 0, 0, [None; 4], (0, 0), none, 0),
            (
                "".into(),
                tech,
                0,
                1,
                1,
                [Some(4500.0), Some(4500.0), Some(7200.0), Some(7200.0)],
                (0, 0),
                none,
                0,
            ),
            (
                "*".into(),
                -1,
                4,
                3,
                3,
                // First responses 600, 1800, 4500 s; resolutions 7200, 7200, 25200 s.
                [Some(1800.0), Some(3960.0), Some(7200.0), Some(21600.0)],
                (1, 1),
                [Some(4.0), Some(3.5), Some(4.0)],
                2,
            ),
            (
                "billing".into(),
                tech,
                3,
                2,
                2,
                [Some(1200.0), Some(1680.0), Some(16200.0), Some(23400.0)],
                (1, 1),
                [Some(4.0), Some(3.5), Some(4.0)],
                2,
            ),
        ]
    );

    daily.roll_up(monday, monday).await.unwrap();
    assert_eq!(rows_of(db, &label).await, first, "the same rows, replaced");
    assert_eq!(
        daily_stats::Entity::find().all(db).await.unwrap().len(),
        4,
        "no other day was touched"
    );

    // The nightly run fills every day since the first ticket, the empty
    // weekend included (a totals row marks a day as done).
    let days = daily.roll_up_due(at(18, 0, 5)).await.unwrap();
    // Fri 13 … Tue 17.
    assert_eq!(days, 5);
    for day in ["2026-11-13", "2026-11-14", "2026-11-15", "2026-11-17"] {
        assert!(!rows_of(db, day).await.is_empty(), "{day}");
    }
    assert_eq!(rows_of(db, &label).await, first);
    let saturday = rows_of(db, "2026-11-14").await;
    assert_eq!(
        saturday,
        vec![("*".into(), -1, 0, 0, 0, [None; 4], (0, 0), none, 0)]
    );
}

#[tokio::test]
async fn managers_get_yesterdays_summary_once_even_across_a_restart() {
    let options = || AppOptions {
        vars: vec![
            ("ADMIN_IDS".into(), "777001".into()),
            // Whatever the hour, a 09:00 report has a last due moment; a
            // start sends it if no instance did.
            ("DAILY_REPORT_AT".into(), "09:00".into()),
        ],
        adjust: Some(Box::new(|settings: &mut topicdesk::config::Settings| {
            settings.jobs.sweep_every = std::time::Duration::from_secs(1);
        })),
        ..AppOptions::default()
    };
    let app = spawn_app_with(options()).await;
    let now = Utc::now();
    let report_tick = if now.time() >= chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap() {
        now.date_naive()
    } else {
        now.date_naive().pred_opt().unwrap()
    };
    let reported = report_tick.pred_opt().unwrap();
    let texts = Texts::new(Language::Ru);
    let title = texts.daily_report_title(&day_label(&reported));
    eventually("the daily report to be queued", WAIT, || async {
        topicdesk::entities::outbox::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .iter()
            .any(|row| {
                row.dedup_key.as_deref()
                    == Some(&format!("daily-report:{}:777001", day_label(&reported)))
            })
    })
    .await;
    let row = topicdesk::entities::outbox::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.lane_chat_id == 777001)
        .unwrap();
    let action = row.action.to_string();
    assert!(action.contains(&title), "{action}");
    assert!(action.contains(&texts.stats_opened(0)), "{action}");
    assert!(action.contains(&texts.daily_report_sla(0, 0)), "{action}");

    // A restart: the report's tick is caught up on again, and finds it done.
    let database = app.database.clone();
    let fake = app.fake.clone();
    app.stop().await.unwrap();
    let again = spawn_app_with(AppOptions {
        database: Some(database),
        fake: Some(fake),
        ..options()
    })
    .await;
    let restarted = Utc::now();
    // Once the new instance has run a tick of its own, its catch-up is over.
    eventually("a sweep after the restart", WAIT, || async {
        let sweeps = crate::jobs::stored_jobs(&again.db, "sla_sweep:").await;
        sweeps.iter().any(|(key, status)| {
            status == "Done"
                && key
                    .rsplit(':')
                    .next()
                    .and_then(|t| t.parse::<i64>().ok())
                    .is_some_and(|t| t >= restarted.timestamp())
        })
    })
    .await;
    let reports = topicdesk::entities::outbox::Entity::find()
        .all(&again.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|row| row.lane_chat_id == 777001)
        .count();
    assert_eq!(reports, 1);
    assert_eq!(
        crate::jobs::stored_jobs(&again.db, "daily_report:")
            .await
            .len(),
        1
    );
}
