//! Fail-fast HMAC secret validation for JWT keys: the crate-wide rules of
//! [`strength`](crate::strength), sized by the algorithm's hash.

pub use crate::strength::SecretEncoding;

use super::Algorithm;
use crate::strength;
use crate::{Error, Result, SecretBytes, SecretString};

/// Decodes a secret given as text: [`strength::decode_secret`], with
/// errors naming `jwt.secret`. Line-wrapped text (as `openssl rand -base64
/// 64` prints it) is accepted; see [`SecretEncoding`].
///
/// # Errors
///
/// [`ErrorKind::Configuration`](crate::ErrorKind) when the text is not valid
/// in the chosen encoding. The message never contains the text.
///
/// # Example
///
/// ```
/// use seckit::jwt::{SecretEncoding, decode_secret};
///
/// let key = decode_secret(&"00ff".into(), SecretEncoding::Hex)?;
/// assert_eq!(key.expose_secret().as_slice(), &[0x00, 0xff]);
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn decode_secret(text: &SecretString, encoding: SecretEncoding) -> Result<SecretBytes> {
    decode_named(text, encoding, "jwt.secret")
}

pub(crate) fn decode_named(
    text: &SecretString,
    encoding: SecretEncoding,
    setting: &str,
) -> Result<SecretBytes> {
    strength::decode_named(text, encoding, setting)
}

/// Checks that `secret` is fit to be an HMAC key for `alg`: the rules of
/// [`strength::check_hmac_key`], with the minimum length the hash output
/// of `alg` (32 bytes for HS256, 48 for HS384, 64 for HS512: RFC 7518
/// §3.2).
///
/// # Errors
///
/// [`ErrorKind::Configuration`](crate::ErrorKind) naming the rule, with a
/// hint on generating a good secret; never the secret. An asymmetric `alg`
/// is a configuration error too.
///
/// # Example
///
/// ```
/// use seckit::jwt::{Algorithm, check_hmac_secret};
///
/// let err = check_hmac_secret(b"secretsecretsecretsecretsecretsecret", Algorithm::HS256).unwrap_err();
/// assert!(err.to_string().contains("known default"));
/// let err = check_hmac_secret(b"Tr0ub4dor&3", Algorithm::HS256).unwrap_err();
/// assert!(err.to_string().contains("shorter than 32 bytes"));
/// assert!(check_hmac_secret(&[0x5a, 0x17, 0xc3, 0x88, 0x01, 0xfe, 0x6b, 0x94,
///     0x2d, 0x70, 0xb1, 0x4e, 0xd9, 0x35, 0xa6, 0x0c, 0x7f, 0xe2, 0x19, 0x53,
///     0xca, 0x84, 0x3b, 0xf0, 0x66, 0x0d, 0x9e, 0x21, 0xb7, 0x48, 0x12, 0xdd], Algorithm::HS256).is_ok());
/// ```
pub fn check_hmac_secret(secret: &[u8], alg: Algorithm) -> Result<()> {
    check_named(secret, alg, "jwt.secret")
}

pub(crate) fn check_named(secret: &[u8], alg: Algorithm, setting: &str) -> Result<()> {
    let Some(min_len) = alg.min_secret_len() else {
        return Err(Error::configuration(
            setting.to_owned(),
            "is an HMAC secret but the algorithm is not HMAC",
        ));
    };
    strength::check_named(secret, min_len, setting)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_algorithm_sizes_the_rule() {
        let good = b"kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD";
        check_hmac_secret(good, Algorithm::HS256).unwrap();
        let e = check_hmac_secret(good, Algorithm::HS384).unwrap_err();
        assert!(e.to_string().contains("shorter than 48 bytes"), "{e}");
        let e = check_hmac_secret(good, Algorithm::RS256).unwrap_err();
        assert!(e.to_string().contains("not HMAC"), "{e}");
        let e = decode_secret(&"zz".into(), SecretEncoding::Hex).unwrap_err();
        assert_eq!(e.to_string(), "configuration: jwt.secret: is not valid hex");
    }
}
