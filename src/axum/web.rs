//! The `web` module as axum middleware: security headers with a nonce per
//! response, both CSRF checks, and CORS.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::ORIGIN;
use http::uri::Scheme;
use http::{HeaderMap, StatusCode};

use super::response::{ApiError, RequestContext};
use crate::web::{
    Cors, CspNonce, CsrfOutcome, CsrfProtection, FORM_FIELD, SecurityHeaders, form_field,
};
use crate::{Error, ForbiddenReason};

/// Middleware: the [`SecurityHeaders`] on every response, with a fresh
/// [`CspNonce`] per request when the policy uses one (handlers extract it
/// to put on their `<script>` tags). HSTS only when the request came over
/// HTTPS: an `https` URI, or a trusted proxy's word
/// ([`SecurityHeaders::with_client_ip_config`]; needs `ConnectInfo`).
///
/// # Example
///
/// ```
/// use axum::{Router, middleware, response::Html, routing::get};
/// use seckit::web::{CspNonce, SecurityHeaders};
///
/// async fn page(nonce: CspNonce) -> Html<String> {
///     Html(format!("<script nonce=\"{}\">console.log('hi')</script>", nonce.as_str()))
/// }
/// let app: Router = Router::new()
///     .route("/", get(page))
///     .layer(middleware::from_fn_with_state(SecurityHeaders::html(), seckit::axum::security_headers));
/// # let _ = app;
/// ```
pub async fn security_headers(
    State(headers): State<SecurityHeaders>,
    mut req: Request,
    next: Next,
) -> Response {
    let https = req.uri().scheme() == Some(&Scheme::HTTPS)
        || req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|c| {
                headers
                    .client_ip_config()
                    .is_https(c.0.ip(), req.headers(), false)
            });
    let nonce = if headers.needs_nonce() {
        match CspNonce::generate() {
            Ok(n) => Some(n),
            Err(e) => {
                let mut response = e.into_response();
                headers.apply(response.headers_mut(), https, None);
                return response;
            }
        }
    } else {
        None
    };
    if let Some(n) = &nonce {
        req.extensions_mut().insert(n.clone());
    }
    let mut response = next.run(req).await;
    headers.apply(response.headers_mut(), https, nonce.as_ref());
    response
}

/// The response's CSP nonce, from [`security_headers`]; a 500 when that
/// middleware did not run (or its policy has no nonce), so a template can
/// never render with a nonce the header does not carry.
impl<S: Send + Sync> FromRequestParts<S> for CspNonce {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(Error::internal(
                "csp nonce: the security_headers middleware did not run or its policy has no nonce",
            ))
    }
}

/// Middleware: both CSRF checks of [`CsrfProtection`] on every
/// state-changing request. First the cross-origin check (before any body
/// is read); then, for a request carrying the session or anonymous
/// cookie, the token from `X-CSRF-Token` or, in a form body, the
/// `csrf_token` field (the body is read up to
/// [`CsrfProtection::max_form_bytes`], 413 beyond, and passed on intact).
/// Refusals answer 403 and emit `malicious_csrf` with the reason. A
/// verified request carries [`CsrfVerified`].
///
/// # Example
///
/// ```
/// use axum::{Router, middleware, routing::post};
/// use seckit::web::{CsrfKeys, CsrfProtection};
///
/// let csrf = CsrfProtection::new(CsrfKeys::new(&seckit::random::secret(32)?)?);
/// let app: Router = Router::new()
///     .route("/profile", post(|| async { "saved" }))
///     .layer(middleware::from_fn_with_state(csrf, seckit::axum::csrf));
/// # let _ = app;
/// # Ok::<(), seckit::Error>(())
/// ```
pub async fn csrf(State(csrf): State<CsrfProtection>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let refuse = |e: Error, parts: &Parts| {
        ApiError::new(e, RequestContext::from_parts(parts)).into_response()
    };
    let (body, outcome) = if csrf.wants_form_token(&parts) {
        if let Err(e) = csrf.cross_origin().check(&parts) {
            return refuse(e, &parts);
        }
        let limit = csrf.max_form_bytes();
        let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
            return refuse(Error::invalid_limit("body", "too_large", limit), &parts);
        };
        // The cross-origin check ran above: only the token is left.
        let outcome = csrf.check_token(&parts, form_field(&bytes, FORM_FIELD));
        (Body::from(bytes), outcome)
    } else {
        let outcome = csrf.check(&parts, None);
        (body, outcome)
    };
    match outcome {
        Ok(CsrfOutcome::Verified) => {
            parts.extensions.insert(CsrfVerified(()));
        }
        Ok(_) => {}
        Err(e) => return refuse(e, &parts),
    }
    next.run(Request::from_parts(parts, body)).await
}

/// Proof that the [`csrf`] middleware verified this request's token.
/// Take it in handlers that must have one even without a cookie, such as
/// a login form (login CSRF): without it they answer 403
/// (`csrf_token_missing`, audited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsrfVerified(());

impl<S: Send + Sync> FromRequestParts<S> for CsrfVerified {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Self>().copied().ok_or_else(|| {
            ApiError::new(
                Error::csrf("csrf token missing", ForbiddenReason::CsrfTokenMissing),
                RequestContext::from_parts(parts),
            )
        })
    }
}

/// Middleware: [`Cors`]. Preflights (`OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`) are answered here, 204; other
/// responses get the CORS headers when their origin is allowed, and
/// `Vary: Origin` always.
///
/// # Example
///
/// ```
/// use axum::{Router, middleware, routing::get};
/// use seckit::web::{Cors, OriginAllowList};
///
/// let cors = Cors::new(OriginAllowList::new().allow("https://app.example")?);
/// let app: Router = Router::new()
///     .route("/api/items", get(|| async { "[]" }))
///     .layer(middleware::from_fn_with_state(cors, seckit::axum::cors));
/// # let _ = app;
/// # Ok::<(), seckit::Error>(())
/// ```
pub async fn cors(State(cors): State<Cors>, req: Request, next: Next) -> Response {
    if Cors::is_preflight(req.method(), req.headers()) {
        let headers = cors.preflight(req.headers());
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.headers_mut().extend(headers);
        return response;
    }
    let mut origin = HeaderMap::new();
    for value in req.headers().get_all(ORIGIN) {
        origin.append(ORIGIN, value.clone());
    }
    let mut response = next.run(req).await;
    cors.apply(&origin, response.headers_mut());
    response
}
