//! JWT benches: seckit's issue and verify beside raw `jsonwebtoken` doing the
//! same work (same claims, a random jti, the same checks: signature, exp,
//! nbf, iss, aud), for HS256, RS256, ES256 and EdDSA. The ratio between the
//! two lines of a group is seckit's overhead, or its gain where it keeps
//! keys parsed and `jsonwebtoken` re-parses them per call.
//!
//! Run with `cargo bench --bench jwt`. Compare asymmetric signing with
//! `openssl speed -seconds 3 rsa2048 ecdsap256 ed25519` (docs/PERFORMANCE.md).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)] // bench scaffolding fails loudly

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use seckit::SecretString;
use seckit::jwt::{Algorithm, Issuer, SecretEncoding, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt/");
const ISS: &str = "https://auth.example";
const AUD: &str = "orders-api";

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{FIX}{name}")).unwrap()
}

fn der(name: &str) -> Vec<u8> {
    pem::parse(read(name)).unwrap().into_contents()
}

/// What raw jsonwebtoken must encode to match seckit's token.
#[derive(Serialize, Deserialize)]
struct Raw {
    iss: String,
    sub: String,
    aud: String,
    iat: u64,
    nbf: u64,
    exp: u64,
    jti: String,
    role: String,
}

#[derive(Serialize, Deserialize)]
struct Custom {
    role: String,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn jti() -> String {
    URL_SAFE_NO_PAD.encode(seckit::random::secret_bytes(16).unwrap().expose_secret())
}

struct Case {
    name: &'static str,
    alg: Algorithm,
    raw_alg: jsonwebtoken::Algorithm,
    signing: SigningKey,
    verifying: VerifyingKey,
    raw_enc: EncodingKey,
    raw_dec: DecodingKey,
}

fn cases() -> Vec<Case> {
    let secret = SecretString::from(read("hmac-secret.b64").trim());
    let hs = SigningKey::hmac_encoded(Algorithm::HS256, &secret, SecretEncoding::Base64).unwrap();
    let hs_bytes = seckit::jwt::decode_secret(&secret, SecretEncoding::Base64).unwrap();
    let pem = |f: &str| SecretString::from(read(f));
    let rs = SigningKey::from_pem(Algorithm::RS256, &pem("rsa2048-private.pem")).unwrap();
    let es = SigningKey::from_pem(Algorithm::ES256, &pem("ec256-private.pem")).unwrap();
    let ed = SigningKey::from_pem(Algorithm::EdDSA, &pem("ed25519-private.pem")).unwrap();
    vec![
        Case {
            name: "HS256",
            alg: Algorithm::HS256,
            raw_alg: jsonwebtoken::Algorithm::HS256,
            verifying: hs.verifying_key(),
            signing: hs,
            raw_enc: EncodingKey::from_secret(hs_bytes.expose_secret()),
            raw_dec: DecodingKey::from_secret(hs_bytes.expose_secret()),
        },
        Case {
            name: "RS256",
            alg: Algorithm::RS256,
            raw_alg: jsonwebtoken::Algorithm::RS256,
            verifying: rs.verifying_key(),
            signing: rs,
            raw_enc: EncodingKey::from_rsa_der(&der("rsa2048-private-pkcs1.pem")),
            raw_dec: DecodingKey::from_rsa_der(&der("rsa2048-public-pkcs1.pem")),
        },
        Case {
            name: "ES256",
            alg: Algorithm::ES256,
            raw_alg: jsonwebtoken::Algorithm::ES256,
            verifying: es.verifying_key(),
            signing: es,
            raw_enc: EncodingKey::from_ec_der(&der("ec256-private.pem")),
            raw_dec: DecodingKey::from_ec_der(&der("ec256-public.pem")),
        },
        Case {
            name: "EdDSA",
            alg: Algorithm::EdDSA,
            raw_alg: jsonwebtoken::Algorithm::EdDSA,
            verifying: ed.verifying_key(),
            signing: ed,
            raw_enc: EncodingKey::from_ed_der(&der("ed25519-private.pem")),
            // jsonwebtoken wants the raw 32-byte key: the SPKI DER minus its 12-byte prefix.
            raw_dec: DecodingKey::from_ed_der(&der("ed25519-public.pem")[12..]),
        },
    ]
}

fn jwt(c: &mut Criterion) {
    for case in cases() {
        let issuer = Issuer::new(case.signing.clone())
            .with_issuer(ISS)
            .unwrap()
            .with_audience(AUD)
            .unwrap();
        let verifier = Verifier::new(case.verifying.clone())
            .with_issuer(ISS)
            .unwrap()
            .with_audience(AUD)
            .unwrap();
        let header = Header::new(case.raw_alg);
        let raw_claims = || {
            let t = now();
            Raw {
                iss: ISS.into(),
                sub: "user-42".into(),
                aud: AUD.into(),
                iat: t,
                nbf: t,
                exp: t + 3600,
                jti: jti(),
                role: "admin".into(),
            }
        };
        let mut validation = Validation::new(case.raw_alg);
        validation.set_issuer(&[ISS]);
        validation.set_audience(&[AUD]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = 0;

        let custom = Custom {
            role: "admin".into(),
        };
        let token = issuer.issue_for("user-42", &custom).unwrap();
        let raw_token = jsonwebtoken::encode(&header, &raw_claims(), &case.raw_enc).unwrap();
        // Each verifies the other's token: the work really is the same.
        verifier.verify::<Custom>(&raw_token).unwrap();
        jsonwebtoken::decode::<Raw>(&token, &case.raw_dec, &validation).unwrap();
        assert_eq!(case.alg.as_str(), format!("{:?}", case.raw_alg));

        let mut g = c.benchmark_group(format!("jwt_issue_{}", case.name));
        g.bench_function("seckit", |b| {
            b.iter(|| {
                issuer
                    .issue_for(black_box("user-42"), black_box(&custom))
                    .unwrap()
            })
        });
        g.bench_function("raw_jsonwebtoken", |b| {
            b.iter(|| {
                jsonwebtoken::encode(&header, black_box(&raw_claims()), &case.raw_enc).unwrap()
            })
        });
        g.finish();

        let mut g = c.benchmark_group(format!("jwt_verify_{}", case.name));
        g.bench_function("seckit", |b| {
            b.iter(|| verifier.verify::<Custom>(black_box(&token)).unwrap())
        });
        g.bench_function("raw_jsonwebtoken", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Raw>(black_box(&token), &case.raw_dec, &validation).unwrap()
            })
        });
        g.finish();
    }
}

fn secret_check(c: &mut Criterion) {
    let secret = seckit::random::secret_bytes(64).unwrap();
    c.bench_function("jwt_check_hmac_secret_64B", |b| {
        b.iter(|| {
            seckit::jwt::check_hmac_secret(black_box(secret.expose_secret()), Algorithm::HS256)
                .unwrap()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(50);
    targets = jwt, secret_check
}
criterion_main!(benches);
