use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// A JWS signature algorithm (RFC 7518 §3, RFC 8037).
///
/// A key is built for exactly one algorithm, and verification accepts a
/// token only when its `alg` header names that algorithm. `none` is not an
/// algorithm here.
///
/// # Example
///
/// ```
/// use seckit::jwt::Algorithm;
///
/// let alg: Algorithm = "rs256".parse()?; // from configuration, any case
/// assert_eq!(alg, Algorithm::RS256);
/// assert_eq!(alg.as_str(), "RS256");
/// assert_eq!(Algorithm::HS384.min_secret_len(), Some(48));
/// assert!("none".parse::<Algorithm>().is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(clippy::upper_case_acronyms)]
pub enum Algorithm {
    /// HMAC with SHA-256; secret of at least 32 bytes.
    HS256,
    /// HMAC with SHA-384; secret of at least 48 bytes.
    HS384,
    /// HMAC with SHA-512; secret of at least 64 bytes.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256; RSA key of at least 2048 bits.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// Ed25519 (RFC 8037).
    EdDSA,
}

impl Algorithm {
    /// Every algorithm, in RFC order.
    pub const ALL: [Self; 12] = [
        Self::HS256,
        Self::HS384,
        Self::HS512,
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
    ];

    /// The `alg` header value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
        }
    }

    /// Whether this is an HMAC (shared-secret) algorithm.
    #[must_use]
    pub const fn is_hmac(self) -> bool {
        matches!(self, Self::HS256 | Self::HS384 | Self::HS512)
    }

    /// Whether this is an RSA algorithm (PKCS#1 v1.5 or PSS).
    #[must_use]
    pub const fn is_rsa(self) -> bool {
        matches!(
            self,
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512
        )
    }

    /// The shortest HMAC secret this algorithm accepts (its hash output,
    /// RFC 7518 §3.2), or `None` for asymmetric algorithms.
    #[must_use]
    pub const fn min_secret_len(self) -> Option<usize> {
        match self {
            Self::HS256 => Some(32),
            Self::HS384 => Some(48),
            Self::HS512 => Some(64),
            _ => None,
        }
    }

    /// The exact, case-sensitive `alg` name (as it must appear in a token).
    pub(crate) fn from_header(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses an algorithm name from configuration, ignoring ASCII case
/// (`hs256` and `HS256` both work). `none` is refused.
impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::configuration("jwt.algorithm", "not a supported algorithm").with_hint(
                    "use one of HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 EdDSA",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_none_is_not_one() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_header(alg.as_str()), Some(alg));
            assert_eq!(
                alg.as_str().to_lowercase().parse::<Algorithm>().unwrap(),
                alg
            );
        }
        assert_eq!(Algorithm::from_header("hs256"), None);
        assert!("none".parse::<Algorithm>().is_err());
        assert_eq!(Algorithm::from_header("none"), None);
    }
}
