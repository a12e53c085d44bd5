//! The tickets service on its own (no Telegram): the rules that protect a
//! ticket from two people changing it at once, and from double opening.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use teloxide::types::{User, UserId};
use topicdesk::config::{DatabaseSettings, Language};
use topicdesk::entities::{Actor, OutboxStatus, TicketStatus, outbox, technicians};
use topicdesk::outbox::Outbox;
use topicdesk::services::tickets::{Change, TICKET_LOCK_TTL, TicketService};
use topicdesk::store::Store;
use topicdesk::texts::Texts;

use crate::support::TestDatabase;

const MAIN_GROUP: i64 = -1001234;

fn person(id: u64, name: &str) -> User {
    User {
        id: UserId(id),
        is_bot: false,
        first_name: name.to_owned(),
        last_name: None,
        username: None,
        language_code: None,
        is_premium: false,
        added_to_attachment_menu: false,
    }
}

struct Fixture {
    _database: TestDatabase,
    db: sea_orm::DatabaseConnection,
    store: Store,
    tickets: TicketService,
    tech_id: i32,
}

async fn fixture() -> Fixture {
    let database = TestDatabase::create().await;
    let db = topicdesk::database::connect_and_migrate(&DatabaseSettings {
        url: database.url.clone().into(),
    })
    .await
    .unwrap();
    let store = Store::in_process(format!("svc-{}:", uuid::Uuid::new_v4().simple()));
    // Nobody drains the outbox here: the rows themselves are what we check.
    let (outbox, _wake) = Outbox::new(db.clone());
    let tickets = TicketService::new(
        db.clone(),
        outbox,
        store.clone(),
        Texts::new(Language::Ru),
        MAIN_GROUP,
        topicdesk::config::DEFAULT_SURVEY_TTL,
    );
    let tech = technicians::ActiveModel {
        name: Set("Ivan Petrov".into()),
        username: Set(Some("ivan".into())),
        group_chat_id: Set(-1005555),
        is_active: Set(true),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    Fixture {
        _database: database,
        db,
        store,
        tickets,
        tech_id: tech.id,
    }
}

async fn client(f: &Fixture, id: u64) -> User {
    let user = person(id, "Client");
    topicdesk::services::users::UserService::new(f.db.clone())
        .touch(&user)
        .await
        .unwrap();
    user
}

#[tokio::test]
async fn opening_twice_returns_the_same_open_ticket() {
    let f = fixture().await;
    let anna = client(&f, 501).await;
    let (first, opened) = f.tickets.open_for(&anna, "").await.unwrap();
    assert!(opened);
    let (again, opened_again) = f.tickets.open_for(&anna, "").await.unwrap();
    assert!(!opened_again);
    assert_eq!(first.id, again.id);
    let rows = outbox::Entity::find().all(&f.db).await.unwrap();
    assert_eq!(rows.len(), 3, "topic, card and acknowledgement, once");
    assert!(rows.iter().all(|r| r.status == OutboxStatus::Pending));
}

#[tokio::test]
async fn a_press_while_another_holds_the_ticket_is_answered_busy_and_changes_nothing() {
    let f = fixture().await;
    let anna = client(&f, 502).await;
    let staff = person(900, "Sveta");
    let (ticket, _) = f.tickets.open_for(&anna, "").await.unwrap();

    let held = f
        .store
        .try_lock(&format!("ticket:{}", ticket.id), TICKET_LOCK_TTL)
        .await
        .unwrap()
        .expect("the lock is free");
    assert_eq!(
        f.tickets
            .assign(ticket.id, f.tech_id, &staff)
            .await
            .unwrap(),
        Change::Busy
    );
    assert_eq!(
        f.tickets
            .close(ticket.id, Actor::Staff, "Sveta")
            .await
            .unwrap(),
        Change::Busy
    );
    let unchanged = f.tickets.get(ticket.id).await.unwrap().unwrap();
    assert_eq!(unchanged.status, TicketStatus::New);

    assert!(f.store.unlock(held).await.unwrap());
    assert_eq!(
        f.tickets
            .assign(ticket.id, f.tech_id, &staff)
            .await
            .unwrap(),
        Change::Done
    );
    assert_eq!(
        f.tickets
            .assign(ticket.id, f.tech_id, &staff)
            .await
            .unwrap(),
        Change::Unchanged
    );
    let assigned = f.tickets.get(ticket.id).await.unwrap().unwrap();
    assert_eq!(assigned.status, TicketStatus::Work);
    assert_eq!(assigned.assigned_tech_id, Some(f.tech_id));
}

#[tokio::test]
async fn a_closed_ticket_cannot_be_assigned_or_closed_again() {
    let f = fixture().await;
    let anna = client(&f, 503).await;
    let staff = person(900, "Sveta");
    let (ticket, _) = f.tickets.open_for(&anna, "").await.unwrap();
    assert_eq!(
        f.tickets
            .close(ticket.id, Actor::Client, "Client")
            .await
            .unwrap(),
        Change::Done
    );
    assert_eq!(
        f.tickets
            .close(ticket.id, Actor::Staff, "Sveta")
            .await
            .unwrap(),
        Change::Unchanged
    );
    assert_eq!(
        f.tickets
            .assign(ticket.id, f.tech_id, &staff)
            .await
            .unwrap(),
        Change::TicketClosed
    );
    let closed = f.tickets.get(ticket.id).await.unwrap().unwrap();
    assert!(closed.closed_at.is_some_and(|at| at <= Utc::now()));
    assert_eq!(closed.assigned_tech_id, None);
}

#[tokio::test]
async fn unknown_tickets_and_inactive_technicians_are_refused() {
    let f = fixture().await;
    let anna = client(&f, 504).await;
    let staff = person(900, "Sveta");
    let (ticket, _) = f.tickets.open_for(&anna, "").await.unwrap();
    assert_eq!(
        f.tickets.assign(9999, f.tech_id, &staff).await.unwrap(),
        Change::UnknownTicket
    );
    assert_eq!(
        f.tickets.assign(ticket.id, 9999, &staff).await.unwrap(),
        Change::UnknownTechnician
    );
    let mut tech: technicians::ActiveModel = technicians::Entity::find_by_id(f.tech_id)
        .one(&f.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    tech.is_active = Set(false);
    tech.update(&f.db).await.unwrap();
    assert_eq!(
        f.tickets
            .assign(ticket.id, f.tech_id, &staff)
            .await
            .unwrap(),
        Change::UnknownTechnician
    );
}

#[tokio::test]
async fn a_second_survey_completion_for_a_ticket_is_refused() {
    use topicdesk::entities::feedback;
    use topicdesk::services::survey::{self, SurveyService};

    let f = fixture().await;
    let (outbox, _wake) = Outbox::new(f.db.clone());
    let surveys = SurveyService::new(
        f.db.clone(),
        outbox,
        f.store.clone(),
        Texts::new(Language::Ru),
        topicdesk::config::DEFAULT_SURVEY_TTL,
    );
    let anna = client(&f, 505).await;
    let (ticket, _) = f.tickets.open_for(&anna, "").await.unwrap();
    f.tickets
        .close(ticket.id, Actor::Client, "Anna")
        .await
        .unwrap();

    // The first completion: 4, 5, 5 and a comment.
    for (question, score) in [(1, 4), (2, 5), (3, 5)] {
        surveys
            .rate(&anna, ticket.id, question, score, (505, 1))
            .await
            .unwrap();
    }
    assert!(surveys.take_comment(&anna, "slow start").await.unwrap());

    // Somehow the survey runs again for the same ticket: the first answers stand.
    survey::begin(
        &f.store,
        505,
        ticket.id,
        topicdesk::config::DEFAULT_SURVEY_TTL,
    )
    .await
    .unwrap();
    for question in 1..=3 {
        surveys
            .rate(&anna, ticket.id, question, 1, (505, 1))
            .await
            .unwrap();
    }
    assert!(
        surveys
            .take_comment(&anna, "changed my mind")
            .await
            .unwrap()
    );
    let rows = feedback::Entity::find().all(&f.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].q1, rows[0].q2, rows[0].q3), (4, 5, 5));
    assert_eq!(rows[0].comment.as_deref(), Some("slow start"));
    assert_eq!(
        f.store.fsm_get(505).await.unwrap(),
        None,
        "the survey is over"
    );
}
