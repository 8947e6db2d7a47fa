//! Fitting Argon2id parameters to a time budget on this machine.

use std::time::{Duration, Instant};

use argon2::{Algorithm, Params, Version};

use super::engine;
use super::params::{Argon2Params, VerifyLimits};
use crate::{Error, Result};

/// What [`calibrate`] found.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use seckit::password::{PasswordHasher, calibrate};
///
/// let found = calibrate(Duration::from_millis(50))?;
/// println!("m={} KiB t={} took {:?}", found.params.m_kib(), found.params.t(), found.measured);
/// let hasher = PasswordHasher::builder().argon2id(found.params).build()?;
/// # let _ = hasher;
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Calibration {
    /// The parameters to use (never below [`Argon2Params::OWASP`]).
    pub params: Argon2Params,
    /// How long one hash took with them, measured here.
    pub measured: Duration,
}

/// Finds Argon2id parameters that hash in about `target` on this machine
/// (aiming within ±25%), never below the OWASP floor and never above the
/// default [`VerifyLimits`] (so the result always builds a hasher).
///
/// Memory is raised first (it is what makes GPU attacks expensive), up to the
/// 256 MiB verify limit; passes after that. When even the floor takes longer
/// than `target`, the floor is returned with its (longer) measured time.
/// Lanes stay at 1: on a busy server every core already serves a request.
///
/// This runs a handful of real hashes, so it takes a few times `target`.
/// Run it once at deployment (`seckit password calibrate`) and configure the
/// result; do not call it at every startup, or parameters drift with load.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind) for a target under 1 ms or
/// over 10 s; [`ErrorKind::Internal`](crate::ErrorKind) if hashing fails.
///
/// # Example
///
/// ```no_run
/// let found = seckit::password::calibrate(std::time::Duration::from_millis(250))?;
/// println!("use m={} t={} ({:?})", found.params.m_kib(), found.params.t(), found.measured);
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn calibrate(target: Duration) -> Result<Calibration> {
    if target < Duration::from_millis(1) || target > Duration::from_secs(10) {
        return Err(Error::invalid("target", "out_of_range"));
    }
    let limits = VerifyLimits::default();
    let floor = Argon2Params::OWASP;
    let distance = |d: Duration| (d.as_secs_f64() / target.as_secs_f64()).ln().abs();
    let mut params = floor;
    let mut measured = time_hash(params)?;
    let mut best = Calibration { params, measured };
    for _ in 0..8 {
        let ratio = target.as_secs_f64() / measured.as_secs_f64().max(1e-6);
        if (0.9..=1.1).contains(&ratio) || (ratio < 1.0 && params == floor) {
            break;
        }
        let next = scale(params, ratio, &limits, floor)?;
        if next == params {
            break; // pinned at a bound
        }
        params = next;
        measured = time_hash(params)?;
        if distance(measured) < distance(best.measured) {
            best = Calibration { params, measured };
        }
    }
    // Calibration grew this thread's buffer as far as it went; give it back.
    engine::release();
    Ok(best)
}

/// Scales the work (m × t) by `ratio`, memory first.
fn scale(
    p: Argon2Params,
    ratio: f64,
    limits: &VerifyLimits,
    floor: Argon2Params,
) -> Result<Argon2Params> {
    let work = f64::from(p.m_kib()) * f64::from(p.t()) * ratio;
    let max_m = f64::from(limits.max_m_kib);
    let (m, t) = if work <= max_m * f64::from(floor.t()) {
        (work / f64::from(floor.t()), floor.t())
    } else {
        let t = (work / max_m).ceil().min(f64::from(limits.max_t));
        (work / t, to_u32(t))
    };
    let m = to_u32(m.clamp(f64::from(floor.m_kib()), max_m));
    Argon2Params::new(m, t.max(floor.t()), 1)
}

/// Saturating float-to-integer conversion without `as`.
fn to_u32(x: f64) -> u32 {
    // `format!` + parse is clumsy but exact and panic-free; this runs a few
    // times per calibration, next to hashes that take milliseconds.
    format!("{:.0}", x.clamp(0.0, f64::from(u32::MAX)))
        .parse()
        .unwrap_or(u32::MAX)
}

/// The fastest of two hashes with `p` (the first may pay page faults).
fn time_hash(p: Argon2Params) -> Result<Duration> {
    let params = Params::new(p.m_kib(), p.t(), p.p(), Some(32))
        .map_err(|_| Error::internal("argon2 params"))?;
    let argon = engine::argon2(Algorithm::Argon2id, Version::V0x13, params, None)?;
    let mut best = Duration::MAX;
    let mut out = [0u8; 32];
    for _ in 0..2 {
        let start = Instant::now();
        engine::argon2_into(
            &argon,
            b"calibration password",
            b"calibration salt",
            &mut out,
            usize::MAX,
        )?;
        best = best.min(start.elapsed());
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_raises_memory_first_and_respects_bounds() {
        let limits = VerifyLimits::default();
        let floor = Argon2Params::OWASP;
        let doubled = scale(floor, 2.0, &limits, floor).unwrap();
        assert_eq!((doubled.m_kib(), doubled.t()), (38912, 2));
        let capped = scale(floor, 100.0, &limits, floor).unwrap();
        assert_eq!(capped.m_kib(), limits.max_m_kib.min(capped.m_kib()));
        assert!(capped.t() > 2 && capped.t() <= limits.max_t);
        let below = scale(floor, 0.1, &limits, floor).unwrap();
        assert_eq!(below, floor);
        assert_eq!(to_u32(-1.0), 0);
        assert_eq!(to_u32(1e30), u32::MAX);
        assert_eq!(to_u32(2.6), 3);
    }

    #[test]
    fn tiny_target_returns_the_floor() {
        let c = calibrate(Duration::from_millis(1)).unwrap();
        assert_eq!(c.params, Argon2Params::OWASP);
        assert!(c.measured > Duration::ZERO);
        assert!(calibrate(Duration::ZERO).is_err());
        assert!(calibrate(Duration::from_secs(11)).is_err());
    }
}
