//! Signed messages between services: webhook signatures (Standard
//! Webhooks, Stripe, GitHub), a replay guard, and TURN REST credentials.
//!
//! Each scheme is an HMAC over the raw body **bytes** (never a re-encoded
//! or UTF-8-checked copy) and the metadata that travels with it. Every
//! verifier here:
//!
//! - refuses a body over its cap ([`DEFAULT_MAX_BODY`], 1 MiB) and headers
//!   over [`MAX_HEADER_LEN`] before computing anything;
//! - compares signatures in constant time (`subtle`), after computing the
//!   expected MAC once per secret;
//! - checks a timestamp, where the scheme has one, in **both** directions
//!   ([`DEFAULT_TOLERANCE`], ±5 minutes; Stripe's own libraries only check
//!   the past), against a clock you can pass in (`verify_at`);
//! - accepts several signatures in one header and several secrets (key
//!   rotation), checking at most [`MAX_SIGNATURES`] of them;
//! - refuses with [`ErrorKind::Unauthenticated`](crate::ErrorKind) and one
//!   of the structured reasons [`AuthReason::BadSignature`],
//!   [`AuthReason::TimestampOutOfRange`], [`AuthReason::Replayed`],
//!   [`AuthReason::Malformed`] and [`AuthReason::TooLarge`], and emits
//!   an `authn_token_invalid` (or, for a replay, `authn_token_reuse`)
//!   audit event with the reason, so the error is
//!   [audited](crate::Error::is_audited) and adapters do not log it twice.
//!
//! Secrets are checked when a signer or verifier is built, with the rules
//! every HMAC key in seckit passes ([`strength`](crate::strength)).
//!
//! A valid signature proves who sent the bytes, not that they are new:
//! pass the [`Verified`] message to a [`ReplayGuard`] to accept each
//! delivery once.
//!
//! Delivering webhooks is the application's part: give it URLs that went
//! through `seckit::validate::OutboundUrl` (feature `validate`), which
//! refuses internal destinations and pins the addresses it checked.
//!
//! # Example
//!
//! ```
//! use seckit::webhook::{StandardSecret, Signer, Verifier};
//!
//! let secret = StandardSecret::generate()?;
//! let signer = Signer::new(secret.clone());
//! let body = br#"{"type":"invoice.paid"}"#;
//! let headers = signer.sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", 1_700_000_000, body)?;
//!
//! let verifier = Verifier::new(secret);
//! let message = verifier.verify_at(&headers.to_header_map(), body, 1_700_000_030)?;
//! assert_eq!(message.id(), "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W");
//! assert_eq!(message.timestamp(), Some(1_700_000_000));
//!
//! // One byte changed: refused, with a reason for the log.
//! let err = verifier.verify_at(&headers.to_header_map(), b"{}", 1_700_000_030).unwrap_err();
//! assert_eq!(err.auth_reason(), Some(seckit::AuthReason::BadSignature));
//! # Ok::<(), seckit::Error>(())
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::audit::{Event, EventKind};
use crate::{AuthReason, Error, Result};

mod github;
mod replay;
mod standard;
mod stripe;
mod turn;

pub use github::GithubVerifier;
pub use replay::{DEFAULT_MAX_IDS, ReplayGuard};
pub use standard::{
    MAX_ID_LEN, MAX_SECRET_BYTES, MIN_SECRET_BYTES, SignedHeaders, Signer, StandardSecret, Verifier,
};
pub use stripe::StripeVerifier;
pub use turn::{
    DEFAULT_TURN_TTL, MAX_TURN_TTL, MAX_TURN_USER_LEN, TurnCredentials, TurnSecret, TurnVerifier,
};

/// The largest body a verifier hashes unless told otherwise: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// The default timestamp tolerance, into the past and into the future.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The longest tolerance a verifier accepts: one hour. A longer one makes
/// a captured delivery replayable for that long against a receiver without
/// a replay guard.
pub const MAX_TOLERANCE: Duration = Duration::from_secs(60 * 60);

/// The longest signature header a verifier reads: 8 KiB.
pub const MAX_HEADER_LEN: usize = 8 * 1024;

/// At most this many signatures of one header are checked; the rest are
/// ignored (the work per delivery stays bounded).
pub const MAX_SIGNATURES: usize = 16;

/// At most this many secrets per verifier (the current one and the ones
/// being rotated out).
pub const MAX_SECRETS: usize = 4;

/// A delivery whose signature and timestamp verified.
///
/// The id is held inline (at most [`MAX_ID_LEN`] bytes), so verifying
/// allocates nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct Verified {
    id: [u8; MAX_ID_LEN],
    id_len: usize,
    timestamp: Option<u64>,
}

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("id", &self.id())
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

impl Verified {
    /// `id` is visible ASCII of at most [`MAX_ID_LEN`] bytes (checked by
    /// every caller); a longer one is cut, which cannot happen.
    pub(crate) fn new(id: &[u8], timestamp: Option<u64>) -> Self {
        let mut buf = [0u8; MAX_ID_LEN];
        let id_len = id.len().min(MAX_ID_LEN);
        if let (Some(dst), Some(src)) = (buf.get_mut(..id_len), id.get(..id_len)) {
            dst.copy_from_slice(src);
        }
        Self {
            id: buf,
            id_len,
            timestamp,
        }
    }

    /// The message's identity, for the [`ReplayGuard`] and as an
    /// idempotency key: the `webhook-id` header for Standard Webhooks; for
    /// Stripe and GitHub, whose signed content has no id, the hex of the
    /// signature that matched (unique per timestamp and body).
    #[must_use]
    pub fn id(&self) -> &str {
        self.id
            .get(..self.id_len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// The signed timestamp (Unix seconds), when the scheme has one
    /// (Standard Webhooks and Stripe; GitHub signs only the body).
    #[must_use]
    pub const fn timestamp(&self) -> Option<u64> {
        self.timestamp
    }
}

/// The settings every verifier shares: tolerance and body cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) tolerance: Duration,
    pub(crate) max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            tolerance: DEFAULT_TOLERANCE,
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

impl Limits {
    pub(crate) fn with_tolerance(mut self, tolerance: Duration) -> Result<Self> {
        if tolerance.is_zero() || tolerance > MAX_TOLERANCE {
            return Err(Error::configuration(
                "webhook.tolerance",
                "must be between 1 second and 1 hour",
            ));
        }
        self.tolerance = tolerance;
        Ok(self)
    }

    pub(crate) fn with_max_body(mut self, max_body: usize) -> Result<Self> {
        if max_body == 0 || max_body > 64 * 1024 * 1024 {
            return Err(Error::configuration(
                "webhook.max_body",
                "must be between 1 byte and 64 MiB",
            ));
        }
        self.max_body = max_body;
        Ok(self)
    }

    /// The body cap, before any work.
    pub(crate) fn check_body(&self, context: &'static str, body: &[u8]) -> Result<()> {
        if body.len() > self.max_body {
            return Err(refuse(
                context,
                AuthReason::TooLarge,
                "body over the size limit",
            ));
        }
        Ok(())
    }

    /// `timestamp` within the tolerance of `now`, both directions.
    pub(crate) fn check_time(&self, context: &'static str, timestamp: u64, now: u64) -> Result<()> {
        let tolerance = self.tolerance.as_secs();
        if timestamp.abs_diff(now) > tolerance {
            return Err(refuse(
                context,
                AuthReason::TimestampOutOfRange,
                if timestamp < now {
                    "timestamp too old"
                } else {
                    "timestamp in the future"
                },
            ));
        }
        Ok(())
    }
}

/// Adds a secret made by `make` to `secrets`, refused past
/// [`MAX_SECRETS`] before `make` runs: the one rule of every `also()`.
pub(crate) fn add_secret<T>(secrets: &mut Vec<T>, make: impl FnOnce() -> Result<T>) -> Result<()> {
    if secrets.len() >= MAX_SECRETS {
        return Err(Error::configuration("webhook.secrets", "at most 4 secrets"));
    }
    secrets.push(make()?);
    Ok(())
}

/// The current time, Unix seconds (0 before 1970: every timestamp is then
/// in the future and refused).
pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A refusal, audited: the event names the reason; the error says it was
/// emitted.
pub(crate) fn refuse(context: &'static str, why: AuthReason, text: &'static str) -> Error {
    let kind = if why == AuthReason::Replayed {
        EventKind::AuthnTokenReuse
    } else {
        EventKind::AuthnTokenInvalid
    };
    Event::new(kind)
        .route(context)
        .reason(reason_code(why))
        .emit();
    Error::unauthenticated_audited(context, why, text)
}

const fn reason_code(why: AuthReason) -> &'static str {
    match why {
        AuthReason::BadSignature => "bad_signature",
        AuthReason::TimestampOutOfRange => "timestamp_out_of_range",
        AuthReason::Replayed => "replayed",
        AuthReason::TooLarge => "too_large",
        _ => "malformed",
    }
}

/// One header's value as bytes, refused when repeated or over the cap;
/// `None` when absent.
pub(crate) fn single_header<'h>(
    context: &'static str,
    headers: &'h http::HeaderMap,
    name: &http::HeaderName,
) -> Result<Option<&'h [u8]>> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(refuse(context, AuthReason::Malformed, "header repeated"));
    }
    let bytes = first.as_bytes();
    if bytes.len() > MAX_HEADER_LEN {
        return Err(refuse(
            context,
            AuthReason::TooLarge,
            "header over the size limit",
        ));
    }
    Ok(Some(bytes))
}

/// A required header, refused as malformed when missing.
pub(crate) fn required_header<'h>(
    context: &'static str,
    headers: &'h http::HeaderMap,
    name: &http::HeaderName,
    missing: &'static str,
) -> Result<&'h [u8]> {
    single_header(context, headers, name)?
        .ok_or_else(|| refuse(context, AuthReason::Malformed, missing))
}

/// A canonical decimal Unix timestamp: digits only, no sign, no leading
/// zero, at most 12 digits.
pub(crate) fn parse_timestamp(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 12 || (bytes.len() > 1 && bytes.first() == Some(&b'0')) {
        return None;
    }
    // At most 12 digits: no overflow of a u64.
    bytes.iter().try_fold(0u64, |n, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Constant-time equality of a presented MAC with the expected one.
pub(crate) fn mac_eq(expected: &[u8], presented: &[u8]) -> bool {
    // AWS-LC's CRYPTO_memcmp: constant time in the contents.
    aws_lc_rs::constant_time::verify_slices_are_equal(expected, presented).is_ok()
}
