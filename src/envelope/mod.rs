//! Envelope encryption: anyone with a public key can seal data that only
//! the private-key holder can open. RSA-OAEP-SHA256 wraps a fresh 256-bit
//! data key per envelope; the payload is AES-256-GCM in 64 KiB chunks
//! (the STREAM construction), so files of any size stream in bounded memory.
//!
//! What this module refuses: RSA keys under 2048 or over 8192 bits,
//! non-RSA and RSA-PSS-restricted keys, encrypted keys without a passphrase
//! (at import, `Configuration`); and at open (`Unauthenticated`, one public
//! message): a changed byte anywhere, a different associated data, a
//! truncated, extended, reordered or spliced payload, an unknown recipient,
//! more than 16 recipients or a wrapped key of the wrong length (both
//! checked before any RSA work), an unknown version or suite, trailing
//! bytes, and non-canonical armor.
//!
//! Every envelope commits to its data key (an HKDF-derived commitment in the
//! header, checked in constant time before anything is decrypted), so no
//! envelope can open to two different plaintexts under two keys. The header
//! (recipients included) is authenticated with an HMAC keyed from the data
//! key, so [`rewrap`] can move an envelope to new recipients without
//! touching the payload. docs/envelope-format.md specifies every byte.
//!
//! The cryptography is aws-lc-rs by default (feature `envelope`: AWS-LC's
//! assembly AES-GCM and constant-time RSA, the stack `jwt` uses too), or
//! pure-Rust RustCrypto (feature `envelope-rustcrypto` without `envelope`,
//! for targets without a C toolchain). The byte format, the API and every
//! refusal are the same with either; only the speed differs.
//!
//! # Example
//!
//! ```
//! use seckit::envelope::{self, Keyring, PrivateKey, PublicKey};
//!
//! let public = PublicKey::from_pem(include_str!("../../tests/fixtures/envelope/rsa3072-public.pem"))?;
//! let sealed = envelope::seal(&[&public], b"card 4242", b"customer:42")?;
//!
//! let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
//! let keyring = Keyring::from(PrivateKey::from_pem(&pem, None)?);
//! let opened = envelope::open(&keyring, &sealed, b"customer:42")?;
//! assert_eq!(opened.expose_secret().as_slice(), b"card 4242");
//! // The same envelope presented as another customer's does not open.
//! assert!(envelope::open(&keyring, &sealed, b"customer:43").is_err());
//! # Ok::<(), seckit::Error>(())
//! ```

mod armor;
mod backend;
mod file;
mod format;
mod keys;
mod stream;

use std::path::Path;

pub use armor::{MAX_ARMOR_LEN, from_armor, to_armor};
pub use format::MAX_RECIPIENTS;
pub use keys::{DEFAULT_BITS, KeyId, Keyring, MAX_BITS, MIN_IMPORT_BITS, PrivateKey, PublicKey};
pub use stream::{DEFAULT_MAX_CHUNK_LEN, MAX_CHUNK_LEN, Opener, Sealer, open_stream};

use crate::{Result, SecretBytes};

/// Seals `plaintext` to every key in `recipients` (1 to 16), bound to the
/// associated data `ad` (a record id, a file name: anything the opener
/// knows and that must match; not encrypted, not stored).
///
/// # Errors
///
/// `InvalidInput` for no or too many recipients; `Internal` if the OS
/// random generator fails.
///
/// # Example
///
/// ```
/// use seckit::envelope::{self, PublicKey};
///
/// let alice = PublicKey::from_pem(include_str!("../../tests/fixtures/envelope/rsa3072-public.pem"))?;
/// let backup = PublicKey::from_pem(include_str!("../../tests/fixtures/envelope/rsa2048-public.pem"))?;
/// // Either private key opens it; the record id is bound, not stored.
/// let sealed = envelope::seal(&[&alice, &backup], b"card 4242", b"record:7")?;
/// # let _ = sealed;
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn seal(recipients: &[&PublicKey], plaintext: &[u8], ad: &[u8]) -> Result<Vec<u8>> {
    Sealer::new(recipients, Vec::new(), ad)?.seal_slice(plaintext)
}

/// Opens an envelope with any key of `keyring` (a [`PrivateKey`] converts
/// into a one-key keyring). Nothing is returned unless the whole envelope
/// authenticates: no partial plaintext. Envelopes with chunks over 1 MiB
/// are refused; an [`Opener`] sets other limits.
///
/// # Errors
///
/// `Unauthenticated` (context `envelope`) with a log-safe reason for any
/// failure: wrong key, tampering, other `ad`, truncation, trailing data.
///
/// # Example
///
/// ```
/// use seckit::envelope::{self, Keyring, PrivateKey};
///
/// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
/// let key = PrivateKey::from_pem(&pem, None)?;
/// let sealed = envelope::seal(&[key.public_key()], b"card 4242", b"record:7")?;
/// let keyring = Keyring::from(key);
/// let opened = envelope::open(&keyring, &sealed, b"record:7")?;
/// assert!(opened == b"card 4242".as_slice());
/// let err = envelope::open(&keyring, &sealed, b"record:8").unwrap_err();
/// assert_eq!(err.kind(), seckit::ErrorKind::Unauthenticated);
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn open(keyring: &Keyring, envelope: &[u8], ad: &[u8]) -> Result<SecretBytes> {
    Opener::new(keyring).open(envelope, ad)
}

/// Moves an envelope to new `recipients` (key rotation) without touching
/// the payload: the data key is unwrapped with `keyring` and wrapped again.
/// The result opens with the new keys only; `ad` must be the one it was
/// sealed with.
///
/// # Errors
///
/// As [`open`] for the old envelope's header, and as [`seal`] for `recipients`.
///
/// # Example
///
/// ```
/// use seckit::envelope::{self, Keyring, PrivateKey};
///
/// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
/// let old = PrivateKey::from_pem(&pem, None)?;
/// let pem2 = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa2048-private.pem"));
/// let new = PrivateKey::from_pem(&pem2, None)?;
/// let sealed = envelope::seal(&[old.public_key()], b"data", b"")?;
/// let moved = envelope::rewrap(&Keyring::from(old.clone()), &sealed, &[new.public_key()], b"")?;
/// assert!(envelope::open(&Keyring::from(new), &moved, b"")?.expose_secret().as_slice() == b"data");
/// assert!(envelope::open(&Keyring::from(old), &moved, b"").is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn rewrap(
    keyring: &Keyring,
    envelope: &[u8],
    recipients: &[&PublicKey],
    ad: &[u8],
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(envelope.len());
    stream::rewrap_stream(keyring, ad, recipients, envelope, &mut out)?;
    Ok(out)
}

/// [`rewrap`] in bounded memory: reads the envelope from `input`, writes
/// the rewrapped one to `output` (a new header, then the payload copied
/// unchanged). Only the header is checked: the payload is not decrypted, so
/// a damaged payload is copied as it is and fails when opened.
///
/// # Errors
///
/// As [`rewrap`], and `Internal` for I/O errors.
///
/// # Example
///
/// ```
/// use seckit::envelope::{self, Keyring, PrivateKey};
///
/// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
/// let old = PrivateKey::from_pem(&pem, None)?;
/// let pem2 = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa2048-private.pem"));
/// let new = PrivateKey::from_pem(&pem2, None)?;
/// let sealed = envelope::seal(&[old.public_key()], b"backup", b"")?;
/// let mut moved = Vec::new();
/// envelope::rewrap_stream(&Keyring::from(old), &sealed[..], &mut moved, &[new.public_key()], b"")?;
/// assert!(envelope::open(&Keyring::from(new), &moved, b"")? == b"backup".as_slice());
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn rewrap_stream<R: std::io::Read, W: std::io::Write>(
    keyring: &Keyring,
    input: R,
    output: W,
    recipients: &[&PublicKey],
    ad: &[u8],
) -> Result<()> {
    stream::rewrap_stream(keyring, ad, recipients, input, output)
}

/// Seals everything `input` yields to `output`, in bounded memory; returns
/// the writer.
///
/// # Errors
///
/// As [`seal`], and `Internal` for I/O errors.
///
/// # Example
///
/// ```
/// use seckit::envelope::{self, PublicKey};
///
/// let public = PublicKey::from_pem(include_str!("../../tests/fixtures/envelope/rsa3072-public.pem"))?;
/// let dump: &[u8] = b"id,name\n1,Ada\n"; // any Read: a File, a socket
/// let sealed: Vec<u8> = envelope::seal_stream(&[&public], dump, Vec::new(), b"dump.csv")?;
/// # let _ = sealed;
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn seal_stream<R: std::io::Read, W: std::io::Write>(
    recipients: &[&PublicKey],
    input: R,
    output: W,
    ad: &[u8],
) -> Result<W> {
    Sealer::new(recipients, output, ad)?.seal_reader(input)
}

/// Opens the envelope at `src` into `dst` so that `dst` exists only if the
/// whole envelope authenticated: the plaintext goes to a new file beside
/// `dst` (created with mode 0600 on Unix, so only the owner can read it
/// while it is written), is synced, and is renamed onto `dst` on success,
/// after which the directory is synced too, so the rename survives a crash;
/// on failure the temporary file is deleted. Returns the plaintext length.
///
/// The temporary file is `.<name>.<16 hex digits>.partial`, with `<name>`
/// shortened as needed to keep within the 255-byte file-name limit, so
/// any `dst` whose own name fits works. `dst` ends with the temporary
/// file's mode, 0600 or stricter (the umask only removes bits): an existing
/// `dst` is replaced by the rename, not rewritten.
///
/// # Errors
///
/// As [`open_stream`]; `Internal` when the files cannot be created,
/// synced or renamed.
///
/// # Example
///
/// ```
/// use std::path::Path;
/// use seckit::envelope::{self, Keyring, PrivateKey};
///
/// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
/// let key = PrivateKey::from_pem(&pem, None)?;
/// let sealed = envelope::seal(&[key.public_key()], b"id\n1\n", b"dump.csv")?;
/// let keyring = Keyring::from(key);
/// let dir = std::env::temp_dir().join(format!("seckit-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let (src, dst) = (dir.join("dump.csv.sk"), dir.join("dump.csv"));
/// std::fs::write(&src, &sealed)?;
/// assert_eq!(envelope::open_file(&keyring, &src, &dst, b"dump.csv")?, 5);
/// // Under the wrong name it fails, and no output file appears.
/// assert!(envelope::open_file(&keyring, &src, &dir.join("other.csv"), b"other.csv").is_err());
/// assert!(!dir.join("other.csv").exists());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_file(keyring: &Keyring, src: &Path, dst: &Path, ad: &[u8]) -> Result<u64> {
    Opener::new(keyring).open_file(src, dst, ad)
}
