//! The axum adapter's cost per request: a router whose handler takes
//! `Authenticated<Claims>` beside the same router whose handler reads the
//! header and calls `jwt::bearer_token` + `Verifier::verify` itself, both
//! driven through tower `oneshot` in the same run with the same HS256
//! token. The ratio is what the extractor adds (state lookup, the audit
//! context, the `Arc` clone).
//!
//! Run with `cargo bench --bench axum --features axum`.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)] // bench scaffolding fails loudly

use std::hint::black_box;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::get;
use criterion::{Criterion, criterion_group};
use seckit::axum::Authenticated;
use seckit::jwt::{Algorithm, Issuer, SigningKey, Verifier};
use tower::ServiceExt as _;

#[derive(serde::Serialize, serde::Deserialize)]
struct Claims {
    sub: String,
    role: String,
}

#[derive(Clone, FromRef)]
struct AppState {
    verifier: Arc<Verifier>,
}

async fn extractor(user: Authenticated<Claims>) -> String {
    user.claims.sub.clone()
}

async fn direct(State(state): State<AppState>, headers: HeaderMap) -> Result<String, StatusCode> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let token = seckit::jwt::bearer_token(value).map_err(|_| StatusCode::UNAUTHORIZED)?;
    let verified = state
        .verifier
        .verify::<Claims>(token)
        .map_err(|_| StatusCode::UNAUTHORIZED)?;
    Ok(verified.claims.sub)
}

/// The router and the `Authorization` value both contenders share.
fn setup() -> (Router, String) {
    let key =
        SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32).unwrap()).unwrap();
    let token = Issuer::new(key.clone())
        .issue(&Claims {
            sub: "user-42".into(),
            role: "user".into(),
        })
        .unwrap();
    let state = AppState {
        verifier: Arc::new(Verifier::new(key.verifying_key())),
    };
    let app = Router::new()
        .route("/extractor", get(extractor))
        .route("/direct", get(direct))
        .with_state(state);
    (app, format!("Bearer {token}"))
}

fn one(rt: &tokio::runtime::Runtime, app: &Router, auth: &str, path: &'static str) {
    let req = Request::get(path)
        .header(header::AUTHORIZATION, auth)
        .body(Body::empty())
        .unwrap();
    let res = rt.block_on(app.clone().oneshot(req)).unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    black_box(res);
}

fn bench(c: &mut Criterion) {
    let (app, auth) = setup();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("axum_bearer_hs256");
    g.bench_function("seckit_authenticated_extractor", |b| {
        b.iter(|| one(&rt, &app, &auth, "/extractor"));
    });
    g.bench_function("raw_verifier_verify_in_handler", |b| {
        b.iter(|| one(&rt, &app, &auth, "/direct"));
    });
    g.finish();
}

/// The two contenders alternated in rounds of 20 000 requests, 15 rounds
/// each: the medians' ratio, free of the drift between two criterion runs
/// taken one after the other.
fn interleaved() {
    let (app, auth) = setup();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut ext = Vec::new();
    let mut raw = Vec::new();
    for _ in 0..15 {
        for (path, out) in [("/extractor", &mut ext), ("/direct", &mut raw)] {
            let start = std::time::Instant::now();
            for _ in 0..20_000 {
                one(&rt, &app, &auth, path);
            }
            out.push(start.elapsed().as_secs_f64() / 20_000.0);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (e, r) = (median(&mut ext), median(&mut raw));
    #[allow(clippy::print_stdout)]
    {
        println!(
            "interleaved medians: extractor {:.3} µs, raw verify {:.3} µs, ratio {:.3}",
            e * 1e6,
            r * 1e6,
            e / r
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    interleaved();
}
