//! Key and secret material parsers on arbitrary input: JWKS documents, JWT
//! verifying-key PEM, envelope public keys (PEM and DER), unencrypted
//! envelope private keys, and HMAC secret decoding and strength checks.
//! Keys are usually configuration, but a JWKS is fetched over the network
//! and public keys often arrive from other parties.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seckit::envelope::{PrivateKey, PublicKey};
use seckit::jwt::{
    Algorithm, KeySet, SecretEncoding, VerifyingKey, check_hmac_secret, decode_secret,
};
use seckit::{ErrorKind, SecretBytes, SecretString};

const ALGS: [Algorithm; 4] = [
    Algorithm::RS256,
    Algorithm::ES256,
    Algorithm::EdDSA,
    Algorithm::PS512,
];
const ENCODINGS: [SecretEncoding; 4] = [
    SecretEncoding::Raw,
    SecretEncoding::Base64,
    SecretEncoding::Base64Url,
    SecretEncoding::Hex,
];

fuzz_target!(|data: &[u8]| {
    // Binary: DER forms.
    if let Ok(key) = PublicKey::from_der(data) {
        assert!(key.bits() >= 2048);
    }
    let _ = PrivateKey::from_der(&SecretBytes::from(data.to_vec()));

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(import) = KeySet::from_jwks(text, None) {
        // Success means at least one usable key, each with a kid, and
        // never more entries accounted for than the 100-key cap.
        assert!(!import.keys.is_empty());
        assert!(
            import
                .keys
                .keys()
                .all(|k| k.kid().is_some_and(|kid| !kid.is_empty()))
        );
        assert!(import.keys.len() + import.skipped.len() <= 100);
    }
    let _ = KeySet::from_jwks(text, Some(Algorithm::RS256));
    for alg in ALGS {
        let _ = VerifyingKey::from_pem(alg, text);
    }
    if let Ok(key) = PublicKey::from_pem(text) {
        assert!(key.bits() >= 2048);
    }
    if let Err(e) = PrivateKey::from_pem(&SecretString::from(text), None) {
        assert_eq!(e.kind(), ErrorKind::Configuration);
    }
    for encoding in ENCODINGS {
        if let Ok(secret) = decode_secret(&SecretString::from(text), encoding) {
            let _ = check_hmac_secret(secret.expose_secret(), Algorithm::HS256);
        }
    }
});
