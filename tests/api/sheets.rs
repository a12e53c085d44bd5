//! Google Sheets: client cards from the client list and the report of
//! closed tickets, against a fake OAuth token endpoint and a fake Sheets API
//! (`tests/fake-google`). The key the bot loads is a real service-account
//! key shape whose `token_uri` is the fake; the fake checks the signed JWT.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use fake_google::{CLIENT_EMAIL, FakeGoogle, Fault, RecordedRequest, RequestKind, SHEETS_SCOPE};
use fake_telegram::{TopicInfo, UserSpec};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use topicdesk::config::SheetsSettings;
use topicdesk::entities::sheet_reports::{self, ReportStatus};
use topicdesk::entities::{TicketStatus, feedback, technicians, tickets, users};
use topicdesk::services::sheets::{
    LOOKUP_TIMEOUT, Sheets, queue_report, report_ready_now, report_row,
};
use topicdesk::store::Store;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

use crate::support::{AppOptions, Desk, WAIT, eventually, eventually_some};

const SPREADSHEET: &str = "1FakeSpreadsheetId_for-tests";
/// A sheet name with a space and `!`/`:` in the range, so they travel encoded.
const CLIENTS: &str = "Client list!A:F";
const REPORT: &str = "Report!A:J";

fn sheets_vars(google: &FakeGoogle) -> Vec<(String, String)> {
    [
        ("SHEETS_CREDS", google.service_account_key_json()),
        ("SHEETS_SPREADSHEET_ID", SPREADSHEET.to_owned()),
        ("SHEETS_RANGE", CLIENTS.to_owned()),
        ("SHEETS_REPORT_RANGE", REPORT.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// A desk whose bot talks to `google` for Sheets.
async fn desk_with(google: &FakeGoogle) -> Desk {
    let api_url = google.sheets_api_url();
    Desk::open_with(AppOptions {
        vars: sheets_vars(google),
        adjust: Some(Box::new(move |settings| {
            settings.sheets.api_url = api_url.parse().expect("a URL");
            settings.sheets.report_poll = Duration::from_millis(50);
        })),
        ..AppOptions::default()
    })
    .await
}

fn client_list(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut all = vec![
        [
            "Telegram ID",
            "@username",
            "Company",
            "Plan",
            "Notes",
            "Manager",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    all.extend(rows);
    all
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// `name` writes `text` in private; returns the topic once the card is posted.
async fn writes(desk: &Desk, client: i64, name: &str, text: &str) -> TopicInfo {
    desk.fake().user(client).in_private().text(text);
    let topic = desk.wait_for_topic_of(name).await;
    desk.wait_for_topic_messages(desk.main_group(), topic.thread_id, 1)
        .await;
    topic
}

fn card_text(desk: &Desk, topic: &TopicInfo) -> String {
    desk.card(topic.thread_id)
        .text()
        .expect("the card is text")
        .to_owned()
}

fn values_gets(google: &FakeGoogle, range: &str) -> Vec<RecordedRequest> {
    google
        .requests_of(RequestKind::ValuesGet)
        .into_iter()
        .filter(|r| r.range.as_deref() == Some(range))
        .collect()
}

#[tokio::test]
async fn the_card_shows_the_sheet_row_of_a_client_found_by_telegram_id() {
    let google = FakeGoogle::start().await;
    let desk = desk_with(&google).await;
    let client = desk
        .fake()
        .add_user(UserSpec::new("Anna").last_name("Smith").username("anna_s"));
    google.set_rows(
        SPREADSHEET,
        CLIENTS,
        client_list(vec![
            row(&["1", "someone", "Wrong Co", "Bronze", "", ""]),
            // Found by id, although the username in the sheet is stale.
            row(&[
                &client.to_string(),
                "@old_name",
                "Acme Ltd",
                "Gold",
                "",
                "Olga",
            ]),
        ]),
    );

    let topic = writes(&desk, client, "Anna", "My printer is on fire").await;

    let card = card_text(&desk, &topic);
    assert!(card.contains("Anna Smith"), "{card}");
    assert!(
        card.contains("\n\nCompany: Acme Ltd\nPlan: Gold\nManager: Olga"),
        "{card}"
    );
    assert!(!card.contains("Notes"), "empty values are left out: {card}");
    assert!(!card.contains("Wrong Co"), "{card}");

    // The bot got a token for its service account, with the Sheets scope...
    let token_requests = google.requests_of(RequestKind::Token);
    assert_eq!(token_requests.len(), 1);
    let claims = &token_requests[0].body.as_ref().unwrap()["claims"];
    assert_eq!(claims["iss"], CLIENT_EMAIL);
    assert_eq!(claims["aud"], google.token_uri());
    assert!(claims["scope"].as_str().unwrap().contains(SHEETS_SCOPE));
    // ...and read the client list with it.
    let reads = values_gets(&google, CLIENTS);
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].spreadsheet_id.as_deref(), Some(SPREADSHEET));
    assert_eq!(reads[0].bearer, google.issued_tokens().first().cloned());
    assert!(
        reads[0].path.ends_with("/values/Client%20list%21A%3AF"),
        "the range travels percent-encoded: {}",
        reads[0].path
    );
}

#[tokio::test]
async fn the_card_shows_the_sheet_row_of_a_client_found_by_username() {
    let google = FakeGoogle::start().await;
    let desk = desk_with(&google).await;
    google.set_rows(
        SPREADSHEET,
        CLIENTS,
        client_list(vec![
            row(&["", "@bob", "Bob's shop", "", "", ""]),
            // Usernames match case-insensitively, with or without @ or t.me/.
            row(&[
                "",
                "https://t.me/Boris_K",
                "Globex",
                "Silver",
                "calls at night",
                "",
            ]),
        ]),
    );
    let client = desk
        .fake()
        .add_user(UserSpec::new("Boris").username("boris_k"));

    let topic = writes(&desk, client, "Boris", "Hello").await;

    let card = card_text(&desk, &topic);
    assert!(
        card.contains("\n\nCompany: Globex\nPlan: Silver\nNotes: calls at night"),
        "{card}"
    );
    assert!(!card.contains("Bob's shop"), "{card}");
}

#[tokio::test]
async fn a_client_who_is_not_in_the_list_gets_the_telegram_profile_card() {
    let google = FakeGoogle::start().await;
    let desk = desk_with(&google).await;
    google.set_rows(
        SPREADSHEET,
        CLIENTS,
        client_list(vec![row(&["1", "bob", "Bob's shop"])]),
    );
    let client = desk.fake().add_user(UserSpec::new("Cleo").username("cleo"));

    let topic = writes(&desk, client, "Cleo", "Hi").await;

    let card = card_text(&desk, &topic);
    assert!(card.contains("@cleo"), "{card}");
    assert!(!card.contains("Company"), "{card}");
    assert_eq!(values_gets(&google, CLIENTS).len(), 1);
}

#[tokio::test]
async fn the_client_list_is_read_once_for_every_card_within_15_minutes() {
    let google = FakeGoogle::start().await;
    let desk = desk_with(&google).await;
    let anna = desk.fake().add_user(UserSpec::new("Anna").username("anna"));
    let dora = desk.fake().add_user(UserSpec::new("Dora").username("dora"));
    google.set_rows(
        SPREADSHEET,
        CLIENTS,
        client_list(vec![
            row(&[&anna.to_string(), "", "Acme Ltd"]),
            row(&["", "dora", "Initech"]),
        ]),
    );

    let first = writes(&desk, anna, "Anna", "First problem").await;
    assert!(card_text(&desk, &first).contains("Company: Acme Ltd"));

    // The same client's next ticket, after closing the first.
    desk.fake().user(anna).in_private().command("/close");
    eventually("the first ticket to be closed", WAIT, || async {
        tickets::Entity::find_by_id(1)
            .one(&desk.app.db)
            .await
            .unwrap()
            .is_some_and(|t| t.status == TicketStatus::Closed)
    })
    .await;
    desk.fake().user(anna).in_private().text("Second problem");
    let main = desk.main_group();
    let second = desk
        .fake()
        .wait_for_value("the second ticket's topic", WAIT, |w| {
            w.topics(main).into_iter().find(|t| t.name.contains("#2"))
        })
        .await
        .unwrap();
    desk.wait_for_topic_messages(main, second.thread_id, 1)
        .await;
    assert!(card_text(&desk, &second).contains("Company: Acme Ltd"));

    // Another client: the whole list is cached, not one client's row.
    let third = writes(&desk, dora, "Dora", "Hello").await;
    assert!(card_text(&desk, &third).contains("Company: Initech"));

    assert_eq!(
        values_gets(&google, CLIENTS).len(),
        1,
        "three cards, one read of the client list"
    );
    assert_eq!(google.requests_of(RequestKind::Token).len(), 1);
}

#[tokio::test]
async fn when_sheets_is_down_the_ticket_opens_with_the_telegram_profile_card() {
    let google = FakeGoogle::start().await;
    let desk = desk_with(&google).await;
    google.set_rows(SPREADSHEET, CLIENTS, client_list(vec![]));
    google.set_fault(Some(Fault::Down));
    let client = desk
        .fake()
        .add_user(UserSpec::new("Emil").last_name("Down").username("emil"));

    let topic = writes(&desk, client, "Emil", "Is anyone there?").await;

    let card = card_text(&desk, &topic);
    assert!(
        card.contains("Emil Down") && card.contains("@emil"),
        "{card}"
    );
    assert!(!card.contains("Company"), "{card}");
    assert!(
        !values_gets(&google, CLIENTS).is_empty(),
        "the bot asked Sheets"
    );
    // The client's message follows the card, and the ticket is open.
    desk.wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    let ticket = tickets::Entity::find_by_id(1)
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ticket.status, TicketStatus::New);
    assert!(ticket.card_message_id.is_some());
}

#[tokio::test]
async fn when_sheets_is_slow_the_card_waits_for_the_timeout_and_no_longer() {
    let google = FakeGoogle::start().await;
    let desk = desk_with(&google).await;
    let client = desk.fake().add_user(UserSpec::new("Fay").username("fay"));
    google.set_rows(
        SPREADSHEET,
        CLIENTS,
        client_list(vec![row(&[&client.to_string(), "", "Slow Co"])]),
    );
    google.set_fault(Some(Fault::Slow(Duration::from_secs(30))));

    let started = Instant::now();
    let topic = writes(&desk, client, "Fay", "Hello?").await;
    let waited = started.elapsed();

    let card = card_text(&desk, &topic);
    assert!(card.contains("@fay") && !card.contains("Slow Co"), "{card}");
    assert!(
        waited >= LOOKUP_TIMEOUT - Duration::from_millis(200),
        "the card waited for Sheets ({waited:?})"
    );
    assert!(
        waited < LOOKUP_TIMEOUT + Duration::from_millis(2500),
        "the card waited {waited:?}, much longer than the {LOOKUP_TIMEOUT:?} timeout"
    );
}

// ---- the report ----

async fn ticket(desk: &Desk, id: i32) -> tickets::Model {
    tickets::Entity::find_by_id(id)
        .one(&desk.app.db)
        .await
        .unwrap()
        .expect("the ticket exists")
}

async fn report_entry(desk: &Desk, ticket_id: i32) -> Option<sheet_reports::Model> {
    sheet_reports::Entity::find()
        .filter(sheet_reports::Column::TicketId.eq(ticket_id))
        .one(&desk.app.db)
        .await
        .unwrap()
}

/// `name` opens a ticket and closes it with /close; returns its id.
async fn closed_ticket(desk: &Desk, name: &str) -> i32 {
    let (client, topic) = desk.client_opens_ticket(name, "Problem").await;
    desk.fake().user(client).in_private().command("/close");
    let main = desk.main_group();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic(main, topic.thread_id).is_some_and(|t| t.closed)
        })
        .await
        .expect("the ticket closes");
    let id = eventually_some("the closed ticket", WAIT, || async {
        tickets::Entity::find()
            .filter(tickets::Column::ClientTgId.eq(client))
            .filter(tickets::Column::Status.eq(TicketStatus::Closed))
            .one(&desk.app.db)
            .await
            .unwrap()
            .map(|t| t.id)
    })
    .await;
    // What the close transaction does (queuing is idempotent).
    let closed_at = ticket(desk, id).await.closed_at.expect("closed");
    queue_report(&desk.app.db, id, closed_at + chrono::Duration::hours(24))
        .await
        .unwrap();
    id
}

fn report_ids(google: &FakeGoogle) -> Vec<i64> {
    google
        .rows(SPREADSHEET, REPORT)
        .iter()
        .skip(1)
        .filter_map(|row| row.first().and_then(Value::as_i64))
        .collect()
}

fn report_header() -> Vec<&'static str> {
    vec![
        "id",
        "client",
        "technician",
        "opened",
        "first response",
        "closed",
        "q1",
        "q2",
        "q3",
        "comment",
    ]
}

#[tokio::test]
async fn a_closed_ticket_is_appended_to_the_report_once_with_its_feedback() {
    let google = FakeGoogle::start().await;
    google.set_rows(SPREADSHEET, CLIENTS, client_list(vec![]));
    google.set_rows(SPREADSHEET, REPORT, [report_header()]);
    let desk = desk_with(&google).await;

    let (client, _, mirror) = desk.assigned_ticket("Gleb", "Broken screen").await;
    desk.fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .text("On my way");
    desk.fake().wait_for_bot_messages(client, 2).await.unwrap();
    eventually("the first response to be recorded", WAIT, || async {
        ticket(&desk, 1).await.first_response_at.is_some()
    })
    .await;
    desk.fake().user(client).in_private().command("/close");
    let closed_at = eventually_some("the ticket to close", WAIT, || async {
        ticket(&desk, 1).await.closed_at
    })
    .await;
    queue_report(&desk.app.db, 1, closed_at + chrono::Duration::hours(24))
        .await
        .unwrap();

    // The survey's answer arrives: the row is due now, not in 24 hours.
    feedback::ActiveModel {
        ticket_id: Set(1),
        q1: Set(5),
        q2: Set(4),
        q3: Set(5),
        comment: Set(Some("=answer faster".into())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&desk.app.db)
    .await
    .unwrap();
    report_ready_now(&desk.app.db, 1).await.unwrap();

    let appends = google
        .wait_for_requests(RequestKind::ValuesAppend, 1, WAIT)
        .await
        .unwrap();
    let append = &appends[0];
    assert_eq!(append.range.as_deref(), Some(REPORT));
    assert_eq!(append.spreadsheet_id.as_deref(), Some(SPREADSHEET));
    assert_eq!(append.query_param("valueInputOption"), Some("USER_ENTERED"));
    assert_eq!(append.query_param("insertDataOption"), Some("INSERT_ROWS"));
    assert!(
        google
            .issued_tokens()
            .contains(append.bearer.as_ref().unwrap())
    );
    let t = ticket(&desk, 1).await;
    let fmt = |at: chrono::DateTime<Utc>| at.format("%Y-%m-%d %H:%M:%S").to_string();
    assert_eq!(
        append.appended_rows(),
        vec![vec![
            json!(1),
            json!("'Gleb (@gleb)"),
            json!("'Ivan Petrov (@ivan)"),
            json!(fmt(t.created_at)),
            json!(fmt(t.first_response_at.unwrap())),
            json!(fmt(t.closed_at.unwrap())),
            json!(5),
            json!(4),
            json!(5),
            json!("'=answer faster"),
        ]]
    );
    // The apostrophe keeps the comment text, as typed.
    assert_eq!(
        google.rows(SPREADSHEET, REPORT)[1][9],
        json!("=answer faster")
    );
    eventually("the row to be marked sent", WAIT, || async {
        report_entry(&desk, 1)
            .await
            .is_some_and(|r| r.status == ReportStatus::Sent && r.sent_at.is_some())
    })
    .await;

    // A later feedback change or a replayed close changes nothing.
    report_ready_now(&desk.app.db, 1).await.unwrap();
    queue_report(&desk.app.db, 1, Utc::now()).await.unwrap();
    // Another ticket goes out after it: the worker has run again since.
    let second = closed_ticket(&desk, "Hana").await;
    report_ready_now(&desk.app.db, second).await.unwrap();
    google
        .wait_for_requests(RequestKind::ValuesAppend, 2, WAIT)
        .await
        .unwrap();
    assert_eq!(report_ids(&google), [1, i64::from(second)]);
    let entry = report_entry(&desk, 1).await.unwrap();
    assert_eq!(entry.attempts, 1);
}

#[tokio::test]
async fn a_ticket_without_feedback_is_reported_when_the_survey_expires() {
    let google = FakeGoogle::start().await;
    google.set_rows(SPREADSHEET, CLIENTS, client_list(vec![]));
    google.set_rows(SPREADSHEET, REPORT, [report_header()]);
    let desk = desk_with(&google).await;
    let id = closed_ticket(&desk, "Ivo").await;
    // Not due yet: nothing goes out (the worker polls every 50 ms meanwhile;
    // a ticket queued due now shows it has looked).
    let other = closed_ticket(&desk, "Jana").await;
    report_ready_now(&desk.app.db, other).await.unwrap();
    google
        .wait_for_requests(RequestKind::ValuesAppend, 1, WAIT)
        .await
        .unwrap();
    assert_eq!(report_ids(&google), [i64::from(other)]);

    // The survey's deadline passes.
    sheet_reports::Entity::update_many()
        .col_expr(
            sheet_reports::Column::ReadyAt,
            sea_orm::sea_query::Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(sheet_reports::Column::TicketId.eq(id))
        .exec(&desk.app.db)
        .await
        .unwrap();
    google
        .wait_for_requests(RequestKind::ValuesAppend, 2, WAIT)
        .await
        .unwrap();
    let rows = google.rows(SPREADSHEET, REPORT);
    let row = rows.last().unwrap();
    assert_eq!(row[0], json!(id));
    assert_eq!(row[1], json!("Ivo (@ivo)"));
    assert_eq!(&row[6..], [json!(""), json!(""), json!(""), json!("")]);
}

#[tokio::test]
async fn report_rows_wait_while_sheets_is_down_and_go_out_once_it_is_back() {
    let google = FakeGoogle::start().await;
    google.set_rows(SPREADSHEET, CLIENTS, client_list(vec![]));
    google.set_rows(SPREADSHEET, REPORT, [report_header()]);
    let desk = desk_with(&google).await;
    let id = closed_ticket(&desk, "Kira").await;
    google.set_fault(Some(Fault::Down));
    report_ready_now(&desk.app.db, id).await.unwrap();

    let failed = eventually_some("two failed attempts", WAIT, || async {
        report_entry(&desk, id)
            .await
            .filter(|r| r.attempts >= 2 && r.status == ReportStatus::Pending)
    })
    .await;
    let error = failed.last_error.unwrap();
    assert!(
        error.contains("503") && error.contains("UNAVAILABLE"),
        "{error}"
    );
    assert!(report_ids(&google).is_empty());

    google.set_fault(None);
    eventually("the row to be sent", WAIT, || async {
        report_entry(&desk, id)
            .await
            .is_some_and(|r| r.status == ReportStatus::Sent)
    })
    .await;
    assert_eq!(report_ids(&google), [i64::from(id)]);
    assert!(
        !values_gets(&google, REPORT).is_empty(),
        "before appending again, the bot looked whether an earlier attempt got through"
    );
}

#[tokio::test]
async fn an_append_whose_answer_was_lost_is_not_appended_again() {
    let google = FakeGoogle::start().await;
    google.set_rows(SPREADSHEET, CLIENTS, client_list(vec![]));
    google.set_rows(SPREADSHEET, REPORT, [report_header()]);
    let desk = desk_with(&google).await;
    let id = closed_ticket(&desk, "Lev").await;
    // Google applies the append, but the bot only sees a 503.
    google.set_fault(Some(Fault::AppendLost));
    report_ready_now(&desk.app.db, id).await.unwrap();

    let entry = eventually_some("the row to be settled", WAIT, || async {
        report_entry(&desk, id)
            .await
            .filter(|r| r.status == ReportStatus::Sent)
    })
    .await;
    assert_eq!(report_ids(&google), [i64::from(id)], "in the sheet once");
    assert_eq!(google.requests_of(RequestKind::ValuesAppend).len(), 1);
    assert!(entry.attempts >= 2, "{entry:?}");
    assert!(
        entry.last_error.unwrap().contains("found in the sheet"),
        "the row was found, not appended again"
    );
}

// ---- the service alone: what it logs ----

/// Warnings and errors logged on this thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<String>>>);

impl Captured {
    fn warnings(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() <= tracing::Level::WARN {
            let mut message = Message(String::new());
            event.record(&mut message);
            self.0.lock().unwrap().push(message.0);
        }
    }
}

async fn service(google: &FakeGoogle) -> Sheets {
    let settings = SheetsSettings {
        creds: Some(google.service_account_key_json().into()),
        spreadsheet_id: Some(SPREADSHEET.into()),
        range: Some(CLIENTS.into()),
        report_range: Some(REPORT.into()),
        api_url: google.sheets_api_url().parse().unwrap(),
        ..SheetsSettings::default()
    };
    Sheets::from_settings(&settings, Store::in_process("sheets-test:"))
        .await
        .expect("the test key loads")
}

/// Runs `lookup` with a subscriber that captures warnings (the test runs on
/// one thread, so the service's tasks log here too).
async fn warnings_of<F: std::future::Future<Output = Vec<(String, String)>>>(
    lookup: F,
) -> (Vec<(String, String)>, Vec<String>, Duration) {
    let captured = Captured::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(captured.clone()));
    let started = Instant::now();
    let fields = lookup.await;
    (fields, captured.warnings(), started.elapsed())
}

#[tokio::test]
async fn sheets_down_is_one_warning_naming_the_problem() {
    let google = FakeGoogle::start().await;
    google.set_rows(
        SPREADSHEET,
        CLIENTS,
        client_list(vec![row(&["7", "", "Acme"])]),
    );
    google.set_fault(Some(Fault::Down));
    let sheets = service(&google).await;

    let (fields, warnings, _) = warnings_of(sheets.client_fields(7, None)).await;
    assert!(fields.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("503") && warnings[0].contains("UNAVAILABLE"),
        "{warnings:?}"
    );

    // Right after a failure, Sheets is left alone for a while: no wait, no
    // request, no second warning.
    let before = values_gets(&google, CLIENTS).len();
    let (fields, warnings, _) = warnings_of(sheets.client_fields(7, None)).await;
    assert!(fields.is_empty() && warnings.is_empty(), "{warnings:?}");
    assert_eq!(values_gets(&google, CLIENTS).len(), before);
}

#[tokio::test]
async fn sheets_slow_is_a_warning_after_the_timeout() {
    let google = FakeGoogle::start().await;
    google.set_rows(
        SPREADSHEET,
        CLIENTS,
        client_list(vec![row(&["7", "", "Acme"])]),
    );
    google.set_fault(Some(Fault::Slow(Duration::from_secs(30))));
    let sheets = service(&google).await;

    let (fields, warnings, waited) = warnings_of(sheets.client_fields(7, None)).await;
    assert!(fields.is_empty());
    assert!(
        waited < LOOKUP_TIMEOUT + Duration::from_secs(1),
        "{waited:?}"
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("within 3 s"), "{warnings:?}");
}

#[tokio::test]
async fn a_token_endpoint_that_refuses_is_named_in_the_warning() {
    let google = FakeGoogle::start().await;
    google.set_rows(
        SPREADSHEET,
        CLIENTS,
        client_list(vec![row(&["7", "", "Acme"])]),
    );
    google.set_fault(Some(Fault::TokenDown));
    let sheets = service(&google).await;

    let (fields, warnings, _) = warnings_of(sheets.client_fields(7, None)).await;
    assert!(fields.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains(&google.token_uri()), "{warnings:?}");
    assert!(values_gets(&google, CLIENTS).is_empty());
}

#[tokio::test]
async fn a_client_list_without_key_columns_is_a_warning_about_its_header() {
    let google = FakeGoogle::start().await;
    google.set_rows(SPREADSHEET, CLIENTS, [["Name", "Company"], ["Bob", "Acme"]]);
    let sheets = service(&google).await;

    let (fields, warnings, _) = warnings_of(sheets.client_fields(7, Some("bob"))).await;
    assert!(fields.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("SHEETS_RANGE") && warnings[0].contains("Name, Company"),
        "{warnings:?}"
    );
}

#[tokio::test]
async fn the_service_alone_finds_a_client_and_reads_the_list_once() {
    let google = FakeGoogle::start().await;
    google.set_rows(
        SPREADSHEET,
        CLIENTS,
        client_list(vec![row(&["7", "", "Acme", "", "", "Olga"])]),
    );
    let sheets = service(&google).await;
    let expected = vec![
        ("Company".to_owned(), "Acme".to_owned()),
        ("Manager".to_owned(), "Olga".to_owned()),
    ];
    assert_eq!(sheets.client_fields(7, None).await, expected);
    assert_eq!(sheets.client_fields(7, None).await, expected);
    assert!(sheets.client_fields(8, Some("nobody")).await.is_empty());
    assert_eq!(values_gets(&google, CLIENTS).len(), 1);
}

#[test]
fn report_rows_name_people_as_the_topic_titles_do() {
    let at = Utc::now();
    let ticket = tickets::Model {
        id: 3,
        client_tg_id: 42,
        status: TicketStatus::Closed,
        main_chat_id: -1001,
        main_thread_id: None,
        card_message_id: None,
        assigned_tech_id: Some(1),
        created_at: at,
        first_response_at: None,
        closed_at: Some(at),
        priority: Default::default(),
        category: None,
        first_response_due: None,
        resolution_due: None,
        waiting_since: None,
        first_response_warned_at: None,
        first_response_breached_at: None,
        resolution_warned_at: None,
        resolution_breached_at: None,
        close_reason: None,
        kb_held: false,
    };
    let client = users::Model {
        tg_id: 42,
        username: None,
        full_name: "Mira".into(),
        language_code: None,
        created_at: at,
        last_seen: at,
        blocked_bot_at: None,
        banned_at: None,
        banned_by: None,
    };
    let tech = technicians::Model {
        id: 1,
        name: "Olga Sidorova".into(),
        username: None,
        tg_user_id: None,
        group_chat_id: -1002,
        is_active: true,
        available: true,
    };
    let row = report_row(&ticket, Some(&client), Some(&tech), None);
    assert_eq!(row[1], json!("'Mira (42)"));
    assert_eq!(row[2], json!("'Olga Sidorova"));
}
