//! RSA key pairs for envelopes: generation, import, export, key ids.
//!
//! Key *formats* are handled here, backend-free, with the RustCrypto DER
//! crates (`pkcs1`, `pkcs8`, `spki`: parsing and encoding, no arithmetic):
//! every import becomes canonical DER (PKCS#8 with rsaEncryption and NULL
//! parameters for private keys, SubjectPublicKeyInfo for public ones), the
//! size and exponent rules are checked, and the selected backend parses the
//! canonical DER once into its own key type.

use std::fmt;

use pkcs8::der::asn1::{AnyRef, BitStringRef, OctetStringRef, UintRef};
use pkcs8::der::{Decode as _, Encode as _};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use super::backend::{Backend, Selected};
use crate::{Error, Result, SecretBytes, SecretString};

/// The smallest modulus accepted on import (for interoperability), in bits.
pub const MIN_IMPORT_BITS: usize = 2048;
/// The largest modulus accepted, in bits: bigger keys make every open slow
/// enough to be a denial of service.
pub const MAX_BITS: usize = 8192;
/// The default size of generated keys, in bits.
pub const DEFAULT_BITS: usize = 4096;

/// A key id: the SHA-256 of the public key's SubjectPublicKeyInfo DER. The
/// envelope format stores all 32 bytes. Displays as lowercase hex.
///
/// # Example
///
/// ```
/// use seckit::envelope::PublicKey;
///
/// let key = PublicKey::from_pem(include_str!("../../tests/fixtures/envelope/rsa3072-public.pem"))?;
/// let id = key.key_id();
/// assert_eq!(id.to_string().len(), 64); // lowercase hex, for logs and key inventories
/// assert_eq!(id, PublicKey::from_der(&key.to_der()?)?.key_id()); // same key, same id
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 32]);

impl KeyId {
    /// The 32 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub(crate) const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        let hex = base16ct::lower::encode_str(&self.0, &mut buf).map_err(|_| fmt::Error)?;
        f.write_str(hex)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// An RSA public key that envelopes are sealed to: 2048 to 8192 bits, an
/// odd public exponent from 3 to 2^33 − 1.
///
/// # Example
///
/// ```
/// use seckit::envelope::PublicKey;
///
/// let pem = include_str!("../../tests/fixtures/envelope/rsa3072-public.pem");
/// let key = PublicKey::from_pem(pem)?;
/// assert_eq!(key.bits(), 3072);
/// assert_eq!(key.key_id().to_string().len(), 64);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone)]
pub struct PublicKey {
    /// Canonical SubjectPublicKeyInfo DER.
    spki: Vec<u8>,
    bits: usize,
    id: KeyId,
    inner: <Selected as Backend>::PublicKey,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki == other.spki
    }
}

impl Eq for PublicKey {}

/// An RSA private key that opens envelopes. Its material is held by the
/// backend (aws-lc-rs clears the memory it frees; `rsa` zeroizes on drop),
/// and `Debug` shows only the size and key id.
///
/// # Example
///
/// ```
/// use seckit::envelope::PrivateKey;
///
/// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
/// let key = PrivateKey::from_pem(&pem, None)?;
/// assert_eq!(format!("{key:?}"), format!("PrivateKey {{ bits: 3072, id: {} }}", key.key_id()));
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone)]
pub struct PrivateKey {
    inner: <Selected as Backend>::PrivateKey,
    public: PublicKey,
}

const PRIVATE: &str = "envelope.private_key";
const PUBLIC: &str = "envelope.public_key";

/// rsaEncryption (RFC 8017 A.1): the only algorithm identifier accepted.
/// id-RSASSA-PSS keys are restricted to signatures and must not decrypt.
const RSA_ENCRYPTION: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn require_rsa_encryption(oid: pkcs8::ObjectIdentifier, setting: &str) -> Result<()> {
    if oid == RSA_ENCRYPTION {
        Ok(())
    } else {
        Err(Error::configuration(
            setting.to_owned(),
            "is not an rsaEncryption key (RSA-PSS-restricted and non-RSA keys are refused)",
        ))
    }
}

/// rsaEncryption with NULL parameters, as canonical encodings carry it.
const RSA_ALGORITHM: pkcs8::AlgorithmIdentifierRef<'static> = pkcs8::AlgorithmIdentifierRef {
    oid: RSA_ENCRYPTION,
    parameters: Some(AnyRef::NULL),
};

/// The most PBKDF2 work an encrypted key file may ask for (about ten seconds
/// here; OpenSSL writes 2048 iterations, OWASP advises 600,000).
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// The most scrypt memory (128 · N · r bytes) an encrypted key file may ask
/// for. OpenSSL and `to_pem` write N = 2^14, r = 8: 16 MiB.
const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;
/// The most scrypt lanes (p) an encrypted key file may ask for.
const MAX_SCRYPT_LANES: u16 = 16;

/// Checks the key-derivation parameters an encrypted PKCS#8 file names for
/// itself, before any of that work runs: a crafted file could otherwise ask
/// for hours of PBKDF2, terabytes of scrypt memory, or (scrypt N = 0) make
/// the `pkcs5` crate panic.
fn check_kdf(scheme: &pkcs8::pkcs5::EncryptionScheme) -> Result<()> {
    use pkcs8::pkcs5::{EncryptionScheme, pbes2::Kdf};
    let bad = |reason| Error::configuration(PRIVATE, reason);
    let EncryptionScheme::Pbes2(params) = scheme else {
        return Err(bad("is encrypted with PBES1 (re-encrypt it with PBES2)"));
    };
    match &params.kdf {
        Kdf::Pbkdf2(p) if (1..=MAX_PBKDF2_ITERATIONS).contains(&p.iteration_count) => Ok(()),
        Kdf::Pbkdf2(_) => Err(bad(
            "asks for a PBKDF2 iteration count outside 1 to 10,000,000",
        )),
        Kdf::Scrypt(s) => {
            let n = s.cost_parameter;
            let memory = n
                .checked_mul(u64::from(s.block_size))
                .and_then(|v| v.checked_mul(128));
            let lanes = 1..=MAX_SCRYPT_LANES;
            if n >= 2
                && n.is_power_of_two()
                && s.block_size > 0
                && lanes.contains(&s.parallelization)
                && memory.is_some_and(|m| m <= MAX_SCRYPT_MEMORY)
            {
                Ok(())
            } else {
                Err(bad(
                    "asks for scrypt parameters outside the accepted range \
                     (N a power of two from 2, r from 1, p from 1 to 16, at most 256 MiB)",
                ))
            }
        }
        _ => Err(bad("uses an unsupported key-derivation function")),
    }
}

/// The bit length of a big-endian unsigned integer.
fn bit_len(bytes: &[u8]) -> usize {
    let Some(pos) = bytes.iter().position(|&b| b != 0) else {
        return 0;
    };
    let significant = bytes.len().saturating_sub(pos);
    let top = bytes.get(pos).copied().unwrap_or(0);
    let top_bits = usize::try_from(8u32.saturating_sub(top.leading_zeros())).unwrap_or(8);
    significant
        .saturating_sub(1)
        .saturating_mul(8)
        .saturating_add(top_bits)
}

fn check_bits(bits: usize, setting: &str) -> Result<()> {
    if bits < MIN_IMPORT_BITS {
        return Err(Error::configuration(
            setting.to_owned(),
            "is an RSA key under 2048 bits",
        ));
    }
    if bits > MAX_BITS {
        return Err(Error::configuration(
            setting.to_owned(),
            "is an RSA key over 8192 bits",
        ));
    }
    Ok(())
}

/// The largest public exponent accepted: `2^33 - 1`, the bound `rsa` and
/// BoringSSL/AWS-LC both enforce against exponents chosen to make every
/// encryption slow. Keys in use have 65537.
const MAX_PUBLIC_EXPONENT: u64 = (1 << 33) - 1;

/// An encryption exponent must be odd and at least 3 (RFC 8017 §3.1 asks
/// for 3 ≤ e ≤ n − 1; an even e is not invertible modulo λ(n)).
fn check_exponent(e: &[u8], setting: &str) -> Result<()> {
    let significant: Vec<u8> = e.iter().copied().skip_while(|&b| b == 0).collect();
    let value = if significant.len() <= 8 {
        significant.iter().fold(0u64, |acc, &b| {
            acc.checked_shl(8).unwrap_or(0) | u64::from(b)
        })
    } else {
        u64::MAX
    };
    if value < 3 || value % 2 == 0 || value > MAX_PUBLIC_EXPONENT {
        return Err(Error::configuration(
            setting.to_owned(),
            "has a public exponent that is even, under 3 or over 2^33 - 1",
        ));
    }
    Ok(())
}

/// Canonical SubjectPublicKeyInfo DER for `n` and `e`.
fn canonical_spki(n: UintRef<'_>, e: UintRef<'_>) -> Result<Vec<u8>> {
    let failed = |_| Error::internal("public key encoding failed");
    let rsa = pkcs1::RsaPublicKey {
        modulus: n,
        public_exponent: e,
    }
    .to_der()
    .map_err(failed)?;
    pkcs8::SubjectPublicKeyInfoRef {
        algorithm: RSA_ALGORITHM,
        subject_public_key: BitStringRef::from_bytes(&rsa).map_err(failed)?,
    }
    .to_der()
    .map_err(failed)
}

/// Canonical SPKI DER of a modulus and exponent, for tests that need a
/// public key without its private half.
#[cfg(all(test, feature = "envelope", feature = "envelope-rustcrypto"))]
#[allow(clippy::unwrap_used)] // test scaffolding: a bad fixture should fail loudly
pub(crate) fn tests_spki(n: &[u8], e: &[u8]) -> Vec<u8> {
    canonical_spki(UintRef::new(n).unwrap(), UintRef::new(e).unwrap()).unwrap()
}

/// PEM text with LF line endings.
fn pem_text(label: &str, der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new(label, der),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

impl PublicKey {
    /// From the modulus and exponent: the size and exponent rules, the
    /// canonical SPKI, its id, and the backend's key.
    fn from_parts(n: UintRef<'_>, e: UintRef<'_>, setting: &str) -> Result<Self> {
        let bits = bit_len(n.as_bytes());
        check_bits(bits, setting)?;
        check_exponent(e.as_bytes(), setting)?;
        let spki = canonical_spki(n, e)?;
        let inner = Selected::public_from_spki(&spki).map_err(|_| {
            Error::configuration(setting.to_owned(), "is not a valid RSA public key")
        })?;
        let id = KeyId(Sha256::digest(&spki).into());
        Ok(Self {
            spki,
            bits,
            id,
            inner,
        })
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let key = pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(der)
            .map_err(|_| Error::configuration(PUBLIC, "is not an RSA public key"))?;
        Self::from_parts(key.modulus, key.public_exponent, PUBLIC)
    }

    /// From PEM: SubjectPublicKeyInfo (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for malformed PEM, a
    /// non-RSA key (including RSA-PSS-restricted keys), a size outside
    /// 2048–8192 bits, or a public exponent that is even, under 3 or over
    /// 2^33 − 1.
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self> {
        let (tag, der) = crate::pem_util::read(pem.as_ref(), PUBLIC)?;
        match tag.as_str() {
            "PUBLIC KEY" => Self::from_der(&der),
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(&der),
            _ => Err(Error::configuration(PUBLIC, "is not a public key PEM")),
        }
    }

    /// From SubjectPublicKeyInfo DER.
    ///
    /// # Errors
    ///
    /// As [`PublicKey::from_pem`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let spki = pkcs8::SubjectPublicKeyInfoRef::try_from(der)
            .map_err(|_| Error::configuration(PUBLIC, "is not an rsaEncryption public key"))?;
        require_rsa_encryption(spki.algorithm.oid, PUBLIC)?;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| Error::configuration(PUBLIC, "is not an rsaEncryption public key"))?;
        Self::from_pkcs1_der(bits)
    }

    /// SubjectPublicKeyInfo PEM.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_pem(&self) -> Result<String> {
        Ok(pem_text("PUBLIC KEY", &self.spki))
    }

    /// SubjectPublicKeyInfo DER: the canonical encoding the key id hashes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        Ok(self.spki.clone())
    }

    /// PKCS#1 `RSAPublicKey` PEM (`RSA PUBLIC KEY`), for tools that want it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_pkcs1_pem(&self) -> Result<String> {
        let failed = || Error::internal("public key encoding failed");
        let spki =
            pkcs8::SubjectPublicKeyInfoRef::try_from(self.spki.as_slice()).map_err(|_| failed())?;
        let rsa = spki.subject_public_key.as_bytes().ok_or_else(failed)?;
        Ok(pem_text("RSA PUBLIC KEY", rsa))
    }

    /// The key id (SHA-256 of the canonical SPKI DER).
    #[must_use]
    pub const fn key_id(&self) -> KeyId {
        self.id
    }

    /// The modulus size in bits.
    #[must_use]
    pub const fn bits(&self) -> usize {
        self.bits
    }

    /// The modulus size in bytes, `ceil(bits / 8)`: the length of a wrapped key.
    #[must_use]
    pub const fn size(&self) -> usize {
        self.bits.div_ceil(8)
    }

    pub(crate) const fn inner(&self) -> &<Selected as Backend>::PublicKey {
        &self.inner
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey {{ bits: {}, id: {} }}", self.bits, self.id)
    }
}

impl PrivateKey {
    /// Generates a key pair of [`DEFAULT_BITS`] (4096) bits.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if the OS random generator fails.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use seckit::SecretString;
    /// use seckit::envelope::PrivateKey;
    ///
    /// let key = PrivateKey::generate()?; // 4096 bits
    /// let pem = key.to_pem(Some(&SecretString::from("sample passphrase")))?; // encrypted PKCS#8
    /// let public_pem = key.public_key().to_pem()?; // give this to senders
    /// # let _ = (pem, public_pem);
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn generate() -> Result<Self> {
        Self::generate_bits(DEFAULT_BITS)
    }

    /// Generates a key pair of 3072 or 4096 bits, with the backend's
    /// generator (2048- and 8192-bit keys are import-only).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for any other size;
    /// [`ErrorKind::Internal`](crate::ErrorKind) if generation fails.
    pub fn generate_bits(bits: usize) -> Result<Self> {
        if bits != 3072 && bits != 4096 {
            return Err(Error::configuration(
                "envelope.key_bits",
                "must be 3072 or 4096",
            ));
        }
        let pkcs8 = Selected::generate(bits)?;
        Self::from_pkcs8_der(&pkcs8)
    }

    /// From PKCS#8 DER: the rsaEncryption check, then PKCS#1 inside.
    fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let bad = || Error::configuration(PRIVATE, "is not an rsaEncryption private key");
        let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|_| bad())?;
        require_rsa_encryption(info.algorithm.oid, PRIVATE)?;
        Self::from_pkcs1_der(info.private_key.as_bytes())
    }

    /// From PKCS#1 `RSAPrivateKey` DER: the rules of the public half, a
    /// canonical PKCS#8 for the backend, which checks the key's consistency.
    fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let key = pkcs1::RsaPrivateKey::<UintRef<'_>>::from_der(der)
            .map_err(|_| Error::configuration(PRIVATE, "is not an RSA private key"))?;
        if key.other_prime_infos.is_some() {
            return Err(Error::configuration(
                PRIVATE,
                "is a multi-prime RSA key (two primes only)",
            ));
        }
        let public = PublicKey::from_parts(key.modulus, key.public_exponent, PRIVATE)?;
        let octets =
            OctetStringRef::new(der).map_err(|_| Error::internal("private key encoding failed"))?;
        let canonical = Zeroizing::new(
            pkcs8::PrivateKeyInfoRef::new(RSA_ALGORITHM, octets)
                .to_der()
                .map_err(|_| Error::internal("private key encoding failed"))?,
        );
        let inner = Selected::private_from_pkcs8(&canonical)
            .map_err(|_| Error::configuration(PRIVATE, "is not a valid RSA private key"))?;
        Ok(Self { inner, public })
    }

    /// From PEM: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`), or
    /// passphrase-encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, PBES2) with
    /// `passphrase`. CRLF line endings are fine.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for malformed PEM, a
    /// non-RSA or RSA-PSS-restricted key, an encrypted key without (or with
    /// the wrong) passphrase, a size outside 2048–8192 bits or a public
    /// exponent outside the rule; and, before any key derivation runs, an
    /// encrypted key whose own parameters ask for more than 10,000,000
    /// PBKDF2 iterations or more than 256 MiB or 16 lanes of scrypt (PBES1
    /// and other KDFs are refused).
    pub fn from_pem(pem: &SecretString, passphrase: Option<&SecretString>) -> Result<Self> {
        let (tag, der) = crate::pem_util::read(pem.expose_secret().as_bytes(), PRIVATE)?;
        let bad = |reason| Error::configuration(PRIVATE, reason);
        match tag.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&der),
            "ENCRYPTED PRIVATE KEY" => {
                let Some(pass) = passphrase else {
                    return Err(bad("is encrypted and no passphrase was given"));
                };
                let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(&der[..])
                    .map_err(|_| bad("is not an encrypted PKCS#8 key"))?;
                check_kdf(&info.encryption_algorithm)?;
                let plain = info
                    .decrypt(pass.expose_secret().as_bytes())
                    .map_err(|_| bad("cannot be decrypted with this passphrase"))?;
                Self::from_pkcs8_der(plain.as_bytes())
            }
            _ => Err(bad("is not a private key PEM")),
        }
    }

    /// From PKCS#8 DER.
    ///
    /// # Errors
    ///
    /// As [`PrivateKey::from_pem`].
    pub fn from_der(der: &SecretBytes) -> Result<Self> {
        Self::from_pkcs8_der(der.expose_secret())
    }

    fn pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
        Selected::private_to_pkcs8(&self.inner)
    }

    /// PKCS#8 PEM, unencrypted (write it with mode 0600), or encrypted with
    /// `passphrase` (PBES2: scrypt + AES-256-CBC).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_pem(&self, passphrase: Option<&SecretString>) -> Result<SecretString> {
        let failed = |_| Error::internal("private key encoding failed");
        let der = self.pkcs8()?;
        match passphrase {
            None => Ok(SecretString::new(pem_text("PRIVATE KEY", &der))),
            Some(pass) => {
                let info = pkcs8::PrivateKeyInfoRef::try_from(der.as_slice()).map_err(failed)?;
                let encrypted = info
                    .encrypt_with_rng(&mut rand::rngs::SysRng, pass.expose_secret().as_bytes())
                    .map_err(failed)?;
                Ok(SecretString::new(pem_text(
                    "ENCRYPTED PRIVATE KEY",
                    encrypted.as_bytes(),
                )))
            }
        }
    }

    /// Unencrypted PKCS#8 DER.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_der(&self) -> Result<SecretBytes> {
        Ok(SecretBytes::from(self.pkcs8()?.as_slice()))
    }

    /// Unencrypted PKCS#1 `RSAPrivateKey` PEM (`RSA PRIVATE KEY`), for tools
    /// that want it. Write it with mode 0600.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_pkcs1_pem(&self) -> Result<SecretString> {
        let der = self.pkcs8()?;
        let info = pkcs8::PrivateKeyInfoRef::try_from(der.as_slice())
            .map_err(|_| Error::internal("private key encoding failed"))?;
        Ok(SecretString::new(pem_text(
            "RSA PRIVATE KEY",
            info.private_key.as_bytes(),
        )))
    }

    /// The public half.
    #[must_use]
    pub const fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key id of the public half.
    #[must_use]
    pub const fn key_id(&self) -> KeyId {
        self.public.id
    }

    pub(crate) const fn inner(&self) -> &<Selected as Backend>::PrivateKey {
        &self.inner
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PrivateKey {{ bits: {}, id: {} }}",
            self.public.bits, self.public.id
        )
    }
}

/// Private keys that may open envelopes: the current one and retired ones
/// kept for old data. Looked up by key id.
///
/// # Example
///
/// ```
/// use seckit::envelope::{Keyring, PrivateKey};
///
/// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
/// let mut ring = Keyring::new();
/// ring.add(PrivateKey::from_pem(&pem, None)?)?;
/// assert_eq!(ring.len(), 1);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    keys: Vec<PrivateKey>,
}

impl Keyring {
    /// An empty keyring.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) if a key with the same
    /// id is already present.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::SecretString;
    /// use seckit::envelope::{self, Keyring, PrivateKey};
    ///
    /// let current = PrivateKey::from_pem(&SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem")), None)?;
    /// let retired = PrivateKey::from_pem(&SecretString::from(include_str!("../../tests/fixtures/envelope/rsa2048-private.pem")), None)?;
    /// let old_envelope = envelope::seal(&[retired.public_key()], b"2025 data", b"")?;
    /// let mut keyring = Keyring::new();
    /// keyring.add(current)?;
    /// keyring.add(retired)?; // old envelopes still open
    /// assert!(envelope::open(&keyring, &old_envelope, b"")? == b"2025 data".as_slice());
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn add(&mut self, key: PrivateKey) -> Result<()> {
        if self.get(&key.key_id()).is_some() {
            return Err(Error::configuration(
                "envelope.keyring",
                "already holds this key",
            ));
        }
        self.keys.push(key);
        Ok(())
    }

    /// The key with `id`, if present.
    #[must_use]
    pub fn get(&self, id: &KeyId) -> Option<&PrivateKey> {
        self.keys.iter().find(|k| k.key_id() == *id)
    }

    /// How many keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the keyring is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl From<PrivateKey> for Keyring {
    fn from(key: PrivateKey) -> Self {
        Self { keys: vec![key] }
    }
}
