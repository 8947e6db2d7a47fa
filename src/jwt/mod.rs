//! JSON Web Tokens (RFC 7519): issue and verify, refusing weak keys at
//! startup and lax tokens at the door.
//!
//! What this module refuses:
//!
//! - **At construction** ([`ErrorKind::Configuration`](crate::ErrorKind)): an
//!   HMAC secret shorter than its hash output, a known default such as
//!   `secret` or `your-256-bit-secret` (also padded or repeated), or one with
//!   too little variety ([`check_hmac_secret`]); RSA keys under 2048 bits;
//!   a key that does not fit its algorithm; TTL, leeway and size limits out
//!   of bounds.
//! - **At verification** ([`ErrorKind::Unauthenticated`](crate::ErrorKind),
//!   one generic `public_message()`, a specific reason for the log): any
//!   algorithm other than the one the selected key was configured with (so
//!   no `none`, no HS/RS confusion), a bad signature, a missing or passed
//!   `exp`, a future `nbf` or `iat`, a wrong or unexpected `iss` or `aud`,
//!   a `crit` or `b64` header (RFC 7797 unencoded payloads), a `typ` other than JWT, duplicate claim or header
//!   names, non-numeric dates, oversize tokens (8 KiB by default, checked
//!   before any decoding), non-canonical base64, JWE and extra segments.
//!
//! The algorithm always comes from the key, never from the token. Keys are
//! parsed once, when they are built, into [aws-lc-rs] types, so a malformed
//! key fails at startup and signing costs one signature, not a key parse.
//!
//! # Example
//!
//! ```
//! use seckit::jwt::{Algorithm, Issuer, SecretEncoding, SigningKey, Verifier};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Session {
//!     role: String,
//! }
//!
//! // In production the secret comes from JWT_SECRET via JwtConfig::from_env().
//! let secret = "tP3kq1Y0b8wz6VJ2rXH4gN5mA9cLsEuD7fR0iKoQ+Zo="; // sample value
//! let key = SigningKey::hmac_encoded(Algorithm::HS256, &secret.into(), SecretEncoding::Base64)?;
//! let issuer = Issuer::new(key.clone()).with_issuer("https://auth.example")?;
//! let verifier = Verifier::new(key.verifying_key()).with_issuer("https://auth.example")?;
//!
//! let token = issuer.issue_for("user-42", &Session { role: "admin".into() })?;
//! let verified = verifier.verify::<Session>(&token)?;
//! assert_eq!(verified.claims.role, "admin");
//! assert_eq!(verified.registered.sub.as_deref(), Some("user-42"));
//!
//! // A weak secret never gets this far:
//! let weak = SigningKey::hmac(Algorithm::HS256, &b"your-256-bit-secret".as_slice().into());
//! assert_eq!(weak.unwrap_err().kind(), seckit::ErrorKind::Configuration);
//! # Ok::<(), seckit::Error>(())
//! ```
//!
//! [aws-lc-rs]: https://docs.rs/aws-lc-rs

mod algorithm;
mod claims;
mod config;
pub mod dangerous;
mod issue;
mod jwks;
mod keys;
mod secret_check;
mod token;
mod verify;

pub use algorithm::Algorithm;
pub use claims::{RegisteredClaims, Verified};
pub use config::JwtConfig;
pub use issue::{Issued, Issuer, TokenSpec};
pub use jwks::{JwksImport, SkippedKey};
pub use keys::{KeySet, SigningKey, VerifyingKey};
pub use secret_check::{SecretEncoding, check_hmac_secret, decode_secret};
pub use verify::Verifier;

use crate::Result;

/// The largest token [`Verifier`] accepts by default, in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8 * 1024;
/// The largest limit [`Verifier::with_max_token_len`] accepts, in bytes.
pub const MAX_TOKEN_LEN_LIMIT: usize = 64 * 1024;
/// The default token lifetime: one hour.
pub const DEFAULT_TTL_SECS: u64 = 60 * 60;
/// The longest lifetime [`Issuer::with_ttl`] accepts: one day.
pub const MAX_TTL_SECS: u64 = 24 * 60 * 60;
/// The longest lifetime [`Issuer::with_long_ttl`] accepts: 400 days.
pub const MAX_LONG_TTL_SECS: u64 = 400 * 24 * 60 * 60;
/// The clock skew a [`Verifier`] allows by default on `nbf` and `iat`: 30
/// seconds, so a token issued on one host verifies at once on another whose
/// clock is up to 30 s behind (NTP-synchronised hosts are within
/// milliseconds; 30 s covers a host whose sync is broken for a while, while
/// keeping a token dated in the future useless). `exp` gets none by
/// default: a token is never accepted after the expiry it states.
pub const DEFAULT_LEEWAY_SECS: u64 = 30;
/// The largest clock-skew allowance [`Verifier::with_leeway`] accepts: five minutes.
pub const MAX_LEEWAY_SECS: u64 = 300;
/// The largest numeric date accepted: 9999-12-31T23:59:59Z.
pub const MAX_NUMERIC_DATE: u64 = 253_402_300_799;
/// The longest key id (`kid`) accepted, in bytes.
pub const MAX_KID_LEN: usize = 256;

/// The token of an `Authorization: Bearer <token>` header value.
///
/// Strict: the scheme is matched case-insensitively, exactly one space
/// follows it, the token is a non-empty RFC 7235 `token68`, and the header
/// is at most 8 KiB plus the scheme (checked first). Nothing is trimmed.
/// Log the result only through [`mask::token`](crate::mask::token).
///
/// # Errors
///
/// [`ErrorKind::Unauthenticated`](crate::ErrorKind) (context
/// `authorization`) with [`AuthReason`](crate::AuthReason)
/// `MissingCredentials` for another scheme (RFC 6750 §3.1: answer with a
/// bare `WWW-Authenticate: Bearer` challenge), `TooLarge` over the limit,
/// `Malformed` otherwise. A bad header is a failed authentication (401), not
/// a bad request.
///
/// # Example
///
/// ```
/// use seckit::jwt::bearer_token;
///
/// assert_eq!(bearer_token("Bearer eyJhbGciOi.eyJzdWIi.c2ln")?, "eyJhbGciOi.eyJzdWIi.c2ln");
/// let err = bearer_token("Basic dXNlcjpwYXNz").unwrap_err();
/// assert_eq!(err.auth_reason(), Some(seckit::AuthReason::MissingCredentials));
/// assert_eq!(err.kind().http_status(), 401);
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn bearer_token(header_value: &str) -> Result<&str> {
    crate::http_auth::credential(header_value, "Bearer")
}
