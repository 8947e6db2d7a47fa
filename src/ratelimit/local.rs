//! The in-process store: a sharded map of per-key records with a hard
//! bound on the number of keys.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::gcra::{self, Op, Out, Params, Record};
use super::quota::micros;
use super::{Decision, Key, Policy};

/// Number of shards: enough that 64 tasks on a few cores rarely meet on
/// one lock.
const SHARDS: usize = 64;

/// A source of time for the in-process store: microseconds that only go
/// forward. Tests inject a [`ManualClock`].
pub trait Clock: Send + Sync + fmt::Debug {
    /// Time since the clock's own epoch.
    fn now(&self) -> Duration;
}

/// The default clock: monotonic, so a wall-clock step never frees or
/// locks a key.
#[derive(Debug)]
pub struct MonotonicClock {
    start: Instant,
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Duration {
        // One second in, so that a record's zero ("never") is in the past.
        self.start.elapsed().saturating_add(Duration::from_secs(1))
    }
}

/// A clock moved by hand, for tests of code that uses a limiter.
///
/// # Example
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// use seckit::ratelimit::{Key, ManualClock, Policy, Quota};
///
/// let clock = Arc::new(ManualClock::default());
/// let limiter = Policy::new("test", Quota::per_second(1)?)?.clock(clock.clone()).local();
/// let key = Key::account("alice")?;
/// assert!(limiter.check(&key).is_allowed());
/// assert!(!limiter.check(&key).is_allowed());
/// clock.advance(Duration::from_secs(1));
/// assert!(limiter.check(&key).is_allowed());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Debug)]
pub struct ManualClock {
    micros: AtomicU64,
}

impl Default for ManualClock {
    /// Starts at 1 000 s.
    fn default() -> Self {
        Self {
            micros: AtomicU64::new(1_000_000_000),
        }
    }
}

impl ManualClock {
    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.micros.fetch_add(micros(by), Ordering::SeqCst);
    }

    /// Sets the clock (never below its start, 1 ms).
    pub fn set(&self, to: Duration) {
        self.micros.store(micros(to).max(1_000), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_micros(self.micros.load(Ordering::SeqCst))
    }
}

/// Keys are SHA-256 outputs of the caller's parts; the map hashes them
/// with foldhash under a per-process random seed (what hashbrown itself
/// defaults to), which is a third of SipHash's cost on 32 bytes
/// (docs/PERFORMANCE.md). Steering many keys into one bucket would need
/// SHA-256 preimages that collide under an unknown seed.
type Shard = HashMap<[u8; 32], Record, foldhash::fast::RandomState>;

/// A limiter whose state lives in this process: one instance's view.
///
/// At most [`Policy::max_keys`] keys are tracked (default 100 000,
/// spread over 64 shards). When a shard is full, keys whose state has
/// fully decayed are dropped first (forgetting them changes no decision);
/// if none has, the sixteenth of the shard closest to decaying is evicted,
/// so the keys carrying the most debt — the ones being limited — are the
/// last to go. A flood of new keys never grows memory; it can make the
/// limiter forget the keys nearest to their full quota anyway.
///
/// Decisions are synchronous and take one shard lock.
pub struct LocalLimiter {
    policy: Policy,
    params: Params,
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
}

impl fmt::Debug for LocalLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalLimiter")
            .field("policy", &self.policy)
            .field("keys", &self.len())
            .finish_non_exhaustive()
    }
}

impl LocalLimiter {
    pub(crate) fn new(policy: Policy) -> Self {
        let per_shard = policy.max_keys.div_ceil(SHARDS).max(1);
        let shards = (0..SHARDS)
            .map(|_| Mutex::new(HashMap::with_hasher(foldhash::fast::RandomState::default())))
            .collect();
        Self {
            params: policy.params(),
            policy,
            shards,
            per_shard,
        }
    }

    /// The policy.
    #[must_use]
    pub const fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Counts one request for `key` and decides.
    #[must_use = "a decision does nothing unless its verdict is used"]
    pub fn check(&self, key: &Key) -> Decision {
        let out = self.apply(key, Op::Hit);
        self.policy.decision(key, out, None)
    }

    /// Decides for `key` without counting.
    pub fn peek(&self, key: &Key) -> Decision {
        let out = self.apply(key, Op::Peek);
        self.policy.decision_quiet(out, None)
    }

    /// Forgets `key`'s counts and bans (an operator's unban, a login's
    /// success).
    pub fn reset(&self, key: &Key) {
        let _ = self.apply(key, Op::Reset { good_for: 0 });
    }

    /// Tracked keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }

    /// Whether no key is tracked.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every key whose state has decayed (also done on demand when a
    /// shard is full).
    pub fn purge(&self) {
        let now = self.now();
        for shard in &*self.shards {
            lock(shard).retain(|_, r| gcra::ttl(r, now) > 0);
        }
    }

    fn now(&self) -> u64 {
        micros(self.policy.clock.now())
    }

    pub(crate) fn apply(&self, key: &Key, op: Op) -> Out {
        let now = self.now();
        let bytes = key.bytes();
        let index = usize::from(bytes[0]) % SHARDS;
        let Some(shard) = self.shards.get(index) else {
            return Out::default();
        };
        let mut map = lock(shard);
        if let Some(rec) = map.get_mut(bytes) {
            let out = gcra::apply(rec, now, &self.params, op);
            if gcra::ttl(rec, now) == 0 {
                map.remove(bytes);
            }
            return out;
        }
        let mut rec = Record::default();
        let out = gcra::apply(&mut rec, now, &self.params, op);
        if gcra::ttl(&rec, now) > 0 {
            if map.len() >= self.per_shard {
                make_room(&mut map, now);
            }
            map.insert(*bytes, rec);
        }
        out
    }
}

/// Drops decayed records; if none has decayed, the sixteenth of the shard
/// closest to decaying (in one pass, so a flood of new keys costs O(1)
/// amortized per key rather than a scan each).
fn make_room(map: &mut Shard, now: u64) {
    let before = map.len();
    map.retain(|_, r| gcra::ttl(r, now) > 0);
    if map.len() < before {
        return;
    }
    let mut by_ttl: Vec<(u64, [u8; 32])> =
        map.iter().map(|(k, r)| (gcra::ttl(r, now), *k)).collect();
    let evict = (by_ttl.len() / 16).max(1);
    if evict < by_ttl.len() {
        by_ttl.select_nth_unstable(evict);
    }
    for (_, k) in by_ttl.iter().take(evict) {
        map.remove(k);
    }
}

/// A poisoned shard holds records that are each valid on their own: go on.
fn lock(m: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl From<Policy> for LocalLimiter {
    fn from(policy: Policy) -> Self {
        Self::new(policy)
    }
}

pub(crate) fn shared_clock() -> Arc<dyn Clock> {
    Arc::new(MonotonicClock::default())
}
