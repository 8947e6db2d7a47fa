//! Quotas, bans and lockouts: validated at construction, so a limit that
//! cannot work stops the service at startup.

use std::time::Duration;

use super::gcra::{BanParams, Params};
use crate::{Error, Result};

/// The shortest period a quota may have.
pub const MIN_PERIOD: Duration = Duration::from_millis(1);
/// The longest period a quota, ban or lockout may have (366 days).
pub const MAX_PERIOD: Duration = Duration::from_secs(366 * 24 * 3600);
/// The largest rate or burst.
pub const MAX_COUNT: u32 = 1_000_000;
/// The longest a key's state can take to decay (burst × emission interval):
/// ten years, which keeps every time below 2^53 µs for Redis's Lua.
const MAX_WINDOW_MICROS: u64 = 10 * 366 * 24 * 3600 * 1_000_000;

/// `rate` requests per `period`, with up to `burst` at once.
///
/// The generic cell rate algorithm spaces requests by the emission
/// interval T = period / rate and lets `burst` of them arrive together
/// (the burst tolerance τ = T·(burst − 1)). Unlike a fixed window, no
/// boundary lets twice the limit through: in any interval of length t at
/// most `burst + rate·t/period` requests are allowed. The burst defaults to
/// the rate ("100 per minute" allows 100 at once, then one every 0.6 s).
///
/// T is rounded up to the microsecond, so a quota never admits more than
/// it says (the difference is under 1 µs per request).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use seckit::ratelimit::Quota;
///
/// let q = Quota::per_minute(100)?.with_burst(10)?;
/// assert_eq!((q.rate(), q.period(), q.burst()), (100, Duration::from_secs(60), 10));
/// assert_eq!(q.emission_interval(), Duration::from_millis(600));
///
/// assert!(Quota::per_second(0).is_err()); // a configuration error, at startup
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    rate: u32,
    period: Duration,
    burst: u32,
    t: u64,
}

impl Quota {
    /// `rate` requests per `period`, burst equal to the rate.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) for a
    /// zero rate, a rate above [`MAX_COUNT`], a period outside
    /// [`MIN_PERIOD`]..=[`MAX_PERIOD`], or a rate so high that requests
    /// would be under a microsecond apart.
    pub fn new(rate: u32, period: Duration) -> Result<Self> {
        if rate == 0 {
            return Err(Error::configuration("ratelimit.quota", "rate is zero"));
        }
        if rate > MAX_COUNT {
            return Err(Error::configuration(
                "ratelimit.quota",
                "rate above 1000000",
            ));
        }
        let period_us = check_period("ratelimit.quota", period)?;
        let t = period_us.div_ceil(u64::from(rate));
        if period_us < u64::from(rate) {
            return Err(Error::configuration(
                "ratelimit.quota",
                "requests less than a microsecond apart",
            ));
        }
        Self {
            rate,
            period,
            burst: rate,
            t,
        }
        .checked()
    }

    /// `rate` per second.
    ///
    /// # Errors
    ///
    /// As [`Quota::new`].
    pub fn per_second(rate: u32) -> Result<Self> {
        Self::new(rate, Duration::from_secs(1))
    }

    /// `rate` per minute.
    ///
    /// # Errors
    ///
    /// As [`Quota::new`].
    pub fn per_minute(rate: u32) -> Result<Self> {
        Self::new(rate, Duration::from_secs(60))
    }

    /// `rate` per hour.
    ///
    /// # Errors
    ///
    /// As [`Quota::new`].
    pub fn per_hour(rate: u32) -> Result<Self> {
        Self::new(rate, Duration::from_secs(3600))
    }

    /// Up to `burst` requests at once (1 spaces every request by T).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) for a
    /// zero burst, a burst above [`MAX_COUNT`], or a burst whose window
    /// (burst × T) exceeds ten years.
    pub fn with_burst(self, burst: u32) -> Result<Self> {
        if burst == 0 {
            return Err(Error::configuration("ratelimit.quota", "burst is zero"));
        }
        if burst > MAX_COUNT {
            return Err(Error::configuration(
                "ratelimit.quota",
                "burst above 1000000",
            ));
        }
        Self { burst, ..self }.checked()
    }

    fn checked(self) -> Result<Self> {
        if self.t.saturating_mul(u64::from(self.burst)) > MAX_WINDOW_MICROS {
            return Err(Error::configuration(
                "ratelimit.quota",
                "burst window above ten years",
            ));
        }
        Ok(self)
    }

    /// Requests per period.
    #[must_use]
    pub const fn rate(&self) -> u32 {
        self.rate
    }

    /// The period.
    #[must_use]
    pub const fn period(&self) -> Duration {
        self.period
    }

    /// Requests allowed at once.
    #[must_use]
    pub const fn burst(&self) -> u32 {
        self.burst
    }

    /// T, the spacing of requests at the sustained rate.
    #[must_use]
    pub const fn emission_interval(&self) -> Duration {
        Duration::from_micros(self.t)
    }

    pub(crate) fn params(&self, ban: Option<BanParams>) -> Params {
        Params {
            t: self.t,
            tau: self
                .t
                .saturating_mul(u64::from(self.burst.saturating_sub(1))),
            ban,
        }
    }
}

impl std::fmt::Display for Quota {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} per {}, burst {}",
            self.rate,
            super::human(self.period),
            self.burst
        )
    }
}

fn check_period(setting: &'static str, period: Duration) -> Result<u64> {
    if period < MIN_PERIOD {
        return Err(Error::configuration(setting, "period under a millisecond"));
    }
    if period > MAX_PERIOD {
        return Err(Error::configuration(setting, "period above 366 days"));
    }
    // At most 366 days: fits.
    Ok(u64::try_from(period.as_micros()).unwrap_or(u64::MAX))
}

/// Bans a key that was denied `violations` times within `within`: every
/// request from it is then refused for `ban_for` (doubled for each ban in a
/// row when [`escalating`](Ban::escalating)). The "ban the IP after
/// repeated violations" pattern, in the same store as the limit.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use seckit::ratelimit::Ban;
///
/// // Denied 10 times in 5 minutes: banned for 15 minutes, then 30, 60 (the cap).
/// let ban = Ban::after(10, Duration::from_secs(300), Duration::from_secs(900))?
///     .escalating(Duration::from_secs(3600))?;
/// # let _ = ban;
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ban {
    violations: Quota,
    base: Duration,
    max: Duration,
    forget: Duration,
}

impl Ban {
    /// A ban for `ban_for` after `violations` denials within `within`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) for
    /// zero violations, or periods outside 1 ms..=366 days.
    pub fn after(violations: u32, within: Duration, ban_for: Duration) -> Result<Self> {
        let violations =
            Quota::new(violations, within).map_err(|e| e.for_setting("ratelimit.ban"))?;
        check_period("ratelimit.ban", ban_for)?;
        Ok(Self {
            violations,
            base: ban_for,
            max: ban_for,
            forget: Duration::from_secs(24 * 3600),
        })
    }

    /// Double the ban for each ban in a row, up to `max`. A key's step is
    /// forgotten a day after its last ban ends (see [`Ban::forget_after`]).
    ///
    /// # Errors
    ///
    /// `max` shorter than the first ban or above 366 days.
    pub fn escalating(self, max: Duration) -> Result<Self> {
        check_period("ratelimit.ban", max)?;
        if max < self.base {
            return Err(Error::configuration(
                "ratelimit.ban",
                "escalation cap below the first ban",
            ));
        }
        Ok(Self { max, ..self })
    }

    /// How long after a ban ends its escalation step is remembered.
    ///
    /// # Errors
    ///
    /// A period outside 1 ms..=366 days.
    pub fn forget_after(self, forget: Duration) -> Result<Self> {
        check_period("ratelimit.ban", forget)?;
        Ok(Self { forget, ..self })
    }

    /// The first ban's length.
    #[must_use]
    pub const fn duration(&self) -> Duration {
        self.base
    }

    pub(crate) fn params(&self, on_exhaustion: bool) -> BanParams {
        let v = self.violations.params(None);
        BanParams {
            on_exhaustion,
            vt: v.t,
            vtau: v.tau,
            base: micros(self.base),
            max: micros(self.max),
            forget: micros(self.forget),
        }
    }
}

/// Login lockout: after `failures` per period (a [`Quota`] that counts
/// failures), a lock of `cool_off`, doubled for each further failure after
/// a lock ends, up to `max`; forgotten a day after the last lock.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use seckit::ratelimit::{Lockout, Quota};
///
/// // OWASP-style: 5 failures per 15 minutes, then 1 min, 2, 4, … at most 1 h.
/// let lockout = Lockout::new(Quota::new(5, Duration::from_secs(900))?, Duration::from_secs(60), Duration::from_secs(3600))?;
/// assert_eq!(lockout, Lockout::default());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lockout {
    failures: Quota,
    cool_off: Duration,
    max: Duration,
}

impl Default for Lockout {
    /// 5 failures per 15 minutes; cool-off 1 minute, doubling, at most 1
    /// hour.
    fn default() -> Self {
        Self {
            failures: Quota {
                rate: 5,
                period: Duration::from_secs(900),
                burst: 5,
                t: 180_000_000,
            },
            cool_off: Duration::from_secs(60),
            max: Duration::from_secs(3600),
        }
    }
}

impl Lockout {
    /// `failures` per period, then `cool_off` doubling up to `max`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration): a
    /// cool-off outside 1 ms..=366 days or a cap below it.
    pub fn new(failures: Quota, cool_off: Duration, max: Duration) -> Result<Self> {
        check_period("ratelimit.lockout", cool_off)?;
        check_period("ratelimit.lockout", max)?;
        if max < cool_off {
            return Err(Error::configuration(
                "ratelimit.lockout",
                "cap below the cool-off",
            ));
        }
        Ok(Self {
            failures,
            cool_off,
            max,
        })
    }

    /// The failure quota.
    #[must_use]
    pub const fn failures(&self) -> Quota {
        self.failures
    }

    /// The first lock.
    #[must_use]
    pub const fn cool_off(&self) -> Duration {
        self.cool_off
    }

    /// The longest lock.
    #[must_use]
    pub const fn max(&self) -> Duration {
        self.max
    }

    pub(crate) fn as_ban(&self) -> Ban {
        Ban {
            violations: self.failures,
            base: self.cool_off,
            max: self.max,
            forget: Duration::from_secs(24 * 3600),
        }
    }
}

/// Whole microseconds, saturating; in u64 arithmetic (this runs on every
/// decision: `Duration::as_micros` divides in u128).
pub(crate) fn micros(d: Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1_000_000)
        .saturating_add(u64::from(d.subsec_micros()))
}
