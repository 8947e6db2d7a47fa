//! CSRF tokens bound to the session: a random value and its HMAC over the
//! session id, masked afresh for every page.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::{constant_time, hmac};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::CONTENT_TYPE;
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue};
use zeroize::Zeroizing;

use super::cookie::{Cookie, cookie_value};
use super::fetch::{CrossOriginGuard, is_safe, single_value};
use crate::strength::check_named;
use crate::{Error, ForbiddenReason, Result, SecretString};

/// Length of a token as sent: base64url (no padding) of 128 bytes.
pub const TOKEN_CHARS: usize = 171;
/// The longest session id (binding) a token can be bound to, in bytes.
pub const MAX_BINDING_LEN: usize = 1024;
/// The header a token is read from: `X-CSRF-Token`.
pub const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-csrf-token");
/// The form field a token is read from in an
/// `application/x-www-form-urlencoded` body: `csrf_token`.
pub const FORM_FIELD: &str = "csrf_token";
/// The session cookie read by default: `__Host-session`.
pub const DEFAULT_SESSION_COOKIE: &str = "__Host-session";
/// The cookie that binds tokens before login: `__Host-csrf`.
pub const DEFAULT_ANONYMOUS_COOKIE: &str = "__Host-csrf";
/// The longest form body searched for the token: 64 KiB.
pub const DEFAULT_MAX_FORM_BYTES: usize = 64 * 1024;

const VALUE_LEN: usize = 32;
const TAG_LEN: usize = 32;
const RAW_LEN: usize = VALUE_LEN + TAG_LEN;
const DOMAIN: &[u8] = b"seckit-csrf-v1\0";
const MIN_KEY_LEN: usize = 32;

/// The keys CSRF tokens are signed with: one current key and, during a
/// rotation, the previous one (tokens signed with either verify; new ones
/// use the current key). Debug never shows them.
///
/// # Example
///
/// ```
/// use seckit::web::CsrfKeys;
///
/// let keys = CsrfKeys::new(&seckit::random::secret(32)?)?;
/// let token = keys.issue(b"session-id-1")?;
/// keys.verify(b"session-id-1", token.as_str())?;
/// assert!(keys.verify(b"session-id-2", token.as_str()).is_err());
/// // Each issue is masked afresh: the same session, another string.
/// assert_ne!(keys.issue(b"session-id-1")?.as_str(), token.as_str());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone)]
pub struct CsrfKeys {
    current: hmac::Key,
    previous: Option<hmac::Key>,
}

impl fmt::Debug for CsrfKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsrfKeys")
            .field("current", &"[REDACTED]")
            .field("previous", &self.previous.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl CsrfKeys {
    /// Signs with `key` (its bytes as given: `seckit secret generate`
    /// prints a suitable one).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) (setting `CSRF_KEY`)
    /// for a key under 32 bytes or weak; never quotes it.
    pub fn new(key: &SecretString) -> Result<Self> {
        Ok(Self {
            current: key_of(key, "CSRF_KEY")?,
            previous: None,
        })
    }

    /// Also accepts tokens signed with `previous` (the key before a
    /// rotation). Keep it until every page rendered with it has expired.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new), for setting `CSRF_KEY_PREVIOUS`.
    pub fn with_previous(mut self, previous: &SecretString) -> Result<Self> {
        self.previous = Some(key_of(previous, "CSRF_KEY_PREVIOUS")?);
        Ok(self)
    }

    /// `CSRF_KEY` (required) and `CSRF_KEY_PREVIOUS` (optional), each also
    /// from `NAME_FILE`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when `CSRF_KEY` is
    /// missing or either key is weak.
    pub fn from_loader(loader: &mut crate::config::Loader) -> Result<Self> {
        let keys = Self::new(loader.required_secret("CSRF_KEY")?.value())?;
        match loader.secret("CSRF_KEY_PREVIOUS")? {
            Some(previous) => keys.with_previous(previous.value()),
            None => Ok(keys),
        }
    }

    /// A token bound to `binding` (the session id, or the anonymous
    /// cookie's value before login): 32 random bytes and their HMAC-SHA256
    /// over the binding, XORed with a fresh 64-byte one-time pad that
    /// travels with it, so no two pages carry the same bytes (BREACH).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) for an empty binding
    /// or one over [`MAX_BINDING_LEN`] bytes; `Internal` if the OS
    /// generator fails.
    pub fn issue(&self, binding: &[u8]) -> Result<CsrfToken> {
        check_binding(binding)?;
        let mut random = Zeroizing::new([0u8; VALUE_LEN + RAW_LEN]);
        crate::random::fill(&mut *random)?;
        let (value, pad) = random.split_at(VALUE_LEN);
        let tag = mac(&self.current, binding, value);
        let mut out = Zeroizing::new([0u8; 2 * RAW_LEN]);
        let (pad_out, masked) = out.split_at_mut(RAW_LEN);
        pad_out.copy_from_slice(pad);
        for ((m, p), r) in masked
            .iter_mut()
            .zip(pad)
            .zip(value.iter().chain(tag.as_ref()))
        {
            *m = p ^ r;
        }
        Ok(CsrfToken(URL_SAFE_NO_PAD.encode(*out)))
    }

    /// Checks that `presented` was issued by these keys for `binding`, in
    /// constant time (the tag compare does not stop at the first differing
    /// byte, and both keys are tried whichever matches).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Forbidden`](crate::ErrorKind) with
    /// [`ForbiddenReason::CsrfTokenInvalid`]: not [`TOKEN_CHARS`] base64url
    /// characters, forged, tampered with, or bound to another session.
    pub fn verify(&self, binding: &[u8], presented: &str) -> Result<()> {
        let invalid = || Error::csrf("csrf token invalid", ForbiddenReason::CsrfTokenInvalid);
        if presented.len() != TOKEN_CHARS || check_binding(binding).is_err() {
            return Err(invalid());
        }
        // One more byte than the token holds: the decoder's size estimate.
        let mut buf = [0u8; 2 * RAW_LEN + 1];
        let n = URL_SAFE_NO_PAD
            .decode_slice(presented, &mut buf)
            .map_err(|_| invalid())?;
        if n != 2 * RAW_LEN {
            return Err(invalid());
        }
        let (pad, masked) = buf.split_at(RAW_LEN);
        let mut raw = [0u8; RAW_LEN];
        for ((r, p), m) in raw.iter_mut().zip(pad).zip(masked) {
            *r = p ^ m;
        }
        let (value, tag) = raw.split_at(VALUE_LEN);
        let current = tag_eq(&self.current, binding, value, tag);
        let previous = self
            .previous
            .as_ref()
            .is_some_and(|k| tag_eq(k, binding, value, tag));
        if current | previous {
            Ok(())
        } else {
            Err(invalid())
        }
    }
}

fn key_of(key: &SecretString, setting: &str) -> Result<hmac::Key> {
    let bytes = key.expose_secret().as_bytes();
    check_named(bytes, MIN_KEY_LEN, setting)?;
    Ok(hmac::Key::new(hmac::HMAC_SHA256, bytes))
}

fn check_binding(binding: &[u8]) -> Result<()> {
    if binding.is_empty() {
        return Err(Error::invalid("csrf_binding", "empty"));
    }
    if binding.len() > MAX_BINDING_LEN {
        return Err(Error::invalid_limit(
            "csrf_binding",
            "too_long",
            MAX_BINDING_LEN,
        ));
    }
    Ok(())
}

/// HMAC-SHA256(key, domain ‖ len(binding) as u32 BE ‖ binding ‖ value):
/// the length prefix keeps (binding, value) pairs from sliding into each
/// other.
fn mac(key: &hmac::Key, binding: &[u8], value: &[u8]) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(DOMAIN);
    // check_binding bounds the length to MAX_BINDING_LEN, far below u32::MAX.
    let len = u32::try_from(binding.len()).unwrap_or(u32::MAX);
    ctx.update(&len.to_be_bytes());
    ctx.update(binding);
    ctx.update(value);
    ctx.sign()
}

fn tag_eq(key: &hmac::Key, binding: &[u8], value: &[u8], tag: &[u8]) -> bool {
    constant_time::verify_slices_are_equal(mac(key, binding, value).as_ref(), tag).is_ok()
}

/// A CSRF token to put in a page: a hidden form field named
/// [`FORM_FIELD`], or a `<meta>` tag a script copies into the
/// [`TOKEN_HEADER`] header. base64url, [`TOKEN_CHARS`] long, so it needs no
/// escaping in HTML or a header. Debug does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(String);

impl CsrfToken {
    /// A token from `keys` for `binding`: [`CsrfKeys::issue`].
    ///
    /// # Errors
    ///
    /// As [`CsrfKeys::issue`].
    pub fn issue(keys: &CsrfKeys, binding: &[u8]) -> Result<Self> {
        keys.issue(binding)
    }

    /// The token's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfToken([REDACTED])")
    }
}

/// What [`CsrfProtection::check`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsrfOutcome {
    /// A safe method (`GET`, `HEAD`, `OPTIONS`): nothing to check.
    SafeMethod,
    /// A state-changing request without a session or anonymous cookie: it
    /// carries no ambient credentials (a Bearer API client), so there is
    /// nothing to forge. Handlers that need a token anyway (a login form)
    /// ask for it ([`crate::axum`]'s `CsrfVerified`).
    NoCookie,
    /// A token bound to the request's cookie verified.
    Verified,
}

/// A token for a page, and the `Set-Cookie` value to send with it when the
/// request had no cookie to bind to (a first visit before login).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PageToken {
    /// The token for the page.
    pub token: CsrfToken,
    /// A new anonymous cookie to set, when one was created.
    pub set_cookie: Option<HeaderValue>,
}

/// Both CSRF defences for one service: the [`CrossOriginGuard`] and
/// session-bound tokens ([`CsrfKeys`]).
///
/// For a state-changing request ([`check`](Self::check)): the cross-origin
/// check first; then, if the request carries the session cookie (or, before
/// login, the anonymous cookie), a token bound to that cookie's value must
/// be presented in [`TOKEN_HEADER`] or the [`FORM_FIELD`] form field.
///
/// Tokens are bound to the session cookie's value when there is one, else
/// to the anonymous cookie's: a new session id at login gives new tokens,
/// and a token rendered for one session never verifies for another.
///
/// # Example
///
/// ```
/// use seckit::web::{CsrfKeys, CsrfOutcome, CsrfProtection};
///
/// let csrf = CsrfProtection::new(CsrfKeys::new(&seckit::random::secret(32)?)?);
/// let session = "Jm0X5cvRk4fQm2a1b9Zr3wq8Lp7s6t5u4v3w2x1y0z";
/// let token = csrf.token_for_session(session)?;
/// let (parts, ()) = http::Request::post("/profile")
///     .header("cookie", format!("__Host-session={session}"))
///     .header("sec-fetch-site", "same-origin")
///     .header("x-csrf-token", token.as_str())
///     .body(())
///     .unwrap()
///     .into_parts();
/// assert_eq!(csrf.check(&parts, None)?, CsrfOutcome::Verified);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct CsrfProtection {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    keys: CsrfKeys,
    guard: CrossOriginGuard,
    session_cookie: String,
    anonymous_cookie: String,
    max_form_bytes: usize,
}

impl CsrfProtection {
    /// Tokens signed with `keys`, the default [`CrossOriginGuard`], the
    /// cookies [`DEFAULT_SESSION_COOKIE`] and [`DEFAULT_ANONYMOUS_COOKIE`].
    #[must_use]
    pub fn new(keys: CsrfKeys) -> Self {
        Self {
            inner: Arc::new(Inner {
                keys,
                guard: CrossOriginGuard::new(),
                session_cookie: DEFAULT_SESSION_COOKIE.to_owned(),
                anonymous_cookie: DEFAULT_ANONYMOUS_COOKIE.to_owned(),
                max_form_bytes: DEFAULT_MAX_FORM_BYTES,
            }),
        }
    }

    fn with(mut self, f: impl FnOnce(&mut Inner)) -> Self {
        f(Arc::make_mut(&mut self.inner));
        self
    }

    /// The cross-origin check to use.
    #[must_use]
    pub fn with_cross_origin(self, guard: CrossOriginGuard) -> Self {
        self.with(|i| i.guard = guard)
    }

    /// The session cookie's full name (`__Host-sid`).
    ///
    /// # Errors
    ///
    /// `Configuration` when `name` is not a valid cookie name.
    pub fn with_session_cookie(self, name: &str) -> Result<Self> {
        Cookie::check_name(name)?;
        let name = name.to_owned();
        Ok(self.with(|i| i.session_cookie = name))
    }

    /// The longest form body searched for [`FORM_FIELD`] (the `axum`
    /// middleware answers 413 beyond it).
    #[must_use]
    pub fn with_max_form_bytes(self, max: usize) -> Self {
        self.with(|i| i.max_form_bytes = max)
    }

    /// The cross-origin check.
    #[must_use]
    pub fn cross_origin(&self) -> &CrossOriginGuard {
        &self.inner.guard
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &CsrfKeys {
        &self.inner.keys
    }

    /// The session cookie's name.
    #[must_use]
    pub fn session_cookie(&self) -> &str {
        &self.inner.session_cookie
    }

    /// The anonymous cookie's name.
    #[must_use]
    pub fn anonymous_cookie(&self) -> &str {
        &self.inner.anonymous_cookie
    }

    /// The longest form body searched for the token.
    #[must_use]
    pub fn max_form_bytes(&self) -> usize {
        self.inner.max_form_bytes
    }

    /// The value tokens of this request are bound to: its session cookie,
    /// else its anonymous cookie, else `None`.
    ///
    /// # Errors
    ///
    /// [`ForbiddenReason::CsrfTokenInvalid`] when a cookie is sent twice
    /// or the cookie header is too large (a cookie-tossing attempt).
    pub fn binding<'a>(&self, headers: &'a HeaderMap) -> Result<Option<&'a str>> {
        let read = |name: &str| {
            cookie_value(headers, name).map_err(|_| {
                Error::csrf("csrf cookie ambiguous", ForbiddenReason::CsrfTokenInvalid)
            })
        };
        match read(&self.inner.session_cookie)? {
            Some(v) => Ok(Some(v)),
            None => read(&self.inner.anonymous_cookie),
        }
    }

    /// The token for a page answering a request with `headers`: bound to
    /// its session or anonymous cookie, or to a new anonymous cookie
    /// (returned as `set_cookie`, `__Host-`, `HttpOnly`, `SameSite=Lax`)
    /// on a first visit.
    ///
    /// # Errors
    ///
    /// As [`binding`](Self::binding) and [`CsrfKeys::issue`].
    pub fn token_for(&self, headers: &HeaderMap) -> Result<PageToken> {
        if let Some(binding) = self.binding(headers)? {
            return Ok(PageToken {
                token: self.inner.keys.issue(binding.as_bytes())?,
                set_cookie: None,
            });
        }
        let id = crate::random::token_id()?;
        let cookie = Cookie::host(&self.inner.anonymous_cookie, &id)?.to_header_value()?;
        Ok(PageToken {
            token: self.inner.keys.issue(id.expose_secret().as_bytes())?,
            set_cookie: Some(cookie),
        })
    }

    /// The token for a session that has just begun (at login: the new
    /// session id gives a new token).
    ///
    /// # Errors
    ///
    /// As [`CsrfKeys::issue`].
    pub fn token_for_session(&self, session_id: &str) -> Result<CsrfToken> {
        self.inner.keys.issue(session_id.as_bytes())
    }

    /// Whether the token of this request has to come from its form body:
    /// a state-changing request with a cookie to bind to, no
    /// [`TOKEN_HEADER`], and an `application/x-www-form-urlencoded` body.
    #[must_use]
    pub fn wants_form_token(&self, parts: &Parts) -> bool {
        !is_safe(&parts.method)
            && !parts.headers.contains_key(TOKEN_HEADER)
            && parts
                .headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .is_some_and(|v| {
                    v.trim()
                        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
                })
            && matches!(self.binding(&parts.headers), Ok(Some(_)))
    }

    /// Both checks for one request. `form_token` is the [`FORM_FIELD`]
    /// value when the caller read the body ([`form_field`]); the
    /// [`TOKEN_HEADER`] header is read here and wins over it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Forbidden`](crate::ErrorKind) with
    /// [`ForbiddenReason::CrossOrigin`], [`ForbiddenReason::CsrfTokenMissing`]
    /// or [`ForbiddenReason::CsrfTokenInvalid`].
    pub fn check(&self, parts: &Parts, form_token: Option<&str>) -> Result<CsrfOutcome> {
        if is_safe(&parts.method) {
            return Ok(CsrfOutcome::SafeMethod);
        }
        self.inner.guard.check(parts)?;
        self.check_token(parts, form_token)
    }

    /// The token half of [`check`](Self::check), for a caller that has
    /// already run the cross-origin check (the `axum` middleware, before
    /// it reads a form body).
    pub(crate) fn check_token(
        &self,
        parts: &Parts,
        form_token: Option<&str>,
    ) -> Result<CsrfOutcome> {
        let Some(binding) = self.binding(&parts.headers)? else {
            return Ok(CsrfOutcome::NoCookie);
        };
        let invalid = || Error::csrf("csrf token invalid", ForbiddenReason::CsrfTokenInvalid);
        let presented = match single_value(&parts.headers, &TOKEN_HEADER) {
            Ok(Some(v)) => Some(v),
            Ok(None) => form_token,
            Err(()) => return Err(invalid()),
        };
        let Some(presented) = presented else {
            return Err(Error::csrf(
                "csrf token missing",
                ForbiddenReason::CsrfTokenMissing,
            ));
        };
        self.inner.keys.verify(binding.as_bytes(), presented)?;
        Ok(CsrfOutcome::Verified)
    }
}

/// The raw value of field `name` in an `application/x-www-form-urlencoded`
/// body, undecoded (a token is base64url and needs no decoding; anything
/// percent-encoded fails to verify). `None` when absent; the field given
/// twice is `Some("")`, which never verifies.
///
/// # Example
///
/// ```
/// use seckit::web::form_field;
///
/// assert_eq!(form_field(b"name=ann&csrf_token=abc", "csrf_token"), Some("abc"));
/// assert_eq!(form_field(b"name=ann", "csrf_token"), None);
/// assert_eq!(form_field(b"csrf_token=a&csrf_token=b", "csrf_token"), Some(""));
/// ```
#[must_use]
pub fn form_field<'a>(body: &'a [u8], name: &str) -> Option<&'a str> {
    let mut found = None;
    for pair in body.split(|&b| b == b'&') {
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => pair.split_at(i),
            None => (pair, &b"="[..]),
        };
        if key == name.as_bytes() {
            if found.is_some() {
                return Some("");
            }
            found = Some(value.get(1..).unwrap_or_default());
        }
    }
    found.map(|v| std::str::from_utf8(v).unwrap_or(""))
}
