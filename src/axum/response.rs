//! Error responses: status from the kind, a generic JSON body, the right
//! headers, and an audit event.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, MatchedPath};
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use crate::audit::{Event, EventKind};
use crate::{AuthReason, Error, ErrorKind};

/// Which authentication scheme a 401 challenges for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Challenge {
    Bearer,
    Basic,
}

/// Where a request came from, for the audit event: the route template, the
/// peer address (when the server was started with `ConnectInfo`), the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext {
    route: Option<String>,
    ip: Option<IpAddr>,
    user: Option<String>,
}

impl RequestContext {
    /// The context of a request: its [`MatchedPath`] (the route template,
    /// never the raw path) and its `ConnectInfo<SocketAddr>` peer address.
    ///
    /// The peer address is the TCP peer: behind a reverse proxy it is the
    /// proxy's. seckit does not read `X-Forwarded-For` here.
    #[must_use]
    pub fn from_parts(parts: &Parts) -> Self {
        Self::new(matched_path(parts).map(MatchedPath::as_str), peer_ip(parts))
    }

    /// A context of your own: the route template and the peer address.
    #[must_use]
    pub fn new(route: Option<&str>, ip: Option<IpAddr>) -> Self {
        Self {
            route: route.map(str::to_owned),
            ip,
            user: None,
        }
    }

    /// The same context, about `user_id` (an existing account's id).
    #[must_use]
    pub fn with_user(mut self, user_id: &str) -> Self {
        self.user = Some(user_id.to_owned());
        self
    }

    /// An audit event of `kind` with this context's fields.
    pub fn event(&self, kind: EventKind) -> Event {
        let mut e = Event::new(kind);
        if let Some(u) = &self.user {
            e = e.user(u);
        }
        if let Some(ip) = self.ip {
            e = e.source_ip(ip);
        }
        if let Some(r) = &self.route {
            e = e.route(r);
        }
        e
    }
}

/// The route template axum matched, if the request went through a router.
pub(crate) fn matched_path(parts: &Parts) -> Option<&MatchedPath> {
    parts.extensions.get::<MatchedPath>()
}

/// The TCP peer's address, when the server was started with `ConnectInfo`.
pub(crate) fn peer_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// A [`seckit::Error`](crate::Error) on its way to the client, with what
/// the audit event needs: the handler error type of an axum service.
///
/// Its response is the error's (see [`crate::axum`]): status from
/// [`ErrorKind::http_status`], `{"error": public_message}` (plus
/// `violations` for invalid input), `Cache-Control: no-store`, a
/// `WWW-Authenticate` challenge on 401 and `Retry-After` on 429. It emits
/// one audit event when it becomes a response. `?` converts any
/// `seckit::Error` into it.
///
/// # Example
///
/// ```
/// use axum::response::IntoResponse;
/// use seckit::axum::ApiError;
///
/// async fn handler() -> Result<&'static str, ApiError> {
///     Err(seckit::Error::forbidden("not the owner"))?
/// }
/// # let r = tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(handler());
/// let response = r.unwrap_err().into_response();
/// assert_eq!(response.status(), 403);
/// assert_eq!(response.headers()["cache-control"], "no-store");
/// ```
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

/// Boxed: a handler's `Result<T, ApiError>` stays one pointer wide on the
/// error side.
#[derive(Debug)]
struct Inner {
    error: Error,
    context: RequestContext,
    challenge: Option<Challenge>,
}

impl ApiError {
    /// `error`, reported with `context` in its audit event.
    #[must_use]
    pub fn new(error: Error, context: RequestContext) -> Self {
        Self(Box::new(Inner {
            error,
            context,
            challenge: None,
        }))
    }

    pub(crate) fn challenged(error: Error, context: RequestContext, challenge: Challenge) -> Self {
        Self(Box::new(Inner {
            error,
            context,
            challenge: Some(challenge),
        }))
    }

    /// The error.
    #[must_use]
    pub fn error(&self) -> &Error {
        &self.0.error
    }

    /// The error, consumed.
    #[must_use]
    pub fn into_error(self) -> Error {
        self.0.error
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        Self::new(error, RequestContext::default())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Inner {
            error,
            context,
            challenge,
        } = *self.0;
        let challenge = challenge.or_else(|| inferred_challenge(&error));
        if let Some(kind) = audit_kind(&error).filter(|_| !error.is_audited()) {
            let mut event = context.event(kind);
            if let Some(reason) = reason_code(&error) {
                event = event.reason(reason);
            }
            event.emit();
        }
        render(&error, challenge)
    }
}

/// The response of an error without request context (no route or peer in
/// its audit event). Handlers that can, return [`ApiError`].
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}

/// A 401 from the `jwt` module or a Bearer header is a Bearer challenge.
fn inferred_challenge(e: &Error) -> Option<Challenge> {
    match e {
        Error::Unauthenticated { context, .. }
            if *context == "jwt" || *context == "authorization" =>
        {
            Some(Challenge::Bearer)
        }
        _ => None,
    }
}

fn audit_kind(e: &Error) -> Option<EventKind> {
    Some(match e.kind() {
        ErrorKind::InvalidInput => EventKind::InputValidationFail,
        ErrorKind::Unauthenticated => match e {
            Error::Unauthenticated { context, .. } if *context == "password" => {
                EventKind::AuthnLoginFail
            }
            Error::Unauthenticated {
                why: AuthReason::Replayed,
                ..
            } => EventKind::AuthnTokenReuse,
            _ => EventKind::AuthnTokenInvalid,
        },
        ErrorKind::Forbidden => match e.forbidden_reason() {
            Some(why) if why.is_csrf() => EventKind::MaliciousCsrf,
            _ => EventKind::AuthzFail,
        },
        ErrorKind::RateLimited => EventKind::ExcessRateLimitExceeded,
        ErrorKind::Crypto => EventKind::SysCryptoFail,
        _ => return None,
    })
}

/// A static reason for the audit event: the auth reason, the first broken
/// rule's name, or the error's static context.
fn reason_code(e: &Error) -> Option<&'static str> {
    if let Some(why) = e.auth_reason() {
        return Some(auth_reason_code(why));
    }
    if let Some(v) = e.violation() {
        return Some(v.rule());
    }
    match e {
        Error::Forbidden { why, .. } if why.is_csrf() => Some(why.as_str()),
        Error::Forbidden { context, .. } | Error::RateLimited { context, .. } => Some(context),
        Error::Crypto { context } => Some(context),
        _ => None,
    }
}

/// The snake_case name of an auth reason, for events and RFC 6750 bodies.
pub(crate) const fn auth_reason_code(why: AuthReason) -> &'static str {
    match why {
        AuthReason::AlgorithmNotAllowed => "algorithm_not_allowed",
        AuthReason::BadSignature => "bad_signature",
        AuthReason::CannotOpen => "cannot_open",
        AuthReason::Expired => "expired",
        AuthReason::InvalidClaims => "invalid_claims",
        AuthReason::Malformed => "malformed",
        AuthReason::Mismatch => "mismatch",
        AuthReason::MissingPepper => "missing_pepper",
        AuthReason::NotYetValid => "not_yet_valid",
        AuthReason::TooLarge => "too_large",
        AuthReason::UnknownKey => "unknown_key",
        AuthReason::UnknownUser => "unknown_user",
        AuthReason::WrongAudience => "wrong_audience",
        AuthReason::WrongIssuer => "wrong_issuer",
        AuthReason::MissingCredentials => "missing_credentials",
        AuthReason::TimestampOutOfRange => "timestamp_out_of_range",
        AuthReason::Replayed => "replayed",
    }
}

fn status_of(e: &Error) -> StatusCode {
    if let Some(v) = e.violation()
        && e.kind() == ErrorKind::InvalidInput
        && v.field() == "body"
    {
        match v.rule() {
            "too_large" => return StatusCode::PAYLOAD_TOO_LARGE,
            "unsupported_media_type" => return StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => {}
        }
    }
    StatusCode::from_u16(e.kind().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn render(e: &Error, challenge: Option<Challenge>) -> Response {
    let status = status_of(e);
    let mut body = json!({ "error": e.public_message() });
    if e.kind() == ErrorKind::InvalidInput {
        let violations: Vec<Value> = e
            .violations()
            .map(|(path, v)| {
                let mut item = json!({ "field": path, "code": v.rule() });
                if let (Some(limit), Value::Object(map)) = (v.limit(), &mut item) {
                    map.insert("limit".into(), Value::from(limit));
                }
                item
            })
            .collect();
        if let Value::Object(map) = &mut body {
            map.insert("violations".into(), Value::Array(violations));
        }
    }
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED
        && let Some(challenge) = challenge
    {
        let presented = e.auth_reason() != Some(AuthReason::MissingCredentials);
        let value = match (challenge, presented) {
            (Challenge::Bearer, false) => "Bearer",
            // RFC 6750 §3.1: a token was presented and refused.
            (Challenge::Bearer, true) => "Bearer error=\"invalid_token\"",
            (Challenge::Basic, _) => "Basic realm=\"api\", charset=\"UTF-8\"",
        };
        headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(value));
    }
    if let Some(after) = e.retry_after() {
        // Round up: "retry after 0 s" invites an immediate retry.
        let secs = after
            .as_secs()
            .saturating_add(u64::from(after.subsec_nanos() > 0))
            .max(1);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            headers.insert(RETRY_AFTER, v);
        }
    }
    response
}
