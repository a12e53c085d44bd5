//! A stateful fake of the two Google endpoints topicdesk talks to: the OAuth
//! token endpoint of a service account and the Sheets API's `values.get` and
//! `values.append`.
//!
//! [`FakeGoogle::start`] runs an axum server on `127.0.0.1`. The unchanged
//! bot reaches it through a service-account key whose `token_uri` points at
//! [`FakeGoogle::token_uri`] ([`FakeGoogle::service_account_key_json`] makes
//! one, signed with a throwaway RSA key from `testdata/`) and a Sheets base
//! URL of [`FakeGoogle::sheets_api_url`].
//!
//! - The token endpoint checks the JWT bearer grant as Google does: the
//!   signature against the test key's public half, issuer, audience, expiry
//!   and scope; it hands out opaque tokens and remembers them.
//! - The Sheets API refuses calls without one of those tokens (401), keeps
//!   the cells of each (spreadsheet, range) as rows of JSON values, answers
//!   `values.get` with formatted strings, and appends what `values.append`
//!   sends (after the USER_ENTERED treatment of a leading apostrophe).
//! - Every request is recorded ([`RecordedRequest`]) before anything else
//!   happens, so a test sees attempts that then fail or hang.
//! - Faults ([`Fault`]): Sheets down (503), slow (a delay), the token
//!   endpoint down, or an append that takes effect but whose answer is lost.
//!
//! Waiting is event-driven ([`FakeGoogle::wait_for`]): no fixed sleeps.

mod server;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;

/// The e-mail of the test service account.
pub const CLIENT_EMAIL: &str = "topicdesk-test@fake-project.iam.gserviceaccount.com";
/// The scope topicdesk must ask for.
pub const SHEETS_SCOPE: &str = "https://www.googleapis.com/auth/spreadsheets";

/// The private half of the throwaway test key (PKCS#8 PEM). Test data only:
/// it signs nothing but requests to this fake.
const TEST_PRIVATE_KEY: &str = include_str!("../testdata/service-account-key.pem");
/// Its public half (PKCS#1 RSAPublicKey, DER), for checking signatures.
const TEST_PUBLIC_KEY: &[u8] = include_bytes!("../testdata/service-account-key.pub.der");

/// Something to go wrong, set with [`FakeGoogle::set_fault`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Every Sheets API call answers 503 UNAVAILABLE (tokens are still issued).
    Down,
    /// Every Sheets API call answers only after this delay.
    Slow(Duration),
    /// The token endpoint answers 503.
    TokenDown,
    /// An append takes effect, but its answer is a 503, so the caller cannot
    /// tell that it worked. Reads work.
    AppendLost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `POST /token`.
    Token,
    /// `GET /v4/spreadsheets/{id}/values/{range}`.
    ValuesGet,
    /// `POST /v4/spreadsheets/{id}/values/{range}:append`.
    ValuesAppend,
    /// Anything else (answered 404).
    Other,
}

/// One request as it reached the fake.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub kind: RequestKind,
    pub method: String,
    /// The raw path, still percent-encoded.
    pub path: String,
    pub spreadsheet_id: Option<String>,
    /// The A1 range, decoded.
    pub range: Option<String>,
    pub query: Vec<(String, String)>,
    /// The token from `Authorization: Bearer …`.
    pub bearer: Option<String>,
    /// The JSON body of a Sheets call; for a token request, the form's
    /// `grant_type` and the assertion's decoded `claims`.
    pub body: Option<Value>,
}

impl RecordedRequest {
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The rows of an append (`values` of the body).
    pub fn appended_rows(&self) -> Vec<Vec<Value>> {
        self.body
            .as_ref()
            .and_then(|body| body.get("values"))
            .and_then(|values| serde_json::from_value(values.clone()).ok())
            .unwrap_or_default()
    }
}

#[derive(Default)]
pub(crate) struct State {
    /// Cells per (spreadsheet id, range), row by row.
    pub(crate) ranges: HashMap<(String, String), Vec<Vec<Value>>>,
    pub(crate) requests: Vec<RecordedRequest>,
    pub(crate) tokens: Vec<String>,
    pub(crate) fault: Option<Fault>,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    changes: watch::Sender<u64>,
    pub(crate) token_uri: String,
}

impl Shared {
    pub(crate) fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.lock())
    }

    /// Changes the state and wakes every waiter.
    pub(crate) fn mutate<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.lock());
        self.changes.send_modify(|n| *n += 1);
        out
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not take every other assertion down.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running fake; clones share it.
#[derive(Clone)]
pub struct FakeGoogle {
    shared: Arc<Shared>,
    address: SocketAddr,
}

/// A wait that ran out of time.
#[derive(Debug)]
pub struct WaitError {
    pub what: String,
    pub timeout: Duration,
    pub requests: Vec<String>,
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timed out after {:?} waiting for {}; fake Google received: {:#?}",
            self.timeout, self.what, self.requests
        )
    }
}

impl std::error::Error for WaitError {}

impl FakeGoogle {
    /// Starts the fake on a free port of 127.0.0.1, in the current runtime.
    pub async fn start() -> FakeGoogle {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("fake Google binds a port on 127.0.0.1");
        let address = listener.local_addr().expect("a bound address");
        let (changes, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changes,
            token_uri: format!("http://{address}/token"),
        });
        let router = server::router(shared.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(error = %error, "fake Google stopped");
            }
        });
        FakeGoogle { shared, address }
    }

    /// The OAuth token endpoint (the key's `token_uri`).
    pub fn token_uri(&self) -> String {
        self.shared.token_uri.clone()
    }

    /// The Sheets API base URL, with its trailing slash.
    pub fn sheets_api_url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// A service-account key, shaped like the JSON file Google's console
    /// gives, whose `token_uri` is this fake.
    pub fn service_account_key(&self) -> Value {
        json!({
            "type": "service_account",
            "project_id": "fake-project",
            "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": TEST_PRIVATE_KEY,
            "client_email": CLIENT_EMAIL,
            "client_id": "100000000000000000001",
            "auth_uri": format!("http://{}/auth", self.address),
            "token_uri": self.token_uri(),
            "auth_provider_x509_cert_url": format!("http://{}/certs", self.address),
            "client_x509_cert_url": format!("http://{}/certs/{CLIENT_EMAIL}", self.address),
        })
    }

    /// [`FakeGoogle::service_account_key`] as a JSON string.
    pub fn service_account_key_json(&self) -> String {
        self.service_account_key().to_string()
    }

    /// Puts `rows` (strings) into `range` of `spreadsheet`, replacing what was there.
    pub fn set_rows<R, C>(&self, spreadsheet: &str, range: &str, rows: R)
    where
        R: IntoIterator<Item = C>,
        C: IntoIterator,
        C::Item: Into<String>,
    {
        let rows: Vec<Vec<Value>> = rows
            .into_iter()
            .map(|row| row.into_iter().map(|c| Value::String(c.into())).collect())
            .collect();
        self.shared.mutate(|s| {
            s.ranges
                .insert((spreadsheet.to_owned(), range.to_owned()), rows);
        });
    }

    /// The cells of `range`, as stored (appends included).
    pub fn rows(&self, spreadsheet: &str, range: &str) -> Vec<Vec<Value>> {
        self.shared.read(|s| {
            s.ranges
                .get(&(spreadsheet.to_owned(), range.to_owned()))
                .cloned()
                .unwrap_or_default()
        })
    }

    /// Sets (or with `None` clears) the fault.
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.shared.mutate(|s| s.fault = fault);
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.read(|s| s.requests.clone())
    }

    /// The requests of one kind.
    pub fn requests_of(&self, kind: RequestKind) -> Vec<RecordedRequest> {
        self.shared.read(|s| {
            s.requests
                .iter()
                .filter(|r| r.kind == kind)
                .cloned()
                .collect()
        })
    }

    /// The access tokens the token endpoint handed out.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.read(|s| s.tokens.clone())
    }

    /// Waits until `probe` yields a value; re-checked at every request and
    /// every change a test makes, never by polling.
    pub async fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&FakeGoogle) -> Option<T>,
    ) -> Result<T, WaitError> {
        let mut changes = self.shared.changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            changes.borrow_and_update();
            if let Some(value) = probe(self) {
                return Ok(value);
            }
            tokio::select! {
                changed = changes.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        if let Some(value) = probe(self) {
            return Ok(value);
        }
        Err(WaitError {
            what: what.to_owned(),
            timeout,
            requests: self
                .requests()
                .iter()
                .map(|r| format!("{} {} ({:?})", r.method, r.path, r.kind))
                .collect(),
        })
    }

    /// Waits until at least `n` requests of `kind` arrived; returns them all.
    pub async fn wait_for_requests(
        &self,
        kind: RequestKind,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, WaitError> {
        self.wait_for(&format!("{n} {kind:?} requests"), timeout, |g| {
            let found = g.requests_of(kind);
            (found.len() >= n).then_some(found)
        })
        .await
    }
}
