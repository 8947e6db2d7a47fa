//! The Argon2 and bcrypt computations, with Argon2's memory reused per thread.

use std::cell::RefCell;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use crate::{Error, Result};

thread_local! {
    /// Argon2 memory reused across calls on this thread. Fresh allocations
    /// of 19 to 64 MiB cost page faults on every hash; reusing the blocks
    /// avoids them. The blocks are cleared after every use.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// An Argon2 instance for these inputs.
pub(crate) fn argon2<'k>(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    secret: Option<&'k [u8]>,
) -> Result<Argon2<'k>> {
    match secret {
        Some(secret) => {
            Argon2::new_with_secret(secret, algorithm, version, params).map_err(|_| Error::Crypto {
                context: "argon2 hashing failed",
            })
        }
        None => Ok(Argon2::new(algorithm, version, params)),
    }
}

/// Computes an Argon2 tag of `out.len()` bytes into `out`, in this thread's
/// reused memory. Afterwards the memory is cleared, and released altogether
/// when it holds more than `retain_blocks` blocks: a hasher keeps what its own
/// parameters need, not the 256 MiB a legacy hash once asked for.
pub(crate) fn argon2_into(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    retain_blocks: usize,
) -> Result<()> {
    let count = argon.params().block_count();
    BLOCKS.with(|cell| {
        // Re-entrancy is impossible (no callbacks run inside), but if the
        // buffer is somehow busy, fall back to a fresh allocation.
        let Ok(mut blocks) = cell.try_borrow_mut() else {
            let mut fresh = Vec::new();
            grow(&mut fresh, count)?;
            let result = hash_with(argon, password, salt, out, &mut fresh, count);
            clear(&mut fresh);
            return result;
        };
        grow(&mut blocks, count)?;
        let result = hash_with(argon, password, salt, out, &mut blocks, count);
        clear(&mut blocks);
        if blocks.len() > retain_blocks {
            *blocks = Vec::new();
        }
        result
    })
}

/// Releases this thread's Argon2 memory.
pub(crate) fn release() {
    BLOCKS.with(|cell| {
        if let Ok(mut blocks) = cell.try_borrow_mut() {
            *blocks = Vec::new();
        }
    });
}

fn hash_with(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    blocks: &mut [Block],
    count: usize,
) -> Result<()> {
    let memory = blocks
        .get_mut(..count)
        .ok_or(Error::internal("argon2 memory too small"))?;
    argon
        .hash_password_into_with_memory(password, salt, out, memory)
        .map_err(|_| Error::Crypto {
            context: "argon2 hashing failed",
        })
}

/// Grows `blocks` to at least `count`, reporting allocation failure as an
/// error instead of aborting.
fn grow(blocks: &mut Vec<Block>, count: usize) -> Result<()> {
    if blocks.len() < count {
        let more = count.saturating_sub(blocks.len());
        blocks
            .try_reserve_exact(more)
            .map_err(|_| Error::internal("out of memory for argon2"))?;
        blocks.resize(count, Block::new());
    }
    Ok(())
}

/// Clears the blocks. A plain fill is enough: the buffer stays reachable (it
/// is reused), so the writes cannot be optimized away, and it avoids the
/// per-word volatile writes of `zeroize`, which would cost more than the
/// allocation this buffer saves. Freed buffers are cleared the same way
/// before being dropped.
fn clear(blocks: &mut [Block]) {
    for block in blocks {
        block.as_mut().fill(0);
    }
}

/// Formats a PHC string: `$argon2id$v=19$m=..,t=..,p=..[,keyid=..]$salt$tag`.
pub(crate) fn phc_string(params: &Params, keyid: Option<&[u8]>, salt: &[u8], tag: &[u8]) -> String {
    let mut s = format!(
        "$argon2id$v=19$m={},t={},p={}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost()
    );
    if let Some(keyid) = keyid {
        s.push_str(",keyid=");
        STANDARD_NO_PAD.encode_string(keyid, &mut s);
    }
    s.push('$');
    STANDARD_NO_PAD.encode_string(salt, &mut s);
    s.push('$');
    STANDARD_NO_PAD.encode_string(tag, &mut s);
    s
}

/// bcrypt of `password` (already checked to be at most 72 bytes when
/// hashing) with `salt`, as a `$2b$` string.
pub(crate) fn bcrypt_hash(password: &[u8], cost: u32, salt: [u8; 16]) -> Result<String> {
    let parts = bcrypt::hash_with_salt(password, cost, salt).map_err(|_| Error::Crypto {
        context: "bcrypt hashing failed",
    })?;
    Ok(parts.format_for_version(bcrypt::Version::TwoB))
}

/// Whether `password` matches a stored bcrypt hash, following the reference
/// implementations: only the first 72 bytes count.
pub(crate) fn bcrypt_matches(password: &[u8], stored: &str) -> Result<bool> {
    // bcrypt::verify parses again (the caller already checked the cost
    // limits) and wipes its own copy of the password.
    bcrypt::verify(password, stored).map_err(|_| super::stored::corrupt("malformed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// RFC 9106 §5 test vectors: m = 32 KiB, t = 3, p = 4, password 32 × 0x01,
    /// salt 16 × 0x02, secret 8 × 0x03, associated data 12 × 0x04, 32-byte
    /// tag, version 0x13. Run through the reused-memory path, twice, so the
    /// second run proves the cleared buffer carries nothing over.
    #[test]
    fn rfc9106_vectors() {
        let cases = [
            (
                Algorithm::Argon2d,
                "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb",
            ),
            (
                Algorithm::Argon2i,
                "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8",
            ),
            (
                Algorithm::Argon2id,
                "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659",
            ),
        ];
        for _ in 0..2 {
            for (algorithm, want) in cases {
                let params = argon2::ParamsBuilder::new()
                    .m_cost(32)
                    .t_cost(3)
                    .p_cost(4)
                    .data(argon2::AssociatedData::new(&[4; 12]).unwrap())
                    .output_len(32)
                    .build()
                    .unwrap();
                let argon = argon2(algorithm, Version::V0x13, params, Some(&[3; 8])).unwrap();
                let mut out = [0u8; 32];
                argon2_into(&argon, &[1; 32], &[2; 16], &mut out, usize::MAX).unwrap();
                assert_eq!(hex(&out), want, "{algorithm:?}");
            }
        }
    }

    #[test]
    fn memory_is_cleared_and_retained_only_up_to_the_limit() {
        let hash = |m: u32, retain: usize| {
            let params = Params::new(m, 1, 1, Some(32)).unwrap();
            let argon = argon2(Algorithm::Argon2id, Version::V0x13, params, None).unwrap();
            let mut out = [0u8; 32];
            argon2_into(&argon, b"pw", b"saltsalt", &mut out, retain).unwrap();
        };
        hash(2048, 1024);
        BLOCKS.with(|b| assert!(b.borrow().is_empty(), "over the limit: released"));
        hash(1024, 1024);
        BLOCKS.with(|b| {
            let blocks = b.borrow();
            assert_eq!(blocks.len(), 1024, "within the limit: kept");
            assert!(
                blocks
                    .iter()
                    .all(|blk| blk.as_ref().iter().all(|&w| w == 0)),
                "cleared after use"
            );
        });
        release();
        BLOCKS.with(|b| assert!(b.borrow().is_empty()));
    }

    #[test]
    fn phc_format() {
        let params = Params::new(19456, 2, 1, Some(4)).unwrap();
        assert_eq!(
            phc_string(&params, None, b"saltsalt", &[1, 2, 3, 4]),
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$AQIDBA"
        );
        assert_eq!(
            phc_string(&params, Some(b"k1"), b"saltsalt", &[1, 2, 3, 4]),
            "$argon2id$v=19$m=19456,t=2,p=1,keyid=azE$c2FsdHNhbHQ$AQIDBA"
        );
    }
}
