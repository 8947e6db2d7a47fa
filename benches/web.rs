//! The browser defences beside what they wrap, in one run:
//!
//! - a minimal axum handler through `tower::ServiceExt::oneshot`, bare,
//!   then with the `security_headers` middleware (`api` preset; `html`
//!   with a fresh nonce per response), then with the `csrf` middleware
//!   verifying a header token on a cookie-authenticated POST;
//! - `CsrfKeys::issue` and `verify` (ns/op) beside the raw aws-lc-rs
//!   HMAC-SHA256 of the same bytes;
//! - `SecurityHeaders::apply` alone.
//!
//! Run with `cargo bench --bench web --features axum,web`.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    missing_docs
)] // bench scaffolding

use std::hint::black_box;
use std::time::Duration;

use aws_lc_rs::hmac;
use axum::body::Body;
use axum::routing::{get, post};
use axum::{Router, middleware};
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, Request};
use seckit::SecretString;
use seckit::web::{CspNonce, CsrfKeys, CsrfProtection, SecurityHeaders};
use tower::ServiceExt as _;

const KEY: &str = "k7Qp2xV9mZ4rT8wN1bY6cF3hJ5sL0dGaEuRi"; // bench value
const SESSION: &str = "sess_Jm0X5cvRk4fQm2a1b9Zr3wq8Lp7s6t5u4v3w2x1y0z";

fn bare() -> Router {
    Router::new()
        .route("/", get(|| async { "ok" }))
        .route("/profile", post(|| async { "saved" }))
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let keys = CsrfKeys::new(&SecretString::from(KEY)).unwrap();
    let csrf = CsrfProtection::new(keys.clone());
    let token = csrf.token_for_session(SESSION).unwrap();
    let cookie = format!("__Host-session={SESSION}");

    let plain = bare();
    let api = bare().layer(middleware::from_fn_with_state(
        SecurityHeaders::api(),
        seckit::axum::security_headers,
    ));
    let html = bare().layer(middleware::from_fn_with_state(
        SecurityHeaders::html(),
        seckit::axum::security_headers,
    ));
    let with_csrf = bare().layer(middleware::from_fn_with_state(
        csrf.clone(),
        seckit::axum::csrf,
    ));
    // Peers doing the same work by hand in the same `from_fn` machinery:
    // the api preset's nine headers inserted from static values; the html
    // preset's with a nonce from the same OS generator formatted into the
    // same policy; the CSRF check as a raw HMAC-SHA256 verify of a token
    // taken from the header (no unmasking, no cookie parsing, no Fetch
    // Metadata check).
    let by_hand_api = bare().layer(middleware::from_fn(
        |req: axum::extract::Request, next: middleware::Next| async move {
            let mut res = next.run(req).await;
            let h = res.headers_mut();
            for (k, v) in API_HEADERS {
                h.insert(k, http::HeaderValue::from_static(v));
            }
            res
        },
    ));
    let by_hand_html = bare().layer(middleware::from_fn(
        |req: axum::extract::Request, next: middleware::Next| async move {
            let nonce = CspNonce::generate().unwrap();
            let mut res = next.run(req).await;
            let h = res.headers_mut();
            for (k, v) in HTML_HEADERS {
                h.insert(k, http::HeaderValue::from_static(v));
            }
            let csp = format!(
                "script-src 'nonce-{}' 'strict-dynamic'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
                nonce.as_str()
            );
            h.insert("content-security-policy", http::HeaderValue::from_str(&csp).unwrap());
            res
        },
    ));
    let mac_key = hmac::Key::new(hmac::HMAC_SHA256, KEY.as_bytes());
    let tag = hex(hmac::sign(&mac_key, SESSION.as_bytes()).as_ref());
    let by_hand_csrf = {
        let key = mac_key.clone();
        bare().layer(middleware::from_fn(
            move |req: axum::extract::Request, next: middleware::Next| {
                let key = key.clone();
                async move {
                    let presented = req.headers().get("x-mac").map(|v| v.as_bytes().to_vec());
                    let ok = presented.is_some_and(|p| {
                        let mut raw = [0u8; 32];
                        for (i, b) in raw.iter_mut().enumerate() {
                            *b = u8::from_str_radix(
                                std::str::from_utf8(&p[2 * i..2 * i + 2]).unwrap(),
                                16,
                            )
                            .unwrap();
                        }
                        hmac::verify(&key, SESSION.as_bytes(), &raw).is_ok()
                    });
                    assert!(ok);
                    next.run(req).await
                }
            },
        ))
    };
    // The same `from_fn` machinery doing nothing: what any middleware costs.
    let noop = bare().layer(middleware::from_fn(
        |req: axum::extract::Request, next: middleware::Next| async move { next.run(req).await },
    ));

    let get_req = || Request::get("/").body(Body::empty()).unwrap();
    let post_req = || {
        Request::post("/profile")
            .header("cookie", cookie.as_str())
            .header("sec-fetch-site", "same-origin")
            .header("x-csrf-token", token.as_str())
            .body(Body::empty())
            .unwrap()
    };

    let mut g = c.benchmark_group("web/handler");
    g.measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("GET bare", |b| {
        b.iter(|| rt.block_on(plain.clone().oneshot(get_req())).unwrap());
    });
    g.bench_function("GET noop middleware", |b| {
        b.iter(|| rt.block_on(noop.clone().oneshot(get_req())).unwrap());
    });
    g.bench_function("GET security_headers api", |b| {
        b.iter(|| rt.block_on(api.clone().oneshot(get_req())).unwrap());
    });
    g.bench_function("GET security_headers html (nonce)", |b| {
        b.iter(|| rt.block_on(html.clone().oneshot(get_req())).unwrap());
    });
    g.bench_function("GET by hand, api headers", |b| {
        b.iter(|| rt.block_on(by_hand_api.clone().oneshot(get_req())).unwrap());
    });
    g.bench_function("GET by hand, html headers (nonce)", |b| {
        b.iter(|| {
            rt.block_on(by_hand_html.clone().oneshot(get_req()))
                .unwrap()
        });
    });
    let hand_req = || {
        Request::post("/profile")
            .header("cookie", cookie.as_str())
            .header("sec-fetch-site", "same-origin")
            .header("x-mac", tag.as_str())
            .body(Body::empty())
            .unwrap()
    };
    g.bench_function("POST by hand, HMAC check", |b| {
        b.iter(|| {
            rt.block_on(by_hand_csrf.clone().oneshot(hand_req()))
                .unwrap()
        });
    });
    g.bench_function("POST bare", |b| {
        b.iter(|| rt.block_on(plain.clone().oneshot(post_req())).unwrap());
    });
    g.bench_function("POST csrf verified", |b| {
        b.iter(|| rt.block_on(with_csrf.clone().oneshot(post_req())).unwrap());
    });
    g.finish();

    let mut g = c.benchmark_group("web/token");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("CsrfKeys::issue", |b| {
        b.iter(|| keys.issue(black_box(SESSION.as_bytes())).unwrap());
    });
    g.bench_function("CsrfKeys::verify", |b| {
        b.iter(|| {
            keys.verify(black_box(SESSION.as_bytes()), black_box(token.as_str()))
                .unwrap();
        });
    });
    let raw = hmac::Key::new(hmac::HMAC_SHA256, KEY.as_bytes());
    let mut message = Vec::new();
    message.extend_from_slice(b"seckit-csrf-v1\0");
    message.extend_from_slice(&[0, 0, 0, 48]);
    message.extend_from_slice(SESSION.as_bytes());
    message.extend_from_slice(&[7u8; 32]);
    g.bench_function("raw aws-lc-rs HMAC-SHA256 of the same bytes", |b| {
        b.iter(|| hmac::sign(&raw, black_box(&message)));
    });
    g.bench_function("CspNonce::generate", |b| {
        b.iter(|| CspNonce::generate().unwrap());
    });
    let html_headers = SecurityHeaders::html();
    let nonce = CspNonce::generate().unwrap();
    g.bench_function("SecurityHeaders::apply html", |b| {
        b.iter(|| {
            let mut h = HeaderMap::new();
            html_headers.apply(&mut h, true, Some(&nonce));
            h
        });
    });
    g.finish();
}

// Plain HTTP in the bench: no HSTS on either side.
const API_HEADERS: [(&str, &str); 7] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("x-xss-protection", "0"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-resource-policy", "same-origin"),
    ("cache-control", "no-store"),
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
];

const HTML_HEADERS: [(&str, &str); 7] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("x-xss-protection", "0"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
    ("cache-control", "no-store"),
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

criterion_group!(benches, bench);
criterion_main!(benches);
