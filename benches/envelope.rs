//! Envelope benches, each seckit call beside the raw primitives doing the
//! same work:
//!
//! - streaming seal and open of 64 MiB and 1 GiB to and from memory sinks
//!   (a sink, and a `Vec` kept across iterations; 64 KiB and 1 MiB chunks),
//!   beside AES-256-GCM over the same bytes: aws-lc-rs in one call in
//!   place, in one call from slice to slice, and in 64 KiB chunks with a
//!   nonce each (chunking without seckit), and the `aes-gcm` crate
//!   RustCrypto's backend uses; `benches/envelope_ratio.rs` runs the same
//!   contenders interleaved, for ratios that machine drift cannot move;
//! - opening a 1 KiB envelope at RSA-2048/3072/4096 beside one RSA-OAEP
//!   decryption and one AES-GCM open by hand;
//! - one-shot seal/open of 1 KiB and 1 MiB;
//! - key generation at 3072 and 4096 bits (compare `openssl genpkey`,
//!   recorded in docs/PERFORMANCE.md).
//!
//! seckit's own results carry the backend in their name (`[aws-lc]` or
//! `[rustcrypto]`): run once as is (`cargo bench --bench envelope`) and once
//! with `--no-default-features --features envelope-rustcrypto` for the
//! pure-Rust figures. The 1 GiB bounded-memory figure comes from
//! `cargo test --release --features … --test envelope_big -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)] // bench scaffolding fails loudly

use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

use aes_gcm::aead::{AeadInOut as _, KeyInit as _};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seckit::SecretString;
use seckit::envelope::{self, Keyring, PrivateKey, Sealer};

#[cfg(feature = "envelope")]
const BACKEND: &str = "aws-lc";
#[cfg(not(feature = "envelope"))]
const BACKEND: &str = "rustcrypto";

fn ours(what: &str) -> String {
    format!("seckit_{what}[{BACKEND}]")
}

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

const NONCE: [u8; 12] = [7; 12];
const KEY: [u8; 32] = [9; 32];

/// One-shot AES-256-GCM in place with aws-lc-rs: the ceiling.
#[cfg(feature = "envelope")]
mod aws {
    use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, Tag, UnboundKey};

    pub(crate) fn key() -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &super::KEY).unwrap())
    }

    pub(crate) fn seal(key: &LessSafeKey, buf: &mut [u8]) -> Tag {
        key.seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(super::NONCE),
            Aad::empty(),
            buf,
        )
        .unwrap()
    }

    /// One-shot, reading the plaintext where it lies and writing the
    /// ciphertext to another buffer: the same memory traffic as a stream
    /// from one slice into another.
    pub(crate) fn seal_out(key: &LessSafeKey, input: &[u8], output: &mut [u8]) -> [u8; 16] {
        let mut tag = [0u8; 16];
        key.seal_out_of_place_scatter(
            Nonce::assume_unique_for_key(super::NONCE),
            Aad::empty(),
            input,
            output,
            &[],
            &mut tag,
        )
        .unwrap();
        tag
    }

    pub(crate) fn open_out(key: &LessSafeKey, ct: &[u8], tag: &[u8], output: &mut [u8]) {
        key.open_separate_gather(
            Nonce::assume_unique_for_key(super::NONCE),
            Aad::empty(),
            ct,
            tag,
            output,
        )
        .unwrap();
    }

    /// The primitive work of a chunked stream and nothing else: each chunk
    /// sealed out of place from the source into one reused buffer under
    /// its own nonce.
    pub(crate) fn seal_chunked(key: &LessSafeKey, input: &[u8], chunk: usize, buf: &mut [u8]) {
        let mut tag = [0u8; 16];
        for (i, piece) in input.chunks(chunk).enumerate() {
            key.seal_out_of_place_scatter(
                nonce(i),
                Aad::empty(),
                piece,
                &mut buf[..piece.len()],
                &[],
                &mut tag,
            )
            .unwrap();
            std::hint::black_box(&tag);
        }
    }

    /// Chunks of `chunk` bytes each followed by its tag, as
    /// [`open_chunked`] reads them.
    pub(crate) fn chunked_ciphertext(key: &LessSafeKey, input: &[u8], chunk: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() + input.len() / chunk * 16 + 16);
        for (i, piece) in input.chunks(chunk).enumerate() {
            let mut c = piece.to_vec();
            let tag = key
                .seal_in_place_separate_tag(nonce(i), Aad::empty(), &mut c)
                .unwrap();
            out.extend_from_slice(&c);
            out.extend_from_slice(tag.as_ref());
        }
        out
    }

    pub(crate) fn open_chunked(key: &LessSafeKey, ct: &[u8], chunk: usize, buf: &mut [u8]) {
        for (i, piece) in ct.chunks(chunk + 16).enumerate() {
            let (body, tag) = piece.split_at(piece.len() - 16);
            key.open_separate_gather(nonce(i), Aad::empty(), body, tag, &mut buf[..body.len()])
                .unwrap();
        }
    }

    fn nonce(i: usize) -> Nonce {
        let mut n = super::NONCE;
        n[4..].copy_from_slice(&u64::try_from(i).unwrap().to_be_bytes());
        Nonce::assume_unique_for_key(n)
    }

    pub(crate) fn open(key: &LessSafeKey, buf: &mut [u8]) -> usize {
        key.open_in_place(
            Nonce::assume_unique_for_key(super::NONCE),
            Aad::empty(),
            buf,
        )
        .unwrap()
        .len()
    }
}

fn rc_cipher() -> aes_gcm::Aes256Gcm {
    aes_gcm::Aes256Gcm::new(&KEY.into())
}

fn rc_seal(cipher: &aes_gcm::Aes256Gcm, buf: &mut [u8]) -> aes_gcm::Tag {
    cipher
        .encrypt_inout_detached(&aes_gcm::Nonce::from(NONCE), b"", buf.into())
        .unwrap()
}

fn streaming(c: &mut Criterion) {
    let k = key(3072);
    let ring = Keyring::from(k.clone());
    let public = k.public_key().clone();
    for (name, size) in [("64MiB", 64usize << 20), ("1GiB", 1 << 30)] {
        let pt = vec![0x42u8; size];
        let sealed = envelope::seal(&[&public], &pt, b"").unwrap();
        let mut g = c.benchmark_group(format!("envelope_stream_{name}"));
        g.throughput(Throughput::Bytes(u64::try_from(size).unwrap()));
        g.sample_size(10).warm_up_time(Duration::from_secs(1));
        g.measurement_time(Duration::from_secs(if size > 64 << 20 { 30 } else { 8 }));
        g.bench_function(ours("seal_stream"), |b| {
            b.iter(|| {
                let mut s = Sealer::new(&[&public], std::io::sink(), b"").unwrap();
                s.write_all(black_box(&pt)).unwrap();
                s.finish().unwrap()
            })
        });
        g.bench_function(ours("open_stream"), |b| {
            b.iter(|| {
                envelope::open_stream(&ring, black_box(&sealed[..]), std::io::sink(), b"").unwrap()
            })
        });
        // The largest chunk a default opener accepts (1 MiB): fewer calls
        // into the AEAD, the same memory traffic.
        let mut big = Sealer::with_chunk_exp(&[&public], Vec::new(), b"", 20).unwrap();
        big.write_all(&pt).unwrap();
        let sealed_big = big.finish().unwrap();
        g.bench_function(ours("seal_stream_1MiB_chunks"), |b| {
            b.iter(|| {
                let mut s = Sealer::with_chunk_exp(&[&public], std::io::sink(), b"", 20).unwrap();
                s.write_all(black_box(&pt)).unwrap();
                s.finish().unwrap()
            })
        });
        g.bench_function(ours("open_stream_1MiB_chunks"), |b| {
            b.iter(|| {
                envelope::open_stream(&ring, black_box(&sealed_big[..]), std::io::sink(), b"")
                    .unwrap()
            })
        });
        drop(sealed_big);
        // The same streams into a memory sink that keeps the bytes (a Vec
        // reused across iterations, so its pages are already mapped).
        let mut out = Vec::with_capacity(sealed.len());
        g.bench_function(ours("seal_stream_to_vec"), |b| {
            b.iter(|| {
                out.clear();
                let mut s = Sealer::new(&[&public], &mut out, b"").unwrap();
                s.write_all(black_box(&pt)).unwrap();
                s.finish().unwrap();
                black_box(out.len())
            })
        });
        g.bench_function(ours("open_stream_to_vec"), |b| {
            b.iter(|| {
                out.clear();
                envelope::open_stream(&ring, black_box(&sealed[..]), &mut out, b"").unwrap();
                black_box(out.len())
            })
        });
        drop(out);
        // The one-shot calls on the same data, for the in-memory case.
        g.bench_function(ours("seal_one_shot"), |b| {
            b.iter(|| envelope::seal(&[&public], black_box(&pt), b"").unwrap())
        });
        g.bench_function(ours("open_one_shot"), |b| {
            b.iter(|| envelope::open(&ring, black_box(&sealed), b"").unwrap())
        });
        #[cfg(feature = "envelope")]
        {
            let key = aws::key();
            g.bench_function("raw_aws_lc_gcm_seal_one_shot", |b| {
                b.iter_batched_ref(
                    || pt.clone(),
                    |buf| aws::seal(&key, buf),
                    BatchSize::LargeInput,
                )
            });
            let mut ct = pt.clone();
            let tag = aws::seal(&key, &mut ct);
            ct.extend_from_slice(tag.as_ref());
            g.bench_function("raw_aws_lc_gcm_open_one_shot", |b| {
                b.iter_batched_ref(
                    || ct.clone(),
                    |buf| aws::open(&key, buf),
                    BatchSize::LargeInput,
                )
            });
            // Out of place, from the source slice into a second buffer:
            // what a stream from memory to memory has to do at least.
            let mut out = vec![0u8; size];
            g.bench_function("raw_aws_lc_gcm_seal_one_shot_slice_to_slice", |b| {
                b.iter(|| aws::seal_out(&key, black_box(&pt), &mut out))
            });
            // The same, chunked like an envelope (64 KiB, a nonce each),
            // so the cost of chunking itself is visible apart from seckit.
            let mut chunk = vec![0u8; 1 << 16];
            g.bench_function("raw_aws_lc_gcm_seal_64KiB_chunks", |b| {
                b.iter(|| aws::seal_chunked(&key, black_box(&pt), 1 << 16, &mut chunk))
            });
            let chunked = aws::chunked_ciphertext(&key, &pt, 1 << 16);
            g.bench_function("raw_aws_lc_gcm_open_64KiB_chunks", |b| {
                b.iter(|| aws::open_chunked(&key, black_box(&chunked), 1 << 16, &mut chunk))
            });
            drop(chunked);
            let (body, tag) = ct.split_at(size);
            g.bench_function("raw_aws_lc_gcm_open_one_shot_slice_to_slice", |b| {
                b.iter(|| aws::open_out(&key, black_box(body), tag, &mut out))
            });
        }
        if size <= 64 << 20 {
            let cipher = rc_cipher();
            g.bench_function("raw_aes_gcm_crate_seal_one_shot", |b| {
                b.iter_batched_ref(
                    || pt.clone(),
                    |buf| rc_seal(&cipher, buf),
                    BatchSize::LargeInput,
                )
            });
        }
        g.finish();
    }
}

fn open_small_per_key_size(c: &mut Criterion) {
    use rsa::pkcs8::DecodePrivateKey as _;
    use sha2::Sha256;

    let mut g = c.benchmark_group("envelope_open_1KiB");
    let pt = vec![0x42u8; 1024];
    for bits in [2048usize, 3072, 4096] {
        let k = key(bits);
        let ring = Keyring::from(k.clone());
        let sealed = envelope::seal(&[k.public_key()], &pt, b"").unwrap();
        g.bench_with_input(BenchmarkId::new(ours("open"), bits), &sealed, |b, s| {
            b.iter(|| envelope::open(&ring, black_box(s), b"").unwrap())
        });
        #[cfg(feature = "envelope")]
        {
            use aws_lc_rs::rsa::{
                OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, PrivateDecryptingKey,
            };
            let der = k.to_der().unwrap();
            let private = PrivateDecryptingKey::from_pkcs8(der.expose_secret()).unwrap();
            let public = private.public_key();
            let raw = OaepPrivateDecryptingKey::new(private).unwrap();
            let oaep_pub = aws_lc_rs::rsa::OaepPublicEncryptingKey::new(public).unwrap();
            let mut wrapped = vec![0u8; oaep_pub.ciphertext_size()];
            oaep_pub
                .encrypt(&OAEP_SHA256_MGF1SHA256, &KEY, &mut wrapped, None)
                .unwrap();
            let gcm = aws::key();
            let mut ct = pt.clone();
            let tag = aws::seal(&gcm, &mut ct);
            ct.extend_from_slice(tag.as_ref());
            g.bench_with_input(
                BenchmarkId::new("raw_aws_lc_oaep_and_gcm_open", bits),
                &wrapped,
                |b, w| {
                    b.iter(|| {
                        let mut dk = [0u8; 512];
                        let dk = raw
                            .decrypt(&OAEP_SHA256_MGF1SHA256, black_box(w), &mut dk, None)
                            .unwrap();
                        let key = aws_lc_rs::aead::LessSafeKey::new(
                            aws_lc_rs::aead::UnboundKey::new(&aws_lc_rs::aead::AES_256_GCM, dk)
                                .unwrap(),
                        );
                        let mut buf = ct.clone();
                        aws::open(&key, &mut buf)
                    })
                },
            );
        }
        let raw = rsa::PrivateKey::from_pkcs8_pem(&pem(bits)).unwrap();
        let wrapped = raw
            .to_public_key()
            .encrypt(&mut rand::rngs::SysRng, rsa::Oaep::<Sha256>::new(), &KEY)
            .unwrap();
        let cipher = rc_cipher();
        let mut ct = pt.clone();
        let tag = rc_seal(&cipher, &mut ct);
        g.bench_with_input(
            BenchmarkId::new("raw_rsa_crate_oaep_and_aes_gcm_open", bits),
            &wrapped,
            |b, w| {
                b.iter(|| {
                    let dk = raw
                        .decrypt_blinded(
                            &mut rand::rngs::SysRng,
                            rsa::Oaep::<Sha256>::new(),
                            black_box(w),
                        )
                        .unwrap();
                    let c = aes_gcm::Aes256Gcm::new_from_slice(&dk).unwrap();
                    let mut buf = ct.clone();
                    c.decrypt_inout_detached(
                        &aes_gcm::Nonce::from(NONCE),
                        b"",
                        buf.as_mut_slice().into(),
                        &tag,
                    )
                    .unwrap();
                    buf
                })
            },
        );
    }
    g.finish();
}

fn one_shot(c: &mut Criterion) {
    let k = key(3072);
    let ring = Keyring::from(k.clone());
    let public = k.public_key().clone();
    for (name, size) in [("1KiB", 1024usize), ("1MiB", 1 << 20)] {
        let pt = vec![0x42u8; size];
        let sealed = envelope::seal(&[&public], &pt, b"").unwrap();
        let mut g = c.benchmark_group(format!("envelope_{name}"));
        g.throughput(Throughput::Bytes(u64::try_from(size).unwrap()));
        g.bench_function(ours("seal"), |b| {
            b.iter(|| envelope::seal(&[&public], black_box(&pt), b"").unwrap())
        });
        g.bench_function(ours("open"), |b| {
            b.iter(|| envelope::open(&ring, black_box(&sealed), b"").unwrap())
        });
        g.finish();
    }
}

fn keygen(c: &mut Criterion) {
    let mut g = c.benchmark_group("envelope_keygen");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for bits in [3072usize, 4096] {
        g.bench_with_input(
            BenchmarkId::new(ours("generate"), bits),
            &bits,
            |b, &bits| b.iter(|| PrivateKey::generate_bits(bits).unwrap()),
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(20);
    targets = streaming, open_small_per_key_size, one_shot, keygen
}
criterion_main!(benches);
