//! Live events over SSE: one event per `events` row the caller may see,
//! and a reconnect with Last-Event-ID that gets exactly what was missed.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use topicdesk::entities::{OutboxStatus, events, outbox, tickets};

use crate::support::web::{Api, WebDesk, bot_says};
use crate::support::{WAIT, eventually};

/// An open event stream, read event by event.
pub(crate) struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    pub(crate) async fn open(api: &Api, query: &str, last_event_id: Option<i64>) -> EventStream {
        let mut request =
            reqwest::Client::new().get(api.url(&format!("/api/v1/events/stream{query}")));
        if let Some(token) = &api.token
            && !query.contains("token=")
        {
            request = request.bearer_auth(token);
        }
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("the stream answers");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        EventStream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event: its id and data.
    async fn next(&mut self) -> (i64, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        id = value.trim().parse().ok();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                    }
                }
                // Keep-alive comments carry no id.
                if let Some(id) = id {
                    return (id, serde_json::from_str(&data).expect("JSON data"));
                }
                continue;
            }
            let chunk = tokio::time::timeout(WAIT, self.response.chunk())
                .await
                .expect("an event within the wait")
                .expect("the stream stays open")
                .expect("the stream goes on");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Events up to and including `last`.
    pub(crate) async fn until(&mut self, last: i64) -> Vec<(i64, Value)> {
        let mut seen = Vec::new();
        loop {
            let event = self.next().await;
            let id = event.0;
            seen.push(event);
            if id >= last {
                return seen;
            }
        }
    }
}

async fn event_ids_after(desk: &WebDesk, after: i64) -> Vec<i64> {
    events::Entity::find()
        .filter(events::Column::Id.gt(after as i32))
        .order_by_asc(events::Column::Id)
        .all(&desk.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id as i64)
        .collect()
}

/// Waits until every delivery has left, so no more events are on the way.
pub(crate) async fn settled(desk: &WebDesk) {
    eventually("the outbox drained", WAIT, || async {
        outbox::Entity::find()
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .one(&desk.app.db)
            .await
            .unwrap()
            .is_none()
    })
    .await;
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_gets_exactly_the_events_missed() {
    let desk = WebDesk::open().await;
    let (client, topic) = desk.client_opens_ticket("Anna", "First words").await;
    let api = desk.sign_in_admin().await;
    settled(&desk).await;

    // Live: the stream starts at the newest event and carries the next.
    let mut live = EventStream::open(&api, "", None).await;
    api.post(
        "/api/v1/tickets/1/messages",
        json!({ "text": "Hello Anna" }),
    )
    .await;
    let (seen, event) = live.next().await;
    assert_eq!(event["action"], "message_bridged");
    assert_eq!(event["ticket_id"], 1);
    assert_eq!(event["payload"]["text"], "Hello Anna");
    assert_eq!(event["id"], seen);
    drop(live);

    // Away: the client writes, staff answers, the ticket is assigned and
    // closed, and a technician is switched off.
    desk.fake().user(client).in_private().text("Still broken");
    bot_says(&desk, desk.main_group(), "Still broken").await;
    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .text("Trying again");
    bot_says(&desk, client, "Trying again").await;
    desk.assign(topic.thread_id, "Ivan Petrov", desk.tech_group)
        .await;
    let (status, _) = api.post("/api/v1/tickets/1/close", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let olga = api.ok("/api/v1/technicians").await[1]["id"]
        .as_i64()
        .unwrap();
    api.post(
        &format!("/api/v1/technicians/{olga}/availability"),
        json!({ "available": false }),
    )
    .await;
    settled(&desk).await;
    let missed = event_ids_after(&desk, seen).await;
    assert_eq!(
        missed.len(),
        5,
        "two messages, assigned, closed, unavailable: {missed:?}"
    );

    // Back: exactly those, in order, nothing twice, nothing lost.
    let mut back = EventStream::open(&api, "", Some(seen)).await;
    let replayed: Vec<i64> = back
        .until(*missed.last().unwrap())
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(replayed, missed);

    // The query form (for EventSource's first connection) is the same.
    let mut again = EventStream::open(&api, &format!("?last_event_id={seen}"), None).await;
    let replayed: Vec<i64> = again
        .until(*missed.last().unwrap())
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(replayed, missed);
}

#[tokio::test]
async fn a_technicians_stream_carries_their_tickets_and_unassigned_ones_only() {
    let desk = WebDesk::open().await;
    let (_, first) = desk.client_opens_ticket("Anna", "For Ivan").await;
    let (_, second) = desk.client_opens_ticket("Boris", "For Olga").await;
    desk.client_opens_ticket("Carl", "For nobody").await;
    desk.assign(first.thread_id, "Ivan Petrov", desk.tech_group)
        .await;
    desk.assign(second.thread_id, "Olga Sidorova", desk.second_tech_group)
        .await;
    settled(&desk).await;
    let ivan = desk.sign_in(desk.tech, "Ivan").await;

    let olgas: i32 = 2;
    let visible: Vec<i64> = events::Entity::find()
        .order_by_asc(events::Column::Id)
        .all(&desk.app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.ticket_id.is_some_and(|t| t != olgas))
        .map(|e| e.id as i64)
        .collect();
    let assigned_to_olga = tickets::Entity::find_by_id(olgas)
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap()
        .assigned_tech_id;
    assert!(assigned_to_olga.is_some());

    // Through the token query, as EventSource connects.
    let token = ivan.token.clone().unwrap();
    let mut stream =
        EventStream::open(&ivan, &format!("?token={token}&last_event_id=0"), None).await;
    let got = stream.until(*visible.last().unwrap()).await;
    let ids: Vec<i64> = got.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, visible);
    assert!(got.iter().all(|(_, e)| e["ticket_id"] != olgas));

    // A bad Last-Event-ID is named; no token is a 401.
    let (status, body) = Api::anonymous(&desk)
        .with_token(&token)
        .get("/api/v1/events/stream?last_event_id=abc")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "Last-Event-ID");
    let (status, _) = Api::anonymous(&desk).get("/api/v1/events/stream").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Writes an events row with a chosen id, as a transaction of another
/// instance would, committing out of order.
async fn event_with_id(desk: &WebDesk, id: i64, age: chrono::Duration) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    events::ActiveModel {
        id: Set(id as i32),
        ticket_id: Set(Some(1)),
        actor: Set(topicdesk::entities::Actor::System),
        action: Set("test_marker".into()),
        payload: Set(json!({ "n": id })),
        ts: Set(chrono::Utc::now() - age),
        search_text: Set(None),
    }
    .insert(&desk.app.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn an_event_committed_out_of_order_is_waited_for_not_skipped() {
    let desk = WebDesk::open().await;
    desk.client_opens_ticket("Anna", "Hello").await;
    settled(&desk).await;
    let api = desk.sign_in_admin().await;
    let base = *event_ids_after(&desk, 0).await.last().unwrap();

    // Id base+2 is readable while base+1 is still on its way.
    event_with_id(&desk, base + 2, chrono::Duration::zero()).await;
    let mut stream = EventStream::open(&api, "", Some(base)).await;
    let early = tokio::time::timeout(std::time::Duration::from_secs(1), stream.next()).await;
    assert!(
        early.is_err(),
        "nothing passes the gap while it may fill: {early:?}"
    );
    event_with_id(&desk, base + 1, chrono::Duration::zero()).await;
    assert_eq!(stream.next().await.0, base + 1);
    assert_eq!(stream.next().await.0, base + 2);

    // A gap older than the grace period is a rolled-back transaction: the
    // stream goes on past it.
    event_with_id(&desk, base + 4, chrono::Duration::seconds(30)).await;
    assert_eq!(stream.next().await.0, base + 4);
}
