//! Signing in to the web desk: Telegram's initData checked against the bot
//! token, roles from ADMIN_IDS and TECH_GROUPS_MAPPING, refresh tokens that
//! rotate and whose reuse ends the session, and logout.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use topicdesk::entities::web_sessions;

use crate::support::web::{Api, WebDesk, signed_init_data};

async fn sign_in_with(desk: &WebDesk, init_data: &str) -> (StatusCode, serde_json::Value) {
    Api::anonymous(desk)
        .post("/api/v1/auth/telegram", json!({ "init_data": init_data }))
        .await
}

#[tokio::test]
async fn init_data_signed_with_the_bot_token_signs_a_manager_in_as_admin() {
    let desk = WebDesk::open().await;
    let (status, body) =
        sign_in_with(&desk, &desk.init_data(desk.admin, "Maria", Duration::ZERO)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "admin");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().starts_with("tdr_"));
    // Only a hash of the refresh token is stored.
    let rows = web_sessions::Entity::find()
        .all(&desk.app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].token_hash, body["refresh_token"].as_str().unwrap());

    let api = Api::anonymous(&desk).with_token(body["access_token"].as_str().unwrap());
    let me = api.ok("/api/v1/me").await;
    assert_eq!(me["role"], "admin");
    assert_eq!(me["name"], "Maria Test");
    assert_eq!(me["may_manage_tokens"], true);
}

#[tokio::test]
async fn init_data_is_refused_when_changed_unsigned_or_too_old() {
    let desk = WebDesk::open().await;
    let good = desk.init_data(desk.admin, "Maria", Duration::ZERO);

    // Someone else's id put in place of the manager's.
    let forged = good.replace(&desk.admin.to_string(), "424242");
    assert_ne!(forged, good);
    let (status, body) = sign_in_with(&desk, &forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "unauthorized");

    // Signed with another bot's token.
    let other = signed_init_data("999:other-bot", desk.admin, "Maria", Duration::ZERO);
    assert_eq!(
        sign_in_with(&desk, &other).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Without its hash.
    let unsigned = good.split("&hash=").next().unwrap();
    let (status, body) = sign_in_with(&desk, unsigned).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["detail"], "init_data has no hash");

    // Older than WEBAPP_AUTH_MAX_AGE (1 hour by default).
    let old = desk.init_data(desk.admin, "Maria", Duration::from_secs(3700));
    let (status, body) = sign_in_with(&desk, &old).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["detail"].as_str().unwrap().contains("too old"),
        "{body}"
    );

    // Nothing was signed in.
    assert_eq!(
        web_sessions::Entity::find()
            .count(&desk.app.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_age_limit_is_the_setting() {
    let desk = WebDesk::open_with(vec![("WEBAPP_AUTH_MAX_AGE", "2h")]).await;
    let ninety_minutes = desk.init_data(desk.admin, "Maria", Duration::from_secs(90 * 60));
    assert_eq!(sign_in_with(&desk, &ninety_minutes).await.0, StatusCode::OK);
}

#[tokio::test]
async fn technicians_sign_in_as_technicians_and_strangers_are_told_whom_to_ask() {
    let desk = WebDesk::open().await;
    let (status, body) =
        sign_in_with(&desk, &desk.init_data(desk.tech, "Ivan", Duration::ZERO)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "technician");

    let stranger = 777_000_111;
    let (status, body) =
        sign_in_with(&desk, &desk.init_data(stranger, "Eve", Duration::ZERO)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("777000111"), "{detail}");
    assert!(
        detail.contains("ADMIN_IDS") && detail.contains("TECH_GROUPS_MAPPING"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_refresh_token_works_once_and_its_reuse_ends_the_whole_session() {
    let desk = WebDesk::open().await;
    let first = desk.sign_in_admin().await;
    let old_refresh = first.refresh.clone().unwrap();

    let (status, rotated) = first
        .post(
            "/api/v1/auth/refresh",
            json!({ "refresh_token": old_refresh }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new_refresh = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, old_refresh);
    let second = Api::anonymous(&desk).with_token(rotated["access_token"].as_str().unwrap());
    assert_eq!(second.get("/api/v1/me").await.0, StatusCode::OK);

    // The spent token is refused, and presenting it revokes the family:
    // the new refresh token and both access tokens stop working.
    let (status, body) = first
        .post(
            "/api/v1/auth/refresh",
            json!({ "refresh_token": old_refresh }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["detail"].as_str().unwrap().contains("already used"),
        "{body}"
    );
    let (status, _) = first
        .post(
            "/api/v1/auth/refresh",
            json!({ "refresh_token": new_refresh }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(second.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(first.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);

    // Another sign-in is a separate family and works.
    let again = desk.sign_in_admin().await;
    assert_eq!(again.get("/api/v1/me").await.0, StatusCode::OK);
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let desk = WebDesk::open().await;
    let api = desk.sign_in_admin().await;
    let refresh = api.refresh.clone().unwrap();
    let (status, _) = api
        .post("/api/v1/auth/logout", json!({ "refresh_token": refresh }))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = api
        .post("/api/v1/auth/refresh", json!({ "refresh_token": refresh }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn requests_without_credentials_or_with_bad_bodies_get_clear_json_errors() {
    let desk = WebDesk::open().await;
    let anonymous = Api::anonymous(&desk);
    let (status, body) = anonymous.get("/api/v1/tickets").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthorized");
    assert!(body["detail"].is_string());

    let (status, body) = anonymous
        .clone()
        .with_token("not-a-jwt")
        .get("/api/v1/tickets")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // A missing field is named.
    let (status, body) = anonymous.post("/api/v1/auth/telegram", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "init_data");
    // A field of the wrong type is named too.
    let (status, body) = anonymous
        .post("/api/v1/auth/telegram", json!({ "init_data": 5 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "init_data");
    // Not JSON at all.
    let (status, body) = anonymous
        .call(Method::POST, "/api/v1/auth/refresh", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "body");

    let (status, body) = anonymous.get("/api/v1/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
}
