//! Helpers shared by the integration tests: a teloxide `Bot` pointed at the
//! fake, a raw HTTP client, and a webhook receiver that records what it gets.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use fake_telegram::FakeTelegram;
use serde_json::Value;
use tokio::sync::Notify;

/// A teloxide bot talking to the fake (never through a proxy).
pub fn bot(tg: &FakeTelegram) -> teloxide::Bot {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    teloxide::Bot::with_client(tg.token(), client)
        .set_api_url(reqwest::Url::parse(&tg.api_url()).unwrap())
}

/// A plain HTTP client for raw protocol checks.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// POSTs a JSON body to `method` and returns (status, body).
pub async fn call(tg: &FakeTelegram, method: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/bot{}/{method}", tg.api_url(), tg.token());
    let response = http().post(url).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// What a webhook receiver got in one request.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub secret: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct ReceiverState {
    received: Mutex<Vec<Received>>,
    /// Statuses to answer with, front first; 200 when empty.
    script: Mutex<Vec<u16>>,
    notify: Notify,
}

/// A local HTTP server standing in for the bot's webhook endpoint.
#[derive(Clone)]
pub struct WebhookReceiver {
    pub addr: SocketAddr,
    state: Arc<ReceiverState>,
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let status = {
        let mut script = state.script.lock().unwrap();
        if script.is_empty() {
            200
        } else {
            script.remove(0)
        }
    };
    state.received.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        secret: headers
            .get(fake_telegram::SECRET_HEADER)
            .map(|v| v.to_str().unwrap().to_owned()),
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
    });
    state.notify.notify_waiters();
    StatusCode::from_u16(status).unwrap()
}

impl WebhookReceiver {
    pub async fn start() -> Self {
        let state = Arc::new(ReceiverState::default());
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, state }
    }

    /// Answers the next requests with these statuses (then 200).
    pub fn answer_with(&self, statuses: &[u16]) {
        self.state
            .script
            .lock()
            .unwrap()
            .extend_from_slice(statuses);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (5 s at most).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let notified = self.state.notify.notified();
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "webhook receiver got {} of {n} requests: {:?}",
                    got.len(),
                    got
                );
            }
        }
    }
}
