//! E-mail addresses: a practical RFC 5321/5322 subset, limits in bytes.

use super::string_newtype;
use crate::{Error, Result};

const FIELD: &str = "email";
/// RFC 5321 §4.5.3.1.3 path limit minus the angle brackets.
const MAX_TOTAL: usize = 254;
/// RFC 5321 §4.5.3.1.1.
const MAX_LOCAL: usize = 64;
/// RFC 5321 §4.5.3.1.2 (255), less what a 254-byte address leaves.
const MAX_DOMAIN: usize = 253;
/// RFC 1035 §2.3.4.
const MAX_LABEL: usize = 63;

/// Options for [`Email`].
///
/// # Example
///
/// ```
/// use seckit::validate::{Email, EmailOptions};
///
/// assert!(Email::parse("root@localhost").is_err());
/// let mut options = EmailOptions::default();
/// options.allow_single_label_domain = true; // internal mail only
/// assert!(Email::parse_with("root@localhost", &options).is_ok());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmailOptions {
    /// Accept a quoted local part (`"john doe"@example.org`). Off by default:
    /// legal but rare, and a frequent source of parser disagreements.
    pub allow_quoted_local: bool,
    /// Accept a domain without a dot (`user@localhost`). Off by default.
    pub allow_single_label_domain: bool,
}

/// An e-mail address: `local@domain`, where `local` is an RFC 5322
/// dot-atom (ASCII letters, digits and ``!#$%&'*+-/=?^_`{|}~``, dots not
/// first, last or doubled) of at most 64 bytes, and `domain` is at least two
/// LDH labels of at most 63 bytes (at most 253 bytes in all), the last not
/// all digits; at most 254 bytes in all.
///
/// Refused: display names, comments, IP-literal domains, quoted local parts
/// (unless [`EmailOptions::allow_quoted_local`]) and **internationalized
/// domain names**: convert them to their `xn--` A-label form first (the
/// `idna` crate does), so that look-alike Unicode domains are an explicit
/// decision of the application, not a default of this type. Non-ASCII local
/// parts (RFC 6531) are refused too.
///
/// The domain is lower-cased; the local part is kept as given (RFC 5321
/// lets the receiving server decide its case sensitivity).
///
/// # Example
///
/// ```
/// use seckit::validate::Email;
///
/// let e = Email::parse("Grace.Hopper+navy@Example.COM")?;
/// assert_eq!(e.as_str(), "Grace.Hopper+navy@example.com");
/// assert_eq!((e.local_part(), e.domain()), ("Grace.Hopper+navy", "example.com"));
/// assert_eq!(Email::parse("grace@bücher.example").unwrap_err().violation().unwrap().rule(), "idn_not_supported");
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Parses with the default options.
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `email` and rule `empty`, `too_long`
    /// (limit 254), `malformed` (no single `@`), `local_too_long` (64),
    /// `invalid_local`, `domain_too_long` (253), `label_too_long` (63),
    /// `invalid_domain` or `idn_not_supported`.
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_with(input, &EmailOptions::default())
    }

    /// Parses with `options`.
    ///
    /// # Errors
    ///
    /// As [`Email::parse`].
    pub fn parse_with(input: &str, options: &EmailOptions) -> Result<Self> {
        let at = check(input, options)?;
        let mut out = String::with_capacity(input.len());
        out.push_str(input.get(..at).unwrap_or_default());
        for b in input.bytes().skip(at) {
            out.push(char::from(b.to_ascii_lowercase()));
        }
        Ok(Self(out))
    }

    /// Checks `input` without building an `Email` (no allocation).
    ///
    /// # Errors
    ///
    /// As [`Email::parse`].
    pub fn check(input: &str) -> Result<()> {
        check(input, &EmailOptions::default()).map(|_| ())
    }

    /// The part before the `@`, as given.
    #[must_use]
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }

    /// The domain, lower-cased.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

string_newtype!(Email);

/// Validates and returns the index of the separating `@`.
fn check(input: &str, options: &EmailOptions) -> Result<usize> {
    if input.is_empty() {
        return Err(Error::invalid(FIELD, "empty"));
    }
    if input.len() > MAX_TOTAL {
        return Err(Error::invalid_limit(FIELD, "too_long", MAX_TOTAL));
    }
    let Some(at) = input.rfind('@') else {
        return Err(Error::invalid(FIELD, "malformed"));
    };
    let (local, domain) = (
        input.get(..at).unwrap_or_default(),
        input.get(at.saturating_add(1)..).unwrap_or_default(),
    );
    check_local(local, options)?;
    check_domain(domain, options)?;
    Ok(at)
}

fn check_local(local: &str, options: &EmailOptions) -> Result<()> {
    if local.is_empty() {
        return Err(Error::invalid(FIELD, "malformed"));
    }
    if local.len() > MAX_LOCAL {
        return Err(Error::invalid_limit(FIELD, "local_too_long", MAX_LOCAL));
    }
    let bytes = local.as_bytes();
    if options.allow_quoted_local
        && bytes.len() >= 2
        && bytes.first() == Some(&b'"')
        && bytes.last() == Some(&b'"')
    {
        let inner = bytes.get(1..bytes.len().saturating_sub(1));
        return check_quoted(inner.unwrap_or_default());
    }
    if bytes.contains(&b'@') {
        return Err(Error::invalid(FIELD, "malformed"));
    }
    if !local.is_ascii() {
        return Err(Error::invalid(FIELD, "invalid_local"));
    }
    dot_atom(bytes)
        .then_some(())
        .ok_or_else(|| Error::invalid(FIELD, "invalid_local"))
}

/// RFC 5322 §3.2.3 dot-atom-text.
fn dot_atom(bytes: &[u8]) -> bool {
    bytes
        .split(|&b| b == b'.')
        .all(|atom| !atom.is_empty() && atom.iter().all(|&b| is_atext(b)))
}

const fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        )
}

/// RFC 5322 §3.2.4 quoted-string content: qtext (printable ASCII but `"`
/// and `\`) or quoted-pair (`\` + printable ASCII or space).
fn check_quoted(inner: &[u8]) -> Result<()> {
    let mut escaped = false;
    for &b in inner {
        let printable = (0x20..=0x7e).contains(&b);
        if escaped {
            if !printable {
                return Err(Error::invalid(FIELD, "invalid_local"));
            }
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if !printable || b == b'"' {
            return Err(Error::invalid(FIELD, "invalid_local"));
        }
    }
    if escaped {
        return Err(Error::invalid(FIELD, "invalid_local"));
    }
    Ok(())
}

fn check_domain(domain: &str, options: &EmailOptions) -> Result<()> {
    if domain.is_empty() {
        return Err(Error::invalid(FIELD, "malformed"));
    }
    if domain.len() > MAX_DOMAIN {
        return Err(Error::invalid_limit(FIELD, "domain_too_long", MAX_DOMAIN));
    }
    if !domain.is_ascii() {
        return Err(Error::invalid(FIELD, "idn_not_supported"));
    }
    let mut labels = 0usize;
    let mut last: &str = "";
    for label in domain.split('.') {
        if label.len() > MAX_LABEL {
            return Err(Error::invalid_limit(FIELD, "label_too_long", MAX_LABEL));
        }
        let b = label.as_bytes();
        let ldh = !b.is_empty()
            && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
            && b.first() != Some(&b'-')
            && b.last() != Some(&b'-');
        if !ldh {
            return Err(Error::invalid(FIELD, "invalid_domain"));
        }
        labels = labels.saturating_add(1);
        last = label;
    }
    if labels < 2 && !options.allow_single_label_domain {
        return Err(Error::invalid(FIELD, "invalid_domain"));
    }
    if last.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(FIELD, "invalid_domain"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: &str) -> &'static str {
        Email::parse(s).unwrap_err().violation().unwrap().rule()
    }

    #[test]
    fn valid_addresses() {
        for ok in [
            "a@b.co",
            "first.last@sub.example.org",
            "x+tag@example.com",
            "!#$%&'*+-/=?^_`{|}~@example.com",
            "user@xn--bcher-kva.example",
            "u@a-b.c-d.example",
        ] {
            assert_eq!(Email::parse(ok).unwrap().as_str(), ok, "{ok}");
        }
        let long_local = format!("{}@example.com", "a".repeat(64));
        Email::parse(&long_local).unwrap();
    }

    #[test]
    fn refusals_name_the_rule() {
        assert_eq!(rule(""), "empty");
        assert_eq!(rule("plainaddress"), "malformed");
        assert_eq!(rule("@example.com"), "malformed");
        assert_eq!(rule("a@"), "malformed");
        assert_eq!(rule("a@@example.com"), "malformed");
        assert_eq!(rule("a@b@example.com"), "malformed");
        assert_eq!(rule(".a@example.com"), "invalid_local");
        assert_eq!(rule("a.@example.com"), "invalid_local");
        assert_eq!(rule("a..b@example.com"), "invalid_local");
        assert_eq!(rule("a b@example.com"), "invalid_local");
        assert_eq!(rule("\"a b\"@example.com"), "invalid_local");
        assert_eq!(rule("mıke@example.org"), "invalid_local");
        assert_eq!(rule("John <j@example.com>"), "invalid_local");
        assert_eq!(rule("j@example.com (comment)"), "invalid_domain");
        assert_eq!(rule("a@localhost"), "invalid_domain");
        assert_eq!(rule("a@[127.0.0.1]"), "invalid_domain");
        assert_eq!(rule("a@1.2.3.4"), "invalid_domain");
        assert_eq!(rule("a@-x.com"), "invalid_domain");
        assert_eq!(rule("a@x-.com"), "invalid_domain");
        assert_eq!(rule("a@x..com"), "invalid_domain");
        assert_eq!(rule("a@x.com."), "invalid_domain");
        assert_eq!(rule("a@bücher.de"), "idn_not_supported");
        assert_eq!(
            rule(&format!("{}@example.com", "a".repeat(65))),
            "local_too_long"
        );
        assert_eq!(rule(&format!("a@{}.com", "b".repeat(64))), "label_too_long");
        let long_domain = format!("a@{}x.com", "b.".repeat(130));
        assert_eq!(rule(&long_domain), "too_long");
        assert_eq!(rule(&format!("a@{}", "b".repeat(300))), "too_long");
    }

    #[test]
    fn limits_are_bytes_not_characters() {
        // 254 bytes in all is the ceiling, however it is split.
        let domain = format!(
            "{}.{}.{}.{}",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(59)
        );
        let addr = format!("x@{domain}");
        assert_eq!(addr.len(), 253);
        Email::parse(&addr).unwrap();
        assert_eq!(rule(&format!("xy@{domain}x")), "too_long");
    }

    #[test]
    fn quoted_local_parts_only_when_enabled() {
        let opts = EmailOptions {
            allow_quoted_local: true,
            ..EmailOptions::default()
        };
        Email::parse_with("\"john doe\"@example.org", &opts).unwrap();
        Email::parse_with("\"a\\\"b\"@example.org", &opts).unwrap();
        assert!(Email::parse_with("\"a\"b\"@example.org", &opts).is_err());
        assert!(Email::parse_with("\"a\\\"@example.org", &opts).is_err());
        let single = EmailOptions {
            allow_single_label_domain: true,
            ..EmailOptions::default()
        };
        Email::parse_with("root@localhost", &single).unwrap();
    }
}
