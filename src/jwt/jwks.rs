//! Key sets from a JWKS document (RFC 7517) the application fetched itself.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, KeyOperations, PublicKeyUse,
};
use serde_json::Value;

use super::keys::{MAX_KEYS, MIN_RSA_BITS, modulus_bits};
use super::{Algorithm, KeySet, VerifyingKey};
use crate::{Error, Result};

/// The largest JWKS document read, in bytes.
pub(crate) const MAX_JWKS_LEN: usize = 256 * 1024;

/// The result of [`KeySet::from_jwks`]: the usable keys, and every key that
/// was left out with the reason (log these; a provider's new key type should
/// be noticed, not silently trusted or silently lost).
///
/// # Example
///
/// ```
/// use seckit::jwt::KeySet;
///
/// let jwks = include_str!("../../tests/fixtures/jwt/jwks.json");
/// let import = KeySet::from_jwks(jwks, None)?;
/// assert!(!import.keys.is_empty());
/// for skipped in &import.skipped {
///     eprintln!("jwks: skipped {:?}: {}", skipped.kid, skipped.reason);
/// }
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JwksImport {
    /// The usable keys, each selected by its `kid`.
    pub keys: KeySet,
    /// The keys left out.
    pub skipped: Vec<SkippedKey>,
}

/// A JWKS entry that was not imported.
///
/// # Example
///
/// ```
/// use seckit::jwt::KeySet;
///
/// let jwks = r#"{"keys": [
///     {"kty": "oct", "kid": "shared", "alg": "HS256", "k": "c2VjcmV0"},
///     {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "alg": "EdDSA",
///      "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
/// ]}"#;
/// let import = KeySet::from_jwks(jwks, None)?;
/// assert_eq!(import.keys.len(), 1);
/// assert_eq!(import.skipped[0].kid.as_deref(), Some("shared"));
/// assert_eq!(import.skipped[0].reason, "symmetric (oct) keys are not accepted from a JWKS");
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedKey {
    /// Its `kid`, if it had a usable one.
    pub kid: Option<String>,
    /// Why it was left out.
    pub reason: &'static str,
}

impl KeySet {
    /// Builds a key set from a JWKS document (`{"keys": [...]}`) that your
    /// application fetched from its identity provider (seckit has no HTTP
    /// client, on purpose: fetching, caching and refresh policy are yours).
    ///
    /// A key is imported only when it has a `kid`, an `alg` seckit supports
    /// that fits its `kty`/`crv`, `use` absent or `sig`, `key_ops` absent or
    /// containing `verify`, and valid key material (RSA ≥ 2048 bits).
    /// Symmetric (`oct`) keys are never imported from a JWKS. Everything
    /// else is skipped with a reason. `missing_alg` is assumed for keys that
    /// have no `alg` (some providers omit it; pass `None` to skip them).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when the document is
    /// over 256 KiB, is not a JSON object with a `keys` array, holds more
    /// than 100 keys, or no key is usable.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::jwt::{KeySet, Verifier};
    ///
    /// let jwks = include_str!("../../tests/fixtures/jwt/jwks.json"); // fetched by your app
    /// let import = KeySet::from_jwks(jwks, None)?;
    /// for skipped in &import.skipped {
    ///     println!("jwks: skipped {:?}: {}", skipped.kid, skipped.reason);
    /// }
    /// let verifier = Verifier::with_keys(import.keys).with_issuer("https://idp.example")?;
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn from_jwks(json: &str, missing_alg: Option<Algorithm>) -> Result<JwksImport> {
        let bad = |reason| Error::configuration("jwt.jwks", reason);
        if json.len() > MAX_JWKS_LEN {
            return Err(bad("is larger than 256 KiB"));
        }
        let doc: Value = serde_json::from_str(json).map_err(|_| bad("is not JSON"))?;
        let Some(Value::Array(entries)) = doc.get("keys") else {
            return Err(bad("has no keys array"));
        };
        if entries.len() > MAX_KEYS {
            return Err(bad("holds more than 100 keys"));
        }
        let mut keys = KeySet::new();
        let mut skipped = Vec::new();
        for entry in entries {
            let kid = entry.get("kid").and_then(Value::as_str).map(str::to_owned);
            let outcome = import(entry, missing_alg)
                .and_then(|key| keys.add(key).map_err(|_| "duplicate or invalid kid"));
            if let Err(reason) = outcome {
                skipped.push(SkippedKey { kid, reason });
            }
        }
        if keys.is_empty() {
            return Err(bad("has no usable signing key"));
        }
        Ok(JwksImport { keys, skipped })
    }
}

fn import(
    entry: &Value,
    missing_alg: Option<Algorithm>,
) -> std::result::Result<VerifyingKey, &'static str> {
    let jwk: Jwk =
        serde_json::from_value(entry.clone()).map_err(|_| "malformed or unsupported JWK")?;
    let kid = jwk.common.key_id.clone().ok_or("no kid")?;
    match &jwk.common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(_) => return Err("use is not sig"),
    }
    if let Some(ops) = &jwk.common.key_operations
        && !ops.contains(&KeyOperations::Verify)
    {
        return Err("key_ops does not include verify");
    }
    // Before the alg: an oct key with `alg: HS256` is refused for what it
    // is, not as an unsupported algorithm.
    if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
        return Err("symmetric (oct) keys are not accepted from a JWKS");
    }
    let alg = match jwk.common.key_algorithm {
        None => missing_alg.ok_or("no alg")?,
        Some(a) => alg_of(a).ok_or("unsupported alg")?,
    };
    let material = match (&jwk.algorithm, alg) {
        (AlgorithmParameters::RSA(p), a) if a.is_rsa() => {
            let n = b64(&p.n)?;
            let e = b64(&p.e)?;
            if modulus_bits(&n) < MIN_RSA_BITS {
                return Err("RSA key under 2048 bits");
            }
            use aws_lc_rs::encoding::AsDer as _;
            let components = aws_lc_rs::rsa::PublicKeyComponents {
                n: n.as_slice(),
                e: e.as_slice(),
            };
            let der: aws_lc_rs::encoding::PublicKeyX509Der<'static> =
                components.as_der().map_err(|_| "invalid RSA key")?;
            der.as_ref().to_vec()
        }
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256 | Algorithm::ES384) => {
            let (curve, len) = if alg == Algorithm::ES256 {
                (EllipticCurve::P256, 32)
            } else {
                (EllipticCurve::P384, 48)
            };
            if p.curve != curve {
                return Err("crv does not match alg");
            }
            let (x, y) = (b64(&p.x)?, b64(&p.y)?);
            if x.len() != len || y.len() != len {
                return Err("invalid EC coordinates");
            }
            let mut point = Vec::with_capacity(len.saturating_mul(2).saturating_add(1));
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            point
        }
        (AlgorithmParameters::OctetKeyPair(p), Algorithm::EdDSA) => {
            if p.curve != EllipticCurve::Ed25519 {
                return Err("crv does not match alg");
            }
            b64(&p.x)?
        }
        _ => return Err("kty does not match alg"),
    };
    VerifyingKey::from_public_der(alg, &material, "jwt.jwks")
        .map_err(|_| "invalid key material")?
        .with_kid(kid)
        .map_err(|_| "kid is not 1 to 256 printable ASCII bytes")
}

fn b64(s: &str) -> std::result::Result<Vec<u8>, &'static str> {
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| "key material is not base64url")
}

fn alg_of(a: KeyAlgorithm) -> Option<Algorithm> {
    Some(match a {
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        // HMAC keys never come from a JWKS; encryption algs are not signatures.
        _ => return None,
    })
}
