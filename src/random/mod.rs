//! Random secrets, tokens and API keys from the operating system's CSPRNG.
//!
//! Every byte comes from the OS generator (`getrandom(2)` on Linux, through
//! `rand`'s `SysRng`); no user-space generator is compiled in, so there is no
//! seed to leak, fork or forget to reseed. When the OS generator fails, the
//! functions return an [`ErrorKind::Internal`](crate::ErrorKind) error rather
//! than falling back to anything weaker.
//!
//! Refuses: secrets under [`MIN_SECRET_BYTES`] (128 bits) and over
//! [`MAX_SECRET_BYTES`].
//!
//! # Example
//!
//! ```
//! use seckit::random;
//!
//! let jwt_secret = random::secret(32)?; // 256 bits, base64url: 43 characters
//! assert_eq!(jwt_secret.expose_secret().len(), 43);
//! let session_id = random::token_id()?; // 128 bits: 22 characters
//! assert_eq!(session_id.expose_secret().len(), 22);
//! # Ok::<(), seckit::Error>(())
//! ```

mod api_key;

pub use api_key::{
    API_KEY_BYTES, API_KEY_MAX_PREFIX_LEN, API_KEY_MAX_PRESENTED_LEN, ApiKey, ApiKeyHash,
};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRng as _;
use rand::rngs::SysRng;
use zeroize::Zeroizing;

use crate::{Error, Result, SecretBytes, SecretString};

/// The fewest random bytes a secret may have: 128 bits.
pub const MIN_SECRET_BYTES: usize = 16;

/// The most random bytes one call hands out.
pub const MAX_SECRET_BYTES: usize = 1024;

/// Bytes in a [`token_id`]: 128 bits, so that ids cannot be guessed and a
/// collision is not expected before about 2^64 of them.
pub const TOKEN_ID_BYTES: usize = 16;

/// `n_bytes` random bytes, base64url-encoded without padding: an HMAC key,
/// a JWT secret, a webhook signing secret.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind) (`n_bytes.too_small` /
/// `n_bytes.too_large`) outside [`MIN_SECRET_BYTES`]..=[`MAX_SECRET_BYTES`];
/// [`ErrorKind::Internal`](crate::ErrorKind) if the OS generator fails.
///
/// # Example
///
/// ```
/// let s = seckit::random::secret(32)?;
/// assert!(s.expose_secret().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
/// assert!(seckit::random::secret(8).is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn secret(n_bytes: usize) -> Result<SecretString> {
    let raw = secret_bytes(n_bytes)?;
    base64url(raw.expose_secret())
}

/// `n_bytes` random bytes as lowercase hex (twice as long as the byte
/// count), for systems that want hex keys.
///
/// # Errors
///
/// As [`secret`].
///
/// # Example
///
/// ```
/// let s = seckit::random::secret_hex(32)?;
/// assert_eq!(s.expose_secret().len(), 64);
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn secret_hex(n_bytes: usize) -> Result<SecretString> {
    let raw = secret_bytes(n_bytes)?;
    let len = n_bytes
        .checked_mul(2)
        .ok_or(Error::internal("hex length overflow"))?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    base16ct::lower::encode(raw.expose_secret(), &mut out)
        .map_err(|_| Error::internal("hex encoding failed"))?;
    into_secret_string(out)
}

/// `n_bytes` raw random bytes, for keys used as bytes.
///
/// # Errors
///
/// As [`secret`].
///
/// # Example
///
/// ```
/// let key = seckit::random::secret_bytes(32)?;
/// assert_eq!(key.expose_secret().len(), 32);
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn secret_bytes(n_bytes: usize) -> Result<SecretBytes> {
    if n_bytes < MIN_SECRET_BYTES {
        return Err(Error::invalid_limit(
            "n_bytes",
            "too_small",
            MIN_SECRET_BYTES,
        ));
    }
    if n_bytes > MAX_SECRET_BYTES {
        return Err(Error::invalid_limit(
            "n_bytes",
            "too_large",
            MAX_SECRET_BYTES,
        ));
    }
    let mut out = SecretBytes::new(vec![0u8; n_bytes]);
    fill(out.expose_secret_mut())?;
    Ok(out)
}

/// A 128-bit random identifier, base64url (22 characters): session ids, JWT
/// `jti`, CSRF tokens, idempotency keys.
///
/// It is returned as a secret because a session id *is* a credential; expose
/// it where it is public by design (a `jti`).
///
/// # Errors
///
/// [`ErrorKind::Internal`](crate::ErrorKind) if the OS generator fails.
///
/// # Example
///
/// ```
/// let a = seckit::random::token_id()?;
/// let b = seckit::random::token_id()?;
/// assert_ne!(a, b);
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn token_id() -> Result<SecretString> {
    let mut raw = Zeroizing::new([0u8; TOKEN_ID_BYTES]);
    fill(&mut *raw)?;
    base64url(&*raw)
}

/// Fills `buf` from the OS generator.
pub(crate) fn fill(buf: &mut [u8]) -> Result<()> {
    SysRng
        .try_fill_bytes(buf)
        .map_err(|_| Error::internal("os random number generator failed"))
}

/// base64url without padding, into a pre-sized buffer that is wiped on every
/// path.
fn base64url(raw: &[u8]) -> Result<SecretString> {
    let len =
        base64::encoded_len(raw.len(), false).ok_or(Error::internal("base64 length overflow"))?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    let written = URL_SAFE_NO_PAD
        .encode_slice(raw, &mut out)
        .map_err(|_| Error::internal("base64 encoding failed"))?;
    out.truncate(written);
    into_secret_string(out)
}

/// Moves ASCII bytes into a `SecretString` without copying them.
fn into_secret_string(mut bytes: Zeroizing<Vec<u8>>) -> Result<SecretString> {
    String::from_utf8(std::mem::take(&mut *bytes))
        .map(SecretString::new)
        .map_err(|e| {
            zeroize::Zeroize::zeroize(&mut e.into_bytes());
            Error::internal("encoder produced non-UTF-8")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn sizes_and_alphabets() {
        for n in [MIN_SECRET_BYTES, 32, 64, MAX_SECRET_BYTES] {
            let s = secret(n).unwrap();
            assert_eq!(
                s.expose_secret().len(),
                base64::encoded_len(n, false).unwrap()
            );
            assert!(
                s.expose_secret()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
            let h = secret_hex(n).unwrap();
            assert_eq!(h.expose_secret().len(), 2 * n);
            assert!(
                h.expose_secret()
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            );
            assert_eq!(secret_bytes(n).unwrap().expose_secret().len(), n);
        }
        assert_eq!(token_id().unwrap().expose_secret().len(), 22);
    }

    #[test]
    fn refuses_weak_or_absurd_sizes() {
        for n in [0, 1, MIN_SECRET_BYTES - 1] {
            let e = secret(n).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            assert_eq!(e.to_string(), "invalid input: n_bytes.too_small (limit 16)");
            assert!(secret_hex(n).is_err());
            assert!(secret_bytes(n).is_err());
        }
        let e = secret(MAX_SECRET_BYTES + 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input: n_bytes.too_large (limit 1024)"
        );
        assert!(secret_hex(usize::MAX).is_err());
    }

    #[test]
    fn output_is_not_constant() {
        // A broken generator returning a fixed buffer would pass the length
        // checks above; this would not. 1000 draws of 128 bits cannot collide
        // by chance (p < 2^-108).
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            assert!(seen.insert(token_id().unwrap().expose_secret().clone()));
        }
        // Every byte value appears in 64 KiB of output (p of a miss ~ 2^-360).
        let mut counts = [0u32; 256];
        for _ in 0..64 {
            for &b in secret_bytes(1024).unwrap().expose_secret() {
                counts[usize::from(b)] += 1;
            }
        }
        assert!(counts.iter().all(|&c| c > 0));
    }
}
