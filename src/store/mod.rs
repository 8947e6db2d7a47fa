//! The shared store: one Redis connection for every module that keeps
//! state across instances (rate limits, webhook replay ids, sessions),
//! with an application prefix on every key and a timeout on every call.
//!
//! [`Redis::connect`] opens a multiplexed connection that reconnects by
//! itself (the `redis` crate's `ConnectionManager`, retrying every 50 to
//! 250 ms). Each call is bounded by [`Redis::timeout`] (default 50 ms): a
//! Redis that is down or hung costs a request at most that long, and the
//! caller's fail mode decides what happens. Errors never quote the URL (it
//! may hold a password).
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> seckit::Result<()> {
//! use seckit::store::Redis;
//!
//! let url = seckit::config::Loader::from_env().required_secret("REDIS_URL")?.into_value();
//! let redis = Redis::connect(&url, "myapp").await?; // keys are "myapp:…"
//! # let _ = redis; Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::{Error, Result, SecretString};

/// The default bound on one store call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(50);

/// A connection to Redis, shared (clone it freely) by the limiters and
/// stores built on it.
#[derive(Clone)]
pub struct Redis {
    conn: ConnectionManager,
    prefix: String,
    timeout: Duration,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// Connects to `url` (`redis://[:password@]host:port[/db]`, or
    /// `rediss://` for TLS if the `redis` crate was built with it) and
    /// prefixes every key with `prefix:` (`[a-z0-9_-]`, 1 to 32
    /// characters: one per application sharing the server).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) for a
    /// malformed URL or prefix; [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable)
    /// when the server does not answer within a second.
    pub async fn connect(url: &SecretString, prefix: &str) -> Result<Self> {
        check_prefix(prefix)?;
        let client = redis::Client::open(url.expose_secret().as_str())
            .map_err(|_| Error::configuration("REDIS_URL", "not a redis:// URL"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(250)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(250))
            .set_number_of_retries(2);
        let conn = tokio::time::timeout(
            Duration::from_secs(1),
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| Error::unavailable("redis connection"))?
        .map_err(|_| Error::unavailable("redis connection"))?;
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Bounds each call (default [`DEFAULT_TIMEOUT`], at least 1 ms).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The bound on each call.
    #[must_use]
    pub const fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The application prefix.
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `prefix:module:name:` — the start of every key of one module's
    /// named object.
    #[cfg_attr(
        not(any(feature = "ratelimit", feature = "webhook", feature = "session")),
        allow(dead_code)
    )]
    pub(crate) fn key_base(&self, module: &str, name: &str) -> String {
        format!("{}:{module}:{name}:", self.prefix)
    }

    /// Runs `script` on `key` with `args`, within the timeout: `None` when
    /// Redis did not answer in time or answered with an error.
    #[cfg_attr(not(feature = "ratelimit"), allow(dead_code))]
    pub(crate) async fn eval<T: redis::FromRedisValue>(
        &self,
        script: &redis::Script,
        key: &str,
        args: &[u64],
    ) -> Option<T> {
        let mut invocation = script.key(key);
        for a in args {
            invocation.arg(*a);
        }
        let mut conn = self.conn.clone();
        match tokio::time::timeout(self.timeout, invocation.invoke_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => Some(v),
            _ => None,
        }
    }

    /// Runs `script` with no declared keys (it derives them from its first
    /// argument, the key base) and `args`, within the timeout: `None` when
    /// Redis did not answer in time or answered with an error.
    #[cfg_attr(not(feature = "session"), allow(dead_code))]
    pub(crate) async fn eval_args<T: redis::FromRedisValue>(
        &self,
        script: &redis::Script,
        args: &[&str],
    ) -> Option<T> {
        let mut invocation = script.prepare_invoke();
        for a in args {
            invocation.arg(*a);
        }
        let mut conn = self.conn.clone();
        match tokio::time::timeout(self.timeout, invocation.invoke_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => Some(v),
            _ => None,
        }
    }

    /// `SET key 1 NX PX ttl`, within the timeout: `Some(true)` when the key
    /// was set, `Some(false)` when it existed, `None` when Redis did not
    /// answer in time or answered with an error.
    #[cfg_attr(not(feature = "webhook"), allow(dead_code))]
    pub(crate) async fn set_nx(&self, key: &str, ttl: Duration) -> Option<bool> {
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(1).arg("NX").arg("PX").arg(ms);
        let mut conn = self.conn.clone();
        match tokio::time::timeout(self.timeout, cmd.query_async::<Option<String>>(&mut conn)).await
        {
            Ok(Ok(reply)) => Some(reply.is_some()),
            _ => None,
        }
    }

    /// `DEL key`, within the timeout: `None` when Redis did not answer.
    #[cfg_attr(not(feature = "webhook"), allow(dead_code))]
    pub(crate) async fn del(&self, key: &str) -> Option<()> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(key);
        let mut conn = self.conn.clone();
        match tokio::time::timeout(self.timeout, cmd.query_async::<i64>(&mut conn)).await {
            Ok(Ok(_)) => Some(()),
            _ => None,
        }
    }

    /// The connection, for tests and benches that run raw commands beside
    /// seckit's.
    #[doc(hidden)]
    #[must_use]
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }
}

fn check_prefix(prefix: &str) -> Result<()> {
    if prefix.is_empty()
        || prefix.len() > 32
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(Error::configuration(
            "redis.prefix",
            "not [a-z0-9_-], 1 to 32 characters",
        ));
    }
    Ok(())
}
