//! Google Sheets: extra fields on the client card from a client list, and a
//! report of closed tickets.
//!
//! [`Sheets`] is the one type the rest of the bot uses. It is either off (no
//! SHEETS_CREDS: cards show the Telegram profile, nothing is reported) or
//! backed by Google (google-sheets4 + yup-oauth2, as a service account).
//!
//! - **Client cards** ([`Sheets::client_fields`]): the whole SHEETS_RANGE is
//!   read once and cached in the store for [`CLIENTS_CACHE_TTL`] (key
//!   `cache:sheets:clients:…`), then every card looks its client up in the
//!   cached copy. The Sheets API cannot look a row up by value, so any
//!   lookup reads the whole range anyway: caching the sheet rather than
//!   per client means one API call per 15 minutes, however many clients
//!   write, and a client added to the sheet shows up within 15 minutes.
//!   How rows and columns are matched is described in `clients.rs`.
//! - **Never in the way of a ticket**: a lookup waits at most
//!   [`LOOKUP_TIMEOUT`]; on a timeout or an error the card goes out with the
//!   profile alone and one warning names the problem. A read that timed out
//!   goes on in the background (up to 30 s) and fills the cache for the
//!   next card. After a failure, lookups that miss the cache skip Sheets
//!   for [`COOL_OFF`], so an outage costs one wait, not one per ticket.
//! - **Report** (`report.rs`): closed tickets are queued in `sheet_reports`
//!   in the close transaction ([`queue_report`]) and appended to
//!   SHEETS_REPORT_RANGE by the job engine's `sheets_report` routine.

mod clients;
mod google;
mod key;
mod report;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::DbErr;
use secrecy::ExposeSecret;

pub use self::report::{BATCH as REPORT_BATCH, queue_report, report_ready_now, report_row};

use self::clients::ClientSheet;
use self::google::Google;
use crate::config::SheetsSettings;
use crate::store::{Store, StoreError};

/// The longest a client card waits for Sheets.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the client list is cached.
pub const CLIENTS_CACHE_TTL: Duration = Duration::from_secs(15 * 60);
/// After a failure, lookups that miss the cache leave Sheets alone this long.
pub const COOL_OFF: Duration = Duration::from_secs(30);
/// The longest any one Sheets call may take (the background read of the
/// client list, a report append).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Why talking to Sheets failed. Messages name the problem for the log and
/// never carry the key.
#[derive(Debug, thiserror::Error)]
pub enum SheetsError {
    #[error("no access token from {token_uri}: {problem}")]
    Token { token_uri: String, problem: String },
    #[error("the Sheets API answered {status} {message}")]
    Api { status: u16, message: String },
    #[error("the Sheets API cannot be reached: {0}")]
    Network(String),
    #[error("no answer from Google within {} s", .0.as_secs_f32())]
    Timeout(Duration),
    #[error("{key} {range:?}: {problem}")]
    Layout {
        key: &'static str,
        range: String,
        problem: String,
    },
    /// Skipped: Sheets failed moments ago (see [`COOL_OFF`]).
    #[error("skipped after a recent failure")]
    CoolingOff,
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// A Sheets setting that cannot work, named by its key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{key}: {problem}")]
pub struct SheetsConfigError {
    pub key: &'static str,
    pub problem: String,
}

impl SheetsConfigError {
    fn new(key: &'static str, problem: impl Into<String>) -> Self {
        Self {
            key,
            problem: problem.into(),
        }
    }
}

/// The Sheets service; cheap to clone.
#[derive(Clone)]
pub struct Sheets {
    backend: Option<Arc<Connected>>,
}

struct Connected {
    api: Google,
    store: Store,
    spreadsheet_id: String,
    clients_range: Option<String>,
    report_range: Option<String>,
    report_poll: Duration,
    /// One read of the client list at a time; the others wait for its result.
    fetch: tokio::sync::Mutex<()>,
    cool_off_until: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Sheets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            None => f.write_str("Sheets(off)"),
            Some(c) => f
                .debug_struct("Sheets")
                .field("spreadsheet_id", &c.spreadsheet_id)
                .field("clients_range", &c.clients_range)
                .field("report_range", &c.report_range)
                .finish(),
        }
    }
}

impl Sheets {
    /// Sheets switched off: no fields on cards, no report.
    pub fn off() -> Sheets {
        Sheets { backend: None }
    }

    /// Off without SHEETS_CREDS; otherwise connected to Google (nothing is
    /// sent yet). Refuses settings that cannot work: a key that does not
    /// load, a missing spreadsheet id, neither range, or ranges without a key.
    pub async fn from_settings(
        settings: &SheetsSettings,
        store: Store,
    ) -> Result<Sheets, SheetsConfigError> {
        let Some(creds) = &settings.creds else {
            if settings.spreadsheet_id.is_some()
                || settings.range.is_some()
                || settings.report_range.is_some()
            {
                return Err(SheetsConfigError::new(
                    "SHEETS_CREDS",
                    "required when SHEETS_SPREADSHEET_ID, SHEETS_RANGE or SHEETS_REPORT_RANGE is set: the service-account key's JSON, or the path of its file",
                ));
            }
            return Ok(Sheets::off());
        };
        let spreadsheet_id = settings
            .spreadsheet_id
            .as_deref()
            .map(spreadsheet_id_from)
            .ok_or_else(|| {
                SheetsConfigError::new(
                    "SHEETS_SPREADSHEET_ID",
                    "required when SHEETS_CREDS is set: the id from the sheet's URL (…/spreadsheets/d/ID/edit)",
                )
            })?;
        if settings.range.is_none() && settings.report_range.is_none() {
            return Err(SheetsConfigError::new(
                "SHEETS_RANGE",
                "set SHEETS_RANGE (the client list for cards), SHEETS_REPORT_RANGE (the report of closed tickets), or both",
            ));
        }
        let key = key::load(creds.expose_secret())
            .map_err(|problem| SheetsConfigError::new("SHEETS_CREDS", problem))?;
        let api = Google::new(key, settings.api_url.as_str())
            .await
            .map_err(|problem| SheetsConfigError::new("SHEETS_CREDS", problem))?;
        Ok(Sheets {
            backend: Some(Arc::new(Connected {
                api,
                store,
                spreadsheet_id,
                clients_range: settings.range.clone(),
                report_range: settings.report_range.clone(),
                report_poll: settings.report_poll,
                fetch: tokio::sync::Mutex::new(()),
                cool_off_until: Mutex::new(None),
            })),
        })
    }

    /// One line for the startup log.
    pub fn describe(&self) -> String {
        match &self.backend {
            None => "Google Sheets off (SHEETS_CREDS not set): cards show the Telegram profile, no report".into(),
            Some(c) => format!(
                "Google Sheets: client cards from {}, report to {}",
                c.clients_range.as_deref().unwrap_or("(off: SHEETS_RANGE not set)"),
                c.report_range.as_deref().unwrap_or("(off: SHEETS_REPORT_RANGE not set)"),
            ),
        }
    }

    /// The client's fields from the client list (header → value, empty
    /// values left out), for the card. Empty when Sheets is off, the client
    /// is not in the list, or Sheets fails or takes longer than
    /// [`LOOKUP_TIMEOUT`] — then one warning names the problem. Never waits
    /// longer than that.
    pub async fn client_fields(&self, tg_id: i64, username: Option<&str>) -> Vec<(String, String)> {
        let Some(connected) = &self.backend else {
            return Vec::new();
        };
        let Some(range) = connected.clients_range.clone() else {
            return Vec::new();
        };
        // Spawned, so a read that outlasts the card's patience still
        // finishes and fills the cache.
        let load = tokio::spawn({
            let connected = connected.clone();
            async move { connected.client_sheet().await }
        });
        let outcome = match tokio::time::timeout(LOOKUP_TIMEOUT, load).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(join)) => Err(SheetsError::Network(format!("the lookup failed: {join}"))),
            Err(_) => {
                connected.cool_off();
                Err(SheetsError::Timeout(LOOKUP_TIMEOUT))
            }
        };
        match outcome {
            Ok(sheet) => sheet.fields_for(tg_id, username),
            Err(SheetsError::CoolingOff) => {
                tracing::debug!(
                    "Google Sheets failed moments ago; the card shows the Telegram profile only"
                );
                Vec::new()
            }
            Err(error) => {
                tracing::warn!(
                    problem = %error,
                    range = %range,
                    "Google Sheets: {error}; the client card shows the Telegram profile only"
                );
                Vec::new()
            }
        }
    }

    fn connected(&self) -> Option<&Arc<Connected>> {
        self.backend.as_ref()
    }
}

impl Connected {
    fn clients_cache_key(&self, range: &str) -> String {
        format!("sheets:clients:{}:{range}", self.spreadsheet_id)
    }

    async fn cached(&self, key: &str) -> Option<ClientSheet> {
        match self.store.cache_get_json(key).await {
            Ok(sheet) => sheet,
            Err(error) => {
                tracing::debug!(error = %error, "store unavailable; reading Sheets without the cache");
                None
            }
        }
    }

    /// The client list: from the cache, or read from Sheets and cached.
    async fn client_sheet(&self) -> Result<ClientSheet, SheetsError> {
        let range = self.clients_range.as_deref().unwrap_or_default();
        let key = self.clients_cache_key(range);
        if let Some(sheet) = self.cached(&key).await {
            return Ok(sheet);
        }
        if self.cooling_off() {
            return Err(SheetsError::CoolingOff);
        }
        let _one_at_a_time = self.fetch.lock().await;
        if let Some(sheet) = self.cached(&key).await {
            return Ok(sheet);
        }
        let result =
            match tokio::time::timeout(CALL_TIMEOUT, self.api.read(&self.spreadsheet_id, range))
                .await
            {
                Ok(Ok(cells)) => {
                    ClientSheet::from_cells(cells).map_err(|problem| SheetsError::Layout {
                        key: "SHEETS_RANGE",
                        range: range.to_owned(),
                        problem,
                    })
                }
                Ok(Err(error)) => Err(error),
                Err(_) => Err(SheetsError::Timeout(CALL_TIMEOUT)),
            };
        match &result {
            Ok(sheet) => {
                self.recovered();
                if let Err(error) = self
                    .store
                    .cache_set_json(&key, sheet, CLIENTS_CACHE_TTL)
                    .await
                {
                    tracing::debug!(error = %error, "could not cache the client list");
                }
            }
            Err(_) => self.cool_off(),
        }
        result
    }

    fn cooling_off(&self) -> bool {
        let until = self
            .cool_off_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        until.is_some_and(|until| Instant::now() < until)
    }

    fn cool_off(&self) {
        *self
            .cool_off_until
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + COOL_OFF);
    }

    fn recovered(&self) {
        *self
            .cool_off_until
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The id from SHEETS_SPREADSHEET_ID, which may be the sheet's whole URL
/// (`https://docs.google.com/spreadsheets/d/ID/edit#gid=0`).
fn spreadsheet_id_from(value: &str) -> String {
    let value = value.trim();
    match value.split_once("/d/") {
        Some((_, rest)) => rest
            .split(['/', '?', '#'])
            .next()
            .unwrap_or(rest)
            .to_owned(),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> SheetsSettings {
        let mut vars: std::collections::HashMap<String, String> =
            [("BOT_TOKEN", "1:x"), ("MAIN_GROUP_ID", "-1001")]
                .iter()
                .chain(pairs)
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        vars.insert("DATABASE_URL".into(), "sqlite::memory:".into());
        crate::config::Settings::from_vars(vars).unwrap().sheets
    }

    async fn refused(pairs: &[(&str, &str)]) -> SheetsConfigError {
        Sheets::from_settings(&settings(pairs), Store::in_process("t:"))
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn without_creds_sheets_is_off_and_half_a_setup_is_refused() {
        let sheets = Sheets::from_settings(&settings(&[]), Store::in_process("t:"))
            .await
            .unwrap();
        assert!(sheets.connected().is_none());
        assert!(sheets.client_fields(1, Some("anna")).await.is_empty());

        assert_eq!(
            refused(&[("SHEETS_RANGE", "Clients")]).await.key,
            "SHEETS_CREDS"
        );
        let key = r#"{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n","client_email":"a@b","token_uri":"http://127.0.0.1:9/token"}"#;
        assert_eq!(
            refused(&[("SHEETS_CREDS", key), ("SHEETS_RANGE", "Clients")])
                .await
                .key,
            "SHEETS_SPREADSHEET_ID"
        );
        assert_eq!(
            refused(&[("SHEETS_CREDS", key), ("SHEETS_SPREADSHEET_ID", "abc")])
                .await
                .key,
            "SHEETS_RANGE"
        );
        // A private key that is not one.
        let error = refused(&[
            ("SHEETS_CREDS", key),
            ("SHEETS_SPREADSHEET_ID", "abc"),
            ("SHEETS_RANGE", "Clients"),
        ])
        .await;
        assert_eq!(error.key, "SHEETS_CREDS");
        assert!(!error.problem.contains("BEGIN PRIVATE KEY"), "{error}");
    }

    #[test]
    fn the_spreadsheet_id_may_be_given_as_its_url() {
        assert_eq!(spreadsheet_id_from("1AbC-d_e"), "1AbC-d_e");
        assert_eq!(
            spreadsheet_id_from("https://docs.google.com/spreadsheets/d/1AbC-d_e/edit#gid=0"),
            "1AbC-d_e"
        );
        assert_eq!(
            spreadsheet_id_from("https://docs.google.com/spreadsheets/d/1AbC-d_e"),
            "1AbC-d_e"
        );
    }
}
