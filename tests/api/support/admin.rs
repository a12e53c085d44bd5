//! The manager commands' tests' desk: a manager, asking a command and
//! reading the answer, and rows written straight into the database.

use chrono::{DateTime, Utc};
use fake_telegram::{Actor, FakeTelegram, StoredMessage};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use topicdesk::entities::{
    InboundStatus, OutboxStatus, TicketStatus, feedback, inbound_updates, outbox, tickets, users,
};

use super::flows::add_manager;
use super::{Desk, TestApp, WAIT, eventually, vars};

/// A desk whose ADMIN_IDS names Maria, a member of the main group.
pub async fn open_desk(settings: Vec<(&str, &str)>) -> (Desk, i64) {
    let fake = FakeTelegram::start().await;
    let admin = add_manager(&fake);
    let mut all = vars([("ADMIN_IDS", format!("424242, {admin}").as_str())]);
    all.extend(vars(settings));
    let desk = Desk::open_on(fake, all).await;
    desk.fake().add_member(desk.main_group(), admin);
    (desk, admin)
}

/// Waits until the application has finished with an update.
pub async fn handled(app: &TestApp, update_id: i64) {
    eventually(
        &format!("update {update_id} handled"),
        WAIT,
        || async move {
            inbound_updates::Entity::find_by_id(update_id)
                .one(&app.db)
                .await
                .unwrap()
                .is_some_and(|row| row.status == InboundStatus::Done)
        },
    )
    .await;
}

/// Waits until everything queued for `chat` has left the outbox (answers
/// go out through it like every other message), the answer to the command
/// included if there is one.
pub async fn answered(app: &TestApp, chat: i64) {
    eventually(
        &format!("the outbox of {chat} drained"),
        WAIT,
        || async move {
            outbox::Entity::find()
                .filter(outbox::Column::LaneChatId.eq(chat))
                .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
                .one(&app.db)
                .await
                .unwrap()
                .is_none()
        },
    )
    .await;
}

/// Sends `command` as `actor` and returns what the bot answered: its
/// messages after the command, in the same chat and topic.
pub async fn ask(app: &TestApp, actor: Actor<'_>, command: &str) -> Vec<StoredMessage> {
    let sent = actor.command(command);
    handled(app, sent.update_id).await;
    answered(app, sent.chat_id).await;
    app.fake
        .bot_messages(sent.chat_id)
        .into_iter()
        .filter(|m| m.id() > sent.message_id && m.thread_id() == sent.thread_id)
        .collect()
}

/// The answer as one text, parts joined by a line break.
pub fn text_of(answer: &[StoredMessage]) -> String {
    answer
        .iter()
        .map(|m| m.text().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one message of a short answer.
pub fn single(answer: &[StoredMessage]) -> String {
    assert_eq!(answer.len(), 1, "one message: {answer:#?}");
    text_of(answer)
}

pub async fn insert_client(
    db: &DatabaseConnection,
    tg_id: i64,
    name: &str,
    username: Option<&str>,
) {
    users::ActiveModel {
        tg_id: Set(tg_id),
        username: Set(username.map(str::to_owned)),
        full_name: Set(name.to_owned()),
        language_code: Set(Some("ru".into())),
        created_at: Set(Utc::now()),
        last_seen: Set(Utc::now()),
        blocked_bot_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

/// A ticket row written straight into the database, for lists and figures.
pub struct Row {
    pub client: i64,
    pub status: TicketStatus,
    pub tech: Option<i32>,
    pub thread: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Row {
    pub fn new(client: i64, status: TicketStatus, created_at: DateTime<Utc>) -> Self {
        Row {
            client,
            status,
            tech: None,
            thread: None,
            created_at,
            first_response_at: None,
            closed_at: None,
        }
    }
}

pub async fn insert_ticket(db: &DatabaseConnection, main_group: i64, row: Row) -> tickets::Model {
    tickets::ActiveModel {
        client_tg_id: Set(row.client),
        status: Set(row.status),
        main_chat_id: Set(main_group),
        main_thread_id: Set(row.thread),
        assigned_tech_id: Set(row.tech),
        created_at: Set(row.created_at),
        first_response_at: Set(row.first_response_at),
        closed_at: Set(row.closed_at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
}

pub async fn insert_feedback(
    db: &DatabaseConnection,
    ticket_id: i32,
    q: [i16; 3],
    comment: Option<&str>,
) {
    feedback::ActiveModel {
        ticket_id: Set(ticket_id),
        q1: Set(q[0]),
        q2: Set(q[1]),
        q3: Set(q[2]),
        comment: Set(comment.map(str::to_owned)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}
