//! Rate limits, login lockout and bans: one algorithm (GCRA), in process
//! or shared by every instance through Redis, with the failure mode chosen
//! by you and keys built so user input cannot shape them.
//!
//! - **[`Quota`]**: `rate` per `period` with a `burst`, validated at
//!   construction (a zero rate or an absurd period stops the service at
//!   startup). The generic cell rate algorithm keeps one value per key (the
//!   theoretical arrival time): no fixed window, so no boundary lets twice
//!   the limit through.
//! - **[`Policy`]** names a limit and adds an optional [`Ban`] (denied K
//!   times within a window → banned for a while, optionally escalating).
//!   [`Policy::local`] makes a [`LocalLimiter`] (this process; bounded
//!   memory; synchronous); `Policy::shared` (feature `redis`) makes a
//!   [`RateLimiter`] on Redis — one Lua script per decision, one round
//!   trip, Redis's clock, keys that expire when their state has decayed —
//!   and needs a [`FailMode`]: there is no default that silently opens the
//!   gate.
//! - **[`Key`]**: typed parts (client IP, account, route), hashed.
//!   [`net::ClientIpConfig`](crate::net::ClientIpConfig) finds the client
//!   behind *your* proxies only.
//! - **[`LoginGuard`]**: per-account, per-IP and per-(account, IP) failure
//!   limits with an exponential cool-off, so a password spray is slowed
//!   and the real user at a known-good address is not locked out by it.
//! - **[`Decision`]**: allowed or not, `remaining`, `reset_after`,
//!   `retry_after`, the `RateLimit-*` and `Retry-After` headers, and
//!   [`Decision::into_result`] for `?`.
//!
//! Every denial, ban and lock emits an [`audit`](crate::audit) event
//! (`excess_rate_limit_exceeded`, `authn_login_lock`); every decision made
//! without the shared store emits `sys_monitor_disabled`.
//!
//! docs/ratelimit.md has the algorithm, the fail modes, proxies and the
//! login policy with its trade-offs.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use seckit::net::ClientIp;
//! use seckit::ratelimit::{Key, ManualClock, Policy, Quota};
//!
//! let limiter = Policy::new("api", Quota::per_minute(100)?.with_burst(3)?)?
//!     .clock(Arc::new(ManualClock::default())) // the real one by default
//!     .local();
//! let key = Key::ip(ClientIp::from_peer("203.0.113.9".parse().unwrap()));
//! for expected in [2, 1, 0] {
//!     let d = limiter.check(&key);
//!     assert!(d.is_allowed() && d.remaining() == expected);
//! }
//! let denied = limiter.check(&key);
//! assert_eq!(denied.retry_after().map(|d| d.as_millis()), Some(600));
//! let err = denied.into_result("api requests").unwrap_err();
//! assert_eq!(err.kind(), seckit::ErrorKind::RateLimited); // 429 with Retry-After
//! # Ok::<(), seckit::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::audit::{Event, EventKind};
use crate::{Error, Result};

mod gcra;
mod key;
mod local;
mod login;
mod quota;
#[cfg(feature = "redis")]
mod shared;

pub use key::{Key, KeyBuilder, MAX_KEY_PART, MAX_KEY_PARTS};
pub use local::{Clock, LocalLimiter, ManualClock, MonotonicClock};
pub use login::{LoginAttempt, LoginGuard, LoginPolicy};
pub use quota::{Ban, Lockout, MAX_COUNT, MAX_PERIOD, MIN_PERIOD, Quota};

use gcra::{BanParams, Op, Out, Params};

/// The most keys one limiter tracks by default.
pub const DEFAULT_MAX_KEYS: usize = 100_000;
/// The most keys one limiter may be configured to track.
pub const MAX_KEYS_LIMIT: usize = 10_000_000;

/// A named limit: its quota, its ban, and for the in-process store its
/// memory bound and clock.
#[derive(Clone)]
pub struct Policy {
    name: &'static str,
    quota: Quota,
    /// The time a full burst takes to come back (`RateLimit-Policy`'s `w`).
    window: Duration,
    ban: Option<BanParams>,
    max_keys: usize,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.name)
            .field("quota", &self.quota)
            .field("ban", &self.ban)
            .field("max_keys", &self.max_keys)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// A limit called `name` (`[a-z0-9_-]`, 1 to 32 characters: it appears
    /// in audit events and Redis keys).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) for a
    /// bad name.
    pub fn new(name: &'static str, quota: Quota) -> Result<Self> {
        check_name("ratelimit.name", name)?;
        Ok(Self {
            name,
            quota,
            window: quota.emission_interval().saturating_mul(quota.burst()),
            ban: None,
            max_keys: DEFAULT_MAX_KEYS,
            clock: local::shared_clock(),
        })
    }

    /// A lockout: the quota counts failures, and using it up locks the key
    /// (see [`Lockout`]).
    ///
    /// # Errors
    ///
    /// As [`Policy::new`].
    pub fn lockout(name: &'static str, lockout: Lockout) -> Result<Self> {
        let mut p = Self::new(name, lockout.failures())?;
        p.ban = Some(lockout.as_ban().params(true));
        Ok(p)
    }

    /// Ban keys that are denied too often.
    #[must_use]
    pub fn ban(mut self, ban: Ban) -> Self {
        self.ban = Some(ban.params(false));
        self
    }

    /// The most keys the in-process store tracks (default
    /// [`DEFAULT_MAX_KEYS`]); memory is about 190 bytes per key (docs/PERFORMANCE.md).
    ///
    /// # Errors
    ///
    /// Zero or above [`MAX_KEYS_LIMIT`].
    pub fn max_keys(mut self, max_keys: usize) -> Result<Self> {
        if max_keys == 0 || max_keys > MAX_KEYS_LIMIT {
            return Err(Error::configuration(
                "ratelimit.max_keys",
                "outside 1..=10000000",
            ));
        }
        self.max_keys = max_keys;
        Ok(self)
    }

    /// The in-process store's clock (default [`MonotonicClock`]). Redis
    /// uses its own clock.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The limit's name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The quota.
    #[must_use]
    pub const fn quota(&self) -> Quota {
        self.quota
    }

    /// A limiter in this process.
    #[must_use]
    pub fn local(self) -> LocalLimiter {
        LocalLimiter::new(self)
    }

    /// A limiter shared by every instance through `redis`; `mode` says
    /// what to do while Redis cannot answer within its timeout.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    #[must_use]
    pub fn shared(self, redis: &crate::store::Redis, mode: FailMode) -> RateLimiter {
        RateLimiter(Arc::new(Backend::Shared(shared::SharedLimiter::new(
            self, redis, mode,
        ))))
    }

    pub(crate) fn params(&self) -> Params {
        self.quota.params(self.ban)
    }

    /// The decision for a counted request, with its audit event.
    fn decision(&self, key: &Key, out: Out, degraded: Option<FailMode>) -> Decision {
        let d = self.decision_quiet(out, degraded);
        if !d.allowed {
            let mut e = Event::new(EventKind::ExcessRateLimitExceeded)
                .limit(self.name)
                .reason(if out.banned { "banned" } else { "limited" });
            if let Some(ip) = key.client_addr() {
                e = e.source_ip(ip);
            }
            e.emit();
        }
        d
    }

    fn decision_quiet(&self, out: Out, degraded: Option<FailMode>) -> Decision {
        Decision {
            allowed: out.allowed,
            limit: self.quota.burst(),
            window: self.window,
            remaining: u32::try_from(out.remaining).unwrap_or(u32::MAX),
            reset_after: Duration::from_micros(out.reset_after),
            retry_after: (!out.allowed || out.banned)
                .then(|| Duration::from_micros(out.retry_after)),
            denial: if out.banned {
                Some(Denial::Banned)
            } else if out.allowed {
                None
            } else {
                Some(Denial::Limited)
            },
            degraded,
        }
    }

    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    fn unavailable(&self, key: &Key, mode: FailMode) -> Decision {
        let mut e = Event::new(EventKind::SysMonitorDisabled)
            .limit(self.name)
            .reason(match mode {
                FailMode::Closed => "store_unreachable_closed",
                FailMode::Open => "store_unreachable_open",
                FailMode::LocalFallback => "store_unreachable_local",
            });
        if let Some(ip) = key.client_addr() {
            e = e.source_ip(ip);
        }
        e.emit();
        let allowed = mode == FailMode::Open;
        Decision {
            allowed,
            limit: self.quota.burst(),
            window: self.window,
            remaining: 0,
            reset_after: Duration::ZERO,
            retry_after: (!allowed).then_some(Duration::from_secs(1)),
            denial: (!allowed).then_some(Denial::Unavailable),
            degraded: Some(mode),
        }
    }
}

/// Why a request was denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Denial {
    /// Over the quota.
    Limited,
    /// Banned or locked out.
    Banned,
    /// The shared store did not answer and the fail mode is
    /// [`FailMode::Closed`].
    Unavailable,
}

/// What a limiter does while its shared store cannot answer (down, or
/// slower than the timeout). Always chosen explicitly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailMode {
    /// Deny every request (503): nothing unlimited gets through.
    Closed,
    /// Allow every request, and emit a `sys_monitor_disabled` audit event
    /// for each one.
    Open,
    /// Enforce the same quota in this process until the store is back
    /// (each instance allows up to the full quota on its own).
    LocalFallback,
}

impl FailMode {
    /// `closed`, `open` or `local`, as `RATE_LIMIT_FAIL_MODE` spells them.
    ///
    /// # Errors
    ///
    /// Anything else ([`ErrorKind::Configuration`](crate::ErrorKind::Configuration)).
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "closed" => Ok(Self::Closed),
            "open" => Ok(Self::Open),
            "local" => Ok(Self::LocalFallback),
            _ => Err(
                Error::configuration("RATE_LIMIT_FAIL_MODE", "unknown fail mode")
                    .with_hint("closed, open or local"),
            ),
        }
    }

    /// The name [`FailMode::parse`] reads (and the audit reason).
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::LocalFallback => "local",
        }
    }
}

impl fmt::Display for FailMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "a decision does nothing unless its verdict is used"]
pub struct Decision {
    allowed: bool,
    limit: u32,
    window: Duration,
    remaining: u32,
    reset_after: Duration,
    retry_after: Option<Duration>,
    denial: Option<Denial>,
    degraded: Option<FailMode>,
}

impl Decision {
    /// Whether the request may go on.
    #[must_use]
    pub const fn is_allowed(&self) -> bool {
        self.allowed
    }

    /// Requests still allowed right now (the quota's burst is the most).
    #[must_use]
    pub const fn remaining(&self) -> u32 {
        self.remaining
    }

    /// The quota's burst: `RateLimit-Limit`.
    #[must_use]
    pub const fn limit(&self) -> u32 {
        self.limit
    }

    /// Until the quota is whole again.
    #[must_use]
    pub const fn reset_after(&self) -> Duration {
        self.reset_after
    }

    /// Until a request can be allowed: set when denied (and when a lock
    /// was just imposed).
    #[must_use]
    pub const fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Why it was denied.
    #[must_use]
    pub const fn denial(&self) -> Option<Denial> {
        self.denial
    }

    /// Set when the shared store did not answer and `mode` decided.
    #[must_use]
    pub const fn degraded(&self) -> Option<FailMode> {
        self.degraded
    }

    /// `Ok(self)` when allowed; otherwise [`Error::rate_limited`] (429,
    /// with `retry_after`) or, when the store was down and the mode is
    /// closed, [`Error::unavailable`] (503). `context` names the limit in
    /// the log line.
    ///
    /// # Errors
    ///
    /// As above.
    pub fn into_result(self, context: &'static str) -> Result<Self> {
        match (self.allowed, self.denial) {
            (true, _) => Ok(self),
            (false, Some(Denial::Unavailable)) => Err(Error::unavailable(context)),
            (false, _) => Err(Error::rate_limited_audited(
                context,
                self.retry_after.unwrap_or(Duration::from_secs(1)),
            )),
        }
    }

    /// `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and
    /// `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers-07: the
    /// limit is the burst, the window the time a full burst takes to come
    /// back), and `Retry-After` when denied. Seconds are rounded up.
    #[must_use]
    pub fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::with_capacity(5);
        self.write_headers(&mut h);
        h
    }

    /// As [`Decision::headers`], into an existing map.
    pub fn write_headers(&self, h: &mut HeaderMap) {
        let mut put = |name: &'static str, value: String| {
            if let Ok(v) = HeaderValue::try_from(value) {
                h.insert(HeaderName::from_static(name), v);
            }
        };
        put("ratelimit-limit", self.limit.to_string());
        put("ratelimit-remaining", self.remaining.to_string());
        put("ratelimit-reset", ceil_secs(self.reset_after).to_string());
        put(
            "ratelimit-policy",
            format!("{};w={}", self.limit, ceil_secs(self.window).max(1)),
        );
        if let (false, Some(after)) = (self.allowed, self.retry_after) {
            put("retry-after", ceil_secs(after).max(1).to_string());
        }
    }
}

fn ceil_secs(d: Duration) -> u64 {
    let s = d.as_secs();
    if d.subsec_nanos() > 0 {
        s.saturating_add(1)
    } else {
        s
    }
}

/// A limiter usable from async code, on either store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct RateLimiter(Arc<Backend>);

// Built once per limiter and kept behind an Arc: the size is paid once.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Backend {
    Local(LocalLimiter),
    #[cfg(feature = "redis")]
    Shared(shared::SharedLimiter),
}

impl From<LocalLimiter> for RateLimiter {
    fn from(local: LocalLimiter) -> Self {
        Self(Arc::new(Backend::Local(local)))
    }
}

impl RateLimiter {
    /// Counts one request for `key` and decides: one round trip on Redis
    /// (bounded by its timeout), one lock in process.
    pub async fn check(&self, key: &Key) -> Decision {
        match &*self.0 {
            Backend::Local(l) => l.check(key),
            #[cfg(feature = "redis")]
            Backend::Shared(s) => match s.apply(key, Op::Hit).await {
                Ok(out) => s.policy().decision(key, out, None),
                Err(()) => s.degraded(key, Op::Hit),
            },
        }
    }

    /// Decides for `key` without counting.
    pub async fn peek(&self, key: &Key) -> Decision {
        match &*self.0 {
            Backend::Local(l) => l.peek(key),
            #[cfg(feature = "redis")]
            Backend::Shared(s) => match s.apply(key, Op::Peek).await {
                Ok(out) => s.policy().decision_quiet(out, None),
                Err(()) => s.degraded(key, Op::Peek),
            },
        }
    }

    /// Forgets `key`'s counts and bans.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) when the
    /// shared store did not answer.
    pub async fn reset(&self, key: &Key) -> Result<()> {
        self.apply(key, Op::Reset { good_for: 0 }).await.map(|_| ())
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        match &*self.0 {
            Backend::Local(l) => l.policy(),
            #[cfg(feature = "redis")]
            Backend::Shared(s) => s.policy(),
        }
    }

    /// Where the state lives, for a startup line: `in process` or
    /// `redis (fail mode closed)`.
    #[must_use]
    pub fn store_description(&self) -> String {
        match &*self.0 {
            Backend::Local(_) => "in process".to_owned(),
            #[cfg(feature = "redis")]
            Backend::Shared(s) => format!("redis (fail mode {})", s.mode()),
        }
    }

    /// The raw outcome, for the login guard. `Err` when the shared store
    /// did not answer (the guard applies the fail mode itself).
    pub(crate) async fn apply(&self, key: &Key, op: Op) -> Result<Out> {
        match &*self.0 {
            Backend::Local(l) => Ok(l.apply(key, op)),
            #[cfg(feature = "redis")]
            Backend::Shared(s) => match s.apply(key, op).await {
                Ok(out) => Ok(out),
                Err(()) => s.fallback_apply(key, op),
            },
        }
    }
}

fn check_name(setting: &'static str, name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 32
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(Error::configuration(
            setting,
            "not [a-z0-9_-], 1 to 32 characters",
        ));
    }
    Ok(())
}

/// `15 min`, `1 h`, `30 s`, `250 ms` for startup lines.
pub(crate) fn human(d: Duration) -> String {
    let s = d.as_secs();
    if d.subsec_nanos() != 0 || s == 0 {
        format!("{} ms", d.as_millis())
    } else if s.is_multiple_of(3600) {
        format!("{} h", s / 3600)
    } else if s.is_multiple_of(60) {
        format!("{} min", s / 60)
    } else {
        format!("{s} s")
    }
}
