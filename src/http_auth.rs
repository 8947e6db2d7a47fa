//! `Authorization` header parsing shared by the `jwt` and `validate` modules.
//!
//! One strict parser, so the two modules can never disagree about what a
//! credential header looks like. It refuses rather than repairs: a header
//! that needs trimming, has two spaces or carries characters outside the
//! RFC 7235 `token68` set is malformed, not "probably fine".

use crate::{AuthReason, Error, Result};

/// The longest `Authorization` header value accepted, in bytes: an 8 KiB
/// credential plus its scheme. Checked before anything else is looked at.
pub(crate) const MAX_AUTHORIZATION_LEN: usize = 8 * 1024 + 16;

const FIELD: &str = "authorization";

/// The credential of an `Authorization: <scheme> <token68>` header value.
///
/// The scheme is compared case-insensitively (RFC 7235 §2.1); exactly one
/// space separates it from the credential, which must be a non-empty
/// `token68`: `A-Z a-z 0-9 - . _ ~ + /` followed by optional `=` padding.
pub(crate) fn credential<'h>(header: &'h str, scheme: &str) -> Result<&'h str> {
    if header.len() > MAX_AUTHORIZATION_LEN {
        return Err(refuse(AuthReason::TooLarge, "header too long"));
    }
    let bytes = header.as_bytes();
    let wrong_scheme = || refuse(AuthReason::MissingCredentials, "wrong scheme");
    let Some(prefix) = bytes.get(..scheme.len()) else {
        return Err(wrong_scheme());
    };
    if !prefix.eq_ignore_ascii_case(scheme.as_bytes()) {
        return Err(wrong_scheme());
    }
    match bytes.get(scheme.len()) {
        Some(b' ') => {}
        None => return Err(refuse(AuthReason::Malformed, "missing credential")),
        Some(_) => return Err(wrong_scheme()),
    }
    let token = header
        .get(scheme.len().saturating_add(1)..)
        .ok_or_else(|| refuse(AuthReason::Malformed, "malformed"))?;
    if token.is_empty() {
        return Err(refuse(AuthReason::Malformed, "missing credential"));
    }
    if !is_token68(token.as_bytes()) {
        return Err(refuse(AuthReason::Malformed, "malformed"));
    }
    Ok(token)
}

/// An `Authorization` header refusal: the caller is not authenticated
/// (RFC 6750 §3: 401 with a challenge), whatever was wrong with it.
pub(crate) const fn refuse(why: AuthReason, text: &'static str) -> Error {
    Error::unauthenticated(FIELD, why, text)
}

/// RFC 7235 §2.1: `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`
fn is_token68(token: &[u8]) -> bool {
    let padding = token.iter().rev().take_while(|&&b| b == b'=').count();
    let body_len = token.len().saturating_sub(padding);
    let (body, _padding) = token.split_at(body_len);
    !body.is_empty()
        && body.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_one_space_and_any_scheme_case() {
        assert_eq!(
            credential("Bearer abc.def-_~+/==", "Bearer").unwrap(),
            "abc.def-_~+/=="
        );
        assert_eq!(credential("bEARER x", "Bearer").unwrap(), "x");
    }

    #[test]
    fn refuses_everything_else_as_unauthenticated_with_a_reason() {
        use AuthReason::{Malformed, MissingCredentials, TooLarge};
        let why = |h: &str| {
            let e = credential(h, "Bearer").unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Unauthenticated, "{h}");
            e.auth_reason().unwrap()
        };
        assert_eq!(why("Bearer"), Malformed);
        assert_eq!(why("Bearer "), Malformed);
        assert_eq!(why("Bearer  abc"), Malformed);
        assert_eq!(why("Bearer abc "), Malformed);
        assert_eq!(why(" Bearer abc"), MissingCredentials);
        assert_eq!(why("Bearerabc"), MissingCredentials);
        assert_eq!(why("Basic abc"), MissingCredentials);
        assert_eq!(why("Bear"), MissingCredentials);
        assert_eq!(why("Bearer ="), Malformed);
        assert_eq!(why("Bearer a=b"), Malformed);
        assert_eq!(why("Bearer a\tb"), Malformed);
        assert_eq!(why("Bearer ä"), Malformed);
        assert_eq!(why("Bérer abc"), MissingCredentials);
        let long = format!("Bearer {}", "a".repeat(MAX_AUTHORIZATION_LEN));
        assert_eq!(why(&long), TooLarge);
    }
}
