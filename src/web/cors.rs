//! CORS that cannot be configured into a hole: exact origins from an
//! [`OriginAllowList`], never a wildcard beside credentials, `Vary: Origin`
//! always.

use std::sync::Arc;
use std::time::Duration;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::origin::OriginAllowList;
use crate::{Error, Result};

#[derive(Clone, Debug)]
enum Origins {
    List(OriginAllowList),
    Any,
}

/// Cross-origin resource sharing for an API that other origins call.
///
/// - Only an `Origin` in the [`OriginAllowList`] is echoed in
///   `Access-Control-Allow-Origin` (exactly as the browser sent it); any
///   other gets no CORS headers, so the browser withholds the response.
/// - [`Cors::any_origin`] sends `*` and cannot be combined with
///   credentials: [`allow_credentials`](Self::allow_credentials) refuses
///   it (the browser would refuse the pair, and echoing every origin with
///   credentials instead would hand every site the user's session).
/// - `Vary: Origin` is on every response, allowed or not, so a cache never
///   serves one origin's answer to another.
/// - Methods and request headers are listed exactly, never `*`.
///
/// # Example
///
/// ```
/// use http::{HeaderMap, Method};
/// use seckit::web::{Cors, OriginAllowList};
///
/// let cors = Cors::new(OriginAllowList::new().allow("https://app.example")?)
///     .allow_credentials()?
///     .allow_methods(&[Method::GET, Method::POST]);
/// let mut request = HeaderMap::new();
/// request.insert("origin", "https://app.example".parse().unwrap());
/// let mut response = HeaderMap::new();
/// cors.apply(&request, &mut response);
/// assert_eq!(response["access-control-allow-origin"], "https://app.example");
/// assert_eq!(response["access-control-allow-credentials"], "true");
/// assert_eq!(response["vary"], "Origin");
///
/// // Not allowed: no CORS headers; still `Vary: Origin`.
/// request.insert("origin", "https://evil.example".parse().unwrap());
/// let mut response = HeaderMap::new();
/// cors.apply(&request, &mut response);
/// assert!(!response.contains_key("access-control-allow-origin"));
/// assert!(Cors::any_origin().allow_credentials().is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Cors {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    origins: Origins,
    credentials: bool,
    methods: Vec<Method>,
    headers: Vec<HeaderName>,
    expose: Vec<HeaderName>,
    max_age: Duration,
}

impl Cors {
    fn of(origins: Origins) -> Self {
        Self {
            inner: Arc::new(Inner {
                origins,
                credentials: false,
                methods: vec![Method::GET, Method::HEAD, Method::POST],
                headers: vec![http::header::CONTENT_TYPE],
                expose: Vec::new(),
                max_age: Duration::from_secs(600),
            }),
        }
    }

    /// Origins in `origins`; no credentials; `GET`, `HEAD`, `POST`;
    /// request header `Content-Type`; preflights cached 10 minutes.
    #[must_use]
    pub fn new(origins: OriginAllowList) -> Self {
        Self::of(Origins::List(origins))
    }

    /// Any origin (`*`), for a public API that uses no cookies or HTTP
    /// authentication. Never with credentials.
    #[must_use]
    pub fn any_origin() -> Self {
        Self::of(Origins::Any)
    }

    fn with(mut self, f: impl FnOnce(&mut Inner)) -> Self {
        f(Arc::make_mut(&mut self.inner));
        self
    }

    /// `Access-Control-Allow-Credentials: true`: the browser sends cookies
    /// and shows the response to the allowed origins.
    ///
    /// # Errors
    ///
    /// `Configuration` with [`Cors::any_origin`].
    pub fn allow_credentials(self) -> Result<Self> {
        if matches!(self.inner.origins, Origins::Any) {
            return Err(Error::configuration(
                "cors",
                "credentials cannot be allowed for any origin",
            )
            .with_hint("list the origins: Cors::new(OriginAllowList::new().allow(..)?)"));
        }
        Ok(self.with(|i| i.credentials = true))
    }

    /// The methods other origins may use.
    #[must_use]
    pub fn allow_methods(self, methods: &[Method]) -> Self {
        let methods = methods.to_vec();
        self.with(|i| i.methods = methods)
    }

    /// The request headers other origins may send (`Authorization`,
    /// `X-CSRF-Token`, …).
    #[must_use]
    pub fn allow_headers(self, headers: &[HeaderName]) -> Self {
        let headers = headers.to_vec();
        self.with(|i| i.headers = headers)
    }

    /// Response headers scripts of other origins may read.
    #[must_use]
    pub fn expose_headers(self, headers: &[HeaderName]) -> Self {
        let headers = headers.to_vec();
        self.with(|i| i.expose = headers)
    }

    /// How long a browser may cache a preflight (whole seconds).
    #[must_use]
    pub fn max_age(self, max_age: Duration) -> Self {
        self.with(|i| i.max_age = max_age)
    }

    /// Whether a request is a preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`.
    #[must_use]
    pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
        *method == Method::OPTIONS
            && headers.contains_key(ORIGIN)
            && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// The value for `Access-Control-Allow-Origin`, if the request's
    /// `Origin` is allowed.
    fn allowed_origin(&self, request: &HeaderMap) -> Option<HeaderValue> {
        let mut values = request.get_all(ORIGIN).iter();
        let origin = values.next()?;
        if values.next().is_some() {
            return None;
        }
        match &self.inner.origins {
            Origins::Any => Some(HeaderValue::from_static("*")),
            Origins::List(list) => origin
                .to_str()
                .ok()
                .filter(|o| list.is_allowed(o))
                .map(|_| origin.clone()),
        }
    }

    /// Adds the CORS headers of an actual (non-preflight) response.
    pub fn apply(&self, request: &HeaderMap, response: &mut HeaderMap) {
        response.append(VARY, HeaderValue::from_static("Origin"));
        let Some(origin) = self.allowed_origin(request) else {
            return;
        };
        response.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if self.inner.credentials {
            response.insert(
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if let Some(v) = join(self.inner.expose.iter().map(HeaderName::as_str)) {
            response.insert(ACCESS_CONTROL_EXPOSE_HEADERS, v);
        }
    }

    /// The headers of the answer (204) to a preflight. An origin that is
    /// not allowed, or a method that is not, gets only `Vary`.
    #[must_use]
    pub fn preflight(&self, request: &HeaderMap) -> HeaderMap {
        let mut out = HeaderMap::new();
        out.append(VARY, HeaderValue::from_static("Origin"));
        out.append(
            VARY,
            HeaderValue::from_static(
                "Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
        );
        let Some(origin) = self.allowed_origin(request) else {
            return out;
        };
        let method_ok = request
            .get(ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
            .is_some_and(|m| self.inner.methods.contains(&m));
        if !method_ok {
            return out;
        }
        out.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if self.inner.credentials {
            out.insert(
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if let Some(v) = join(self.inner.methods.iter().map(Method::as_str)) {
            out.insert(ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        if let Some(v) = join(self.inner.headers.iter().map(HeaderName::as_str)) {
            out.insert(ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.inner.max_age.as_secs().to_string()) {
            out.insert(ACCESS_CONTROL_MAX_AGE, v);
        }
        out
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> Option<HeaderValue> {
    let list: Vec<&str> = items.collect();
    if list.is_empty() {
        return None;
    }
    HeaderValue::from_str(&list.join(", ")).ok()
}
