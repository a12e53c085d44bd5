//! The Redis backend, over one multiplexed connection kept up by the
//! `redis` crate's `ConnectionManager`.
//!
//! A multiplexed connection already carries any number of concurrent
//! requests, so there is no pool: a pool of them cost every operation a
//! recycling round trip (UNWATCH + PING) on top of the command itself.
//!
//! Outages must fail fast, not hang a handler: every operation has a
//! deadline, and every failure to reach Redis becomes
//! [`StoreError::Unavailable`]. Recovery needs no code here: a command that
//! finds the connection broken makes the manager dial anew in the
//! background, so an operation shortly after Redis returns succeeds.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, RedisError, Script, ServerErrorKind, Value};

use super::{BoxError, StoreError, ttl_millis};

/// TCP connect plus handshake for one new connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// One command's round trip; Redis answers in well under a millisecond when
/// healthy, so this only trips when it is not.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);
/// Dialling again after a failed attempt: once, soon. A longer series would
/// keep operations waiting on it during an outage; the next operation
/// starts a new series anyway.
const RECONNECT_RETRIES: usize = 1;
const RECONNECT_DELAY: Duration = Duration::from_millis(200);
/// The most any one operation may take, reconnecting included.
const OPERATION_DEADLINE: Duration = Duration::from_secs(2);
/// The first connection at start-up, its retry included.
const START_DEADLINE: Duration = Duration::from_secs(3);

/// Deletes KEYS[1] only if it still holds ARGV[1] (the owner's token), in one
/// atomic step; a GET followed by a DEL could delete a lock taken in between.
const UNLOCK_SCRIPT: &str = r#"
if redis.call("GET", KEYS[1]) == ARGV[1] then
    return redis.call("DEL", KEYS[1])
else
    return 0
end
"#;

/// PEXPIRE only if the caller still holds the lock (same token).
const EXTEND_SCRIPT: &str = r#"
if redis.call("GET", KEYS[1]) == ARGV[1] then
    return redis.call("PEXPIRE", KEYS[1], ARGV[2])
else
    return 0
end
"#;

#[derive(Clone)]
pub(crate) struct RedisStore {
    connection: ConnectionManager,
    unlock: Arc<Script>,
    extend: Arc<Script>,
    /// `redis at <url without password>`, for errors and logs.
    name: Arc<str>,
    url: Arc<str>,
}

impl RedisStore {
    pub(crate) async fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let redacted = redact_url(url);
        let name: Arc<str> = format!("redis at {redacted}").into();
        let client = redis::Client::open(url).map_err(|e| {
            // The parse error may quote the URL, password included: keep only its kind.
            StoreError::Config(format!(
                "redis url {redacted} is not valid ({})",
                e.category()
            ))
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_min_delay(RECONNECT_DELAY)
            .set_max_delay(RECONNECT_DELAY);
        let connecting = ConnectionManager::new_with_config(client, config);
        let connection = match tokio::time::timeout(START_DEADLINE, connecting).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(error)) => {
                return Err(StoreError::Unavailable {
                    backend: name.to_string(),
                    source: error.into(),
                });
            }
            Err(elapsed) => {
                return Err(StoreError::Unavailable {
                    backend: name.to_string(),
                    source: elapsed.into(),
                });
            }
        };
        let store = RedisStore {
            connection,
            unlock: Arc::new(Script::new(UNLOCK_SCRIPT)),
            extend: Arc::new(Script::new(EXTEND_SCRIPT)),
            name,
            url: redacted.into(),
        };
        store.ping().await?;
        Ok(store)
    }

    pub(crate) fn redacted_url(&self) -> &str {
        &self.url
    }

    /// Runs one operation on the shared connection within its deadline.
    async fn run<T, F, Fut>(&self, operation: &'static str, command: F) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = Result<T, RedisError>>,
    {
        match tokio::time::timeout(OPERATION_DEADLINE, command(self.connection.clone())).await {
            Ok(result) => result.map_err(|e| self.command_error(operation, e)),
            Err(elapsed) => Err(self.unavailable(elapsed.into())),
        }
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        self.run("PING", |mut conn| async move {
            redis::cmd("PING").query_async::<Value>(&mut conn).await
        })
        .await?;
        Ok(())
    }

    pub(crate) async fn set_nx(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key)
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(ttl_millis(ttl));
        let reply: Value = self
            .run("SET NX", |mut conn| async move {
                cmd.query_async(&mut conn).await
            })
            .await?;
        // "OK" when set, nil when the key already existed.
        Ok(!matches!(reply, Value::Nil))
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(key);
        self.run(
            "GET",
            |mut conn| async move { cmd.query_async(&mut conn).await },
        )
        .await
    }

    pub(crate) async fn set(
        &self,
        key: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(value);
        if let Some(ttl) = ttl {
            cmd.arg("PX").arg(ttl_millis(ttl));
        }
        self.run("SET", |mut conn| async move {
            cmd.query_async::<Value>(&mut conn).await
        })
        .await?;
        Ok(())
    }

    /// How long `key` lives on; `None` when it does not exist or never
    /// expires.
    pub(crate) async fn time_to_live(&self, key: &str) -> Result<Option<Duration>, StoreError> {
        let mut cmd = redis::cmd("PTTL");
        cmd.arg(key);
        let millis: i64 = self
            .run("PTTL", |mut conn| async move {
                cmd.query_async(&mut conn).await
            })
            .await?;
        Ok((millis >= 0).then(|| Duration::from_millis(millis as u64)))
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(key);
        let removed: i64 = self
            .run(
                "DEL",
                |mut conn| async move { cmd.query_async(&mut conn).await },
            )
            .await?;
        Ok(removed > 0)
    }

    /// Removes `member` from the sorted set at `key`.
    pub(crate) async fn remove_member(&self, key: &str, member: i64) -> Result<(), StoreError> {
        let mut cmd = redis::cmd("ZREM");
        cmd.arg(key).arg(member);
        let _: i64 = self
            .run("ZREM", |mut conn| async move {
                cmd.query_async(&mut conn).await
            })
            .await?;
        Ok(())
    }

    pub(crate) async fn delete_if_equals(
        &self,
        key: &str,
        value: &str,
    ) -> Result<bool, StoreError> {
        let mut invocation = self.unlock.prepare_invoke();
        invocation.key(key).arg(value);
        let removed: i64 = self
            .run("unlock script", |mut conn| async move {
                invocation.invoke_async(&mut conn).await
            })
            .await?;
        Ok(removed > 0)
    }

    pub(crate) async fn extend_if_equals(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut invocation = self.extend.prepare_invoke();
        invocation
            .key(key)
            .arg(value)
            .arg(ttl.as_millis().max(1) as u64);
        let extended: i64 = self
            .run("extend script", |mut conn| async move {
                invocation.invoke_async(&mut conn).await
            })
            .await?;
        Ok(extended > 0)
    }

    /// Runs a Lua script that answers with an integer.
    pub(crate) async fn eval_int(
        &self,
        script: &Script,
        keys: &[&str],
        args: &[i64],
    ) -> Result<i64, StoreError> {
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(*key);
        }
        for arg in args {
            invocation.arg(*arg);
        }
        self.run("script", |mut conn| async move {
            invocation.invoke_async(&mut conn).await
        })
        .await
    }

    fn command_error(&self, operation: &'static str, error: RedisError) -> StoreError {
        if is_unavailable(&error) {
            self.unavailable(error.into())
        } else {
            StoreError::Command {
                backend: self.name.to_string(),
                operation,
                source: error.into(),
            }
        }
    }

    fn unavailable(&self, source: BoxError) -> StoreError {
        StoreError::Unavailable {
            backend: self.name.to_string(),
            source,
        }
    }
}

/// Whether `error` means Redis could not be reached (rather than that it
/// refused the command): I/O failures and timeouts, and the server states
/// that pass by themselves (loading its dataset, failover in progress).
fn is_unavailable(error: &RedisError) -> bool {
    error.is_io_error()
        || error.is_timeout()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || matches!(
            error.kind(),
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::MasterDown
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
            )
        )
}

/// `url` with its password (and a `pass` query parameter) replaced by `***`,
/// so it can go into logs and error messages.
fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "<unparseable url>".to_owned();
    };
    if parsed.password().is_some() {
        // Fails only for URLs that cannot have credentials, which have no password.
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query_pairs().any(|(k, _)| k == "pass") {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "pass" { "***".into() } else { v };
                (k.into_owned(), v.into_owned())
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn urls_lose_their_password_but_keep_the_rest() {
        assert_eq!(
            redact_url("redis://:s3cret@redis.internal:6379/2"),
            "redis://:***@redis.internal:6379/2"
        );
        assert_eq!(
            redact_url("redis://bot:s3cret@10.0.0.5:6380"),
            "redis://bot:***@10.0.0.5:6380"
        );
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        let unix = redact_url("redis+unix:///run/redis.sock?db=1&pass=s3cret");
        assert!(!unix.contains("s3cret"), "{unix}");
        assert!(unix.contains("db=1"), "{unix}");
        assert_eq!(redact_url("not a url s3cret"), "<unparseable url>");
    }
}
