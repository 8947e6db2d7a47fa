//! Signing and verifying keys, parsed once into aws-lc-rs types.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
};
use aws_lc_rs::{hmac, rsa};
use zeroize::Zeroize;

use super::secret_check::{self, SecretEncoding};
use super::{Algorithm, MAX_KID_LEN};
use crate::{Error, Result, Secret, SecretBytes, SecretString};

/// The smallest RSA modulus accepted, in bits.
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// A key that signs tokens for exactly one [`Algorithm`], optionally with a
/// key id (`kid`) written into every token's header.
///
/// Built once at startup; cloning is cheap (the parsed key is shared) and the
/// key is `Send + Sync`. Private key material lives in aws-lc-rs, which
/// wipes it when the last clone is dropped; seckit wipes its own copies of
/// the PEM and secret bytes. `Debug` shows the algorithm and `kid` only.
///
/// # Example
///
/// ```
/// use seckit::jwt::{Algorithm, SigningKey};
///
/// // A PEM private key, e.g. from JWT_PRIVATE_KEY_FILE via seckit::config::Loader.
/// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/jwt/ec256-private.pem"));
/// let key = SigningKey::from_pem(Algorithm::ES256, &pem)?.with_kid("2026-11")?;
/// assert_eq!(format!("{key:?}"), r#"SigningKey { alg: ES256, kid: Some("2026-11"), .. }"#);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    alg: Algorithm,
    kid: Option<String>,
    inner: Arc<SignInner>,
}

// Lives behind an Arc and is built once: variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum SignInner {
    Hmac(hmac::Key),
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A key that verifies tokens for exactly one [`Algorithm`]: an HMAC secret
/// or a public key. Parsed and checked when built; cheap to clone.
///
/// # Example
///
/// ```
/// use seckit::jwt::{Algorithm, VerifyingKey};
///
/// let pem = include_str!("../../tests/fixtures/jwt/rsa2048-public.pem");
/// let key = VerifyingKey::from_pem(Algorithm::RS256, pem)?;
/// assert_eq!(key.algorithm(), Algorithm::RS256);
///
/// // The same PEM as an HMAC secret (the classic algorithm-confusion attack) is refused:
/// assert!(VerifyingKey::hmac(Algorithm::HS256, &pem.as_bytes().into()).is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    alg: Algorithm,
    kid: Option<String>,
    inner: Arc<VerifyInner>,
}

#[allow(clippy::large_enum_variant)]
enum VerifyInner {
    Hmac(hmac::Key),
    Public(ParsedPublicKey),
    /// Verifies nothing: see [`public`].
    Unusable,
}

impl SigningKey {
    /// An HMAC key from raw secret bytes, checked by
    /// [`check_hmac_secret`](super::check_hmac_secret).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when `alg` is not HMAC
    /// or the secret is weak.
    pub fn hmac(alg: Algorithm, secret: &SecretBytes) -> Result<Self> {
        Self::hmac_named(alg, secret, "jwt.secret")
    }

    /// An HMAC key from a secret given as text in an explicit encoding.
    ///
    /// # Errors
    ///
    /// As [`SigningKey::hmac`], and when the text does not decode.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::SecretString;
    /// use seckit::jwt::{Algorithm, SecretEncoding, SigningKey};
    ///
    /// let text = SecretString::from("q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE="); // 32 random bytes
    /// let key = SigningKey::hmac_encoded(Algorithm::HS256, &text, SecretEncoding::Base64)?;
    /// let weak = SigningKey::hmac_encoded(Algorithm::HS256, &"changeme".into(), SecretEncoding::Raw);
    /// assert_eq!(weak.unwrap_err().kind(), seckit::ErrorKind::Configuration);
    /// # let _ = key;
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn hmac_encoded(
        alg: Algorithm,
        text: &SecretString,
        encoding: SecretEncoding,
    ) -> Result<Self> {
        let secret = secret_check::decode_named(text, encoding, "jwt.secret")?;
        Self::hmac(alg, &secret)
    }

    pub(crate) fn hmac_named(alg: Algorithm, secret: &SecretBytes, setting: &str) -> Result<Self> {
        secret_check::check_named(secret.expose_secret(), alg, setting)?;
        let key = hmac::Key::new(hmac_algorithm(alg)?, secret.expose_secret());
        Ok(Self {
            alg,
            kid: None,
            inner: Arc::new(SignInner::Hmac(key)),
        })
    }

    /// A private key from PEM: PKCS#8 (`PRIVATE KEY`) for every algorithm,
    /// PKCS#1 (`RSA PRIVATE KEY`) for RSA, SEC1 (`EC PRIVATE KEY`) for ECDSA.
    /// CRLF line endings are fine.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when `alg` is HMAC,
    /// the PEM is malformed, encrypted or of another key type, the key does
    /// not fit `alg` (wrong curve, RSA under 2048 bits) or is invalid.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::SecretString;
    /// use seckit::jwt::{Algorithm, SigningKey};
    ///
    /// let pem = SecretString::from(include_str!("../../tests/fixtures/jwt/ec256-private.pem"));
    /// let key = SigningKey::from_pem(Algorithm::ES256, &pem)?.with_kid("ec-2026")?;
    /// assert_eq!(key.kid(), Some("ec-2026"));
    /// // A key is for one algorithm: the same PEM is refused for RS256.
    /// assert!(SigningKey::from_pem(Algorithm::RS256, &pem).is_err());
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn from_pem<T>(alg: Algorithm, pem: &Secret<T>) -> Result<Self>
    where
        T: AsRef<[u8]> + Zeroize,
    {
        Self::from_pem_named(alg, pem.expose_secret().as_ref(), "jwt.private_key")
    }

    pub(crate) fn from_pem_named(alg: Algorithm, pem: &[u8], setting: &str) -> Result<Self> {
        let bad = |reason| Error::configuration(setting.to_owned(), reason);
        if alg.is_hmac() {
            return Err(bad("is a private key but the algorithm is HMAC"));
        }
        let (tag, der) = crate::pem_util::read(pem, setting)?;
        let inner = match (tag.as_str(), alg) {
            ("ENCRYPTED PRIVATE KEY", _) => {
                return Err(bad("is an encrypted private key").with_hint(
                    "decrypt it first: openssl pkcs8 -in key.pem -out plain.pem (keep the output mode 0600)",
                ));
            }
            ("PRIVATE KEY", a) if a.is_rsa() => rsa_pair(RsaKeyPair::from_pkcs8(&der), setting)?,
            ("RSA PRIVATE KEY", a) if a.is_rsa() => rsa_pair(RsaKeyPair::from_der(&der), setting)?,
            ("PRIVATE KEY" | "EC PRIVATE KEY", Algorithm::ES256 | Algorithm::ES384) => {
                SignInner::Ecdsa(
                    EcdsaKeyPair::from_private_key_der(ecdsa_signing(alg), &der)
                        .map_err(|_| bad("is not a private key for this algorithm's curve"))?,
                )
            }
            ("PRIVATE KEY", Algorithm::EdDSA) => SignInner::Ed25519(
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
                    .map_err(|_| bad("is not an Ed25519 private key"))?,
            ),
            ("PUBLIC KEY" | "RSA PUBLIC KEY", _) => {
                return Err(bad("is a public key; signing needs the private key"));
            }
            _ => return Err(bad("is not a private key of the algorithm's type")),
        };
        Ok(Self {
            alg,
            kid: None,
            inner: Arc::new(inner),
        })
    }

    /// Sets the key id written into each token's `kid` header.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) unless the id is
    /// 1 to 256 bytes of printable ASCII.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Result<Self> {
        self.kid = Some(checked_kid(kid.into())?);
        Ok(self)
    }

    /// The algorithm this key signs with.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if set.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The matching verifying key (the public half, or the same HMAC
    /// secret), with the same algorithm and `kid`.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        let inner = match &*self.inner {
            SignInner::Hmac(key) => VerifyInner::Hmac(key.clone()),
            SignInner::Rsa(pair) => public(verify_algorithm(self.alg), pair.public_key().as_ref()),
            SignInner::Ecdsa(pair) => {
                public(verify_algorithm(self.alg), pair.public_key().as_ref())
            }
            SignInner::Ed25519(pair) => {
                public(verify_algorithm(self.alg), pair.public_key().as_ref())
            }
        };
        VerifyingKey {
            alg: self.alg,
            kid: self.kid.clone(),
            inner: Arc::new(inner),
        }
    }

    /// The public key as SubjectPublicKeyInfo DER, or `None` for HMAC keys.
    pub(crate) fn public_der(&self) -> Option<Vec<u8>> {
        self.verifying_key().public_der()
    }

    /// Signs `message` (the JWS signing input), returning the raw signature.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let failed = || Error::Crypto {
            context: "jwt signing failed",
        };
        match &*self.inner {
            SignInner::Hmac(key) => Ok(hmac::sign(key, message).as_ref().to_vec()),
            SignInner::Rsa(pair) => {
                let mut sig = vec![0; pair.public_modulus_len()];
                pair.sign(
                    rsa_padding(self.alg),
                    &SystemRandom::new(),
                    message,
                    &mut sig,
                )
                .map_err(|_| failed())?;
                Ok(sig)
            }
            SignInner::Ecdsa(pair) => Ok(pair
                .sign(&SystemRandom::new(), message)
                .map_err(|_| failed())?
                .as_ref()
                .to_vec()),
            SignInner::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}

/// The parsed public half of a key pair aws-lc-rs already validated. A
/// failure here would be a bug; it fails closed (a key that verifies
/// nothing) rather than panicking.
fn public(alg: &'static dyn signature::VerificationAlgorithm, bytes: &[u8]) -> VerifyInner {
    ParsedPublicKey::new(alg, bytes).map_or(VerifyInner::Unusable, VerifyInner::Public)
}

impl VerifyingKey {
    /// An HMAC verifying key from raw secret bytes, checked exactly like
    /// [`SigningKey::hmac`].
    ///
    /// # Errors
    ///
    /// As [`SigningKey::hmac`].
    pub fn hmac(alg: Algorithm, secret: &SecretBytes) -> Result<Self> {
        Ok(SigningKey::hmac(alg, secret)?.verifying_key())
    }

    /// An HMAC verifying key from text in an explicit encoding.
    ///
    /// # Errors
    ///
    /// As [`SigningKey::hmac_encoded`].
    pub fn hmac_encoded(
        alg: Algorithm,
        text: &SecretString,
        encoding: SecretEncoding,
    ) -> Result<Self> {
        Ok(SigningKey::hmac_encoded(alg, text, encoding)?.verifying_key())
    }

    /// A public key from PEM: SubjectPublicKeyInfo (`PUBLIC KEY`) for every
    /// algorithm, PKCS#1 (`RSA PUBLIC KEY`) for RSA.
    ///
    /// A private key PEM is refused: a private key does not belong in a
    /// verifier's configuration (here it would sit in an unwiped buffer, and
    /// config loaders do not warn about its file mode). Load it with
    /// [`SigningKey::from_pem`] and take [`SigningKey::verifying_key`], or
    /// give the public key.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when `alg` is HMAC,
    /// the PEM is malformed, a private key or of another type, the key does
    /// not fit `alg`, or an RSA modulus is under 2048 bits.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::jwt::{Algorithm, Verifier, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/fixtures/jwt/rsa2048-public.pem");
    /// let key = VerifyingKey::from_pem(Algorithm::RS256, pem)?;
    /// let verifier = Verifier::new(key).with_issuer("https://auth.example")?;
    /// # let _ = verifier;
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self> {
        Self::from_pem_named(alg, pem.as_ref(), "jwt.public_key")
    }

    pub(crate) fn from_pem_named(alg: Algorithm, pem: &[u8], setting: &str) -> Result<Self> {
        let bad = |reason| Error::configuration(setting.to_owned(), reason);
        if alg.is_hmac() {
            return Err(bad("is a public key but the algorithm is HMAC"));
        }
        let (tag, der) = crate::pem_util::read(pem, setting)?;
        match tag.as_str() {
            "PUBLIC KEY" | "RSA PUBLIC KEY" => Self::from_public_der(alg, &der, setting),
            label if label.ends_with("PRIVATE KEY") => Err(bad(
                "holds a private key, not a public key",
            )
            .with_hint(
                "give the public key (openssl pkey -pubout); to sign, load the private key with SigningKey::from_pem",
            )),
            _ => Err(bad("is not a public key")),
        }
    }

    /// From public key bytes in any form aws-lc-rs parses for `alg`:
    /// SubjectPublicKeyInfo DER, PKCS#1 `RSAPublicKey` DER, an uncompressed
    /// SEC1 EC point, or a raw 32-byte Ed25519 key.
    pub(crate) fn from_public_der(alg: Algorithm, der: &[u8], setting: &str) -> Result<Self> {
        let bad = |reason| Error::configuration(setting.to_owned(), reason);
        if alg.is_rsa() {
            let key =
                rsa::PublicKey::from_der(der).map_err(|_| bad("is not a valid RSA public key"))?;
            let n = rsa::PublicKeyComponents::<Vec<u8>>::from(&key).n;
            if modulus_bits(&n) < MIN_RSA_BITS {
                return Err(bad("is an RSA key under 2048 bits"));
            }
        }
        let parsed = ParsedPublicKey::new(verify_algorithm(alg), der)
            .map_err(|_| bad("is not a valid public key for this algorithm"))?;
        Ok(Self {
            alg,
            kid: None,
            inner: Arc::new(VerifyInner::Public(parsed)),
        })
    }

    /// Sets the key id this key answers to.
    ///
    /// # Errors
    ///
    /// As [`SigningKey::with_kid`].
    pub fn with_kid(mut self, kid: impl Into<String>) -> Result<Self> {
        self.kid = Some(checked_kid(kid.into())?);
        Ok(self)
    }

    /// The only algorithm this key verifies.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if set.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Whether this is an HMAC key.
    #[must_use]
    pub const fn is_hmac(&self) -> bool {
        self.alg.is_hmac()
    }

    pub(crate) fn public_der(&self) -> Option<Vec<u8>> {
        match &*self.inner {
            VerifyInner::Hmac(_) | VerifyInner::Unusable => None,
            VerifyInner::Public(p) => {
                use aws_lc_rs::encoding::AsDer as _;
                let der: Result<aws_lc_rs::encoding::PublicKeyX509Der<'_>, _> = p.as_der();
                der.ok().map(|d| d.as_ref().to_vec())
            }
        }
    }

    /// Constant-time signature check of `message` (the JWS signing input).
    pub(crate) fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match &*self.inner {
            VerifyInner::Hmac(key) => hmac::verify(key, message, sig).is_ok(),
            VerifyInner::Public(key) => key.verify_sig(message, sig).is_ok(),
            VerifyInner::Unusable => false,
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn checked_kid(kid: String) -> Result<String> {
    if kid.is_empty()
        || kid.len() > MAX_KID_LEN
        || !kid.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    {
        return Err(Error::configuration(
            "jwt.kid",
            "must be 1 to 256 printable ASCII bytes",
        ));
    }
    Ok(kid)
}

fn rsa_pair(
    pair: std::result::Result<RsaKeyPair, aws_lc_rs::error::KeyRejected>,
    setting: &str,
) -> Result<SignInner> {
    let bad = |reason| Error::configuration(setting.to_owned(), reason);
    let pair = pair.map_err(|e| {
        if e.description_() == "TooSmall" {
            bad("is an RSA key under 2048 bits")
        } else {
            bad("is not a valid RSA private key")
        }
    })?;
    if pair.public_modulus_len().saturating_mul(8) < MIN_RSA_BITS {
        return Err(bad("is an RSA key under 2048 bits"));
    }
    Ok(SignInner::Rsa(pair))
}

pub(crate) fn modulus_bits(n: &[u8]) -> usize {
    let n = n
        .iter()
        .position(|&b| b != 0)
        .and_then(|i| n.get(i..))
        .unwrap_or(&[]);
    let Some(&first) = n.first() else { return 0 };
    let leading = usize::try_from(first.leading_zeros()).unwrap_or(8);
    n.len().saturating_mul(8).saturating_sub(leading)
}

fn hmac_algorithm(alg: Algorithm) -> Result<hmac::Algorithm> {
    match alg {
        Algorithm::HS256 => Ok(hmac::HMAC_SHA256),
        Algorithm::HS384 => Ok(hmac::HMAC_SHA384),
        Algorithm::HS512 => Ok(hmac::HMAC_SHA512),
        _ => Err(Error::configuration(
            "jwt.algorithm",
            "is not an HMAC algorithm",
        )),
    }
}

fn ecdsa_signing(alg: Algorithm) -> &'static signature::EcdsaSigningAlgorithm {
    if alg == Algorithm::ES384 {
        &signature::ECDSA_P384_SHA384_FIXED_SIGNING
    } else {
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING
    }
}

fn rsa_padding(alg: Algorithm) -> &'static dyn signature::RsaEncoding {
    match alg {
        Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_SHA512,
        _ => &signature::RSA_PKCS1_SHA256,
    }
}

/// Only called for asymmetric algorithms; HMAC never reaches it.
fn verify_algorithm(alg: Algorithm) -> &'static dyn signature::VerificationAlgorithm {
    match alg {
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
        Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
        Algorithm::EdDSA => &signature::ED25519,
        _ => &signature::RSA_PKCS1_2048_8192_SHA256,
    }
}

/// Verifying keys for tokens from one or more issuers' keys, selected by the
/// token's `kid` header.
///
/// A token with a `kid` is checked only against the key with that id (an
/// unknown id is refused); a token without one is checked only against the
/// key added with [`KeySet::add_default`], if any. The algorithm is always
/// the selected key's.
///
/// # Example
///
/// ```
/// use seckit::jwt::{Algorithm, KeySet, SigningKey};
///
/// let secret = seckit::random::secret_bytes(32)?;
/// let old = SigningKey::hmac(Algorithm::HS256, &secret)?.with_kid("2026-10")?;
/// let new = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?.with_kid("2026-11")?;
/// let mut keys = KeySet::new();
/// keys.add(old.verifying_key())?;
/// keys.add(new.verifying_key())?;
/// assert_eq!(keys.len(), 2);
/// assert!(keys.add(new.verifying_key()).is_err()); // duplicate kid
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
    default: Option<usize>,
}

/// At most this many keys in a [`KeySet`].
pub(crate) const MAX_KEYS: usize = 100;

impl KeySet {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key selected by its `kid`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when the key has no
    /// `kid`, its `kid` is already in the set, or the set holds 100 keys.
    pub fn add(&mut self, key: VerifyingKey) -> Result<()> {
        let Some(kid) = key.kid() else {
            return Err(
                Error::configuration("jwt.kid", "is required for a key in a key set").with_hint(
                    "use add_default for the one key that tokens without a kid are checked against",
                ),
            );
        };
        if self.keys.iter().any(|k| k.kid() == Some(kid)) {
            return Err(Error::configuration("jwt.kid", "is already in the key set"));
        }
        self.push(key).map(|_| ())
    }

    /// Adds the key that tokens without a `kid` are checked against. It may
    /// also have a `kid`, then tokens naming it select it too.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when a default is
    /// already set, the `kid` is taken, or the set is full.
    pub fn add_default(&mut self, key: VerifyingKey) -> Result<()> {
        if self.default.is_some() {
            return Err(Error::configuration(
                "jwt.keys",
                "already has a default key",
            ));
        }
        if let Some(kid) = key.kid()
            && self.keys.iter().any(|k| k.kid() == Some(kid))
        {
            return Err(Error::configuration("jwt.kid", "is already in the key set"));
        }
        self.default = Some(self.push(key)?);
        Ok(())
    }

    fn push(&mut self, key: VerifyingKey) -> Result<usize> {
        if self.keys.len() >= MAX_KEYS {
            return Err(Error::configuration("jwt.keys", "holds more than 100 keys"));
        }
        self.keys.push(key);
        Ok(self.keys.len().saturating_sub(1))
    }

    /// The number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys, in the order added.
    #[must_use]
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &VerifyingKey> {
        self.keys.iter()
    }

    /// The key a token's `kid` selects, or the default key when it has none.
    pub(crate) fn select(
        &self,
        kid: Option<&str>,
    ) -> std::result::Result<&VerifyingKey, &'static str> {
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .find(|k| k.kid() == Some(kid))
                .ok_or("unknown key id"),
            None => self
                .default
                .and_then(|i| self.keys.get(i))
                .ok_or("token has no key id and no default key is configured"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulus_bits_ignores_leading_zeros() {
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x01, 0]), 9);
        assert_eq!(modulus_bits(&[0, 0]), 0);
    }

    #[test]
    fn kid_must_be_printable_ascii() {
        assert!(checked_kid(String::new()).is_err());
        assert!(checked_kid("a\nb".into()).is_err());
        assert!(checked_kid("x".repeat(257)).is_err());
        assert_eq!(checked_kid("2026-11 key".into()).unwrap(), "2026-11 key");
    }
}
