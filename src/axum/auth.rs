//! `Authenticated<C>` (Bearer JWT), `BasicAuth`, and the role guard.

use std::ops::Deref;
use std::sync::Arc;

use std::net::IpAddr;

use axum::extract::{FromRef, FromRequestParts, MatchedPath};
use http::header::AUTHORIZATION;
use http::request::Parts;
use serde::de::DeserializeOwned;

use super::response::{ApiError, Challenge, RequestContext, matched_path, peer_ip};
use crate::jwt::{Verified, Verifier};
use crate::validate::BasicCredentials;
use crate::{AuthReason, Error};

/// The `Authorization` header's value: absent, or exactly one and visible
/// ASCII; two headers or non-ASCII bytes are malformed.
fn authorization(parts: &Parts) -> Result<&str, Error> {
    let mut all = parts.headers.get_all(AUTHORIZATION).iter();
    let Some(first) = all.next() else {
        return Err(Error::unauthenticated(
            "authorization",
            AuthReason::MissingCredentials,
            "no authorization header",
        ));
    };
    if all.next().is_some() {
        return Err(Error::unauthenticated(
            "authorization",
            AuthReason::Malformed,
            "more than one authorization header",
        ));
    }
    first.to_str().map_err(|_| {
        Error::unauthenticated(
            "authorization",
            AuthReason::Malformed,
            "authorization header is not visible ASCII",
        )
    })
}

/// A request whose `Authorization: Bearer` token verified: the token's
/// claims as `C`, its registered claims and header fields.
///
/// The [`Verifier`] comes from the router state through
/// `Arc<Verifier>: FromRef<S>`. A request without the header is refused
/// with 401 and a bare `WWW-Authenticate: Bearer`; a header of another
/// scheme likewise; any token that does not verify (malformed, expired,
/// wrong signature, audience, issuer or `typ`, unknown key, `alg` confusion)
/// with 401 and `WWW-Authenticate: Bearer error="invalid_token"`
/// (RFC 6750 §3). Every refusal emits an `authn_token_invalid` audit event
/// with the route, the peer address and the reason. The body is always the
/// same `{"error":"invalid credentials"}`.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use axum::{Router, extract::FromRef, routing::get};
/// use seckit::axum::{ApiError, Authenticated, HasRoles};
///
/// #[derive(serde::Deserialize)]
/// struct Claims { sub: String, role: String }
///
/// impl HasRoles for Claims {
///     fn has_role(&self, role: &str) -> bool { self.role == role }
/// }
///
/// #[derive(Clone, FromRef)]
/// struct AppState { verifier: Arc<seckit::jwt::Verifier> }
///
/// async fn me(user: Authenticated<Claims>) -> String {
///     user.claims.sub.clone()
/// }
///
/// async fn admin(user: Authenticated<Claims>) -> Result<&'static str, ApiError> {
///     user.require_role("admin")?;
///     Ok("welcome")
/// }
///
/// # let key = seckit::jwt::SigningKey::hmac(seckit::jwt::Algorithm::HS256, &seckit::random::secret_bytes(32).unwrap()).unwrap();
/// let state = AppState { verifier: Arc::new(seckit::jwt::Verifier::new(key.verifying_key())) };
/// let app: Router = Router::new().route("/me", get(me)).route("/admin", get(admin)).with_state(state);
/// # let _ = app;
/// ```
#[derive(Debug)]
pub struct Authenticated<C> {
    verified: Verified<C>,
    /// Kept as axum gives them (a shared string, an address): the audit
    /// context is built only when a handler asks for it or refuses.
    route: Option<MatchedPath>,
    ip: Option<IpAddr>,
}

impl<C> Authenticated<C> {
    /// The verified token.
    #[must_use]
    pub const fn verified(&self) -> &Verified<C> {
        &self.verified
    }

    /// The verified token, consumed.
    #[must_use]
    pub fn into_verified(self) -> Verified<C> {
        self.verified
    }

    /// The token's `sub`, if it had one.
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.verified.registered.sub.as_deref()
    }

    /// The request's route and peer, with the token's subject as the user:
    /// for the handler's own audit events and [`ApiError`]s.
    #[must_use]
    pub fn context(&self) -> RequestContext {
        let context = RequestContext::new(self.route.as_ref().map(MatchedPath::as_str), self.ip);
        match self.subject() {
            Some(sub) => context.with_user(sub),
            None => context,
        }
    }

    /// Refuses with 403 (and an `authz_fail` event naming the subject) when
    /// the claims lack `role`.
    ///
    /// # Errors
    ///
    /// An [`ApiError`] of [`ErrorKind::Forbidden`](crate::ErrorKind).
    pub fn require_role(&self, role: &'static str) -> Result<(), ApiError>
    where
        C: HasRoles,
    {
        if self.verified.claims.has_role(role) {
            Ok(())
        } else {
            Err(ApiError::new(
                Error::forbidden("required role missing"),
                self.context(),
            ))
        }
    }

    /// Refuses with 403 unless `allowed`: for checks of your own (the
    /// caller owns the device, the scope covers the action).
    ///
    /// # Errors
    ///
    /// An [`ApiError`] of [`ErrorKind::Forbidden`](crate::ErrorKind) with
    /// `context` as its log text.
    pub fn require(&self, allowed: bool, context: &'static str) -> Result<(), ApiError> {
        if allowed {
            Ok(())
        } else {
            Err(ApiError::new(Error::forbidden(context), self.context()))
        }
    }
}

impl<C> Deref for Authenticated<C> {
    type Target = Verified<C>;
    fn deref(&self) -> &Verified<C> {
        &self.verified
    }
}

/// Claims that carry roles or scopes, for [`Authenticated::require_role`].
pub trait HasRoles {
    /// Whether these claims grant `role`.
    fn has_role(&self, role: &str) -> bool;
}

impl<S, C> FromRequestParts<S> for Authenticated<C>
where
    S: Send + Sync,
    Arc<Verifier>: FromRef<S>,
    C: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Arc::<Verifier>::from_ref(state);
        let verified = authorization(parts)
            .and_then(crate::jwt::bearer_token)
            .and_then(|token| verifier.verify::<C>(token))
            .map_err(|e| {
                ApiError::challenged(e, RequestContext::from_parts(parts), Challenge::Bearer)
            })?;
        Ok(Self {
            verified,
            route: matched_path(parts).cloned(),
            ip: peer_ip(parts),
        })
    }
}

/// `Authorization: Basic` credentials (RFC 7617), parsed strictly by
/// [`BasicCredentials`]; a missing or malformed header is refused with 401
/// and `WWW-Authenticate: Basic realm="api", charset="UTF-8"`. Checking the
/// password is the handler's (with [`AsyncHasher`](crate::password::AsyncHasher)).
///
/// # Example
///
/// ```
/// use seckit::axum::BasicAuth;
///
/// async fn token(BasicAuth(credentials): BasicAuth) -> String {
///     format!("client {}", credentials.user_id()) // never the password
/// }
/// # let _ = axum::routing::post::<_, _, ()>(token);
/// ```
#[derive(Debug)]
pub struct BasicAuth(pub BasicCredentials);

impl<S: Send + Sync> FromRequestParts<S> for BasicAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        authorization(parts)
            .and_then(BasicCredentials::parse)
            .map(Self)
            .map_err(|e| {
                ApiError::challenged(e, RequestContext::from_parts(parts), Challenge::Basic)
            })
    }
}
