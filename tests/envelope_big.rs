//! A 1 GiB envelope through streaming seal and open, with peak memory
//! (VmHWM) reported. Ignored by default (1 GiB of disk, seconds of work):
//! `cargo test --release --all-features --test envelope_big -- --ignored --nocapture`.
#![cfg(feature = "envelope-core")]
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::indexing_slicing)]

use std::io::{BufReader, BufWriter, Read, Write};

use seckit::SecretString;
use seckit::envelope::{self, Keyring, PrivateKey};
use sha2::{Digest as _, Sha256};

const GIB: u64 = 1 << 30;

/// 1 GiB of a counter pattern, produced on the fly.
struct Pattern(u64);

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = usize::try_from((GIB - self.0).min(u64::try_from(buf.len()).unwrap())).unwrap();
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = u8::try_from((self.0 + u64::try_from(i).unwrap()) % 251).unwrap();
        }
        self.0 += u64::try_from(n).unwrap();
        Ok(n)
    }
}

struct Hashing(Sha256, u64);

impl Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        self.1 += u64::try_from(buf.len()).unwrap();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
#[ignore = "1 GiB of disk and several seconds: run by hand"]
fn one_gib_streams_in_bounded_memory() {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/envelope/rsa2048-private.pem"
    ))
    .unwrap();
    let key = PrivateKey::from_pem(&SecretString::from(pem), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.sk");
    let before = peak_kib();
    let t = std::time::Instant::now();
    let out = BufWriter::new(std::fs::File::create(&path).unwrap());
    envelope::seal_stream(&[key.public_key()], Pattern(0), out, b"big").unwrap();
    let sealed_in = t.elapsed();
    let mut expected = Sha256::new();
    let mut p = Pattern(0);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = p.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        expected.update(&buf[..n]);
    }
    let t = std::time::Instant::now();
    let mut sink = Hashing(Sha256::new(), 0);
    let n = envelope::open_stream(
        &Keyring::from(key),
        BufReader::new(std::fs::File::open(&path).unwrap()),
        &mut sink,
        b"big",
    )
    .unwrap();
    let opened_in = t.elapsed();
    assert_eq!(n, GIB);
    assert_eq!(sink.1, GIB);
    assert_eq!(sink.0.finalize(), expected.finalize());
    let after = peak_kib();
    println!(
        "1 GiB: sealed in {sealed_in:?}, opened in {opened_in:?}; file {} bytes; peak RSS {before} KiB before, {after} KiB after",
        std::fs::metadata(&path).unwrap().len()
    );
}
