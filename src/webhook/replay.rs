//! Each verified delivery accepted once: ids remembered for the window in
//! which their timestamp still verifies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::{MAX_TOLERANCE, Verified, refuse};
use crate::{AuthReason, Error, Result};

/// The default bound on ids held in process: 100 000 (about 5 MB).
pub const DEFAULT_MAX_IDS: usize = 100_000;

const CONTEXT: &str = "webhook.replay";

/// Remembers the ids of verified deliveries so each is accepted once.
///
/// An id is kept until its timestamp plus the window (use the verifier's
/// tolerance: after that the timestamp check refuses the delivery anyway);
/// a message without a timestamp (GitHub) is kept for the window from
/// when it was first seen. Ids are stored as their SHA-256, so the state
/// per id is fixed whatever the sender puts in it.
///
/// - [`ReplayGuard::local`]: in process, at most `max_ids` ids. When full
///   of ids still inside their window, new deliveries are refused with
///   [`ErrorKind::Unavailable`](crate::ErrorKind) (503, so the sender
///   retries later) rather than forgetting an id early, which would let
///   its delivery be replayed. Only deliveries with a valid signature
///   reach the guard, so only the sender can fill it.
/// - `ReplayGuard::shared` (feature `redis`): `SET key NX PX ttl` on the
///   shared Redis, one round trip; every instance sees the same ids. A
///   Redis outage refuses deliveries (503): it fails closed.
///
/// The guard answers the first of a sender's retries too: a delivery
/// that fails in your handler after the guard accepted it is refused when
/// retried unless you call [`ReplayGuard::forget`] on the failure path.
#[derive(Clone, Debug)]
pub struct ReplayGuard {
    window: Duration,
    inner: Inner,
}

#[derive(Clone, Debug)]
enum Inner {
    Local {
        ids: Arc<Mutex<HashMap<[u8; 32], u64>>>,
        max_ids: usize,
    },
    #[cfg(feature = "redis")]
    Shared {
        redis: crate::store::Redis,
        base: String,
    },
}

impl ReplayGuard {
    /// An in-process guard keeping ids for `window` past their timestamp,
    /// at most [`DEFAULT_MAX_IDS`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for a window of zero
    /// or over an hour.
    pub fn local(window: Duration) -> Result<Self> {
        Ok(Self {
            window: check_window(window)?,
            inner: Inner::Local {
                ids: Arc::default(),
                max_ids: DEFAULT_MAX_IDS,
            },
        })
    }

    /// The bound on ids held in process (a shared guard ignores it).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for 0 or over 10⁷.
    pub fn with_max_ids(mut self, n: usize) -> Result<Self> {
        if n == 0 || n > 10_000_000 {
            return Err(Error::configuration(
                "webhook.replay.max_ids",
                "must be between 1 and 10000000",
            ));
        }
        #[cfg_attr(not(feature = "redis"), allow(irrefutable_let_patterns))]
        if let Inner::Local { max_ids, .. } = &mut self.inner {
            *max_ids = n;
        }
        Ok(self)
    }

    /// A guard on the shared Redis: keys `{prefix}:webhook:replay:` and the
    /// base64url SHA-256 of the id, expiring with the id's window.
    ///
    /// # Errors
    ///
    /// As [`ReplayGuard::local`].
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn shared(redis: &crate::store::Redis, window: Duration) -> Result<Self> {
        Ok(Self {
            window: check_window(window)?,
            inner: Inner::Shared {
                redis: redis.clone(),
                base: redis.key_base("webhook", "replay"),
            },
        })
    }

    /// Accepts `message` the first time, at the current time.
    ///
    /// # Errors
    ///
    /// As [`ReplayGuard::check_at`].
    pub async fn check(&self, message: &Verified) -> Result<()> {
        self.check_at(message, super::now_unix()).await
    }

    /// Accepts `message` if its id was not accepted within its window, as
    /// of `now` (Unix seconds), and remembers it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind) with
    /// [`AuthReason::Replayed`] (audited, `authn_token_reuse`);
    /// [`ErrorKind::Unavailable`](crate::ErrorKind) when the in-process
    /// guard is full or Redis does not answer.
    pub async fn check_at(&self, message: &Verified, now: u64) -> Result<()> {
        let digest: [u8; 32] = Sha256::digest(message.id().as_bytes()).into();
        let until = message
            .timestamp()
            .unwrap_or(now)
            .saturating_add(self.window.as_secs())
            .saturating_add(1);
        if until <= now {
            // Outside its window: the verifier's timestamp check refuses
            // it; the guard does too rather than remember nothing.
            return Err(refuse(
                CONTEXT,
                AuthReason::TimestampOutOfRange,
                "outside the replay window",
            ));
        }
        let fresh = match &self.inner {
            Inner::Local { ids, max_ids } => {
                let mut ids = ids
                    .lock()
                    .map_err(|_| Error::internal("webhook replay guard lock"))?;
                match ids.get(&digest) {
                    Some(&kept) if kept > now => false,
                    _ => {
                        if ids.len() >= *max_ids {
                            ids.retain(|_, kept| *kept > now);
                        }
                        if ids.len() >= *max_ids && !ids.contains_key(&digest) {
                            return Err(Error::unavailable("webhook replay guard full"));
                        }
                        ids.insert(digest, until);
                        true
                    }
                }
            }
            #[cfg(feature = "redis")]
            Inner::Shared { redis, base } => {
                let key = shared_key(base, &digest);
                let ttl = Duration::from_secs(until.saturating_sub(now));
                redis
                    .set_nx(&key, ttl)
                    .await
                    .ok_or_else(|| Error::unavailable("webhook replay store"))?
            }
        };
        if fresh {
            Ok(())
        } else {
            Err(refuse(
                CONTEXT,
                AuthReason::Replayed,
                "delivery already accepted",
            ))
        }
    }

    /// Forgets `message`, so a retry of a delivery your handler failed to
    /// process is accepted.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unavailable`](crate::ErrorKind) when Redis does not
    /// answer.
    pub async fn forget(&self, message: &Verified) -> Result<()> {
        let digest: [u8; 32] = Sha256::digest(message.id().as_bytes()).into();
        match &self.inner {
            Inner::Local { ids, .. } => {
                ids.lock()
                    .map_err(|_| Error::internal("webhook replay guard lock"))?
                    .remove(&digest);
                Ok(())
            }
            #[cfg(feature = "redis")]
            Inner::Shared { redis, base } => redis
                .del(&shared_key(base, &digest))
                .await
                .ok_or_else(|| Error::unavailable("webhook replay store")),
        }
    }

    /// Ids held in process now (0 for a shared guard).
    #[must_use]
    pub fn len(&self) -> usize {
        match &self.inner {
            Inner::Local { ids, .. } => ids.lock().map_or(0, |ids| ids.len()),
            #[cfg(feature = "redis")]
            Inner::Shared { .. } => 0,
        }
    }

    /// Whether no id is held in process.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn check_window(window: Duration) -> Result<Duration> {
    if window.is_zero() || window > MAX_TOLERANCE {
        return Err(Error::configuration(
            "webhook.replay.window",
            "must be between 1 second and 1 hour",
        ));
    }
    Ok(window)
}

#[cfg(feature = "redis")]
fn shared_key(base: &str, digest: &[u8; 32]) -> String {
    use base64::Engine as _;
    format!(
        "{base}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    )
}
