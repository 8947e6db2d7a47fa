//! Validation benches: seckit's parsers beside the `validator` crate doing
//! the nearest equivalent check (e-mail syntax; a character-count length
//! check), plus ns/op for the parsers that have no peer. Goal from the
//! issue: e-mail at least 10x faster than `validator`.
//!
//! Run with `cargo bench --bench validate`.

#![allow(clippy::unwrap_used, missing_docs)] // bench scaffolding fails loudly

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use seckit::validate::{
    Email, Filename, PositiveId, SqlIdentifier, Text, UnicodeUsername, Username, html, safe_join,
};
use validator::{ValidateEmail as _, ValidateLength as _};

const VALID: &str = "grace.hopper+navy@mail.example.com";
const INVALID: &str = "grace.hopper@mail..example.com";

fn email(c: &mut Criterion) {
    assert!(VALID.validate_email() && Email::parse(VALID).is_ok());
    assert!(!INVALID.validate_email() && Email::parse(INVALID).is_err());
    let mut g = c.benchmark_group("email_valid");
    g.bench_function("seckit_parse", |b| {
        b.iter(|| Email::parse(black_box(VALID)).unwrap())
    });
    g.bench_function("seckit_check", |b| {
        b.iter(|| Email::check(black_box(VALID)).unwrap())
    });
    g.bench_function("validator", |b| {
        b.iter(|| assert!(black_box(VALID).validate_email()))
    });
    g.finish();
    let mut g = c.benchmark_group("email_invalid");
    g.bench_function("seckit_check", |b| {
        b.iter(|| Email::check(black_box(INVALID)).unwrap_err())
    });
    g.bench_function("validator", |b| {
        b.iter(|| assert!(!black_box(INVALID).validate_email()))
    });
    g.finish();
}

fn text(c: &mut Criterion) {
    let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Grüße! ".repeat(16); // ~1 KiB
    let mut g = c.benchmark_group("text_1KiB");
    g.bench_function("seckit_parse", |b| {
        b.iter(|| Text::parse(black_box(&body)).unwrap())
    });
    g.bench_function("validator_length", |b| {
        b.iter(|| assert!(black_box(body.as_str()).validate_length(Some(0u64), Some(10_000), None)))
    });
    g.finish();
}

fn others(c: &mut Criterion) {
    let mut g = c.benchmark_group("validate_ns_per_op");
    g.bench_function("username_parse", |b| {
        b.iter(|| Username::parse(black_box("grace_hopper-1906")).unwrap())
    });
    g.bench_function("unicode_username_parse", |b| {
        b.iter(|| UnicodeUsername::parse(black_box("Jürgen_Müller")).unwrap())
    });
    g.bench_function("sql_identifier_parse", |b| {
        b.iter(|| SqlIdentifier::parse(black_box("created_at")).unwrap())
    });
    g.bench_function("positive_id_parse", |b| {
        b.iter(|| PositiveId::parse(black_box("1234567890")).unwrap())
    });
    g.bench_function("safe_join", |b| {
        b.iter(|| {
            safe_join(
                Path::new("/srv/uploads"),
                black_box("2026/11/report-final.pdf"),
            )
            .unwrap()
        })
    });
    g.bench_function("filename_sanitize", |b| {
        b.iter(|| Filename::sanitize(black_box("C:\\Users\\me\\Desktop\\report (final)?.pdf")))
    });
    g.bench_function("html_escape_clean_64B", |b| {
        b.iter(|| {
            html::escape(black_box(
                "A perfectly ordinary sentence with nothing to escape at all.",
            ))
        })
    });
    g.bench_function("html_escape_dirty_64B", |b| {
        b.iter(|| {
            html::escape(black_box(
                "<script>alert('x')</script> & \"quoted\" <b>bold</b>",
            ))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(50);
    targets = email, text, others
}
criterion_main!(benches);
