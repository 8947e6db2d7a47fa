//! Login protection: three failure limits with an exponential cool-off,
//! arranged so a password spray is slowed and its victim is not locked out.

use std::time::Duration;

#[cfg(feature = "redis")]
use super::FailMode;
use super::gcra::{Op, Out};
use super::quota::micros;
use super::{Key, Lockout, Policy, Quota, RateLimiter};
use crate::audit::{Event, EventKind};
use crate::net::ClientIp;
use crate::{Error, Result};

/// The three limits of a [`LoginGuard`] and how long a successful address
/// stays known good.
///
/// - `account` (default 5 failures per 15 min, then 1 min, doubling, at
///   most 1 h): failures against one account from anywhere. It does not
///   apply to an address that logged in to the account successfully within
///   `known_good_for`, so an attacker cannot lock the owner out from
///   elsewhere.
/// - `account_ip` (same default): failures against one account from one
///   address, known good or not: the owner's own address is slowed too if
///   it starts guessing.
/// - `ip` (default 20 failures per 15 min, then 1 min, doubling, at most
///   1 h): failures from one address (IPv6 by /64) against any account, so
///   one client cannot spray many accounts.
/// - `known_good_for` (default 30 days).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginPolicy {
    /// Failures per account, from addresses not known good.
    pub account: Lockout,
    /// Failures per (account, address).
    pub account_ip: Lockout,
    /// Failures per address.
    pub ip: Lockout,
    /// How long an address that logged in stays known good for that
    /// account.
    pub known_good_for: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        let d = Lockout::default();
        // Valid constants: the fallback is never taken.
        let ip = Quota::new(20, Duration::from_secs(900))
            .and_then(|q| Lockout::new(q, d.cool_off(), d.max()))
            .unwrap_or(d);
        Self {
            account: d,
            account_ip: d,
            ip,
            known_good_for: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

impl LoginPolicy {
    /// The default policy with `max_failures` per 15 minutes per account
    /// and per (account, address) — `LOGIN_MAX_FAILURES`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) for
    /// zero or more than 1000.
    pub fn with_max_failures(max_failures: u32) -> Result<Self> {
        if max_failures == 0 || max_failures > 1000 {
            return Err(Error::configuration(
                "LOGIN_MAX_FAILURES",
                "outside 1..=1000",
            ));
        }
        let d = Lockout::default();
        let l = Lockout::new(
            Quota::new(max_failures, Duration::from_secs(900))?,
            d.cool_off(),
            d.max(),
        )?;
        Ok(Self {
            account: l,
            account_ip: l,
            ..Self::default()
        })
    }
}

/// Login protection before the password is checked, and bookkeeping after.
///
/// Call [`LoginGuard::check`] *before* hashing anything (a locked login
/// costs no Argon2 run), then [`LoginGuard::failed`] or
/// [`LoginGuard::succeeded`] with the attempt it returned. A success
/// forgets that address's failures for the account and marks the address
/// known good; it does not lift an account lock for other addresses.
///
/// docs/ratelimit.md sets this policy against OWASP's authentication cheat
/// sheet.
///
/// # Example
///
/// ```
/// # tokio_test_block_on(async {
/// use seckit::net::ClientIp;
/// use seckit::ratelimit::{LoginGuard, LoginPolicy};
///
/// let clock = std::sync::Arc::new(seckit::ratelimit::ManualClock::default());
/// let guard = LoginGuard::local_with_clock(LoginPolicy::with_max_failures(3)?, clock)?;
/// let attacker = ClientIp::from_peer("198.51.100.66".parse().unwrap());
/// for _ in 0..3 {
///     let attempt = guard.check("alice", attacker).await?; // before hashing
///     guard.failed(attempt).await?;                        // wrong password
/// }
/// let locked = guard.check("alice", attacker).await.unwrap_err();
/// assert_eq!(locked.retry_after(), Some(std::time::Duration::from_secs(60)));
/// # Ok::<(), seckit::Error>(()) })?;
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let waker = std::task::Waker::noop();
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut std::task::Context::from_waker(&waker)) { return v; } }
/// # }
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LoginGuard {
    account: RateLimiter,
    account_ip: RateLimiter,
    ip: RateLimiter,
    policy: LoginPolicy,
}

/// One login attempt that passed [`LoginGuard::check`]: give it back to
/// [`LoginGuard::failed`] or [`LoginGuard::succeeded`].
#[derive(Debug)]
#[must_use = "report the attempt's outcome with LoginGuard::failed or ::succeeded"]
pub struct LoginAttempt {
    account: Key,
    account_ip: Key,
    ip: Key,
    addr: ClientIp,
}

impl LoginGuard {
    fn policies(policy: &LoginPolicy) -> Result<[Policy; 3]> {
        Ok([
            Policy::lockout("login-account", policy.account)?,
            Policy::lockout("login-account-ip", policy.account_ip)?,
            Policy::lockout("login-ip", policy.ip)?,
        ])
    }

    /// A guard whose state lives in this process.
    ///
    /// # Errors
    ///
    /// None in practice (the policy is already validated); kept for
    /// symmetry with the shared store.
    pub fn local(policy: LoginPolicy) -> Result<Self> {
        let [a, ai, i] = Self::policies(&policy)?;
        Ok(Self {
            account: a.local().into(),
            account_ip: ai.local().into(),
            ip: i.local().into(),
            policy,
        })
    }

    /// As [`LoginGuard::local`], with a clock for tests.
    ///
    /// # Errors
    ///
    /// As [`LoginGuard::local`].
    pub fn local_with_clock(
        policy: LoginPolicy,
        clock: std::sync::Arc<dyn super::Clock>,
    ) -> Result<Self> {
        let [a, ai, i] = Self::policies(&policy)?;
        Ok(Self {
            account: a.clock(clock.clone()).local().into(),
            account_ip: ai.clock(clock.clone()).local().into(),
            ip: i.clock(clock).local().into(),
            policy,
        })
    }

    /// A guard shared by every instance through `redis`.
    ///
    /// # Errors
    ///
    /// As [`LoginGuard::local`].
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn shared(
        policy: LoginPolicy,
        redis: &crate::store::Redis,
        mode: FailMode,
    ) -> Result<Self> {
        let [a, ai, i] = Self::policies(&policy)?;
        Ok(Self {
            account: a.shared(redis, mode),
            account_ip: ai.shared(redis, mode),
            ip: i.shared(redis, mode),
            policy,
        })
    }

    /// The policy.
    #[must_use]
    pub const fn policy(&self) -> &LoginPolicy {
        &self.policy
    }

    /// Where the state lives (`in process`, `redis (fail mode closed)`).
    #[must_use]
    pub fn store_description(&self) -> String {
        self.account.store_description()
    }

    /// Whether a login for `account` from `ip` may be tried now. Call it
    /// before hashing the password.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited) with the
    /// time left when a lock applies;
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an
    /// account name over [`MAX_KEY_PART`](super::MAX_KEY_PART) bytes;
    /// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) when the
    /// shared store is down and the fail mode is closed.
    pub async fn check(&self, account: &str, ip: ClientIp) -> Result<LoginAttempt> {
        let attempt = LoginAttempt {
            account: Key::builder().account(account)?.build(),
            account_ip: Key::builder().account(account)?.ip(ip).build(),
            ip: Key::ip(ip),
            addr: ip,
        };
        let pair = self.account_ip.apply(&attempt.account_ip, Op::Peek).await?;
        refuse(&self.account_ip, &pair, ip)?;
        let by_ip = self.ip.apply(&attempt.ip, Op::Peek).await?;
        refuse(&self.ip, &by_ip, ip)?;
        if !pair.good {
            let by_account = self.account.apply(&attempt.account, Op::Peek).await?;
            refuse(&self.account, &by_account, ip)?;
        }
        Ok(attempt)
    }

    /// The password was wrong: counts one failure against each limit, and
    /// locks the ones that are used up (each lock emits
    /// `authn_login_lock`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unavailable`](crate::ErrorKind::Unavailable) when the
    /// shared store is down and the fail mode is closed.
    pub async fn failed(&self, attempt: LoginAttempt) -> Result<()> {
        for (limiter, key) in [
            (&self.account_ip, &attempt.account_ip),
            (&self.ip, &attempt.ip),
            (&self.account, &attempt.account),
        ] {
            let out = limiter.apply(key, Op::Hit).await?;
            if out.banned {
                Event::new(EventKind::AuthnLoginLock)
                    .limit(limiter.policy().name())
                    .reason("locked")
                    .source_ip(attempt.addr.addr())
                    .emit();
            }
        }
        Ok(())
    }

    /// The password was right: forgets this address's failures for the
    /// account and remembers the address as known good.
    ///
    /// # Errors
    ///
    /// As [`LoginGuard::failed`].
    pub async fn succeeded(&self, attempt: LoginAttempt) -> Result<()> {
        self.account_ip
            .apply(
                &attempt.account_ip,
                Op::Reset {
                    good_for: micros(self.policy.known_good_for),
                },
            )
            .await
            .map(|_| ())
    }
}

fn refuse(limiter: &RateLimiter, out: &Out, ip: ClientIp) -> Result<()> {
    if out.allowed && !out.banned {
        return Ok(());
    }
    Event::new(EventKind::ExcessRateLimitExceeded)
        .limit(limiter.policy().name())
        .reason("locked")
        .source_ip(ip.addr())
        .emit();
    Err(Error::rate_limited_audited(
        "login attempts",
        Duration::from_micros(out.retry_after.max(1)),
    ))
}
