//! The envelope header: layout, key schedule, parsing with limits.
//! docs/envelope-format.md is the specification this implements.

use std::io::Read;

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use super::backend::{Backend, Selected};
use super::keys::{KeyId, Keyring, PublicKey};
use crate::{Error, Result};

pub(crate) const MAGIC: &[u8; 5] = b"SKENV";
pub(crate) const VERSION: u8 = 1;
/// RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) key wrap, HKDF-SHA256 key
/// schedule, HMAC-SHA256 header tag, AES-256-GCM STREAM payload.
pub(crate) const SUITE: u8 = 1;
pub(crate) const MIN_CHUNK_EXP: u8 = 10;
pub(crate) const MAX_CHUNK_EXP: u8 = 24;
pub(crate) const DEFAULT_CHUNK_EXP: u8 = 16;
/// The most recipients an envelope may name, checked before any RSA work.
pub const MAX_RECIPIENTS: usize = 16;
pub(crate) const DATA_KEY_LEN: usize = 32;
pub(crate) const TAG_LEN: usize = 16;
/// Bytes before the recipient list: magic, version, suite, chunk exponent,
/// commitment, recipient count.
pub(crate) const FIXED_LEN: usize = 5 + 1 + 1 + 1 + 32 + 1;
const INFO_COMMIT: &[u8] = b"seckit-envelope-v1 commitment";
const INFO_HEADER: &[u8] = b"seckit-envelope-v1 header";
const INFO_PAYLOAD: &[u8] = b"seckit-envelope-v1 payload";

pub(crate) fn refuse(reason: &'static str) -> Error {
    Error::unauthenticated("envelope", crate::AuthReason::CannotOpen, reason)
}

/// The keys derived from one data key.
pub(crate) struct Schedule {
    pub(crate) commitment: [u8; 32],
    pub(crate) header_key: Zeroizing<[u8; 32]>,
    pub(crate) payload_key: Zeroizing<[u8; 32]>,
}

pub(crate) fn schedule(data_key: &[u8]) -> Result<Schedule> {
    let mut commitment = [0u8; 32];
    let mut header_key = Zeroizing::new([0u8; 32]);
    let mut payload_key = Zeroizing::new([0u8; 32]);
    Selected::hkdf_sha256(data_key, INFO_COMMIT, &mut commitment)?;
    Selected::hkdf_sha256(data_key, INFO_HEADER, &mut header_key)?;
    Selected::hkdf_sha256(data_key, INFO_PAYLOAD, &mut payload_key)?;
    Ok(Schedule {
        commitment,
        header_key,
        payload_key,
    })
}

/// One recipient entry.
pub(crate) struct Recipient {
    pub(crate) id: KeyId,
    pub(crate) wrapped: Vec<u8>,
}

/// A parsed header.
pub(crate) struct Header {
    pub(crate) chunk_exp: u8,
    pub(crate) commitment: [u8; 32],
    pub(crate) recipients: Vec<Recipient>,
    /// The header bytes up to the tag (what the tag covers, with the AD).
    pub(crate) bytes: Vec<u8>,
    pub(crate) tag: [u8; 32],
}

impl Header {
    pub(crate) fn chunk_len(&self) -> usize {
        chunk_len(self.chunk_exp)
    }
}

/// `2^chunk_exp`; `chunk_exp` is checked to be at most
/// [`MAX_CHUNK_EXP`] wherever it comes from, and saturates past that.
pub(crate) fn chunk_len(chunk_exp: u8) -> usize {
    1usize
        .checked_shl(u32::from(chunk_exp))
        .unwrap_or(usize::MAX)
}

/// Encodes a header for `recipients`, wrapping `data_key` to each.
pub(crate) fn encode(
    chunk_exp: u8,
    commitment: &[u8; 32],
    recipients: &[(KeyId, Vec<u8>)],
    header_key: &[u8; 32],
    ad: &[u8],
) -> Result<Vec<u8>> {
    let count = u8::try_from(recipients.len()).map_err(|_| Error::internal("recipient count"))?;
    // At most MAX_RECIPIENTS entries of at most 32 + 2 + 1024 bytes: a hint.
    let entries = recipients.len().saturating_mul(32 + 2 + 512);
    let mut out = Vec::with_capacity(entries.saturating_add(FIXED_LEN + 32));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[VERSION, SUITE, chunk_exp]);
    out.extend_from_slice(commitment);
    out.push(count);
    for (id, wrapped) in recipients {
        let len =
            u16::try_from(wrapped.len()).map_err(|_| Error::internal("wrapped key length"))?;
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(wrapped);
    }
    let tag = header_tag(header_key, &out, ad)?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// HMAC-SHA256(header key, header bytes || u64be(len(ad)) || ad).
pub(crate) fn header_tag(header_key: &[u8; 32], header: &[u8], ad: &[u8]) -> Result<[u8; 32]> {
    let ad_len = u64::try_from(ad.len()).unwrap_or(u64::MAX).to_be_bytes();
    Selected::hmac_sha256(header_key, &[header, &ad_len, ad])
}

/// The AES-GCM associated data of every chunk: SHA-256 of the fixed header
/// part and the caller's associated data.
pub(crate) fn payload_aad(header: &[u8], ad: &[u8]) -> [u8; 32] {
    let fixed = header.get(..FIXED_LEN - 1).unwrap_or(header);
    Sha256::new()
        .chain_update(fixed)
        .chain_update(u64::try_from(ad.len()).unwrap_or(u64::MAX).to_be_bytes())
        .chain_update(ad)
        .finalize()
        .into()
}

fn read_exact<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<()> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => refuse("truncated header"),
        _ => Error::internal("reading the envelope failed"),
    })
}

/// Reads and checks a header's structure (not yet its tag) from `r`. Every
/// length is checked before it is used; nothing here does RSA work.
pub(crate) fn read_header<R: Read>(r: &mut R) -> Result<Header> {
    let mut fixed = [0u8; FIXED_LEN];
    read_exact(r, &mut fixed)?;
    let (magic, rest) = fixed.split_at(5);
    if magic != MAGIC {
        return Err(refuse("not a seckit envelope"));
    }
    let [version, suite, chunk_exp, tail @ ..] = rest else {
        return Err(refuse("malformed header"));
    };
    if *version != VERSION {
        return Err(refuse("unsupported envelope version"));
    }
    if *suite != SUITE {
        return Err(refuse("unsupported algorithm suite"));
    }
    if !(MIN_CHUNK_EXP..=MAX_CHUNK_EXP).contains(chunk_exp) {
        return Err(refuse("unsupported chunk size"));
    }
    let (commitment_bytes, count) = tail.split_at(32);
    let mut commitment = [0u8; 32];
    commitment.copy_from_slice(commitment_bytes);
    let count = usize::from(count.first().copied().unwrap_or(0));
    if count == 0 {
        return Err(refuse("malformed header: no recipients"));
    }
    if count > MAX_RECIPIENTS {
        return Err(refuse("too many recipients"));
    }
    let mut bytes = fixed.to_vec();
    let mut recipients = Vec::with_capacity(count);
    for _ in 0..count {
        let mut id = [0u8; 32];
        read_exact(r, &mut id)?;
        let mut len = [0u8; 2];
        read_exact(r, &mut len)?;
        let len = usize::from(u16::from_be_bytes(len));
        // Wrapped keys are exactly a modulus long: 2048 to 8192 bits.
        if !(256..=1024).contains(&len) {
            return Err(refuse("malformed header: wrapped key length"));
        }
        let mut wrapped = vec![0u8; len];
        read_exact(r, &mut wrapped)?;
        bytes.extend_from_slice(&id);
        bytes.extend_from_slice(&(u16::try_from(len).unwrap_or(0)).to_be_bytes());
        bytes.extend_from_slice(&wrapped);
        recipients.push(Recipient {
            id: KeyId::from_bytes(id),
            wrapped,
        });
    }
    let mut tag = [0u8; 32];
    read_exact(r, &mut tag)?;
    Ok(Header {
        chunk_exp: *chunk_exp,
        commitment,
        recipients,
        bytes,
        tag,
    })
}

/// Unwraps the data key with the first recipient the keyring holds, checks
/// the key commitment and the header tag, and returns the key schedule and
/// the data key.
pub(crate) fn unlock(
    header: &Header,
    keyring: &Keyring,
    ad: &[u8],
) -> Result<(Schedule, Zeroizing<Vec<u8>>)> {
    let (recipient, key) = header
        .recipients
        .iter()
        .find_map(|r| keyring.get(&r.id).map(|k| (r, k)))
        .ok_or_else(|| refuse("no recipient matches the keyring"))?;
    if recipient.wrapped.len() != key.public_key().size() {
        return Err(refuse("wrapped key length does not match the key"));
    }
    let data_key = Selected::unwrap(key.inner(), &recipient.wrapped)?;
    if data_key.len() != DATA_KEY_LEN {
        return Err(refuse("could not unwrap the data key"));
    }
    let keys = schedule(&data_key)?;
    if !bool::from(keys.commitment.ct_eq(&header.commitment)) {
        return Err(refuse("key commitment mismatch"));
    }
    let tag = header_tag(&keys.header_key, &header.bytes, ad)?;
    if !bool::from(tag.ct_eq(&header.tag)) {
        return Err(refuse("header authentication failed"));
    }
    Ok((keys, data_key))
}

/// Wraps `data_key` to each recipient with RSA-OAEP-SHA256, in the order
/// given.
pub(crate) fn wrap(recipients: &[&PublicKey], data_key: &[u8]) -> Result<Vec<(KeyId, Vec<u8>)>> {
    if recipients.is_empty() {
        return Err(Error::invalid("recipients", "empty"));
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(Error::invalid_limit(
            "recipients",
            "too_many",
            MAX_RECIPIENTS,
        ));
    }
    // The same key twice only makes the header longer, and says the
    // caller lost track of its list: refuse it (readers would use the first).
    for (i, a) in recipients.iter().enumerate() {
        if recipients
            .iter()
            .skip(i.saturating_add(1))
            .any(|b| b.key_id() == a.key_id())
        {
            return Err(Error::invalid("recipients", "duplicate"));
        }
    }
    recipients
        .iter()
        .map(|pk| Ok((pk.key_id(), Selected::wrap(pk.inner(), data_key)?)))
        .collect()
}
