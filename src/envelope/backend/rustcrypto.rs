//! Suite 1 in pure Rust: `rsa` 0.10 (constant-time `crypto-bigint`
//! arithmetic, blinded; not the Marvin-affected 0.9), `aes-gcm` 0.11,
//! `hkdf` and `hmac`. `rsa` zeroizes private keys on drop.
//!
//! `rsa` 0.10's OAEP decoding skips the check of the decoded block's first
//! byte (RFC 8017 §7.1.2 step 3g) by design; [`RustCrypto::unwrap`] checks
//! it itself (see there), at the price of a second private-key operation.

use aes_gcm::aead::{AeadInOut as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use hkdf::Hkdf;
use hmac::{Hmac, Mac as _};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _};
use rsa::traits::PublicKeyParts as _;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use super::{Backend, TAG_LEN};
use crate::envelope::format::refuse;
use crate::{Error, Result};

/// The RustCrypto backend.
#[derive(Debug)]
pub(crate) enum RustCrypto {}

fn rejected(setting: &str) -> Error {
    Error::configuration(setting.to_owned(), "is not a valid RSA key")
}

impl Backend for RustCrypto {
    type PublicKey = rsa::PublicKey;
    type PrivateKey = rsa::PrivateKey;
    type Aead = Aes256Gcm;

    fn public_from_spki(spki: &[u8]) -> Result<rsa::PublicKey> {
        rsa::PublicKey::from_public_key_der(spki).map_err(|_| rejected("envelope.public_key"))
    }

    fn private_from_pkcs8(pkcs8: &[u8]) -> Result<rsa::PrivateKey> {
        rsa::PrivateKey::from_pkcs8_der(pkcs8).map_err(|_| rejected("envelope.private_key"))
    }

    fn private_to_pkcs8(key: &rsa::PrivateKey) -> Result<Zeroizing<Vec<u8>>> {
        key.to_pkcs8_der()
            .map(|d| Zeroizing::new(d.as_bytes().to_vec()))
            .map_err(|_| Error::internal("private key encoding failed"))
    }

    fn generate(bits: usize) -> Result<Zeroizing<Vec<u8>>> {
        if bits != 3072 && bits != 4096 {
            return Err(Error::configuration(
                "envelope.key_bits",
                "must be 3072 or 4096",
            ));
        }
        let key = rsa::PrivateKey::new(&mut rand::rngs::SysRng, bits)
            .map_err(|_| Error::internal("RSA key generation failed"))?;
        Self::private_to_pkcs8(&key)
    }

    fn wrap(key: &rsa::PublicKey, data_key: &[u8]) -> Result<Vec<u8>> {
        key.encrypt(
            &mut rand::rngs::SysRng,
            rsa::Oaep::<Sha256>::new(),
            data_key,
        )
        .map_err(|_| Error::Crypto {
            context: "RSA-OAEP key wrap failed",
        })
    }

    /// Strict RSA-OAEP-SHA256 decryption: a decoded block whose first byte
    /// `Y` is not zero is refused, as OpenSSL, pyca/cryptography, Go and
    /// aws-lc-rs refuse it. `rsa` 0.10 skips that check, so the block is
    /// first computed with the raw, blinded private-key operation and its
    /// leading bytes checked in constant time, then decoded by `rsa`'s OAEP
    /// (a second private-key operation: the price of not hand-writing OAEP
    /// decoding). Both checks always run and fail with one reason.
    fn unwrap(key: &rsa::PrivateKey, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let failed = || refuse("could not unwrap the data key");
        let k = key.size();
        let c =
            rsa::BoxedUint::from_be_slice(wrapped, key.n_bits_precision()).map_err(|_| failed())?;
        let em = Zeroizing::new(
            rsa::hazmat::rsa_decrypt_and_check(key, Some(&mut rand::rngs::SysRng), &c)
                .map_err(|_| failed())?,
        );
        let em_bytes = Zeroizing::new(em.to_be_bytes());
        // `em_bytes` is at least k bytes (the precision rounds up to whole
        // limbs): everything before the last k - 1 bytes, Y included, is zero.
        let leading = em_bytes.len().saturating_sub(k.saturating_sub(1));
        let zeros = vec![0u8; leading];
        let y_is_zero = em_bytes
            .get(..leading)
            .map_or(subtle::Choice::from(0), |l| l.ct_eq(&zeros));
        let decoded =
            key.decrypt_blinded(&mut rand::rngs::SysRng, rsa::Oaep::<Sha256>::new(), wrapped);
        let (decoded_ok, data_key) = match decoded {
            Ok(v) => (subtle::Choice::from(1), Zeroizing::new(v)),
            Err(_) => (subtle::Choice::from(0), Zeroizing::new(Vec::new())),
        };
        if !bool::from(y_is_zero & decoded_ok) {
            return Err(failed());
        }
        Ok(data_key)
    }

    fn aead(key: &[u8; 32]) -> Result<Aes256Gcm> {
        Ok(Aes256Gcm::new(key.into()))
    }

    fn seal_in_place(
        aead: &Aes256Gcm,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        let tag = aead
            .encrypt_inout_detached(&Nonce::from(*nonce), aad, in_out.into())
            .map_err(|_| Error::internal("chunk encryption failed"))?;
        Ok(tag.into())
    }

    fn open_in_place(
        aead: &Aes256Gcm,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> core::result::Result<usize, ()> {
        let body_len = in_out.len().checked_sub(TAG_LEN).ok_or(())?;
        let (body, tag) = in_out.split_at_mut(body_len);
        let tag = Tag::<aes_gcm::aead::consts::U16>::try_from(&*tag).map_err(|_| ())?;
        aead.decrypt_inout_detached(&Nonce::from(*nonce), aad, body.into(), &tag)
            .map_err(|_| ())?;
        Ok(body_len)
    }

    fn seal_out_of_place(
        aead: &Aes256Gcm,
        nonce: &[u8; 12],
        aad: &[u8],
        input: &[u8],
        output: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        let failed = || Error::internal("chunk encryption failed");
        let buf = aes_gcm::aead::inout::InOutBuf::new(input, output).map_err(|_| failed())?;
        let tag = aead
            .encrypt_inout_detached(&Nonce::from(*nonce), aad, buf)
            .map_err(|_| failed())?;
        Ok(tag.into())
    }

    fn open_out_of_place(
        aead: &Aes256Gcm,
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
        output: &mut [u8],
    ) -> core::result::Result<(), ()> {
        let tag = Tag::<aes_gcm::aead::consts::U16>::try_from(tag).map_err(|_| ())?;
        let buf = aes_gcm::aead::inout::InOutBuf::new(ciphertext, output).map_err(|_| ())?;
        aead.decrypt_inout_detached(&Nonce::from(*nonce), aad, buf, &tag)
            .map_err(|_| ())
    }

    fn hkdf_sha256(ikm: &[u8], info: &[u8], out: &mut [u8; 32]) -> Result<()> {
        Hkdf::<Sha256>::new(None, ikm)
            .expand(info, out)
            .map_err(|_| Error::internal("HKDF failed"))
    }

    fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> Result<[u8; 32]> {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key)
            .map_err(|_| Error::internal("hmac key"))?;
        for part in parts {
            mac.update(part);
        }
        Ok(mac.finalize().into_bytes().into())
    }
}
