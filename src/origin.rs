//! Origins (`scheme://host[:port]`) and the allow-list of them, shared by
//! `validate` (CORS and WebSocket checks in handlers) and `web` (the
//! cross-origin request check and the CORS layer): one parser, so the two
//! can never disagree on what an origin is.

use crate::{Error, Result};

/// An origin, `scheme://host[:port]`, normalized: scheme and host
/// lower-case, the default port (80 for http, 443 for https) made explicit.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Origin {
    pub(crate) scheme: String,
    pub(crate) host: String,
    pub(crate) port: u16,
}

/// The longest origin looked at, in bytes.
const MAX_ORIGIN_LEN: usize = 512;

pub(crate) fn parse_origin(s: &str) -> Option<Origin> {
    if s.len() > MAX_ORIGIN_LEN {
        return None;
    }
    let (scheme, rest) = s.split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let (host, port) = match rest.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let port = match port {
        None => default_port,
        Some(p)
            if !p.is_empty()
                && p.len() <= 5
                && p.bytes().all(|b| b.is_ascii_digit())
                && !p.starts_with('0') =>
        {
            p.parse().ok()?
        }
        Some(_) => return None,
    };
    let ok_host = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    if !ok_host {
        return None;
    }
    Some(Origin {
        scheme: scheme.to_ascii_lowercase(),
        host: host.to_ascii_lowercase(),
        port,
    })
}

/// Origins allowed to make cross-origin requests (CORS) or WebSocket
/// connections, matched **exactly** on scheme, host and port: no substring
/// or suffix matching (`https://example.com.evil.net` never matches
/// `https://example.com`), `null` never matches, and subdomains only where
/// you opted in with [`allow_subdomains_of`](OriginAllowList::allow_subdomains_of).
///
/// # Example
///
/// ```
/// # #[cfg(feature = "validate")] {
/// use seckit::validate::OriginAllowList;
///
/// let origins = OriginAllowList::new()
///     .allow("https://app.example")?
///     .allow_subdomains_of("https://tenants.example")?;
/// assert!(origins.is_allowed("https://app.example"));
/// assert!(origins.is_allowed("https://APP.example:443"));
/// assert!(origins.is_allowed("https://acme.tenants.example"));
/// assert!(!origins.is_allowed("https://app.example.evil.net"));
/// assert!(!origins.is_allowed("http://app.example"));
/// assert!(!origins.is_allowed("null"));
/// # }
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct OriginAllowList {
    exact: Vec<Origin>,
    subdomains_of: Vec<Origin>,
}

impl OriginAllowList {
    /// An empty list: nothing is allowed.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows exactly `origin` (`https://app.example`, with a port if not the default).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) unless `origin` is
    /// `http(s)://host[:port]` with no path, user info or wildcard.
    pub fn allow(mut self, origin: &str) -> Result<Self> {
        self.exact.push(configured(origin)?);
        Ok(self)
    }

    /// Allows every strict subdomain of `origin`'s host (same scheme and
    /// port), e.g. `https://a.tenants.example` for `https://tenants.example`;
    /// the host itself only if also added with [`allow`](Self::allow).
    ///
    /// # Errors
    ///
    /// As [`OriginAllowList::allow`].
    pub fn allow_subdomains_of(mut self, origin: &str) -> Result<Self> {
        self.subdomains_of.push(configured(origin)?);
        Ok(self)
    }

    /// Whether the `Origin` header value `origin` is allowed. Malformed
    /// values and `null` are not.
    #[must_use]
    pub fn is_allowed(&self, origin: &str) -> bool {
        let Some(o) = parse_origin(origin) else {
            return false;
        };
        self.exact.contains(&o)
            || self.subdomains_of.iter().any(|parent| {
                parent.scheme == o.scheme
                    && parent.port == o.port
                    && o.host
                        .strip_suffix(parent.host.as_str())
                        .and_then(|label| label.strip_suffix('.'))
                        .is_some_and(|label| !label.is_empty())
            })
    }

    /// [`is_allowed`](Self::is_allowed) as a `Result`, for `?`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `origin` and rule `not_allowed`.
    pub fn check(&self, origin: &str) -> Result<()> {
        if self.is_allowed(origin) {
            Ok(())
        } else {
            Err(Error::invalid("origin", "not_allowed"))
        }
    }
}

fn configured(origin: &str) -> Result<Origin> {
    parse_origin(origin).ok_or_else(|| {
        Error::configuration("origin", "is not scheme://host[:port]").with_hint(
            "e.g. https://app.example or http://localhost:3000, without a path or a trailing slash",
        )
    })
}
