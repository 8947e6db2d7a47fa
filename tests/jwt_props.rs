//! Property tests for the JWT module: verification and inspection never
//! panic and never echo the input; any change to a signed token is refused;
//! random secrets pass the strength check.
#![cfg(feature = "jwt")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use seckit::jwt::dangerous::inspect_unverified;
use seckit::jwt::{
    Algorithm, Issuer, KeySet, SigningKey, Verifier, bearer_token, check_hmac_secret,
};
use serde_json::{Value, json};

const NOW: u64 = 1_700_000_000;

static KEY: LazyLock<SigningKey> = LazyLock::new(|| {
    SigningKey::hmac(
        Algorithm::HS256,
        &b"kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD".as_slice().into(),
    )
    .unwrap()
});
static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    Verifier::new(KEY.verifying_key())
        .ignore_issuer()
        .ignore_audience()
});
static TOKEN: LazyLock<String> = LazyLock::new(|| {
    Issuer::new(KEY.clone())
        .issue_at(Some("u"), &json!({"role": "user"}), NOW)
        .unwrap()
});

fn assert_no_echo(input: &str, text: &str) {
    // Short inputs may coincide with words of a fixed reason ("jwt").
    if input.len() >= 12 {
        assert!(!text.contains(input), "echoed {input:?} in {text}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn verify_never_panics_or_echoes_arbitrary_text(input in "\\PC{0,300}") {
        if let Err(e) = VERIFIER.verify_at::<Value>(&input, NOW) {
            assert_no_echo(&input, &e.to_string());
            assert_no_echo(&input, &format!("{e:?}"));
        }
        let _ = inspect_unverified(&input);
        if let Ok(token) = bearer_token(&input) {
            prop_assert!(input.ends_with(token));
        }
    }

    #[test]
    fn verify_never_panics_on_token_shaped_text(
        segments in prop::collection::vec("[A-Za-z0-9_-]{0,80}", 1..6),
    ) {
        let input = segments.join(".");
        if let Err(e) = VERIFIER.verify_at::<Value>(&input, NOW) {
            assert_no_echo(&input, &e.to_string());
        }
        let _ = inspect_unverified(&input);
    }

    #[test]
    fn any_json_signed_with_the_key_gets_an_answer_not_a_panic(
        header in prop::collection::btree_map("[a-z]{1,4}", any::<u32>(), 0..4),
        claims in prop::collection::btree_map("[a-z]{1,4}", prop_oneof![any::<i64>().prop_map(Value::from), "[ -~]{0,8}".prop_map(Value::from), any::<bool>().prop_map(Value::from)], 0..6),
        exp in prop_oneof![Just(Value::Null), any::<i64>().prop_map(Value::from), any::<f64>().prop_map(|f| json!(f))],
        nested in 0usize..200,
    ) {
        let mut h = serde_json::to_value(&header).unwrap();
        h["alg"] = json!("HS256");
        let mut c = serde_json::to_value(&claims).unwrap();
        if !exp.is_null() {
            c["exp"] = exp;
        }
        // Nesting past serde_json's recursion limit (128) must be an error too.
        let deep = format!("{}{}", "[".repeat(nested), "]".repeat(nested));
        let body = c.to_string();
        let body = if body == "{}" { format!("{{\"deep\":{deep}}}") } else { format!("{{\"deep\":{deep},{}", &body[1..]) };
        let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(h.to_string()), URL_SAFE_NO_PAD.encode(body));
        // Sign through a throwaway issuer-compatible path: HMAC over input.
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD").unwrap();
        mac.update(input.as_bytes());
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
        let _ = VERIFIER.verify_at::<Value>(&token, NOW);
    }

    #[test]
    fn any_single_character_change_is_refused(pos in 0usize..1000, c in "[A-Za-z0-9_.=+/ -]") {
        let token: &str = &TOKEN;
        let pos = pos % token.len();
        let mut bytes = token.as_bytes().to_vec();
        let c = c.as_bytes()[0];
        prop_assume!(bytes[pos] != c);
        bytes[pos] = c;
        let changed = String::from_utf8(bytes).unwrap();
        // Changing only unused trailing bits would decode to the same bytes:
        // canonical decoding refuses that too, so every change fails.
        prop_assert!(VERIFIER.verify_at::<Value>(&changed, NOW).is_err());
    }

    #[test]
    fn random_secrets_pass_the_strength_check(secret in prop::collection::vec(any::<u8>(), 64..96)) {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            check_hmac_secret(&secret, alg).unwrap();
        }
        let text = URL_SAFE_NO_PAD.encode(&secret[..32]);
        check_hmac_secret(text.as_bytes(), Algorithm::HS256).unwrap();
    }

    #[test]
    fn jwks_import_never_panics(doc in "\\PC{0,200}", n in "[A-Za-z0-9_-]{0,400}", kty in "(RSA|EC|OKP|oct|x)") {
        let _ = KeySet::from_jwks(&doc, None);
        let entry = json!({"keys": [{"kty": kty, "kid": "k", "alg": "RS256", "n": n, "e": "AQAB", "x": n, "y": n, "crv": "P-256"}]});
        let _ = KeySet::from_jwks(&entry.to_string(), Some(Algorithm::ES256));
    }
}

#[test]
fn the_unchanged_token_verifies() {
    VERIFIER.verify_at::<Value>(&TOKEN, NOW).unwrap();
}
