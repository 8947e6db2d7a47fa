//! The `session` module in axum: the [`Session`] extractor, which reads
//! the `__Host-session` cookie and validates it, and the cookies that set
//! and clear it (built by [`web::Cookie`](crate::web::Cookie)).

use std::ops::Deref;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use http::HeaderValue;

use super::response::{ApiError, RequestContext};
use crate::session::{Issued, SessionManager};
use crate::web::{Cookie, DEFAULT_SESSION_COOKIE, cookie_value};
use crate::{AuthReason, Error, ErrorKind, Result};

/// The request's session, validated by the state's [`SessionManager`]
/// from the `__Host-session` cookie ([`DEFAULT_SESSION_COOKIE`]), its idle
/// deadline slid forward. Rejects with 401 (no cookie, a duplicate cookie,
/// an unknown, revoked or expired session) or 503 (the store cannot
/// answer: fail closed). As `Option<Session>`, a missing or dead session is
/// `None` and only a store outage rejects.
///
/// Pair it with the `csrf` middleware: the cookie is sent on cross-site
/// requests too.
///
/// # Example
///
/// ```
/// use axum::{Router, extract::FromRef, routing::get};
/// use seckit::axum::Session;
/// use seckit::session::{SessionConfig, SessionManager, SessionStore};
///
/// #[derive(Clone, FromRef)]
/// struct AppState { sessions: SessionManager }
///
/// async fn whoami(session: Session) -> String {
///     session.user().to_owned()
/// }
///
/// let sessions = SessionManager::new(SessionStore::memory(10_000)?, SessionConfig::new())?;
/// let app: Router = Router::new()
///     .route("/whoami", get(whoami))
///     .with_state(AppState { sessions });
/// # let _ = app;
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Session(pub crate::session::Session);

impl Deref for Session {
    type Target = crate::session::Session;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Session {
    /// The session id in the request's cookie, if there is exactly one.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`] for a duplicate cookie (one may have
    /// been planted by a sibling subdomain) or a `Cookie` header over the
    /// size limit.
    pub fn cookie(parts: &Parts) -> Result<Option<&str>> {
        cookie_value(&parts.headers, DEFAULT_SESSION_COOKIE).map_err(|_| {
            Error::unauthenticated(
                "session",
                AuthReason::Malformed,
                "session cookie repeated or too large",
            )
        })
    }
}

/// `Set-Cookie` for a newly issued session (after login or a rotation):
/// `__Host-session`, `Secure`, `HttpOnly`, `Path=/`, `SameSite=Lax`, no
/// `Max-Age` (the server's deadlines rule; the browser drops it on exit).
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] if the token cannot be a cookie value (it
/// always can: seckit tokens are base64url).
pub fn session_cookie(issued: &Issued) -> Result<HeaderValue> {
    Cookie::session(DEFAULT_SESSION_COOKIE, issued.token())?.to_header_value()
}

/// `Set-Cookie` that clears the session cookie (at logout).
///
/// # Errors
///
/// None in practice: the cookie name is fixed and valid.
pub fn clear_session_cookie() -> Result<HeaderValue> {
    Cookie::removal(DEFAULT_SESSION_COOKIE)?.to_header_value()
}

async fn validate(parts: &Parts, manager: &SessionManager) -> Result<Option<Session>> {
    let Some(id) = Session::cookie(parts)? else {
        return Ok(None);
    };
    manager.validate(id).await.map(|s| Some(Session(s)))
}

impl<S> FromRequestParts<S> for Session
where
    SessionManager: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let manager = SessionManager::from_ref(state);
        match validate(parts, &manager).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(ApiError::new(
                Error::unauthenticated(
                    "session",
                    AuthReason::MissingCredentials,
                    "no session cookie",
                ),
                RequestContext::from_parts(parts),
            )),
            Err(e) => Err(ApiError::new(e, RequestContext::from_parts(parts))),
        }
    }
}

impl<S> OptionalFromRequestParts<S> for Session
where
    SessionManager: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, ApiError> {
        let manager = SessionManager::from_ref(state);
        match validate(parts, &manager).await {
            Ok(s) => Ok(s),
            Err(e) if e.kind() == ErrorKind::Unauthenticated => Ok(None),
            Err(e) => Err(ApiError::new(e, RequestContext::from_parts(parts))),
        }
    }
}
