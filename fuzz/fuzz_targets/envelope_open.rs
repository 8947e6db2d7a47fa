//! Envelope parsing and opening on arbitrary input: binary one-shot,
//! streaming (through a small reader), and armor. Nothing may open: the
//! fuzzer does not hold a sealed envelope's data key, except the seeds.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use seckit::SecretString;
use seckit::envelope::{self, Keyring, PrivateKey, from_armor};

static RING: LazyLock<Keyring> = LazyLock::new(|| {
    let pem = include_str!("../../tests/fixtures/envelope/rsa2048-private.pem");
    Keyring::from(PrivateKey::from_pem(&SecretString::from(pem), None).expect("fixture key"))
});

fuzz_target!(|data: &[u8]| {
    let one_shot = envelope::open(&RING, data, b"vector");
    let mut out = Vec::new();
    let streamed = envelope::open_stream(&RING, data, &mut out, b"vector");
    // Both paths agree on acceptance; when they refuse, the one-shot path
    // released nothing, the streaming one only authenticated chunks.
    assert_eq!(one_shot.is_ok(), streamed.is_ok());
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(bytes) = from_armor(text)
    {
        assert_eq!(
            envelope::to_armor(&bytes).trim_end(),
            text.trim_end().replace("\r\n", "\n")
        );
        let _ = envelope::open(&RING, &bytes, b"vector");
    }
});
