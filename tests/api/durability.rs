//! Nothing acknowledged is lost: not to a database outage, not to a crash,
//! not to a handler that keeps failing.

use std::sync::Arc;
use std::time::Duration;

use fake_telegram::{Fault, UserSpec};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use topicdesk::entities::{InboundStatus, OutboxStatus, outbox, users};

use crate::support::logs::{CapturedLogs, message};
use crate::support::outage::{SqliteWriteLock, TcpProxy};
use crate::support::{AppOptions, Desk, TestDatabase, eventually, spawn_app, spawn_app_with};

const WAIT: Duration = Duration::from_secs(15);

async fn user_row_exists(app: &crate::support::TestApp, id: i64) -> bool {
    users::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .ok()
        .flatten()
        .is_some()
}

/// A database that a test can take away from the application and give
/// back: PostgreSQL behind a proxy that cuts every connection, or SQLite
/// locked by another writer.
struct Removable {
    database: Arc<TestDatabase>,
    proxy: Option<TcpProxy>,
    lock: Option<SqliteWriteLock>,
}

impl Removable {
    async fn create() -> Removable {
        let database = Arc::new(TestDatabase::create().await);
        let proxy = match database.postgres_address() {
            Some(upstream) => Some(TcpProxy::start(upstream).await),
            None => None,
        };
        Removable {
            database,
            proxy,
            lock: None,
        }
    }

    /// The database and the URL the application connects through.
    fn options(&self) -> AppOptions {
        AppOptions {
            database: Some(self.database.clone()),
            database_url: self
                .proxy
                .as_ref()
                .map(|p| self.database.url_via(p.address)),
            ..AppOptions::default()
        }
    }

    async fn take_away(&mut self) {
        match &self.proxy {
            Some(proxy) => proxy.go_down(),
            None => self.lock = Some(SqliteWriteLock::take(&self.database.url).await),
        }
    }

    async fn give_back(&mut self) {
        if let Some(proxy) = &self.proxy {
            proxy.come_back();
        }
        if let Some(lock) = self.lock.take() {
            lock.release().await;
        }
    }
}

#[tokio::test]
async fn while_the_database_is_down_the_webhook_answers_503_and_nothing_is_lost() {
    let mut database = Removable::create().await;
    let app = spawn_app_with(database.options()).await;
    let client = app.fake.add_user("Vera");

    // Take the database away.
    database.take_away().await;

    let sent = app.fake.user(client).in_private().command("/start");
    app.fake
        .wait_until(WAIT, |world| {
            world
                .delivery_attempts()
                .iter()
                .any(|a| a.update_id == sent.update_id && a.status == Some(503))
        })
        .await
        .expect("the webhook refuses with 503 while the database is down");
    assert!(app.fake.bot_messages(client).is_empty());

    // Bring it back: Telegram's next delivery is stored and processed.
    database.give_back().await;
    let replies = app.fake.wait_for_bot_messages(client, 1).await.unwrap();
    assert!(replies[0].text().unwrap().contains("Здравствуйте"));
    eventually("the update to be marked done", WAIT, || async {
        let rows = app.inbound_rows().await;
        rows.len() == 1 && rows[0].status == InboundStatus::Done
    })
    .await;
}

/// A call that reached Telegram just as the database went away: its sent
/// mark waits for the database instead of being given up, so the message
/// is not sent a second time once the database is back.
#[tokio::test]
async fn a_delivery_whose_sent_mark_meets_a_database_outage_goes_out_once() {
    let mut database = Removable::create().await;
    let logs = CapturedLogs::new();
    let desk = Desk::open_with(AppOptions {
        logs: Some(logs.clone()),
        ..database.options()
    })
    .await;
    let (client, topic) = desk.client_opens_ticket("Gleb", "The scanner jams").await;
    let main = desk.main_group();
    let fake = desk.fake();

    // The next copy takes a while to come back from Telegram ...
    let copies_before = fake.arrived_calls("copyMessage");
    fake.set_method_latency("copyMessage", Some(Duration::from_millis(1500)));
    fake.user(client).in_private().text("It jams again");
    fake.wait_until(WAIT, |w| w.arrived_calls("copyMessage") > copies_before)
        .await
        .expect("the copy on its way to Telegram");
    // ... and the database goes away meanwhile.
    database.take_away().await;
    let copied = |w: &fake_telegram::World| {
        w.topic_messages(main, topic.thread_id)
            .iter()
            .filter(|m| m.text() == Some("It jams again"))
            .count()
    };
    fake.wait_until(WAIT, |w| copied(w) == 1)
        .await
        .expect("the copy reached the topic");
    logs.wait_for("the sent mark to fail", WAIT, |line| {
        message(line).contains("cannot mark the delivery sent yet")
    })
    .await;
    fake.set_method_latency("copyMessage", None);

    database.give_back().await;
    eventually("every delivery marked sent", WAIT, || async {
        outbox::Entity::find()
            .filter(outbox::Column::Status.ne(OutboxStatus::Sent))
            .count(&desk.app.db)
            .await
            .is_ok_and(|left| left == 0)
    })
    .await;
    assert_eq!(fake.read(copied), 1, "the message reached the topic once");
}

#[tokio::test]
async fn updates_left_unfinished_by_a_crash_are_replayed_at_the_next_start() {
    let app = spawn_app().await;
    let client = app.fake.add_user(UserSpec::new("Gleb").username("gleb"));
    // Telegram is slow to answer, so the reply is still in flight when we crash.
    app.fake
        .set_method_latency("sendMessage", Some(Duration::from_secs(60)));

    app.fake.user(client).in_private().command("/start");
    eventually("the handler to start", WAIT, || {
        user_row_exists(&app, client)
    })
    .await;
    let main_group = app.main_group;
    let (fake, database) = app.crash();

    assert!(
        fake.bot_messages(client).is_empty(),
        "nothing was sent before the crash"
    );
    fake.set_method_latency("sendMessage", None);

    let restarted = spawn_app_with(AppOptions {
        fake: Some(fake),
        database: Some(database),
        main_group: Some(main_group),
        ..AppOptions::default()
    })
    .await;
    let replies = restarted
        .fake
        .wait_for_bot_messages(client, 1)
        .await
        .unwrap();
    assert!(replies[0].text().unwrap().contains("Здравствуйте"));
    eventually("the replayed update to be marked done", WAIT, || async {
        let rows = restarted.inbound_rows().await;
        rows.len() == 1 && rows[0].status == InboundStatus::Done
    })
    .await;
    assert_eq!(restarted.fake.bot_messages(client).len(), 1);
}

#[tokio::test]
async fn a_graceful_stop_lets_in_flight_updates_finish() {
    let app = spawn_app().await;
    let client = app.fake.add_user("Dina");
    app.fake
        .set_method_latency("sendMessage", Some(Duration::from_millis(700)));

    app.fake.user(client).in_private().command("/start");
    eventually("the handler to start", WAIT, || {
        user_row_exists(&app, client)
    })
    .await;
    let fake = app.fake.clone();
    let database = app.database.clone();
    let db = database.connect().await;

    app.stop().await.expect("a graceful stop returns Ok");

    assert_eq!(
        fake.bot_messages(client).len(),
        1,
        "the in-flight reply was sent"
    );
    let rows = topicdesk::entities::inbound_updates::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, InboundStatus::Done);
}

/// Makes every write of user `id`'s row fail with `message`, as a broken
/// row or a constraint would: a failure of that update, not an outage.
async fn refuse_user_rows(app: &crate::support::TestApp, id: i64, message: &str) {
    use sea_orm::{ConnectionTrait, DatabaseBackend};
    let statements = match app.db.get_database_backend() {
        DatabaseBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION refuse_user() RETURNS trigger AS $$ BEGIN \
                 IF NEW.tg_id = {id} THEN RAISE EXCEPTION '{message}'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER refuse_user BEFORE INSERT OR UPDATE ON users \
             FOR EACH ROW EXECUTE FUNCTION refuse_user()"
                .to_owned(),
        ],
        _ => vec![format!(
            "CREATE TRIGGER refuse_user BEFORE INSERT ON users \
             WHEN NEW.tg_id = {id} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )],
    };
    for statement in statements {
        app.db.execute_unprepared(&statement).await.unwrap();
    }
}

#[tokio::test]
async fn an_update_that_keeps_failing_is_parked_without_holding_up_other_chats() {
    let app = spawn_app_with(AppOptions {
        adjust: Some(Box::new(|settings| {
            settings.intake.max_attempts = 3;
            settings.intake.retry_base_delay = Duration::from_millis(1500);
        })),
        ..AppOptions::default()
    })
    .await;
    let unlucky = app.fake.add_user("Egor");
    let other = app.fake.add_user("Zoya");
    refuse_user_rows(&app, unlucky, "this row is broken").await;

    let failing = app.fake.user(unlucky).in_private().command("/start");
    app.fake.user(other).in_private().command("/start");

    // The other chat is answered while the failing update still waits for
    // its retries (1.5 s + 3 s before it is parked).
    app.fake.wait_for_bot_messages(other, 1).await.unwrap();
    let failing_row = |rows: Vec<topicdesk::entities::inbound_updates::Model>| {
        rows.into_iter()
            .find(|r| r.update_id == failing.update_id)
            .expect("the failing update is stored")
    };
    assert_eq!(
        failing_row(app.inbound_rows().await).status,
        InboundStatus::Pending
    );

    eventually("the failing update to be parked", WAIT, || async {
        failing_row(app.inbound_rows().await).status == InboundStatus::Parked
    })
    .await;
    let parked = failing_row(app.inbound_rows().await);
    assert!(
        parked
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("this row is broken"),
        "{:?}",
        parked.last_error
    );
    assert!(app.fake.bot_messages(unlucky).is_empty());
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("topicdesk_updates_parked_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn one_chat_waiting_out_a_rate_limit_does_not_hold_up_another() {
    let app = spawn_app().await;
    let slow = app.fake.add_user("Ilya");
    let fast = app.fake.add_user("Kira");
    app.fake.inject(
        Fault::retry_after(2)
            .on("sendMessage")
            .in_chat(slow)
            .times(1),
    );

    app.fake.user(slow).in_private().command("/start");
    app.fake.wait_for_call("sendMessage").await.unwrap();
    app.fake.user(fast).in_private().command("/start");

    app.fake.wait_for_bot_messages(fast, 1).await.unwrap();
    assert!(
        app.fake.bot_messages(slow).is_empty(),
        "the rate-limited chat is still waiting"
    );
    // After retry_after the slow chat gets its answer, once.
    app.fake.wait_for_bot_messages(slow, 1).await.unwrap();
    assert_eq!(app.fake.bot_messages(slow).len(), 1);
    assert_eq!(app.fake.too_many_requests_served(), 1);
}

/// Which command each reply answers: /start greets, /help does not.
fn command_of_each_reply(replies: &[fake_telegram::StoredMessage]) -> Vec<&'static str> {
    replies
        .iter()
        .map(|m| {
            if m.text().unwrap().contains("Здравствуйте") {
                "/start"
            } else {
                "/help"
            }
        })
        .collect()
}

#[tokio::test]
async fn messages_of_one_chat_are_answered_in_the_order_they_were_sent() {
    let app = spawn_app().await;
    let client = app.fake.add_user("Lev");
    app.fake
        .set_method_latency("sendMessage", Some(Duration::from_millis(30)));
    let commands = ["/start", "/help", "/help", "/start", "/help", "/start"];
    for command in commands {
        app.fake.user(client).in_private().command(command);
    }
    let replies = app
        .fake
        .wait_for_bot_messages(client, commands.len())
        .await
        .unwrap();
    assert_eq!(command_of_each_reply(&replies), commands);
}

#[tokio::test]
async fn a_backlog_beyond_the_in_memory_queue_waits_in_the_database_and_keeps_its_order() {
    let app = spawn_app_with(AppOptions {
        adjust: Some(Box::new(|settings| settings.intake.queue_capacity = 2)),
        ..Default::default()
    })
    .await;
    // Updates arrive faster than they finish: each one commits its own
    // writes, and SQLite (like a busy PostgreSQL) takes them one at a time.
    let clients: Vec<i64> = ["Lev", "Mila", "Oleg", "Pyotr", "Rita", "Sasha"]
        .into_iter()
        .map(|name| app.fake.add_user(name))
        .collect();
    let commands = ["/start", "/help", "/help", "/start", "/help", "/start"].repeat(4);
    for &command in &commands {
        for &client in &clients {
            app.fake.user(client).in_private().command(command);
        }
    }
    for &client in &clients {
        let replies = app
            .fake
            .wait_for_bot_messages(client, commands.len())
            .await
            .unwrap();
        assert_eq!(command_of_each_reply(&replies), commands, "client {client}");
    }
    let metrics = app
        .http
        .get(format!("http://{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let left: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("topicdesk_inbound_left_in_database_total "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the counter is exported");
    assert!(
        left > 0,
        "the queue never overflowed, so this test proved nothing"
    );
    eventually("every stored update finished", WAIT, || async {
        let pending = topicdesk::entities::inbound_updates::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|row| row.status != InboundStatus::Done)
            .count();
        pending == 0
    })
    .await;
}

#[tokio::test]
async fn finished_updates_are_pruned_after_the_retention_period() {
    let app = spawn_app().await;
    let client = app.fake.add_user("Raya");
    // A real message: it leaves a sent delivery (the acknowledgement) too.
    app.fake.user(client).in_private().text("hello");
    app.fake.wait_for_bot_messages(client, 1).await.unwrap();
    eventually("every delivery to be marked sent", WAIT, || async {
        let deliveries = topicdesk::entities::outbox::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        !deliveries.is_empty()
            && deliveries
                .iter()
                .all(|d| d.status == topicdesk::entities::OutboxStatus::Sent)
    })
    .await;
    eventually("the update to be done", WAIT, || async {
        app.inbound_rows()
            .await
            .iter()
            .any(|r| r.status == InboundStatus::Done)
    })
    .await;
    let (fake, database) = (app.fake.clone(), app.database.clone());
    let main_group = app.main_group;
    app.stop().await.unwrap();

    // With no retention, the next start prunes what is finished.
    let restarted = spawn_app_with(AppOptions {
        fake: Some(fake),
        database: Some(database),
        main_group: Some(main_group),
        adjust: Some(Box::new(|settings| {
            settings.intake.retention = Duration::ZERO
        })),
        ..AppOptions::default()
    })
    .await;
    eventually(
        "the finished update and its delivery to be pruned",
        WAIT,
        || async {
            let deliveries = topicdesk::entities::outbox::Entity::find()
                .all(&restarted.db)
                .await
                .unwrap();
            restarted.inbound_rows().await.is_empty() && deliveries.is_empty()
        },
    )
    .await;
}
