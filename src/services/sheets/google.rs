//! The real backend: google-sheets4's hub, authenticated as a service
//! account by yup-oauth2, over rustls with the built-in (webpki) roots — the
//! same TLS stack as the rest of the bot, no OpenSSL, no system certificate
//! store.

use google_sheets4::api::{Scope, ValueRange};
use google_sheets4::hyper_util::client::legacy::Client;
use google_sheets4::hyper_util::client::legacy::connect::HttpConnector;
use google_sheets4::hyper_util::rt::TokioExecutor;
use google_sheets4::yup_oauth2::{
    CustomHyperClientBuilder, ServiceAccountAuthenticator, ServiceAccountKey,
};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::SheetsError;

type Connector = HttpsConnector<HttpConnector>;
type Hub = google_sheets4::Sheets<Connector>;

/// Everything but RFC 3986's unreserved characters is escaped in a range:
/// google-sheets4 puts path parameters into the URL as they are, and a
/// sheet name may hold `#`, `?`, `/` or spaces.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(super) struct Google {
    hub: Hub,
    token_uri: String,
}

impl Google {
    /// Builds the clients; nothing is sent until the first call. Fails only
    /// when the key's private key cannot be used for signing.
    pub(super) async fn new(key: ServiceAccountKey, api_url: &str) -> Result<Google, String> {
        let token_uri = key.token_uri.clone();
        let connector = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| format!("cannot set up TLS: {e}"))?
            // Google's URLs are https; the tests' fakes on 127.0.0.1 are not.
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let executor = TokioExecutor::new();
        let auth = ServiceAccountAuthenticator::with_client(
            key,
            CustomHyperClientBuilder::from(
                Client::builder(executor.clone()).build::<_, String>(connector.clone()),
            ),
        )
        .build()
        .await
        .map_err(|e| format!("the private key cannot be used: {e}"))?;
        let mut hub = Hub::new(Client::builder(executor).build(connector), auth);
        let base = if api_url.ends_with('/') {
            api_url.to_owned()
        } else {
            format!("{api_url}/")
        };
        hub.base_url(base.clone());
        hub.root_url(base);
        hub.user_agent(concat!("topicdesk/", env!("CARGO_PKG_VERSION")).to_owned());
        Ok(Google { hub, token_uri })
    }

    /// The cells of `range` as displayed (FORMATTED_VALUE), row by row.
    pub(super) async fn read(
        &self,
        spreadsheet: &str,
        range: &str,
    ) -> Result<Vec<Vec<String>>, SheetsError> {
        let (_, values) = self
            .hub
            .spreadsheets()
            .values_get(spreadsheet, &encode(range))
            .add_scope(Scope::Spreadsheet)
            .doit()
            .await
            .map_err(|e| self.problem(e))?;
        Ok(values
            .values
            .unwrap_or_default()
            .into_iter()
            .map(|row| row.into_iter().map(cell_text).collect())
            .collect())
    }

    /// Appends `rows` after the table in `range`, as if typed in
    /// (USER_ENTERED), in new rows (INSERT_ROWS).
    pub(super) async fn append(
        &self,
        spreadsheet: &str,
        range: &str,
        rows: Vec<Vec<Value>>,
    ) -> Result<(), SheetsError> {
        let request = ValueRange {
            major_dimension: Some("ROWS".into()),
            range: None,
            values: Some(rows),
        };
        self.hub
            .spreadsheets()
            .values_append(request, spreadsheet, &encode(range))
            .value_input_option("USER_ENTERED")
            .insert_data_option("INSERT_ROWS")
            .add_scope(Scope::Spreadsheet)
            .doit()
            .await
            .map_err(|e| self.problem(e))?;
        Ok(())
    }

    fn problem(&self, error: google_sheets4::Error) -> SheetsError {
        use google_sheets4::Error as E;
        match error {
            E::MissingToken(e) => SheetsError::Token {
                token_uri: self.token_uri.clone(),
                problem: one_line(&e.to_string()),
            },
            E::BadRequest(body) => {
                let error = &body["error"];
                SheetsError::Api {
                    status: error["code"].as_u64().unwrap_or_default() as u16,
                    message: match (error["status"].as_str(), error["message"].as_str()) {
                        (Some(status), Some(message)) => format!("{status}: {message}"),
                        (None, Some(message)) => message.to_owned(),
                        _ => one_line(&body.to_string()),
                    },
                }
            }
            E::Failure(response) => SheetsError::Api {
                status: response.status().as_u16(),
                message: response
                    .status()
                    .canonical_reason()
                    .unwrap_or("error")
                    .to_owned(),
            },
            E::HttpError(e) => SheetsError::Network(one_line(&error_chain(&e))),
            other => SheetsError::Network(one_line(&other.to_string())),
        }
    }
}

fn encode(range: &str) -> String {
    utf8_percent_encode(range, PATH_SEGMENT).to_string()
}

fn cell_text(cell: Value) -> String {
    match cell {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An error with its causes: hyper's own message ("client error (Connect)")
/// says little without them.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
