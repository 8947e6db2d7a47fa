//! Envelope behaviour through the public API: keys, round trips at every
//! chunk boundary, every byte flipped, every truncation, wrong keys and
//! associated data, multi-recipient, rotation, streaming and files.
#![cfg(feature = "envelope-core")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::sync::LazyLock;

use seckit::envelope::{self, Keyring, PrivateKey, PublicKey, Sealer, from_armor, to_armor};
use seckit::{ErrorKind, SecretString};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/envelope/");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIX}{name}")).unwrap()
}

fn private(name: &str) -> PrivateKey {
    PrivateKey::from_pem(&SecretString::from(fixture(name)), None).unwrap()
}

static K2048: LazyLock<PrivateKey> = LazyLock::new(|| private("rsa2048-private.pem"));
static K3072: LazyLock<PrivateKey> = LazyLock::new(|| private("rsa3072-private.pem"));

fn ring(k: &PrivateKey) -> Keyring {
    Keyring::from(k.clone())
}

fn seal_small_chunks(pt: &[u8], ad: &[u8]) -> Vec<u8> {
    let mut s = Sealer::with_chunk_exp(&[K2048.public_key()], Vec::new(), ad, 10).unwrap();
    s.write_all(pt).unwrap();
    s.finish().unwrap()
}

/// A 2048-bit public key with an arbitrary odd modulus (seeded by `seed`):
/// enough to seal to, though no private key exists for it.
fn arbitrary_public_key(seed: u8) -> PublicKey {
    use rsa::pkcs8::EncodePublicKey as _;
    let mut n = [0u8; 256];
    for (i, b) in n.iter_mut().enumerate() {
        *b = u8::try_from((i * 151 + usize::from(seed) * 97 + 13) % 251).unwrap();
    }
    n[0] |= 0x80;
    n[255] |= 1;
    let n = rsa::BoxedUint::from_be_slice(&n, 2048).unwrap();
    let key = rsa::PublicKey::new(n, rsa::BoxedUint::from(65_537u32)).unwrap();
    PublicKey::from_der(key.to_public_key_der().unwrap().as_bytes()).unwrap()
}

fn unauth(r: seckit::Result<impl std::fmt::Debug>) -> String {
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
    assert_eq!(e.public_message(), "invalid credentials");
    e.to_string()
}

// ------------------------------------------------------------------ keys

#[test]
fn every_key_format_imports_and_ids_agree() {
    let id = K2048.key_id();
    let pkcs1 = private("rsa2048-private-pkcs1.pem");
    assert_eq!(pkcs1.key_id(), id);
    let crlf = SecretString::from(fixture("rsa2048-private.pem").replace('\n', "\r\n"));
    assert_eq!(PrivateKey::from_pem(&crlf, None).unwrap().key_id(), id);
    let pass = SecretString::from("fixture-passphrase");
    let enc = SecretString::from(fixture("rsa2048-private-encrypted.pem"));
    assert_eq!(
        PrivateKey::from_pem(&enc, Some(&pass)).unwrap().key_id(),
        id
    );
    assert_eq!(
        PublicKey::from_pem(fixture("rsa2048-public.pem"))
            .unwrap()
            .key_id(),
        id
    );
    assert_eq!(
        PublicKey::from_pem(fixture("rsa2048-public-pkcs1.pem"))
            .unwrap()
            .key_id(),
        id
    );
    let public = K2048.public_key();
    assert_eq!(
        PublicKey::from_der(&public.to_der().unwrap()).unwrap(),
        *public
    );
    assert_eq!(
        PublicKey::from_pem(public.to_pem().unwrap()).unwrap(),
        *public
    );
    // Export, plain and encrypted, reads back.
    let plain = K2048.to_pem(None).unwrap();
    assert_eq!(PrivateKey::from_pem(&plain, None).unwrap().key_id(), id);
    let sealed = K2048.to_pem(Some(&pass)).unwrap();
    assert!(
        sealed
            .expose_secret()
            .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    );
    assert_eq!(
        PrivateKey::from_pem(&sealed, Some(&pass)).unwrap().key_id(),
        id
    );
    assert_eq!(
        PrivateKey::from_der(&K2048.to_der().unwrap())
            .unwrap()
            .key_id(),
        id
    );
    assert_eq!(
        PrivateKey::from_pem(&K2048.to_pkcs1_pem().unwrap(), None)
            .unwrap()
            .key_id(),
        id
    );
    assert_eq!(
        PublicKey::from_pem(public.to_pkcs1_pem().unwrap())
            .unwrap()
            .key_id(),
        id
    );
    // The key id is the SHA-256 of the SPKI DER, as documented.
    use sha2::Digest as _;
    let spki = public.to_der().unwrap();
    assert_eq!(
        id.as_bytes(),
        &<[u8; 32]>::from(sha2::Sha256::digest(&spki))
    );
    assert_eq!(public.bits(), 2048);
    assert_eq!(K3072.public_key().size(), 384);
}

#[test]
fn unfit_keys_are_refused_at_import() {
    let pass = SecretString::from("wrong");
    let cases = [
        (
            PrivateKey::from_pem(&SecretString::from(fixture("rsa1024-private.pem")), None)
                .unwrap_err(),
            "under 2048",
        ),
        (
            PublicKey::from_pem(fixture("rsa1024-public.pem")).unwrap_err(),
            "under 2048",
        ),
        (
            PrivateKey::from_pem(&SecretString::from(fixture("ec256-private.pem")), None)
                .unwrap_err(),
            "rsaEncryption",
        ),
        (
            PrivateKey::from_pem(&SecretString::from(fixture("rsapss2048-private.pem")), None)
                .unwrap_err(),
            "rsaEncryption",
        ),
        (
            PrivateKey::from_pem(
                &SecretString::from(fixture("rsa2048-private-encrypted.pem")),
                None,
            )
            .unwrap_err(),
            "no passphrase",
        ),
        (
            PrivateKey::from_pem(
                &SecretString::from(fixture("rsa2048-private-encrypted.pem")),
                Some(&pass),
            )
            .unwrap_err(),
            "passphrase",
        ),
        (
            PrivateKey::from_pem(&SecretString::from(fixture("rsa2048-public.pem")), None)
                .unwrap_err(),
            "not a private key",
        ),
        (
            PublicKey::from_pem(fixture("rsa2048-private.pem")).unwrap_err(),
            "not a public key",
        ),
        (PublicKey::from_pem("garbage").unwrap_err(), "not PEM"),
        (PrivateKey::generate_bits(2048).unwrap_err(), "3072 or 4096"),
    ];
    for (err, want) in cases {
        assert_eq!(err.kind(), ErrorKind::Configuration, "{err}");
        assert!(err.to_string().contains(want), "{err} lacks {want}");
    }
}

#[test]
fn private_keys_never_print_material() {
    let debug = format!("{:?}", *K2048);
    assert!(
        debug.starts_with("PrivateKey { bits: 2048, id: "),
        "{debug}"
    );
    assert!(!debug.contains("MII"));
    assert_eq!(format!("{:?}", K2048.key_id()).len(), "KeyId()".len() + 64);
}

// ------------------------------------------------------------- round trips

#[test]
fn round_trips_at_every_chunk_boundary() {
    for len in [0usize, 1, 1023, 1024, 1025, 2048, 3071, 3 * 1024, 5000] {
        let pt: Vec<u8> = (0..len).map(|i| u8::try_from(i % 256).unwrap()).collect();
        let sealed = seal_small_chunks(&pt, b"ad");
        let opened = envelope::open(&ring(&K2048), &sealed, b"ad").unwrap();
        assert!(opened == pt.as_slice(), "len {len}");
    }
    // Default chunks, one-shot API.
    let sealed = envelope::seal(&[K3072.public_key()], b"hello", b"").unwrap();
    assert!(
        envelope::open(&ring(&K3072), &sealed, b"")
            .unwrap()
            .expose_secret()
            .as_slice()
            == b"hello"
    );
}

#[test]
fn every_byte_flip_and_every_truncation_fails() {
    // Two chunks (1 KiB + 76 bytes): header, a full chunk and the last one.
    let sealed = seal_small_chunks(&[0x5a; 1100], b"ctx");
    let keys = ring(&K2048);
    for i in 0..sealed.len() {
        let mut t = sealed.clone();
        t[i] ^= 0x01;
        assert!(
            envelope::open(&keys, &t, b"ctx").is_err(),
            "flip at {i} accepted"
        );
    }
    for cut in 0..sealed.len() {
        assert!(
            envelope::open(&keys, &sealed[..cut], b"ctx").is_err(),
            "truncation at {cut} accepted"
        );
    }
    let mut longer = sealed.clone();
    longer.push(0);
    assert!(unauth(envelope::open(&keys, &longer, b"ctx")).contains("payload authentication"));
    // Truncation at a chunk boundary (header + two full 1 KiB chunks kept).
    let header_len = sealed.len() - (1100 + 2 * 16);
    let cut = header_len + (1024 + 16);
    assert!(
        unauth(envelope::open(&keys, &sealed[..cut], b"ctx")).contains("payload authentication")
    );
}

#[test]
fn specific_failures_have_specific_log_reasons() {
    let sealed = seal_small_chunks(b"secret", b"ctx");
    let keys = ring(&K2048);
    assert!(
        unauth(envelope::open(&keys, &sealed, b"other")).contains("header authentication failed")
    );
    assert!(
        unauth(envelope::open(&ring(&K3072), &sealed, b"ctx")).contains("no recipient matches")
    );
    let mut bad_magic = sealed.clone();
    bad_magic[0] = b'X';
    assert!(unauth(envelope::open(&keys, &bad_magic, b"ctx")).contains("not a seckit envelope"));
    let mut bad_version = sealed.clone();
    bad_version[5] = 2;
    assert!(
        unauth(envelope::open(&keys, &bad_version, b"ctx"))
            .contains("unsupported envelope version")
    );
    let mut bad_suite = sealed.clone();
    bad_suite[6] = 9;
    assert!(
        unauth(envelope::open(&keys, &bad_suite, b"ctx")).contains("unsupported algorithm suite")
    );
    let mut commitment = sealed.clone();
    commitment[10] ^= 1;
    assert!(unauth(envelope::open(&keys, &commitment, b"ctx")).contains("key commitment mismatch"));
    let mut count = sealed.clone();
    count[40] = 17;
    assert!(unauth(envelope::open(&keys, &count, b"ctx")).contains("too many recipients"));
    // The wrapped key length is checked against the key before any RSA work.
    let mut len = sealed.clone();
    len[41 + 32] = 0x01; // 0x0100 -> 0x0100 stays; make it 0x0180 = 384
    len[41 + 33] = 0x80;
    let r = unauth(envelope::open(&keys, &len, b"ctx"));
    assert!(
        r.contains("wrapped key length") || r.contains("truncated"),
        "{r}"
    );
    assert!(unauth(envelope::open(&keys, b"", b"ctx")).contains("truncated"));
}

#[test]
fn multi_recipient_and_limits() {
    let sealed = envelope::seal(&[K2048.public_key(), K3072.public_key()], b"both", b"").unwrap();
    for k in [&*K2048, &*K3072] {
        assert!(
            envelope::open(&ring(k), &sealed, b"")
                .unwrap()
                .expose_secret()
                .as_slice()
                == b"both"
        );
    }
    let seventeen: Vec<&PublicKey> = std::iter::repeat_n(K2048.public_key(), 17).collect();
    let err = envelope::seal(&seventeen, b"x", b"").unwrap_err();
    assert_eq!(err.violation().unwrap().code(), "recipients.too_many");
    assert_eq!(
        envelope::seal(&[], b"x", b"")
            .unwrap_err()
            .violation()
            .unwrap()
            .code(),
        "recipients.empty"
    );
    // Sixteen distinct recipients (the same key twice is refused): fifteen
    // public keys made of arbitrary odd 2048-bit moduli (valid as far as
    // encryption goes; nobody holds their private halves), then ours, last.
    let others: Vec<PublicKey> = (1u8..16).map(arbitrary_public_key).collect();
    let mut sixteen: Vec<&PublicKey> = others.iter().collect();
    sixteen.push(K2048.public_key());
    envelope::open(
        &ring(&K2048),
        &envelope::seal(&sixteen, b"x", b"").unwrap(),
        b"",
    )
    .unwrap();
    let twice = [K2048.public_key(), K3072.public_key(), K2048.public_key()];
    let err = envelope::seal(&twice, b"x", b"").unwrap_err();
    assert_eq!(err.violation().unwrap().code(), "recipients.duplicate");
    // A keyring with current and retired keys opens both generations.
    let mut keyring = Keyring::new();
    keyring.add(K3072.clone()).unwrap();
    keyring.add(K2048.clone()).unwrap();
    assert!(keyring.add(K2048.clone()).is_err());
    envelope::open(&keyring, &seal_small_chunks(b"old", b""), b"").unwrap();
}

#[test]
fn rewrap_keeps_the_payload_bytes() {
    let sealed = seal_small_chunks(&[9u8; 3000], b"ad");
    let moved = envelope::rewrap(&ring(&K2048), &sealed, &[K3072.public_key()], b"ad").unwrap();
    let payload_len = 3000 + 3 * 16;
    assert_eq!(
        sealed[sealed.len() - payload_len..],
        moved[moved.len() - payload_len..]
    );
    assert!(
        envelope::open(&ring(&K3072), &moved, b"ad")
            .unwrap()
            .expose_secret()
            .as_slice()
            == [9u8; 3000]
    );
    assert!(envelope::open(&ring(&K2048), &moved, b"ad").is_err());
    assert!(envelope::rewrap(&ring(&K2048), &sealed, &[K3072.public_key()], b"other").is_err());
}

#[test]
fn armor_round_trips_and_refuses_edits() {
    let sealed = envelope::seal(&[K2048.public_key()], b"armored", b"").unwrap();
    let text = to_armor(&sealed);
    assert_eq!(from_armor(&text).unwrap(), sealed);
    assert!(
        envelope::open(&ring(&K2048), &from_armor(&text).unwrap(), b"")
            .unwrap()
            .expose_secret()
            .as_slice()
            == b"armored"
    );
    assert!(from_armor(&text.replacen('\n', "\n ", 3)).is_err());
    assert!(from_armor(&format!("{text}\n")).is_err());
    // The spec (envelope-format.md, "Text armor"): the writer ends the END
    // line with a line ending; a reader also takes it without one, and
    // CRLF throughout, but not mixed endings or text around.
    assert!(text.ends_with("-----END SECKIT ENVELOPE-----\n"));
    assert_eq!(from_armor(text.trim_end_matches('\n')).unwrap(), sealed);
    let crlf = text.replace('\n', "\r\n");
    assert_eq!(from_armor(&crlf).unwrap(), sealed);
    assert_eq!(from_armor(crlf.trim_end_matches("\r\n")).unwrap(), sealed);
    assert!(from_armor(&crlf.replacen("\r\n", "\n", 2)).is_err());
    assert!(from_armor(&format!("x{text}")).is_err());
    assert!(from_armor(&format!("{text}x")).is_err());
}

// --------------------------------------------------------------- streaming

/// A reader that hands out one byte per call, to exercise partial reads.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some((&b, rest)) = self.0.split_first() else {
            return Ok(0);
        };
        if buf.is_empty() {
            return Ok(0);
        }
        buf[0] = b;
        self.0 = rest;
        Ok(1)
    }
}

#[test]
fn streaming_matches_one_shot_whatever_the_read_and_write_sizes() {
    let pt: Vec<u8> = (0..70_000u32)
        .map(|i| u8::try_from(i % 253).unwrap())
        .collect();
    let mut sealer = Sealer::new(&[K2048.public_key()], Vec::new(), b"s").unwrap();
    for piece in pt.chunks(777) {
        sealer.write_all(piece).unwrap();
    }
    let sealed = sealer.finish().unwrap();
    let mut out = Vec::new();
    let n = envelope::open_stream(&ring(&K2048), Trickle(&sealed), &mut out, b"s").unwrap();
    assert_eq!(n, 70_000);
    assert_eq!(out, pt);
    let mut via_copy = Vec::new();
    envelope::seal_stream(&[K2048.public_key()], &pt[..], &mut via_copy, b"s").unwrap();
    assert!(envelope::open(&ring(&K2048), &via_copy, b"s").unwrap() == pt.as_slice());
}

#[test]
fn open_file_publishes_only_authenticated_output() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("in.sk"), dir.path().join("out.txt"));
    let sealed = seal_small_chunks(&[1u8; 5000], b"f");
    std::fs::write(&src, &sealed).unwrap();
    assert_eq!(
        envelope::open_file(&ring(&K2048), &src, &dst, b"f").unwrap(),
        5000
    );
    assert_eq!(std::fs::read(&dst).unwrap(), vec![1u8; 5000]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&dst).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Tampered in the last chunk: earlier chunks decrypt, but nothing is published.
    let mut bad = sealed.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    std::fs::write(&src, &bad).unwrap();
    let dst2 = dir.path().join("out2.txt");
    assert!(envelope::open_file(&ring(&K2048), &src, &dst2, b"f").is_err());
    assert!(!dst2.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}"); // in.sk and out.txt only
}

/// An `ENCRYPTED PRIVATE KEY` PEM whose PBES2 parameters are `kdf`, with
/// AES-256-CBC over junk: only the KDF check matters here.
fn encrypted_pem_with(kdf: pkcs8::pkcs5::pbes2::Kdf) -> SecretString {
    use pkcs8::pkcs5::{EncryptionScheme, pbes2};
    encrypted_pem_with_scheme(EncryptionScheme::Pbes2(pbes2::Parameters {
        kdf,
        encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [7u8; 16] },
    }))
}

fn encrypted_pem_with_scheme(scheme: pkcs8::pkcs5::EncryptionScheme) -> SecretString {
    use pkcs8::der::Encode as _;
    let data = [0u8; 64];
    let info = pkcs8::EncryptedPrivateKeyInfo {
        encryption_algorithm: scheme,
        encrypted_data: pkcs8::der::asn1::OctetStringRef::new(&data).unwrap(),
    };
    let pem = pem::encode(&pem::Pem::new(
        "ENCRYPTED PRIVATE KEY",
        info.to_der().unwrap(),
    ));
    SecretString::from(pem)
}

/// A key file names its own KDF work. Before this check, scrypt N = 0 made
/// the `pkcs5` crate panic and 2^32 - 1 PBKDF2 iterations ran for hours;
/// now each is refused before any derivation runs.
#[test]
fn encrypted_keys_asking_for_hostile_kdf_work_are_refused_first() {
    use pkcs8::pkcs5::pbes2::{Kdf, Pbkdf2Params, Salt, ScryptParams};
    let salt = b"sixteen byte sal";
    let pbkdf2 = |iterations| {
        let mut p = Pbkdf2Params::hmac_sha256(1000, salt).unwrap();
        p.iteration_count = iterations;
        Kdf::Pbkdf2(p)
    };
    let scrypt = |n: u64, r: u16, p: u16| {
        Kdf::Scrypt(ScryptParams {
            salt: Salt::new(salt).unwrap(),
            cost_parameter: n,
            block_size: r,
            parallelization: p,
            key_length: None,
        })
    };
    let pass = SecretString::from("fixture-passphrase");
    let refused = [
        (pbkdf2(0), "PBKDF2"),
        (pbkdf2(10_000_001), "PBKDF2"),
        (pbkdf2(u32::MAX), "PBKDF2"),
        (scrypt(0, 8, 1), "scrypt"),
        (scrypt(1, 8, 1), "scrypt"),
        (scrypt(3000, 8, 1), "scrypt"),
        (scrypt(1 << 40, 8, 1), "scrypt"),
        (scrypt(1 << 19, 8, 1), "scrypt"), // 512 MiB
        (scrypt(1 << 14, 0, 1), "scrypt"),
        (scrypt(1 << 14, 8, 0), "scrypt"),
        (scrypt(1 << 14, 8, 17), "scrypt"),
        (scrypt(u64::MAX, u16::MAX, 1), "scrypt"),
    ];
    for (kdf, name) in refused {
        let err = PrivateKey::from_pem(&encrypted_pem_with(kdf.clone()), Some(&pass)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{kdf:?}");
        assert!(err.to_string().contains(name), "{kdf:?}: {err}");
    }
    // PBES1 (MD5/SHA-1 with DES or RC2) is refused before anything runs.
    let pbes1 = pkcs8::pkcs5::EncryptionScheme::Pbes1(pkcs8::pkcs5::pbes1::Algorithm {
        encryption: pkcs8::pkcs5::pbes1::EncryptionScheme::PbeWithSha1AndDesCbc,
        parameters: pkcs8::pkcs5::pbes1::Parameters {
            salt: [1; 8],
            iteration_count: 2048,
        },
    });
    let err = PrivateKey::from_pem(&encrypted_pem_with_scheme(pbes1), Some(&pass)).unwrap_err();
    assert!(err.to_string().contains("PBES1"), "{err}");
    // Within the limits the derivation runs, and the junk fails to decrypt.
    for kdf in [pbkdf2(2048), scrypt(1 << 10, 8, 1), scrypt(1 << 18, 8, 1)] {
        let err = PrivateKey::from_pem(&encrypted_pem_with(kdf), Some(&pass)).unwrap_err();
        assert!(err.to_string().contains("cannot be decrypted"), "{err}");
    }
}

// ------------------------------------------------------ review findings

/// A writer that fails its `fail_at`-th write (counting from 1) with
/// `kind`, and accepts every other.
#[derive(Debug)]
struct FailOnce {
    out: Vec<u8>,
    writes: usize,
    fail_at: usize,
    kind: std::io::ErrorKind,
}

impl Write for FailOnce {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.writes += 1;
        if self.writes == self.fail_at {
            return Err(std::io::Error::from(self.kind));
        }
        self.out.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Issue 13, item 4: after a failed write (also `WouldBlock`) the sealer is
/// poisoned: every later call fails, none panics (the next write used to
/// underflow `chunk_len - buf.len()`), and no envelope comes out of it.
#[test]
fn a_sealer_is_poisoned_by_a_failed_write() {
    for kind in [
        std::io::ErrorKind::WouldBlock,
        std::io::ErrorKind::BrokenPipe,
        std::io::ErrorKind::Interrupted,
    ] {
        // Write 1 is the header; write 2 is the first chunk.
        let out = FailOnce {
            out: Vec::new(),
            writes: 0,
            fail_at: 2,
            kind,
        };
        let mut sealer = Sealer::with_chunk_exp(&[K2048.public_key()], out, b"ad", 10).unwrap();
        let chunk = vec![7u8; 1024];
        sealer.write_all(&chunk).unwrap(); // buffered: a full chunk waits for more
        let first = sealer.write_all(b"more");
        if kind == std::io::ErrorKind::Interrupted {
            // write_all retries Interrupted; the chunk went through.
            first.unwrap();
            let sealed = sealer.finish().unwrap().out;
            let opened = envelope::open(&ring(&K2048), &sealed, b"ad").unwrap();
            assert_eq!(opened.expose_secret().len(), 1028);
            continue;
        }
        assert_eq!(first.unwrap_err().kind(), kind);
        for _ in 0..3 {
            // The writer works again, but the sealer must not resume.
            assert!(sealer.write(&chunk).is_err(), "{kind:?}");
            assert!(sealer.write(b"").is_err() || sealer.write(b"x").is_err());
            assert!(sealer.flush().is_err(), "{kind:?}");
        }
        assert!(format!("{sealer:?}").contains("poisoned: true"));
        let e = sealer.finish().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Internal, "{kind:?}");
    }
}

/// Issue 13, item 5: an opener refuses chunks over its limit (1 MiB by
/// default) before any RSA work, and a raised limit opens them.
#[test]
fn openers_limit_the_chunk_size_an_envelope_demands() {
    use envelope::{DEFAULT_MAX_CHUNK_LEN, MAX_CHUNK_LEN, Opener};

    let keyring = ring(&K2048);
    for exp in [20u8, 21, 24] {
        let mut s = Sealer::with_chunk_exp(&[K2048.public_key()], Vec::new(), b"", exp).unwrap();
        s.write_all(b"x").unwrap();
        let sealed = s.finish().unwrap();
        let within = (1usize << exp) <= DEFAULT_MAX_CHUNK_LEN;
        let results = [
            envelope::open(&keyring, &sealed, b"").map(drop),
            envelope::open_stream(&keyring, &sealed[..], Vec::new(), b"").map(drop),
        ];
        for r in results {
            if within {
                r.unwrap();
            } else {
                assert!(unauth(r).contains("chunk size over the opener's limit"));
            }
        }
        // Refused before the RSA work: an empty keyring gives the same answer.
        if !within {
            let empty = Keyring::new();
            assert!(unauth(envelope::open(&empty, &sealed, b"")).contains("chunk size"));
        }
        let opener = Opener::new(&keyring).max_chunk_len(MAX_CHUNK_LEN).unwrap();
        assert!(opener.open(&sealed, b"").unwrap() == b"x".as_slice());
        let mut out = Vec::new();
        assert_eq!(opener.open_stream(&sealed[..], &mut out, b"").unwrap(), 1);
    }
    for bad in [0, 1000, 512, 3 << 20, 32 << 20, usize::MAX] {
        let e = Opener::new(&keyring).max_chunk_len(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration, "{bad}");
    }
}

/// Issue 13, item 6: a destination name long enough that
/// `.<name>.<hex>.partial` would pass the 255-byte limit still opens (the
/// temporary name is shortened), and a relative destination works.
#[test]
fn open_file_takes_names_up_to_the_file_name_limit() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = ring(&K2048);
    let sealed = envelope::seal(&[K2048.public_key()], b"long name", b"ad").unwrap();
    let src = dir.path().join("in.sk");
    std::fs::write(&src, &sealed).unwrap();
    for name in ["a".repeat(255), "é".repeat(127), "b".repeat(230)] {
        let dst = dir.path().join(&name);
        assert_eq!(envelope::open_file(&keyring, &src, &dst, b"ad").unwrap(), 9);
        assert_eq!(std::fs::read(&dst).unwrap(), b"long name");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dst).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
    // Nothing but the outputs and the input is left behind.
    let left = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(left, 4);
}
