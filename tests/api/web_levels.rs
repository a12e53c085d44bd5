//! Service levels through the REST API, against tickets made through the
//! fake Telegram: priority, category and waiting go through the bot's own
//! services (the card edited, topics moved and renamed in the fake), the
//! list's category and priority filters, a ticket's SLA clocks after a
//! breach, the dashboard's at-risk and breached tickets, the desk's
//! selectors, SLA figures per day, and who may do what.

use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use topicdesk::entities::{Priority, TicketStatus, daily_stats, technicians};

use crate::support::flows::billing_and_tech;
use crate::support::web::{Api, WebDesk, ids};
use crate::support::{WAIT, eventually, eventually_some};

/// How long SLA clocks may take past their moment (jobs poll every 250 ms
/// in tests).
const CLOCK_WAIT: Duration = Duration::from_secs(15);

/// A web desk with two categories — billing (Ivan's, its own main group,
/// high priority) and tech (anyone's, MAIN_GROUP_ID) — and `policy` as
/// SLA_POLICY. Returns the desk and the billing group.
async fn desk_with_categories(policy: &str) -> (WebDesk, i64) {
    let fake = fake_telegram::FakeTelegram::start().await;
    let billing_group = fake.add_forum_group("Billing desk");
    let categories = billing_and_tech(billing_group);
    let desk = WebDesk::open_on(
        fake,
        vec![("CATEGORIES", categories.as_str()), ("SLA_POLICY", policy)],
    )
    .await;
    (desk, billing_group)
}

fn timeline_kinds(detail: &Value) -> Vec<String> {
    detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn priority_category_and_waiting_through_the_api_do_what_the_buttons_do() {
    let (desk, billing) = desk_with_categories(
        r#"{"normal":{"first_response":"1h","resolution":"8h"},"urgent":{"first_response":"15m","resolution":"2h"}}"#,
    )
    .await;
    let main = desk.main_group();
    let (client, topic) = desk.client_opens_in("Anna", "🛠 Technical", main).await;
    let api = desk.sign_in_admin().await;

    // The list shows category and priority, and filters by them.
    let page = api.ok("/api/v1/tickets").await;
    assert_eq!(page["items"][0]["category"], "tech");
    assert_eq!(page["items"][0]["priority"], "normal");
    assert_eq!(ids(&api.ok("/api/v1/tickets?category=tech").await), [1]);
    assert!(ids(&api.ok("/api/v1/tickets?category=billing").await).is_empty());

    // Priority: the deadlines follow and the card is edited, as by button.
    let (status, detail) = api
        .post("/api/v1/tickets/1/priority", json!({ "level": "urgent" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["priority"], "urgent");
    assert_eq!(detail["sla"]["priority"], "urgent");
    assert_eq!(detail["sla"]["first_response"]["target_seconds"], 900.0);
    let urgent = desk.ticket(1).await;
    assert_eq!(urgent.priority, Priority::Urgent);
    assert_eq!(
        (urgent.first_response_due.unwrap() - urgent.created_at).num_minutes(),
        15
    );
    eventually("the card to show the priority", WAIT, || async {
        desk.card_text(topic.thread_id).contains("🔥 Срочный")
    })
    .await;
    assert!(
        desk.fake()
            .calls_to("editMessageText")
            .iter()
            .any(|c| c.chat_id() == Some(main)),
        "the card was edited, not posted again"
    );
    assert_eq!(ids(&api.ok("/api/v1/tickets?priority=urgent").await), [1]);
    assert!(ids(&api.ok("/api/v1/tickets?priority=low").await).is_empty());
    assert!(
        ids(&api.ok("/api/v1/tickets?priority=urgent&q=anna").await) == [1],
        "filters apply to search too"
    );
    let detail = api.ok("/api/v1/tickets/1").await;
    let change = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "priority_changed")
        .expect("the change in the timeline")
        .clone();
    assert_eq!(change["detail"], "urgent");
    assert_eq!(change["author"], "Maria Test");

    // Wrong values name their field.
    let (status, body) = api
        .post("/api/v1/tickets/1/priority", json!({ "level": "soon" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "level");
    let (status, body) = api.post("/api/v1/tickets/1/priority", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "level");
    let (status, body) = api
        .post("/api/v1/tickets/1/category", json!({ "key": "nope" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "key");
    assert!(
        body["detail"].as_str().unwrap().contains("billing"),
        "{body}"
    );
    let (status, body) = api
        .post("/api/v1/tickets/99/priority", json!({ "level": "high" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "not_found");

    // Category: billing has its own main group, so the topic moves there.
    let (status, detail) = api
        .post("/api/v1/tickets/1/category", json!({ "key": "billing" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["category"], "billing");
    let moved = eventually_some("the topic in the billing group", WAIT, || async {
        desk.fake()
            .topics(billing)
            .into_iter()
            .find(|t| t.name.contains("Anna") && !t.deleted)
    })
    .await;
    eventually("the old topic closed", WAIT, || async {
        desk.fake()
            .topic(main, topic.thread_id)
            .is_some_and(|t| t.closed)
    })
    .await;
    let row = desk.ticket(1).await;
    assert_eq!(row.category.as_deref(), Some("billing"));
    assert_eq!(row.main_chat_id, billing);
    assert_eq!(ids(&api.ok("/api/v1/tickets?category=billing").await), [1]);

    // Waiting: ⏸ in the title, the status in the API and the timeline;
    // the client's answer ends it.
    let (status, detail) = api.post("/api/v1/tickets/1/wait", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["status"], "waiting");
    assert!(detail["sla"]["waiting_since"].is_string());
    assert_eq!(detail["sla"]["resolution"]["state"], "paused");
    assert_eq!(detail["permissions"]["wait"]["reason"], "already_waiting");
    desk.fake()
        .wait_for_value("the waiting title", WAIT, |w| {
            w.topic(billing, moved.thread_id)
                .filter(|t| t.name.starts_with("⏸"))
        })
        .await
        .unwrap();
    assert_eq!(ids(&api.ok("/api/v1/tickets?status=waiting").await), [1]);
    // Asked twice, done once.
    let (status, _) = api.post("/api/v1/tickets/1/wait", json!({})).await;
    assert_eq!(status, StatusCode::OK);

    desk.fake()
        .user(client)
        .in_private()
        .text("Here is the receipt");
    eventually("the ticket back from waiting", WAIT, || async {
        desk.ticket(1).await.status == TicketStatus::New
    })
    .await;
    let detail = api.ok("/api/v1/tickets/1").await;
    assert_eq!(detail["status"], "new");
    assert!(detail["sla"]["waiting_since"].is_null());
    assert_eq!(detail["sla"]["resolution"]["state"], "running");
    let kinds = timeline_kinds(&detail);
    let waiting = kinds.iter().position(|k| k == "waiting").expect("waiting");
    let ended = kinds
        .iter()
        .position(|k| k == "waiting_ended")
        .expect("waiting_ended");
    assert!(waiting < ended, "{kinds:?}");
    assert_eq!(
        kinds.iter().filter(|k| *k == "waiting").count(),
        1,
        "{kinds:?}"
    );
}

#[tokio::test]
async fn the_desk_lists_its_categories_and_priorities_for_the_selectors() {
    let (desk, _) = desk_with_categories(
        r#"{"normal":{"first_response":"30m","resolution":"4h","warn_at":0.5}}"#,
    )
    .await;
    let api = desk.sign_in_admin().await;
    let view = api.ok("/api/v1/desk").await;
    assert_eq!(view["language"], "ru");
    assert_eq!(view["sla"], true);
    let categories = view["categories"].as_array().unwrap();
    assert_eq!(categories.len(), 2);
    assert_eq!(categories[0]["key"], "billing");
    assert_eq!(categories[0]["label"], "💳 Оплата");
    assert_eq!(categories[0]["names"]["en"], "Billing");
    assert_eq!(categories[0]["priority"], "high");
    assert_eq!(categories[0]["own_main_group"], true);
    assert_eq!(
        categories[1]["names"]["kk"], "Техника",
        "the first name stands in"
    );
    let priorities: Vec<&str> = view["priorities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(priorities, ["low", "normal", "high", "urgent"]);
    assert_eq!(view["priorities"][1]["label"], "▫️ Обычный");
    assert_eq!(view["priorities"][1]["first_response_seconds"], 1800.0);
    assert_eq!(view["priorities"][1]["warn_at"], 0.5);
    assert!(view["priorities"][3]["first_response_seconds"].is_null());
    // Without a sign-in, nothing.
    let (status, _) = Api::anonymous(&desk).get("/api/v1/desk").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A ticket whose client is still choosing has no levels to set yet.
    desk.new_client_writes(fake_telegram::UserSpec::new("Hana"), "Hello?");
    let held = eventually_some("the held ticket", WAIT, || async {
        let page = api.ok("/api/v1/tickets?status=held").await;
        (ids(&page) == [1]).then_some(page)
    })
    .await;
    assert_eq!(held["items"][0]["status"], "held");
    let detail = api.ok("/api/v1/tickets/1").await;
    assert_eq!(detail["permissions"]["priority"]["reason"], "not_open_yet");
    for (action, body) in [
        ("priority", json!({ "level": "high" })),
        ("category", json!({ "key": "tech" })),
        ("wait", json!({})),
    ] {
        let (status, body) = api.post(&format!("/api/v1/tickets/1/{action}"), body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{action}: {body}");
    }
}

#[tokio::test]
async fn after_a_breach_the_ticket_the_dashboard_and_the_stats_show_it() {
    let desk = WebDesk::open_with(vec![(
        "SLA_POLICY",
        r#"{"normal":{"first_response":"2s","resolution":"1h"},"urgent":{"first_response":"1h","resolution":"2h","warn_at":0.001}}"#,
    )])
    .await;
    desk.client_opens_ticket("Anna", "Nobody answers").await;
    let api = desk.sign_in_admin().await;
    let fresh = api.ok("/api/v1/tickets/1").await;
    assert_eq!(fresh["sla"]["first_response"]["state"], "running");
    let left = fresh["sla"]["first_response"]["remaining_seconds"]
        .as_f64()
        .unwrap();
    assert!(left > 0.0 && left <= 2.0, "{left}");

    eventually("the first-response breach", CLOCK_WAIT, || async {
        desk.ticket(1).await.first_response_breached_at.is_some()
    })
    .await;
    let row = desk.ticket(1).await;
    let detail = api.ok("/api/v1/tickets/1").await;
    let clock = &detail["sla"]["first_response"];
    assert_eq!(clock["breached"], true);
    assert_eq!(clock["state"], "breached");
    assert!(
        clock["remaining_seconds"].as_f64().unwrap() < 0.0,
        "{clock}"
    );
    assert_eq!(clock["target_seconds"], 2.0);
    let due: chrono::DateTime<chrono::Utc> = serde_json::from_value(clock["due"].clone()).unwrap();
    assert_eq!(due, row.first_response_due.unwrap());
    assert_eq!(detail["sla"]["resolution"]["state"], "running");
    assert_eq!(detail["sla"]["business_hours"], false);
    assert!(
        timeline_kinds(&detail).contains(&"sla_breached".to_owned()),
        "{detail}"
    );

    // A second ticket, urgent, past its (tiny) warning share: at risk.
    desk.client_opens_ticket("Boris", "Also me").await;
    let (status, _) = api
        .post("/api/v1/tickets/2/priority", json!({ "level": "urgent" }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let dashboard = eventually_some("one at risk, one breached", WAIT, || async {
        let dashboard = api.ok("/api/v1/dashboard").await;
        (dashboard["sla"]["at_risk"] == 1).then_some(dashboard)
    })
    .await;
    assert_eq!(dashboard["sla"]["breached"], 1);
    assert_eq!(dashboard["sla"]["breached_tickets"][0]["id"], 1);
    assert_eq!(dashboard["sla"]["at_risk_tickets"][0]["id"], 2);
    assert_eq!(dashboard["sla"]["at_risk_tickets"][0]["priority"], "urgent");

    // Today's figures count the breach.
    let today = chrono::Utc::now().date_naive().to_string();
    let stats = api
        .ok(&format!("/api/v1/stats?from={today}&to={today}"))
        .await;
    assert_eq!(stats["days"][0]["sla"]["first_response_breached"], 1);
    assert_eq!(stats["total"]["sla"]["first_response_breached"], 1);
    assert_eq!(stats["total"]["sla"]["resolution_breached"], 0);
    assert!(
        stats["days"][0]["rolled_up"].is_null(),
        "today is not rolled up"
    );
}

#[tokio::test]
async fn technicians_change_levels_only_on_their_tickets_and_see_only_their_categories() {
    let (desk, billing) =
        desk_with_categories(r#"{"normal":{"first_response":"1h","resolution":"8h"}}"#).await;
    let main = desk.main_group();
    // Ticket 1 in billing (Ivan's category), ticket 2 in tech (anyone's).
    desk.client_opens_in("Anna", "💳 Billing", billing).await;
    let (_, tech_topic) = desk.client_opens_in("Boris", "🛠 Technical", main).await;
    let ivan = desk.sign_in(desk.tech, "Ivan").await;
    let olga = desk.sign_in(desk.second_tech, "Olga").await;

    // Olga does not take billing: its unassigned ticket is not hers to see.
    assert_eq!(ids(&olga.ok("/api/v1/tickets").await), [2]);
    assert_eq!(olga.get("/api/v1/tickets/1").await.0, StatusCode::NOT_FOUND);
    assert_eq!(ids(&ivan.ok("/api/v1/tickets").await), [2, 1]);

    // Unassigned: nobody's to change yet.
    let detail = ivan.ok("/api/v1/tickets/2").await;
    assert_eq!(detail["permissions"]["priority"]["allowed"], false);
    assert_eq!(
        detail["permissions"]["priority"]["reason"],
        "not_your_ticket"
    );
    let (status, body) = ivan
        .post("/api/v1/tickets/2/priority", json!({ "level": "high" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "forbidden");
    let (status, _) = ivan.post("/api/v1/tickets/2/wait", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Once Olga holds it, she may; Ivan no longer sees it.
    desk.assign(
        tech_topic.thread_id,
        "Olga Sidorova",
        desk.second_tech_group,
    )
    .await;
    let (status, detail) = olga
        .post("/api/v1/tickets/2/priority", json!({ "level": "high" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["permissions"]["wait"]["allowed"], true);
    let (status, detail) = olga.post("/api/v1/tickets/2/wait", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(desk.ticket(2).await.status, TicketStatus::Waiting);
    assert_eq!(
        ivan.post("/api/v1/tickets/2/priority", json!({ "level": "low" }))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // A read token sees everything and changes nothing.
    let admin = desk.sign_in_admin().await;
    let (_, created) = admin
        .post("/api/v1/tokens", json!({ "name": "crm", "scope": "read" }))
        .await;
    let reader = Api::anonymous(&desk).with_token(created["token"].as_str().unwrap());
    assert_eq!(ids(&reader.ok("/api/v1/tickets").await), [2, 1]);
    for (action, body) in [
        ("priority", json!({ "level": "urgent" })),
        ("category", json!({ "key": "tech" })),
        ("wait", json!({})),
    ] {
        let (status, body) = reader
            .post(&format!("/api/v1/tickets/1/{action}"), body)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}: {body}");
    }
    assert_eq!(desk.ticket(1).await.priority, Priority::High);

    // Filters and stats refuse unknown keys, naming the field.
    for (path, field) in [
        ("/api/v1/tickets?category=nope", "category"),
        ("/api/v1/tickets?priority=soon", "priority"),
        ("/api/v1/stats?category=nope", "category"),
    ] {
        let (status, body) = admin.get(path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(body["field"], field, "{path}");
    }
    let stats = admin.ok("/api/v1/stats?category=billing").await;
    assert_eq!(stats["category"], "billing");
    assert_eq!(stats["total"]["opened"], 1);
}

/// One `daily_stats` row as the nightly rollup writes it.
fn rollup_row(
    day: &str,
    category: &str,
    tech: i32,
    (opened, closed, met, breached): (i32, i32, i32, i32),
) -> daily_stats::ActiveModel {
    daily_stats::ActiveModel {
        day: Set(day.to_owned()),
        category: Set(category.to_owned()),
        tech_id: Set(tech),
        opened: Set(opened),
        closed: Set(closed),
        first_responses: Set(0),
        sla_met: Set(met),
        sla_breached: Set(breached),
        survey_responses: Set(0),
        computed_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_stats_carry_the_nightly_rollups_sla_numbers_filtered_by_category_and_technician() {
    let (desk, _) =
        desk_with_categories(r#"{"normal":{"first_response":"1h","resolution":"8h"}}"#).await;
    crate::jobs::start_rollup_done(&desk.app.db).await;
    let day = chrono::Utc::now().date_naive() - chrono::Duration::days(10);
    let label = day.to_string();
    let ivan = technicians::Entity::find()
        .filter(technicians::Column::Name.eq("Ivan Petrov"))
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    daily_stats::Entity::insert_many([
        rollup_row(&label, "*", -1, (7, 6, 4, 2)),
        rollup_row(&label, "billing", ivan, (3, 3, 2, 1)),
        rollup_row(&label, "billing", 0, (1, 1, 0, 1)),
        rollup_row(&label, "tech", ivan, (3, 2, 2, 0)),
    ])
    .exec_without_returning(&desk.app.db)
    .await
    .unwrap();
    let api = desk.sign_in_admin().await;
    let period = format!("from={day}&to={}", day + chrono::Duration::days(1));

    let all = api.ok(&format!("/api/v1/stats?{period}")).await;
    assert_eq!(all["days"][0]["date"], label);
    let rolled = &all["days"][0]["rolled_up"];
    assert_eq!(
        (
            rolled["opened"].clone(),
            rolled["sla_met"].clone(),
            rolled["sla_breached"].clone()
        ),
        (json!(7), json!(4), json!(2))
    );
    assert!(
        all["days"][1]["rolled_up"].is_null(),
        "a day never rolled up"
    );

    let billing = api
        .ok(&format!("/api/v1/stats?{period}&category=billing"))
        .await;
    let rolled = &billing["days"][0]["rolled_up"];
    assert_eq!(rolled["closed"], 4);
    assert_eq!(rolled["sla_met"], 2);
    assert_eq!(rolled["sla_breached"], 2);

    let theirs = api
        .ok(&format!("/api/v1/stats?{period}&technician={ivan}"))
        .await;
    assert_eq!(theirs["days"][0]["rolled_up"]["sla_met"], 4);
    let both = api
        .ok(&format!(
            "/api/v1/stats?{period}&technician={ivan}&category=tech"
        ))
        .await;
    assert_eq!(both["days"][0]["rolled_up"]["opened"], 3);
    assert_eq!(both["days"][0]["rolled_up"]["sla_breached"], 0);

    // A technician gets their own figures only.
    let olga = desk.sign_in(desk.second_tech, "Olga").await;
    let (status, _) = olga
        .get(&format!("/api/v1/stats?{period}&technician={ivan}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let own = olga.ok(&format!("/api/v1/stats?{period}")).await;
    assert_eq!(own["days"][0]["rolled_up"]["opened"], 0);
}

#[tokio::test]
async fn a_technicians_stream_leaves_out_unassigned_tickets_of_other_technicians_categories() {
    let (desk, billing) =
        desk_with_categories(r#"{"normal":{"first_response":"1h","resolution":"8h"}}"#).await;
    desk.client_opens_in("Anna", "💳 Billing", billing).await;
    desk.client_opens_in("Boris", "🛠 Technical", desk.main_group())
        .await;
    crate::web_events::settled(&desk).await;
    let visible: Vec<i64> = topicdesk::entities::events::Entity::find()
        .order_by_asc(topicdesk::entities::events::Column::Id)
        .all(&desk.app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.ticket_id == Some(2))
        .map(|e| i64::from(e.id))
        .collect();
    let olga = desk.sign_in(desk.second_tech, "Olga").await;
    let mut stream = crate::web_events::EventStream::open(&olga, "?last_event_id=0", None).await;
    let got = stream.until(*visible.last().unwrap()).await;
    let ids: Vec<i64> = got.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, visible, "billing's unassigned ticket is not Olga's");
}
