//! The one algorithm, as a pure function over one key's record. The memory
//! store runs it under a shard lock; `redis.lua` is the same function line
//! for line, run inside Redis with Redis's clock. The conformance tests
//! (tests/ratelimit.rs, tests/ratelimit_redis.rs) hold the two together.
//!
//! All times are whole microseconds; every value stays below 2^53, so Lua's
//! doubles hold them exactly.

/// A key's state. Zero means "never" for every field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Record {
    /// Theoretical arrival time of the next conforming request.
    pub(crate) tat: u64,
    /// The same, for the violations that lead to a ban.
    pub(crate) vtat: u64,
    /// Banned or locked until.
    pub(crate) until: u64,
    /// How many bans in a row (the escalation step).
    pub(crate) level: u64,
    /// When `level` is forgotten.
    pub(crate) level_until: u64,
    /// Known good (a login succeeded from here) until.
    pub(crate) good_until: u64,
}

/// A quota and its ban rule in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Params {
    /// Emission interval T.
    pub(crate) t: u64,
    /// Burst tolerance τ = T·(burst − 1).
    pub(crate) tau: u64,
    pub(crate) ban: Option<BanParams>,
}

/// When and for how long a key is banned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BanParams {
    /// `true`: ban as soon as the quota is used up (a login lock: the
    /// quota counts failures). `false`: ban after the violation quota
    /// (`vt`, `vtau`) is used up by denied requests.
    pub(crate) on_exhaustion: bool,
    pub(crate) vt: u64,
    pub(crate) vtau: u64,
    /// First ban; each ban in a row doubles it, up to `max`.
    pub(crate) base: u64,
    pub(crate) max: u64,
    /// How long the escalation step is remembered after a ban.
    pub(crate) forget: u64,
}

/// What to do with the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Count one request (or one failure) and decide.
    Hit,
    /// Decide without counting.
    Peek,
    /// Forget the key's counts and bans; with `good_for > 0`, remember it
    /// as known good for that long.
    Reset { good_for: u64 },
}

/// The decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Out {
    pub(crate) allowed: bool,
    /// A ban or lock is in force after this call.
    pub(crate) banned: bool,
    pub(crate) remaining: u64,
    /// Until a request can be allowed (0 when allowed and not banned).
    pub(crate) retry_after: u64,
    /// Until the key's quota is whole again.
    pub(crate) reset_after: u64,
    pub(crate) good: bool,
}

impl Out {
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn from_wire(v: [u64; 6]) -> Self {
        let [allowed, banned, remaining, retry_after, reset_after, good] = v;
        Self {
            allowed: allowed == 1,
            banned: banned == 1,
            remaining,
            retry_after,
            reset_after,
            good: good == 1,
        }
    }
}

/// Applies `op` at `now` to `rec`, as `redis.lua` does.
pub(crate) fn apply(rec: &mut Record, now: u64, p: &Params, op: Op) -> Out {
    let good = rec.good_until > now;
    let level = if rec.level_until > now { rec.level } else { 0 };
    match op {
        Op::Reset { good_for } => {
            let good_until = if good_for > 0 {
                rec.good_until.max(now.saturating_add(good_for))
            } else {
                rec.good_until
            };
            *rec = Record {
                good_until,
                ..Record::default()
            };
            return Out {
                allowed: true,
                remaining: burst_remaining(now, now, p),
                good: good_until > now,
                ..Out::default()
            };
        }
        Op::Peek | Op::Hit => {}
    }
    if rec.until > now {
        return Out {
            allowed: false,
            banned: true,
            remaining: 0,
            retry_after: rec.until.saturating_sub(now),
            reset_after: rec.until.max(rec.tat).saturating_sub(now),
            good,
        };
    }
    let tat = rec.tat.max(now);
    let conforms = tat <= now.saturating_add(p.tau);
    let lock_only = p.ban.is_some_and(|b| b.on_exhaustion);
    if op == Op::Peek {
        // A login lock is the lock alone: once it is over, one more try.
        if conforms || lock_only {
            return Out {
                allowed: true,
                remaining: burst_remaining(tat, now, p),
                reset_after: tat.saturating_sub(now),
                good,
                ..Out::default()
            };
        }
        return denied(tat, now, p, good);
    }
    if !conforms {
        let mut out = denied(tat, now, p, good);
        if let Some(ban) = p.ban {
            let strike_out = ban.on_exhaustion || strike(rec, now, &ban);
            if strike_out {
                out = impose(rec, now, &ban, level, out);
            }
        }
        return out;
    }
    let new_tat = tat.saturating_add(p.t);
    rec.tat = new_tat;
    // Requests still allowed right now: floor((now + τ − tat) / T).
    let remaining = now
        .saturating_add(p.tau)
        .saturating_sub(tat)
        .checked_div(p.t)
        .unwrap_or(0);
    let out = Out {
        allowed: true,
        banned: false,
        remaining,
        retry_after: 0,
        reset_after: new_tat.saturating_sub(now),
        good,
    };
    match p.ban {
        Some(ban) if ban.on_exhaustion && remaining == 0 => impose(rec, now, &ban, level, out),
        _ => out,
    }
}

fn denied(tat: u64, now: u64, p: &Params, good: bool) -> Out {
    Out {
        allowed: false,
        banned: false,
        remaining: 0,
        retry_after: tat.saturating_sub(p.tau).saturating_sub(now),
        reset_after: tat.saturating_sub(now),
        good,
    }
}

/// Remaining requests before counting one, for a key whose TAT is `tat`.
fn burst_remaining(tat: u64, now: u64, p: &Params) -> u64 {
    now.saturating_add(p.tau)
        .saturating_add(p.t)
        .saturating_sub(tat)
        .checked_div(p.t)
        .unwrap_or(0)
}

/// Counts one violation; `true` when that used up the violation quota.
fn strike(rec: &mut Record, now: u64, ban: &BanParams) -> bool {
    let vtat = rec.vtat.max(now);
    if vtat > now.saturating_add(ban.vtau) {
        return true;
    }
    rec.vtat = vtat.saturating_add(ban.vt);
    now.saturating_add(ban.vtau)
        .saturating_sub(vtat)
        .checked_div(ban.vt)
        .unwrap_or(0)
        == 0
}

/// Bans the key for `base · 2^level` (at most `max`); the request that
/// caused it keeps its own verdict.
fn impose(rec: &mut Record, now: u64, ban: &BanParams, level: u64, out: Out) -> Out {
    let factor = 1u64
        .checked_shl(u32::try_from(level.min(32)).unwrap_or(32))
        .unwrap_or(u64::MAX);
    let duration = ban.base.saturating_mul(factor).min(ban.max);
    rec.until = now.saturating_add(duration);
    rec.level = level.saturating_add(1);
    rec.level_until = now.saturating_add(duration).saturating_add(ban.forget);
    Out {
        banned: true,
        remaining: 0,
        retry_after: duration,
        reset_after: out.reset_after.max(duration),
        ..out
    }
}

/// How long the record must be kept: until every field has lapsed. Zero:
/// nothing to keep.
pub(crate) fn ttl(rec: &Record, now: u64) -> u64 {
    [
        rec.tat,
        rec.vtat,
        rec.until,
        rec.level_until,
        rec.good_until,
    ]
    .into_iter()
    .max()
    .unwrap_or(0)
    .saturating_sub(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000;

    fn p(t: u64, burst: u64) -> Params {
        Params {
            t,
            tau: t * (burst - 1),
            ban: None,
        }
    }

    #[test]
    fn a_burst_then_the_rate() {
        let p = p(S, 3);
        let mut r = Record::default();
        let now = 100 * S;
        let outs: Vec<_> = (0..4).map(|_| apply(&mut r, now, &p, Op::Hit)).collect();
        assert_eq!(
            outs.iter().map(|o| o.remaining).collect::<Vec<_>>(),
            [2, 1, 0, 0]
        );
        assert!(!outs[3].allowed);
        assert_eq!(outs[3].retry_after, S);
        assert_eq!(outs[2].reset_after, 3 * S);
        assert!(apply(&mut r, now + S, &p, Op::Hit).allowed);
        assert!(!apply(&mut r, now + S, &p, Op::Hit).allowed);
        assert_eq!(ttl(&r, now + S), 3 * S);
        assert_eq!(ttl(&r, now + 5 * S), 0);
    }

    #[test]
    fn exact_rate_with_burst_one_is_never_denied() {
        let p = p(S / 10, 1);
        let mut r = Record::default();
        for i in 0..1000 {
            assert!(apply(&mut r, 5 * S + i * (S / 10), &p, Op::Hit).allowed);
        }
        assert!(!apply(&mut r, 5 * S + 1000 * (S / 10) - 1, &p, Op::Hit).allowed);
    }

    #[test]
    fn a_lock_doubles_and_is_forgotten() {
        let mut p = p(180 * S, 5);
        p.ban = Some(BanParams {
            on_exhaustion: true,
            vt: 1,
            vtau: 0,
            base: 60 * S,
            max: 240 * S,
            forget: 3600 * S,
        });
        let mut r = Record::default();
        let mut now = 10 * S;
        for i in 0..5 {
            let o = apply(&mut r, now, &p, Op::Hit);
            assert!(o.allowed && o.banned == (i == 4), "{i}: {o:?}");
        }
        assert_eq!(apply(&mut r, now, &p, Op::Peek).retry_after, 60 * S);
        for expected in [120, 240, 240] {
            now = r.until;
            assert!(apply(&mut r, now, &p, Op::Peek).allowed);
            // The failure is counted, and the lock comes back, longer.
            let o = apply(&mut r, now, &p, Op::Hit);
            assert!(o.banned);
            assert_eq!(o.retry_after, expected * S);
        }
        now = r.level_until;
        let o = apply(&mut r, now + 2000 * S, &p, Op::Hit);
        assert!(o.allowed && !o.banned);
    }

    #[test]
    fn reset_remembers_good() {
        let p = p(S, 1);
        let mut r = Record::default();
        apply(&mut r, S, &p, Op::Hit);
        let o = apply(&mut r, S, &p, Op::Reset { good_for: 10 * S });
        assert!(o.good && o.allowed);
        assert!(apply(&mut r, S, &p, Op::Hit).good);
        assert_eq!(ttl(&r, S), 10 * S);
    }
}
