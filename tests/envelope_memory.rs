//! What opening costs in memory, measured as the process's peak resident
//! set (Linux `VmHWM`, reset through `/proc/self/clear_refs`). One test in
//! this file, so nothing else runs in the process while it measures.
#![cfg(all(feature = "envelope-core", target_os = "linux"))]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::io::Write as _;

use seckit::SecretString;
use seckit::envelope::{Keyring, MAX_CHUNK_LEN, Opener, PrivateKey, Sealer};

/// The process's peak resident set since the last reset, in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Resets the peak to the current resident set (Linux 4.0 and later).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// Issue 13, item 5: a 1-byte envelope sealed with 16 MiB chunks
/// (`chunk_exp` 24, which anyone with the public key may choose) costs its
/// opener about what it holds. Openers used to allocate, and wipe on drop,
/// `2^chunk_exp + 17` bytes whatever the input.
#[test]
fn opening_a_tiny_envelope_with_huge_chunks_costs_little() {
    let pem = include_str!("fixtures/envelope/rsa2048-private.pem");
    let key = PrivateKey::from_pem(&SecretString::from(pem), None).unwrap();
    let mut sealer = Sealer::with_chunk_exp(&[key.public_key()], Vec::new(), b"ad", 24).unwrap();
    sealer.write_all(b"x").unwrap();
    let sealed = sealer.finish().unwrap();
    assert_eq!(sealed.len(), 41 + 32 + 2 + 256 + 32 + 17);
    let keyring = Keyring::from(key);
    let opener = Opener::new(&keyring).max_chunk_len(MAX_CHUNK_LEN).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("tiny.sk");
    std::fs::write(&src, &sealed).unwrap();
    // Warm up once, so that allocator arenas and lazy statics are not
    // counted against the measured runs.
    opener.open(&sealed, b"ad").unwrap();

    reset_peak();
    let before = peak_kib();
    for _ in 0..20 {
        let mut out = Vec::new();
        assert_eq!(opener.open_stream(&sealed[..], &mut out, b"ad").unwrap(), 1);
        assert!(opener.open(&sealed, b"ad").unwrap() == b"x".as_slice());
        let dst = dir.path().join("tiny");
        assert_eq!(opener.open_file(&src, &dst, b"ad").unwrap(), 1);
    }
    let grown = peak_kib().saturating_sub(before);
    println!("peak resident set grew by {grown} KiB opening 60 tiny envelopes with 16 MiB chunks");
    assert!(grown < 2 * 1024, "grew by {grown} KiB");
}
