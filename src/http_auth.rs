//! `Authorization` header parsing shared by the `jwt` and `validate` modules.
//!
//! One strict parser, so the two modules can never disagree about what a
//! credential header looks like. It refuses rather than repairs: a header
//! that needs trimming, has two spaces or carries characters outside the
//! RFC 7235 `token68` set is malformed, not "probably fine".

use crate::{Error, Result};

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
        return Err(Error::invalid_limit(
            FIELD,
            "too_long",
            MAX_AUTHORIZATION_LEN,
        ));
    }
    let bytes = header.as_bytes();
    let Some(prefix) = bytes.get(..scheme.len()) else {
        return Err(Error::invalid(FIELD, "wrong_scheme"));
    };
    if !prefix.eq_ignore_ascii_case(scheme.as_bytes()) {
        return Err(Error::invalid(FIELD, "wrong_scheme"));
    }
    match bytes.get(scheme.len()) {
        Some(b' ') => {}
        None => return Err(Error::invalid(FIELD, "missing_credential")),
        Some(_) => return Err(Error::invalid(FIELD, "wrong_scheme")),
    }
    let token = header
        .get(scheme.len().saturating_add(1)..)
        .ok_or(Error::invalid(FIELD, "malformed"))?;
    if token.is_empty() {
        return Err(Error::invalid(FIELD, "missing_credential"));
    }
    if !is_token68(token.as_bytes()) {
        return Err(Error::invalid(FIELD, "malformed"));
    }
    Ok(token)
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
    fn refuses_everything_else_with_a_rule() {
        let rule = |h: &str| {
            credential(h, "Bearer")
                .unwrap_err()
                .violation()
                .unwrap()
                .rule()
        };
        assert_eq!(rule("Bearer"), "missing_credential");
        assert_eq!(rule("Bearer "), "missing_credential");
        assert_eq!(rule("Bearer  abc"), "malformed");
        assert_eq!(rule("Bearer abc "), "malformed");
        assert_eq!(rule(" Bearer abc"), "wrong_scheme");
        assert_eq!(rule("Bearerabc"), "wrong_scheme");
        assert_eq!(rule("Basic abc"), "wrong_scheme");
        assert_eq!(rule("Bear"), "wrong_scheme");
        assert_eq!(rule("Bearer ="), "malformed");
        assert_eq!(rule("Bearer a=b"), "malformed");
        assert_eq!(rule("Bearer a\tb"), "malformed");
        assert_eq!(rule("Bearer ä"), "malformed");
        assert_eq!(rule("Bérer abc"), "wrong_scheme");
        let long = format!("Bearer {}", "a".repeat(MAX_AUTHORIZATION_LEN));
        assert_eq!(rule(&long), "too_long");
    }
}
