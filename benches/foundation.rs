//! Foundation benches: each seckit call beside the raw dependencies doing the
//! same work. The ratio between the two lines of a group is seckit's
//! overhead; docs/PERFORMANCE.md records it.
//!
//! Run with `cargo bench --bench foundation`.

#![allow(clippy::unwrap_used, missing_docs)] // bench scaffolding fails loudly

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use rand::TryRng as _;
use rand::rngs::SysRng;
use seckit::random::{ApiKey, ApiKeyHash};
use seckit::{SecretBytes, mask};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

fn random_secret(c: &mut Criterion) {
    let mut g = c.benchmark_group("random_secret_32B_base64url");
    g.bench_function("seckit", |b| {
        b.iter(|| seckit::random::secret(black_box(32)).unwrap())
    });
    g.bench_function("raw_sysrng_base64", |b| {
        b.iter(|| {
            let mut raw = [0u8; 32];
            SysRng.try_fill_bytes(&mut raw).unwrap();
            URL_SAFE_NO_PAD.encode(black_box(raw))
        });
    });
    g.finish();
}

fn api_key_verify(c: &mut Criterion) {
    let (key, hash) = ApiKey::generate("sk_live").unwrap().into_parts();
    let presented = key.expose_secret().clone();
    let stored = *hash.as_bytes();
    let mut g = c.benchmark_group("api_key_verify");
    g.bench_function("seckit", |b| {
        b.iter(|| ApiKey::verify(black_box(&presented), black_box(&hash)).unwrap());
    });
    g.bench_function("raw_sha256_subtle", |b| {
        b.iter(|| {
            let digest: [u8; 32] = Sha256::digest(black_box(presented.as_bytes())).into();
            assert!(bool::from(digest.ct_eq(black_box(&stored))));
        });
    });
    g.finish();

    let mut g = c.benchmark_group("api_key_hash_of");
    g.bench_function("seckit", |b| {
        b.iter(|| ApiKeyHash::of(black_box(&presented)).unwrap())
    });
    g.bench_function("raw_sha256", |b| {
        b.iter(|| Sha256::digest(black_box(presented.as_bytes())))
    });
    g.finish();
}

fn secret_eq(c: &mut Criterion) {
    let a = SecretBytes::new(vec![7u8; 32]);
    let b_ = SecretBytes::new(vec![7u8; 32]);
    let (ra, rb) = (vec![7u8; 32], vec![7u8; 32]);
    let mut g = c.benchmark_group("secret_eq_32B");
    g.bench_function("seckit", |b| b.iter(|| black_box(&a) == black_box(&b_)));
    g.bench_function("raw_subtle", |b| {
        b.iter(|| bool::from(black_box(ra.as_slice()).ct_eq(black_box(rb.as_slice()))));
    });
    g.finish();
}

fn mask_fns(c: &mut Criterion) {
    let dsn = "postgresql://app:hunter2@db.internal:5432/app?sslmode=require&sslpassword=x";
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    let mut g = c.benchmark_group("mask");
    g.bench_function("url_dsn", |b| b.iter(|| mask::url(black_box(dsn))));
    g.bench_function("token_jwt", |b| b.iter(|| mask::token(black_box(token))));
    // The peer: copying the string, the least any masking must do.
    g.bench_function("raw_to_owned_dsn", |b| b.iter(|| black_box(dsn).to_owned()));
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}

criterion_group! { name = benches; config = config(); targets = random_secret, api_key_verify, secret_eq, mask_fns }
criterion_main!(benches);
