//! Cost parameters: what new hashes use (with a floor) and what stored
//! hashes may demand (with a ceiling).

use crate::{Error, Result};

/// Argon2id cost parameters for *new* hashes.
///
/// Construction refuses anything weaker than the OWASP Password Storage
/// Cheat Sheet's minimum: one of its equivalent configurations
/// (m = 47104 KiB, t = 1), (19456, 2), (12288, 3), (9216, 4) or (7168, 5), or
/// more memory or passes than one of them. Verification of *stored* hashes is
/// not bound by this floor (see [`VerifyLimits`]); they are upgraded instead.
///
/// # Example
///
/// ```
/// use seckit::password::Argon2Params;
///
/// let p = Argon2Params::new(65536, 3, 4)?; // RFC 9106's second recommendation
/// assert_eq!(p, Argon2Params::RFC9106_LOW_MEMORY);
/// assert!(Argon2Params::new(4096, 1, 1).is_err()); // under the floor
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Argon2Params {
    m_kib: u32,
    t: u32,
    p: u32,
}

/// OWASP's equivalent minimum configurations, `(m KiB, t)`, all with p = 1.
const OWASP_FLOOR: [(u32, u32); 5] = [(47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5)];

/// The largest lane count accepted (Argon2 allows 2^24 - 1; nobody needs it).
pub const MAX_LANES: u32 = 64;

impl Argon2Params {
    /// OWASP Password Storage Cheat Sheet: m = 19456 KiB (19 MiB), t = 2,
    /// p = 1. The default.
    pub const OWASP: Self = Self {
        m_kib: 19456,
        t: 2,
        p: 1,
    };

    /// RFC 9106 §4, second recommended option ("if much less memory is
    /// available"): m = 65536 KiB (64 MiB), t = 3, p = 4.
    pub const RFC9106_LOW_MEMORY: Self = Self {
        m_kib: 65536,
        t: 3,
        p: 4,
    };

    /// Custom parameters: `m_kib` KiB of memory, `t` passes, `p` lanes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when the parameters are
    /// below the OWASP floor, when `p` is 0 or over [`MAX_LANES`], or when
    /// `m_kib` is under `8 × p` (Argon2's own minimum).
    pub fn new(m_kib: u32, t: u32, p: u32) -> Result<Self> {
        let setting = "password.argon2_params";
        if p == 0 || p > MAX_LANES {
            return Err(Error::configuration(setting, "lanes (p) must be 1 to 64"));
        }
        if u64::from(m_kib) < 8 * u64::from(p) {
            return Err(Error::configuration(
                setting,
                "memory (m) must be at least 8 KiB per lane",
            ));
        }
        if !OWASP_FLOOR.iter().any(|&(fm, ft)| m_kib >= fm && t >= ft) {
            return Err(Error::configuration(
                setting,
                "below the OWASP minimum (m=19456 KiB with t=2, or an equivalent)",
            )
            .with_hint("use Argon2Params::OWASP, or password::calibrate to fit this machine"));
        }
        Ok(Self { m_kib, t, p })
    }

    /// Memory in KiB.
    #[must_use]
    pub const fn m_kib(&self) -> u32 {
        self.m_kib
    }

    /// Passes over memory.
    #[must_use]
    pub const fn t(&self) -> u32 {
        self.t
    }

    /// Lanes (parallelism).
    #[must_use]
    pub const fn p(&self) -> u32 {
        self.p
    }
}

impl Default for Argon2Params {
    fn default() -> Self {
        Self::OWASP
    }
}

/// bcrypt cost for new hashes when none is given.
pub const BCRYPT_DEFAULT_COST: u32 = 12;

/// The lowest bcrypt cost accepted for new hashes.
pub const BCRYPT_MIN_COST: u32 = 10;

/// bcrypt hashes at most this many bytes of a password.
pub const BCRYPT_MAX_PASSWORD_BYTES: usize = 72;

/// The most any *stored* hash may demand of a verification.
///
/// A stored hash names its own cost. Without a ceiling, a tampered or corrupt
/// database row (`m=4194304`, `t=1000000`, bcrypt cost 31) turns one login
/// into minutes of CPU or gigabytes of memory. Hashes over these limits are
/// refused as [`ErrorKind::InvalidInput`](crate::ErrorKind) before any work
/// or allocation.
///
/// The defaults allow about two seconds of work on a current server core:
///
/// | limit | default |
/// |---|---|
/// | Argon2 memory | 262144 KiB (256 MiB) |
/// | Argon2 passes | 10 |
/// | Argon2 lanes | 16 |
/// | bcrypt cost | 15 |
///
/// # Example
///
/// ```
/// use seckit::password::VerifyLimits;
///
/// let mut limits = VerifyLimits::default();
/// limits.max_m_kib = 1 << 20; // this service really did use 1 GiB hashes
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyLimits {
    /// Largest Argon2 memory cost, in KiB.
    pub max_m_kib: u32,
    /// Largest Argon2 pass count.
    pub max_t: u32,
    /// Largest Argon2 lane count.
    pub max_p: u32,
    /// Largest bcrypt cost.
    pub max_bcrypt_cost: u32,
}

impl Default for VerifyLimits {
    fn default() -> Self {
        Self {
            max_m_kib: 262_144,
            max_t: 10,
            max_p: 16,
            max_bcrypt_cost: 15,
        }
    }
}

impl VerifyLimits {
    /// Whether new hashes made with `params` would verify under these limits.
    pub(crate) const fn admit(&self, params: &Argon2Params) -> bool {
        params.m_kib <= self.max_m_kib && params.t <= self.max_t && params.p <= self.max_p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn presets_pass_their_own_checks() {
        for p in [Argon2Params::OWASP, Argon2Params::RFC9106_LOW_MEMORY] {
            assert_eq!(Argon2Params::new(p.m_kib(), p.t(), p.p()).unwrap(), p);
        }
        assert_eq!(Argon2Params::default(), Argon2Params::OWASP);
    }

    #[test]
    fn owasp_equivalents_are_accepted_and_anything_weaker_refused() {
        for (m, t) in OWASP_FLOOR {
            assert!(Argon2Params::new(m, t, 1).is_ok(), "{m} {t}");
            let weaker_m = Argon2Params::new(m - 1, t, 1).unwrap_err();
            assert_eq!(weaker_m.kind(), ErrorKind::Configuration);
            if t > 1 {
                // (m, t - 1) may still match another row; check against the table.
                let ok = OWASP_FLOOR.iter().any(|&(fm, ft)| m >= fm && t > ft);
                assert_eq!(Argon2Params::new(m, t - 1, 1).is_ok(), ok);
            }
        }
        assert!(Argon2Params::new(19456, 1, 1).is_err());
        assert!(Argon2Params::new(1 << 20, 1, 1).is_ok());
        assert!(Argon2Params::new(19456, 2, 0).is_err());
        assert!(Argon2Params::new(19456, 2, MAX_LANES + 1).is_err());
        assert_eq!(
            Argon2Params::new(1024, 1, 1).unwrap_err().to_string(),
            "configuration: password.argon2_params: below the OWASP minimum (m=19456 KiB with \
             t=2, or an equivalent) (use Argon2Params::OWASP, or password::calibrate to fit this machine)"
        );
    }

    #[test]
    fn default_limits_admit_the_presets() {
        let limits = VerifyLimits::default();
        assert!(limits.admit(&Argon2Params::OWASP));
        assert!(limits.admit(&Argon2Params::RFC9106_LOW_MEMORY));
    }
}
