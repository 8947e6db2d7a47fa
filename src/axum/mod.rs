//! seckit in an [axum] 0.8 service: error responses, authentication
//! extractors, validated JSON, and audit events, so the secure path is the
//! short one.
//!
//! - **Errors.** [`seckit::Error`](crate::Error) implements `IntoResponse`,
//!   and [`ApiError`] (an error plus the request's route, peer and user)
//!   is the handler error type. The status comes from
//!   [`ErrorKind::http_status`](crate::ErrorKind::http_status) (400, 401,
//!   403, 429, 500, 503; 413 and 415 for a body too large or not JSON); the
//!   body is `{"error": public_message}`, plus
//!   `"violations": [{"field", "code", "limit"?}]` for invalid input, and
//!   never contains the input, a token or a password. Every error response
//!   carries `Cache-Control: no-store`; a 401 from Bearer authentication
//!   carries `WWW-Authenticate: Bearer` (with `error="invalid_token"` when
//!   a token was presented, RFC 6750 §3); a 429 carries `Retry-After`.
//! - **Authentication.** [`Authenticated<C>`] verifies the Bearer JWT with
//!   the state's `Arc<jwt::Verifier>`; [`Authenticated::require_role`]
//!   (claims implementing [`HasRoles`]) answers 403. [`BasicAuth`] parses
//!   Basic credentials.
//! - **Input.** [`ValidJson<T>`] limits, parses and validates a body,
//!   reporting every broken rule with its field path ([`Validate`]).
//! - **Audit.** Each rejection emits one [`audit`](crate::audit) event
//!   (`authn_token_invalid`, `authn_login_fail`, `authz_fail`,
//!   `input_validation_fail`, `excess_rate_limit_exceeded`,
//!   `sys_crypto_fail`) through `tracing`, target `seckit::audit`.
//! - **Rate limits** (feature `ratelimit`): the [`rate_limit`] middleware
//!   counts each request against a [`RateLimit`] (by client address, or
//!   route and address) and answers 429 with `Retry-After` and the
//!   `RateLimit-*` headers; [`ClientIp`](crate::net::ClientIp) extracts the
//!   client behind your trusted proxies.
//! - **Browser defences** (feature `web`): the [`security_headers`],
//!   [`csrf`] and [`cors`] middleware over [`seckit::web`](crate::web);
//!   handlers extract the response's [`CspNonce`](crate::web::CspNonce)
//!   and, where a token is required even without a cookie (a login
//!   form), [`CsrfVerified`].
//! - **Sessions** (features `session` and `web`): the [`Session`]
//!   extractor validates the `__Host-session` cookie with the state's
//!   [`SessionManager`](crate::session::SessionManager) (401, or 503 when
//!   the store cannot answer); [`session_cookie`] and
//!   [`clear_session_cookie`] set and clear it.
//! - **Hashing.** Use [`password::AsyncHasher`](crate::password::AsyncHasher)
//!   in handlers: bounded workers and queue, 503 when full.
//!
//! docs/web.md walks from `cargo add` to a protected route;
//! `examples/web_service/` is a whole service.
//!
//! [axum]: https://docs.rs/axum/0.8
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use axum::{Router, extract::FromRef, routing::get};
//! use seckit::axum::Authenticated;
//!
//! #[derive(Clone, FromRef)]
//! struct AppState { verifier: Arc<seckit::jwt::Verifier> }
//!
//! async fn me(user: Authenticated<serde_json::Value>) -> String {
//!     user.subject().unwrap_or("-").to_owned()
//! }
//!
//! let config = seckit::jwt::JwtConfig::from_loader(&mut seckit::config::Loader::from_vars([
//!     ("JWT_SECRET", "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE="), // sample value
//! ]))?;
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .with_state(AppState { verifier: Arc::new(config.verifier()) });
//! # let _ = app;
//! # Ok::<(), seckit::Error>(())
//! ```

mod auth;
mod json;
#[cfg(feature = "ratelimit")]
mod ratelimit;
mod response;
#[cfg(all(feature = "session", feature = "web"))]
mod session;
#[cfg(feature = "web")]
mod web;

pub use auth::{Authenticated, BasicAuth, HasRoles};
pub use json::{Checker, DEFAULT_BODY_LIMIT, ValidJson, Validate, validate};
#[cfg(feature = "ratelimit")]
#[cfg_attr(docsrs, doc(cfg(feature = "ratelimit")))]
pub use ratelimit::{KeyBy, RateLimit, rate_limit};
pub use response::{ApiError, RequestContext};
#[cfg(all(feature = "session", feature = "web"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "session", feature = "web"))))]
pub use session::{Session, clear_session_cookie, session_cookie};
#[cfg(feature = "web")]
#[cfg_attr(docsrs, doc(cfg(feature = "web")))]
pub use web::{CsrfVerified, cors, csrf, security_headers};
