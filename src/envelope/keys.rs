//! RSA key pairs for envelopes: generation, import, export, key ids.

use std::fmt;

use rsa::pkcs1::{
    DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _, EncodeRsaPrivateKey as _,
    EncodeRsaPublicKey as _,
};
use rsa::pkcs8::{
    DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _,
    LineEnding,
};
use rsa::traits::PublicKeyParts as _;
use rsa::{PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use sha2::{Digest as _, Sha256};

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

/// An RSA public key that envelopes are sealed to: 2048 to 8192 bits.
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
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: RsaPublicKey,
    id: KeyId,
}

/// An RSA private key that opens envelopes. Its material is zeroized on
/// drop (by `rsa`), and `Debug` shows only the size and key id.
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
    key: RsaPrivateKey,
    public: PublicKey,
}

const PRIVATE: &str = "envelope.private_key";
const PUBLIC: &str = "envelope.public_key";

/// rsaEncryption (RFC 8017 A.1): the only algorithm identifier accepted.
/// rsa would also take id-RSASSA-PSS keys, which are restricted to
/// signatures and must not be used to decrypt.
const RSA_ENCRYPTION: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn require_rsa_encryption(oid: Option<pkcs8::ObjectIdentifier>, setting: &str) -> Result<()> {
    if oid == Some(RSA_ENCRYPTION) {
        Ok(())
    } else {
        Err(Error::configuration(
            setting.to_owned(),
            "is not an rsaEncryption key (RSA-PSS-restricted and non-RSA keys are refused)",
        ))
    }
}

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

fn pkcs8_oid(der: &[u8]) -> Option<pkcs8::ObjectIdentifier> {
    pkcs8::PrivateKeyInfoRef::try_from(der)
        .ok()
        .map(|info| info.algorithm.oid)
}

fn spki_oid(der: &[u8]) -> Option<pkcs8::ObjectIdentifier> {
    pkcs8::SubjectPublicKeyInfoRef::try_from(der)
        .ok()
        .map(|info| info.algorithm.oid)
}

fn modulus_bits(key: &RsaPublicKey) -> usize {
    usize::try_from(key.n().bit_width()).unwrap_or(usize::MAX)
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
fn check_exponent(key: &RsaPublicKey, setting: &str) -> Result<()> {
    let bytes = key.e().to_be_bytes_trimmed_vartime();
    let e = if bytes.len() <= 8 {
        bytes.iter().fold(0u64, |acc, &b| {
            acc.checked_shl(8).unwrap_or(0) | u64::from(b)
        })
    } else {
        u64::MAX
    };
    if e < 3 || e % 2 == 0 || e > MAX_PUBLIC_EXPONENT {
        return Err(Error::configuration(
            setting.to_owned(),
            "has a public exponent that is even, under 3 or over 2^33 - 1",
        ));
    }
    Ok(())
}

impl PublicKey {
    fn new(key: RsaPublicKey, setting: &str) -> Result<Self> {
        check_bits(modulus_bits(&key), setting)?;
        check_exponent(&key, setting)?;
        let der = key
            .to_public_key_der()
            .map_err(|_| Error::configuration(setting.to_owned(), "cannot be encoded"))?;
        let id = KeyId(Sha256::digest(der.as_bytes()).into());
        Ok(Self { key, id })
    }

    /// From PEM: SubjectPublicKeyInfo (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for malformed PEM, a
    /// non-RSA key (including RSA-PSS-restricted keys) or a size outside
    /// 2048–8192 bits.
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self> {
        let (tag, der) = crate::pem_util::read(pem.as_ref(), PUBLIC)?;
        match tag.as_str() {
            "PUBLIC KEY" => Self::from_der(&der),
            "RSA PUBLIC KEY" => Self::new(
                RsaPublicKey::from_pkcs1_der(&der)
                    .map_err(|_| Error::configuration(PUBLIC, "is not an RSA public key"))?,
                PUBLIC,
            ),
            _ => Err(Error::configuration(PUBLIC, "is not a public key PEM")),
        }
    }

    /// From SubjectPublicKeyInfo DER.
    ///
    /// # Errors
    ///
    /// As [`PublicKey::from_pem`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        require_rsa_encryption(spki_oid(der), PUBLIC)?;
        let key = RsaPublicKey::from_public_key_der(der)
            .map_err(|_| Error::configuration(PUBLIC, "is not an rsaEncryption public key"))?;
        Self::new(key, PUBLIC)
    }

    /// SubjectPublicKeyInfo PEM.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_pem(&self) -> Result<String> {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| Error::internal("public key encoding failed"))
    }

    /// SubjectPublicKeyInfo DER.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        self.key
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|_| Error::internal("public key encoding failed"))
    }

    /// PKCS#1 `RSAPublicKey` PEM (`RSA PUBLIC KEY`), for tools that want it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_pkcs1_pem(&self) -> Result<String> {
        self.key
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|_| Error::internal("public key encoding failed"))
    }

    /// The key id (SHA-256 of the SPKI DER).
    #[must_use]
    pub const fn key_id(&self) -> KeyId {
        self.id
    }

    /// The modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        modulus_bits(&self.key)
    }

    /// The modulus size in bytes: the length of a wrapped key.
    #[must_use]
    pub fn size(&self) -> usize {
        self.key.size()
    }

    pub(crate) const fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey {{ bits: {}, id: {} }}", self.bits(), self.id)
    }
}

impl PrivateKey {
    /// Generates a key pair of [`DEFAULT_BITS`] (4096) bits. Takes seconds.
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
    /// let key = PrivateKey::generate()?; // 4096 bits; takes seconds
    /// let pem = key.to_pem(Some(&SecretString::from("sample passphrase")))?; // encrypted PKCS#8
    /// let public_pem = key.public_key().to_pem()?; // give this to senders
    /// # let _ = (pem, public_pem);
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn generate() -> Result<Self> {
        Self::generate_bits(DEFAULT_BITS)
    }

    /// Generates a key pair of 3072 or 4096 bits.
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
        let key = RsaPrivateKey::new(&mut rand::rngs::SysRng, bits)
            .map_err(|_| Error::internal("RSA key generation failed"))?;
        Self::new(key, PRIVATE)
    }

    fn new(key: RsaPrivateKey, setting: &str) -> Result<Self> {
        let public = PublicKey::new(key.to_public_key(), setting)?;
        Ok(Self { key, public })
    }

    /// From PEM: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`), or
    /// passphrase-encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, PBES2) with
    /// `passphrase`. CRLF line endings are fine.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for malformed PEM, a
    /// non-RSA or RSA-PSS-restricted key, an encrypted key without (or with
    /// the wrong) passphrase, or a size outside 2048–8192 bits; and, before
    /// any key derivation runs, an encrypted key whose own parameters ask for
    /// more than 10,000,000 PBKDF2 iterations or more than 256 MiB or 16
    /// lanes of scrypt (PBES1 and other KDFs are refused).
    pub fn from_pem(pem: &SecretString, passphrase: Option<&SecretString>) -> Result<Self> {
        let (tag, der) = crate::pem_util::read(pem.expose_secret().as_bytes(), PRIVATE)?;
        let bad = |reason| Error::configuration(PRIVATE, reason);
        let key = match tag.as_str() {
            "PRIVATE KEY" => {
                require_rsa_encryption(pkcs8_oid(&der), PRIVATE)?;
                RsaPrivateKey::from_pkcs8_der(&der)
                    .map_err(|_| bad("is not an rsaEncryption private key"))?
            }
            "RSA PRIVATE KEY" => {
                RsaPrivateKey::from_pkcs1_der(&der).map_err(|_| bad("is not an RSA private key"))?
            }
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
                require_rsa_encryption(pkcs8_oid(plain.as_bytes()), PRIVATE)?;
                RsaPrivateKey::from_pkcs8_der(plain.as_bytes())
                    .map_err(|_| bad("is not an rsaEncryption private key"))?
            }
            _ => return Err(bad("is not a private key PEM")),
        };
        Self::new(key, PRIVATE)
    }

    /// From PKCS#8 DER.
    ///
    /// # Errors
    ///
    /// As [`PrivateKey::from_pem`].
    pub fn from_der(der: &SecretBytes) -> Result<Self> {
        require_rsa_encryption(pkcs8_oid(der.expose_secret()), PRIVATE)?;
        let key = RsaPrivateKey::from_pkcs8_der(der.expose_secret())
            .map_err(|_| Error::configuration(PRIVATE, "is not an rsaEncryption private key"))?;
        Self::new(key, PRIVATE)
    }

    /// PKCS#8 PEM, unencrypted (write it with mode 0600), or encrypted with
    /// `passphrase` (PBES2: scrypt + AES-256-CBC).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_pem(&self, passphrase: Option<&SecretString>) -> Result<SecretString> {
        let failed = |_| Error::internal("private key encoding failed");
        let pem = match passphrase {
            None => self.key.to_pkcs8_pem(LineEnding::LF).map_err(failed)?,
            Some(pass) => self
                .key
                .to_pkcs8_encrypted_pem(pass.expose_secret().as_bytes(), LineEnding::LF)
                .map_err(failed)?,
        };
        Ok(SecretString::from(pem.as_str()))
    }

    /// Unencrypted PKCS#8 DER.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_der(&self) -> Result<SecretBytes> {
        self.key
            .to_pkcs8_der()
            .map(|d| SecretBytes::from(d.as_bytes()))
            .map_err(|_| Error::internal("private key encoding failed"))
    }

    /// Unencrypted PKCS#1 `RSAPrivateKey` PEM (`RSA PRIVATE KEY`), for tools
    /// that want it. Write it with mode 0600.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if encoding fails.
    pub fn to_pkcs1_pem(&self) -> Result<SecretString> {
        self.key
            .to_pkcs1_pem(LineEnding::LF)
            .map(|pem| SecretString::from(pem.as_str()))
            .map_err(|_| Error::internal("private key encoding failed"))
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

    pub(crate) const fn rsa(&self) -> &RsaPrivateKey {
        &self.key
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PrivateKey {{ bits: {}, id: {} }}",
            self.public.bits(),
            self.public.id
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
