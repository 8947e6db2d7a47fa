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

    /// However the plaintext arrives (pieces of any size: buffered,
    /// sealed straight from the caller's slice, or read by `seal_stream`
    /// with its look-ahead byte), the envelope has the same shape and opens
    /// to the same plaintext with every opener.
    #[test]
    fn every_way_of_writing_gives_the_same_envelope_shape(
        len in prop_oneof![0usize..5000, Just(1024), Just(2048), Just(4096)],
        cuts in prop::collection::vec(0usize..5000, 0..6),
    ) {
        let pt: Vec<u8> = (0..len).map(|i| u8::try_from(i * 13 % 251).unwrap()).collect();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(len)).collect();
        cuts.sort_unstable();
        let mut s = Sealer::with_chunk_exp(&[KEY.public_key()], Vec::new(), b"ad", 10).unwrap();
        let mut at = 0;
        for cut in cuts.into_iter().chain(std::iter::once(len)) {
            s.write_all(&pt[at..cut]).unwrap();
            at = cut;
        }
        let pieces = s.finish().unwrap();
        let whole = seal(&pt, b"ad");
        let streamed = envelope::seal_stream(&[KEY.public_key()], &pt[..], Vec::new(), b"ad").unwrap();
        let one_shot = envelope::seal(&[KEY.public_key()], &pt, b"ad").unwrap();
        let chunks = len.div_ceil(1024).max(1);
        prop_assert_eq!(pieces.len(), 41 + 290 + 32 + len + 16 * chunks);
        prop_assert_eq!(whole.len(), pieces.len());
        for env in [&pieces, &whole] {
            let opened = envelope::open(&RING, env, b"ad").unwrap();
            prop_assert_eq!(opened.expose_secret(), &pt);
            let mut out = Vec::new();
            envelope::open_stream(&RING, &env[..], &mut out, b"ad").unwrap();
            prop_assert_eq!(&out, &pt);
        }
        for env in [&streamed, &one_shot] {
            // Default 64 KiB chunks.
            prop_assert_eq!(env.len(), 41 + 290 + 32 + len + 16 * len.div_ceil(65_536).max(1));
            let opened = envelope::open(&RING, env, b"ad").unwrap();
            prop_assert_eq!(opened.expose_secret(), &pt);
        }
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
