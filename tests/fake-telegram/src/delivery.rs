//! Webhook delivery: POSTs queued updates to the registered webhook (or to
//! the address tests route webhooks to), in update order, one at a time by
//! default, retrying anything not answered with 2xx after a short delay —
//! as Telegram keeps redelivering.
//!
//! The fake only ever connects to loopback addresses: a webhook on another
//! host that has not been routed with `route_webhooks_to` fails like an
//! unresolvable host would, and is retried until it is routed or removed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::fake::Shared;
use crate::inspect::DeliveryAttempt;
use crate::methods::webhook::is_loopback_host;
use crate::world::{World, unix_now};

/// Header carrying the webhook's secret token.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

const UNRESOLVABLE: &str = "Failed to resolve host: Name or service not known";

/// One POST to make.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub update_id: i64,
    pub body: String,
    /// Where to POST; `None` when the webhook is not reachable from here.
    pub url: Option<String>,
    pub secret: Option<String>,
}

/// The URL a webhook registered as `registered` is delivered to.
pub(crate) fn delivery_url(
    registered: &str,
    route: Option<std::net::SocketAddr>,
) -> Option<String> {
    let parsed = reqwest::Url::parse(registered).ok()?;
    match route {
        Some(addr) => {
            let mut path = parsed.path().to_owned();
            if let Some(query) = parsed.query() {
                path.push('?');
                path.push_str(query);
            }
            Some(format!("http://{addr}{path}"))
        }
        None if parsed.host_str().is_some_and(is_loopback_host) => Some(registered.to_owned()),
        None => None,
    }
}

impl World {
    /// Marks the next deliverable updates in flight and returns their jobs,
    /// plus the earliest time a waiting retry becomes due.
    pub(crate) fn take_delivery_jobs(&mut self, now: Instant) -> (Vec<Job>, Option<Instant>) {
        let Some(hook) = &self.webhook else {
            return (Vec::new(), None);
        };
        if self.deliveries_held {
            return (Vec::new(), None);
        }
        let registered = hook.url.clone();
        let secret = hook.secret_token.clone();
        let limit = self
            .delivery_concurrency
            .min(hook.max_connections as usize)
            .max(1);
        let mut running = self.updates.pending.iter().filter(|u| u.in_flight).count();
        let mut jobs = Vec::new();
        let mut next_retry: Option<Instant> = None;
        for update in self.updates.pending.iter_mut() {
            if running >= limit {
                break;
            }
            if update.in_flight {
                continue;
            }
            if let Some(at) = update.retry_at
                && at > now
            {
                next_retry = Some(next_retry.map_or(at, |n| n.min(at)));
                if limit == 1 {
                    break;
                }
                continue;
            }
            update.in_flight = true;
            running += 1;
            let route = match self.webhook_routes.len() {
                0 => None,
                n => {
                    self.next_route = self.next_route.wrapping_add(1);
                    Some(self.webhook_routes[(self.next_route - 1) % n])
                }
            };
            jobs.push(Job {
                update_id: update.id,
                body: update.body.clone(),
                url: delivery_url(&registered, route),
                secret: secret.clone(),
            });
        }
        (jobs, next_retry)
    }

    /// Records the outcome of a POST and accepts or reschedules the update.
    pub(crate) fn finish_delivery(
        &mut self,
        update_id: i64,
        outcome: Result<u16, String>,
        now: Instant,
    ) {
        let (status, error) = match &outcome {
            Ok(status) if (200..300).contains(status) => (Some(*status), None),
            Ok(status) => (
                Some(*status),
                Some(format!(
                    "Wrong response from the webhook: {}",
                    status_line(*status)
                )),
            ),
            Err(e) => (None, Some(e.clone())),
        };
        self.updates.attempts.push(DeliveryAttempt {
            update_id,
            status,
            error: error.clone(),
        });
        let needed = if self.duplicate_deliveries { 2 } else { 1 };
        let retry_delay = self.retry_delay;
        let Some(pos) = self.updates.pending.iter().position(|u| u.id == update_id) else {
            return;
        };
        let update = &mut self.updates.pending[pos];
        update.in_flight = false;
        match error {
            None => {
                update.acks += 1;
                update.retry_at = None;
                if update.acks >= needed {
                    self.updates.pending.remove(pos);
                }
            }
            Some(message) => {
                update.retry_at = Some(now + retry_delay);
                self.updates.last_error = Some((unix_now(), message));
            }
        }
    }
}

fn status_line(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{status} {reason}").trim_end().to_owned()
}

/// Makes one POST. Never connects anywhere but the job's loopback URL.
pub(crate) async fn post(client: &reqwest::Client, job: &Job) -> Result<u16, String> {
    let Some(url) = &job.url else {
        return Err(UNRESOLVABLE.to_owned());
    };
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(job.body.clone());
    if let Some(secret) = &job.secret {
        request = request.header(SECRET_HEADER, secret);
    }
    match request.send().await {
        Ok(response) => Ok(response.status().as_u16()),
        Err(e) if e.is_timeout() => Err("Read timeout expired".to_owned()),
        Err(e) if e.is_connect() => Err("Connection refused".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// The delivery loop; ends when the fake shuts down.
pub(crate) async fn run(shared: Arc<Shared>) {
    let mut changes = shared.subscribe();
    let mut in_flight: JoinSet<(i64, Result<u16, String>)> = JoinSet::new();
    loop {
        changes.borrow_and_update();
        let (jobs, next_retry) = shared.with_world_quiet(|w| w.take_delivery_jobs(Instant::now()));
        for job in jobs {
            let client = shared.http.clone();
            in_flight.spawn(async move {
                let outcome = post(&client, &job).await;
                (job.update_id, outcome)
            });
        }
        let retry_at = next_retry.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            _ = shared.cancel.cancelled() => break,
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Ok((update_id, outcome)) = done {
                    shared.mutate(|w| w.finish_delivery(update_id, outcome, Instant::now()));
                }
            }
            changed = changes.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            _ = tokio::time::sleep_until(retry_at.into()), if next_retry.is_some() => {}
        }
    }
    in_flight.abort_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_are_routed_or_kept_local() {
        let addr: std::net::SocketAddr = "127.0.0.1:9000".parse().unwrap();
        assert_eq!(
            delivery_url("https://bot.example.test/webhook/S3cret?x=1", Some(addr)).as_deref(),
            Some("http://127.0.0.1:9000/webhook/S3cret?x=1")
        );
        assert_eq!(delivery_url("https://bot.example.test/webhook", None), None);
        assert_eq!(
            delivery_url("http://127.0.0.1:8080/hook", None).as_deref(),
            Some("http://127.0.0.1:8080/hook")
        );
    }
}
