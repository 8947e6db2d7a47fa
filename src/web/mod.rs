//! Browser-facing defences on `http` types: cross-site request forgery
//! (CSRF) refused twice over, security headers with a per-response CSP
//! nonce, `__Host-` cookies, and CORS without wildcards beside
//! credentials. With the `axum` feature, `seckit::axum` wraps each in a
//! middleware.
//!
//! - **CSRF, layer one: where the request came from.**
//!   [`CrossOriginGuard`] refuses state-changing requests that the browser
//!   says another site started (`Sec-Fetch-Site: cross-site`), or, from
//!   browsers without Fetch Metadata, whose `Origin` is not the service's
//!   own. Requests with neither header (curl, server-to-server) pass this
//!   layer.
//! - **CSRF, layer two: a token bound to the session.** [`CsrfKeys`] issue
//!   tokens that are a random value and its HMAC-SHA256 over the session
//!   id, masked with a fresh one-time pad for every page (so compression
//!   cannot reveal them, BREACH); verified in constant time; a previous
//!   key accepted during a rotation. [`CsrfProtection`] requires one on
//!   every state-changing request that carries the session cookie (from
//!   `X-CSRF-Token` or the `csrf_token` form field) and binds tokens to an
//!   anonymous `__Host-csrf` cookie before login.
//! - **Security headers.** [`SecurityHeaders::api`], [`html`](SecurityHeaders::html)
//!   and [`strict`](SecurityHeaders::strict), with a [`CspNonce`] per
//!   response, HSTS only over HTTPS (behind trusted proxies:
//!   [`ClientIpConfig::is_https`](crate::net::ClientIpConfig::is_https)),
//!   and a [`Csp`] builder that refuses `'unsafe-inline'`, `*`, `data:`
//!   and `'unsafe-eval'` in script directives unless allowed by name.
//! - **Cookies.** [`Cookie::session`]: `__Host-`, `Secure`, `HttpOnly`,
//!   `Path=/`, no `Domain`, `SameSite=Lax`; a cookie breaking its prefix's
//!   rules is refused. [`cookie_value`] reads one cookie, refusing
//!   duplicates.
//! - **CORS.** [`Cors`]: exact origins from an [`OriginAllowList`],
//!   `Vary: Origin`, no `*` with credentials.
//!
//! Refusals are [`ErrorKind::Forbidden`](crate::ErrorKind) (403) with a
//! [`ForbiddenReason`](crate::ForbiddenReason); the `axum` middleware
//! audits them as `malicious_csrf`. docs/web-security.md explains what
//! each header and check defends, and why each value was chosen.
//!
//! # Example
//!
//! ```
//! use seckit::ForbiddenReason;
//! use seckit::web::{CsrfKeys, CsrfProtection};
//!
//! let csrf = CsrfProtection::new(CsrfKeys::new(&seckit::random::secret(32)?)?);
//!
//! // A page for a first-time visitor: a token and the anonymous cookie it is bound to.
//! let page = csrf.token_for(&http::HeaderMap::new())?;
//! let cookie = page.set_cookie.expect("a first visit gets a cookie");
//! let cookie = cookie.to_str().unwrap().split(';').next().unwrap().to_owned();
//!
//! // The form comes back from the same origin, with the cookie and the token.
//! let (parts, ()) = http::Request::post("/session")
//!     .header("cookie", cookie.as_str())
//!     .header("sec-fetch-site", "same-origin")
//!     .body(())
//!     .unwrap()
//!     .into_parts();
//! csrf.check(&parts, Some(page.token.as_str()))?;
//!
//! // Another site's form: refused before any token is looked at.
//! let (parts, ()) = http::Request::post("/session")
//!     .header("cookie", cookie.as_str())
//!     .header("sec-fetch-site", "cross-site")
//!     .body(())
//!     .unwrap()
//!     .into_parts();
//! let err = csrf.check(&parts, Some(page.token.as_str())).unwrap_err();
//! assert_eq!(err.forbidden_reason(), Some(ForbiddenReason::CrossOrigin));
//! # Ok::<(), seckit::Error>(())
//! ```

mod cookie;
mod cors;
mod csrf;
mod fetch;
mod headers;

pub use crate::origin::OriginAllowList;
pub use cookie::{Cookie, MAX_COOKIE_BYTES, MAX_COOKIE_HEADER_BYTES, SameSite, cookie_value};
pub use cors::Cors;
pub use csrf::{
    CsrfKeys, CsrfOutcome, CsrfProtection, CsrfToken, DEFAULT_ANONYMOUS_COOKIE,
    DEFAULT_MAX_FORM_BYTES, DEFAULT_SESSION_COOKIE, FORM_FIELD, MAX_BINDING_LEN, PageToken,
    TOKEN_CHARS, TOKEN_HEADER, form_field,
};
pub use fetch::CrossOriginGuard;
pub use headers::{
    Csp, CspNonce, HSTS_MAX_AGE, NONCE, NONCE_BYTES, Preset, SecurityHeaders, UnsafeSource,
};
