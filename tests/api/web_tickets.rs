//! The REST API against tickets made through the fake Telegram: lists,
//! search and pages, a ticket's timeline, replies that reach the client
//! through the outbox, assigning and closing as the buttons do, what a
//! technician may see and do, availability, and statistics.

use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use topicdesk::entities::{TicketStatus, technicians};

use crate::support::web::{WebDesk, bot_says, ids};
use crate::support::{WAIT, eventually};

#[tokio::test]
async fn the_list_filters_searches_like_find_and_pages_with_a_cursor() {
    let desk = WebDesk::open().await;
    desk.client_opens_ticket("Anna", "My printer is on fire")
        .await;
    let (_, second) = desk
        .client_opens_ticket("Boris", "The router blinks red")
        .await;
    desk.client_opens_ticket("Carl", "Printer jam again").await;
    desk.assign(second.thread_id, "Ivan Petrov", desk.tech_group)
        .await;
    let api = desk.sign_in_admin().await;

    assert_eq!(ids(&api.ok("/api/v1/tickets").await), [3, 2, 1]);
    assert_eq!(ids(&api.ok("/api/v1/tickets?status=new").await), [3, 1]);
    assert_eq!(ids(&api.ok("/api/v1/tickets?status=work").await), [2]);
    let ivan = desk.tech_id("Ivan Petrov").await;
    assert_eq!(
        ids(&api.ok(&format!("/api/v1/tickets?technician={ivan}")).await),
        [2]
    );
    assert_eq!(
        ids(&api.ok("/api/v1/tickets?technician=none").await),
        [3, 1]
    );

    // Search reads q as /find does: words of the conversation, names, #ids.
    let found = api.ok("/api/v1/tickets?q=printer").await;
    assert_eq!(ids(&found), [3, 1]);
    assert_eq!(found["items"][0]["matched_message"], "Printer jam again");
    assert_eq!(ids(&api.ok("/api/v1/tickets?q=boris").await), [2]);
    assert_eq!(ids(&api.ok("/api/v1/tickets?q=%232").await), [2]);
    assert_eq!(
        ids(&api.ok("/api/v1/tickets?q=printer&status=new&limit=1").await),
        [3]
    );

    // Pages: newest first, a cursor to the next, none after the last.
    let first = api.ok("/api/v1/tickets?limit=2").await;
    assert_eq!(ids(&first), [3, 2]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = api
        .ok(&format!("/api/v1/tickets?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(ids(&next), [1]);
    assert!(next["next_cursor"].is_null());

    // Bad filters are named.
    for (query, field) in [
        ("status=done", "status"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("cursor=garbage", "cursor"),
        ("technician=ivan", "technician"),
        ("category=billing", "category"),
        ("priority=soon", "priority"),
    ] {
        let (status, body) = api.get(&format!("/api/v1/tickets?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["field"], field, "{query}");
    }
}

#[tokio::test]
async fn a_ticket_shows_its_timeline_with_authors_directions_and_message_links() {
    let desk = WebDesk::open().await;
    let (client, topic) = desk.client_opens_ticket("Anna", "Hello, the printer").await;
    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .text("We are on it");
    bot_says(&desk, client, "We are on it").await;
    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .text("// check the warranty");
    desk.assign(topic.thread_id, "Ivan Petrov", desk.tech_group)
        .await;
    let api = desk.sign_in_admin().await;

    let detail = eventually_detail(&api, 1, |d| {
        d["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "message")
            .all(|e| e["links"].as_array().unwrap().len() >= 2)
    })
    .await;
    assert_eq!(detail["status"], "work");
    assert_eq!(detail["client"]["username"], "anna");
    assert_eq!(detail["technician"]["name"], "Ivan Petrov");
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "message", "message", "note", "assigned"]);
    let timeline = detail["timeline"].as_array().unwrap();
    assert_eq!(timeline[1]["direction"], "in");
    assert_eq!(timeline[1]["author"], "Anna");
    assert_eq!(timeline[1]["text"], "Hello, the printer");
    assert_eq!(timeline[2]["direction"], "out");
    assert_eq!(timeline[2]["text"], "We are on it");
    assert_eq!(timeline[3]["text"], "// check the warranty");
    assert_eq!(timeline[4]["detail"], "Ivan Petrov");
    // The client's message: the original, and its copy in the main topic
    // with a t.me link into the topic.
    let links = timeline[1]["links"].as_array().unwrap();
    assert_eq!(links[0]["place"], "client");
    let main = links.iter().find(|l| l["place"] == "main").unwrap();
    let url = main["url"].as_str().unwrap();
    assert!(url.starts_with("https://t.me/c/"), "{url}");
    assert!(url.contains(&format!("/{}/", topic.thread_id)), "{url}");
    assert_eq!(detail["permissions"]["reply"]["allowed"], true);
    assert!(detail["last_event_id"].as_i64().unwrap() > 0);

    let (status, body) = api.get("/api/v1/tickets/99").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    assert_eq!(
        api.get("/api/v1/tickets/abc").await.0,
        StatusCode::NOT_FOUND
    );
}

/// The ticket's detail once `ready` holds (copies are recorded as the
/// outbox sends them).
async fn eventually_detail(
    api: &crate::support::web::Api,
    id: i64,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    crate::support::eventually_some("the ticket's detail", WAIT, || async {
        let detail = api.ok(&format!("/api/v1/tickets/{id}")).await;
        ready(&detail).then_some(detail)
    })
    .await
}

#[tokio::test]
async fn a_reply_from_the_web_reaches_the_client_through_the_outbox_and_shows_in_the_topics() {
    let desk = WebDesk::open().await;
    let (client, topic, mirror) = desk.assigned_ticket("Anna", "Is anyone there?").await;
    assert!(desk.ticket(1).await.first_response_at.is_none());
    let api = desk.sign_in_admin().await;

    let (status, receipt) = api
        .post(
            "/api/v1/tickets/1/messages",
            json!({ "text": "Yes, we are looking into it" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{receipt}");
    assert_eq!(receipt["destinations"], json!(["client", "main", "mirror"]));

    // As the team, without a name, in the client's chat…
    bot_says(&desk, client, "Yes, we are looking into it").await;
    // …and marked with the author's name in both topics.
    let marked = "Maria Test:\nYes, we are looking into it";
    let main = bot_says(&desk, desk.main_group(), marked).await;
    assert_eq!(main.thread_id(), Some(topic.thread_id));
    let copy = bot_says(&desk, desk.tech_group, marked).await;
    assert_eq!(copy.thread_id(), Some(mirror.thread_id));
    // It was the first answer the client got.
    eventually("first_response_at set", WAIT, || async {
        desk.ticket(1).await.first_response_at.is_some()
    })
    .await;

    let detail = eventually_detail(&api, 1, |d| {
        d["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["via_web"] == true && e["links"].as_array().unwrap().len() == 3)
    })
    .await;
    let reply = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["via_web"] == true)
        .unwrap();
    assert_eq!(reply["direction"], "out");
    assert_eq!(reply["author"], "Maria Test");
    assert_eq!(reply["text"], "Yes, we are looking into it");

    // The client answers the web reply: the copy in the main topic
    // replies to the marked copy there.
    let answered = desk
        .fake()
        .bot_messages(client)
        .into_iter()
        .find(|m| m.text() == Some("Yes, we are looking into it"))
        .unwrap()
        .id();
    desk.fake()
        .user(client)
        .in_private()
        .replying_to(answered)
        .text("Thanks!");
    let thanks = desk
        .fake()
        .wait_for_value("the client's answer in the topic", WAIT, |w| {
            w.topic_messages(desk.main_group(), topic.thread_id)
                .into_iter()
                .find(|m| m.text() == Some("Thanks!"))
        })
        .await
        .unwrap();
    assert_eq!(thanks.reply_to_id(), Some(main.id()));

    // Empty and closed: refused with reasons.
    let (status, body) = api
        .post("/api/v1/tickets/1/messages", json!({ "text": "   " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "text");
    let (status, _) = api.post("/api/v1/tickets/1/close", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = api
        .post("/api/v1/tickets/1/messages", json!({ "text": "Too late" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test]
async fn assigning_and_closing_through_the_api_do_what_the_buttons_do() {
    let desk = WebDesk::open().await;
    let (client, topic) = desk.client_opens_ticket("Anna", "Broken screen").await;
    let api = desk.sign_in_admin().await;
    let ivan = desk.tech_id("Ivan Petrov").await;

    let (status, detail) = api
        .post("/api/v1/tickets/1/assign", json!({ "technician_id": ivan }))
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["status"], "work");
    assert_eq!(detail["technician"]["id"], ivan);
    // The technician's mirrored topic opens as with the card's button.
    desk.fake()
        .wait_for_value("the mirrored topic", WAIT, |w| {
            w.topics(desk.tech_group).into_iter().find(|t| !t.deleted)
        })
        .await
        .unwrap();
    eventually("the main topic renamed", WAIT, || async {
        desk.fake()
            .topic(desk.main_group(), topic.thread_id)
            .is_some_and(|t| t.name.contains("@ivan"))
    })
    .await;
    let (status, body) = api
        .post("/api/v1/tickets/1/assign", json!({ "technician_id": 999 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "technician_id");
    let (status, body) = api
        .post("/api/v1/tickets/1/assign", json!({ "technician_id": "x" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "technician_id");

    let (status, detail) = api.post("/api/v1/tickets/1/close", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["status"], "closed");
    assert_eq!(desk.ticket(1).await.status, TicketStatus::Closed);
    // The client is told, and the survey starts, as with /close.
    bot_says(&desk, client, &desk.texts.closed_for_client(1)).await;
    eventually("the topic closed", WAIT, || async {
        desk.fake()
            .topic(desk.main_group(), topic.thread_id)
            .is_some_and(|t| t.closed)
    })
    .await;
    let (status, body) = api.post("/api/v1/tickets/1/close", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        detail["permissions"]["close"]["reason"], "ticket_closed",
        "the Mini App disables the button with a reason"
    );

    // A closed ticket keeps its priority and waits for nobody.
    for (action, body) in [
        ("priority", json!({ "level": "high" })),
        ("wait", json!({})),
    ] {
        let (status, body) = api.post(&format!("/api/v1/tickets/1/{action}"), body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{action}: {body}");
    }
}

#[tokio::test]
async fn a_technician_sees_their_own_and_unassigned_tickets_and_closes_only_their_own() {
    let desk = WebDesk::open().await;
    let (_, first) = desk.client_opens_ticket("Anna", "Mine soon").await;
    let (_, second) = desk.client_opens_ticket("Boris", "Olga's").await;
    desk.client_opens_ticket("Carl", "Nobody's yet").await;
    desk.assign(first.thread_id, "Ivan Petrov", desk.tech_group)
        .await;
    desk.assign(second.thread_id, "Olga Sidorova", desk.second_tech_group)
        .await;
    let ivan = desk.sign_in(desk.tech, "Ivan").await;
    let ivan_id = desk.tech_id("Ivan Petrov").await;
    let olga_id = desk.tech_id("Olga Sidorova").await;

    assert_eq!(ids(&ivan.ok("/api/v1/tickets").await), [3, 1]);
    assert_eq!(
        ids(&ivan.ok("/api/v1/tickets?q=olga%27s").await),
        Vec::<i64>::new()
    );
    let (status, _) = ivan.get("/api/v1/tickets/2").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another's ticket is not even there"
    );
    let (status, _) = ivan
        .post("/api/v1/tickets/2/messages", json!({ "text": "hi" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = ivan.post("/api/v1/tickets/2/close", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An unassigned ticket: visible, but not theirs to close; theirs to
    // take, for themselves only.
    let detail = ivan.ok("/api/v1/tickets/3").await;
    assert_eq!(detail["permissions"]["close"]["reason"], "not_your_ticket");
    let (status, body) = ivan.post("/api/v1/tickets/3/close", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = ivan
        .post(
            "/api/v1/tickets/3/assign",
            json!({ "technician_id": olga_id }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = ivan
        .post(
            "/api/v1/tickets/3/assign",
            json!({ "technician_id": ivan_id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Their own ticket: closed.
    let (status, body) = ivan.post("/api/v1/tickets/1/close", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(desk.ticket(1).await.status, TicketStatus::Closed);

    // Availability is the managers' switch.
    let (status, _) = ivan
        .post(
            &format!("/api/v1/technicians/{ivan_id}/availability"),
            json!({ "available": false }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Figures: their own only.
    let stats = ivan.ok("/api/v1/stats").await;
    assert_eq!(stats["technician"], ivan_id);
    let (status, _) = ivan
        .get(&format!("/api/v1/stats?technician={olga_id}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn managers_switch_availability_and_see_technicians_with_their_load() {
    let desk = WebDesk::open().await;
    desk.assigned_ticket("Anna", "Help").await;
    let api = desk.sign_in_admin().await;
    let ivan = desk.tech_id("Ivan Petrov").await;

    let techs = api.ok("/api/v1/technicians").await;
    let first = techs
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == ivan)
        .unwrap();
    assert_eq!(first["open_tickets"], 1);
    assert_eq!(first["available"], true);

    let (status, body) = api
        .post(
            &format!("/api/v1/technicians/{ivan}/availability"),
            json!({ "available": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["available"], false);
    let row = technicians::Entity::find_by_id(ivan as i32)
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!row.available);
    let (status, body) = api
        .post(
            "/api/v1/technicians/999/availability",
            json!({ "available": true }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = api
        .post(
            &format!("/api/v1/technicians/{ivan}/availability"),
            json!({ "available": "yes" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "available");
}

#[tokio::test]
async fn statistics_come_per_day_and_the_dashboard_counts_what_the_database_holds() {
    let desk = WebDesk::open().await;
    let (client, topic) = desk.client_opens_ticket("Anna", "One").await;
    desk.client_opens_ticket("Boris", "Two").await;
    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .text("Answer");
    bot_says(&desk, client, "Answer").await;
    let api = desk.sign_in_admin().await;
    eventually("the first response recorded", WAIT, || async {
        desk.ticket(1).await.first_response_at.is_some()
    })
    .await;
    api.post("/api/v1/tickets/1/close", json!({})).await;

    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Duration::days(2);
    let stats = api
        .ok(&format!("/api/v1/stats?from={from}&to={today}"))
        .await;
    let days = stats["days"].as_array().unwrap();
    assert_eq!(days.len(), 3);
    assert_eq!(days[2]["date"], today.to_string());
    assert_eq!(days[2]["opened"], 2);
    assert_eq!(days[2]["closed"], 1);
    assert_eq!(days[2]["still_open"], 1);
    assert_eq!(days[2]["first_response"]["count"], 1);
    assert_eq!(days[0]["opened"], 0);
    assert_eq!(stats["total"]["opened"], 2);

    for (query, field) in [
        ("from=2026-13-01", "from"),
        ("from=2026-11-02&to=2026-11-01", "from"),
        ("from=2020-01-01&to=2026-01-01", "to"),
        ("technician=x", "technician"),
        ("category=billing", "category"),
    ] {
        let (status, body) = api.get(&format!("/api/v1/stats?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["field"], field, "{query}");
    }

    let dashboard = api.ok("/api/v1/dashboard").await;
    assert_eq!(dashboard["open"]["new"], 1);
    assert_eq!(dashboard["open"]["work"], 0);
    assert_eq!(dashboard["oldest_waiting"]["id"], 2);
    assert_eq!(dashboard["today"]["opened"], 2);
    assert_eq!(dashboard["days"].as_array().unwrap().len(), 30);
    let (status, svg) = api.get("/api/v1/dashboard/charts/opened-closed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.as_str().unwrap().starts_with("<svg"), "{svg}");
    let (status, _) = api.get("/api/v1/dashboard/charts/survey?fg=ffffff").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        api.get("/api/v1/dashboard/charts/pie").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = api.get("/api/v1/dashboard/charts/survey?fg=red").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "fg");
}
