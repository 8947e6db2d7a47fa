//! Envelope benches: one-shot seal/open beside raw `aes-gcm` on the same
//! bytes (and beside raw RSA-OAEP + AES-GCM, the same work), streaming at
//! 64 MiB, and the RSA unwrap cost per key size.
//!
//! Run with `cargo bench --bench envelope`. The 1 GiB streaming memory
//! figure comes from `cargo test --release --all-features --test
//! envelope_big -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, missing_docs)] // bench scaffolding fails loudly

use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

use aes_gcm::aead::{AeadInOut as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seckit::SecretString;
use seckit::envelope::{self, Keyring, PrivateKey, Sealer};
use sha2::Sha256;

fn pem(bits: usize) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/envelope/rsa{bits}-private.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn key(bits: usize) -> PrivateKey {
    PrivateKey::from_pem(&SecretString::from(pem(bits)), None).unwrap()
}

fn raw_seal(cipher: &Aes256Gcm, buf: &mut [u8]) {
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from([7u8; 12]), b"", buf.into())
        .unwrap();
    black_box(tag);
}

fn one_shot(c: &mut Criterion) {
    let k = key(3072);
    let ring = Keyring::from(k.clone());
    let public = k.public_key().clone();
    let cipher = Aes256Gcm::new(&[9u8; 32].into());
    for (name, size) in [("1KiB", 1024usize), ("1MiB", 1 << 20), ("64MiB", 64 << 20)] {
        let pt = vec![0x42u8; size];
        let sealed = envelope::seal(&[&public], &pt, b"").unwrap();
        let mut g = c.benchmark_group(format!("envelope_{name}"));
        g.throughput(Throughput::Bytes(u64::try_from(size).unwrap()));
        if size >= 64 << 20 {
            g.sample_size(10).measurement_time(Duration::from_secs(8));
        }
        g.bench_function("seckit_seal", |b| {
            b.iter(|| envelope::seal(&[&public], black_box(&pt), b"").unwrap())
        });
        g.bench_function("raw_aes_gcm_seal", |b| {
            b.iter(|| {
                let mut buf = pt.clone();
                raw_seal(&cipher, &mut buf);
                buf
            })
        });
        g.bench_function("seckit_open", |b| {
            b.iter(|| envelope::open(&ring, black_box(&sealed), b"").unwrap())
        });
        // The same work by hand: one RSA-OAEP unwrap and one AES-GCM pass.
        use rsa::pkcs8::DecodePrivateKey as _;
        let raw_key = rsa::PrivateKey::from_pkcs8_pem(&pem(3072)).unwrap();
        let wrapped = raw_key
            .to_public_key()
            .encrypt(
                &mut rand::rngs::SysRng,
                rsa::Oaep::<Sha256>::new(),
                &[9u8; 32],
            )
            .unwrap();
        let raw_public = raw_key.to_public_key();
        g.bench_function("raw_rsa_oaep_and_aes_gcm_seal", |b| {
            b.iter(|| {
                let wrapped = raw_public
                    .encrypt(
                        &mut rand::rngs::SysRng,
                        rsa::Oaep::<Sha256>::new(),
                        &[9u8; 32],
                    )
                    .unwrap();
                let mut buf = pt.clone();
                raw_seal(&cipher, &mut buf);
                (wrapped, buf)
            })
        });
        let mut ct = pt.clone();
        let tag = cipher
            .encrypt_inout_detached(&Nonce::from([7u8; 12]), b"", ct.as_mut_slice().into())
            .unwrap();
        g.bench_function("raw_rsa_oaep_and_aes_gcm_open", |b| {
            b.iter(|| {
                let dk = raw_key
                    .decrypt_blinded(
                        &mut rand::rngs::SysRng,
                        rsa::Oaep::<Sha256>::new(),
                        black_box(&wrapped),
                    )
                    .unwrap();
                let c = Aes256Gcm::new_from_slice(&dk).unwrap();
                let mut buf = ct.clone();
                c.decrypt_inout_detached(
                    &Nonce::from([7u8; 12]),
                    b"",
                    buf.as_mut_slice().into(),
                    &tag,
                )
                .unwrap();
                buf
            })
        });
        g.finish();
    }
}

fn streaming(c: &mut Criterion) {
    let k = key(3072);
    let public = k.public_key().clone();
    let size = 64usize << 20;
    let pt = vec![0x42u8; size];
    let cipher = Aes256Gcm::new(&[9u8; 32].into());
    let mut g = c.benchmark_group("envelope_stream_64MiB");
    g.throughput(Throughput::Bytes(u64::try_from(size).unwrap()));
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("seckit_sealer_to_sink", |b| {
        b.iter(|| {
            let mut s = Sealer::new(&[&public], std::io::sink(), b"").unwrap();
            s.write_all(black_box(&pt)).unwrap();
            s.finish().unwrap()
        })
    });
    g.bench_function("raw_aes_gcm_one_shot", |b| {
        b.iter(|| {
            let mut buf = pt.clone();
            raw_seal(&cipher, &mut buf);
            buf
        })
    });
    g.finish();
}

fn unwrap_per_key_size(c: &mut Criterion) {
    let mut g = c.benchmark_group("envelope_open_empty");
    for bits in [2048usize, 3072, 4096] {
        let k = key(bits);
        let ring = Keyring::from(k.clone());
        let sealed = envelope::seal(&[k.public_key()], b"", b"").unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(bits), &sealed, |b, s| {
            b.iter(|| envelope::open(&ring, black_box(s), b"").unwrap())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(20);
    targets = one_shot, streaming, unwrap_per_key_size
}
criterion_main!(benches);
