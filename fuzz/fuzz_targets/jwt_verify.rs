//! JWT verification, unverified inspection and Bearer parsing on arbitrary
//! input. Verifying must never panic and never accept: the fuzzer does not
//! know the keys.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use seckit::jwt::dangerous::inspect_unverified;
use seckit::jwt::{Algorithm, KeySet, SigningKey, Verifier, bearer_token};

static VERIFIERS: LazyLock<Vec<Verifier>> = LazyLock::new(|| {
    let hmac = SigningKey::hmac(
        Algorithm::HS256,
        &b"kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD".as_slice().into(),
    )
    .expect("fixed key is valid");
    let jwks = include_str!("../../tests/fixtures/jwt/jwks.json");
    let keys = KeySet::from_jwks(jwks, None)
        .expect("fixture jwks is valid")
        .keys;
    vec![
        Verifier::new(hmac.verifying_key())
            .ignore_issuer()
            .ignore_audience(),
        // An explicitly typed verifier (RFC 8725 §3.11), no skew.
        Verifier::new(hmac.verifying_key())
            .ignore_issuer()
            .ignore_audience()
            .with_typ("at+jwt")
            .expect("valid typ")
            .with_leeway(std::time::Duration::ZERO)
            .expect("valid leeway"),
        Verifier::with_keys(keys)
            .with_issuer("https://idp.example")
            .expect("non-empty"),
    ]
});

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    for v in VERIFIERS.iter() {
        // PyJWT fixture tokens in the seeds are valid only at 1_700_000_060.
        for now in [0, 1_700_000_060, u64::MAX] {
            if let Ok(ok) = v.verify_at::<serde_json::Value>(input, now) {
                // Only a seed token made with the fixture keys can get here.
                assert!(ok.registered.exp > now);
            }
        }
    }
    let _ = inspect_unverified(input);
    if let Ok(token) = bearer_token(input) {
        assert!(input.ends_with(token));
    }
});
