//! The JWT module's rules, one test per rule: keys, issuing, every
//! verification check, rotation, JWKS import and `JwtConfig`.
#![cfg(feature = "jwt")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use seckit::config::Loader;
use seckit::jwt::dangerous::inspect_unverified;
use seckit::jwt::{
    Algorithm, Issuer, JwtConfig, KeySet, SecretEncoding, SigningKey, Verifier, VerifyingKey,
    bearer_token,
};
use seckit::{AuthReason, Error, ErrorKind, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const NOW: u64 = 1_700_000_000;
const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt/");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIX}{name}")).unwrap()
}

fn hmac_text() -> SecretString {
    SecretString::from(fixture("hmac-secret.b64").trim())
}

fn signing(alg: Algorithm) -> SigningKey {
    if alg.is_hmac() {
        return SigningKey::hmac_encoded(alg, &hmac_text(), SecretEncoding::Base64).unwrap();
    }
    let file = match alg {
        Algorithm::ES256 => "ec256-private.pem",
        Algorithm::ES384 => "ec384-private.pem",
        Algorithm::EdDSA => "ed25519-private.pem",
        _ => "rsa2048-private.pem",
    };
    SigningKey::from_pem(alg, &SecretString::from(fixture(file))).unwrap()
}

fn issuer(alg: Algorithm) -> Issuer {
    Issuer::new(signing(alg)).with_clock(|| NOW)
}

fn verifier(alg: Algorithm) -> Verifier {
    Verifier::new(signing(alg).verifying_key()).with_clock(|| NOW)
}

fn hs256_issuer() -> Issuer {
    issuer(Algorithm::HS256)
}

/// Signs arbitrary header and payload JSON text with the fixture HMAC key,
/// for shapes the Issuer refuses to make.
fn forge(header: &str, payload: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let secret = seckit::jwt::decode_secret(&hmac_text(), SecretEncoding::Base64).unwrap();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.expose_secret()).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn reason(err: &Error) -> String {
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
    assert_eq!(err.public_message(), "invalid credentials");
    err.to_string()
}

fn refused(v: &Verifier, token: &str) -> String {
    reason(&v.verify::<Value>(token).unwrap_err())
}

fn claims(extra: Value) -> Value {
    let mut c = json!({"exp": NOW + 60});
    c.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    c
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Session {
    role: String,
    tenant: u32,
}

// ---------------------------------------------------------------- keys

#[test]
fn every_algorithm_round_trips_with_keys_from_pem() {
    for alg in Algorithm::ALL {
        let token = issuer(alg)
            .issue_for(
                "user-1",
                &Session {
                    role: "admin".into(),
                    tenant: 7,
                },
            )
            .unwrap();
        let v = verifier(alg).verify::<Session>(&token).unwrap();
        assert_eq!(
            v.claims,
            Session {
                role: "admin".into(),
                tenant: 7
            }
        );
        assert_eq!(v.alg, alg);
        assert_eq!(v.registered.sub.as_deref(), Some("user-1"));
    }
}

#[test]
fn every_pem_flavour_is_read_including_crlf() {
    let pairs = [
        (
            Algorithm::RS256,
            "rsa2048-private-pkcs1.pem",
            "rsa2048-public-pkcs1.pem",
        ),
        (
            Algorithm::PS256,
            "rsa2048-private.pem",
            "rsa2048-public.pem",
        ),
        (
            Algorithm::ES256,
            "ec256-private-sec1.pem",
            "ec256-public.pem",
        ),
        (Algorithm::ES384, "ec384-private.pem", "ec384-public.pem"),
        (
            Algorithm::EdDSA,
            "ed25519-private.pem",
            "ed25519-public.pem",
        ),
    ];
    for (alg, private, public) in pairs {
        let crlf = fixture(private).replace('\n', "\r\n");
        let key = SigningKey::from_pem(alg, &SecretString::from(crlf)).unwrap();
        let public = VerifyingKey::from_pem(alg, fixture(public)).unwrap();
        let token = Issuer::new(key).issue(&json!({})).unwrap();
        Verifier::new(public).verify::<Value>(&token).unwrap();
        // A private key PEM is not a verifying key (issue 13, item 11).
        let e = VerifyingKey::from_pem(alg, fixture(private)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "configuration: jwt.public_key: holds a private key, not a public key (give the public key (openssl pkey -pubout); to sign, load the private key with SigningKey::from_pem)"
        );
    }
}

#[test]
fn keys_that_do_not_fit_are_refused_at_construction() {
    let private = |alg, file: &str| {
        SigningKey::from_pem(alg, &SecretString::from(fixture(file))).unwrap_err()
    };
    let cases: Vec<(Error, &str)> = vec![
        (
            private(Algorithm::RS256, "rsa1024-private.pem"),
            "under 2048 bits",
        ),
        (
            VerifyingKey::from_pem(Algorithm::RS256, fixture("rsa1024-public.pem")).unwrap_err(),
            "under 2048 bits",
        ),
        (
            private(Algorithm::RS256, "rsa2048-private-encrypted.pem"),
            "encrypted",
        ),
        (private(Algorithm::ES384, "ec256-private.pem"), "curve"),
        (private(Algorithm::ES256, "ed25519-private.pem"), "curve"),
        (private(Algorithm::EdDSA, "rsa2048-private.pem"), "Ed25519"),
        (private(Algorithm::RS256, "ec256-private.pem"), "RSA"),
        (
            private(Algorithm::RS256, "rsa2048-public.pem"),
            "public key",
        ),
        (private(Algorithm::HS256, "rsa2048-private.pem"), "HMAC"),
        (
            VerifyingKey::from_pem(Algorithm::ES384, fixture("ec256-public.pem")).unwrap_err(),
            "not a valid public key",
        ),
        (
            VerifyingKey::from_pem(Algorithm::ES256, "not pem at all").unwrap_err(),
            "is not PEM",
        ),
        (
            VerifyingKey::from_pem(Algorithm::HS256, fixture("rsa2048-public.pem")).unwrap_err(),
            "HMAC",
        ),
    ];
    for (err, want) in cases {
        assert_eq!(err.kind(), ErrorKind::Configuration, "{err}");
        assert!(err.to_string().contains(want), "{err} lacks {want:?}");
    }
}

#[test]
fn weak_hmac_secrets_are_refused_by_every_constructor() {
    let weak = SecretString::from("your-256-bit-secret");
    assert!(SigningKey::hmac_encoded(Algorithm::HS256, &weak, SecretEncoding::Raw).is_err());
    assert!(VerifyingKey::hmac_encoded(Algorithm::HS256, &weak, SecretEncoding::Raw).is_err());
    assert!(SigningKey::hmac(Algorithm::HS256, &b"too short".as_slice().into()).is_err());
    // Decoded length counts: 24 random bytes as base64 are 32 characters, still too short.
    let short = SecretString::from("kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD");
    let err =
        SigningKey::hmac_encoded(Algorithm::HS256, &short, SecretEncoding::Base64).unwrap_err();
    assert!(err.to_string().contains("shorter than 32 bytes"), "{err}");
    SigningKey::hmac_encoded(Algorithm::HS256, &short, SecretEncoding::Raw).unwrap();
    // The algorithm's own minimum: the 64-byte fixture passes HS512.
    SigningKey::hmac_encoded(Algorithm::HS512, &hmac_text(), SecretEncoding::Base64).unwrap();
}

#[test]
fn debug_never_shows_key_material() {
    let key = signing(Algorithm::HS256).with_kid("k1").unwrap();
    assert_eq!(
        format!("{key:?}"),
        r#"SigningKey { alg: HS256, kid: Some("k1"), .. }"#
    );
    let v = key.verifying_key();
    assert_eq!(
        format!("{v:?}"),
        r#"VerifyingKey { alg: HS256, kid: Some("k1"), .. }"#
    );
    let cfg = JwtConfig::new(key);
    assert!(format!("{cfg:?}").contains("key=***"));
}

// -------------------------------------------------------------- issuing

#[test]
fn issued_tokens_carry_the_registered_claims_and_header() {
    let key = signing(Algorithm::ES256).with_kid("2026-11").unwrap();
    let iss = Issuer::new(key)
        .with_clock(|| NOW)
        .with_issuer("https://auth.example")
        .unwrap()
        .with_audience("api")
        .unwrap()
        .with_ttl(Duration::from_secs(900))
        .unwrap();
    let t1 = iss.issue_for("user-9", &json!({"role": "x"})).unwrap();
    let t2 = iss.issue_for("user-9", &json!({"role": "x"})).unwrap();
    let seen = inspect_unverified(&t1).unwrap();
    assert_eq!(
        seen.untrusted_header,
        *json!({"alg": "ES256", "kid": "2026-11", "typ": "JWT"})
            .as_object()
            .unwrap()
    );
    let c = &seen.untrusted_claims;
    assert_eq!(c["iss"], "https://auth.example");
    assert_eq!(c["aud"], "api");
    assert_eq!(c["sub"], "user-9");
    assert_eq!(c["iat"], NOW);
    assert_eq!(c["nbf"], NOW);
    assert_eq!(c["exp"], NOW + 900);
    let jti = c["jti"].as_str().unwrap();
    assert_eq!(URL_SAFE_NO_PAD.decode(jti).unwrap().len(), 16);
    assert_ne!(
        jti,
        inspect_unverified(&t2).unwrap().untrusted_claims["jti"]
    );
    // Several audiences become an array.
    let iss2 = iss.with_audience("admin").unwrap();
    let c2 = inspect_unverified(&iss2.issue(&json!({})).unwrap())
        .unwrap()
        .untrusted_claims;
    assert_eq!(c2["aud"], json!(["api", "admin"]));
}

#[test]
fn custom_claims_must_be_an_object_without_registered_names() {
    let iss = hs256_issuer();
    for reserved in ["iss", "aud", "exp", "nbf", "iat", "jti"] {
        let err = iss.issue(&json!({ reserved: 1 })).unwrap_err();
        assert_eq!(err.violation().unwrap().code(), "claims.reserved_name");
    }
    // `sub` may come from the claims type, but only as a non-empty string.
    let code = |r: seckit::Result<String>| r.unwrap_err().violation().unwrap().code();
    assert_eq!(code(iss.issue(&json!({"sub": 1}))), "sub.not_string");
    assert_eq!(code(iss.issue(&json!({"sub": ""}))), "sub.empty");
    for not_object in [json!([1, 2]), json!("x"), json!(null), json!(3)] {
        let err = iss.issue(&not_object).unwrap_err();
        assert_eq!(err.violation().unwrap().code(), "claims.not_object");
    }
    assert_eq!(
        iss.issue_for("", &json!({}))
            .unwrap_err()
            .violation()
            .unwrap()
            .code(),
        "sub.empty"
    );
}

#[test]
fn ttl_and_leeway_are_bounded() {
    let iss = hs256_issuer();
    for bad in [0, 24 * 3600 + 1] {
        assert_eq!(
            iss.clone()
                .with_ttl(Duration::from_secs(bad))
                .unwrap_err()
                .kind(),
            ErrorKind::Configuration
        );
    }
    iss.clone()
        .with_ttl(Duration::from_secs(24 * 3600))
        .unwrap();
    let long = iss
        .clone()
        .with_long_ttl(Duration::from_secs(30 * 24 * 3600))
        .unwrap();
    assert_eq!(long.ttl(), Duration::from_secs(30 * 24 * 3600));
    assert!(
        iss.with_long_ttl(Duration::from_secs(401 * 24 * 3600))
            .is_err()
    );
    let v = verifier(Algorithm::HS256);
    v.clone().with_leeway(Duration::from_secs(300)).unwrap();
    assert!(v.clone().with_leeway(Duration::from_secs(301)).is_err());
    assert!(v.clone().with_max_token_len(0).is_err());
    assert!(v.with_max_token_len(64 * 1024 + 1).is_err());
}

// ---------------------------------------------------------- verification

#[test]
fn the_algorithm_comes_from_the_key_never_from_the_header() {
    let hs = hs256_issuer().issue(&json!({})).unwrap();
    let rs = issuer(Algorithm::RS256).issue(&json!({})).unwrap();
    let hs512 = issuer(Algorithm::HS512).issue(&json!({})).unwrap();
    assert!(refused(&verifier(Algorithm::RS256), &hs).contains("algorithm not allowed"));
    assert!(refused(&verifier(Algorithm::HS256), &rs).contains("algorithm not allowed"));
    assert!(refused(&verifier(Algorithm::HS256), &hs512).contains("algorithm not allowed"));
    assert!(refused(&verifier(Algorithm::PS256), &rs).contains("algorithm not allowed"));
    // Same key, other RSA padding: RS256 signature under a PS256 header.
    let (h, rest) = rs.split_once('.').unwrap();
    let ps_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"PS256","typ":"JWT"}"#);
    assert_ne!(h, ps_header);
    let relabelled = format!("{ps_header}.{rest}");
    assert!(refused(&verifier(Algorithm::PS256), &relabelled).contains("bad signature"));
}

#[test]
fn alg_none_in_any_case_is_refused() {
    let v = verifier(Algorithm::HS256);
    let payload = URL_SAFE_NO_PAD.encode(claims(json!({})).to_string());
    for none in ["none", "None", "NONE", "nOnE"] {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{none}"}}"#));
        assert!(refused(&v, &format!("{header}.{payload}.")).contains("missing signature"));
        assert!(refused(&v, &format!("{header}.{payload}.c2ln")).contains("alg none"));
    }
    let t = forge(r#"{"alg":5}"#, &claims(json!({})).to_string());
    assert!(refused(&v, &t).contains("alg is not a string"));
    let t = forge(r#"{"typ":"JWT"}"#, &claims(json!({})).to_string());
    assert!(refused(&v, &t).contains("no alg"));
}

#[test]
fn signatures_are_checked_and_every_byte_matters() {
    let v = verifier(Algorithm::ES256);
    let token = issuer(Algorithm::ES256)
        .issue(&json!({"role": "user"}))
        .unwrap();
    v.verify::<Value>(&token).unwrap();
    let bytes = token.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'.' {
            continue;
        }
        let mut t = bytes.to_vec();
        t[i] = if t[i] == b'A' { b'B' } else { b'A' };
        let t = String::from_utf8(t).unwrap();
        assert!(v.verify::<Value>(&t).is_err(), "flip at {i} accepted");
    }
    // The signature stripped, or cut short (86 characters for ES256; 84
    // decode to 63 bytes, 85 are not base64 at all).
    let (input, sig) = token.rsplit_once('.').unwrap();
    assert!(refused(&v, &format!("{input}.")).contains("missing signature"));
    assert!(refused(&v, &format!("{input}.{}", &sig[..84])).contains("bad signature"));
    assert!(refused(&v, &format!("{input}.{}", &sig[..85])).contains("not canonical"));
}

#[test]
fn non_canonical_base64_is_refused() {
    let v = verifier(Algorithm::HS256);
    let token = hs256_issuer().issue(&json!({})).unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    // 32 bytes are 43 characters: the last carries 2 unused bits. Setting
    // them decodes to the same bytes in a lax decoder.
    let last = sig.as_bytes()[42];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.iter().position(|&c| c == last).unwrap();
    let sloppy = char::from(alphabet[idx | 1]);
    assert_ne!(u8::try_from(sloppy).unwrap(), last);
    let t = format!("{input}.{}{sloppy}", &sig[..42]);
    assert!(refused(&v, &t).contains("not canonical"));
    assert!(refused(&v, &format!("{token}=")).contains("outside base64url"));
}

#[test]
fn exp_is_required_and_checked() {
    let v = verifier(Algorithm::HS256);
    assert!(refused(&v, &forge(r#"{"alg":"HS256"}"#, "{}")).contains("missing exp"));
    let at = |exp: u64| forge(r#"{"alg":"HS256"}"#, &json!({ "exp": exp }).to_string());
    assert!(refused(&v, &at(NOW)).contains("expired"));
    assert!(refused(&v, &at(NOW - 10)).contains("expired"));
    v.verify::<Value>(&at(NOW + 1)).unwrap();
    // Leeway forgives a little skew, no more.
    let lenient = v.with_leeway(Duration::from_secs(30)).unwrap();
    lenient.verify::<Value>(&at(NOW - 10)).unwrap();
    assert!(refused(&lenient, &at(NOW - 30)).contains("expired"));
}

#[test]
fn nbf_and_iat_in_the_future_are_refused() {
    let v = verifier(Algorithm::HS256);
    let t = |extra: Value| forge(r#"{"alg":"HS256"}"#, &claims(extra).to_string());
    // The default allows 30 s of skew on nbf and iat, no more.
    v.verify::<Value>(&t(json!({"nbf": NOW + 30, "iat": NOW + 30})))
        .unwrap();
    assert!(refused(&v, &t(json!({"nbf": NOW + 31}))).contains("not yet valid"));
    assert!(refused(&v, &t(json!({"iat": NOW + 31}))).contains("issued in the future"));
    v.verify::<Value>(&t(json!({"nbf": NOW, "iat": NOW})))
        .unwrap();
    // An explicit leeway replaces the default: zero makes the checks exact.
    let exact = v.clone().with_leeway(Duration::ZERO).unwrap();
    assert!(refused(&exact, &t(json!({"nbf": NOW + 5}))).contains("not yet valid"));
    assert!(refused(&exact, &t(json!({"iat": NOW + 5}))).contains("issued in the future"));
    let lenient = v.with_leeway(Duration::from_secs(60)).unwrap();
    lenient
        .verify::<Value>(&t(json!({"nbf": NOW + 55, "iat": NOW + 55})))
        .unwrap();
}

#[test]
fn a_token_from_a_host_whose_clock_is_30s_ahead_verifies_at_once() {
    let key = signing(Algorithm::HS256);
    // The issuing host's clock is 30 s ahead of the verifying host's.
    let issuer = Issuer::new(key.clone()).with_clock(|| NOW + 30);
    let verifier = Verifier::new(key.verifying_key()).with_clock(|| NOW);
    let token = issuer.issue_for("user-1", &json!({})).unwrap();
    verifier.verify::<Value>(&token).unwrap();
    // 31 s is beyond the default allowance.
    let token = Issuer::new(key)
        .with_clock(|| NOW + 31)
        .issue_for("user-1", &json!({}))
        .unwrap();
    assert_eq!(
        verifier.verify::<Value>(&token).unwrap_err().auth_reason(),
        Some(AuthReason::NotYetValid)
    );
    // exp gets no default leeway: expired at exp, on the second.
    assert_eq!(seckit::jwt::DEFAULT_LEEWAY_SECS, 30);
}

#[test]
fn typ_is_configurable_on_both_sides_and_enforced_when_required() {
    let key = signing(Algorithm::HS256);
    let access = Issuer::new(key.clone()).with_typ("at+jwt").unwrap();
    let plain = Issuer::new(key.clone());
    let strict = Verifier::new(key.verifying_key())
        .with_clock(|| NOW)
        .with_typ("at+jwt")
        .unwrap();
    let default = Verifier::new(key.verifying_key()).with_clock(|| NOW);
    let a = access.issue_at(None, &json!({}), NOW).unwrap();
    let p = plain.issue_at(None, &json!({}), NOW).unwrap();
    let header = |t: &str| inspect_unverified(t).unwrap().untrusted_header;
    assert_eq!(header(&a)["typ"], "at+jwt");
    assert_eq!(header(&p)["typ"], "JWT");
    strict.verify::<Value>(&a).unwrap();
    // The default is unchanged: JWT (or no typ) only.
    default.verify::<Value>(&p).unwrap();
    assert!(refused(&default, &a).contains("typ header is not JWT"));
    // A verifier that requires a type refuses every other one, and none.
    assert!(refused(&strict, &p).contains("not the required type"));
    let untyped = forge(r#"{"alg":"HS256"}"#, &claims(json!({})).to_string());
    assert!(refused(&strict, &untyped).contains("typ header missing"));
    let media = forge(
        r#"{"alg":"HS256","typ":"application/AT+JWT"}"#,
        &claims(json!({})).to_string(),
    );
    strict.verify::<Value>(&media).unwrap();
    for bad in ["", "a b", &"x".repeat(65)] {
        assert_eq!(
            Issuer::new(key.clone()).with_typ(bad).unwrap_err().kind(),
            ErrorKind::Configuration
        );
    }
}

#[test]
fn a_claims_struct_with_sub_is_issued_and_verified_and_conflicts_are_refused() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Claims {
        sub: String,
        role: String,
    }
    let key = signing(Algorithm::HS256);
    let issuer = Issuer::new(key.clone());
    let verifier = Verifier::new(key.verifying_key());
    let mine = Claims {
        sub: "user-42".into(),
        role: "admin".into(),
    };
    let token = issuer.issue(&mine).unwrap();
    let verified = verifier.verify::<Claims>(&token).unwrap();
    assert_eq!(verified.claims, mine);
    assert_eq!(verified.registered.sub.as_deref(), Some("user-42"));
    // The same subject twice is not a conflict; a different one is.
    issuer.issue_for("user-42", &mine).unwrap();
    let err = issuer.issue_for("user-7", &mine).unwrap_err();
    assert_eq!(err.violation().unwrap().code(), "sub.conflict");
    // A forged token with two `sub` members is refused when verified.
    let dup = forge(
        r#"{"alg":"HS256"}"#,
        &format!(
            r#"{{"exp":{},"sub":"a","sub":"b","role":"x"}}"#,
            u64::MAX / 2
        ),
    );
    assert_eq!(
        verifier.verify::<Claims>(&dup).unwrap_err().auth_reason(),
        Some(AuthReason::InvalidClaims)
    );
}

#[test]
fn per_token_ttl_and_audience_and_the_issued_jti_and_exp() {
    use seckit::jwt::TokenSpec;
    let key = signing(Algorithm::HS256);
    let issuer = Issuer::new(key.clone())
        .with_audience("api")
        .unwrap()
        .with_ttl(Duration::from_secs(3600))
        .unwrap();
    let spec = TokenSpec::new()
        .subject("user-1")
        .ttl(Duration::from_secs(60))
        .unwrap()
        .audience("admin")
        .unwrap();
    let issued = issuer.issue_with_at(&json!({}), &spec, NOW).unwrap();
    assert_eq!((issued.issued_at(), issued.expires_at()), (NOW, NOW + 60));
    assert_eq!(issued.expires_in(), Duration::from_secs(60));
    assert_eq!(issued.jti().len(), 22);
    assert!(!format!("{issued:?}").contains(issued.token()));
    let seen = inspect_unverified(issued.token()).unwrap().untrusted_claims;
    assert_eq!(seen["aud"], "admin");
    assert_eq!(seen["exp"], NOW + 60);
    assert_eq!(seen["jti"], issued.jti());
    assert_eq!(seen["sub"], "user-1");
    let admin = Verifier::new(key.verifying_key())
        .with_clock(|| NOW)
        .with_audience("admin")
        .unwrap();
    admin.verify::<Value>(issued.token()).unwrap();
    // The issuer's own settings when the spec leaves them unset.
    let plain = issuer
        .issue_with_at(&json!({}), &TokenSpec::new(), NOW)
        .unwrap();
    assert_eq!(plain.expires_at(), NOW + 3600);
    assert_eq!(
        inspect_unverified(plain.token()).unwrap().untrusted_claims["aud"],
        "api"
    );
    assert!(TokenSpec::new().ttl(Duration::from_secs(86_401)).is_err());
    TokenSpec::new()
        .long_ttl(Duration::from_secs(30 * 86_400))
        .unwrap();
}

#[test]
fn prefixed_configurations_and_several_audiences() {
    let mut env = Loader::from_vars([
        ("ACCESS_JWT_SECRET", B64_SECRET),
        ("ACCESS_JWT_SECRET_ENCODING", "base64"),
        ("ACCESS_JWT_AUDIENCE", "orders, billing"),
        ("ACCESS_JWT_TTL_MINUTES", "15"),
        ("REFRESH_JWT_SECRET", "Zk3nQ8vR2mX7cL1pT5wB9yH4dJ6sF0gA"),
        ("REFRESH_JWT_TTL_MINUTES", "1440"),
        ("REFRESH_JWT_TYP", "refresh+jwt"),
    ]);
    let access = JwtConfig::from_loader_prefixed(&mut env, "ACCESS_").unwrap();
    let refresh = JwtConfig::from_loader_prefixed(&mut env, "REFRESH_").unwrap();
    assert_eq!(access.audiences(), ["orders", "billing"]);
    assert_eq!(access.issuer().unwrap().ttl(), Duration::from_secs(900));
    assert_eq!(refresh.issuer().unwrap().ttl(), Duration::from_secs(86_400));
    // Each verifies only its own tokens.
    let a = access.issuer().unwrap().issue(&json!({})).unwrap();
    let r = refresh.issuer().unwrap().issue(&json!({})).unwrap();
    access.verifier().verify::<Value>(&a).unwrap();
    refresh.verifier().verify::<Value>(&r).unwrap();
    assert!(access.verifier().verify::<Value>(&r).is_err());
    assert!(refresh.verifier().verify::<Value>(&a).is_err());
    // A token for either audience passes the access verifier.
    assert_eq!(
        inspect_unverified(&a).unwrap().untrusted_claims["aud"],
        json!(["orders", "billing"])
    );
    // Errors and their hints name the prefixed variable.
    let err = JwtConfig::from_loader_prefixed(&mut env, "ADMIN_").unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("configuration: ADMIN_JWT_SECRET: not set"),
        "{text}"
    );
    assert!(
        text.contains("ADMIN_JWT_SECRET_ENCODING") || !text.contains("JWT_SECRET_ENCODING"),
        "{text}"
    );
    let mut weak = Loader::from_vars([("ACCESS_JWT_SECRET", "secret")]);
    let err = JwtConfig::from_loader_prefixed(&mut weak, "ACCESS_").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration: ACCESS_JWT_SECRET:"),
        "{err}"
    );
    let mut bad_aud = Loader::from_vars([
        ("JWT_SECRET", B64_SECRET),
        ("JWT_SECRET_ENCODING", "base64"),
        ("JWT_AUDIENCE", "a,,b"),
    ]);
    assert!(
        JwtConfig::from_loader(&mut bad_aud)
            .unwrap_err()
            .to_string()
            .contains("JWT_AUDIENCE")
    );
}

#[test]
fn numeric_dates_must_be_numbers_in_range() {
    let v = verifier(Algorithm::HS256);
    for bad in [
        json!(format!("{}", NOW + 60)),
        json!(-1),
        json!(1e300),
        json!(null),
        json!([NOW + 60]),
    ] {
        let t = forge(r#"{"alg":"HS256"}"#, &json!({ "exp": bad }).to_string());
        assert!(refused(&v, &t).contains("numeric date"), "{bad}");
    }
    let t = forge(
        r#"{"alg":"HS256"}"#,
        &claims(json!({"nbf": "0"})).to_string(),
    );
    assert!(refused(&v, &t).contains("numeric date"));
}

#[test]
fn issuer_is_required_when_configured_and_refused_when_not() {
    let v = verifier(Algorithm::HS256)
        .with_issuer("https://a.example")
        .unwrap();
    let t = |iss: Option<&str>| {
        let mut c = claims(json!({}));
        if let Some(iss) = iss {
            c["iss"] = json!(iss);
        }
        forge(r#"{"alg":"HS256"}"#, &c.to_string())
    };
    v.verify::<Value>(&t(Some("https://a.example"))).unwrap();
    assert!(refused(&v, &t(Some("https://b.example"))).contains("wrong issuer"));
    assert!(refused(&v, &t(Some("https://a.example/"))).contains("wrong issuer"));
    assert!(refused(&v, &t(None)).contains("missing iss"));
    let unconfigured = verifier(Algorithm::HS256);
    assert!(refused(&unconfigured, &t(Some("https://a.example"))).contains("unexpected iss"));
    unconfigured
        .clone()
        .ignore_issuer()
        .verify::<Value>(&t(Some("https://a.example")))
        .unwrap();
    unconfigured.verify::<Value>(&t(None)).unwrap();
    let t = forge(r#"{"alg":"HS256"}"#, &claims(json!({"iss": 1})).to_string());
    assert!(refused(&v, &t).contains("malformed iss"));
}

#[test]
fn audience_is_required_when_configured_and_refused_when_not() {
    let v = verifier(Algorithm::HS256).with_audience("orders").unwrap();
    let t = |aud: Value| {
        forge(
            r#"{"alg":"HS256"}"#,
            &claims(json!({ "aud": aud })).to_string(),
        )
    };
    v.verify::<Value>(&t(json!("orders"))).unwrap();
    v.verify::<Value>(&t(json!(["billing", "orders"]))).unwrap();
    assert!(refused(&v, &t(json!("billing"))).contains("wrong audience"));
    assert!(refused(&v, &t(json!([]))).contains("missing aud"));
    assert!(refused(&v, &t(json!(["Orders"]))).contains("wrong audience"));
    assert!(refused(&v, &t(json!([1]))).contains("malformed aud"));
    assert!(
        refused(
            &v,
            &forge(r#"{"alg":"HS256"}"#, &claims(json!({})).to_string())
        )
        .contains("missing aud")
    );
    let two = v.with_audience("billing").unwrap();
    two.verify::<Value>(&t(json!("billing"))).unwrap();
    let unconfigured = verifier(Algorithm::HS256);
    assert!(refused(&unconfigured, &t(json!("orders"))).contains("unexpected aud"));
    unconfigured
        .ignore_audience()
        .verify::<Value>(&t(json!("orders")))
        .unwrap();
}

#[test]
fn header_rules_typ_crit_duplicates_and_jwe() {
    let v = verifier(Algorithm::HS256);
    let body = claims(json!({})).to_string();
    for ok in [
        r#"{"alg":"HS256","typ":"JWT"}"#,
        r#"{"alg":"HS256","typ":"jwt"}"#,
        r#"{"alg":"HS256","typ":"application/jwt"}"#,
    ] {
        v.verify::<Value>(&forge(ok, &body)).unwrap();
    }
    let cases = [
        (r#"{"alg":"HS256","typ":"at+jwt"}"#, "typ"),
        (r#"{"alg":"HS256","typ":1}"#, "typ"),
        (r#"{"alg":"HS256","crit":["exp"]}"#, "crit"),
        (r#"{"alg":"HS256","crit":[]}"#, "crit"),
        (r#"{"alg":"HS256","alg":"HS256"}"#, "duplicate header"),
        (r#"{"alg":"HS256","enc":"A256GCM"}"#, "JWE"),
        (r#"{"alg":"HS256","kid":7}"#, "kid is not a string"),
        (r#"["HS256"]"#, "not a JSON object"),
        (r#"{"alg":"HS256""#, "not a JSON object"),
    ];
    for (header, want) in cases {
        assert!(
            refused(&v, &forge(header, &body)).contains(want),
            "{header}"
        );
    }
}

#[test]
fn claims_must_be_one_object_with_unique_names() {
    let v = verifier(Algorithm::HS256);
    let exp = NOW + 60;
    let dup = format!(r#"{{"exp":{exp},"sub":"a","sub":"b"}}"#);
    assert!(refused(&v, &forge(r#"{"alg":"HS256"}"#, &dup)).contains("duplicate claim"));
    let dup_exp = format!(r#"{{"exp":{exp},"exp":{}}}"#, exp + 1_000_000);
    assert!(refused(&v, &forge(r#"{"alg":"HS256"}"#, &dup_exp)).contains("duplicate claim"));
    for body in ["[]", "\"x\"", "1", "null", "", "{\"exp\":1} trailing"] {
        let t = forge(r#"{"alg":"HS256"}"#, body);
        let r = refused(&v, &t);
        assert!(
            r.contains("not a JSON object") || r.contains("empty segment"),
            "{body}: {r}"
        );
    }
}

#[test]
fn claims_of_the_wrong_shape_are_refused() {
    let token = hs256_issuer().issue(&json!({"role": "admin"})).unwrap();
    let err = verifier(Algorithm::HS256)
        .verify::<Session>(&token)
        .unwrap_err();
    assert!(reason(&err).contains("do not match the expected type"));
}

#[test]
fn token_shape_and_size_are_checked_before_decoding() {
    let v = verifier(Algorithm::HS256);
    let token = hs256_issuer().issue(&json!({})).unwrap();
    assert!(refused(&v, &format!("{token}.e30")).contains("not three segments"));
    assert!(refused(&v, "a.b.c.d.e").contains("JWE"));
    assert!(refused(&v, "abc").contains("not three segments"));
    assert!(refused(&v, "").contains("empty token"));
    assert!(refused(&v, "..").contains("empty segment"));
    assert!(refused(&v, &format!(" {token}")).contains("outside base64url"));
    let big = hs256_issuer()
        .issue(&json!({"blob": "x".repeat(9000)}))
        .unwrap();
    assert!(refused(&v, &big).contains("size limit"));
    v.clone()
        .with_max_token_len(16 * 1024)
        .unwrap()
        .verify::<Value>(&big)
        .unwrap();
    let small = v.with_max_token_len(64).unwrap();
    assert!(refused(&small, &token).contains("size limit"));
    // A megabyte of dots and letters is refused by length alone.
    assert!(refused(&verifier(Algorithm::HS256), &"a.".repeat(500_000)).contains("size limit"));
}

#[test]
fn key_rotation_selects_by_kid() {
    let old = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32).unwrap())
        .unwrap()
        .with_kid("2026-10")
        .unwrap();
    let new = signing(Algorithm::ES256).with_kid("2026-11").unwrap();
    let mut keys = KeySet::new();
    keys.add(old.verifying_key()).unwrap();
    keys.add(new.verifying_key()).unwrap();
    let v = Verifier::with_keys(keys.clone()).with_clock(|| NOW);
    let by_old = Issuer::new(old.clone())
        .with_clock(|| NOW)
        .issue(&json!({}))
        .unwrap();
    let by_new = Issuer::new(new)
        .with_clock(|| NOW)
        .issue(&json!({}))
        .unwrap();
    assert_eq!(
        v.verify::<Value>(&by_old).unwrap().kid.as_deref(),
        Some("2026-10")
    );
    assert_eq!(v.verify::<Value>(&by_new).unwrap().alg, Algorithm::ES256);
    // Unknown kid, and no kid without a default key.
    let stranger =
        Issuer::new(signing(Algorithm::HS256).with_kid("2026-12").unwrap()).with_clock(|| NOW);
    assert!(refused(&v, &stranger.issue(&json!({})).unwrap()).contains("unknown key id"));
    let no_kid = hs256_issuer().issue(&json!({})).unwrap();
    assert!(refused(&v, &no_kid).contains("no key id"));
    // A default key takes tokens without kid; keys without kid need add_default.
    let mut with_default = keys;
    assert!(
        with_default
            .add(signing(Algorithm::HS256).verifying_key())
            .is_err()
    );
    with_default
        .add_default(signing(Algorithm::HS256).verifying_key())
        .unwrap();
    assert!(
        with_default
            .add_default(signing(Algorithm::HS384).verifying_key())
            .is_err()
    );
    Verifier::with_keys(with_default)
        .with_clock(|| NOW)
        .verify::<Value>(&no_kid)
        .unwrap();
    // A kid naming a key of another algorithm does not switch algorithms.
    let confused = forge(
        r#"{"alg":"HS256","kid":"2026-11"}"#,
        &claims(json!({})).to_string(),
    );
    assert!(refused(&v, &confused).contains("algorithm not allowed"));
}

#[test]
fn a_single_key_verifier_with_a_kid_refuses_other_kids() {
    let key = signing(Algorithm::HS256).with_kid("a").unwrap();
    let v = Verifier::new(key.verifying_key()).with_clock(|| NOW);
    let t = Issuer::new(key)
        .with_clock(|| NOW)
        .issue(&json!({}))
        .unwrap();
    v.verify::<Value>(&t).unwrap();
    let other = Issuer::new(signing(Algorithm::HS256).with_kid("b").unwrap()).with_clock(|| NOW);
    assert!(refused(&v, &other.issue(&json!({})).unwrap()).contains("unknown key id"));
    v.verify::<Value>(&hs256_issuer().issue(&json!({})).unwrap())
        .unwrap();
}

#[test]
fn verify_at_answers_was_this_token_valid_then() {
    let token = hs256_issuer().issue(&json!({})).unwrap();
    let v = verifier(Algorithm::HS256);
    v.verify_at::<Value>(&token, NOW + 3599).unwrap();
    assert!(reason(&v.verify_at::<Value>(&token, NOW + 3600).unwrap_err()).contains("expired"));
    // The system clock is far past NOW + 1 hour.
    let system = Verifier::new(signing(Algorithm::HS256).verifying_key());
    assert!(refused(&system, &token).contains("expired"));
}

// ----------------------------------------------------------------- JWKS

#[test]
fn jwks_imports_usable_keys_and_says_why_it_skipped_the_rest() {
    let import = KeySet::from_jwks(&fixture("jwks.json"), None).unwrap();
    let kids: Vec<_> = import
        .keys
        .keys()
        .map(|k| k.kid().unwrap().to_owned())
        .collect();
    assert_eq!(kids, ["rsa-1", "ec-1", "ed-1"]);
    let skipped: Vec<_> = import
        .skipped
        .iter()
        .map(|s| (s.kid.as_deref(), s.reason))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                Some("oct-1"),
                "symmetric (oct) keys are not accepted from a JWKS"
            ),
            (Some("rsa-small"), "RSA key under 2048 bits"),
            (Some("rsa-enc"), "use is not sig"),
            (Some("rsa-noalg"), "no alg"),
            (Some("ec-mismatch"), "crv does not match alg"),
            (None, "no kid"),
            (Some("rsa-encrypt-ops"), "key_ops does not include verify"),
        ]
    );
    let with_default = KeySet::from_jwks(&fixture("jwks.json"), Some(Algorithm::RS256)).unwrap();
    assert!(
        with_default
            .keys
            .keys()
            .any(|k| k.kid() == Some("rsa-noalg"))
    );
}

#[test]
fn jwks_documents_are_bounded_and_must_hold_a_usable_key() {
    for (doc, want) in [
        ("[]", "no keys array"),
        ("{}", "no keys array"),
        ("nope", "not JSON"),
        (r#"{"keys":[]}"#, "no usable"),
        (
            r#"{"keys":[{"kty":"oct","kid":"a","alg":"HS256","k":"AAAA"}]}"#,
            "no usable",
        ),
    ] {
        let err = KeySet::from_jwks(doc, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(err.to_string().contains(want), "{doc}: {err}");
    }
    let huge = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(300 * 1024));
    assert!(
        KeySet::from_jwks(&huge, None)
            .unwrap_err()
            .to_string()
            .contains("256 KiB")
    );
    let many = format!(r#"{{"keys":[{}]}}"#, vec!["{}"; 101].join(","));
    assert!(
        KeySet::from_jwks(&many, None)
            .unwrap_err()
            .to_string()
            .contains("100 keys")
    );
}

// ---------------------------------------------------------- JwtConfig

fn config(vars: &[(&str, &str)]) -> seckit::Result<JwtConfig> {
    JwtConfig::from_loader(&mut Loader::from_vars(vars.iter().copied()))
}

const B64_SECRET: &str = "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE=";

#[test]
fn config_from_env_refuses_a_missing_or_weak_secret_with_a_fix() {
    let err = config(&[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
    let text = err.to_string();
    assert!(
        text.starts_with("configuration: JWT_SECRET: not set"),
        "{text}"
    );
    assert!(text.contains("openssl rand -base64 64"), "{text}");
    for weak in [
        "secret",
        "changeme",
        "your-256-bit-secret",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "short",
    ] {
        let err = config(&[("JWT_SECRET", weak)]).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("configuration: JWT_SECRET: "), "{text}");
        if weak.len() > 6 {
            assert!(!text.contains(weak), "{text}");
        }
        assert!(text.contains("seckit secret generate"), "{text}");
    }
    // Used raw, the 44 characters are long enough; decoded, they are 32 bytes.
    config(&[("JWT_SECRET", B64_SECRET)]).unwrap();
}

#[test]
fn config_reads_every_setting_and_names_the_variable_in_errors() {
    let cfg = config(&[
        ("JWT_SECRET", B64_SECRET),
        ("JWT_SECRET_ENCODING", "base64"),
        ("JWT_ALGORITHM", "hs256"),
        ("JWT_ISSUER", "https://auth.example"),
        ("JWT_AUDIENCE", "orders"),
        ("JWT_TYP", "at+jwt"),
        ("JWT_KEY_ID", "k1"),
        ("JWT_TTL_MINUTES", "15"),
        ("JWT_LEEWAY_SECONDS", "30"),
        ("JWT_MAX_TOKEN_BYTES", "4096"),
    ])
    .unwrap();
    assert_eq!(
        cfg.to_string(),
        "alg=HS256 key=*** kid=k1 iss=https://auth.example aud=orders ttl=900s leeway=30s typ=at+jwt max_token_bytes=4096"
    );
    let report = cfg.report().unwrap().to_string();
    assert!(!report.contains(B64_SECRET), "{report}");
    assert!(report.contains("JWT_SECRET=*** (env)"), "{report}");
    let token = cfg.issuer().unwrap().issue_for("u", &json!({})).unwrap();
    let v = cfg.verifier().verify::<Value>(&token).unwrap();
    assert_eq!(v.kid.as_deref(), Some("k1"));
    assert_eq!(v.registered.exp - v.registered.iat.unwrap(), 900);

    let bad = |vars: &[(&str, &str)], var: &str| {
        let mut all = vec![
            ("JWT_SECRET", B64_SECRET),
            ("JWT_SECRET_ENCODING", "base64"),
        ];
        all.extend_from_slice(vars);
        let err = config(&all).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(
            err.to_string()
                .starts_with(&format!("configuration: {var}: ")),
            "{err}"
        );
    };
    bad(&[("JWT_TTL_MINUTES", "0")], "JWT_TTL_MINUTES");
    bad(&[("JWT_TTL_MINUTES", "1441")], "JWT_TTL_MINUTES");
    bad(&[("JWT_TTL_MINUTES", "ten")], "JWT_TTL_MINUTES");
    bad(&[("JWT_LEEWAY_SECONDS", "301")], "JWT_LEEWAY_SECONDS");
    bad(&[("JWT_MAX_TOKEN_BYTES", "0")], "JWT_MAX_TOKEN_BYTES");
    bad(&[("JWT_ALGORITHM", "none")], "JWT_ALGORITHM");
    bad(&[("JWT_SECRET_ENCODING", "rot13")], "JWT_SECRET_ENCODING");
    bad(&[("JWT_ISSUER", "")], "JWT_ISSUER");
    bad(&[("JWT_ALLOW_LONG_TTL", "maybe")], "JWT_ALLOW_LONG_TTL");
    bad(&[("JWT_ALGORITHM", "HS512")], "JWT_SECRET");
    bad(&[("JWT_ALGORITHM", "RS256")], "JWT_SECRET");
    let long = config(&[
        ("JWT_SECRET", B64_SECRET),
        ("JWT_SECRET_ENCODING", "base64"),
        ("JWT_TTL_MINUTES", "20160"),
        ("JWT_ALLOW_LONG_TTL", "true"),
    ])
    .unwrap();
    assert!(long.to_string().contains("ttl=1209600s"));
}

#[test]
fn config_with_key_files_for_asymmetric_algorithms() {
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("key.pem");
    std::fs::write(&private, fixture("ec256-private.pem")).unwrap();
    let public = dir.path().join("pub.pem");
    std::fs::write(&public, fixture("ec256-public.pem")).unwrap();
    let other = dir.path().join("other.pem");
    std::fs::write(&other, fixture("ec384-public.pem")).unwrap();
    let (p, q, o) = (
        private.to_str().unwrap(),
        public.to_str().unwrap(),
        other.to_str().unwrap(),
    );

    let both = config(&[
        ("JWT_ALGORITHM", "ES256"),
        ("JWT_PRIVATE_KEY_FILE", p),
        ("JWT_PUBLIC_KEY_FILE", q),
    ])
    .unwrap();
    let token = both.issuer().unwrap().issue(&json!({})).unwrap();
    let verify_only = config(&[("JWT_ALGORITHM", "ES256"), ("JWT_PUBLIC_KEY_FILE", q)]).unwrap();
    verify_only.verifier().verify::<Value>(&token).unwrap();
    assert!(verify_only.to_string().contains("key=public"));
    assert_eq!(
        verify_only.issuer().unwrap_err().kind(),
        ErrorKind::Configuration
    );

    let mismatch = config(&[
        ("JWT_ALGORITHM", "ES256"),
        ("JWT_PRIVATE_KEY_FILE", p),
        ("JWT_PUBLIC_KEY_FILE", o),
    ]);
    assert!(mismatch.unwrap_err().to_string().contains("JWT_PUBLIC_KEY"));
    let neither = config(&[("JWT_ALGORITHM", "ES256")]).unwrap_err();
    assert!(
        neither.to_string().contains("JWT_PRIVATE_KEY_FILE"),
        "{neither}"
    );
    let secret_too = config(&[
        ("JWT_ALGORITHM", "ES256"),
        ("JWT_PRIVATE_KEY_FILE", p),
        ("JWT_SECRET", B64_SECRET),
    ]);
    assert!(secret_too.unwrap_err().to_string().contains("not HMAC"));
    let report = both.report().unwrap().to_string();
    assert!(!report.contains("BEGIN"), "{report}");
}

// -------------------------------------------------- bearer and inspection

#[test]
fn bearer_token_is_strict() {
    assert_eq!(bearer_token("Bearer a.b.c").unwrap(), "a.b.c");
    assert_eq!(bearer_token("bearer a.b.c").unwrap(), "a.b.c");
    for bad in [
        "Bearer",
        "Bearer  a.b.c",
        "Bearer a.b.c ",
        "Token a.b.c",
        "Bearer a b",
        "Bearer\ta.b.c",
        "",
    ] {
        // A bad header is a failed authentication (RFC 6750: 401 with a
        // challenge), not a bad request.
        let err = bearer_token(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{bad:?}");
        assert_eq!(err.kind().http_status(), 401);
        let want = if bad.starts_with("Bearer ") || bad == "Bearer" {
            AuthReason::Malformed
        } else {
            AuthReason::MissingCredentials
        };
        assert_eq!(err.auth_reason(), Some(want), "{bad:?}");
    }
}

#[test]
fn inspection_is_labelled_untrusted_and_still_strict() {
    let token = hs256_issuer().issue(&json!({"role": "x"})).unwrap();
    let seen = inspect_unverified(&token).unwrap();
    assert_eq!(seen.untrusted_claims["role"], "x");
    // A forged signature is not noticed: that is what "unverified" means.
    let (input, _) = token.rsplit_once('.').unwrap();
    assert_eq!(inspect_unverified(&format!("{input}.AAAA")).unwrap(), seen);
    assert!(inspect_unverified(&"a".repeat(9000)).is_err());
    let dup = forge(r#"{"alg":"HS256","alg":"none"}"#, "{}");
    assert!(inspect_unverified(&dup).is_err());
}

/// Issue 13, item 13: the weak-secret hint works when followed literally,
/// for each of its two generators, every time (before, `seckit secret
/// generate` printed base64url that the hint's `base64` refused ~93% of the
/// time for 64 bytes, and `openssl rand -base64 64` wraps its output).
#[test]
fn the_weak_secret_hint_works_when_followed_literally() {
    use base64::engine::general_purpose::STANDARD;

    let seckit_recipe = "`seckit secret generate --bytes 64` with JWT_SECRET_ENCODING=base64url";
    let openssl_recipe = "`openssl rand -base64 64` with JWT_SECRET_ENCODING=base64";
    for vars in [
        vec![("JWT_SECRET", "changeme")],
        vec![],
        vec![("JWT_SECRET", "changeme"), ("JWT_ALGORITHM", "HS512")],
    ] {
        let err = JwtConfig::from_loader(&mut Loader::from_vars(vars)).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(seckit_recipe), "{text}");
        assert!(text.contains(openssl_recipe), "{text}");
    }

    let dir = tempfile::tempdir().unwrap();
    for round in 0..40 {
        for alg in ["HS256", "HS512"] {
            // `seckit secret generate --bytes 64` prints the library's own
            // generator's output (tests/cli.rs runs the command itself).
            let generated = seckit::random::secret(64).unwrap();
            let mut env = Loader::from_vars([
                ("JWT_ALGORITHM", alg),
                ("JWT_SECRET", generated.expose_secret().as_str()),
                ("JWT_SECRET_ENCODING", "base64url"),
            ]);
            JwtConfig::from_loader(&mut env).unwrap();

            // `openssl rand -base64 64`: 88 characters of standard base64,
            // wrapped at 64, each line ending in a newline.
            let bytes = seckit::random::secret_bytes(64).unwrap();
            let b64 = STANDARD.encode(bytes.expose_secret());
            let printed = format!("{}\n{}\n", &b64[..64], &b64[64..]);
            // JWT_SECRET_FILE=<a file holding that output> ...
            let file = dir.path().join(format!("secret-{round}-{alg}"));
            std::fs::write(&file, &printed).unwrap();
            let mut env = Loader::from_vars([
                ("JWT_ALGORITHM", alg),
                ("JWT_SECRET_FILE", file.to_str().unwrap()),
                ("JWT_SECRET_ENCODING", "base64"),
            ]);
            JwtConfig::from_loader(&mut env).unwrap();
            // ... or JWT_SECRET="$(openssl rand -base64 64)" (the shell drops
            // the last newline, not the one inside).
            let mut env = Loader::from_vars([
                ("JWT_ALGORITHM", alg),
                ("JWT_SECRET", printed.trim_end_matches('\n')),
                ("JWT_SECRET_ENCODING", "base64"),
            ]);
            JwtConfig::from_loader(&mut env).unwrap();
        }
    }
}

/// Issue 13, item 10: `b64` (RFC 7797) is refused with or without `crit`:
/// without `crit` the token is malformed and libraries disagree about what
/// it signs; with it, `crit` itself is refused.
#[test]
fn b64_header_is_refused_with_or_without_crit() {
    let v = verifier(Algorithm::HS256);
    let body = claims(json!({})).to_string();
    for (header, want) in [
        (r#"{"alg":"HS256","b64":false}"#, "b64 header"),
        (r#"{"alg":"HS256","b64":true}"#, "b64 header"),
        (r#"{"alg":"HS256","b64":"false"}"#, "b64 header"),
        (r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#, "crit"),
        (r#"{"alg":"HS256","b64":true,"crit":["b64"]}"#, "crit"),
    ] {
        // Each token's signature is valid over `header.payload` as encoded.
        let r = refused(&v, &forge(header, &body));
        assert!(r.contains(want), "{header}: {r}");
    }
    // The same body under a plain header verifies: only `b64` is refused.
    v.verify::<Value>(&forge(r#"{"alg":"HS256"}"#, &body))
        .unwrap();
}

/// Issue 13, item 11: a private key given where the public key belongs is
/// refused, naming the variable that should hold it.
#[test]
fn a_private_key_in_jwt_public_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (alg, private) in [
        ("RS256", "rsa2048-private.pem"),
        ("ES256", "ec256-private.pem"),
        ("EdDSA", "ed25519-private.pem"),
    ] {
        let pem = fixture(private);
        let file = dir.path().join(private);
        std::fs::write(&file, &pem).unwrap();
        for vars in [
            vec![("JWT_ALGORITHM", alg), ("JWT_PUBLIC_KEY", pem.as_str())],
            vec![
                ("JWT_ALGORITHM", alg),
                ("JWT_PUBLIC_KEY_FILE", file.to_str().unwrap()),
            ],
        ] {
            let err = config(&vars).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Configuration);
            assert_eq!(
                err.to_string(),
                "configuration: JWT_PUBLIC_KEY: holds a private key, not a public key (the private key belongs in JWT_PRIVATE_KEY_FILE (a file of mode 0600); JWT_PUBLIC_KEY takes the public key only)",
                "{alg}"
            );
        }
    }
    // The public key is still fine there, and its report entry is masked.
    let cfg = config(&[
        ("JWT_ALGORITHM", "EdDSA"),
        ("JWT_PUBLIC_KEY", &fixture("ed25519-public.pem")),
    ])
    .unwrap();
    assert!(
        cfg.report()
            .unwrap()
            .to_string()
            .contains("JWT_PUBLIC_KEY=*** (env)")
    );
}

/// Issue 14, item 1: every refusal carries a structured reason, so callers
/// (the CLI, a service refreshing expired tokens) branch without matching
/// message text.
#[test]
fn refusals_carry_a_structured_reason() {
    use seckit::AuthReason;

    let v = verifier(Algorithm::HS256);
    let why = |token: &str| v.verify::<Value>(token).unwrap_err().auth_reason();
    let h = r#"{"alg":"HS256"}"#;
    let exp = NOW + 60;
    let good = forge(h, &format!(r#"{{"exp":{exp}}}"#));
    let mut bad_sig = good.clone().into_bytes();
    let at = bad_sig.len() - 2;
    bad_sig[at] = if bad_sig[at] == b'A' { b'B' } else { b'A' };
    let cases = [
        ("x".repeat(9000), AuthReason::TooLarge),
        ("not.a-token".to_owned(), AuthReason::Malformed),
        (
            forge(r#"{"alg":"HS256","crit":["x"]}"#, "{}"),
            AuthReason::Malformed,
        ),
        (
            forge(r#"{"alg":"none"}"#, "{}"),
            AuthReason::AlgorithmNotAllowed,
        ),
        (
            forge(r#"{"alg":"HS384"}"#, "{}"),
            AuthReason::AlgorithmNotAllowed,
        ),
        (
            forge(r#"{"alg":"HS256","kid":"other"}"#, "{}"),
            AuthReason::UnknownKey,
        ),
        (
            String::from_utf8(bad_sig).unwrap(),
            AuthReason::BadSignature,
        ),
        (forge(h, "[]"), AuthReason::InvalidClaims),
        (forge(h, "{}"), AuthReason::InvalidClaims),
        (
            forge(h, &format!(r#"{{"exp":{}}}"#, NOW - 1)),
            AuthReason::Expired,
        ),
        (
            forge(h, &format!(r#"{{"exp":{exp},"nbf":{exp}}}"#)),
            AuthReason::NotYetValid,
        ),
        (
            forge(h, &format!(r#"{{"exp":{exp},"iss":"x"}}"#)),
            AuthReason::WrongIssuer,
        ),
        (
            forge(h, &format!(r#"{{"exp":{exp},"aud":"x"}}"#)),
            AuthReason::WrongAudience,
        ),
    ];
    for (token, want) in cases {
        assert_eq!(why(&token), Some(want), "{}", &token[..token.len().min(60)]);
    }
    v.verify::<Value>(&good).unwrap();
    #[cfg(feature = "password")]
    {
        let e = seckit::password::PasswordHasher::new()
            .dummy_verify(&"x".into())
            .unwrap_err();
        assert_eq!(e.auth_reason(), Some(AuthReason::UnknownUser));
    }
    let (key, hash) = seckit::random::ApiKey::generate("sk_test")
        .unwrap()
        .into_parts();
    let e = seckit::random::ApiKey::verify("sk_test_wrong-key-of-any-sort", &hash).unwrap_err();
    assert_eq!(e.auth_reason(), Some(AuthReason::Mismatch));
    let _ = key;
    assert_eq!(seckit::random::secret(1).unwrap_err().auth_reason(), None);
}
