//! The Redis store: `gcra.lua` run with EVALSHA, one round trip per
//! decision, and the fail mode when Redis cannot answer in time.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::gcra::{Op, Out, Params};
use super::{Decision, FailMode, Key, LocalLimiter, Policy};
use crate::Error;
use crate::Result;
use crate::audit::{Event, EventKind};
use crate::store::Redis;

/// The script; the `redis` crate sends EVALSHA and loads it on NOSCRIPT.
pub(crate) static SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("gcra.lua")));

#[derive(Debug)]
pub(crate) struct SharedLimiter {
    policy: Policy,
    params: Params,
    redis: Redis,
    base: String,
    mode: FailMode,
    fallback: Option<LocalLimiter>,
}

impl SharedLimiter {
    pub(crate) fn new(policy: Policy, redis: &Redis, mode: FailMode) -> Self {
        let fallback = (mode == FailMode::LocalFallback).then(|| LocalLimiter::new(policy.clone()));
        Self {
            params: policy.params(),
            base: redis.key_base("rl", policy.name()),
            policy,
            redis: redis.clone(),
            mode,
            fallback,
        }
    }

    pub(crate) const fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(crate) const fn mode(&self) -> FailMode {
        self.mode
    }

    /// The Redis key of `key`: `prefix:rl:name:` and 43 base64url
    /// characters, whatever the key's parts were.
    pub(crate) fn redis_key(&self, key: &Key) -> String {
        let mut k = String::with_capacity(self.base.len().saturating_add(43));
        k.push_str(&self.base);
        URL_SAFE_NO_PAD.encode_string(key.bytes(), &mut k);
        k
    }

    pub(crate) fn args(&self, op: Op) -> [u64; 10] {
        let p = &self.params;
        let (code, good_for) = match op {
            Op::Hit => (0, 0),
            Op::Peek => (1, 0),
            Op::Reset { good_for } => (2, good_for),
        };
        let (ban, vt, vtau, base, max, forget) = match p.ban {
            None => (0, 1, 0, 0, 0, 0),
            Some(b) => (
                if b.on_exhaustion { 2 } else { 1 },
                b.vt,
                b.vtau,
                b.base,
                b.max,
                b.forget,
            ),
        };
        [code, p.t, p.tau, ban, vt, vtau, base, max, forget, good_for]
    }

    /// One round trip. `Err(())`: Redis did not answer in time.
    pub(crate) async fn apply(&self, key: &Key, op: Op) -> std::result::Result<Out, ()> {
        let v: Vec<u64> = self
            .redis
            .eval(&SCRIPT, &self.redis_key(key), &self.args(op))
            .await
            .ok_or(())?;
        let wire: [u64; 6] = v.try_into().map_err(|_| ())?;
        Ok(Out::from_wire(wire))
    }

    fn event(&self, key: &Key) {
        let mut e = Event::new(EventKind::SysMonitorDisabled)
            .limit(self.policy.name())
            .reason(match self.mode {
                FailMode::Closed => "store_unreachable_closed",
                FailMode::Open => "store_unreachable_open",
                FailMode::LocalFallback => "store_unreachable_local",
            });
        if let Some(ip) = key.client_addr() {
            e = e.source_ip(ip);
        }
        e.emit();
    }

    /// The decision while Redis is unreachable.
    pub(crate) fn degraded(&self, key: &Key, op: Op) -> Decision {
        match &self.fallback {
            Some(local) => {
                self.event(key);
                let out = local.apply(key, op);
                if op == Op::Hit {
                    self.policy.decision(key, out, Some(self.mode))
                } else {
                    self.policy.decision_quiet(out, Some(self.mode))
                }
            }
            None => self.policy.unavailable(key, self.mode),
        }
    }

    /// The raw outcome while Redis is unreachable, for the login guard.
    pub(crate) fn fallback_apply(&self, key: &Key, op: Op) -> Result<Out> {
        self.event(key);
        match (&self.fallback, self.mode) {
            (Some(local), _) => Ok(local.apply(key, op)),
            (None, FailMode::Open) => Ok(Out {
                allowed: true,
                ..Out::default()
            }),
            (None, _) => Err(Error::unavailable("rate limit store")),
        }
    }
}
