//! Long polling: for a team without a public URL. Same store, same handlers.

use topicdesk::entities::InboundStatus;

use crate::support::{AppOptions, eventually, spawn_app_with};

#[tokio::test]
async fn in_polling_mode_the_bot_receives_updates_through_get_updates() {
    let app = spawn_app_with(AppOptions {
        webhook: false,
        ..AppOptions::default()
    })
    .await;
    app.fake.wait_for_call("deleteWebhook").await.unwrap();
    let client = app.fake.add_user("Mira");

    app.fake.user(client).in_private().command("/start");
    let replies = app.fake.wait_for_bot_messages(client, 1).await.unwrap();
    assert!(replies[0].text().unwrap().contains("Здравствуйте"));
    assert!(app.fake.webhook().is_none());

    eventually(
        "the polled update to be stored and done",
        std::time::Duration::from_secs(10),
        || async {
            let rows = app.inbound_rows().await;
            rows.len() == 1 && rows[0].status == InboundStatus::Done
        },
    )
    .await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"topicdesk_updates_received_total{source="polling"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_webhook_route_does_not_exist_in_polling_mode() {
    let app = spawn_app_with(AppOptions {
        webhook: false,
        ..AppOptions::default()
    })
    .await;
    let response = app.post_webhook(r#"{"update_id":1}"#, "anything").await;
    assert_eq!(response.status(), reqwest::StatusCode::NOT_FOUND);
}
