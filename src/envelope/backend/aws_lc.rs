//! Suite 1 on aws-lc-rs: AWS-LC's RSA (constant-time, blinded; OAEP
//! decoding checks the first byte, RFC 8017 §7.1.2 step 3g), AES-256-GCM
//! with its assembly for AES-NI/VAES and carry-less multiplication, HKDF and
//! HMAC. AWS-LC clears memory it frees, private key material included.

use std::sync::Arc;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey,
};
use aws_lc_rs::{hkdf, hmac};
use zeroize::Zeroizing;

use super::{Backend, TAG_LEN};
use crate::envelope::format::refuse;
use crate::{Error, Result};

/// The aws-lc-rs backend.
#[derive(Debug)]
pub(crate) enum AwsLc {}

/// An OAEP encryption key (shared: aws-lc-rs's OAEP keys are not `Clone`).
#[derive(Clone, Debug)]
pub(crate) struct Public(Arc<OaepPublicEncryptingKey>);

/// An OAEP decryption key and the key it came from (for export).
#[derive(Clone, Debug)]
pub(crate) struct Private {
    oaep: Arc<OaepPrivateDecryptingKey>,
    key: PrivateDecryptingKey,
}

fn rejected(setting: &str) -> Error {
    Error::configuration(setting.to_owned(), "is not a valid RSA key")
}

impl Backend for AwsLc {
    type PublicKey = Public;
    type PrivateKey = Private;
    type Aead = LessSafeKey;

    fn public_from_spki(spki: &[u8]) -> Result<Public> {
        let key =
            PublicEncryptingKey::from_der(spki).map_err(|_| rejected("envelope.public_key"))?;
        let oaep =
            OaepPublicEncryptingKey::new(key).map_err(|_| rejected("envelope.public_key"))?;
        Ok(Public(Arc::new(oaep)))
    }

    fn private_from_pkcs8(pkcs8: &[u8]) -> Result<Private> {
        let key = PrivateDecryptingKey::from_pkcs8(pkcs8)
            .map_err(|_| rejected("envelope.private_key"))?;
        let oaep = OaepPrivateDecryptingKey::new(key.clone())
            .map_err(|_| rejected("envelope.private_key"))?;
        Ok(Private {
            oaep: Arc::new(oaep),
            key,
        })
    }

    fn private_to_pkcs8(key: &Private) -> Result<Zeroizing<Vec<u8>>> {
        let der = key
            .key
            .as_der()
            .map_err(|_| Error::internal("private key encoding failed"))?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }

    fn generate(bits: usize) -> Result<Zeroizing<Vec<u8>>> {
        let size = match bits {
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            _ => {
                return Err(Error::configuration(
                    "envelope.key_bits",
                    "must be 3072 or 4096",
                ));
            }
        };
        let key = PrivateDecryptingKey::generate(size)
            .map_err(|_| Error::internal("RSA key generation failed"))?;
        let der = key
            .as_der()
            .map_err(|_| Error::internal("private key encoding failed"))?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }

    fn wrap(key: &Public, data_key: &[u8]) -> Result<Vec<u8>> {
        let mut out = vec![0u8; key.0.ciphertext_size()];
        let len = key
            .0
            .encrypt(&OAEP_SHA256_MGF1SHA256, data_key, &mut out, None)
            .map_err(|_| Error::Crypto {
                context: "RSA-OAEP key wrap failed",
            })?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn unwrap(key: &Private, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let failed = || refuse("could not unwrap the data key");
        let mut out = Zeroizing::new(vec![0u8; key.oaep.min_output_size()]);
        let len = key
            .oaep
            .decrypt(&OAEP_SHA256_MGF1SHA256, wrapped, &mut out, None)
            .map_err(|_| failed())?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn aead(key: &[u8; 32]) -> Result<LessSafeKey> {
        let unbound = UnboundKey::new(&AES_256_GCM, key)
            .map_err(|_| Error::internal("AES-256-GCM key setup failed"))?;
        Ok(LessSafeKey::new(unbound))
    }

    fn seal_in_place(
        aead: &LessSafeKey,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        let tag = aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                in_out,
            )
            .map_err(|_| Error::internal("chunk encryption failed"))?;
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Ok(out)
    }

    fn open_in_place(
        aead: &LessSafeKey,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> core::result::Result<usize, ()> {
        aead.open_in_place(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), in_out)
            .map(|plain| plain.len())
            .map_err(|_| ())
    }

    fn seal_out_of_place(
        aead: &LessSafeKey,
        nonce: &[u8; 12],
        aad: &[u8],
        input: &[u8],
        output: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        let mut tag = [0u8; TAG_LEN];
        aead.seal_out_of_place_scatter(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            input,
            output,
            &[],
            &mut tag,
        )
        .map_err(|_| Error::internal("chunk encryption failed"))?;
        Ok(tag)
    }

    fn open_out_of_place(
        aead: &LessSafeKey,
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
        output: &mut [u8],
    ) -> core::result::Result<(), ()> {
        aead.open_separate_gather(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            ciphertext,
            tag,
            output,
        )
        .map_err(|_| ())
    }

    fn hkdf_sha256(ikm: &[u8], info: &[u8], out: &mut [u8; 32]) -> Result<()> {
        hkdf::Salt::new(hkdf::HKDF_SHA256, &[])
            .extract(ikm)
            .expand(&[info], hkdf::HKDF_SHA256)
            .and_then(|okm| okm.fill(out))
            .map_err(|_| Error::internal("HKDF failed"))
    }

    fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> Result<[u8; 32]> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, key);
        let mut ctx = hmac::Context::with_key(&key);
        for part in parts {
            ctx.update(part);
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.sign().as_ref());
        Ok(out)
    }
}
