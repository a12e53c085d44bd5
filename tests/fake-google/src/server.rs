//! HTTP: `POST /token` (the OAuth endpoint) and, as the fallback, the Sheets
//! API's `values` calls, parsed from the raw path so that ranges are decoded
//! exactly once. Each request is recorded on arrival; delays happen outside
//! the state lock.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::percent_decode_str;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde_json::{Value, json};

use crate::{
    CLIENT_EMAIL, Fault, RecordedRequest, RequestKind, SHEETS_SCOPE, Shared, State, TEST_PUBLIC_KEY,
};

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/token", post(token))
        .fallback(sheets)
        .with_state(shared)
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

/// Google's error shape for the Sheets API.
fn api_error(code: u16, status: &str, message: &str) -> Response {
    json_response(
        StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST),
        json!({ "error": { "code": code, "message": message, "status": status } }),
    )
}

/// The OAuth endpoint's error shape.
fn oauth_error(error: &str, description: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({ "error": error, "error_description": description }),
    )
}

async fn token(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let grant_type = field("grant_type");
    let checked = field("assertion")
        .ok_or_else(|| "missing assertion".to_owned())
        .and_then(|assertion| check_assertion(&assertion, &shared.token_uri));
    let claims = checked.as_ref().ok().cloned();
    let fault = shared.mutate(|s| {
        s.requests.push(RecordedRequest {
            kind: RequestKind::Token,
            method: "POST".into(),
            path: uri.path().to_owned(),
            spreadsheet_id: None,
            range: None,
            query: Vec::new(),
            bearer: None,
            body: Some(json!({ "grant_type": grant_type, "claims": claims })),
        });
        s.fault.clone()
    });
    if fault == Some(Fault::TokenDown) {
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "error": "temporarily_unavailable", "error_description": "fake Google: token endpoint down" }),
        );
    }
    if grant_type.as_deref() != Some(JWT_BEARER) {
        return oauth_error("unsupported_grant_type", "Invalid grant_type");
    }
    if let Err(problem) = checked {
        return oauth_error("invalid_grant", &problem);
    }
    let token = shared.mutate(|s| {
        let token = format!("ya29.fake-google-token-{}", s.tokens.len() + 1);
        s.tokens.push(token.clone());
        token
    });
    json_response(
        StatusCode::OK,
        json!({ "access_token": token, "expires_in": 3599, "token_type": "Bearer" }),
    )
}

/// Checks a JWT bearer assertion as Google would; returns its claims.
fn check_assertion(assertion: &str, token_uri: &str) -> Result<Value, String> {
    let mut parts = assertion.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the assertion is not a JWT".into());
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .map_err(|e| format!("bad base64 in the assertion: {e}"))
    };
    let signature = decode(signature)?;
    let signed = &assertion[..header.len() + 1 + claims.len()];
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, TEST_PUBLIC_KEY)
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| "Invalid JWT Signature.".to_owned())?;
    let header: Value = serde_json::from_slice(&decode(header)?)
        .map_err(|e| format!("the JWT header is not JSON: {e}"))?;
    if header["alg"] != "RS256" {
        return Err(format!("unexpected JWT alg {}", header["alg"]));
    }
    let claims: Value = serde_json::from_slice(&decode(claims)?)
        .map_err(|e| format!("the JWT claims are not JSON: {e}"))?;
    if claims["iss"] != CLIENT_EMAIL {
        return Err(format!("unknown issuer {}", claims["iss"]));
    }
    if claims["aud"] != token_uri {
        return Err(format!("audience {} is not {token_uri}", claims["aud"]));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err("iat and exp are required".into());
    };
    if exp <= now || iat > now + 60 || exp - iat > 3600 {
        return Err("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.".into());
    }
    let scopes = claims["scope"].as_str().unwrap_or_default();
    if !scopes.split(' ').any(|s| s == SHEETS_SCOPE) {
        return Err(format!("scope {scopes:?} does not allow Sheets"));
    }
    Ok(claims)
}

/// What a Sheets API path names.
struct Call {
    kind: RequestKind,
    spreadsheet_id: Option<String>,
    range: Option<String>,
}

fn parse_path(method: &Method, path: &str) -> Call {
    let other = Call {
        kind: RequestKind::Other,
        spreadsheet_id: None,
        range: None,
    };
    let Some(rest) = path.strip_prefix("/v4/spreadsheets/") else {
        return other;
    };
    let Some((id, rest)) = rest.split_once("/values/") else {
        return other;
    };
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    let (kind, range) = match (method, rest.strip_suffix(":append")) {
        (&Method::POST, Some(range)) => (RequestKind::ValuesAppend, range),
        (&Method::GET, None) => (RequestKind::ValuesGet, rest),
        _ => return other,
    };
    Call {
        kind,
        spreadsheet_id: Some(decode(id)),
        range: Some(decode(range)),
    }
}

async fn sheets(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = parse_path(&method, uri.path());
    let query: Vec<(String, String)> = uri
        .query()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let json_body: Option<Value> = serde_json::from_slice(&body).ok();
    let request = RecordedRequest {
        kind: call.kind,
        method: method.to_string(),
        path: uri.path().to_owned(),
        spreadsheet_id: call.spreadsheet_id.clone(),
        range: call.range.clone(),
        query: query.clone(),
        bearer: bearer.clone(),
        body: json_body.clone(),
    };
    let (fault, authorized) = shared.mutate(|s| {
        s.requests.push(request);
        let authorized = bearer.as_ref().is_some_and(|t| s.tokens.contains(t));
        (s.fault.clone(), authorized)
    });

    let (Some(spreadsheet), Some(range)) = (call.spreadsheet_id, call.range) else {
        return api_error(404, "NOT_FOUND", "fake Google: no such method");
    };
    if !authorized {
        return api_error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token.",
        );
    }
    match fault {
        Some(Fault::Down) => {
            return api_error(503, "UNAVAILABLE", "The service is currently unavailable.");
        }
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match call.kind {
        RequestKind::ValuesGet => shared.read(|s| values_get(s, &spreadsheet, &range)),
        RequestKind::ValuesAppend => {
            let input = param("valueInputOption").map(str::to_owned);
            let response = shared.mutate(|s| {
                values_append(
                    s,
                    &spreadsheet,
                    &range,
                    input.as_deref(),
                    json_body.as_ref(),
                )
            });
            if fault == Some(Fault::AppendLost) && response.status().is_success() {
                return api_error(503, "UNAVAILABLE", "The service is currently unavailable.");
            }
            response
        }
        _ => api_error(404, "NOT_FOUND", "fake Google: no such method"),
    }
}

fn known_spreadsheet(s: &State, spreadsheet: &str) -> bool {
    s.ranges.keys().any(|(id, _)| id == spreadsheet)
}

fn unknown(s: &State, spreadsheet: &str, range: &str) -> Response {
    if known_spreadsheet(s, spreadsheet) {
        api_error(
            400,
            "INVALID_ARGUMENT",
            &format!("Unable to parse range: {range}"),
        )
    } else {
        api_error(404, "NOT_FOUND", "Requested entity was not found.")
    }
}

/// A cell as FORMATTED_VALUE shows it.
fn formatted(cell: &Value) -> String {
    match cell {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "TRUE".into(),
        Value::Bool(false) => "FALSE".into(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn values_get(s: &State, spreadsheet: &str, range: &str) -> Response {
    let Some(rows) = s.ranges.get(&(spreadsheet.to_owned(), range.to_owned())) else {
        return unknown(s, spreadsheet, range);
    };
    // Like Google: trailing empty cells and rows are left out.
    let mut values: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut row: Vec<String> = row.iter().map(formatted).collect();
            while row.last().is_some_and(String::is_empty) {
                row.pop();
            }
            row
        })
        .collect();
    while values.last().is_some_and(Vec::is_empty) {
        values.pop();
    }
    let mut body = json!({ "range": range, "majorDimension": "ROWS" });
    if !values.is_empty() {
        body["values"] = json!(values);
    }
    json_response(StatusCode::OK, body)
}

fn values_append(
    s: &mut State,
    spreadsheet: &str,
    range: &str,
    input: Option<&str>,
    body: Option<&Value>,
) -> Response {
    let user_entered = match input {
        Some("USER_ENTERED") => true,
        Some("RAW") => false,
        Some(other) => {
            return api_error(
                400,
                "INVALID_ARGUMENT",
                &format!("Invalid value at 'value_input_option' ({other})"),
            );
        }
        None => {
            return api_error(
                400,
                "INVALID_ARGUMENT",
                "'valueInputOption' is required but not specified",
            );
        }
    };
    let Some(rows) = body
        .and_then(|b| b.get("values"))
        .and_then(|v| serde_json::from_value::<Vec<Vec<Value>>>(v.clone()).ok())
    else {
        return api_error(400, "INVALID_ARGUMENT", "Invalid JSON payload: no values");
    };
    let key = (spreadsheet.to_owned(), range.to_owned());
    if !s.ranges.contains_key(&key) {
        return unknown(s, spreadsheet, range);
    }
    let stored = s.ranges.entry(key).or_default();
    let first_row = stored.len() + 1;
    let columns = rows.iter().map(Vec::len).max().unwrap_or_default();
    let cells: usize = rows.iter().map(Vec::len).sum();
    for row in &rows {
        stored.push(
            row.iter()
                .map(|cell| match cell {
                    // What a person typing into the sheet gets: the
                    // apostrophe forces text and is not part of the value.
                    Value::String(text) if user_entered && text.starts_with('\'') => {
                        Value::String(text[1..].to_owned())
                    }
                    other => other.clone(),
                })
                .collect(),
        );
    }
    let sheet = range.split('!').next().unwrap_or(range);
    let updated = format!("{sheet}!A{first_row}:{}", first_row + rows.len() - 1);
    json_response(
        StatusCode::OK,
        json!({
            "spreadsheetId": spreadsheet,
            "tableRange": range,
            "updates": {
                "spreadsheetId": spreadsheet,
                "updatedRange": updated,
                "updatedRows": rows.len(),
                "updatedColumns": columns,
                "updatedCells": cells,
            }
        }),
    )
}
