//! The streaming goal of issue 15, measured interleaved: seckit's streaming
//! seal and open beside raw aws-lc-rs AES-256-GCM over the same bytes, the
//! contenders taking turns round after round, so that the drift of a shared
//! machine (it moved single runs by ±15% here) falls on all of them alike.
//! Criterion's groups (`benches/envelope.rs`) run one contender after the
//! other, seconds apart; for ratios near 1 this is the figure to trust.
//!
//! `cargo bench --bench envelope_ratio` prints the median of each contender
//! and its speed as a fraction of the raw one-shot call.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)] // bench scaffolding fails loudly

use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use seckit::SecretString;
use seckit::envelope::{self, Keyring, PrivateKey, Sealer};

const CHUNK: usize = 1 << 16;

fn nonce(i: usize) -> Nonce {
    let mut n = [7u8; 12];
    n[4..].copy_from_slice(&u64::try_from(i).unwrap().to_be_bytes());
    Nonce::assume_unique_for_key(n)
}

type Case<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// Runs every case once per round, starting each round one case later,
/// and returns the median time of each.
fn race(cases: &mut [Case<'_>], rounds: usize) -> Vec<Duration> {
    let mut times = vec![Vec::with_capacity(rounds); cases.len()];
    for (_, run) in cases.iter_mut() {
        run(); // warm up: pages mapped, caches and frequency settled
    }
    for round in 0..rounds {
        for k in 0..cases.len() {
            let i = (k + round) % cases.len();
            let start = Instant::now();
            (cases[i].1)();
            times[i].push(start.elapsed());
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect()
}

fn report(title: &str, size: usize, cases: &[Case<'_>], medians: &[Duration]) {
    let base = medians[0].as_secs_f64();
    println!("\n{title} ({} MiB, median of the rounds)", size >> 20);
    for ((name, _), m) in cases.iter().zip(medians) {
        let gbs =
            f64::from(u32::try_from(size >> 20).unwrap()) * 1_048_576.0 / m.as_secs_f64() / 1e9;
        println!(
            "  {name:<52} {:>9.2} ms  {gbs:>6.2} GB/s  speed {:.2}x raw one-shot",
            m.as_secs_f64() * 1e3,
            base / m.as_secs_f64()
        );
    }
}

fn main() {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/envelope/rsa3072-private.pem"
    ))
    .unwrap();
    let private = PrivateKey::from_pem(&SecretString::from(pem), None).unwrap();
    let public = private.public_key().clone();
    let ring = Keyring::from(private);
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[9u8; 32]).unwrap());

    for (size, rounds) in [(64usize << 20, 41), (1 << 30, 9)] {
        let pt = vec![0x42u8; size];
        let mut out = vec![0u8; size];
        let mut chunk = vec![0u8; CHUNK];
        let mut copied = vec![0u8; CHUNK + 16];
        let mut in_place = pt.clone();
        let mut in_chunks = pt.clone();

        let mut seal: Vec<Case<'_>> = vec![
            (
                "raw aws-lc one-shot, in place",
                Box::new(|| {
                    let tag = key
                        .seal_in_place_separate_tag(nonce(0), Aad::empty(), &mut in_place)
                        .unwrap();
                    black_box(&tag);
                }),
            ),
            (
                "raw aws-lc one-shot, slice to slice",
                Box::new(|| {
                    let mut tag = [0u8; 16];
                    key.seal_out_of_place_scatter(
                        nonce(0),
                        Aad::empty(),
                        &pt,
                        &mut out,
                        &[],
                        &mut tag,
                    )
                    .unwrap();
                }),
            ),
            (
                "raw aws-lc, 64 KiB chunks into one buffer",
                Box::new(|| {
                    let mut tag = [0u8; 16];
                    for (i, piece) in pt.chunks(CHUNK).enumerate() {
                        key.seal_out_of_place_scatter(
                            nonce(i),
                            Aad::from(&[0u8; 32]),
                            piece,
                            &mut chunk[..piece.len()],
                            &[],
                            &mut tag,
                        )
                        .unwrap();
                    }
                    black_box(&tag);
                }),
            ),
            (
                "raw aws-lc, 64 KiB chunks in place",
                Box::new(|| {
                    for (i, piece) in in_chunks.chunks_mut(CHUNK).enumerate() {
                        let t = key
                            .seal_in_place_separate_tag(nonce(i), Aad::from(&[0u8; 32]), piece)
                            .unwrap();
                        black_box(&t);
                    }
                }),
            ),
            (
                "raw aws-lc, 64 KiB chunks copied, sealed in place",
                Box::new(|| {
                    for (i, piece) in pt.chunks(CHUNK).enumerate() {
                        let buf = &mut copied[..piece.len()];
                        buf.copy_from_slice(piece);
                        let t = key
                            .seal_in_place_separate_tag(nonce(i), Aad::from(&[0u8; 32]), buf)
                            .unwrap();
                        black_box(&t);
                    }
                }),
            ),
            (
                "seckit Sealer to a sink (64 KiB chunks)",
                Box::new(|| {
                    let mut s = Sealer::new(&[&public], std::io::sink(), b"").unwrap();
                    s.write_all(black_box(&pt)).unwrap();
                    s.finish().unwrap();
                }),
            ),
            (
                "seckit Sealer to a sink (1 MiB chunks)",
                Box::new(|| {
                    let mut s =
                        Sealer::with_chunk_exp(&[&public], std::io::sink(), b"", 20).unwrap();
                    s.write_all(black_box(&pt)).unwrap();
                    s.finish().unwrap();
                }),
            ),
        ];
        let medians = race(&mut seal, rounds);
        report("seal", size, &seal, &medians);
        drop(seal);
        drop(in_chunks);

        let mut ct = pt.clone();
        let tag = key
            .seal_in_place_separate_tag(nonce(0), Aad::empty(), &mut ct)
            .unwrap();
        let mut chunked = Vec::with_capacity(size + size / CHUNK * 16);
        for (i, piece) in pt.chunks(CHUNK).enumerate() {
            let start = chunked.len();
            chunked.extend_from_slice(piece);
            let t = key
                .seal_in_place_separate_tag(nonce(i), Aad::from(&[0u8; 32]), &mut chunked[start..])
                .unwrap();
            chunked.extend_from_slice(t.as_ref());
        }
        let sealed = envelope::seal(&[&public], &pt, b"").unwrap();
        let mut big = Sealer::with_chunk_exp(&[&public], Vec::new(), b"", 20).unwrap();
        big.write_all(&pt).unwrap();
        let sealed_big = big.finish().unwrap();
        drop(in_place);

        let mut open: Vec<Case<'_>> = vec![
            (
                "raw aws-lc one-shot, slice to slice",
                Box::new(|| {
                    key.open_separate_gather(nonce(0), Aad::empty(), &ct, tag.as_ref(), &mut out)
                        .unwrap();
                }),
            ),
            (
                "raw aws-lc, 64 KiB chunks into one buffer",
                Box::new(|| {
                    for (i, piece) in chunked.chunks(CHUNK + 16).enumerate() {
                        let (body, t) = piece.split_at(piece.len() - 16);
                        key.open_separate_gather(
                            nonce(i),
                            Aad::from(&[0u8; 32]),
                            body,
                            t,
                            &mut chunk[..body.len()],
                        )
                        .unwrap();
                    }
                }),
            ),
            (
                "raw aws-lc, 64 KiB chunks copied, opened in place",
                Box::new(|| {
                    for (i, piece) in chunked.chunks(CHUNK + 16).enumerate() {
                        let buf = &mut copied[..piece.len()];
                        buf.copy_from_slice(piece);
                        key.open_in_place(nonce(i), Aad::from(&[0u8; 32]), buf)
                            .unwrap();
                    }
                }),
            ),
            (
                "seckit open_stream to a sink (64 KiB chunks)",
                Box::new(|| {
                    envelope::open_stream(&ring, black_box(&sealed[..]), std::io::sink(), b"")
                        .unwrap();
                }),
            ),
            (
                "seckit open_stream to a sink (1 MiB chunks)",
                Box::new(|| {
                    envelope::open_stream(&ring, black_box(&sealed_big[..]), std::io::sink(), b"")
                        .unwrap();
                }),
            ),
        ];
        let medians = race(&mut open, rounds);
        report("open", size, &open, &medians);
    }
}
