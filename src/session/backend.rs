//! The one store trait. Every operation that must be atomic (a login under
//! the cap, a rotation, reuse detection, "log out everywhere") is one call,
//! so each store makes it atomic its own way: a mutex, an `IMMEDIATE`
//! SQLite transaction, a Lua script. Times are milliseconds since the Unix
//! epoch from the manager's clock; stores never read a clock of their own.

use std::future::Future;
use std::pin::Pin;

use super::token::{TokenHash, TokenKind};
use crate::Result;

/// A boxed store future.
pub(crate) type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// A session's handle: 16 random bytes naming the session (and a refresh
/// token's family) inside the store. Not a credential.
pub(crate) type Handle = [u8; 16];

/// One session as a store holds it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) handle: Handle,
    /// The hash of the session's current token.
    pub(crate) token: TokenHash,
    pub(crate) user: String,
    pub(crate) kind: TokenKind,
    pub(crate) created: u64,
    pub(crate) last_seen: u64,
    pub(crate) idle_deadline: u64,
    pub(crate) absolute_deadline: u64,
    pub(crate) label: Option<String>,
    /// A JSON object, at most `MAX_DATA_BYTES`.
    pub(crate) data: String,
}

impl Record {
    /// The first instant the session is no longer valid.
    pub(crate) fn deadline(&self) -> u64 {
        self.idle_deadline.min(self.absolute_deadline)
    }

    pub(crate) fn expired_at(&self, now: u64) -> bool {
        now >= self.deadline()
    }
}

/// The per-user cap, as a store applies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cap {
    pub(crate) max: u32,
    pub(crate) evict_oldest: bool,
}

/// What `create` did.
pub(crate) enum Created {
    /// Stored; these sessions were evicted to make room.
    Done { evicted: Vec<Record> },
    /// Not stored: the user is at the cap and the policy refuses.
    Refused,
}

/// What a token hash names.
pub(crate) enum Found {
    /// A session whose current token it is (possibly expired: the manager
    /// judges with its clock).
    Live(Record),
    /// A refresh token already rotated away from this session.
    Retired(Handle),
    Missing,
}

/// A rotation: the session whose current (or, for reuse detection,
/// retired) token is `presented` gets `new`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rotation {
    pub(crate) presented: TokenHash,
    pub(crate) new: TokenHash,
    pub(crate) now: u64,
    /// The new idle deadline is `min(now + idle, absolute deadline)`.
    pub(crate) idle: u64,
    /// Keep the presented token as retired (refresh tokens), so a second
    /// use is detected; session ids are simply dropped.
    pub(crate) retire: bool,
    /// A retired token presented within this many ms of its retirement
    /// rotates again instead of revoking the family (0: never).
    pub(crate) grace: u64,
}

/// What `rotate` did.
pub(crate) enum Rotated {
    /// The session, now under the new token.
    Done(Record),
    /// The presented token was already used: the whole family is gone.
    Reused(Record),
    /// The session had expired; it is gone.
    Expired(Record),
    Missing,
}

/// A session store. Implemented by the memory, SQLite and Redis stores.
pub(crate) trait Backend: Send + Sync + std::fmt::Debug {
    /// Whether a call can wait on something outside the process (and so
    /// needs the manager's timeout). The memory store's futures are ready
    /// when created.
    fn waits(&self) -> bool {
        true
    }

    /// Stores `record`, applying `cap` to its user atomically: expired
    /// sessions do not count; at the cap, refuse or evict the oldest.
    fn create(&self, record: Record, cap: Option<Cap>, now: u64) -> Fut<'_, Created>;
    /// The session whose current token hashes to `hash`.
    fn find(&self, hash: TokenHash) -> Fut<'_, Found>;
    /// Sliding renewal: moves `last_seen` and the idle deadline, if `token`
    /// is still the session's.
    fn touch(&self, handle: Handle, token: TokenHash, now: u64, idle_deadline: u64) -> Fut<'_, ()>;
    /// One atomic rotation (see [`Rotation`]).
    fn rotate(&self, rotation: Rotation) -> Fut<'_, Rotated>;
    /// Removes one session (and its retired tokens). `true` if it existed.
    fn remove(&self, handle: Handle) -> Fut<'_, bool>;
    /// Removes every session of `user`; how many there were.
    fn remove_user<'a>(&'a self, user: &'a str) -> Fut<'a, u64>;
    /// The user's unexpired sessions, oldest first.
    fn list_user<'a>(&'a self, user: &'a str, now: u64) -> Fut<'a, Vec<Record>>;
    /// Replaces a session's data. `true` if it existed.
    fn save_data(&self, handle: Handle, data: String) -> Fut<'_, bool>;
    /// Removes every expired session; how many.
    fn purge(&self, now: u64) -> Fut<'_, u64>;
}
