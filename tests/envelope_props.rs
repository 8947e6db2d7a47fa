//! Property tests for envelopes: any plaintext size round-trips (0, chunk
//! multiples and everything between); any single-byte change, any cut and
//! any appended byte is refused; parsers never panic on arbitrary input.
#![cfg(feature = "envelope-core")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::io::Write as _;
use std::sync::LazyLock;

use proptest::prelude::*;
use seckit::SecretString;
use seckit::envelope::{self, Keyring, PrivateKey, Sealer, from_armor};

static KEY: LazyLock<PrivateKey> = LazyLock::new(|| {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/envelope/rsa2048-private.pem"
    ))
    .unwrap();
    PrivateKey::from_pem(&SecretString::from(pem), None).unwrap()
});
static RING: LazyLock<Keyring> = LazyLock::new(|| Keyring::from(KEY.clone()));

fn seal(pt: &[u8], ad: &[u8]) -> Vec<u8> {
    let mut s = Sealer::with_chunk_exp(&[KEY.public_key()], Vec::new(), ad, 10).unwrap();
    s.write_all(pt).unwrap();
    s.finish().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_size_round_trips(len in prop_oneof![0usize..3100, Just(1024), Just(2048), Just(3072)], ad in prop::collection::vec(any::<u8>(), 0..40)) {
        let pt: Vec<u8> = (0..len).map(|i| u8::try_from(i % 249).unwrap()).collect();
        let sealed = seal(&pt, &ad);
        let opened = envelope::open(&RING, &sealed, &ad).unwrap();
        prop_assert_eq!(opened.expose_secret(), &pt);
    }

    #[test]
    fn any_change_is_refused(len in 0usize..2200, at in any::<prop::sample::Index>(), xor in 1u8..=255, cut in any::<prop::sample::Index>()) {
        let pt = vec![0xa5u8; len];
        let sealed = seal(&pt, b"ad");
        let mut changed = sealed.clone();
        let i = at.index(changed.len());
        changed[i] ^= xor;
        prop_assert!(envelope::open(&RING, &changed, b"ad").is_err());
        // The streaming opener (a different code path) agrees.
        prop_assert!(envelope::open_stream(&RING, &changed[..], std::io::sink(), b"ad").is_err());
        prop_assert_eq!(envelope::open_stream(&RING, &sealed[..], std::io::sink(), b"ad").unwrap(), u64::try_from(len).unwrap());
        let c = cut.index(sealed.len());
        prop_assert!(envelope::open(&RING, &sealed[..c], b"ad").is_err());
        let mut longer = sealed.clone();
        longer.push(xor);
        prop_assert!(envelope::open(&RING, &longer, b"ad").is_err());
    }

    #[test]
    fn parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), text in "\\PC{0,200}") {
        let mut with_magic = b"SKENV\x01\x01\x0a".to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = envelope::open(&RING, &bytes, b"");
        let _ = envelope::open(&RING, &with_magic, b"");
        let _ = from_armor(&text);
        let _ = from_armor(&format!("-----BEGIN SECKIT ENVELOPE-----\n{text}\n-----END SECKIT ENVELOPE-----\n"));
    }
}
