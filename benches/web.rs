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

#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)] // bench scaffolding

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
    // The same `from_fn` machinery doing nothing: what any middleware costs.
    let noop =
        bare().layer(middleware::from_fn(
            |req: axum::extract::Request, next: middleware::Next| async move {
                next.run(req).await
            },
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

criterion_group!(benches, bench);
criterion_main!(benches);
