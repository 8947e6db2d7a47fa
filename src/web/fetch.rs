//! The cross-origin request check: Fetch Metadata (`Sec-Fetch-Site`), and
//! `Origin` where a browser sends no Fetch Metadata.

use http::header::{HOST, ORIGIN};
use http::request::Parts;
use http::{HeaderMap, HeaderName, Method};

use crate::origin::{OriginAllowList, parse_origin};
use crate::{Error, ForbiddenReason, Result};

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Refuses state-changing browser requests that another site started: the
/// check of Go 1.25's `CrossOriginProtection`, on `http` types.
///
/// For a request whose method is not `GET`, `HEAD` or `OPTIONS`:
///
/// 1. an `Origin` in the [`OriginAllowList`] passes;
/// 2. otherwise, with `Sec-Fetch-Site` (every current browser sends it):
///    `same-origin` and `none` (the user typed the address or used a
///    bookmark) pass, `same-site` passes only after
///    [`allow_same_site`](Self::allow_same_site), and `cross-site` or any
///    other value is refused;
/// 3. without `Sec-Fetch-Site` (older browsers), an `Origin` whose host and
///    port are the request's `Host` passes, and any other `Origin`
///    (`null` included) is refused;
/// 4. a request with neither header passes: it did not come from a
///    browser page, so it carries no ambient credentials a page could
///    ride on. Cookie-authenticated requests still need a token
///    ([`CsrfProtection`](super::CsrfProtection)).
///
/// A header sent twice is refused. Refusals are
/// [`ErrorKind::Forbidden`](crate::ErrorKind) with
/// [`ForbiddenReason::CrossOrigin`].
///
/// # Example
///
/// ```
/// use seckit::web::CrossOriginGuard;
///
/// let guard = CrossOriginGuard::new();
/// let (parts, ()) = http::Request::post("/profile")
///     .header("host", "app.example")
///     .header("sec-fetch-site", "cross-site")
///     .body(())
///     .unwrap()
///     .into_parts();
/// assert_eq!(guard.check(&parts).unwrap_err().kind().http_status(), 403);
///
/// let (parts, ()) = http::Request::post("/profile")
///     .header("host", "app.example")
///     .header("origin", "https://app.example")
///     .body(())
///     .unwrap()
///     .into_parts();
/// assert!(guard.check(&parts).is_ok()); // same origin, an older browser
/// ```
#[derive(Clone, Debug, Default)]
pub struct CrossOriginGuard {
    allowed: OriginAllowList,
    allow_same_site: bool,
}

impl CrossOriginGuard {
    /// The service's own origin only; `same-site` refused.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Also accepts requests whose `Origin` is in `origins` (a separate
    /// front end, say), whatever `Sec-Fetch-Site` says.
    #[must_use]
    pub fn allow_origins(mut self, origins: OriginAllowList) -> Self {
        self.allowed = origins;
        self
    }

    /// Accepts `Sec-Fetch-Site: same-site` (a sibling subdomain). Only if
    /// you trust every host under the registrable domain: any one of them
    /// can then post to this service.
    #[must_use]
    pub const fn allow_same_site(mut self) -> Self {
        self.allow_same_site = true;
        self
    }

    /// Checks one request's method and headers.
    ///
    /// # Errors
    ///
    /// [`ForbiddenReason::CrossOrigin`] as described on the type.
    pub fn check(&self, parts: &Parts) -> Result<()> {
        self.check_headers(
            &parts.method,
            parts.uri.authority().map(|a| a.as_str()),
            &parts.headers,
        )
    }

    /// [`check`](Self::check) on a method, the request's authority (the
    /// HTTP/2 `:authority`, or `None` to read `Host`) and its headers.
    ///
    /// # Errors
    ///
    /// As [`check`](Self::check).
    pub fn check_headers(
        &self,
        method: &Method,
        authority: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<()> {
        if is_safe(method) {
            return Ok(());
        }
        let origin = single(headers, &ORIGIN)?;
        if let Some(o) = origin
            && self.allowed.is_allowed(o)
        {
            return Ok(());
        }
        match single(headers, &SEC_FETCH_SITE)? {
            Some("same-origin" | "none") => Ok(()),
            Some("same-site") if self.allow_same_site => Ok(()),
            Some(_) => Err(refused()),
            None => match origin {
                None => Ok(()),
                Some(o) => {
                    let host = match authority {
                        Some(a) => Some(a),
                        None => single(headers, &HOST)?,
                    };
                    if host.is_some_and(|h| same_host(o, h)) {
                        Ok(())
                    } else {
                        Err(refused())
                    }
                }
            },
        }
    }
}

/// `GET`, `HEAD` and `OPTIONS` change nothing (RFC 9110 §9.2.1); every
/// other method, custom ones included, is checked.
pub(crate) fn is_safe(method: &Method) -> bool {
    *method == Method::GET || *method == Method::HEAD || *method == Method::OPTIONS
}

fn refused() -> Error {
    Error::csrf("cross-origin request", ForbiddenReason::CrossOrigin)
}

/// The one value of `name`, `None` when absent; refused when repeated or
/// not visible ASCII.
fn single<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Result<Option<&'a str>> {
    single_value(headers, name).map_err(|()| refused())
}

/// The one value of `name` as text, `Ok(None)` when absent, `Err(())`
/// when sent twice or not visible ASCII; callers choose the error.
pub(super) fn single_value<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
) -> std::result::Result<Option<&'a str>, ()> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(());
    }
    first.to_str().map(Some).map_err(|_| ())
}

/// Whether `origin`'s host and port are those of `host` (`Host` header:
/// `name[:port]`, the port defaulting to the origin scheme's).
fn same_host(origin: &str, host: &str) -> bool {
    let Some(o) = parse_origin(origin) else {
        return false;
    };
    let (name, port) = match host.rsplit_once(':') {
        Some((n, p)) => {
            let canonical = !p.is_empty()
                && p.len() <= 5
                && p.bytes().all(|b| b.is_ascii_digit())
                && !p.starts_with('0');
            match p.parse::<u16>() {
                Ok(p) if canonical => (n, p),
                _ => return false,
            }
        }
        None => (host, o.port),
    };
    name.eq_ignore_ascii_case(&o.host) && port == o.port
}
