//! Webhook verification beside the raw work it does, in one run:
//!
//! - Standard Webhooks verify of a 1 KiB body (`Verifier::verify_at` on a
//!   `HeaderMap`: header lookup, shape checks, timestamp, base64 decode,
//!   HMAC-SHA256, constant-time compare) beside the raw aws-lc-rs HMAC of
//!   the same `{id}.{ts}.{body}` plus the base64 decode of the signature,
//!   and beside the `standardwebhooks` crate's `verify` (hmac-sha256);
//! - the same at 64 KiB, where the HMAC dominates;
//! - Stripe and GitHub verify of 1 KiB; TURN issue;
//! - `OutboundUrl::parse` of a typical URL.
//!
//! Run with `cargo bench --bench webhook --features webhook,validate`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::as_conversions,
    clippy::cast_possible_truncation,
    missing_docs
)] // bench scaffolding

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seckit::SecretString;
use seckit::validate::OutboundUrl;
use seckit::webhook::{
    GithubVerifier, Signer, StandardSecret, StripeVerifier, TurnCredentials, TurnSecret, Verifier,
};

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn standard(c: &mut Criterion) {
    let secret = StandardSecret::parse(&SecretString::from(SECRET)).unwrap();
    let key_bytes = STANDARD.decode(&SECRET[6..]).unwrap();
    let raw_key = hmac::Key::new(hmac::HMAC_SHA256, &key_bytes);
    let theirs = standardwebhooks::Webhook::new(SECRET).unwrap();
    let mut g = c.benchmark_group("webhook verify (standard)");
    for size in [1024usize, 64 * 1024] {
        // ASCII: the `standardwebhooks` crate refuses a body that is not UTF-8
        // (`InvalidPayload`); seckit signs bytes.
        let body: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
        let ts = now();
        let signed = Signer::new(secret.clone()).sign(ID, ts, &body).unwrap();
        let headers = signed.to_header_map();
        let verifier = Verifier::new(secret.clone());
        let ts_text = ts.to_string();
        let sig_b64 = signed.signature[3..].to_owned();
        let raw = |body: &[u8]| {
            let mut sig = [0u8; 33];
            let n = STANDARD.decode_slice(sig_b64.as_bytes(), &mut sig).unwrap();
            let mut ctx = hmac::Context::with_key(&raw_key);
            ctx.update(ID.as_bytes());
            ctx.update(b".");
            ctx.update(ts_text.as_bytes());
            ctx.update(b".");
            ctx.update(body);
            let tag = ctx.sign();
            tag.as_ref() == &sig[..n]
        };
        // Every path verifies the same delivery successfully.
        assert!(verifier.verify_at(&headers, &body, ts).is_ok());
        assert!(raw(&body));
        let theirs_ok = theirs.verify(&body, &headers);
        assert!(theirs_ok.is_ok(), "{theirs_ok:?}");
        // Interleaved batches (this machine's timing drifts between criterion
        // groups): the median of 31 ratios of 2000-call batches.
        let ratio = |a: &mut dyn FnMut() -> bool, b: &mut dyn FnMut() -> bool| {
            let mut ratios: Vec<f64> = (0..31)
                .map(|_| {
                    let t = Instant::now();
                    for _ in 0..2000 {
                        black_box(a());
                    }
                    let ta = t.elapsed().as_secs_f64();
                    let t = Instant::now();
                    for _ in 0..2000 {
                        black_box(b());
                    }
                    ta / t.elapsed().as_secs_f64()
                })
                .collect();
            ratios.sort_by(f64::total_cmp);
            ratios[15]
        };
        {
            let at = ratio(
                &mut || verifier.verify_at(&headers, &body, ts).is_ok(),
                &mut || raw(&body),
            );
            let parts = ratio(
                &mut || {
                    verifier
                        .verify_parts(
                            ID.as_bytes(),
                            ts_text.as_bytes(),
                            signed.signature.as_bytes(),
                            &body,
                            ts,
                        )
                        .is_ok()
                },
                &mut || raw(&body),
            );
            // A raw receiver reads the three headers too: the http crate's
            // HeaderMap lookups, measured alone beside the raw HMAC.
            let names = [
                http::HeaderName::from_static("webhook-id"),
                http::HeaderName::from_static("webhook-timestamp"),
                http::HeaderName::from_static("webhook-signature"),
            ];
            let lookups = |headers: &http::HeaderMap| {
                names.iter().all(|n| {
                    let mut it = headers.get_all(n).iter();
                    it.next().is_some() && it.next().is_none()
                })
            };
            let at_vs_raw_headers = ratio(
                &mut || verifier.verify_at(&headers, &body, ts).is_ok(),
                &mut || lookups(&headers) && raw(&body),
            );
            let lookup_cost = ratio(&mut || lookups(&headers) && raw(&body), &mut || raw(&body));
            let peer = ratio(&mut || theirs.verify(&body, &headers).is_ok(), &mut || {
                raw(&body)
            });
            println!(
                "ratio {size} B (interleaved, median): verify_at {at:.3}x raw, verify_parts {parts:.3}x raw, \
             verify_at {at_vs_raw_headers:.3}x raw with the 3 HeaderMap lookups (which alone are {lookup_cost:.3}x raw), \
             standardwebhooks crate {peer:.3}x raw"
            );
        }
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(
            BenchmarkId::new("seckit Verifier::verify_at", size),
            &body,
            |b, body| {
                b.iter(|| black_box(verifier.verify_at(&headers, body, ts).is_ok()));
            },
        );
        g.bench_with_input(
            BenchmarkId::new("seckit Verifier::verify_parts", size),
            &body,
            |b, body| {
                b.iter(|| {
                    black_box(
                        verifier
                            .verify_parts(
                                ID.as_bytes(),
                                ts_text.as_bytes(),
                                signed.signature.as_bytes(),
                                body,
                                ts,
                            )
                            .is_ok(),
                    )
                });
            },
        );
        g.bench_with_input(
            BenchmarkId::new("raw aws-lc-rs HMAC + base64 decode", size),
            &body,
            |b, body| {
                b.iter(|| black_box(raw(body)));
            },
        );
        g.bench_with_input(
            BenchmarkId::new("standardwebhooks crate verify", size),
            &body,
            |b, body| {
                b.iter(|| black_box(theirs.verify(body, &headers).is_ok()));
            },
        );
    }
    g.finish();
}

fn others(c: &mut Criterion) {
    let body = vec![b'x'; 1024];
    let ts = now();
    let stripe = StripeVerifier::new(&SecretString::from(
        "whsec_9xQ2LmZ7pR4tV8bN1cK6yH3sD0fJ5gWa",
    ))
    .unwrap();
    let stripe_header = stripe.sign(ts, &body);
    let github =
        GithubVerifier::new(&SecretString::from("9xQ2LmZ7pR4tV8bN1cK6yH3sD0fJ5gWaE")).unwrap();
    let github_header = github.sign(&body);
    let turn = TurnSecret::new(&SecretString::from("9xQ2LmZ7pR4tV8bN1cK6yH3sD0fJ5gWaE")).unwrap();
    let mut g = c.benchmark_group("webhook others, 1 KiB");
    g.bench_function("stripe verify_header", |b| {
        b.iter(|| {
            black_box(
                stripe
                    .verify_header(stripe_header.as_bytes(), &body, ts)
                    .is_ok(),
            )
        });
    });
    g.bench_function("github verify_header", |b| {
        b.iter(|| {
            black_box(
                github
                    .verify_header(github_header.as_bytes(), &body)
                    .is_ok(),
            )
        });
    });
    g.bench_function("turn issue", |b| {
        b.iter(|| {
            black_box(
                TurnCredentials::issue_at(&turn, "alice", Duration::from_secs(3600), ts).is_ok(),
            )
        });
    });
    g.bench_function("OutboundUrl::parse", |b| {
        b.iter(|| {
            black_box(OutboundUrl::parse("https://hooks.example.com:8443/in/abc?token=1").is_ok())
        });
    });
    g.finish();
}

criterion_group!(benches, standard, others);
criterion_main!(benches);
