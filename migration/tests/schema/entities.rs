//! The application's SeaORM entities against the migrated schema.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm_migration::sea_orm::sea_query::OnConflict;
use sea_orm_migration::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityLoaderTrait, EntityTrait, ModelTrait, NotSet, QueryFilter, QueryOrder, Set, Statement,
    TryInsertResult,
};
use serde_json::json;
use topicdesk::entities::prelude::*;
use topicdesk::entities::{
    events, feedback, inbound_updates, message_links, mirrors, technicians, tickets, users,
};

use crate::harness::migrated;

pub const MAIN_CHAT: i64 = -100_1111111111;
pub const TECH_CHAT: i64 = -100_2222222222;

/// 2026-11-22 10:30:00 UTC plus `micros` microseconds (PostgreSQL keeps
/// microseconds, so test values stay within them).
pub fn at(micros: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 30, 0).unwrap() + Duration::microseconds(micros)
}

pub async fn insert_user(db: &DatabaseConnection, tg_id: i64) -> users::Model {
    users::ActiveModel {
        tg_id: Set(tg_id),
        username: Set(Some(format!("user{tg_id}"))),
        full_name: Set(format!("User {tg_id}")),
        language_code: Set(Some("ru".into())),
        created_at: Set(at(0)),
        last_seen: Set(at(1)),
        blocked_bot_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert user")
}

pub async fn insert_technician(db: &DatabaseConnection, name: &str) -> technicians::Model {
    technicians::ActiveModel {
        name: Set(name.into()),
        group_chat_id: Set(TECH_CHAT),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert technician")
}

pub async fn open_ticket(db: &DatabaseConnection, client: i64) -> Result<tickets::Model, DbErr> {
    tickets::ActiveModel {
        client_tg_id: Set(client),
        status: Set(TicketStatus::New),
        main_chat_id: Set(MAIN_CHAT),
        created_at: Set(at(10)),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn close_ticket(db: &DatabaseConnection, ticket: tickets::Model) -> tickets::Model {
    let mut ticket: tickets::ActiveModel = ticket.into();
    ticket.status = Set(TicketStatus::Closed);
    ticket.closed_at = Set(Some(at(99)));
    ticket.update(db).await.expect("close ticket")
}

pub async fn insert_event(
    db: &DatabaseConnection,
    ticket_id: Option<i32>,
    actor: Actor,
    payload: serde_json::Value,
    ts: DateTime<Utc>,
) -> events::Model {
    events::ActiveModel {
        ticket_id: Set(ticket_id),
        actor: Set(actor),
        action: Set("test.event".into()),
        payload: Set(payload),
        ts: Set(ts),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert event")
}

/// A row in every table, linked together; returns the ticket.
pub async fn seed_one_of_everything(db: &DatabaseConnection) -> tickets::Model {
    insert_user(db, 1001).await;
    let tech = insert_technician(db, "Tech").await;
    let ticket = open_ticket(db, 1001).await.expect("open ticket");
    mirrors::ActiveModel {
        ticket_id: Set(ticket.id),
        tech_id: Set(tech.id),
        chat_id: Set(TECH_CHAT),
        thread_id: Set(Some(77)),
        created_at: Set(at(20)),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert tech thread");
    message_links::ActiveModel {
        ticket_id: Set(ticket.id),
        src_chat_id: Set(1001),
        src_message_id: Set(5),
        dst_chat_id: Set(MAIN_CHAT),
        dst_message_id: Set(500),
        created_at: Set(at(21)),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert message link");
    insert_event(db, Some(ticket.id), Actor::Client, json!({"n": 1}), at(22)).await;
    let ticket = close_ticket(db, ticket).await;
    feedback::ActiveModel {
        ticket_id: Set(ticket.id),
        q1: Set(5),
        q2: Set(4),
        q3: Set(3),
        comment: Set(Some("спасибо".into())),
        created_at: Set(at(100)),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert feedback");
    inbound_updates::ActiveModel {
        update_id: Set(1),
        payload: Set(r#"{"update_id":1}"#.into()),
        status: Set(InboundStatus::Done),
        received_at: Set(at(0)),
        processed_at: Set(Some(at(1))),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert inbound update");
    ticket
}

on_both_backends!(
    a_ticket_round_trips_with_its_status_and_relations,
    an_event_round_trips_its_actor_and_json_payload,
    timestamps_round_trip_and_compare_in_time_order,
    columns_left_unset_take_their_database_defaults,
    ticket_numbers_count_up_from_one_and_are_never_reused,
    a_redelivered_update_is_ignored_with_on_conflict_do_nothing,
    a_message_copy_leads_back_to_its_original,
    deleting_a_ticket_removes_its_rows_but_keeps_its_events,
);

async fn a_ticket_round_trips_with_its_status_and_relations(db: DatabaseConnection) {
    migrated(&db).await;
    let client = insert_user(&db, 42).await;
    let tech = insert_technician(&db, "Ann").await;

    let ticket = open_ticket(&db, 42).await.expect("open ticket");
    assert_eq!(ticket.status, TicketStatus::New);
    assert_eq!(ticket.main_thread_id, None);

    let mut active: tickets::ActiveModel = ticket.into();
    active.status = Set(TicketStatus::Work);
    active.main_thread_id = Set(Some(314));
    active.assigned_tech_id = Set(Some(tech.id));
    active.first_response_at = Set(Some(at(50)));
    let ticket = active.update(&db).await.expect("update ticket");

    let found = Tickets::find_by_id(ticket.id)
        .one(&db)
        .await
        .unwrap()
        .expect("ticket");
    assert_eq!(found, ticket);
    assert_eq!(found.status, TicketStatus::Work);
    assert_eq!(found.main_thread_id, Some(314));
    assert_eq!(found.first_response_at, Some(at(50)));

    // Stored as the upper-case text.
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT status FROM tickets WHERE id = {}", ticket.id),
        ))
        .await
        .unwrap()
        .expect("row");
    assert_eq!(row.try_get::<String>("", "status").unwrap(), "WORK");

    // Filters on the enum column and on the topic.
    let by_status = Tickets::find()
        .filter(tickets::Column::Status.eq(TicketStatus::Work))
        .filter(tickets::Column::ClientTgId.eq(42))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(by_status, std::slice::from_ref(&ticket));
    let by_topic = Tickets::find()
        .filter(tickets::COLUMN.main_chat_id.eq(MAIN_CHAT))
        .filter(tickets::COLUMN.main_thread_id.eq(314))
        .one(&db)
        .await
        .unwrap();
    assert_eq!(by_topic.as_ref(), Some(&ticket));

    // Relations both ways.
    let (_, owner) = Tickets::find_by_id(ticket.id)
        .find_also_related(Users)
        .one(&db)
        .await
        .unwrap()
        .expect("ticket");
    assert_eq!(owner, Some(client.clone()));
    assert_eq!(
        client.find_related(Tickets).all(&db).await.unwrap(),
        std::slice::from_ref(&ticket)
    );
    assert_eq!(
        tech.find_related(Tickets).all(&db).await.unwrap(),
        std::slice::from_ref(&ticket)
    );
    let loaded = Tickets::load()
        .filter_by_id(ticket.id)
        .with(Users)
        .with(Technicians)
        .one(&db)
        .await
        .unwrap()
        .expect("ticket");
    assert_eq!(loaded.client.as_ref().map(|u| u.tg_id), Some(42));
    assert_eq!(loaded.assigned_tech.as_ref().map(|t| t.id), Some(tech.id));
}

async fn an_event_round_trips_its_actor_and_json_payload(db: DatabaseConnection) {
    migrated(&db).await;
    insert_user(&db, 7).await;
    let ticket = open_ticket(&db, 7).await.unwrap();
    let payload = json!({
        "from": "NEW",
        "to": "WORK",
        "tech": {"id": 3, "name": "Анна _x_ \"quoted\""},
        "messages": [1, 2, 3],
        "ratio": 0.5,
        "big": 9_007_199_254_740_993_i64,
        "none": null,
        "ok": true
    });

    let event = insert_event(&db, Some(ticket.id), Actor::Staff, payload.clone(), at(5)).await;
    let system = insert_event(&db, None, Actor::System, json!({}), at(6)).await;

    let found = Events::find_by_id(event.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.payload, payload);
    assert_eq!(found.actor, Actor::Staff);
    assert_eq!(found, event);
    let found = Events::find_by_id(system.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.ticket_id, None);
    assert_eq!(found.actor, Actor::System);
    assert_eq!(found.payload, json!({}));

    let history = ticket.find_related(Events).all(&db).await.unwrap();
    assert_eq!(history, std::slice::from_ref(&event));

    // The database sees a JSON object it can query into.
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT jsonb_typeof(payload) AS kind, payload->'tech'->>'name' AS name, \
             pg_typeof(payload)::text AS storage FROM events WHERE actor = 'STAFF'"
        }
        _ => {
            "SELECT json_type(payload) AS kind, json_extract(payload, '$.tech.name') AS name, \
             typeof(payload) AS storage FROM events WHERE actor = 'STAFF'"
        }
    };
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .expect("row");
    assert_eq!(row.try_get::<String>("", "kind").unwrap(), "object");
    assert_eq!(
        row.try_get::<String>("", "name").unwrap(),
        "Анна _x_ \"quoted\""
    );
    let storage = row.try_get::<String>("", "storage").unwrap();
    match backend {
        DbBackend::Postgres => assert_eq!(storage, "jsonb"),
        _ => assert_eq!(storage, "text"),
    }
}

async fn timestamps_round_trip_and_compare_in_time_order(db: DatabaseConnection) {
    migrated(&db).await;
    // Whole seconds, milliseconds and microseconds: different text lengths
    // on SQLite, which must still compare in time order.
    let times = [
        at(0),
        at(1),
        at(999),
        at(1_000),
        at(123_456),
        at(1_000_000),
        at(86_400_000_000),
    ];
    let mut ids = Vec::new();
    for (i, ts) in times.iter().enumerate().rev() {
        let event = insert_event(&db, None, Actor::System, json!({ "i": i }), *ts).await;
        assert_eq!(event.ts, *ts);
        ids.push((event.id, *ts));
    }
    for (id, ts) in ids {
        let found = Events::find_by_id(id).one(&db).await.unwrap().unwrap();
        assert_eq!(found.ts, ts, "event {id}");
    }

    let ordered: Vec<_> = Events::find()
        .order_by_asc(events::Column::Ts)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.ts)
        .collect();
    assert_eq!(ordered, times);

    let later: Vec<_> = Events::find()
        .filter(events::Column::Ts.gt(at(999)))
        .filter(events::Column::Ts.lte(at(1_000_000)))
        .order_by_asc(events::Column::Ts)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.ts)
        .collect();
    assert_eq!(later, [at(1_000), at(123_456), at(1_000_000)]);

    // Nullable timestamps too, and a time with an offset comes back in UTC.
    let user = insert_user(&db, 9).await;
    assert_eq!(user.blocked_bot_at, None);
    let blocked = chrono::FixedOffset::east_opt(3 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, 22, 13, 30, 0)
        .unwrap();
    let mut active: users::ActiveModel = user.into();
    active.blocked_bot_at = Set(Some(blocked.with_timezone(&Utc)));
    active.update(&db).await.unwrap();
    let user = Users::find_by_id(9).one(&db).await.unwrap().unwrap();
    assert_eq!(user.blocked_bot_at, Some(at(0)));
    assert_eq!(user.created_at, at(0));
    assert_eq!(user.last_seen, at(1));
}

async fn columns_left_unset_take_their_database_defaults(db: DatabaseConnection) {
    migrated(&db).await;
    let tech = insert_technician(&db, "Bob").await;
    assert!(tech.is_active);
    assert_eq!(tech.tg_user_id, None);

    let update = inbound_updates::ActiveModel {
        update_id: Set(5_000_000_000),
        payload: Set("{}".into()),
        status: Set(InboundStatus::Pending),
        received_at: Set(at(0)),
        attempts: NotSet,
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    assert_eq!(update.attempts, 0);
    assert_eq!(update.update_id, 5_000_000_000);
    assert_eq!(update.status, InboundStatus::Pending);
}

async fn ticket_numbers_count_up_from_one_and_are_never_reused(db: DatabaseConnection) {
    migrated(&db).await;
    for client in [1, 2, 3] {
        insert_user(&db, client).await;
    }
    let first = open_ticket(&db, 1).await.unwrap();
    let second = open_ticket(&db, 2).await.unwrap();
    assert_eq!((first.id, second.id), (1, 2));

    second.delete(&db).await.unwrap();
    let third = open_ticket(&db, 3).await.unwrap();
    assert_eq!(
        third.id, 3,
        "the number of a deleted ticket is not handed out again"
    );
}

async fn a_redelivered_update_is_ignored_with_on_conflict_do_nothing(db: DatabaseConnection) {
    migrated(&db).await;
    let update = |payload: &str| inbound_updates::ActiveModel {
        update_id: Set(123_456_789),
        payload: Set(payload.into()),
        chat_id: Set(Some(-100)),
        status: Set(InboundStatus::Pending),
        received_at: Set(at(0)),
        ..Default::default()
    };

    // exec_without_returning reports rows affected: 1, then 0 for the
    // duplicate (it is still `Inserted`, not `Conflicted`).
    let first = InboundUpdates::insert(update("first"))
        .on_conflict_do_nothing()
        .exec_without_returning(&db)
        .await
        .unwrap();
    assert!(matches!(first, TryInsertResult::Inserted(1)), "{first:?}");
    let again = InboundUpdates::insert(update("second"))
        .on_conflict_do_nothing()
        .exec_without_returning(&db)
        .await
        .unwrap();
    assert!(matches!(again, TryInsertResult::Inserted(0)), "{again:?}");

    // exec reports the duplicate as `Conflicted`.
    let again = InboundUpdates::insert(update("third"))
        .on_conflict_do_nothing()
        .exec(&db)
        .await
        .unwrap();
    assert!(matches!(again, TryInsertResult::Conflicted), "{again:?}");

    // A plain Insert with an explicit OnConflict: Ok(0) for the duplicate.
    let rows = InboundUpdates::insert(update("fourth"))
        .on_conflict(
            OnConflict::column(inbound_updates::Column::UpdateId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&db)
        .await
        .unwrap();
    assert_eq!(rows, 0);

    // And without ON CONFLICT the duplicate is a unique violation.
    let err = InboundUpdates::insert(update("fifth"))
        .exec_without_returning(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.sql_err(),
            Some(sea_orm_migration::sea_orm::SqlErr::UniqueConstraintViolation(_))
        ),
        "{err}"
    );

    let stored = InboundUpdates::find_by_id(123_456_789)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.payload, "first", "the first delivery wins");
    assert_eq!(InboundUpdates::find().all(&db).await.unwrap().len(), 1);

    // The replay queue: pending rows in update_id order.
    InboundUpdates::insert(inbound_updates::ActiveModel {
        update_id: Set(100),
        ..update("older")
    })
    .exec_without_returning(&db)
    .await
    .unwrap();
    let pending: Vec<i64> = InboundUpdates::find()
        .filter(inbound_updates::Column::Status.eq(InboundStatus::Pending))
        .order_by_asc(inbound_updates::Column::UpdateId)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.update_id)
        .collect();
    assert_eq!(pending, [100, 123_456_789]);
}

async fn a_message_copy_leads_back_to_its_original(db: DatabaseConnection) {
    migrated(&db).await;
    let ticket = seed_one_of_everything(&db).await;

    let link = MessageLinks::find()
        .filter(message_links::Column::DstChatId.eq(MAIN_CHAT))
        .filter(message_links::Column::DstMessageId.eq(500))
        .one(&db)
        .await
        .unwrap()
        .expect("link");
    assert_eq!((link.src_chat_id, link.src_message_id), (1001, 5));
    assert_eq!(link.ticket_id, ticket.id);

    // The same message copied into the same chat twice is refused; into
    // another chat it is fine.
    let copy = |dst_chat_id: i64, dst_message_id: i32| message_links::ActiveModel {
        ticket_id: Set(ticket.id),
        src_chat_id: Set(1001),
        src_message_id: Set(5),
        dst_chat_id: Set(dst_chat_id),
        dst_message_id: Set(dst_message_id),
        created_at: Set(at(30)),
        ..Default::default()
    };
    let err = copy(MAIN_CHAT, 501).insert(&db).await.unwrap_err();
    assert!(
        matches!(
            err.sql_err(),
            Some(sea_orm_migration::sea_orm::SqlErr::UniqueConstraintViolation(_))
        ),
        "{err}"
    );
    copy(TECH_CHAT, 900).insert(&db).await.unwrap();
}

async fn deleting_a_ticket_removes_its_rows_but_keeps_its_events(db: DatabaseConnection) {
    migrated(&db).await;
    let ticket = seed_one_of_everything(&db).await;
    assert_eq!(
        ticket.find_related(Mirrors).all(&db).await.unwrap().len(),
        1
    );
    assert!(
        ticket
            .find_related(Feedback)
            .one(&db)
            .await
            .unwrap()
            .is_some()
    );

    ticket.delete(&db).await.unwrap();

    assert!(Mirrors::find().all(&db).await.unwrap().is_empty());
    assert!(Feedback::find().all(&db).await.unwrap().is_empty());
    assert!(MessageLinks::find().all(&db).await.unwrap().is_empty());
    let events = Events::find().all(&db).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].ticket_id, None);
    // The technician and the client stay.
    assert_eq!(Technicians::find().all(&db).await.unwrap().len(), 1);
    assert_eq!(Users::find().all(&db).await.unwrap().len(), 1);
}
