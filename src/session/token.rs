//! The two token shapes: `ses_` and 43 base64url characters for a session
//! id, `rft_` and 43 for a refresh token. Each carries 32 bytes from the OS
//! generator; only SHA-256(domain ‖ kind ‖ bytes) is ever stored.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::{AuthReason, Error, Result, SecretString};

/// Which credential a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// A session id: sent on every request (a cookie), validated with
    /// [`SessionManager::validate`](super::SessionManager::validate).
    Session,
    /// A refresh token: sent only to exchange it for a new one and a new
    /// access token, with [`SessionManager::refresh`](super::SessionManager::refresh).
    Refresh,
}

impl TokenKind {
    /// `ses_` or `rft_`.
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Session => "ses_",
            Self::Refresh => "rft_",
        }
    }

    pub(crate) const fn code(self) -> u8 {
        match self {
            Self::Session => 1,
            Self::Refresh => 2,
        }
    }

    pub(crate) const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Session),
            2 => Some(Self::Refresh),
            _ => None,
        }
    }
}

/// Random bytes in a token.
const TOKEN_BYTES: usize = 32;
/// Characters in a token: a 4-character prefix and 43 base64url.
pub(crate) const TOKEN_LEN: usize = 47;
const DOMAIN: &[u8] = b"seckit.session.v1\0";

/// SHA-256 of a token: the only form of it a store holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TokenHash(pub(crate) [u8; 32]);

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

impl TokenHash {
    fn of(kind: TokenKind, raw: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(DOMAIN);
        h.update([kind.code()]);
        h.update(raw);
        Self(h.finalize().into())
    }

    /// Constant-time equality, for the check after a lookup by hash.
    pub(crate) fn ct_eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }

    /// base64url, for Redis keys.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn b64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }
}

/// A new token of `kind` and its hash.
pub(crate) fn mint(kind: TokenKind) -> Result<(SecretString, TokenHash)> {
    let mut raw = Zeroizing::new([0u8; TOKEN_BYTES]);
    crate::random::fill(&mut *raw)?;
    let mut text = String::with_capacity(TOKEN_LEN);
    text.push_str(kind.prefix());
    URL_SAFE_NO_PAD.encode_string(*raw, &mut text);
    Ok((SecretString::new(text), TokenHash::of(kind, &*raw)))
}

fn malformed(kind: TokenKind) -> Error {
    Error::unauthenticated(
        context(kind),
        AuthReason::Malformed,
        "not a token of this kind",
    )
}

pub(crate) const fn context(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Session => "session",
        TokenKind::Refresh => "refresh_token",
    }
}

/// The hash of a presented token of `kind`. The length is checked before
/// anything else; the text must be the prefix and the canonical encoding of
/// 32 bytes.
///
/// # Errors
///
/// [`ErrorKind::Unauthenticated`](crate::ErrorKind::Unauthenticated) with
/// [`AuthReason::Malformed`] for anything else (another kind's token
/// included); the error never quotes the input.
pub(crate) fn parse(kind: TokenKind, presented: &str) -> Result<TokenHash> {
    if presented.len() != TOKEN_LEN {
        return Err(malformed(kind));
    }
    let body = presented
        .strip_prefix(kind.prefix())
        .ok_or_else(|| malformed(kind))?;
    let mut raw = Zeroizing::new([0u8; TOKEN_BYTES]);
    match URL_SAFE_NO_PAD.decode_slice(body, &mut *raw) {
        Ok(TOKEN_BYTES) => Ok(TokenHash::of(kind, &*raw)),
        _ => Err(malformed(kind)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_parse_to_their_hash_and_nothing_else_does() {
        let (t, h) = mint(TokenKind::Session).unwrap();
        let text = t.expose_secret();
        assert_eq!(text.len(), TOKEN_LEN);
        assert!(parse(TokenKind::Session, text).unwrap().ct_eq(&h));
        // The other kind's prefix, or the same bytes as the other kind.
        assert!(parse(TokenKind::Refresh, text).is_err());
        let swapped = format!("rft_{}", &text[4..]);
        assert!(!parse(TokenKind::Refresh, &swapped).unwrap().ct_eq(&h));
        assert!(parse(TokenKind::Session, &text[..46]).is_err());
        assert!(parse(TokenKind::Session, "").is_err());
        // A non-canonical last character (one of the two trailing bits
        // set) decodes to the same bytes elsewhere: refused here.
        let c = text.chars().last().unwrap();
        let idx = base64_index(c);
        assert_eq!(idx % 4, 0, "canonical encodings end in zero bits");
        let mut last = text.to_owned();
        last.pop();
        last.push(base64_char(idx + 1));
        assert!(parse(TokenKind::Session, &last).is_err());
    }

    fn base64_index(c: char) -> usize {
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            .find(c)
            .unwrap()
    }

    fn base64_char(i: usize) -> char {
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            .chars()
            .nth(i)
            .unwrap()
    }
}
