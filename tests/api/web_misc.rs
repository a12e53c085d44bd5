//! The web desk's surroundings: the OpenAPI document and its viewer, API
//! tokens (from the Mini App and from /api_token), the Mini App's menu
//! button and /app, the page itself, and CORS.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use topicdesk::entities::{api_tokens, outbox};

use crate::support::web::{Api, PUBLIC_URL, WebDesk, bot_says};
use crate::support::{AppOptions, Desk, WAIT, eventually};

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_the_viewer_is_served() {
    let desk = WebDesk::open().await;
    let api = Api::anonymous(&desk);
    let document = api.ok("/api/openapi.json").await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let mut routes: Vec<String> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes.sort();
    let mut expected = vec![
        "POST /api/v1/auth/telegram",
        "POST /api/v1/auth/refresh",
        "POST /api/v1/auth/logout",
        "GET /api/v1/me",
        "GET /api/v1/tickets",
        "GET /api/v1/tickets/{id}",
        "POST /api/v1/tickets/{id}/assign",
        "POST /api/v1/tickets/{id}/close",
        "POST /api/v1/tickets/{id}/messages",
        "POST /api/v1/tickets/{id}/priority",
        "POST /api/v1/tickets/{id}/category",
        "POST /api/v1/tickets/{id}/wait",
        "GET /api/v1/technicians",
        "POST /api/v1/technicians/{id}/availability",
        "GET /api/v1/stats",
        "GET /api/v1/desk",
        "GET /api/v1/dashboard",
        "GET /api/v1/dashboard/charts/{chart}",
        "GET /api/v1/events/stream",
        "GET /api/v1/tokens",
        "POST /api/v1/tokens",
        "DELETE /api/v1/tokens/{id}",
        "GET /api/v1/kb/articles",
        "POST /api/v1/kb/articles",
        "GET /api/v1/kb/articles/{id}",
        "PUT /api/v1/kb/articles/{id}",
        "DELETE /api/v1/kb/articles/{id}",
        "GET /api/v1/kb/search",
    ];
    expected.sort();
    assert_eq!(routes, expected);
    // Every documented route answers (not with the router's own 404).
    for route in &expected {
        let (method, path) = route.split_once(' ').unwrap();
        let path = path.replace("{id}", "1").replace("{chart}", "survey");
        let response = desk
            .app
            .http
            .request(method.parse().unwrap(), desk.app.url(&path))
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_ne!(body["detail"], "no such API route", "{route}");
    }
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    for schema in [
        "ErrorBody",
        "SlaView",
        "DeskView",
        "PriorityRequest",
        "CategoryRequest",
        "DashboardSla",
    ] {
        assert!(
            document["components"]["schemas"][schema].is_object(),
            "{schema} is described"
        );
    }

    let viewer = desk.app.get("/api/docs/").await;
    assert_eq!(viewer.status(), StatusCode::OK);
    let page = viewer.text().await.unwrap();
    assert!(page.contains("swagger"), "{page}");
    assert!(!page.contains("cdn"), "the viewer comes from the binary");
}

#[tokio::test]
async fn api_tokens_are_shown_once_kept_hashed_scoped_and_revocable() {
    let desk = WebDesk::open().await;
    let (client, _) = desk.client_opens_ticket("Anna", "Integration test").await;
    let admin = desk.sign_in_admin().await;

    let (status, created) = admin
        .post("/api/v1/tokens", json!({ "name": "crm", "scope": "read" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let read_token = created["token"].as_str().unwrap().to_owned();
    assert!(read_token.starts_with("tdk_"));
    let row = api_tokens::Entity::find_by_id(created["id"].as_i64().unwrap() as i32)
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!row.token_hash.contains(&read_token[4..]));
    // Lists never show the token again.
    let listed = admin.ok("/api/v1/tokens").await;
    assert_eq!(listed[0]["name"], "crm");
    assert!(listed[0].get("token").is_none());
    assert!(!listed.to_string().contains(&read_token));

    let reader = Api::anonymous(&desk).with_token(&read_token);
    assert_eq!(reader.ok("/api/v1/tickets").await["items"][0]["id"], 1);
    let (status, _) = reader
        .post(
            "/api/v1/tickets/1/messages",
            json!({ "text": "from the CRM" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token never mints another.
    let (status, _) = reader
        .post("/api/v1/tokens", json!({ "name": "more" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, writer) = admin
        .post("/api/v1/tokens", json!({ "name": "bot", "scope": "write" }))
        .await;
    let writer = Api::anonymous(&desk).with_token(writer["token"].as_str().unwrap());
    let (status, body) = writer
        .post(
            "/api/v1/tickets/1/messages",
            json!({ "text": "from the CRM" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    bot_says(&desk, client, "from the CRM").await;

    let (status, _) = admin
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/tokens/{}", created["id"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        reader.get("/api/v1/tickets").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = admin
        .post("/api/v1/tokens", json!({ "name": "", "scope": "read" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "name");
    let (status, body) = admin
        .post("/api/v1/tokens", json!({ "name": "x", "scope": "admin" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "scope");

    // Technicians do not manage tokens.
    let ivan = desk.sign_in(desk.tech, "Ivan").await;
    assert_eq!(ivan.get("/api/v1/tokens").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_token_in_the_private_chat_shows_a_token_once_and_the_outbox_forgets_it() {
    let desk = WebDesk::open().await;
    desk.fake()
        .user(desk.admin)
        .in_private()
        .command("/api_token reports write");
    let answer = desk
        .fake()
        .wait_for_value("the token", WAIT, |w| {
            w.bot_messages(desk.admin)
                .into_iter()
                .find(|m| m.text().is_some_and(|t| t.contains("tdk_")))
        })
        .await
        .unwrap();
    let text = answer.text().unwrap();
    assert!(text.contains("reports") && text.contains("write"), "{text}");
    let token = text
        .split_whitespace()
        .find(|w| w.starts_with("tdk_"))
        .unwrap()
        .to_owned();
    let api = Api::anonymous(&desk).with_token(&token);
    assert_eq!(api.get("/api/v1/tickets").await.0, StatusCode::OK);

    // Once sent, the message's text is gone from the outbox.
    eventually("the token's message blanked", WAIT, || async {
        let rows = outbox::Entity::find()
            .filter(outbox::Column::LaneChatId.eq(desk.admin))
            .all(&desk.app.db)
            .await
            .unwrap();
        !rows.is_empty() && rows.iter().all(|r| !r.action.to_string().contains(&token))
    })
    .await;

    // In a group, or from anyone but a manager: refused, no token.
    desk.fake()
        .user(desk.admin)
        .in_group(desk.main_group())
        .command("/api_token leak");
    desk.fake()
        .user(desk.tech)
        .in_private()
        .command("/api_token sneaky");
    bot_says(&desk, desk.tech, desk.texts.admin_refusal()).await;
    bot_says(&desk, desk.main_group(), desk.texts.admin_refusal()).await;
    let names: Vec<String> = api_tokens::Entity::find()
        .all(&desk.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["reports"]);
}

#[tokio::test]
async fn managers_and_technicians_get_the_mini_app_as_menu_button_and_from_app() {
    let desk = WebDesk::open().await;
    let url = format!("{PUBLIC_URL}/app/");
    for person in [desk.admin, desk.tech, desk.second_tech] {
        let button = desk
            .fake()
            .wait_for_value("the menu button", WAIT, |w| w.menu_button(Some(person)))
            .await
            .unwrap();
        assert_eq!(button["type"], "web_app");
        assert_eq!(button["web_app"]["url"], url.as_str());
        assert_eq!(button["text"], desk.texts.menu_button_app());
    }

    desk.fake().user(desk.tech).in_private().command("/app");
    let answer = bot_says(&desk, desk.tech, desk.texts.app_open()).await;
    assert_eq!(
        answer.buttons(),
        [(desk.texts.app_button().to_owned(), url.clone())]
    );
    // A client gets nothing of it.
    let client = desk.fake().add_user("Curious");
    desk.fake().user(client).in_private().command("/app");
    bot_says(&desk, client, desk.texts.admin_refusal()).await;
}

#[tokio::test]
async fn without_a_public_https_address_the_mini_app_is_off_and_app_says_so() {
    let fake = fake_telegram::FakeTelegram::start().await;
    let admin = fake.add_user("Maria");
    let desk = Desk::open_with(AppOptions {
        fake: Some(fake),
        webhook: false,
        vars: vec![("ADMIN_IDS".into(), admin.to_string())],
        ..AppOptions::default()
    })
    .await;
    desk.fake().user(admin).in_private().command("/app");
    bot_says(&desk, admin, desk.texts.app_off()).await;
    assert_eq!(desk.fake().menu_button(Some(admin)), None);
    assert_eq!(desk.fake().calls_to("setChatMenuButton").len(), 0);
    // The API is served all the same (behind a proxy that adds HTTPS).
    assert_eq!(
        desk.app.get("/api/openapi.json").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_mini_app_page_comes_from_the_binary_in_the_desks_language() {
    let desk = WebDesk::open_with(vec![("BOT_LANGUAGE", "en")]).await;
    let response = desk.app.get("/app/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    let page = response.text().await.unwrap();
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("telegram-web-app.js"));
    assert!(
        page.contains("\"ui-nav.dashboard\":\"Dashboard\""),
        "{page}"
    );
    for asset in ["/app/app.js", "/app/app.css"] {
        let response = desk.app.get(asset).await;
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
    }
    assert_eq!(
        desk.app.get("/app/missing.js").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn cors_is_closed_unless_origins_are_configured() {
    let closed = WebDesk::open().await;
    let preflight = |desk: &WebDesk| {
        desk.app
            .http
            .request(reqwest::Method::OPTIONS, desk.app.url("/api/v1/tickets"))
            .header("Origin", "https://crm.example.test")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let response = preflight(&closed).await.unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let open = WebDesk::open_with(vec![("API_CORS_ORIGINS", "https://crm.example.test")]).await;
    let response = preflight(&open).await.unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://crm.example.test"
    );
}
