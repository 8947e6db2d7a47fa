//! The primitives of envelope suite 1, behind one small boundary, so that
//! the format (`format.rs`), the STREAM payload (`stream.rs`) and key
//! handling (`keys.rs`) are written once and the cryptography is chosen at
//! compile time:
//!
//! - **aws-lc-rs** (feature `envelope`, the default): AWS-LC's assembly for
//!   AES-GCM and constant-time RSA, the crypto stack `jwt` already uses.
//! - **RustCrypto** (feature `envelope-rustcrypto`, without `envelope`):
//!   `rsa` 0.10, `aes-gcm`, `hkdf` and `hmac`, pure Rust, for targets
//!   without a C toolchain.
//!
//! With both features on, aws-lc-rs is used (a feature never changes a
//! default); the RustCrypto backend is then compiled only for the tests
//! that check the two agree.
//!
//! What crosses the boundary is bytes: keys arrive as canonical DER (PKCS#8
//! for private keys, SubjectPublicKeyInfo for public ones, made in
//! `keys.rs`), and each backend parses them once into its own key types.

#[cfg(feature = "envelope")]
pub(crate) mod aws_lc;
#[cfg(all(feature = "envelope-rustcrypto", any(not(feature = "envelope"), test)))]
pub(crate) mod rustcrypto;

#[cfg(test)]
mod tests;

use zeroize::Zeroizing;

use crate::Result;

/// The backend in use.
#[cfg(feature = "envelope")]
pub(crate) type Selected = aws_lc::AwsLc;
/// The backend in use.
#[cfg(not(feature = "envelope"))]
pub(crate) type Selected = rustcrypto::RustCrypto;

/// Bytes of an AES-256-GCM tag.
pub(crate) const TAG_LEN: usize = 16;

/// The primitives an envelope needs. Every failure a caller could provoke
/// with a crafted envelope is one `Err` with no detail.
pub(crate) trait Backend {
    /// An RSA public key, parsed once.
    type PublicKey: Clone + Send + Sync;
    /// An RSA private key, parsed once.
    type PrivateKey: Clone + Send + Sync;
    /// AES-256-GCM keyed with one payload key.
    type Aead;

    /// From canonical SubjectPublicKeyInfo DER (rsaEncryption).
    fn public_from_spki(spki: &[u8]) -> Result<Self::PublicKey>;
    /// From canonical PKCS#8 DER (rsaEncryption), checked for consistency.
    fn private_from_pkcs8(pkcs8: &[u8]) -> Result<Self::PrivateKey>;
    /// The private key as PKCS#8 DER, wiped on drop.
    fn private_to_pkcs8(key: &Self::PrivateKey) -> Result<Zeroizing<Vec<u8>>>;
    /// A new key pair of `bits` (3072 or 4096), as PKCS#8 DER.
    fn generate(bits: usize) -> Result<Zeroizing<Vec<u8>>>;

    /// RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) of `data_key`.
    fn wrap(key: &Self::PublicKey, data_key: &[u8]) -> Result<Vec<u8>>;
    /// RSA-OAEP decryption, strict as RFC 8017 §7.1.2 (the first byte of the
    /// decoded block included); `Err` for every failure alike.
    fn unwrap(key: &Self::PrivateKey, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>>;

    /// AES-256-GCM keyed with `key`.
    fn aead(key: &[u8; 32]) -> Result<Self::Aead>;
    /// Encrypts `in_out` in place; returns the tag.
    fn seal_in_place(
        aead: &Self::Aead,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN]>;
    /// Checks and decrypts `in_out` (ciphertext then tag) in place; returns
    /// the plaintext length. `Err` when the tag does not verify.
    fn open_in_place(
        aead: &Self::Aead,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> core::result::Result<usize, ()>;

    /// Encrypts `input` into `output` (the same length); returns the tag.
    fn seal_out_of_place(
        aead: &Self::Aead,
        nonce: &[u8; 12],
        aad: &[u8],
        input: &[u8],
        output: &mut [u8],
    ) -> Result<[u8; TAG_LEN]>;
    /// Checks `ciphertext` and `tag` and decrypts into `output` (the same
    /// length as `ciphertext`). `Err` when the tag does not verify; then
    /// `output` holds nothing of value.
    fn open_out_of_place(
        aead: &Self::Aead,
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
        output: &mut [u8],
    ) -> core::result::Result<(), ()>;

    /// HKDF-SHA256 with no salt, `info`, 32 bytes out.
    fn hkdf_sha256(ikm: &[u8], info: &[u8], out: &mut [u8; 32]) -> Result<()>;
    /// HMAC-SHA256 over the concatenation of `parts`.
    fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> Result<[u8; 32]>;
}
