//! The web desk in tests: a desk with a manager and a public HTTPS URL,
//! initData signed like Telegram signs it, and a small API client.

use std::time::Duration;

use fake_telegram::{FakeTelegram, TopicInfo, UserSpec};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use topicdesk::services::web::init_data;

use super::flows::add_manager;
use super::{Desk, WAIT};

pub const PUBLIC_URL: &str = "https://desk.example.test";

/// A desk (see `Desk`) whose ADMIN_IDS names Maria, with the Mini App on.
pub struct WebDesk {
    pub desk: Desk,
    pub admin: i64,
}

impl std::ops::Deref for WebDesk {
    type Target = Desk;
    fn deref(&self) -> &Desk {
        &self.desk
    }
}

impl WebDesk {
    pub async fn open() -> WebDesk {
        Self::open_with(Vec::new()).await
    }

    pub async fn open_with(vars: Vec<(&str, &str)>) -> WebDesk {
        Self::open_on(FakeTelegram::start().await, vars).await
    }

    /// On a fake the test has prepared (say, with a category's own group).
    pub async fn open_on(fake: FakeTelegram, vars: Vec<(&str, &str)>) -> WebDesk {
        let admin = add_manager(&fake);
        let mut all = super::vars([
            ("ADMIN_IDS", admin.to_string().as_str()),
            ("PUBLIC_URL", PUBLIC_URL),
        ]);
        all.extend(super::vars(vars));
        let desk = Desk::open_on(fake, all).await;
        desk.fake().add_member(desk.main_group(), admin);
        WebDesk { desk, admin }
    }

    /// initData for `user`, signed with the bot's token, `age` old.
    pub fn init_data(&self, user: i64, first_name: &str, age: Duration) -> String {
        signed_init_data(&self.fake().token(), user, first_name, age)
    }

    /// Signs `user` in through the Mini App and returns a client for them.
    pub async fn sign_in(&self, user: i64, first_name: &str) -> Api {
        let api = Api::anonymous(self);
        let (status, body) = api
            .call(
                Method::POST,
                "/api/v1/auth/telegram",
                Some(json!({ "init_data": self.init_data(user, first_name, Duration::ZERO) })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        api.with_token(body["access_token"].as_str().unwrap())
            .with_refresh(body["refresh_token"].as_str().unwrap())
    }

    pub async fn sign_in_admin(&self) -> Api {
        self.sign_in(self.admin, "Maria").await
    }

    /// A client (whose app speaks English) writes and picks the category
    /// labelled `label` (as the client sees it); returns the
    /// client and the ticket's topic in `group`.
    pub async fn client_opens_in(&self, name: &str, label: &str, group: i64) -> (i64, TopicInfo) {
        let client = self.fake().add_user(
            UserSpec::new(name)
                .username(name.to_lowercase())
                .language_code("en"),
        );
        self.fake()
            .user(client)
            .in_private()
            .text(&format!("Hello from {name}"));
        self.client_chooses(client, label).await;
        let topic = self.wait_for_topic_in(group, name).await;
        self.wait_for_topic_messages(group, topic.thread_id, 2)
            .await;
        (client, topic)
    }
}

pub fn signed_init_data(token: &str, user: i64, first_name: &str, age: Duration) -> String {
    let auth_date = (chrono::Utc::now().timestamp() - age.as_secs() as i64).to_string();
    let user =
        json!({ "id": user, "first_name": first_name, "last_name": "Test", "language_code": "en" })
            .to_string();
    init_data::sign(
        &[
            ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"),
            ("user", &user),
            ("auth_date", &auth_date),
        ],
        token,
    )
}

/// Calls the API as one caller.
#[derive(Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
    pub token: Option<String>,
    pub refresh: Option<String>,
}

impl Api {
    pub fn anonymous(desk: &Desk) -> Api {
        Api {
            base: desk.app.url(""),
            http: desk.app.http.clone(),
            token: None,
            refresh: None,
        }
    }

    pub fn with_token(mut self, token: &str) -> Api {
        self.token = Some(token.to_owned());
        self
    }

    fn with_refresh(mut self, refresh: &str) -> Api {
        self.refresh = Some(refresh.to_owned());
        self
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Any call; the status and the body (JSON, or a string for others).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the API answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// A GET that must succeed.
    pub async fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }
}

/// Waits until `chat` (or its topic) has a bot message with `text`.
pub async fn bot_says(desk: &Desk, chat: i64, text: &str) -> fake_telegram::StoredMessage {
    desk.fake()
        .wait_for_value(&format!("{text:?} in chat {chat}"), WAIT, |w| {
            w.bot_messages(chat)
                .into_iter()
                .find(|m| m.text() == Some(text))
        })
        .await
        .unwrap()
}

/// The ids of a page of tickets.
pub fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}
