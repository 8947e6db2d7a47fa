//! The envelope format checked against an independent implementation of
//! docs/envelope-format.md (written here from the spec, with the RustCrypto
//! primitives directly), and RSA-OAEP interop with the openssl CLI
//! (tests/fixtures/envelope/generate.sh).
#![cfg(feature = "envelope")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use aes_gcm::aead::{AeadInOut as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac as _};
use seckit::SecretString;
use seckit::envelope::{self, Keyring, PrivateKey};
use sha2::{Digest as _, Sha256};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/envelope/");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIX}{name}")).unwrap()
}

fn key2048() -> PrivateKey {
    PrivateKey::from_pem(
        &SecretString::from(String::from_utf8(read("rsa2048-private.pem")).unwrap()),
        None,
    )
    .unwrap()
}

fn hkdf32(ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(None, ikm)
        .expand(info, &mut out)
        .unwrap();
    out
}

/// Builds an envelope exactly as docs/envelope-format.md describes, from a
/// given data key and wrapped key: a second implementation of the format.
fn build_by_spec(
    data_key: &[u8],
    key_id: &[u8; 32],
    wrapped: &[u8],
    chunk_exp: u8,
    plaintext: &[u8],
    ad: &[u8],
) -> Vec<u8> {
    let commitment = hkdf32(data_key, b"seckit-envelope-v1 commitment");
    let header_key = hkdf32(data_key, b"seckit-envelope-v1 header");
    let payload_key = hkdf32(data_key, b"seckit-envelope-v1 payload");
    let mut h = Vec::new();
    h.extend_from_slice(b"SKENV");
    h.extend_from_slice(&[1, 1, chunk_exp]);
    h.extend_from_slice(&commitment);
    h.push(1);
    h.extend_from_slice(key_id);
    h.extend_from_slice(&u16::try_from(wrapped.len()).unwrap().to_be_bytes());
    h.extend_from_slice(wrapped);
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&header_key).unwrap();
    mac.update(&h);
    mac.update(&u64::try_from(ad.len()).unwrap().to_be_bytes());
    mac.update(ad);
    let tag = mac.finalize().into_bytes();
    let aad: [u8; 32] = Sha256::new()
        .chain_update(&h[..40])
        .chain_update(u64::try_from(ad.len()).unwrap().to_be_bytes())
        .chain_update(ad)
        .finalize()
        .into();
    let mut out = h;
    out.extend_from_slice(&tag);
    let cipher = Aes256Gcm::new((&payload_key).into());
    let chunk = 1usize << chunk_exp;
    let chunks: Vec<&[u8]> = if plaintext.is_empty() {
        vec![&[]]
    } else {
        plaintext.chunks(chunk).collect()
    };
    for (i, c) in chunks.iter().enumerate() {
        let mut nonce = [0u8; 12];
        nonce[3..11].copy_from_slice(&u64::try_from(i).unwrap().to_be_bytes());
        nonce[11] = u8::from(i + 1 == chunks.len());
        let mut buf = c.to_vec();
        let tag = cipher
            .encrypt_inout_detached(&Nonce::from(nonce), &aad, buf.as_mut_slice().into())
            .unwrap();
        out.extend_from_slice(&buf);
        out.extend_from_slice(&tag);
    }
    out
}

#[test]
fn seckit_opens_an_envelope_built_from_the_spec_with_an_openssl_wrapped_key() {
    let data_key = read("data-key.bin");
    assert_eq!(data_key, (0u8..32).collect::<Vec<_>>());
    let wrapped = read("openssl-wrapped-data-key.bin");
    let key = key2048();
    let plaintext = b"The quick brown fox jumps over the lazy dog, twice: the quick brown fox jumps over the lazy dog.";
    for chunk_exp in [10u8, 16] {
        let env = build_by_spec(
            &data_key,
            key.key_id().as_bytes(),
            &wrapped,
            chunk_exp,
            plaintext,
            b"vector",
        );
        let opened = envelope::open(&Keyring::from(key.clone()), &env, b"vector").unwrap();
        assert_eq!(opened.expose_secret().as_slice(), plaintext);
    }
    // The docs' test vector: its first 40 bytes and header tag, fixed by the fixed data key.
    let env = build_by_spec(&data_key, key.key_id().as_bytes(), &wrapped, 10, b"", b"");
    let commitment = hkdf32(&data_key, b"seckit-envelope-v1 commitment");
    assert_eq!(&env[8..40], &commitment);
    envelope::open(&Keyring::from(key), &env, b"").unwrap();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/envelope-format.md"
    ))
    .unwrap();
    assert!(
        doc.contains(&hex(&commitment)),
        "docs/envelope-format.md must show the commitment of the vector"
    );
}

#[test]
fn many_chunks_built_from_the_spec_open_and_reordering_them_fails() {
    let data_key = read("data-key.bin");
    let wrapped = read("openssl-wrapped-data-key.bin");
    let key = key2048();
    let pt: Vec<u8> = (0..3000u32)
        .map(|i| u8::try_from(i % 256).unwrap())
        .collect();
    let env = build_by_spec(&data_key, key.key_id().as_bytes(), &wrapped, 10, &pt, b"");
    let ring = Keyring::from(key);
    assert_eq!(
        envelope::open(&ring, &env, b"").unwrap().expose_secret(),
        &pt
    );
    let header = env.len() - (3000 + 3 * 16);
    let c = 1024 + 16;
    let mut swapped = env[..header].to_vec();
    swapped.extend_from_slice(&env[header + c..header + 2 * c]);
    swapped.extend_from_slice(&env[header..header + c]);
    swapped.extend_from_slice(&env[header + 2 * c..]);
    assert!(envelope::open(&ring, &swapped, b"").is_err());
}

/// Run by hand: `cargo test --all-features --test envelope_interop -- --ignored`,
/// then `bash tests/fixtures/envelope/generate.sh check`.
#[test]
#[ignore = "writes a fixture; run by hand before generate.sh check"]
fn write_seckit_envelope() {
    let key = key2048();
    let env = envelope::seal(&[key.public_key()], b"for openssl", b"").unwrap();
    let wrapped = &env[41 + 32 + 2..41 + 32 + 2 + 256];
    std::fs::write(format!("{FIX}seckit-envelope.bin"), &env).unwrap();
    std::fs::write(format!("{FIX}seckit-wrapped-data-key.bin"), wrapped).unwrap();
}

#[test]
fn openssl_unwraps_the_data_key_seckit_wrapped() {
    let env = read("seckit-envelope.bin");
    let wrapped = read("seckit-wrapped-data-key.bin");
    assert_eq!(&env[41 + 32 + 2..41 + 32 + 2 + 256], wrapped.as_slice());
    let recovered = read("seckit-data-key.openssl-unwrapped.bin");
    assert_eq!(recovered.len(), 32, "run generate.sh check");
    // OpenSSL's plaintext is the data key this envelope commits to.
    assert_eq!(
        &env[8..40],
        &hkdf32(&recovered, b"seckit-envelope-v1 commitment")
    );
    let opened = envelope::open(&Keyring::from(key2048()), &env, b"").unwrap();
    assert_eq!(opened.expose_secret().as_slice(), b"for openssl");
}

#[test]
fn the_documented_test_vector_made_by_pyca_cryptography_opens() {
    let env = read("vector-envelope.bin");
    let opened = envelope::open(&Keyring::from(key2048()), &env, b"vector").unwrap();
    assert_eq!(opened.expose_secret().as_slice(), b"hello, envelope");
    assert!(envelope::open(&Keyring::from(key2048()), &env, b"vectors").is_err());
}
