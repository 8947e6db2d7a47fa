//! Reading a token **without verifying it**, for debugging only.
//!
//! Nothing here checks a signature, a date or an audience. Use it to look at
//! a token in a support ticket or a CLI, never to decide anything. Every
//! other function in [`jwt`](super) verifies before it decodes.

use serde_json::{Map, Value};

use super::DEFAULT_MAX_TOKEN_LEN;
use super::token::{self, ObjectError};
use crate::Result;

/// A token's header and claims, **not verified**: anyone could have written
/// them. The field names say so, so the word travels with the data.
///
/// # Example
///
/// ```
/// use seckit::jwt::dangerous::inspect_unverified;
///
/// // Routing a token to the right tenant's verifier by its (unverified) issuer.
/// let token = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ0ZW5hbnQtYSJ9.c2ln";
/// let seen = inspect_unverified(token)?;
/// assert_eq!(seen.untrusted_claims["iss"], "tenant-a"); // pick a verifier, then verify
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Unverified {
    /// The JOSE header, as the token claims it.
    pub untrusted_header: Map<String, Value>,
    /// The claims, as the token claims them.
    pub untrusted_claims: Map<String, Value>,
}

/// Decodes a token's header and claims **without verifying anything**.
///
/// The same size cap (8 KiB) and strict parsing as verification apply, so
/// a malformed token is reported the same way; the signature segment must be
/// present but is not checked.
///
/// # Errors
///
/// [`ErrorKind::Unauthenticated`](crate::ErrorKind) when the token is
/// oversize or malformed.
///
/// # Example
///
/// ```
/// use seckit::jwt::dangerous::inspect_unverified;
///
/// let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
/// let seen = inspect_unverified(token)?;
/// assert_eq!(seen.untrusted_header["alg"], "HS256");
/// assert_eq!(seen.untrusted_claims["name"], "John Doe");
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn inspect_unverified(token: &str) -> Result<Unverified> {
    let parts = token::split(token, DEFAULT_MAX_TOKEN_LEN)?;
    let object = |segment: &str, what: &'static str| {
        let bytes = token::b64(segment, what)?;
        token::object(&bytes).map_err(|e| match e {
            ObjectError::Duplicate => token::refuse("duplicate member name"),
            ObjectError::NotObject => token::refuse(what),
        })
    };
    Ok(Unverified {
        untrusted_header: object(parts.header, "malformed header")?,
        untrusted_claims: object(parts.payload, "malformed claims")?,
    })
}
