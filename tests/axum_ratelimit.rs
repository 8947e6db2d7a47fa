//! The `rate_limit` middleware and the `ClientIp` extractor through a real
//! `Router`: keys per route, trusted proxies, headers on both verdicts, a
//! 500 without a peer address, a 503 for fail-closed.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use seckit::axum::{KeyBy, RateLimit, rate_limit};
use seckit::net::{ClientIp, ClientIpConfig, TrustedProxies};
use seckit::ratelimit::{ManualClock, Policy, Quota};
use tower::ServiceExt as _;

fn app(by: KeyBy, client_ip: ClientIpConfig) -> Router {
    let limiter = Policy::new("mw", Quota::per_minute(2).unwrap())
        .unwrap()
        .clock(Arc::new(ManualClock::default()))
        .local();
    let limit = RateLimit::new(limiter.into(), client_ip, by);
    let routes = Router::new()
        .route("/a", get(|ip: ClientIp| async move { ip.to_string() }))
        .route("/b", get(|| async { "b" }));
    match by {
        KeyBy::RouteAndIp => routes.route_layer(from_fn_with_state(limit, rate_limit)),
        _ => routes.layer(from_fn_with_state(limit, rate_limit)),
    }
}

fn req(path: &str, peer: &str, xff: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path);
    if let Some(x) = xff {
        r = r.header("x-forwarded-for", x);
    }
    let mut r = r.body(Body::empty()).unwrap();
    r.extensions_mut()
        .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    r
}

async fn status(app: &Router, r: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let resp = app.clone().oneshot(r).await.unwrap();
    let (parts, body) = resp.into_parts();
    let body = axum::body::to_bytes(body, 1 << 16).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn one_budget_per_address_for_the_whole_api() {
    let app = app(KeyBy::Ip, ClientIpConfig::default());
    let (s, h, body) = status(&app, req("/a", "192.0.2.1:1000", Some("6.6.6.6"))).await;
    assert_eq!(
        (s, body.as_str()),
        (StatusCode::OK, "192.0.2.1"),
        "the header was not trusted"
    );
    assert_eq!(h["ratelimit-remaining"], "1");
    let (s, _, _) = status(&app, req("/b", "192.0.2.1:1001", None)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, h, body) = status(&app, req("/a", "192.0.2.1:1002", Some("7.7.7.7"))).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["retry-after"], "30");
    assert_eq!(h["ratelimit-limit"], "2");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(body, r#"{"error":"too many requests"}"#);
    // Another address has its own budget.
    assert_eq!(
        status(&app, req("/a", "192.0.2.2:1000", None)).await.0,
        StatusCode::OK
    );
    // No peer address: the server was started without ConnectInfo.
    let bare = Request::get("/a").body(Body::empty()).unwrap();
    assert_eq!(
        status(&app, bare).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn per_route_budgets_and_trusted_proxies() {
    let trusted = ClientIpConfig::new(TrustedProxies::parse("10.0.0.0/8").unwrap());
    let app = app(KeyBy::RouteAndIp, trusted);
    for _ in 0..2 {
        let (s, _, body) = status(
            &app,
            req("/a", "10.0.0.1:80", Some("6.6.6.6, 198.51.100.7")),
        )
        .await;
        assert_eq!((s, body.as_str()), (StatusCode::OK, "198.51.100.7"));
    }
    assert_eq!(
        status(&app, req("/a", "10.0.0.1:80", Some("198.51.100.7")))
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The same client on another route: its own budget.
    assert_eq!(
        status(&app, req("/b", "10.0.0.1:80", Some("198.51.100.7")))
            .await
            .0,
        StatusCode::OK
    );
    // Rotating the spoofable left part changes nothing.
    assert_eq!(
        status(
            &app,
            req("/a", "10.0.0.1:80", Some("1.2.3.4, 198.51.100.7"))
        )
        .await
        .0,
        StatusCode::TOO_MANY_REQUESTS
    );
}
