//! Parse, don't validate: types that can only hold valid values, for input
//! that must be refused before it reaches storage, logs, shells, file
//! systems, SQL or key-value stores.
//!
//! Each type has `parse(&str)` (documented defaults) and, where limits vary
//! between applications, `parse_with(&str, &Options)`; plus `FromStr`,
//! `TryFrom<&str>`/`TryFrom<String>`, `Display`, `Deref<Target = str>`, and
//! with the `serde` feature a `Deserialize` that validates, so a request
//! struct deserialized with serde is already valid.
//!
//! What this module refuses, with [`ErrorKind::InvalidInput`](crate::ErrorKind)
//! and a [`Violation`](crate::Violation) naming the field and the rule (never
//! the value): usernames outside `[A-Za-z0-9_-]` or mixed-script look-alikes
//! in the Unicode profile; e-mail addresses outside a practical RFC 5321
//! subset; control and bidi-override characters in text (Trojan Source);
//! separators and glob characters in key-value key segments; SQL
//! identifiers PostgreSQL would silently truncate; paths that could leave
//! their root (`..`, absolute, backslashes, percent-encoding, drive and UNC
//! prefixes, Windows device names); malformed `Authorization` headers and
//! origins not exactly on an allow-list; outbound URLs that point into the
//! server's own network ([`OutboundUrl`]: SSRF).
//!
//! Nothing here uses regular expressions; parsing valid input allocates at
//! most the owned result, and every length limit is checked before the
//! characters are looked at.
//!
//! # Example
//!
//! ```
//! use seckit::validate::{Email, Report, Text, Username};
//!
//! let name = Username::parse("ada_lovelace")?;
//! let email = Email::parse("Ada@Example.ORG")?;
//! assert_eq!(email.as_str(), "Ada@example.org"); // domain lower-cased, local part kept
//! assert_eq!(name.unique_key(), "ada_lovelace");
//!
//! // A form: every violation, each with its field and a stable code.
//! let mut report = Report::new();
//! let _ = report.check(Username::parse("ada lovelace"));
//! let _ = report.check_field("contact", Email::parse("ada@@example.org"));
//! let _ = report.check(Text::parse("hello\u{202E}dlrow"));
//! let codes: Vec<String> = report.violations().iter().map(|v| v.code()).collect();
//! assert_eq!(codes, ["username.invalid_char", "contact.malformed", "text.bidi_control"]);
//! # Ok::<(), seckit::Error>(())
//! ```

mod email;
pub mod html;
mod http;
mod kv;
mod outbound;
mod path;
mod report;
mod sql;
mod tags;
mod text;
mod username;

pub use crate::origin::OriginAllowList;
pub use email::{Email, EmailOptions};
pub use http::{BasicCredentials, DEFAULT_MAX_URI_LEN, PositiveId, PositiveIdOptions, check_uri};
pub use kv::{KvKey, KvKeyBuilder};
pub use outbound::{
    MAX_OUTBOUND_URL_LEN, MAX_RESOLVED_ADDRS, OutboundHost, OutboundPolicy, OutboundUrl,
    ResolvedUrl, special_purpose,
};
pub use path::{Filename, FilenameOptions, safe_join, safe_join_existing};
pub use report::Report;
pub use sql::{SqlDialect, SqlIdentifier, SqlOptions};
pub use tags::{Tag, TagOptions, Tags};
pub use text::{Text, TextOptions};
pub use username::{UnicodeUsername, UniqueKey, UserId, Username, UsernameOptions};

use crate::Result;

/// The token of an `Authorization: Bearer <token>` header value: the same
/// parser as [`jwt::bearer_token`](crate::jwt::bearer_token) (one
/// implementation, shared), available without the `jwt` feature.
///
/// # Errors
///
/// [`ErrorKind::Unauthenticated`](crate::ErrorKind), with the reasons of
/// [`jwt::bearer_token`](crate::jwt::bearer_token).
///
/// # Example
///
/// ```
/// assert_eq!(seckit::validate::bearer_token("Bearer abc.def")?, "abc.def");
/// assert!(seckit::validate::bearer_token("Bearer  abc").is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn bearer_token(header_value: &str) -> Result<&str> {
    crate::http_auth::credential(header_value, "Bearer")
}

/// Implements the string-newtype traits for a validated type with
/// `parse(&str) -> Result<Self>` and a `String` field `.0`.
macro_rules! string_newtype {
    ($ty:ident) => {
        impl $ty {
            /// The validated value.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The validated value, owned.
            #[must_use]
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::ops::Deref for $ty {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $ty {
            type Err = crate::Error;
            fn from_str(s: &str) -> crate::Result<Self> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = crate::Error;
            fn try_from(s: &str) -> crate::Result<Self> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = crate::Error;
            fn try_from(s: String) -> crate::Result<Self> {
                Self::parse(&s)
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0
            }
        }

        /// Validates like `parse`. A failure names the rule
        /// (`invalid input: username.invalid_char`) or, for a value that is
        /// not a string, what was expected; never the input.
        #[cfg(feature = "serde")]
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                crate::serde_safe::parse_str(
                    d,
                    concat!("a string holding a valid ", stringify!($ty)),
                    $ty::parse,
                )
            }
        }

        #[cfg(feature = "serde")]
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}
pub(crate) use string_newtype;

/// Whether a character is refused everywhere text is accepted: C0 and C1
/// controls and DEL, except the line and tab controls when `allow_lines`.
pub(crate) fn is_refused_control(c: char, allow_lines: bool) -> bool {
    if allow_lines && matches!(c, '\n' | '\r' | '\t') {
        return false;
    }
    c.is_control()
}

/// Unicode bidirectional embedding, override and isolate controls (Trojan
/// Source, CVE-2021-42574): LRE RLE PDF LRO RLO, LRI RLI FSI PDI.
pub(crate) const fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The rule an invisible formatting character breaks, if `c` is one: a
/// bidi control (`bidi_control`, as in [`Text`]) or any other character of
/// Unicode general category Cf (`format_char`: zero-width spaces and
/// joiners, bidi marks, the soft hyphen, the BOM, tag characters). They
/// change how a name displays without being seen (`invoice\u{202E}fdp.exe`
/// shows as `invoiceexe.pdf`), so names refuse them all.
pub(crate) fn format_char_rule(c: char) -> Option<&'static str> {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};
    if is_bidi_control(c) {
        Some("bidi_control")
    } else if c.general_category() == GeneralCategory::Format {
        Some("format_char")
    } else {
        None
    }
}

/// Windows reserved device names, in any case, as the whole name or before
/// the first dot (`con`, `CON.txt`, `com1.tar.gz`), with trailing dots and
/// spaces ignored (Windows strips them). Superscript digits count too.
pub(crate) fn is_windows_device_name(component: &str) -> bool {
    let trimmed = component.trim_end_matches(['.', ' ']);
    let stem = trimmed
        .split('.')
        .next()
        .unwrap_or(trimmed)
        .trim_end_matches(' ');
    if ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
        .iter()
        .any(|name| stem.eq_ignore_ascii_case(name))
    {
        return true;
    }
    let (Some(prefix), Some(digit)) = (stem.get(..3), stem.get(3..)) else {
        return false;
    };
    (prefix.eq_ignore_ascii_case("COM") || prefix.eq_ignore_ascii_case("LPT"))
        && matches!(
            digit,
            "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
        )
}
