//! Strength rules for secrets that key an HMAC, shared by every module
//! that has one (JWT today; webhooks, CSRF tokens, TURN credentials and
//! sessions as they land), and the text encodings such secrets are given
//! in. Always compiled: a build without `jwt` decodes and checks its keys
//! with the same rules.
//!
//! [`check_hmac_key`] refuses, each with its own reason and a hint on how
//! to generate a good key: an empty key, a PEM key (the algorithm-confusion
//! attack of RFC 8725 §2.1), a known default or placeholder (`secret`,
//! `changeme`, `your-256-bit-secret`, … also repeated or padded), a key
//! shorter than the hash output, fewer than 8 distinct byte values, a short
//! pattern repeated, and a run of 8 evenly spaced bytes. No check can prove
//! a key random: these catch the defaults and keyboard patterns that real
//! deployments ship with.
//!
//! [`decode_secret`] turns text into key bytes with an encoding chosen
//! explicitly ([`SecretEncoding`]), never guessed.
//!
//! # Example
//!
//! ```
//! use seckit::config::Loader;
//! use seckit::strength::{self, SecretEncoding};
//!
//! // `seckit secret generate --bytes 64` prints base64url:
//! let generated = seckit::random::secret(64)?;
//! let mut cfg = Loader::from_vars([("WEBHOOK_SECRET", generated.expose_secret().as_str())]);
//! let key = cfg.required_secret_bytes("WEBHOOK_SECRET", SecretEncoding::Base64Url)?;
//! strength::check_hmac_key(key.value().expose_secret(), 32)?;
//!
//! let weak = strength::check_hmac_key(b"changeme-changeme-changeme-changeme", 32).unwrap_err();
//! assert_eq!(weak.kind(), seckit::ErrorKind::Configuration);
//! # Ok::<(), seckit::Error>(())
//! ```

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use zeroize::Zeroizing;

use crate::{Error, Result, SecretBytes, SecretString};

/// The shortest HMAC key [`check_hmac_key`] accepts whatever it is asked:
/// 32 bytes, the output of SHA-256 (RFC 7518 §3.2, RFC 2104 §3).
pub const MIN_HMAC_KEY_LEN: usize = 32;

/// How a secret given as text is turned into key bytes. Chosen explicitly:
/// seckit never guesses whether `"c2VjcmV0..."` is base64 or a passphrase.
///
/// Every encoding but `Raw` accepts the text wrapped in lines (`\n` or
/// `\r\n` between lines, as `openssl rand -base64 64`, `base64` and PEM
/// write it, and as secret stores keep it); the lines are joined and then
/// decoded strictly. Nothing else is skipped: no spaces, no empty lines.
///
/// # Example
///
/// ```
/// use seckit::SecretString;
/// use seckit::strength::{SecretEncoding, decode_secret};
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
    /// URL-safe base64 (`-_`), padding optional: what
    /// [`random::secret`](crate::random::secret) and `seckit secret
    /// generate` print.
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
            Error::configuration("secret_encoding", "not a supported encoding")
                .with_hint("use raw, base64, base64url or hex")
        })
    }
}

const INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, INDIFFERENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, INDIFFERENT);

/// Decodes a secret given as text. Decoding is strict (no whitespace but
/// line breaks between lines, no stray characters, canonical trailing
/// bits); the decoded length is what [`check_hmac_key`] measures.
///
/// # Errors
///
/// [`ErrorKind::Configuration`](crate::ErrorKind) when the text is not valid
/// in the chosen encoding. The message never contains the text.
///
/// # Example
///
/// ```
/// use seckit::strength::{SecretEncoding, decode_secret};
///
/// let key = decode_secret(&"00ff".into(), SecretEncoding::Hex)?;
/// assert_eq!(key.expose_secret().as_slice(), &[0x00, 0xff]);
/// // `openssl rand -base64 64` wraps at 64 characters (sample output):
/// let wrapped = "CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYar0PUaP2SJrtP4HUJnjLHW\n+yBFao+02f4jSG2St9wBJg==\n";
/// assert_eq!(decode_secret(&wrapped.into(), SecretEncoding::Base64)?.expose_secret().len(), 64);
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn decode_secret(text: &SecretString, encoding: SecretEncoding) -> Result<SecretBytes> {
    decode_named(text, encoding, "secret")
}

/// [`decode_secret`], with errors naming `setting`.
pub(crate) fn decode_named(
    text: &SecretString,
    encoding: SecretEncoding,
    setting: &str,
) -> Result<SecretBytes> {
    let text = text.expose_secret().as_bytes();
    let bad = |reason| Error::configuration(setting.to_owned(), reason);
    if encoding == SecretEncoding::Raw {
        return Ok(SecretBytes::new(text.to_vec()));
    }
    let joined = unwrap_lines(text).ok_or_else(|| bad("has blank lines or stray whitespace"))?;
    let bytes = match encoding {
        SecretEncoding::Raw | SecretEncoding::Base64 => STANDARD
            .decode(&*joined)
            .map_err(|_| bad("is not valid base64"))?,
        SecretEncoding::Base64Url => URL_SAFE
            .decode(&*joined)
            .map_err(|_| bad("is not valid base64url"))?,
        SecretEncoding::Hex => {
            base16ct::mixed::decode_vec(&*joined).map_err(|_| bad("is not valid hex"))?
        }
    };
    Ok(SecretBytes::new(bytes))
}

/// The text with the line breaks between its lines removed (`\n` or
/// `\r\n`; a final one too). `None` for an empty line or a `\r` anywhere
/// else. The copy is wiped on drop.
fn unwrap_lines(text: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::with_capacity(text.len()));
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    if body.is_empty() {
        return Some(out);
    }
    for line in body.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line.contains(&b'\r') {
            return None;
        }
        out.extend_from_slice(line);
    }
    Some(out)
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

/// Checks that `key` is fit to key an HMAC whose hash output is `min_len`
/// bytes (32 for SHA-256, 48 for SHA-384, 64 for SHA-512); a `min_len`
/// under [`MIN_HMAC_KEY_LEN`] counts as that.
///
/// Refused, in this order, each with its own reason:
/// 1. empty, or a PEM key (a public key used as an HMAC secret is the
///    algorithm-confusion attack of RFC 8725 §2.1);
/// 2. a known default or placeholder (`secret`, `changeme`,
///    `your-256-bit-secret`, … — ignoring case), also when repeated or
///    padded: removing every placeholder must leave at least 16 bytes with
///    8 distinct values;
/// 3. shorter than `min_len` (RFC 7518 §3.2 for JWTs: the hash output);
/// 4. fewer than 8 distinct byte values;
/// 5. a short pattern repeated (`abcabcabc…`, any period up to half the length);
/// 6. a run of 8 bytes with the same step: one character repeated
///    (`aaaaaaaa`) or evenly spaced (`12345678`, `abcdefgh`).
///
/// 32 random bytes pass all of these; so does their base64 text used raw.
///
/// # Errors
///
/// [`ErrorKind::Configuration`](crate::ErrorKind) naming the rule, with a
/// hint on generating a good key; never the key.
///
/// # Example
///
/// ```
/// use seckit::strength::check_hmac_key;
///
/// let err = check_hmac_key(b"secretsecretsecretsecretsecretsecret", 32).unwrap_err();
/// assert!(err.to_string().contains("known default"));
/// let err = check_hmac_key(b"Tr0ub4dor&3", 32).unwrap_err();
/// assert!(err.to_string().contains("shorter than 32 bytes"));
/// let key = seckit::random::secret_bytes(32)?;
/// check_hmac_key(key.expose_secret(), 32)?;
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn check_hmac_key(key: &[u8], min_len: usize) -> Result<()> {
    check_named(key, min_len, "secret")
}

/// [`check_hmac_key`], with errors naming `setting`.
pub(crate) fn check_named(secret: &[u8], min_len: usize, setting: &str) -> Result<()> {
    check_with_floor(secret, min_len.max(MIN_HMAC_KEY_LEN), setting)
}

/// Every rule of [`check_hmac_key`], with a length floor below 32 bytes
/// where a published format fixes one: Standard Webhooks secrets are 24 to
/// 64 bytes ("at least 24 bytes (192 bits)").
#[cfg_attr(not(feature = "webhook"), allow(dead_code))]
pub(crate) fn check_with_floor(secret: &[u8], min_len: usize, setting: &str) -> Result<()> {
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
        return Err(refuse(match min_len {
            32 => "is shorter than 32 bytes, the HS256 minimum (RFC 7518 section 3.2)",
            48 => "is shorter than 48 bytes, the HS384 minimum (RFC 7518 section 3.2)",
            64 => "is shorter than 64 bytes, the HS512 minimum (RFC 7518 section 3.2)",
            24 => "is shorter than 24 bytes, the Standard Webhooks minimum",
            _ => "is shorter than the minimum length for this key",
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

/// The bytes a generated key should have: twice the minimum, at most 64.
fn generate_bytes(min_len: usize) -> usize {
    min_len.max(MIN_HMAC_KEY_LEN).saturating_mul(2).min(64)
}

/// How to make a key that passes, with the encoding each generator's
/// output needs (issue 13: `seckit secret generate` prints base64url, and
/// `openssl rand -base64` wraps its output in lines, which
/// [`decode_secret`] accepts).
pub(crate) fn generate_hint(min_len: usize) -> Cow<'static, str> {
    let bytes = generate_bytes(min_len);
    Cow::Owned(format!(
        "generate one with `seckit secret generate --bytes {bytes}` (encoding base64url) or `openssl rand -base64 {bytes}` (encoding base64)"
    ))
}

/// [`generate_hint`] naming the variables to set, for loaders of
/// environment configuration.
#[cfg_attr(not(feature = "jwt"), allow(dead_code))]
pub(crate) fn generate_hint_for(
    min_len: usize,
    var: &str,
    encoding_var: &str,
) -> Cow<'static, str> {
    let bytes = generate_bytes(min_len);
    Cow::Owned(format!(
        "set {var} (or {var}_FILE) to the output of `seckit secret generate --bytes {bytes}` with {encoding_var}=base64url, or of `openssl rand -base64 {bytes}` with {encoding_var}=base64"
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
    let mut run: usize = 1;
    let mut step = None;
    for pair in bytes.windows(2) {
        let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let d = b.wrapping_sub(a);
        if step == Some(d) {
            run = run.saturating_add(1);
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

    fn reason(secret: &[u8], min_len: usize) -> String {
        check_hmac_key(secret, min_len).unwrap_err().to_string()
    }

    #[test]
    fn a_random_looking_secret_passes_every_rule() {
        check_hmac_key(GOOD, 32).unwrap();
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
                let r = reason(candidate.as_bytes(), 32);
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
                reason(word.as_bytes(), 32).contains("known default"),
                "{word}"
            );
        }
    }

    #[test]
    fn a_placeholder_word_inside_plenty_of_random_material_is_not_refused() {
        let s = format!("{}test{}", "kR7fQ2mZ9xLw4Tc", "V1bNp8HsJ3yUe6GaD");
        check_hmac_key(s.as_bytes(), 32).unwrap();
    }

    #[test]
    fn length_is_the_hash_output_of_the_algorithm() {
        assert!(reason(&GOOD[..31], 32).contains("shorter than 32 bytes"));
        assert!(reason(GOOD, 48).contains("shorter than 48 bytes"));
        assert!(reason(GOOD, 64).contains("shorter than 64 bytes"));
        let long: Vec<u8> = GOOD.iter().chain(GOOD.iter().rev()).copied().collect();
        check_hmac_key(&long, 64).unwrap();
    }

    #[test]
    fn low_entropy_shapes_are_refused() {
        assert!(reason(&[0u8; 32], 32).contains("distinct"));
        assert!(reason(b"abcdefgabcdefgabcdefgabcdefgabcdefg", 32).contains("distinct"));
        assert!(reason(b"abcdefghiabcdefghiabcdefghiabcdefghi", 32).contains("pattern repeated"));
        assert!(reason(b"kR7fQ2mZ9xLw4TcVaaaaaaaaaaaaaaaaaaaa", 32).contains("identical"));
        assert!(reason(b"kR7fQ2mZ9xLw4TcV0123456789ABCDEFxyz", 32).contains("evenly spaced"));
        assert!(reason(b"", 32).contains("empty"));
        let pem = include_bytes!("../../tests/fixtures/jwt/rsa2048-public.pem");
        assert!(reason(pem, 32).contains("PEM key"));
    }

    #[test]
    fn errors_never_contain_the_secret_and_hint_at_a_generator() {
        let secret = b"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
        let e = reason(secret, 32);
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
            ("a2V5 ", SecretEncoding::Base64),
            ("a2\n\nV5", SecretEncoding::Base64),
            ("\na2V5", SecretEncoding::Base64),
            ("a2\rV5", SecretEncoding::Base64),
            ("a2\n V5", SecretEncoding::Base64),
            ("a2V5\n\n", SecretEncoding::Base64),
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

    /// Issue 13, item 13: line-wrapped text decodes (what `openssl rand
    /// -base64 64` prints, and what secret stores keep), in every encoding
    /// but raw; the bytes are those of the joined lines.
    #[test]
    fn wrapped_text_decodes_to_the_joined_lines() {
        let key: Vec<u8> = (0u8..64)
            .map(|i| i.wrapping_mul(37).wrapping_add(11))
            .collect();
        let std_text = base64::engine::general_purpose::STANDARD.encode(&key);
        let url_text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&key);
        let hex_text = base16ct::lower::encode_string(&key);
        for (text, enc) in [
            (std_text, SecretEncoding::Base64),
            (url_text, SecretEncoding::Base64Url),
            (hex_text, SecretEncoding::Hex),
        ] {
            for width in [64usize, 76, 60, 1] {
                let lines: Vec<&str> = text
                    .as_bytes()
                    .chunks(width)
                    .map(|c| std::str::from_utf8(c).unwrap())
                    .collect();
                for (sep, end) in [("\n", "\n"), ("\r\n", "\r\n"), ("\n", "")] {
                    let wrapped = format!("{}{end}", lines.join(sep));
                    let got = decode_secret(&wrapped.as_str().into(), enc).unwrap();
                    assert_eq!(got.expose_secret(), &key, "{enc:?} width {width}");
                }
            }
        }
        // Raw keeps every byte, line breaks included.
        let raw = decode_secret(&"a\nb".into(), SecretEncoding::Raw).unwrap();
        assert_eq!(raw.expose_secret().as_slice(), b"a\nb");
    }
}
