//! Server-side sessions and refresh tokens: opaque, hashed at rest, with
//! idle and absolute timeouts, rotation, reuse detection and "log out
//! everywhere", in memory, on SQLite or on Redis.
//!
//! - **Tokens.** A session id (`ses_…`) or refresh token (`rft_…`) is 32
//!   bytes from the OS generator, given to the client once. The store holds
//!   only its SHA-256, so a copied database or Redis dump holds nothing a
//!   client could present; a lookup by hash is confirmed in constant time.
//! - **Lifetimes.** Every session has an idle deadline (default 30 min,
//!   [`DEFAULT_IDLE`]) and an absolute one (default 8 h,
//!   [`DEFAULT_ABSOLUTE`]), OWASP's session cheat sheet's figures for a
//!   low-risk application. Use slides the idle deadline forward, written at
//!   most once per [`DEFAULT_RENEW_AFTER`] (1 min) per session; the absolute
//!   deadline never moves, not even through rotation. An expired session is
//!   refused and removed when presented; [`SessionManager::purge_expired`]
//!   removes the rest (Redis expires them by TTL).
//! - **Rotation and fixation.** [`SessionManager::rotate`] gives a session
//!   a new id and kills the old one (at privilege changes). Ids are only
//!   ever minted here: there is no way to adopt an id a client chose, and
//!   [`SessionManager::create`] at login always makes a new one, so an id
//!   planted before login never becomes the logged-in session.
//! - **Refresh tokens** ([`TokenKind::Refresh`]): each
//!   [`SessionManager::refresh`] returns a new token and retires the one
//!   presented. Presenting a retired token again revokes the whole family
//!   (every token descended from that login: the thief's and the user's),
//!   emits `authn_token_reuse`, and is refused with
//!   [`AuthReason::Replayed`] (RFC 9700
//!   §4.14.2). Two concurrent refreshes with one token: at most one wins.
//!   A grace period ([`SessionConfig::refresh_grace`]) for clients that
//!   race themselves is off by default.
//! - **Per user.** [`SessionManager::revoke`] (log out),
//!   [`revoke_all_for_user`](SessionManager::revoke_all_for_user) (log out
//!   everywhere; the incident response), [`list_for_user`](SessionManager::list_for_user),
//!   and a cap on live sessions per user ([`SessionConfig::cap`]) that
//!   refuses the new login or evicts the oldest, atomically in every store.
//! - **Stores** ([`SessionStore`]): memory (bounded, one process), SQLite
//!   (the embedded default: WAL, migrations embedded), Redis (feature
//!   `redis`: one Lua script per operation, a TTL on every key). A store
//!   that cannot answer fails closed: [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable)
//!   (503), never a valid session.
//!
//! docs/sessions.md explains the model, the defaults and how sessions pair
//! with short-lived JWT access tokens.
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> seckit::Result<()> {
//! use seckit::session::{NewSession, SessionConfig, SessionManager, SessionStore};
//!
//! let sessions = SessionManager::new(SessionStore::memory(10_000)?, SessionConfig::new())?;
//!
//! // At login: a new session; the id goes to the client once (a cookie).
//! let issued = sessions.create("user-42", NewSession::session()).await?;
//! let cookie_value = issued.token().expose_secret().to_owned();
//!
//! // On each request.
//! let session = sessions.validate(&cookie_value).await?;
//! assert_eq!(session.user(), "user-42");
//!
//! // Logout: the id is dead.
//! assert!(sessions.revoke(&cookie_value).await?);
//! assert!(sessions.validate(&cookie_value).await.is_err());
//! # Ok(()) }
//! ```

mod backend;
mod memory;
mod record;
#[cfg(feature = "redis")]
mod redis;
mod sqlite;
mod token;

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use backend::{Backend, Cap, Created, Found, Record, Rotated, Rotation};
pub use record::{Issued, NewSession, Session, SessionData};
pub use token::TokenKind;

use crate::audit::{Event, EventKind};
use crate::{AuthReason, Error, ForbiddenReason, Result};

/// The default idle timeout: 30 minutes.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(30 * 60);
/// The default absolute timeout: 8 hours.
pub const DEFAULT_ABSOLUTE: Duration = Duration::from_secs(8 * 60 * 60);
/// The default interval between two writes of a session's idle deadline.
pub const DEFAULT_RENEW_AFTER: Duration = Duration::from_secs(60);
/// The default bound on one store call.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest allowed absolute timeout: 400 days.
pub const MAX_ABSOLUTE: Duration = Duration::from_secs(400 * 24 * 60 * 60);
/// The longest allowed refresh grace period: 60 seconds.
pub const MAX_REFRESH_GRACE: Duration = Duration::from_secs(60);
/// The largest allowed per-user cap.
pub const MAX_CAP: u32 = 10_000;
/// The memory store's refusal when it is full.
const MEMORY_FULL: &str = "session store full";

/// The longest user id, in bytes.
pub const MAX_USER_BYTES: usize = 256;

/// What happens to a login when the user is at the cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CapPolicy {
    /// Refuse the new session: [`ErrorKind::Forbidden`](crate::ErrorKind::Forbidden)
    /// with [`ForbiddenReason::SessionLimit`].
    Refuse,
    /// Revoke the user's oldest sessions to make room (each emits
    /// `authn_token_revoked` with reason `session_cap_evicted`).
    EvictOldest,
}

/// The lifetimes, the per-user cap and the refresh grace period; checked
/// by [`SessionManager::new`].
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use seckit::session::{CapPolicy, SessionConfig};
///
/// let config = SessionConfig::new()
///     .idle_timeout(Duration::from_secs(15 * 60))
///     .absolute_timeout(Duration::from_secs(12 * 60 * 60))
///     .cap(5, CapPolicy::EvictOldest);
/// assert_eq!(config.idle(), Duration::from_secs(900));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    idle: Duration,
    absolute: Duration,
    renew_after: Duration,
    cap: Option<(u32, CapPolicy)>,
    grace: Duration,
    store_timeout: Duration,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl SessionConfig {
    /// The defaults: 30 min idle, 8 h absolute, renewal written at most
    /// once a minute, no cap, no refresh grace, 2 s per store call.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            idle: DEFAULT_IDLE,
            absolute: DEFAULT_ABSOLUTE,
            renew_after: DEFAULT_RENEW_AFTER,
            cap: None,
            grace: Duration::ZERO,
            store_timeout: DEFAULT_STORE_TIMEOUT,
        }
    }

    /// The idle timeout: a session unused this long is dead (at least 1 s).
    #[must_use]
    pub const fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// The absolute timeout: no session lives longer than this after its
    /// login, whatever its use (at least the idle timeout, at most
    /// [`MAX_ABSOLUTE`]).
    #[must_use]
    pub const fn absolute_timeout(mut self, absolute: Duration) -> Self {
        self.absolute = absolute;
        self
    }

    /// How long after the last write a use writes the idle deadline again
    /// (shorter than the idle timeout). A session is therefore refused
    /// after at most `idle` without use, and may be refused after
    /// `idle - renew_after`.
    #[must_use]
    pub const fn renew_after(mut self, renew_after: Duration) -> Self {
        self.renew_after = renew_after;
        self
    }

    /// At most `max` live sessions per user (1 to [`MAX_CAP`]); `policy`
    /// says what a login beyond that does.
    #[must_use]
    pub const fn cap(mut self, max: u32, policy: CapPolicy) -> Self {
        self.cap = Some((max, policy));
        self
    }

    /// Accept a refresh token up to `grace` after it was rotated away (it
    /// rotates again instead of revoking the family), for clients that
    /// send two refreshes at once. Off (zero) by default; at most
    /// [`MAX_REFRESH_GRACE`]. A stolen token used within the window is
    /// then not detected: keep it to seconds, or off.
    #[must_use]
    pub const fn refresh_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The bound on one store call (default 2 s; Redis calls are also
    /// bounded by [`Redis::timeout`](crate::store::Redis::timeout)). A call
    /// that takes longer fails closed.
    #[must_use]
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The idle timeout.
    #[must_use]
    pub const fn idle(&self) -> Duration {
        self.idle
    }

    /// The absolute timeout.
    #[must_use]
    pub const fn absolute(&self) -> Duration {
        self.absolute
    }

    /// The per-user cap and its policy, if any.
    #[must_use]
    pub const fn cap_limit(&self) -> Option<(u32, CapPolicy)> {
        self.cap
    }

    fn check(&self) -> Result<()> {
        let bad = |reason| Err(Error::configuration("session", reason));
        if self.idle < Duration::from_secs(1) {
            return bad("idle timeout under 1 s");
        }
        if self.absolute < self.idle {
            return bad("absolute timeout shorter than the idle timeout");
        }
        if self.absolute > MAX_ABSOLUTE {
            return bad("absolute timeout over 400 days");
        }
        if self.renew_after >= self.idle {
            return bad("renew_after not shorter than the idle timeout");
        }
        if let Some((max, _)) = self.cap
            && (max == 0 || max > MAX_CAP)
        {
            return bad("session cap not between 1 and 10000");
        }
        if self.grace > MAX_REFRESH_GRACE {
            return bad("refresh grace over 60 s");
        }
        Ok(())
    }
}

/// Where sessions live: build one with [`memory`](Self::memory),
/// [`sqlite`](Self::sqlite), [`sqlite_file`](Self::sqlite_file) or
/// [`redis`](Self::redis). Every store passes one conformance suite
/// (tests/session.rs).
#[derive(Clone)]
pub struct SessionStore {
    backend: Arc<dyn Backend>,
    name: &'static str,
}

impl fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionStore")
            .field("kind", &self.name)
            .finish_non_exhaustive()
    }
}

impl SessionStore {
    /// In this process only, holding at most `max_entries` sessions and
    /// retired refresh tokens together; when full, expired ones are purged,
    /// and if none are, a new login or refresh fails closed
    /// ([`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) for
    /// zero entries.
    pub fn memory(max_entries: usize) -> Result<Self> {
        if max_entries == 0 {
            return Err(Error::configuration(
                "session.memory",
                "zero entries allowed",
            ));
        }
        Ok(Self {
            backend: Arc::new(memory::Memory::new(max_entries)),
            name: "memory",
        })
    }

    /// On the application's SQLite pool: switches the database to WAL
    /// (readers never wait for the writer) and creates or migrates the
    /// tables `seckit_sessions` and `seckit_retired_tokens` (versioned in
    /// `seckit_schema`). Set a busy timeout on the pool's options (sqlx's
    /// default is 5 s): logins and rotations wait for SQLite's write lock.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) when the
    /// database cannot be reached or migrated;
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) when a
    /// newer seckit migrated it.
    pub async fn sqlite(pool: sqlx::SqlitePool) -> Result<Self> {
        Ok(Self {
            backend: Arc::new(sqlite::SqliteStore::on(pool).await?),
            name: "sqlite",
        })
    }

    /// A SQLite file of its own at `path` (created if missing), in WAL
    /// mode with `synchronous=NORMAL` and a 5 s busy timeout.
    ///
    /// # Errors
    ///
    /// As [`sqlite`](Self::sqlite).
    pub async fn sqlite_file(path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self {
            backend: Arc::new(sqlite::SqliteStore::open(path.as_ref()).await?),
            name: "sqlite",
        })
    }

    /// On Redis, under `prefix:session:v1:`: one Lua script (one round
    /// trip) per operation, each key expiring with its session. Needs one
    /// Redis server or a primary, not a cluster (the scripts touch keys
    /// they derive).
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    #[must_use]
    pub fn redis(redis: &crate::store::Redis) -> Self {
        Self {
            backend: Arc::new(redis::RedisStore::new(redis)),
            name: "redis",
        }
    }
}

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

struct Inner {
    store: SessionStore,
    config: SessionConfig,
    clock: Clock,
}

/// Issues, checks, rotates and revokes sessions and refresh tokens on one
/// [`SessionStore`]. Clone it freely (one `Arc`).
///
/// Every method that reaches the store fails closed: when the store does
/// not answer within [`SessionConfig::store_timeout`], the error is
/// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) (503) and a
/// `sys_monitor_disabled` audit event with reason
/// `session_store_unreachable` (or, from a full memory store,
/// `session_store_full`) is emitted.
#[derive(Clone)]
pub struct SessionManager {
    inner: Arc<Inner>,
}

impl fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionManager")
            .field("store", &self.inner.store)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

fn ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn ms_of(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn unknown(kind: TokenKind) -> Error {
    Error::unauthenticated(
        token::context(kind),
        AuthReason::Mismatch,
        "unknown, revoked or rotated token",
    )
}

fn expired(kind: TokenKind) -> Error {
    Error::unauthenticated(token::context(kind), AuthReason::Expired, "session expired")
}

impl SessionManager {
    /// A manager on `store` with `config`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) for a
    /// config that makes no sense: idle under 1 s, absolute shorter than
    /// idle or over 400 days, `renew_after` not under idle, a cap of 0 or
    /// over [`MAX_CAP`], a grace over 60 s.
    pub fn new(store: SessionStore, config: SessionConfig) -> Result<Self> {
        config.check()?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                config,
                clock: Arc::new(SystemTime::now),
            }),
        })
    }

    /// Reads time from `clock` instead of the system clock: for tests of
    /// expiry. Every deadline the stores keep (Redis TTLs included) is
    /// computed from it.
    #[must_use]
    pub fn with_clock(self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Self {
            inner: Arc::new(Inner {
                store: self.inner.store.clone(),
                config: self.inner.config.clone(),
                clock: Arc::new(clock),
            }),
        }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &SessionConfig {
        &self.inner.config
    }

    fn now(&self) -> u64 {
        ms((self.inner.clock)())
    }

    fn backend(&self) -> &dyn Backend {
        &*self.inner.store.backend
    }

    /// Runs one store call within the timeout; an outage is audited and
    /// fails closed.
    async fn call<T>(&self, fut: backend::Fut<'_, T>) -> Result<T> {
        let out = if self.backend().waits() {
            match tokio::time::timeout(self.inner.config.store_timeout, fut).await {
                Ok(out) => out,
                Err(_) => Err(Error::unavailable("session store")),
            }
        } else {
            fut.await
        };
        if let Err(e) = &out
            && e.kind() == crate::ErrorKind::Unavailable
        {
            Event::new(EventKind::SysMonitorDisabled)
                .reason(if *e == Error::unavailable(MEMORY_FULL) {
                    "session_store_full"
                } else {
                    "session_store_unreachable"
                })
                .emit();
        }
        out
    }

    /// A new session (or refresh-token family) for `user`, under the cap.
    /// Call it at login: the id is new, whatever the client held before.
    /// Emits `session_created`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an
    /// empty user id or one over [`MAX_USER_BYTES`];
    /// [`ErrorKind::Forbidden`](crate::ErrorKind::Forbidden)
    /// ([`ForbiddenReason::SessionLimit`]) at the cap under
    /// [`CapPolicy::Refuse`]; [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable)
    /// when the store cannot answer.
    pub async fn create(&self, user: &str, new: NewSession) -> Result<Issued> {
        if user.is_empty() {
            return Err(Error::invalid("user", "empty"));
        }
        if user.len() > MAX_USER_BYTES {
            return Err(Error::invalid_limit("user", "too_long", MAX_USER_BYTES));
        }
        let c = &self.inner.config;
        let now = self.now();
        let (text, hash) = token::mint(new.kind)?;
        let mut handle = [0u8; 16];
        crate::random::fill(&mut handle)?;
        let absolute_deadline = now.saturating_add(ms_of(c.absolute));
        let record = Record {
            handle,
            token: hash,
            user: user.to_owned(),
            kind: new.kind,
            created: now,
            last_seen: now,
            idle_deadline: now.saturating_add(ms_of(c.idle)).min(absolute_deadline),
            absolute_deadline,
            label: new.label,
            data: new.data.to_json()?,
        };
        let cap = c.cap.map(|(max, policy)| Cap {
            max,
            evict_oldest: policy == CapPolicy::EvictOldest,
        });
        match self
            .call(self.backend().create(record.clone(), cap, now))
            .await?
        {
            Created::Refused => Err(Error::forbidden_because(
                "session cap reached",
                ForbiddenReason::SessionLimit,
            )),
            Created::Done { evicted } => {
                for old in &evicted {
                    Event::new(EventKind::AuthnTokenRevoked)
                        .user(&old.user)
                        .reason("session_cap_evicted")
                        .emit();
                }
                Event::new(EventKind::SessionCreated)
                    .user(user)
                    .reason(token::context(new.kind))
                    .emit();
                Ok(Issued::new(text, Session::from_record(record)))
            }
        }
    }

    /// Checks a session id (from the cookie) and slides its idle deadline
    /// (written at most once per `renew_after`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind::Unauthenticated):
    /// [`AuthReason::Malformed`] for anything that is not a session id
    /// (a refresh token included), [`AuthReason::Mismatch`] for an unknown,
    /// revoked or rotated one, [`AuthReason::Expired`] past a deadline
    /// (the session is removed; `session_expired` is emitted);
    /// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) when the
    /// store cannot answer.
    pub async fn validate(&self, session_id: &str) -> Result<Session> {
        let hash = token::parse(TokenKind::Session, session_id)?;
        let mut record = match self.call(self.backend().find(hash)).await? {
            Found::Live(r) if r.token.ct_eq(&hash) && r.kind == TokenKind::Session => r,
            _ => return Err(unknown(TokenKind::Session)),
        };
        let now = self.now();
        if record.expired_at(now) {
            self.expire(&record, now).await?;
            return Err(expired(TokenKind::Session));
        }
        let c = &self.inner.config;
        if now.saturating_sub(record.last_seen) >= ms_of(c.renew_after) {
            let idle_deadline = now
                .saturating_add(ms_of(c.idle))
                .min(record.absolute_deadline);
            self.call(
                self.backend()
                    .touch(record.handle, record.token, now, idle_deadline),
            )
            .await?;
            record.last_seen = now;
            record.idle_deadline = idle_deadline;
        }
        Ok(Session::from_record(record))
    }

    async fn expire(&self, record: &Record, now: u64) -> Result<()> {
        self.call(self.backend().remove(record.handle)).await?;
        Self::expired_event(record, now);
        Ok(())
    }

    fn expired_event(record: &Record, now: u64) {
        Event::new(EventKind::SessionExpired)
            .user(&record.user)
            .reason(if now >= record.absolute_deadline {
                "absolute_timeout"
            } else {
                "idle_timeout"
            })
            .emit();
    }

    /// A new id for the session `session_id` names; the old id dies at
    /// once. The user, data, label and absolute deadline carry over. Call
    /// it when the session's privileges change (a role granted, a second
    /// factor passed). Emits `session_renewed`.
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate).
    pub async fn rotate(&self, session_id: &str) -> Result<Issued> {
        self.rotation(TokenKind::Session, session_id).await
    }

    /// Exchanges a refresh token for a new one in the same family (same
    /// user, same absolute deadline); the presented one is retired. Mint
    /// the new access token from the returned [`Session::user`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind::Unauthenticated):
    /// [`AuthReason::Replayed`] for a token already used (outside the grace
    /// period): the whole family is revoked and `authn_token_reuse` is
    /// emitted; otherwise as [`validate`](Self::validate).
    pub async fn refresh(&self, refresh_token: &str) -> Result<Issued> {
        self.rotation(TokenKind::Refresh, refresh_token).await
    }

    async fn rotation(&self, kind: TokenKind, presented: &str) -> Result<Issued> {
        let hash = token::parse(kind, presented)?;
        let (text, new) = token::mint(kind)?;
        let c = &self.inner.config;
        let now = self.now();
        let rotation = Rotation {
            presented: hash,
            new,
            now,
            idle: ms_of(c.idle),
            retire: kind == TokenKind::Refresh,
            grace: if kind == TokenKind::Refresh {
                ms_of(c.grace)
            } else {
                0
            },
        };
        match self.call(self.backend().rotate(rotation)).await? {
            Rotated::Done(record) if record.kind == kind => {
                Event::new(EventKind::SessionRenewed)
                    .user(&record.user)
                    .reason(match kind {
                        TokenKind::Session => "rotated",
                        TokenKind::Refresh => "refreshed",
                    })
                    .emit();
                Ok(Issued::new(text, Session::from_record(record)))
            }
            Rotated::Reused(record) => {
                Event::new(EventKind::AuthnTokenReuse)
                    .user(&record.user)
                    .reason("refresh_token_reused_family_revoked")
                    .emit();
                Err(Error::unauthenticated_audited(
                    token::context(kind),
                    AuthReason::Replayed,
                    "refresh token reused: family revoked",
                ))
            }
            Rotated::Expired(record) => {
                Self::expired_event(&record, now);
                Err(expired(kind))
            }
            Rotated::Done(_) | Rotated::Missing => Err(unknown(kind)),
        }
    }

    /// Logs out: the session (or the refresh token's whole family) named by
    /// `token`, a session id or a refresh token, is removed. `Ok(false)`
    /// when it was already gone. Emits `authn_token_revoked`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind::Unauthenticated)
    /// ([`AuthReason::Malformed`]) for text that is neither kind of token;
    /// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) when the
    /// store cannot answer.
    pub async fn revoke(&self, token: &str) -> Result<bool> {
        let kind = if token.starts_with(TokenKind::Refresh.prefix()) {
            TokenKind::Refresh
        } else {
            TokenKind::Session
        };
        let hash = token::parse(kind, token)?;
        let (handle, user) = match self.call(self.backend().find(hash)).await? {
            Found::Live(r) if r.token.ct_eq(&hash) => (r.handle, Some(r.user)),
            // A used refresh token still names its family: logging out
            // with it ends the family too.
            Found::Retired(h) => (h, None),
            Found::Live(_) | Found::Missing => return Ok(false),
        };
        let removed = self.call(self.backend().remove(handle)).await?;
        if removed {
            let mut e = Event::new(EventKind::AuthnTokenRevoked).reason("logout");
            if let Some(user) = &user {
                e = e.user(user);
            }
            e.emit();
        }
        Ok(removed)
    }

    /// Logs `user` out everywhere: every session and refresh-token family
    /// of theirs is removed, atomically (a request validated after this
    /// returns sees none). Answers how many there were. Emits
    /// `authn_token_revoked` with reason `logout_all`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) when the
    /// store cannot answer.
    pub async fn revoke_all_for_user(&self, user: &str) -> Result<u64> {
        let n = self.call(self.backend().remove_user(user)).await?;
        Event::new(EventKind::AuthnTokenRevoked)
            .user(user)
            .reason("logout_all")
            .emit();
        Ok(n)
    }

    /// The user's live sessions and refresh-token families, oldest first
    /// (for a "your devices" page: [`Session::id_hint`], times, label;
    /// never a token).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) when the
    /// store cannot answer.
    pub async fn list_for_user(&self, user: &str) -> Result<Vec<Session>> {
        let now = self.now();
        let records = self.call(self.backend().list_user(user, now)).await?;
        Ok(records.into_iter().map(Session::from_record).collect())
    }

    /// Replaces the data of `session` (as validated) with `data`.
    /// `Ok(false)` when the session is gone.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for data
    /// over [`SessionData::MAX_BYTES`]; [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable)
    /// when the store cannot answer.
    pub async fn save_data(&self, session: &Session, data: &SessionData) -> Result<bool> {
        let json = data.to_json()?;
        self.call(self.backend().save_data(session.handle(), json))
            .await
    }

    /// Removes every expired session (for a periodic job); how many were
    /// removed. Redis expires keys itself and answers 0.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) when the
    /// store cannot answer.
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = self.now();
        self.call(self.backend().purge(now)).await
    }
}
