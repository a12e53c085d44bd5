//! The Redis backend, over a deadpool-redis pool of multiplexed connections.
//!
//! Outages must fail fast, not hang a handler: every step has a short
//! timeout (connect, response, waiting for a pooled connection, creating and
//! recycling one), and every failure to reach Redis becomes
//! [`StoreError::Unavailable`]. Recovery needs no code here: the pool pings a
//! connection before handing it out, drops the dead ones and dials anew, so
//! the first operation after Redis returns succeeds.

use std::sync::Arc;
use std::time::Duration;

use deadpool_redis::{Manager, Pool, PoolError, Runtime};
use redis::{AsyncConnectionConfig, ErrorKind, RedisError, Script, ServerErrorKind, Value};

use super::{BoxError, StoreError, ttl_millis};

/// Each multiplexed connection carries many concurrent requests, so a few
/// are plenty; more would only multiply reconnect attempts during an outage.
const POOL_SIZE: usize = 8;
/// TCP connect plus handshake for one new connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// One command's round trip; Redis answers in well under a millisecond when
/// healthy, so this only trips when it is not.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);
/// Waiting for a free pooled connection (all of them busy).
const WAIT_TIMEOUT: Duration = Duration::from_secs(2);
/// Creating a connection through the pool (connect + handshake, bounded again).
const CREATE_TIMEOUT: Duration = Duration::from_secs(2);
/// The pool's health-check PING before reusing a connection.
const RECYCLE_TIMEOUT: Duration = Duration::from_secs(1);

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
    pool: Pool,
    unlock: Arc<Script>,
    extend: Arc<Script>,
    /// `redis at <url without password>`, for errors and logs.
    name: Arc<str>,
    url: Arc<str>,
}

impl RedisStore {
    pub(crate) async fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let redacted = redact_url(url);
        let connection = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        let manager = Manager::new_with_config(url, connection).map_err(|e| {
            // The parse error may quote the URL, password included: keep only its kind.
            StoreError::Config(format!(
                "redis url {redacted} is not valid ({})",
                e.category()
            ))
        })?;
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .wait_timeout(Some(WAIT_TIMEOUT))
            .create_timeout(Some(CREATE_TIMEOUT))
            .recycle_timeout(Some(RECYCLE_TIMEOUT))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Config(format!("redis pool for {redacted}: {e}")))?;
        let store = RedisStore {
            pool,
            unlock: Arc::new(Script::new(UNLOCK_SCRIPT)),
            extend: Arc::new(Script::new(EXTEND_SCRIPT)),
            name: format!("redis at {redacted}").into(),
            url: redacted.into(),
        };
        store.ping().await?;
        Ok(store)
    }

    pub(crate) fn redacted_url(&self) -> &str {
        &self.url
    }

    async fn conn(&self) -> Result<deadpool_redis::Connection, StoreError> {
        self.pool.get().await.map_err(|e| self.pool_error(e))
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let _: Value = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(|e| self.command_error("PING", e))?;
        Ok(())
    }

    pub(crate) async fn set_nx(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let reply: Value = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(ttl_millis(ttl))
            .query_async(&mut conn)
            .await
            .map_err(|e| self.command_error("SET NX", e))?;
        // "OK" when set, nil when the key already existed.
        Ok(!matches!(reply, Value::Nil))
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut conn = self.conn().await?;
        redis::cmd("GET")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(|e| self.command_error("GET", e))
    }

    pub(crate) async fn set(
        &self,
        key: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(value);
        if let Some(ttl) = ttl {
            cmd.arg("PX").arg(ttl_millis(ttl));
        }
        let _: Value = cmd
            .query_async(&mut conn)
            .await
            .map_err(|e| self.command_error("SET", e))?;
        Ok(())
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let removed: i64 = redis::cmd("DEL")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(|e| self.command_error("DEL", e))?;
        Ok(removed > 0)
    }

    pub(crate) async fn delete_if_equals(
        &self,
        key: &str,
        value: &str,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let removed: i64 = self
            .unlock
            .key(key)
            .arg(value)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.command_error("unlock script", e))?;
        Ok(removed > 0)
    }

    pub(crate) async fn extend_if_equals(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let extended: i64 = self
            .extend
            .key(key)
            .arg(value)
            .arg(ttl.as_millis().max(1) as u64)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.command_error("extend script", e))?;
        Ok(extended > 0)
    }

    /// Runs a Lua script that answers with an integer.
    pub(crate) async fn eval_int(
        &self,
        script: &Script,
        keys: &[&str],
        args: &[i64],
    ) -> Result<i64, StoreError> {
        let mut conn = self.conn().await?;
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(*key);
        }
        for arg in args {
            invocation.arg(*arg);
        }
        invocation
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.command_error("script", e))
    }

    fn pool_error(&self, error: PoolError) -> StoreError {
        match error {
            PoolError::Backend(e) => self.command_error("connect", e),
            // Timeouts and a closed pool both mean "cannot reach Redis now".
            e @ (PoolError::Timeout(_) | PoolError::Closed) => self.unavailable(e.into()),
            e @ (PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_)) => {
                StoreError::Command {
                    backend: self.name.to_string(),
                    operation: "connect",
                    source: e.into(),
                }
            }
        }
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
