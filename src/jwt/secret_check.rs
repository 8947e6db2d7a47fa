//! Fail-fast HMAC secret validation.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use zeroize::Zeroizing;

use super::Algorithm;
use crate::{Error, Result, SecretBytes, SecretString};

/// How a secret given as text is turned into key bytes. Chosen explicitly:
/// seckit never guesses whether `"c2VjcmV0..."` is base64 or a passphrase.
///
/// # Example
///
/// ```
/// use seckit::SecretString;
/// use seckit::jwt::{SecretEncoding, decode_secret};
///
/// let encoding: SecretEncoding = "base64".parse()?; // e.g. from JWT_SECRET_ENCODING
/// let text = SecretString::from("q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE=");
/// assert_eq!(decode_secret(&text, encoding)?.expose_secret().len(), 32);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SecretEncoding {
    /// The text's UTF-8 bytes are the key.
    #[default]
    Raw,
    /// Standard base64 (`+/`), padding optional.
    Base64,
    /// URL-safe base64 (`-_`), padding optional.
    Base64Url,
    /// Hexadecimal, either case.
    Hex,
}

impl std::str::FromStr for SecretEncoding {
    type Err = Error;

    /// `raw`, `base64`, `base64url` or `hex`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self> {
        [
            ("raw", Self::Raw),
            ("base64", Self::Base64),
            ("base64url", Self::Base64Url),
            ("hex", Self::Hex),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(s))
        .map(|(_, e)| e)
        .ok_or_else(|| {
            Error::configuration("jwt.secret_encoding", "not a supported encoding")
                .with_hint("use raw, base64, base64url or hex")
        })
    }
}

const INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, INDIFFERENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, INDIFFERENT);

/// Decodes a secret given as text. Decoding is strict (no whitespace, no
/// stray characters, canonical trailing bits); the decoded length is what
/// [`check_hmac_secret`] measures.
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
    let text = text.expose_secret().as_bytes();
    let bad = |reason| Error::configuration(setting.to_owned(), reason);
    let bytes = match encoding {
        SecretEncoding::Raw => text.to_vec(),
        SecretEncoding::Base64 => STANDARD
            .decode(text)
            .map_err(|_| bad("is not valid base64"))?,
        SecretEncoding::Base64Url => URL_SAFE
            .decode(text)
            .map_err(|_| bad("is not valid base64url"))?,
        SecretEncoding::Hex => {
            base16ct::mixed::decode_vec(text).map_err(|_| bad("is not valid hex"))?
        }
    };
    Ok(SecretBytes::new(bytes))
}

/// Placeholders and tutorial defaults that end up in production. Compared
/// ignoring ASCII case; a secret that is one of these, repeated or padded
/// with little else, is refused.
const KNOWN_DEFAULTS: &[&str] = &[
    "change-me-in-production",
    "please-change-this",
    "your-256-bit-secret",
    "your-384-bit-secret",
    "your-512-bit-secret",
    "your_jwt_secret",
    "your-jwt-secret",
    "your-secret-key",
    "your_secret_key",
    "your-secret",
    "jwt_secret_key",
    "jwt-secret-key",
    "keyboard cat",
    "supersecret",
    "mysecretkey",
    "secret-key",
    "secret_key",
    "secretkey",
    "jwt_secret",
    "jwt-secret",
    "jwtsecret",
    "dev-secret",
    "replace-me",
    "topsecret",
    "change-me",
    "changeme",
    "changeit",
    "mysecret",
    "password",
    "insecure",
    "example",
    "default",
    "letmein",
    "s3cr3t",
    "secret",
    "qwerty",
    "123456",
    "admin",
    "test",
];

/// Every PEM block starts with this.
const PEM_MARKER: &[u8] = b"-----BEGIN ";

/// Material left once known placeholders are removed must be at least this
/// long, with at least [`MIN_DISTINCT`] different bytes.
const MIN_REMAINDER: usize = 16;
const MIN_DISTINCT: usize = 8;
/// A run of this many bytes with the same step (`aaaaaaaa`, `12345678`).
const MAX_RUN: usize = 8;

/// Checks that `secret` is fit to be an HMAC key for `alg`.
///
/// Refused, in this order, each with its own reason:
/// 1. empty, or a PEM key (a public key used as an HMAC secret is the
///    algorithm-confusion attack of RFC 8725 §2.1);
/// 2. a known default or placeholder (`secret`, `changeme`,
///    `your-256-bit-secret`, … — ignoring case), also when repeated or
///    padded: removing every placeholder must leave at least 16 bytes with
///    8 distinct values;
/// 3. shorter than the hash output (32 bytes for HS256, 48 for HS384, 64 for
///    HS512: RFC 7518 §3.2);
/// 4. fewer than 8 distinct byte values;
/// 5. a short pattern repeated (`abcabcabc…`, any period up to half the length);
/// 6. a run of 8 bytes with the same step: one character repeated
///    (`aaaaaaaa`) or evenly spaced (`12345678`, `abcdefgh`).
///
/// 32 random bytes pass all of these; so does their base64 text used raw.
/// No check can prove a secret random: these catch the defaults and
/// keyboard patterns that real deployments ship with.
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
    let refuse = |reason: &'static str| {
        Error::configuration(setting.to_owned(), reason).with_hint(generate_hint(min_len))
    };
    if secret.is_empty() {
        return Err(refuse("is empty"));
    }
    if secret.windows(PEM_MARKER.len()).any(|w| w == PEM_MARKER) {
        return Err(refuse(
            "is a PEM key, not a shared secret (a public key as HMAC secret is the algorithm-confusion attack)",
        ));
    }
    if is_known_default(secret) {
        return Err(refuse(
            "is a known default or placeholder (possibly repeated or padded)",
        ));
    }
    if secret.len() < min_len {
        return Err(refuse(match alg {
            Algorithm::HS384 => {
                "is shorter than 48 bytes, the HS384 minimum (RFC 7518 section 3.2)"
            }
            Algorithm::HS512 => {
                "is shorter than 64 bytes, the HS512 minimum (RFC 7518 section 3.2)"
            }
            _ => "is shorter than 32 bytes, the HS256 minimum (RFC 7518 section 3.2)",
        }));
    }
    if distinct_bytes(secret) < MIN_DISTINCT {
        return Err(refuse("has fewer than 8 distinct byte values"));
    }
    if smallest_period(secret) <= secret.len() / 2 {
        return Err(refuse("is a short pattern repeated"));
    }
    if let Some(step) = longest_step_run(secret) {
        return Err(refuse(if step == 0 {
            "contains a run of 8 or more identical bytes"
        } else {
            "contains a run of 8 or more evenly spaced bytes (like 12345678)"
        }));
    }
    Ok(())
}

fn generate_hint(min_len: usize) -> Cow<'static, str> {
    let bytes = min_len.max(32).saturating_mul(2).min(64);
    Cow::Owned(format!(
        "generate one with `seckit secret generate --bytes {bytes}` or `openssl rand -base64 {bytes}` and give its encoding (base64)"
    ))
}

fn is_known_default(secret: &[u8]) -> bool {
    let mut rest = Zeroizing::new(secret.to_ascii_lowercase());
    // Longest first, so "jwt_secret" goes before "secret" can split it.
    for word in KNOWN_DEFAULTS {
        let word = word.as_bytes();
        let mut kept = Zeroizing::new(Vec::with_capacity(rest.len()));
        let mut i = 0;
        while i < rest.len() {
            if rest.get(i..i.saturating_add(word.len())) == Some(word) {
                i = i.saturating_add(word.len());
            } else {
                if let Some(&b) = rest.get(i) {
                    kept.push(b);
                }
                i = i.saturating_add(1);
            }
        }
        rest = kept;
    }
    rest.len() < secret.len()
        && (rest.len() < MIN_REMAINDER || distinct_bytes(&rest) < MIN_DISTINCT)
}

fn distinct_bytes(bytes: &[u8]) -> usize {
    let mut seen = [false; 256];
    for &b in bytes {
        if let Some(slot) = seen.get_mut(usize::from(b)) {
            *slot = true;
        }
    }
    seen.iter().filter(|&&s| s).count()
}

/// The smallest p such that `bytes[i] == bytes[i + p]` for every i.
fn smallest_period(bytes: &[u8]) -> usize {
    (1..bytes.len())
        .find(|&p| bytes.iter().zip(bytes.iter().skip(p)).all(|(a, b)| a == b))
        .unwrap_or(bytes.len())
}

/// The step of the first run of [`MAX_RUN`] bytes whose consecutive
/// differences are all equal, if any.
fn longest_step_run(bytes: &[u8]) -> Option<u8> {
    let mut run = 1;
    let mut step = None;
    for pair in bytes.windows(2) {
        let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let d = b.wrapping_sub(a);
        if step == Some(d) {
            run += 1;
        } else {
            step = Some(d);
            run = 2;
        }
        if run >= MAX_RUN {
            return step;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &[u8] = b"kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD";

    fn reason(secret: &[u8], alg: Algorithm) -> String {
        check_hmac_secret(secret, alg).unwrap_err().to_string()
    }

    #[test]
    fn a_random_looking_secret_passes_every_rule() {
        check_hmac_secret(GOOD, Algorithm::HS256).unwrap();
    }

    #[test]
    fn every_listed_default_is_refused_alone_repeated_padded_and_in_any_case() {
        for word in KNOWN_DEFAULTS {
            let upper = word.to_uppercase();
            let repeated = word.repeat(64 / word.len() + 1);
            let padded = format!("{word}{}", "0".repeat(40));
            let padded_short_noise = format!("{word}!!{word}-2024-{word}");
            for candidate in [
                word.to_string(),
                upper,
                repeated,
                padded,
                padded_short_noise,
            ] {
                let r = reason(candidate.as_bytes(), Algorithm::HS256);
                assert!(
                    r.contains("known default") || r.contains("run of 8"),
                    "{word}: {r}"
                );
            }
        }
        // The issue's list, spelled out.
        for word in [
            "secret",
            "changeme",
            "change-me",
            "your-256-bit-secret",
            "your-secret-key",
            "jwt_secret",
            "jwtsecret",
            "default",
            "password",
            "test",
            "dev-secret",
            "supersecret",
            "mysecret",
            "change-me-in-production",
            "please-change-this",
        ] {
            assert!(
                reason(word.as_bytes(), Algorithm::HS256).contains("known default"),
                "{word}"
            );
        }
    }

    #[test]
    fn a_placeholder_word_inside_plenty_of_random_material_is_not_refused() {
        let s = format!("{}test{}", "kR7fQ2mZ9xLw4Tc", "V1bNp8HsJ3yUe6GaD");
        check_hmac_secret(s.as_bytes(), Algorithm::HS256).unwrap();
    }

    #[test]
    fn length_is_the_hash_output_of_the_algorithm() {
        assert!(reason(&GOOD[..31], Algorithm::HS256).contains("shorter than 32 bytes"));
        assert!(reason(GOOD, Algorithm::HS384).contains("shorter than 48 bytes"));
        assert!(reason(GOOD, Algorithm::HS512).contains("shorter than 64 bytes"));
        let long: Vec<u8> = GOOD.iter().chain(GOOD.iter().rev()).copied().collect();
        check_hmac_secret(&long, Algorithm::HS512).unwrap();
    }

    #[test]
    fn low_entropy_shapes_are_refused() {
        assert!(reason(&[0u8; 32], Algorithm::HS256).contains("distinct"));
        assert!(
            reason(b"abcdefgabcdefgabcdefgabcdefgabcdefg", Algorithm::HS256).contains("distinct")
        );
        assert!(
            reason(b"abcdefghiabcdefghiabcdefghiabcdefghi", Algorithm::HS256)
                .contains("pattern repeated")
        );
        assert!(
            reason(b"kR7fQ2mZ9xLw4TcVaaaaaaaaaaaaaaaaaaaa", Algorithm::HS256).contains("identical")
        );
        assert!(
            reason(b"kR7fQ2mZ9xLw4TcV0123456789ABCDEFxyz", Algorithm::HS256)
                .contains("evenly spaced")
        );
        assert!(reason(b"", Algorithm::HS256).contains("empty"));
        assert!(reason(GOOD, Algorithm::RS256).contains("not HMAC"));
        let pem = include_bytes!("../../tests/fixtures/jwt/rsa2048-public.pem");
        assert!(reason(pem, Algorithm::HS256).contains("PEM key"));
    }

    #[test]
    fn errors_never_contain_the_secret_and_hint_at_a_generator() {
        let secret = b"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
        let e = reason(secret, Algorithm::HS256);
        assert!(!e.contains("zzzz"), "{e}");
        assert!(e.contains("openssl rand -base64 64"), "{e}");
    }

    #[test]
    fn decoding_is_strict_and_length_counts_after_decoding() {
        let b64 = SecretString::from("a2VybmVsLWtleS0xMjM0NTY3ODkwYWJjZGVmZ2hpamts");
        let key = decode_secret(&b64, SecretEncoding::Base64).unwrap();
        assert_eq!(key.expose_secret().len(), 33);
        for (text, enc) in [
            (" a2Vy", SecretEncoding::Base64),
            ("a2V5\n", SecretEncoding::Base64),
            ("a-_", SecretEncoding::Base64),
            ("a+/", SecretEncoding::Base64Url),
            ("0g", SecretEncoding::Hex),
            ("abc", SecretEncoding::Hex),
        ] {
            let e = decode_secret(&text.into(), enc).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Configuration, "{text}");
        }
        assert_eq!(
            "BASE64URL".parse::<SecretEncoding>().unwrap(),
            SecretEncoding::Base64Url
        );
    }
}
