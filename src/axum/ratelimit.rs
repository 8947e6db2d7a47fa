//! Rate limiting as axum middleware, and the trusted client address as an
//! extractor.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::response::{matched_path, peer_ip};
use crate::Error;
use crate::net::{ClientIp, ClientIpConfig};
use crate::ratelimit::{Key, RateLimiter};

/// What the middleware counts a request against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyBy {
    /// The client address (grouped): one budget for the whole API.
    Ip,
    /// The route template and the client address: one budget per route
    /// (apply with `route_layer`, so the route is known).
    RouteAndIp,
}

/// The state of [`rate_limit`]: a limiter, how to find the client, and
/// what to key on.
///
/// # Example
///
/// ```
/// use axum::{Router, middleware, routing::get};
/// use seckit::axum::{KeyBy, RateLimit, rate_limit};
/// use seckit::net::ClientIpConfig;
/// use seckit::ratelimit::{Policy, Quota};
///
/// let limiter = Policy::new("api", Quota::per_minute(100)?)?.local();
/// let limit = RateLimit::new(limiter.into(), ClientIpConfig::default(), KeyBy::Ip);
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(middleware::from_fn_with_state(limit, rate_limit));
/// // serve with `into_make_service_with_connect_info::<SocketAddr>()`
/// # let _ = app;
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RateLimit {
    limiter: RateLimiter,
    client_ip: Arc<ClientIpConfig>,
    by: KeyBy,
}

impl RateLimit {
    /// Limits with `limiter`, finding the client with `client_ip`.
    #[must_use]
    pub fn new(limiter: RateLimiter, client_ip: ClientIpConfig, by: KeyBy) -> Self {
        Self {
            limiter,
            client_ip: Arc::new(client_ip),
            by,
        }
    }

    /// The limiter.
    #[must_use]
    pub const fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }
}

/// Middleware: counts the request, answers 429 with `Retry-After` and the
/// `RateLimit-*` headers when over the limit (503 when the shared store is
/// down and the fail mode is closed), and otherwise adds the `RateLimit-*`
/// headers to the handler's response. It stores the [`ClientIp`] it found
/// in the request's extensions for handlers to extract.
///
/// A request without a peer address (no `ConnectInfo`) is answered 500:
/// serve with `into_make_service_with_connect_info::<SocketAddr>()`.
pub async fn rate_limit(State(limit): State<RateLimit>, mut req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Some(peer) = peer_ip(&parts) else {
        return Error::internal("rate limit: no peer address (serve with ConnectInfo)")
            .into_response();
    };
    let client = limit.client_ip.client_ip(peer, &parts.headers);
    parts.extensions.insert(client);
    let key = match limit.by {
        KeyBy::Ip => Key::ip(client),
        KeyBy::RouteAndIp => {
            let route = matched_path(&parts).map_or("", |m| m.as_str());
            match Key::builder().route(route) {
                Ok(b) => b.ip(client).build(),
                Err(e) => return e.into_response(),
            }
        }
    };
    let decision = limit.limiter.check(&key).await;
    req = Request::from_parts(parts, body);
    let mut response = match decision.into_result(limit.limiter.policy().name()) {
        Ok(_) => next.run(req).await,
        Err(e) => e.into_response(),
    };
    decision.write_headers(response.headers_mut());
    response
}

/// The client address as the [`rate_limit`] middleware found it (trusted
/// proxies applied), or the TCP peer when no middleware ran.
impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(ip) = parts.extensions.get::<ClientIp>() {
            return Ok(*ip);
        }
        peer_ip(parts)
            .map(ClientIp::from_peer)
            .ok_or(Error::internal(
                "client address: no peer address (serve with ConnectInfo)",
            ))
    }
}
