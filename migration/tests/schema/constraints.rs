//! What the database itself refuses, whatever the application does.

use sea_orm_migration::sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, Set, SqlErr,
};
use topicdesk::entities::prelude::*;
use topicdesk::entities::{feedback, mirrors, tickets};

use crate::entities::{TECH_CHAT, at, close_ticket, insert_user, open_ticket};
use crate::harness::migrated;

fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

fn is_foreign_key_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    )
}

/// `sql_err()` knows unique and foreign-key violations only; a CHECK
/// violation shows in the message (PostgreSQL names the constraint, SQLite
/// the constraint name too).
fn is_check_violation(err: &DbErr, constraint: &str) -> bool {
    let message = err.to_string();
    message.contains(constraint) && err.sql_err().is_none()
}

async fn insert_feedback(
    db: &DatabaseConnection,
    ticket_id: i32,
    (q1, q2, q3): (i16, i16, i16),
) -> Result<feedback::Model, DbErr> {
    feedback::ActiveModel {
        ticket_id: Set(ticket_id),
        q1: Set(q1),
        q2: Set(q2),
        q3: Set(q3),
        comment: Set(None),
        created_at: Set(at(0)),
        ..Default::default()
    }
    .insert(db)
    .await
}

on_both_backends!(
    a_client_cannot_have_two_open_tickets_but_can_open_another_once_the_first_is_closed,
    a_ticket_cannot_be_reopened_while_the_client_has_another_open_one,
    feedback_refuses_ratings_outside_one_to_five,
    a_ticket_gets_at_most_one_feedback,
    foreign_keys_are_enforced,
);

async fn a_client_cannot_have_two_open_tickets_but_can_open_another_once_the_first_is_closed(
    db: DatabaseConnection,
) {
    migrated(&db).await;
    insert_user(&db, 1).await;
    insert_user(&db, 2).await;

    let first = open_ticket(&db, 1).await.expect("first ticket");
    let err = open_ticket(&db, 1).await.expect_err("second open ticket");
    assert!(is_unique_violation(&err), "{err}");

    // WORK counts as open too, and raw SQL meets the same index.
    let mut working: tickets::ActiveModel = first.clone().into();
    working.status = Set(TicketStatus::Work);
    let first = working.update(&db).await.unwrap();
    let err = db
        .execute_unprepared(
            "INSERT INTO tickets (client_tg_id, status, main_chat_id, created_at) \
             VALUES (1, 'NEW', -100, '2026-11-22T10:30:00+00:00')",
        )
        .await
        .expect_err("raw second open ticket");
    assert!(is_unique_violation(&err), "{err}");

    // Another client is not affected.
    open_ticket(&db, 2).await.expect("another client's ticket");

    // Once the first is closed, a new one opens.
    close_ticket(&db, first).await;
    let second = open_ticket(&db, 1)
        .await
        .expect("a new ticket after closing");
    let err = open_ticket(&db, 1)
        .await
        .expect_err("third while second is open");
    assert!(is_unique_violation(&err), "{err}");

    close_ticket(&db, second).await;
    open_ticket(&db, 1).await.expect("a third ticket");
    let closed = Tickets::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.client_tg_id == 1 && t.status == TicketStatus::Closed)
        .count();
    assert_eq!(closed, 2, "any number of closed tickets per client");
}

async fn a_ticket_cannot_be_reopened_while_the_client_has_another_open_one(db: DatabaseConnection) {
    migrated(&db).await;
    insert_user(&db, 1).await;
    let old = close_ticket(&db, open_ticket(&db, 1).await.unwrap()).await;
    open_ticket(&db, 1).await.unwrap();

    let mut reopen: tickets::ActiveModel = old.into();
    reopen.status = Set(TicketStatus::New);
    reopen.closed_at = Set(None);
    let err = reopen.update(&db).await.expect_err("reopen");
    assert!(is_unique_violation(&err), "{err}");
}

async fn feedback_refuses_ratings_outside_one_to_five(db: DatabaseConnection) {
    migrated(&db).await;
    insert_user(&db, 1).await;
    let ticket = close_ticket(&db, open_ticket(&db, 1).await.unwrap()).await;

    for (ratings, constraint) in [
        ((6, 3, 3), "ck_feedback_q1_range"),
        ((0, 3, 3), "ck_feedback_q1_range"),
        ((3, 6, 3), "ck_feedback_q2_range"),
        ((3, 3, -1), "ck_feedback_q3_range"),
    ] {
        let err = insert_feedback(&db, ticket.id, ratings)
            .await
            .expect_err("out of range");
        assert!(is_check_violation(&err, constraint), "{ratings:?}: {err}");
    }
    let err = db
        .execute_unprepared(&format!(
            "INSERT INTO feedback (ticket_id, q1, q2, q3, created_at) \
             VALUES ({}, 6, 5, 5, '2026-11-22T10:30:00+00:00')",
            ticket.id
        ))
        .await
        .expect_err("raw q1 = 6");
    assert!(is_check_violation(&err, "ck_feedback_q1_range"), "{err}");
    assert!(Feedback::find().all(&db).await.unwrap().is_empty());

    let saved = insert_feedback(&db, ticket.id, (1, 5, 3)).await.unwrap();
    assert_eq!((saved.q1, saved.q2, saved.q3), (1, 5, 3));
}

async fn a_ticket_gets_at_most_one_feedback(db: DatabaseConnection) {
    migrated(&db).await;
    insert_user(&db, 1).await;
    let ticket = close_ticket(&db, open_ticket(&db, 1).await.unwrap()).await;
    insert_feedback(&db, ticket.id, (5, 5, 5)).await.unwrap();
    let err = insert_feedback(&db, ticket.id, (4, 4, 4))
        .await
        .expect_err("second feedback");
    assert!(is_unique_violation(&err), "{err}");
}

async fn foreign_keys_are_enforced(db: DatabaseConnection) {
    migrated(&db).await;

    let err = open_ticket(&db, 404).await.expect_err("unknown client");
    assert!(is_foreign_key_violation(&err), "{err}");

    insert_user(&db, 1).await;
    let ticket = open_ticket(&db, 1).await.unwrap();
    let err = mirrors::ActiveModel {
        ticket_id: Set(ticket.id),
        tech_id: Set(404),
        chat_id: Set(TECH_CHAT),
        thread_id: Set(Some(1)),
        created_at: Set(at(0)),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect_err("unknown technician");
    assert!(is_foreign_key_violation(&err), "{err}");

    let err = insert_feedback(&db, 404, (5, 5, 5))
        .await
        .expect_err("unknown ticket");
    assert!(is_foreign_key_violation(&err), "{err}");

    // A client with tickets cannot be deleted.
    let err = Users::delete_by_id(1)
        .exec(&db)
        .await
        .expect_err("delete client");
    assert!(is_foreign_key_violation(&err), "{err}");
}
