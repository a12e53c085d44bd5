//! Getting updates: setWebhook, deleteWebhook, getWebhookInfo, and the
//! synchronous parts of getUpdates (the long-poll wait lives in the server).

use serde_json::{Value, json};

use crate::api_error::{ApiError, ApiResult};
use crate::params::{Params, missing};
use crate::world::World;
use crate::world::updates::WebhookConfig;

/// Whether a host name is this machine (the only place the fake ever
/// connects to).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn conflict_webhook_active() -> ApiError {
    ApiError::new(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    )
}

fn conflict_other_poller() -> ApiError {
    ApiError::new(
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    )
}

/// An accepted getUpdates call, waiting for updates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Poll {
    pub generation: u64,
    pub limit: usize,
    pub timeout_secs: u64,
}

fn allowed_updates(p: &Params) -> Result<Option<Vec<String>>, ApiError> {
    let Some(list) = p.json("allowed_updates")? else {
        return Ok(None);
    };
    let list = list
        .as_array()
        .ok_or_else(|| ApiError::bad_request("can't parse allowed updates JSON object"))?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ApiError::bad_request("can't parse allowed updates JSON object"))?;
    Ok(Some(list))
}

impl World {
    pub(crate) fn set_webhook(&mut self, p: &Params) -> ApiResult {
        let url = p.str("url").ok_or_else(|| missing("url"))?;
        let url = url.trim();
        let drop_pending = p.bool("drop_pending_updates");
        if url.is_empty() {
            self.webhook = None;
            if drop_pending {
                self.drop_pending_updates();
            }
            return Ok(json!(true));
        }
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| ApiError::bad_request("bad webhook: invalid webhook URL specified"))?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let local = is_loopback_host(&host);
        if parsed.scheme() != "https" && !(local && parsed.scheme() == "http") {
            return Err(ApiError::bad_request(
                "bad webhook: HTTPS url must be provided for webhook",
            ));
        }
        if !local && !matches!(parsed.port_or_known_default(), Some(80 | 88 | 443 | 8443)) {
            return Err(ApiError::bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
            ));
        }
        let secret_token = p.str("secret_token").filter(|s| !s.is_empty());
        if let Some(secret) = &secret_token {
            let valid = secret.len() <= 256
                && secret
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid {
                return Err(ApiError::bad_request(
                    "secret token contains unallowed characters",
                ));
            }
        }
        let max_connections = match p.i64("max_connections")? {
            None => 40,
            Some(n) if (1..=100).contains(&n) => n as u32,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "bad webhook: invalid max_connections specified",
                ));
            }
        };
        let allowed = allowed_updates(p)?;
        if let Some(list) = &allowed {
            self.updates.allowed = Some(list.clone());
        }
        if drop_pending {
            self.drop_pending_updates();
        }
        let keep_allowed = self
            .webhook
            .as_ref()
            .and_then(|w| w.allowed_updates.clone());
        self.webhook = Some(WebhookConfig {
            url: url.to_owned(),
            secret_token,
            max_connections,
            allowed_updates: allowed.or(keep_allowed),
            ip_address: p.str("ip_address"),
            has_custom_certificate: p.file("certificate").is_some(),
        });
        self.updates.last_error = None;
        Ok(json!(true))
    }

    pub(crate) fn delete_webhook(&mut self, p: &Params) -> ApiResult {
        self.webhook = None;
        if p.bool("drop_pending_updates") {
            self.drop_pending_updates();
        }
        Ok(json!(true))
    }

    fn drop_pending_updates(&mut self) {
        self.updates.pending.retain(|u| u.in_flight);
    }

    pub(crate) fn webhook_info_json(&self) -> Value {
        let mut info = json!({
            "url": self.webhook.as_ref().map_or("", |w| w.url.as_str()),
            "has_custom_certificate": self.webhook.as_ref().is_some_and(|w| w.has_custom_certificate),
            "pending_update_count": self.updates.pending.len(),
        });
        if let Some(w) = &self.webhook {
            info["max_connections"] = json!(w.max_connections);
            if let Some(ip) = &w.ip_address {
                info["ip_address"] = json!(ip);
            }
            if let Some(allowed) = &w.allowed_updates {
                info["allowed_updates"] = json!(allowed);
            }
            if let Some((date, message)) = &self.updates.last_error {
                info["last_error_date"] = json!(date);
                info["last_error_message"] = json!(message);
            }
        }
        info
    }

    /// Starts a getUpdates call: checks for a webhook, confirms updates
    /// below `offset`, applies `allowed_updates`, and takes over from any
    /// running long poll.
    pub(crate) fn begin_get_updates(&mut self, p: &Params) -> Result<Poll, ApiError> {
        if self.webhook.is_some() {
            return Err(conflict_webhook_active());
        }
        let offset = p.i64("offset")?.unwrap_or(0);
        let limit = p.i64("limit")?.unwrap_or(100).clamp(1, 100) as usize;
        let timeout_secs = p.i64("timeout")?.unwrap_or(0).max(0) as u64;
        if let Some(list) = allowed_updates(p)? {
            self.updates.allowed = Some(list);
        }
        if offset > 0 {
            self.updates.confirm_below(offset);
        } else if offset < 0 {
            let keep = offset.unsigned_abs() as usize;
            while self.updates.pending.len() > keep {
                self.updates.pending.pop_front();
            }
        }
        self.updates.poll_generation += 1;
        Ok(Poll {
            generation: self.updates.poll_generation,
            limit,
            timeout_secs,
        })
    }

    /// The answer of a running getUpdates call if it has one now: updates,
    /// or a 409 when a webhook was set or another poll took over.
    pub(crate) fn poll_result(&self, poll: &Poll) -> Option<ApiResult> {
        if self.webhook.is_some() {
            return Some(Err(conflict_webhook_active()));
        }
        if self.updates.poll_generation != poll.generation {
            return Some(Err(conflict_other_poller()));
        }
        let batch: Vec<Value> = self
            .updates
            .pending
            .iter()
            .take(poll.limit)
            .map(|u| serde_json::from_str(&u.body).unwrap_or(Value::Null))
            .collect();
        (!batch.is_empty()).then_some(Ok(Value::Array(batch)))
    }

    /// getUpdates without waiting (`timeout` is ignored).
    pub(crate) fn get_updates_now(&mut self, p: &Params) -> ApiResult {
        let poll = self.begin_get_updates(p)?;
        self.poll_result(&poll).unwrap_or_else(|| Ok(json!([])))
    }
}
