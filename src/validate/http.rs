//! HTTP inputs: Basic credentials, origins, URI length, numeric ids.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::{Error, Result, SecretString};

/// The default longest request URI [`check_uri`] accepts, in bytes.
pub const DEFAULT_MAX_URI_LEN: usize = 2048;

/// Credentials from an `Authorization: Basic <base64(user-id:password)>`
/// header (RFC 7617), parsed strictly: the scheme case-insensitive with
/// exactly one space, canonical padded base64, UTF-8, a non-empty user-id
/// without `:` (the first `:` separates), no control characters in either
/// part, the header at most 8 KiB. The password is held as a
/// [`SecretString`] and the decoded buffer is wiped.
///
/// # Example
///
/// ```
/// use seckit::validate::BasicCredentials;
///
/// let c = BasicCredentials::parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")?;
/// assert_eq!(c.user_id(), "Aladdin");
/// assert!(*c.password() == "open sesame");
/// assert!(!format!("{c:?}").contains("sesame"));
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct BasicCredentials {
    user_id: String,
    password: SecretString,
}

impl BasicCredentials {
    /// Parses an `Authorization` header value.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind) (context
    /// `authorization`), with [`AuthReason`](crate::AuthReason)
    /// `MissingCredentials` for another scheme, `TooLarge` over 8 KiB, and
    /// `Malformed` for everything else (not canonical base64, not UTF-8, no
    /// `:`, an empty user-id, a control character); the log text says which.
    /// A header the client sent wrong is a failed authentication (401 with
    /// a challenge), not a bad request.
    pub fn parse(header_value: &str) -> Result<Self> {
        use crate::AuthReason::Malformed;
        use crate::http_auth::refuse;
        let encoded = crate::http_auth::credential(header_value, "Basic")?;
        let decoded = Zeroizing::new(STANDARD.decode(encoded).map_err(|_| {
            refuse(
                Malformed,
                "malformed basic credentials: not canonical base64",
            )
        })?);
        let text = std::str::from_utf8(&decoded)
            .map_err(|_| refuse(Malformed, "malformed basic credentials: not UTF-8"))?;
        let Some((user_id, password)) = text.split_once(':') else {
            return Err(refuse(Malformed, "malformed basic credentials: no colon"));
        };
        if user_id.is_empty() {
            return Err(refuse(
                Malformed,
                "malformed basic credentials: empty user-id",
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(refuse(
                Malformed,
                "malformed basic credentials: control character",
            ));
        }
        Ok(Self {
            user_id: user_id.to_owned(),
            password: SecretString::from(password),
        })
    }

    /// The user-id.
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The password.
    #[must_use]
    pub const fn password(&self) -> &SecretString {
        &self.password
    }
}

/// Checks a request URI (or any URL from a client) against a length limit
/// (default 2048 bytes) and refuses control characters and spaces in it.
///
/// # Errors
///
/// `InvalidInput` with field `uri` and rule `empty`, `too_long` (limit) or
/// `invalid_char`.
///
/// # Example
///
/// ```
/// use seckit::validate::{check_uri, DEFAULT_MAX_URI_LEN};
///
/// check_uri("/orders?page=2", DEFAULT_MAX_URI_LEN)?;
/// assert!(check_uri(&format!("/{}", "a".repeat(3000)), DEFAULT_MAX_URI_LEN).is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn check_uri(uri: &str, max_len: usize) -> Result<()> {
    if uri.is_empty() {
        return Err(Error::invalid("uri", "empty"));
    }
    if uri.len() > max_len {
        return Err(Error::invalid_limit("uri", "too_long", max_len));
    }
    if uri.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid("uri", "invalid_char"));
    }
    Ok(())
}

/// Options for [`PositiveId`].
///
/// # Example
///
/// ```
/// use seckit::validate::{PositiveId, PositiveIdOptions};
///
/// assert!(PositiveId::parse("007").is_err());
/// let mut options = PositiveIdOptions::default();
/// options.allow_leading_zeros = true;
/// assert_eq!(PositiveId::parse_with("007", &options)?.get(), 7);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PositiveIdOptions {
    /// Accept leading zeros (`007`). Off by default, so each id has one spelling.
    pub allow_leading_zeros: bool,
}

/// A positive integer id from a path or query parameter: decimal digits
/// only (no sign, no spaces, no `0x`), no leading zeros by default, 1 to
/// `u64::MAX`.
///
/// # Example
///
/// ```
/// use seckit::validate::PositiveId;
///
/// assert_eq!(PositiveId::parse("42")?.get(), 42);
/// for bad in ["0", "-1", "+1", "042", " 42", "4e2", "18446744073709551616"] {
///     assert!(PositiveId::parse(bad).is_err(), "{bad}");
/// }
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PositiveId(std::num::NonZeroU64);

impl PositiveId {
    /// Parses with the default options.
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `id` and rule `empty`, `not_digits`,
    /// `leading_zero`, `zero` or `too_large`.
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_with(input, &PositiveIdOptions::default())
    }

    /// Parses with `options`.
    ///
    /// # Errors
    ///
    /// As [`PositiveId::parse`].
    pub fn parse_with(input: &str, options: &PositiveIdOptions) -> Result<Self> {
        const FIELD: &str = "id";
        if input.is_empty() {
            return Err(Error::invalid(FIELD, "empty"));
        }
        if !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(FIELD, "not_digits"));
        }
        let digits = input.trim_start_matches('0');
        if digits.is_empty() {
            return Err(Error::invalid(FIELD, "zero"));
        }
        if digits.len() != input.len() && !options.allow_leading_zeros {
            return Err(Error::invalid(FIELD, "leading_zero"));
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| Error::invalid(FIELD, "too_large"))?;
        std::num::NonZeroU64::new(n)
            .map(Self)
            .ok_or_else(|| Error::invalid(FIELD, "zero"))
    }

    /// The id.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0.get()
    }
}

impl std::fmt::Display for PositiveId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for PositiveId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// From a JSON string (`"42"`, validated like [`PositiveId::parse`]) or a
/// positive integer.
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> serde::Deserialize<'de> for PositiveId {
    /// A failure names the rule (`id.zero`) or what was expected; never
    /// the input.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use crate::serde_safe::Failure;

        const EXPECTED: &str = "a positive integer id, as a number or a string";

        struct V<'f>(&'f Failure);
        impl serde::de::Visitor<'_> for V<'_> {
            type Value = PositiveId;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<PositiveId, E> {
                PositiveId::parse(s).map_err(|e| self.0.record(e))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> std::result::Result<PositiveId, E> {
                std::num::NonZeroU64::new(n)
                    .map(PositiveId)
                    .ok_or_else(|| self.0.record(Error::invalid("id", "zero")))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> std::result::Result<PositiveId, E> {
                match u64::try_from(n) {
                    Ok(n) => self.visit_u64(n),
                    Err(_) => Err(self.0.record(Error::invalid("id", "not_digits"))),
                }
            }
        }
        let failure = Failure::default();
        failure.finish(d.deserialize_any(V(&failure)), EXPECTED)
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl serde::Serialize for PositiveId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u64(self.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::OriginAllowList;

    #[cfg(feature = "serde")]
    #[test]
    fn positive_ids_deserialize_from_strings_and_numbers() {
        let id: PositiveId = serde_json::from_str("\"42\"").unwrap();
        assert_eq!(id.get(), 42);
        assert_eq!(serde_json::from_str::<PositiveId>("7").unwrap().get(), 7);
        for bad in ["0", "-1", "\"007\"", "1.5", "\"\""] {
            assert!(serde_json::from_str::<PositiveId>(bad).is_err(), "{bad}");
        }
    }

    fn basic_rule(h: &str) -> crate::AuthReason {
        let e = BasicCredentials::parse(h).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Unauthenticated, "{h}");
        e.auth_reason().unwrap()
    }

    #[test]
    fn basic_credentials_rfc7617() {
        use crate::AuthReason::{Malformed, MissingCredentials};
        let enc = |s: &str| format!("Basic {}", STANDARD.encode(s));
        let c = BasicCredentials::parse(&enc("user:pa:ss")).unwrap();
        assert_eq!(c.user_id(), "user");
        assert!(*c.password() == "pa:ss");
        BasicCredentials::parse(&enc("user:")).unwrap();
        BasicCredentials::parse(&enc("usér:pässwörd")).unwrap();
        assert_eq!(basic_rule(&enc(":pw")), Malformed);
        assert_eq!(basic_rule(&enc("nocolon")), Malformed);
        assert_eq!(basic_rule(&enc("u\u{1}:pw")), Malformed);
        assert_eq!(basic_rule(&enc("u:p\nw")), Malformed);
        assert_eq!(basic_rule("Basic dXNlcjpwdw"), Malformed); // padding missing
        assert!(BasicCredentials::parse("Basic dXNlcjpwdw==").is_ok()); // user:pw
        assert_eq!(basic_rule("Basic dXNlcjpwdw="), Malformed);
        assert_eq!(basic_rule("Basic dXNlcjpwdx=="), Malformed); // stray bits
        assert_eq!(basic_rule("Basic //79/w=="), Malformed); // not UTF-8
        assert_eq!(basic_rule("Bearer dXNlcjpwdw=="), MissingCredentials);
        assert_eq!(basic_rule("Basic  dXNlcjpwdw=="), Malformed);
    }

    #[test]
    fn origins_match_exactly() {
        let list = OriginAllowList::new()
            .allow("https://app.example")
            .unwrap()
            .allow("http://localhost:3000")
            .unwrap()
            .allow_subdomains_of("https://t.example")
            .unwrap();
        for ok in [
            "https://app.example",
            "https://app.example:443",
            "HTTPS://App.Example",
            "http://localhost:3000",
            "https://a.t.example",
            "https://a.b.t.example",
        ] {
            assert!(list.is_allowed(ok), "{ok}");
        }
        for bad in [
            "https://app.example.evil",
            "https://evilapp.example",
            "https://app.example:8443",
            "http://app.example",
            "https://app.example/",
            "https://user@app.example",
            "null",
            "",
            "https://t.example",
            "https://evilt.example",
            "https://x.t.example:444",
            "http://localhost:03000",
            "http://localhost:99999",
            "https://app.example:",
        ] {
            assert!(!list.is_allowed(bad), "{bad}");
        }
        assert!(list.check("null").is_err());
        for bad_config in [
            "app.example",
            "https://*.example",
            "https://app.example/",
            "ftp://x.example",
            "null",
        ] {
            assert_eq!(
                OriginAllowList::new().allow(bad_config).unwrap_err().kind(),
                crate::ErrorKind::Configuration
            );
        }
    }

    #[test]
    fn positive_ids() {
        let rule = |s: &str| {
            PositiveId::parse(s)
                .unwrap_err()
                .violation()
                .unwrap()
                .rule()
        };
        assert_eq!(
            PositiveId::parse("18446744073709551615").unwrap().get(),
            u64::MAX
        );
        assert_eq!(rule("18446744073709551616"), "too_large");
        assert_eq!(rule("0"), "zero");
        assert_eq!(rule("000"), "zero");
        assert_eq!(rule("01"), "leading_zero");
        assert_eq!(rule(""), "empty");
        assert_eq!(rule("١٢"), "not_digits");
        let lax = PositiveIdOptions {
            allow_leading_zeros: true,
        };
        assert_eq!(PositiveId::parse_with("007", &lax).unwrap().get(), 7);
        assert_eq!(rule(&"9".repeat(1000)), "too_large");
    }
}
