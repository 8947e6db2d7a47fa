//! The backends against outside truth and against each other.
//!
//! - Wycheproof AES-256-GCM (96-bit nonces, 128-bit tags) and RSA-OAEP
//!   SHA-256/MGF1-SHA-256 (2048, 3072, 4096 bits) through each compiled
//!   backend's own functions, with the verdict per vector. Both backends
//!   refuse tc 23 ("first byte is 1"), which `rsa` 0.10 alone accepts
//!   (`tests/envelope_wycheproof.rs` pins that): envelopes open or are
//!   refused the same way whatever the backend.
//! - With both backends compiled (`--all-features`): every primitive of
//!   one checked by the other, every committed vector opened by each, and a
//!   property test sealing with one and opening with the other (random sizes
//!   around chunk boundaries, 1 to 16 recipients, random associated data).

use wycheproof::TestResult;

use super::Backend;

fn aead_wycheproof<B: Backend>() -> usize {
    let set = wycheproof::aead::TestSet::load(wycheproof::aead::TestName::AesGcm).unwrap();
    let mut checked = 0;
    for group in set
        .test_groups
        .iter()
        .filter(|g| g.key_size == 256 && g.nonce_size == 96 && g.tag_size == 128)
    {
        for t in &group.tests {
            let key: [u8; 32] = t.key[..].try_into().unwrap();
            let nonce: [u8; 12] = t.nonce[..].try_into().unwrap();
            let aad = &t.aad[..];
            let aead = B::aead(&key).unwrap();
            let mut buf = t.pt.to_vec();
            let tag = B::seal_in_place(&aead, &nonce, aad, &mut buf).unwrap();
            let mut back = t.ct.to_vec();
            back.extend_from_slice(&t.tag);
            let opened = B::open_in_place(&aead, &nonce, aad, &mut back);
            match t.result {
                TestResult::Valid => {
                    assert_eq!(buf, t.ct[..], "tc {}", t.tc_id);
                    assert_eq!(tag[..], t.tag[..], "tc {}", t.tc_id);
                    assert_eq!(opened, Ok(t.pt.len()), "tc {}", t.tc_id);
                    assert_eq!(back[..t.pt.len()], t.pt[..], "tc {}", t.tc_id);
                }
                TestResult::Invalid => assert!(opened.is_err(), "tc {} must not open", t.tc_id),
                TestResult::Acceptable => {}
            }
            checked += 1;
        }
    }
    checked
}

/// Runs the OAEP vectors (empty label only: the format's) and returns the
/// invalid ones the backend accepted.
fn oaep_wycheproof<B: Backend>() -> (usize, Vec<usize>) {
    use wycheproof::rsa_oaep::TestName as N;
    let (mut checked, mut accepted_invalid) = (0, Vec::new());
    for name in [
        N::Rsa2048Sha256Mgf1Sha256,
        N::Rsa3072Sha256Mgf1Sha256,
        N::Rsa4096Sha256Mgf1Sha256,
    ] {
        let set = wycheproof::rsa_oaep::TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let key = B::private_from_pkcs8(&group.pkcs8).unwrap();
            for t in group.tests.iter().filter(|t| t.label.is_empty()) {
                let out = B::unwrap(&key, &t.ct);
                match t.result {
                    TestResult::Valid => {
                        assert_eq!(out.unwrap().as_slice(), &t.pt[..], "tc {}", t.tc_id);
                    }
                    TestResult::Invalid if out.is_ok() => accepted_invalid.push(t.tc_id),
                    _ => {}
                }
                checked += 1;
            }
        }
    }
    (checked, accepted_invalid)
}

#[cfg(feature = "envelope")]
#[test]
fn aws_lc_passes_wycheproof() {
    assert!(aead_wycheproof::<super::aws_lc::AwsLc>() >= 50);
    let (checked, accepted) = oaep_wycheproof::<super::aws_lc::AwsLc>();
    assert!(checked >= 60, "{checked}");
    assert_eq!(accepted, Vec::<usize>::new(), "strict OAEP, tc 23 included");
}

#[cfg(feature = "envelope-rustcrypto")]
#[test]
fn rustcrypto_passes_wycheproof() {
    assert!(aead_wycheproof::<super::rustcrypto::RustCrypto>() >= 50);
    let (checked, accepted) = oaep_wycheproof::<super::rustcrypto::RustCrypto>();
    assert!(checked >= 60, "{checked}");
    assert_eq!(accepted, Vec::<usize>::new(), "strict OAEP, tc 23 included");
}

#[cfg(all(feature = "envelope", feature = "envelope-rustcrypto"))]
mod equivalence {
    use proptest::prelude::*;

    use super::super::aws_lc::AwsLc;
    use super::super::rustcrypto::RustCrypto;
    use super::super::{Backend, Selected, TAG_LEN};
    use crate::SecretString;
    use crate::envelope::format::{self, DATA_KEY_LEN};
    use crate::envelope::{KeyId, Keyring, PrivateKey, PublicKey};

    const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/envelope/");

    fn fixture_key(name: &str) -> PrivateKey {
        let pem = std::fs::read_to_string(format!("{FIX}{name}")).unwrap();
        PrivateKey::from_pem(&SecretString::from(pem), None).unwrap()
    }

    /// The spec's opening steps (docs/envelope-format.md) on backend `B`'s
    /// primitives: `None` for any refusal.
    fn open_with<B: Backend>(
        key: &B::PrivateKey,
        id: &KeyId,
        envelope: &[u8],
        ad: &[u8],
    ) -> Option<Vec<u8>> {
        let mut input = envelope;
        let header = format::read_header(&mut input).ok()?;
        let entry = header.recipients.iter().find(|r| r.id == *id)?;
        let data_key = B::unwrap(key, &entry.wrapped).ok()?;
        if data_key.len() != DATA_KEY_LEN {
            return None;
        }
        let mut commitment = [0u8; 32];
        let mut header_key = [0u8; 32];
        let mut payload_key = [0u8; 32];
        B::hkdf_sha256(&data_key, b"seckit-envelope-v1 commitment", &mut commitment).ok()?;
        B::hkdf_sha256(&data_key, b"seckit-envelope-v1 header", &mut header_key).ok()?;
        B::hkdf_sha256(&data_key, b"seckit-envelope-v1 payload", &mut payload_key).ok()?;
        if commitment != header.commitment {
            return None;
        }
        let ad_len = u64::try_from(ad.len()).unwrap().to_be_bytes();
        if B::hmac_sha256(&header_key, &[&header.bytes, &ad_len, ad]).ok()? != header.tag {
            return None;
        }
        let aad = format::payload_aad(&header.bytes, ad);
        let aead = B::aead(&payload_key).ok()?;
        let full = header.chunk_len() + TAG_LEN;
        let mut out = Vec::new();
        let mut rest = input;
        let mut counter = 0u64;
        loop {
            let last = rest.len() <= full;
            let take = rest.len().min(full);
            let mut chunk = rest[..take].to_vec();
            let mut nonce = [0u8; 12];
            nonce[3..11].copy_from_slice(&counter.to_be_bytes());
            nonce[11] = u8::from(last);
            let n = B::open_in_place(&aead, &nonce, &aad, &mut chunk).ok()?;
            if last && n == 0 && counter > 0 {
                return None;
            }
            out.extend_from_slice(&chunk[..n]);
            rest = &rest[take..];
            if last {
                return Some(out);
            }
            counter += 1;
        }
    }

    /// The spec's sealing steps on backend `B`'s primitives.
    fn seal_with<B: Backend>(
        recipients: &[(KeyId, B::PublicKey)],
        pt: &[u8],
        ad: &[u8],
        chunk_exp: u8,
    ) -> Vec<u8> {
        let mut data_key = [0u8; 32];
        crate::random::fill(&mut data_key).unwrap();
        let mut commitment = [0u8; 32];
        let mut header_key = [0u8; 32];
        let mut payload_key = [0u8; 32];
        B::hkdf_sha256(&data_key, b"seckit-envelope-v1 commitment", &mut commitment).unwrap();
        B::hkdf_sha256(&data_key, b"seckit-envelope-v1 header", &mut header_key).unwrap();
        B::hkdf_sha256(&data_key, b"seckit-envelope-v1 payload", &mut payload_key).unwrap();
        let mut h = b"SKENV".to_vec();
        h.extend_from_slice(&[1, 1, chunk_exp]);
        h.extend_from_slice(&commitment);
        h.push(u8::try_from(recipients.len()).unwrap());
        for (id, key) in recipients {
            let wrapped = B::wrap(key, &data_key).unwrap();
            h.extend_from_slice(id.as_bytes());
            h.extend_from_slice(&u16::try_from(wrapped.len()).unwrap().to_be_bytes());
            h.extend_from_slice(&wrapped);
        }
        let ad_len = u64::try_from(ad.len()).unwrap().to_be_bytes();
        let tag = B::hmac_sha256(&header_key, &[&h, &ad_len, ad]).unwrap();
        let aad = format::payload_aad(&h, ad);
        let mut out = h;
        out.extend_from_slice(&tag);
        let aead = B::aead(&payload_key).unwrap();
        let chunks: Vec<&[u8]> = if pt.is_empty() {
            vec![&[]]
        } else {
            pt.chunks(1 << chunk_exp).collect()
        };
        for (i, c) in chunks.iter().enumerate() {
            let mut nonce = [0u8; 12];
            nonce[3..11].copy_from_slice(&u64::try_from(i).unwrap().to_be_bytes());
            nonce[11] = u8::from(i + 1 == chunks.len());
            let mut buf = c.to_vec();
            let t = B::seal_in_place(&aead, &nonce, &aad, &mut buf).unwrap();
            out.extend_from_slice(&buf);
            out.extend_from_slice(&t);
        }
        out
    }

    /// A key in both backends' forms.
    struct Both {
        key: PrivateKey,
        aws: <AwsLc as Backend>::PrivateKey,
        rc: <RustCrypto as Backend>::PrivateKey,
    }

    fn both(name: &str) -> Both {
        let key = fixture_key(name);
        let der = key.to_der().unwrap();
        Both {
            aws: AwsLc::private_from_pkcs8(der.expose_secret()).unwrap(),
            rc: RustCrypto::private_from_pkcs8(der.expose_secret()).unwrap(),
            key,
        }
    }

    #[test]
    fn the_backend_in_use_is_aws_lc() {
        assert_eq!(
            std::any::type_name::<Selected>(),
            std::any::type_name::<AwsLc>()
        );
    }

    #[test]
    fn every_primitive_of_one_is_checked_by_the_other() {
        for name in [
            "rsa2048-private.pem",
            "rsa3072-private.pem",
            "rsa4096-private.pem",
        ] {
            let k = both(name);
            let spki = k.key.public_key().to_der().unwrap();
            let aws_pub = AwsLc::public_from_spki(&spki).unwrap();
            let rc_pub = RustCrypto::public_from_spki(&spki).unwrap();
            let data_key = [0x5au8; 32];
            let by_aws = AwsLc::wrap(&aws_pub, &data_key).unwrap();
            let by_rc = RustCrypto::wrap(&rc_pub, &data_key).unwrap();
            assert_eq!(
                RustCrypto::unwrap(&k.rc, &by_aws).unwrap().as_slice(),
                &data_key
            );
            assert_eq!(AwsLc::unwrap(&k.aws, &by_rc).unwrap().as_slice(), &data_key);
            // Exports agree byte for byte.
            assert_eq!(
                AwsLc::private_to_pkcs8(&k.aws).unwrap().as_slice(),
                RustCrypto::private_to_pkcs8(&k.rc).unwrap().as_slice(),
                "{name}"
            );
        }
        for len in [0usize, 1, 15, 16, 17, 1024, 65_536 + 3] {
            let key = [u8::try_from(len % 256).unwrap(); 32];
            let nonce = [7u8; 12];
            let aad = [9u8; 32];
            let pt: Vec<u8> = (0..len).map(|i| u8::try_from(i % 253).unwrap()).collect();
            let (aws, rc) = (AwsLc::aead(&key).unwrap(), RustCrypto::aead(&key).unwrap());
            let mut a = pt.clone();
            let tag_a = AwsLc::seal_in_place(&aws, &nonce, &aad, &mut a).unwrap();
            let mut r = pt.clone();
            let tag_r = RustCrypto::seal_in_place(&rc, &nonce, &aad, &mut r).unwrap();
            assert_eq!((&a, tag_a), (&r, tag_r), "{len}");
            a.extend_from_slice(&tag_a);
            assert_eq!(
                RustCrypto::open_in_place(&rc, &nonce, &aad, &mut a),
                Ok(len)
            );
            assert_eq!(a[..len], pt[..]);
            let mut flipped = r.clone();
            flipped.extend_from_slice(&tag_r);
            flipped[0] ^= 1;
            assert!(AwsLc::open_in_place(&aws, &nonce, &aad, &mut flipped).is_err());
            let mut out_a = [0u8; 32];
            let mut out_r = [0u8; 32];
            AwsLc::hkdf_sha256(&pt, b"info", &mut out_a).unwrap();
            RustCrypto::hkdf_sha256(&pt, b"info", &mut out_r).unwrap();
            assert_eq!(out_a, out_r);
            assert_eq!(
                AwsLc::hmac_sha256(&key, &[&pt, b"x", &aad]).unwrap(),
                RustCrypto::hmac_sha256(&key, &[&pt, b"x", &aad]).unwrap()
            );
        }
    }

    #[test]
    fn every_committed_vector_opens_with_both() {
        let k = both("rsa2048-private.pem");
        let id = k.key.key_id();
        for (file, ad, pt) in [
            (
                "vector-envelope.bin",
                &b"vector"[..],
                b"hello, envelope".to_vec(),
            ),
            (
                "vector2-envelope.bin",
                &b"vector 2"[..],
                b"0123456789".repeat(103),
            ),
            ("vector3-envelope.bin", &b""[..], Vec::new()),
            ("seckit-envelope.bin", &b""[..], b"for openssl".to_vec()),
        ] {
            let env = std::fs::read(format!("{FIX}{file}")).unwrap();
            assert_eq!(
                open_with::<AwsLc>(&k.aws, &id, &env, ad).as_deref(),
                Some(&pt[..]),
                "{file}"
            );
            assert_eq!(
                open_with::<RustCrypto>(&k.rc, &id, &env, ad).as_deref(),
                Some(&pt[..]),
                "{file}"
            );
            assert!(open_with::<RustCrypto>(&k.rc, &id, &env, b"other").is_none());
        }
    }

    /// A public key with an arbitrary odd modulus (nobody holds its private
    /// half): an extra recipient that costs no key generation.
    fn arbitrary_public(seed: u8) -> PublicKey {
        let mut n = [0u8; 256];
        for (i, b) in n.iter_mut().enumerate() {
            *b = u8::try_from((i * 151 + usize::from(seed) * 97 + 13) % 251).unwrap();
        }
        n[0] |= 0x80;
        n[255] |= 1;
        let spki = crate::envelope::keys::tests_spki(&n, &[1, 0, 1]);
        PublicKey::from_der(&spki).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// seckit (aws-lc-rs) seals, the spec on RustCrypto opens; the spec
        /// on RustCrypto seals, seckit opens.
        #[test]
        fn one_backend_seals_the_other_opens(
            len in prop_oneof![0usize..40, 1000usize..1100, 2030usize..2070, 3060usize..3090],
            others in 0usize..16,
            position in 0usize..16,
            ad in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let k = both("rsa2048-private.pem");
            let pt: Vec<u8> = (0..len).map(|i| u8::try_from(i * 7 % 256).unwrap()).collect();
            let extra: Vec<PublicKey> = (0..others).map(|i| arbitrary_public(u8::try_from(i).unwrap())).collect();
            let mut recipients: Vec<&PublicKey> = extra.iter().collect();
            recipients.insert(position.min(recipients.len()), k.key.public_key());
            // seckit -> spec on RustCrypto
            let mut sealer = crate::envelope::Sealer::with_chunk_exp(&recipients, Vec::new(), &ad, 10).unwrap();
            std::io::Write::write_all(&mut sealer, &pt).unwrap();
            let env = sealer.finish().unwrap();
            prop_assert_eq!(open_with::<RustCrypto>(&k.rc, &k.key.key_id(), &env, &ad), Some(pt.clone()));
            // spec on RustCrypto -> seckit
            let rc_recipients: Vec<(KeyId, <RustCrypto as Backend>::PublicKey)> = recipients
                .iter()
                .map(|p| (p.key_id(), RustCrypto::public_from_spki(&p.to_der().unwrap()).unwrap()))
                .collect();
            let env = seal_with::<RustCrypto>(&rc_recipients, &pt, &ad, 10);
            let opened = crate::envelope::open(&Keyring::from(k.key.clone()), &env, &ad).unwrap();
            prop_assert_eq!(opened.expose_secret(), &pt);
            // and the spec on aws-lc-rs opens what it seals
            let aws_recipients: Vec<(KeyId, <AwsLc as Backend>::PublicKey)> = recipients
                .iter()
                .map(|p| (p.key_id(), AwsLc::public_from_spki(&p.to_der().unwrap()).unwrap()))
                .collect();
            let env = seal_with::<AwsLc>(&aws_recipients, &pt, &ad, 10);
            prop_assert_eq!(open_with::<RustCrypto>(&k.rc, &k.key.key_id(), &env, &ad), Some(pt.clone()));
        }
    }
}
