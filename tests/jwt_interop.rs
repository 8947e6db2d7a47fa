//! Tokens from elsewhere, and seckit's tokens checked elsewhere.
//!
//! - RFC 7515 A.1 (HS256) and RFC 8037 A.4 (Ed25519) examples.
//! - tests/fixtures/jwt/pyjwt-tokens.json: tokens PyJWT made with every
//!   algorithm, plus RFC 8725's hostile tokens, each with the verdict
//!   seckit must reach (tests/fixtures/jwt/generate.py make).
//! - tests/fixtures/jwt/seckit-tokens.json: tokens seckit made, each
//!   verified by PyJWT (generate.py check-seckit), which recorded what it
//!   decoded.
#![cfg(feature = "jwt")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use seckit::SecretString;
use seckit::jwt::{Algorithm, Issuer, KeySet, SecretEncoding, SigningKey, Verifier, VerifyingKey};
use serde_json::{Value, json};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt/");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIX}{name}")).unwrap()
}

fn key_file(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ec256",
        Algorithm::ES384 => "ec384",
        Algorithm::EdDSA => "ed25519",
        _ => "rsa2048",
    }
}

fn verifying_key(alg: Algorithm) -> VerifyingKey {
    if alg.is_hmac() {
        let text = SecretString::from(fixture("hmac-secret.b64").trim());
        VerifyingKey::hmac_encoded(alg, &text, SecretEncoding::Base64).unwrap()
    } else {
        VerifyingKey::from_pem(alg, fixture(&format!("{}-public.pem", key_file(alg)))).unwrap()
    }
}

fn signing_key(alg: Algorithm) -> SigningKey {
    if alg.is_hmac() {
        let text = SecretString::from(fixture("hmac-secret.b64").trim());
        SigningKey::hmac_encoded(alg, &text, SecretEncoding::Base64).unwrap()
    } else {
        let pem = SecretString::from(fixture(&format!("{}-private.pem", key_file(alg))));
        SigningKey::from_pem(alg, &pem).unwrap()
    }
}

fn alg(name: &str) -> Algorithm {
    name.parse().unwrap()
}

#[test]
fn rfc7515_appendix_a1_hs256_example() {
    // RFC 7515 A.1: the JWK "k" and the token, verbatim (header and claims
    // contain CRLF line breaks, which only a byte-exact signer reproduces).
    let k =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let key =
        VerifyingKey::hmac_encoded(Algorithm::HS256, &k.into(), SecretEncoding::Base64Url).unwrap();
    let v = Verifier::new(key).with_issuer("joe").unwrap();
    let ok = v.verify_at::<Value>(token, 1_300_819_379).unwrap();
    assert_eq!(ok.claims["http://example.com/is_root"], true);
    assert_eq!(ok.registered.exp, 1_300_819_380);
    let expired = v.verify_at::<Value>(token, 1_300_819_380).unwrap_err();
    assert!(expired.to_string().contains("expired"));
}

#[test]
fn rfc8037_appendix_a4_ed25519_signature_verifies() {
    // RFC 8037 A.2 public key and A.4 JWS. Its payload is the text "Example
    // of Ed25519 signing", not a claims object, so a JWT verifier must
    // refuse it, but only after the signature checked out: the reason
    // proves the Ed25519 signature verified.
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let jwks = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "rfc8037", "alg": "EdDSA"}]});
    let keys = KeySet::from_jwks(&jwks.to_string(), None).unwrap().keys;
    let token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    // The RFC's token has no kid: re-add the key as the default.
    let mut set = KeySet::new();
    set.add_default(keys.keys().next().unwrap().clone())
        .unwrap();
    let err = Verifier::with_keys(set.clone())
        .verify_at::<Value>(token, 0)
        .unwrap_err();
    assert!(
        err.to_string().contains("claims are not a JSON object"),
        "{err}"
    );
    let tampered = token.replace("hgyY0il", "hgyY0iM");
    let err = Verifier::with_keys(set)
        .verify_at::<Value>(&tampered, 0)
        .unwrap_err();
    assert!(err.to_string().contains("bad signature"), "{err}");
}

#[test]
fn pyjwt_tokens_get_the_verdicts_the_fixture_records() {
    let doc: Value = serde_json::from_str(&fixture("pyjwt-tokens.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 55, "{}", cases.len());
    let mut valid = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let alg = alg(case["alg"].as_str().unwrap());
        let mut key = verifying_key(alg);
        if let Some(kid) = case["kid"].as_str() {
            key = key.with_kid(kid).unwrap();
        }
        // The fixture records PyJWT's verdicts at zero leeway; seckit's
        // default 30 s allowance on nbf/iat is switched off to compare.
        let mut v = Verifier::new(key)
            .with_leeway(std::time::Duration::ZERO)
            .unwrap();
        if let Some(iss) = case["iss"].as_str() {
            v = v.with_issuer(iss).unwrap();
        }
        if let Some(aud) = case["aud"].as_str() {
            v = v.with_audience(aud).unwrap();
        }
        let result = v.verify_at::<Value>(
            case["token"].as_str().unwrap(),
            case["now"].as_u64().unwrap(),
        );
        let expect = case["expect"].as_str().unwrap();
        if expect == "ok" {
            let ok = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(ok.claims["role"], "admin", "{name}");
            assert_eq!(ok.registered.sub.as_deref(), Some("user-42"), "{name}");
            valid += 1;
        } else {
            let err = result.err().unwrap_or_else(|| panic!("{name}: accepted"));
            assert_eq!(err.kind(), seckit::ErrorKind::Unauthenticated, "{name}");
            assert!(
                err.to_string().contains(expect),
                "{name}: {err} lacks {expect:?}"
            );
        }
    }
    assert_eq!(valid, 16, "every algorithm plus four variants");
}

#[test]
fn pyjwt_tokens_verify_against_the_jwks_fixture() {
    let doc: Value = serde_json::from_str(&fixture("pyjwt-tokens.json")).unwrap();
    let keys = KeySet::from_jwks(&fixture("jwks.json"), None).unwrap().keys;
    let v = Verifier::with_keys(keys)
        .with_issuer(doc["iss"].as_str().unwrap())
        .unwrap()
        .with_audience(doc["aud"].as_str().unwrap())
        .unwrap();
    for t in doc["jwks_tokens"].as_array().unwrap() {
        let ok = v
            .verify_at::<Value>(t["token"].as_str().unwrap(), doc["now"].as_u64().unwrap())
            .unwrap();
        assert_eq!(ok.kid.as_deref(), t["kid"].as_str());
        assert_eq!(ok.alg.as_str(), t["alg"]);
    }
}

const ISS: &str = "https://seckit.example";
const AUD: &str = "interop";
const IAT: u64 = 1_750_000_000;

/// Run by hand: `cargo test --all-features --test jwt_interop -- --ignored`,
/// then `generate.py check-seckit`.
#[test]
#[ignore = "writes a fixture; run by hand before generate.py check-seckit"]
fn write_seckit_tokens() {
    let tokens: Vec<Value> = Algorithm::ALL
        .into_iter()
        .map(|alg| {
            let token = Issuer::new(signing_key(alg))
                .with_issuer(ISS)
                .unwrap()
                .with_audience(AUD)
                .unwrap()
                .issue_at(Some("user-42"), &json!({"role": "admin", "n": 7}), IAT)
                .unwrap();
            json!({"alg": alg.as_str(), "token": token, "now": IAT + 60})
        })
        .collect();
    let doc = json!({"iss": ISS, "aud": AUD, "tokens": tokens});
    std::fs::write(
        format!("{FIX}seckit-tokens.json"),
        serde_json::to_string_pretty(&doc).unwrap() + "\n",
    )
    .unwrap();
}

#[test]
fn tokens_made_by_seckit_were_verified_by_pyjwt() {
    let doc: Value = serde_json::from_str(&fixture("seckit-tokens.json")).unwrap();
    assert!(
        doc["checked_by"]["PyJWT"].is_string(),
        "run generate.py check-seckit"
    );
    let tokens = doc["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), Algorithm::ALL.len());
    for t in tokens {
        let alg = alg(t["alg"].as_str().unwrap());
        let py = &t["pyjwt"];
        assert_eq!(py["verified"], true, "{alg}");
        assert_eq!(
            py["header"],
            json!({"alg": alg.as_str(), "typ": "JWT"}),
            "{alg}"
        );
        let claims = &py["claims"];
        assert_eq!(
            (claims["role"].as_str(), claims["n"].as_u64()),
            (Some("admin"), Some(7))
        );
        assert_eq!(
            (claims["iss"].as_str(), claims["aud"].as_str()),
            (Some(ISS), Some(AUD))
        );
        assert_eq!(
            (claims["iat"].as_u64(), claims["exp"].as_u64()),
            (Some(IAT), Some(IAT + 3600))
        );
        // And the same bytes still verify with today's seckit.
        let v = Verifier::new(verifying_key(alg))
            .with_issuer(ISS)
            .unwrap()
            .with_audience(AUD)
            .unwrap();
        let ok = v
            .verify_at::<Value>(t["token"].as_str().unwrap(), t["now"].as_u64().unwrap())
            .unwrap();
        assert_eq!(&ok.claims, claims, "{alg}");
    }
}
