//! Password hashing beside the raw argon2 and bcrypt crates at identical
//! parameters. docs/PERFORMANCE.md records the ratios.
//!
//! Run with `cargo bench --bench password` (about 2 minutes).

#![allow(clippy::unwrap_used, missing_docs)] // bench scaffolding fails loudly

use std::hint::black_box;
use std::time::Duration;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use criterion::{Criterion, criterion_group, criterion_main};
use seckit::SecretString;
use seckit::password::{Argon2Params, PasswordHasher};
use subtle::ConstantTimeEq;

const PASSWORD: &str = "correct horse battery staple";
const SALT: [u8; 16] = [7; 16];

fn raw_argon2(p: Argon2Params) -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(p.m_kib(), p.t(), p.p(), Some(32)).unwrap(),
    )
}

fn argon2id(c: &mut Criterion, name: &str, p: Argon2Params) {
    let hasher = PasswordHasher::builder().argon2id(p).build().unwrap();
    let password = SecretString::from(PASSWORD);
    let stored = hasher.hash(&password).unwrap();
    let raw = raw_argon2(p);
    let mut memory = vec![Block::new(); raw.params().block_count()];

    let mut g = c.benchmark_group(format!("argon2id_{name}_hash"));
    g.bench_function("seckit_reused_memory", |b| {
        b.iter(|| hasher.hash(black_box(&password)).unwrap())
    });
    g.bench_function("raw_fresh_allocation", |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            raw.hash_password_into(black_box(PASSWORD.as_bytes()), &SALT, &mut out)
                .unwrap();
            out
        });
    });
    g.bench_function("raw_reused_memory", |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            raw.hash_password_into_with_memory(
                black_box(PASSWORD.as_bytes()),
                &SALT,
                &mut out,
                &mut memory,
            )
            .unwrap();
            out
        });
    });
    g.finish();

    let mut g = c.benchmark_group(format!("argon2id_{name}_verify"));
    g.bench_function("seckit", |b| {
        b.iter(|| {
            hasher
                .verify(black_box(&password), black_box(&stored))
                .unwrap()
        })
    });
    let expected = {
        let mut out = [0u8; 32];
        raw.hash_password_into(PASSWORD.as_bytes(), &SALT, &mut out)
            .unwrap();
        out
    };
    g.bench_function("raw_fresh_allocation", |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            raw.hash_password_into(black_box(PASSWORD.as_bytes()), &SALT, &mut out)
                .unwrap();
            assert!(bool::from(out.ct_eq(&expected)));
        });
    });
    g.finish();
}

fn argon2id_presets(c: &mut Criterion) {
    argon2id(c, "owasp", Argon2Params::OWASP);
    argon2id(c, "rfc9106_p4", Argon2Params::RFC9106_LOW_MEMORY);

    // p = 4 with the lanes on 4 rayon threads (2 cores here) versus forced
    // onto one thread: what the `parallel` feature buys.
    let hasher = PasswordHasher::builder()
        .argon2id(Argon2Params::RFC9106_LOW_MEMORY)
        .build()
        .unwrap();
    let password = SecretString::from(PASSWORD);
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut g = c.benchmark_group("argon2id_rfc9106_p4_lanes");
    g.bench_function("parallel", |b| {
        b.iter(|| hasher.hash(black_box(&password)).unwrap())
    });
    g.bench_function("one_thread", |b| {
        b.iter(|| one_thread.install(|| hasher.hash(black_box(&password)).unwrap()))
    });
    g.finish();
}

fn bcrypt_cost10(c: &mut Criterion) {
    let hasher = PasswordHasher::builder().bcrypt(10).build().unwrap();
    let password = SecretString::from(PASSWORD);
    let stored = hasher.hash(&password).unwrap();
    let mut g = c.benchmark_group("bcrypt_cost10_hash");
    g.bench_function("seckit", |b| {
        b.iter(|| hasher.hash(black_box(&password)).unwrap())
    });
    g.bench_function("raw", |b| {
        b.iter(|| bcrypt::hash_with_salt(black_box(PASSWORD), 10, SALT).unwrap())
    });
    g.finish();
    let mut g = c.benchmark_group("bcrypt_cost10_verify");
    g.bench_function("seckit", |b| {
        b.iter(|| {
            hasher
                .verify(black_box(&password), black_box(&stored))
                .unwrap()
        })
    });
    g.bench_function("raw", |b| {
        b.iter(|| assert!(bcrypt::verify(black_box(PASSWORD), black_box(&stored)).unwrap()))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(20)
}

criterion_group! { name = benches; config = config(); targets = argon2id_presets, bcrypt_cost10 }
criterion_main!(benches);
