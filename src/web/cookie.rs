//! `Set-Cookie` values that keep the `__Host-` prefix's promises, and a
//! bounded reader of the `Cookie` header.

use std::fmt;
use std::time::Duration;

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};

use crate::{Error, Result, SecretString};

/// The longest `Cookie` header (all lines together) read: 16 KiB.
pub const MAX_COOKIE_HEADER_BYTES: usize = 16 * 1024;
/// The longest cookie (name, value and attributes) built: 4096 bytes, the
/// size every browser keeps (RFC 6265 §6.1).
pub const MAX_COOKIE_BYTES: usize = 4096;

const HOST_PREFIX: &str = "__Host-";
const SECURE_PREFIX: &str = "__Secure-";

/// `SameSite`: `Lax` by default (the cookie is sent on top-level
/// navigations from other sites, not on their forms' POSTs, frames or
/// fetches); `Strict` for a cookie no other site's link should carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SameSite {
    /// `SameSite=Lax`.
    #[default]
    Lax,
    /// `SameSite=Strict`.
    Strict,
}

/// A cookie to set, checked when it becomes a header value.
///
/// [`Cookie::host`] and [`Cookie::session`] build the safe kind:
/// `__Host-` prefixed, `Secure`, `Path=/`, no `Domain` (so no sibling
/// subdomain can set or overwrite it), `HttpOnly`, `SameSite=Lax`.
/// [`to_header_value`](Self::to_header_value) refuses a cookie whose
/// `__Host-` or `__Secure-` prefix (in any letter case, as browsers match
/// it) its attributes break. The value is a secret: Debug shows the name
/// only.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use seckit::web::Cookie;
///
/// let sid = seckit::random::token_id()?;
/// let cookie = Cookie::session("session", &sid)?.max_age(Duration::from_secs(8 * 3600));
/// let header = cookie.to_header_value()?;
/// assert!(header.to_str().unwrap().starts_with("__Host-session="));
/// assert!(header.to_str().unwrap().ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=28800"));
///
/// // A `__Host-` cookie with a Domain breaks the prefix: refused.
/// assert!(Cookie::host("__Host-csrf", &sid)?.domain("example.com").to_header_value().is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone)]
pub struct Cookie {
    name: String,
    value: SecretString,
    path: Option<String>,
    domain: Option<String>,
    secure: bool,
    http_only: bool,
    same_site: SameSite,
    max_age: Option<Duration>,
}

impl fmt::Debug for Cookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cookie")
            .field("name", &self.name)
            .field("value", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl Cookie {
    /// A `__Host-` cookie: `name` gets the prefix if it lacks it; `Secure`,
    /// `HttpOnly`, `Path=/`, `SameSite=Lax`, no `Domain`, a session cookie
    /// (no `Max-Age`).
    ///
    /// # Errors
    ///
    /// `InvalidInput` when the name is not an RFC 6265 token or the value
    /// holds a character a cookie value cannot (space, `"`, `,`, `;`, `\`,
    /// controls, non-ASCII).
    pub fn host(name: &str, value: &SecretString) -> Result<Self> {
        let name = if has_prefix(name, HOST_PREFIX) {
            name.to_owned()
        } else {
            format!("{HOST_PREFIX}{name}")
        };
        Self::check_name(&name)?;
        check_value(value.expose_secret())?;
        Ok(Self {
            name,
            value: value.clone(),
            path: Some("/".to_owned()),
            domain: None,
            secure: true,
            http_only: true,
            same_site: SameSite::Lax,
            max_age: None,
        })
    }

    /// The session cookie: [`Cookie::host`] (`__Host-`, `HttpOnly`,
    /// `SameSite=Lax`).
    ///
    /// # Errors
    ///
    /// As [`Cookie::host`].
    pub fn session(name: &str, value: &SecretString) -> Result<Self> {
        Self::host(name, value)
    }

    /// A cookie named exactly `name`, with the attributes you set: `Secure`
    /// and `HttpOnly` on, `SameSite=Lax`, no path, no domain.
    ///
    /// # Errors
    ///
    /// As [`Cookie::host`].
    pub fn new(name: &str, value: &SecretString) -> Result<Self> {
        Self::check_name(name)?;
        check_value(value.expose_secret())?;
        Ok(Self {
            name: name.to_owned(),
            value: value.clone(),
            path: None,
            domain: None,
            secure: true,
            http_only: true,
            same_site: SameSite::Lax,
            max_age: None,
        })
    }

    /// A `Set-Cookie` that deletes cookie `name` (`__Host-` attributes,
    /// empty value, `Max-Age=0`).
    ///
    /// # Errors
    ///
    /// As [`Cookie::host`].
    pub fn removal(name: &str) -> Result<Self> {
        Ok(Self::host(name, &SecretString::from(""))?.max_age(Duration::ZERO))
    }

    /// Checks `name` is an RFC 6265 token (visible ASCII but separators),
    /// 1 to 256 bytes.
    ///
    /// # Errors
    ///
    /// `InvalidInput` (field `cookie_name`).
    pub fn check_name(name: &str) -> Result<()> {
        let ok = !name.is_empty()
            && name.len() <= 256
            && name
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
        if ok {
            Ok(())
        } else {
            Err(Error::invalid("cookie_name", "invalid_char"))
        }
    }

    /// `SameSite=Strict`.
    #[must_use]
    pub const fn strict(mut self) -> Self {
        self.same_site = SameSite::Strict;
        self
    }

    /// `SameSite` as given.
    #[must_use]
    pub const fn same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// `Max-Age` in whole seconds: a persistent cookie.
    #[must_use]
    pub const fn max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }

    /// Readable by scripts (no `HttpOnly`): only for a value a script must
    /// read, never a session id.
    #[must_use]
    pub const fn readable_by_scripts(mut self) -> Self {
        self.http_only = false;
        self
    }

    /// `Path=path`. A `__Host-` cookie must keep `Path=/`.
    #[must_use]
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }

    /// `Domain=domain`: sent to every subdomain too. A `__Host-` cookie
    /// cannot have one.
    #[must_use]
    pub fn domain(mut self, domain: &str) -> Self {
        self.domain = Some(domain.to_owned());
        self
    }

    /// No `Secure`: sent over plain HTTP. Neither prefix allows it.
    #[must_use]
    pub const fn insecure(mut self) -> Self {
        self.secure = false;
        self
    }

    /// The cookie's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `Set-Cookie` value.
    ///
    /// # Errors
    ///
    /// `InvalidInput` (field `cookie`): a `__Host-` cookie without
    /// `Secure`, with a `Domain` or with a `Path` other than `/`; a
    /// `__Secure-` cookie without `Secure`; a path or domain with `;` or
    /// controls; more than [`MAX_COOKIE_BYTES`].
    pub fn to_header_value(&self) -> Result<HeaderValue> {
        if has_prefix(&self.name, HOST_PREFIX)
            && (!self.secure || self.domain.is_some() || self.path.as_deref() != Some("/"))
        {
            return Err(Error::invalid("cookie", "host_prefix_rules"));
        }
        if has_prefix(&self.name, SECURE_PREFIX) && !self.secure {
            return Err(Error::invalid("cookie", "secure_prefix_rules"));
        }
        let attr_ok =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && b != b';');
        if self.path.as_deref().is_some_and(|p| !attr_ok(p))
            || self.domain.as_deref().is_some_and(|d| !attr_ok(d))
        {
            return Err(Error::invalid("cookie", "invalid_attribute"));
        }
        let mut out = String::with_capacity(128);
        out.push_str(&self.name);
        out.push('=');
        out.push_str(self.value.expose_secret());
        if let Some(path) = &self.path {
            out.push_str("; Path=");
            out.push_str(path);
        }
        if let Some(domain) = &self.domain {
            out.push_str("; Domain=");
            out.push_str(domain);
        }
        if self.secure {
            out.push_str("; Secure");
        }
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        out.push_str(match self.same_site {
            SameSite::Lax => "; SameSite=Lax",
            SameSite::Strict => "; SameSite=Strict",
        });
        if let Some(age) = self.max_age {
            out.push_str("; Max-Age=");
            out.push_str(&age.as_secs().to_string());
        }
        if out.len() > MAX_COOKIE_BYTES {
            return Err(Error::invalid_limit("cookie", "too_long", MAX_COOKIE_BYTES));
        }
        HeaderValue::from_str(&out).map_err(|_| Error::invalid("cookie", "invalid_char"))
    }
}

fn has_prefix(name: &str, prefix: &str) -> bool {
    name.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// RFC 6265 cookie-octets, at most [`MAX_COOKIE_BYTES`].
fn check_value(value: &str) -> Result<()> {
    let ok = value.len() <= MAX_COOKIE_BYTES
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b';' | b'\\'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("cookie_value", "invalid_char"))
    }
}

/// The value of cookie `name` in a request's `Cookie` header(s): exact,
/// case-sensitive name; surrounding double quotes removed; `None` when
/// absent.
///
/// # Errors
///
/// `InvalidInput` (field `cookie`): the cookie sent twice (`duplicate`:
/// one of them was tossed in by someone else, and which one the server
/// would see differs between frameworks), the headers over
/// [`MAX_COOKIE_HEADER_BYTES`] (`too_large`), or not visible ASCII.
///
/// # Example
///
/// ```
/// use http::HeaderMap;
/// use seckit::web::cookie_value;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("cookie", "theme=dark; __Host-session=abc".parse().unwrap());
/// assert_eq!(cookie_value(&headers, "__Host-session")?, Some("abc"));
/// assert_eq!(cookie_value(&headers, "__host-session")?, None);
/// headers.append("cookie", "__Host-session=xyz".parse().unwrap());
/// assert!(cookie_value(&headers, "__Host-session").is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>> {
    let mut total = 0usize;
    let mut found = None;
    for line in headers.get_all(COOKIE) {
        total = total.saturating_add(line.len());
        if total > MAX_COOKIE_HEADER_BYTES {
            return Err(Error::invalid_limit(
                "cookie",
                "too_large",
                MAX_COOKIE_HEADER_BYTES,
            ));
        }
        let line = line
            .to_str()
            .map_err(|_| Error::invalid("cookie", "invalid_char"))?;
        for pair in line.split(';') {
            let Some((key, value)) = pair.trim_matches([' ', '\t']).split_once('=') else {
                continue;
            };
            if key != name {
                continue;
            }
            if found.is_some() {
                return Err(Error::invalid("cookie", "duplicate"));
            }
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            found = Some(value);
        }
    }
    Ok(found)
}
