//! The STREAM payload: fixed-size AES-256-GCM chunks, counter nonces and a
//! last-chunk flag. One-shot sealing and opening are this with a buffer.

use std::io::{self, Read, Write};

use aes_gcm::aead::{AeadInOut as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use zeroize::{Zeroize as _, Zeroizing};

use super::format::{self, Header, Schedule, TAG_LEN, refuse};
use super::keys::{Keyring, PublicKey};
use crate::{Error, Result};

/// The nonce of chunk `counter`: 3 zero bytes, the counter (u64 BE), and
/// 1 if this is the last chunk.
fn nonce(counter: u64, last: bool) -> Nonce<aes_gcm::aead::consts::U12> {
    let mut n = [0u8; 12];
    if let Some(c) = n.get_mut(3..11) {
        c.copy_from_slice(&counter.to_be_bytes());
    }
    if let Some(flag) = n.get_mut(11) {
        *flag = u8::from(last);
    }
    n.into()
}

fn io_err(e: &io::Error) -> Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        refuse("truncated")
    } else {
        Error::internal("envelope i/o failed")
    }
}

/// Seals to a [`Write`] as data arrives: [`Write`] the plaintext, then call
/// [`finish`](Sealer::finish) (without it the envelope is incomplete and
/// will not open). Memory: one chunk (64 KiB) plus its tag.
///
/// # Example
///
/// ```
/// use std::io::Write as _;
/// use seckit::envelope::{PublicKey, Sealer};
///
/// let alice = PublicKey::from_pem(include_str!("../../tests/fixtures/envelope/rsa3072-public.pem"))?;
/// let mut sealer = Sealer::new(&[&alice], Vec::new(), b"backup 2026-11-23")?;
/// sealer.write_all(b"row 1\n").unwrap();
/// sealer.write_all(b"row 2\n").unwrap();
/// let envelope: Vec<u8> = sealer.finish()?;
/// # Ok::<(), seckit::Error>(())
/// ```
pub struct Sealer<W: Write> {
    out: W,
    cipher: Aes256Gcm,
    aad: [u8; 32],
    buf: Zeroizing<Vec<u8>>,
    chunk_len: usize,
    counter: u64,
}

impl<W: Write> std::fmt::Debug for Sealer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("chunks_written", &self.counter)
            .finish_non_exhaustive()
    }
}

impl<W: Write> Sealer<W> {
    /// Writes the header for `recipients` (1 to 16) and returns a sealer
    /// bound to the associated data `ad` (which must be given again to open).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for no or too many recipients; `Internal` if the OS
    /// random generator or the writer fails.
    pub fn new(recipients: &[&PublicKey], out: W, ad: &[u8]) -> Result<Self> {
        Self::with_chunk_exp(recipients, out, ad, format::DEFAULT_CHUNK_EXP)
    }

    /// [`Sealer::new`] with chunks of `2^chunk_exp` bytes, `chunk_exp` from
    /// 10 (1 KiB) to 24 (16 MiB); the default is 16 (64 KiB). Openers need
    /// two chunks of memory, so keep it small unless you measured a gain.
    ///
    /// # Errors
    ///
    /// As [`Sealer::new`], and `InvalidInput` (`chunk_exp.out_of_range`).
    pub fn with_chunk_exp(
        recipients: &[&PublicKey],
        mut out: W,
        ad: &[u8],
        chunk_exp: u8,
    ) -> Result<Self> {
        if !(format::MIN_CHUNK_EXP..=format::MAX_CHUNK_EXP).contains(&chunk_exp) {
            return Err(Error::invalid("chunk_exp", "out_of_range"));
        }
        let mut data_key = Zeroizing::new([0u8; format::DATA_KEY_LEN]);
        crate::random::fill(&mut *data_key)?;
        let wrapped = format::wrap(recipients, &*data_key)?;
        let keys = format::schedule(&*data_key);
        let header = format::encode(chunk_exp, &keys.commitment, &wrapped, &keys.header_key, ad)?;
        out.write_all(&header).map_err(|e| io_err(&e))?;
        Ok(Self::resume(out, &keys, &header, ad, chunk_exp))
    }

    /// A sealer continuing after a header already written.
    fn resume(out: W, keys: &Schedule, header: &[u8], ad: &[u8], chunk_exp: u8) -> Self {
        let chunk_len = 1usize << chunk_exp;
        Self {
            out,
            cipher: Aes256Gcm::new((&*keys.payload_key).into()),
            aad: format::payload_aad(header, ad),
            buf: Zeroizing::new(Vec::with_capacity(chunk_len + TAG_LEN)),
            chunk_len,
            counter: 0,
        }
    }

    fn emit(&mut self, last: bool) -> io::Result<()> {
        let tag = self
            .cipher
            .encrypt_inout_detached(
                &nonce(self.counter, last),
                &self.aad,
                self.buf.as_mut_slice().into(),
            )
            .map_err(|_| io::Error::other("seckit: chunk encryption failed"))?;
        self.buf.extend_from_slice(&tag);
        self.out.write_all(&self.buf)?;
        // The buffer now holds ciphertext only: no need to wipe it here
        // (Zeroizing wipes it on drop, when it may hold plaintext).
        self.buf.clear();
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| io::Error::other("seckit: chunk counter overflow"))?;
        Ok(())
    }

    /// Seals the last chunk, flushes, and returns the writer.
    ///
    /// # Errors
    ///
    /// `Internal` if writing fails.
    ///
    /// # Example
    ///
    /// ```
    /// use std::io::Write as _;
    /// use seckit::envelope::{PublicKey, Sealer};
    ///
    /// let public = PublicKey::from_pem(include_str!("../../tests/fixtures/envelope/rsa3072-public.pem"))?;
    /// let mut sealer = Sealer::new(&[&public], Vec::new(), b"log-2026-11-23")?;
    /// for line in ["a\n", "b\n"] {
    ///     sealer.write_all(line.as_bytes())?;
    /// }
    /// let envelope = sealer.finish()?; // without this the envelope does not open
    /// # let _ = envelope;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(mut self) -> Result<W> {
        self.emit(true).map_err(|e| io_err(&e))?;
        self.out.flush().map_err(|e| io_err(&e))?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Sealer<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut rest = data;
        while !rest.is_empty() {
            // A full chunk is sealed only once more data arrives: the last
            // chunk must carry the last flag, and only finish() knows it.
            if self.buf.len() == self.chunk_len {
                self.emit(false)?;
            }
            let take = (self.chunk_len - self.buf.len()).min(rest.len());
            let (now, later) = rest.split_at(take);
            self.buf.extend_from_slice(now);
            rest = later;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads an envelope from `input`, writes its plaintext to `output` one
/// authenticated chunk at a time, and returns the plaintext length.
///
/// **What you may rely on when this fails:** every byte written to `output`
/// was authenticated as part of this envelope, in order, but the plaintext
/// may be *incomplete* (a truncated or tampered stream fails at the chunk
/// where it goes wrong). Treat `output` as garbage unless this returns `Ok`:
/// write to a temporary place and publish only on success, as
/// [`open_file`](super::open_file) does. Memory: two chunks (128 KiB) plus
/// the header.
///
/// # Errors
///
/// `Unauthenticated` (context `envelope`) for anything wrong with the
/// envelope, its keys or `ad`; `Internal` for I/O errors.
///
/// # Example
///
/// ```
/// use seckit::envelope::{self, Keyring, PrivateKey};
///
/// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
/// let key = PrivateKey::from_pem(&pem, None)?;
/// let sealed = envelope::seal_stream(&[key.public_key()], &b"row 1\nrow 2\n"[..], Vec::new(), b"rows")?;
/// let mut plaintext = Vec::new(); // in a service: a temporary file, published on Ok only
/// let n = envelope::open_stream(&Keyring::from(key), &sealed[..], &mut plaintext, b"rows")?;
/// assert_eq!(n, 12);
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn open_stream<R: Read, W: Write>(
    keyring: &Keyring,
    mut input: R,
    mut output: W,
    ad: &[u8],
) -> Result<u64> {
    let header = format::read_header(&mut input)?;
    let (keys, _) = format::unlock(&header, keyring, ad)?;
    let n = decrypt_payload(&header, &keys, ad, &mut input, &mut output)?;
    output.flush().map_err(|e| io_err(&e))?;
    Ok(n)
}

/// Checks and decrypts one chunk (ciphertext then tag) in place; returns
/// the plaintext length. The one rule set both openers use.
fn open_chunk(
    cipher: &Aes256Gcm,
    aad: &[u8; 32],
    counter: u64,
    last: bool,
    chunk: &mut [u8],
) -> Result<usize> {
    let Some(body_len) = chunk.len().checked_sub(TAG_LEN) else {
        return Err(refuse(if counter == 0 {
            "truncated: no payload"
        } else {
            "truncated"
        }));
    };
    if last && body_len == 0 && counter > 0 {
        return Err(refuse("malformed payload: empty final chunk"));
    }
    let (body, tag) = chunk.split_at_mut(body_len);
    let tag = Tag::<aes_gcm::aead::consts::U16>::try_from(&*tag)
        .map_err(|_| refuse("malformed payload"))?;
    cipher
        .decrypt_inout_detached(&nonce(counter, last), aad, body.into(), &tag)
        .map_err(|_| refuse("payload authentication failed"))?;
    Ok(body_len)
}

fn decrypt_payload<R: Read, W: Write>(
    header: &Header,
    keys: &Schedule,
    ad: &[u8],
    input: &mut R,
    output: &mut W,
) -> Result<u64> {
    let cipher = Aes256Gcm::new((&*keys.payload_key).into());
    let aad = format::payload_aad(&header.bytes, ad);
    let full = header.chunk_len() + TAG_LEN;
    // One chunk plus one byte of look-ahead tells whether it is the last.
    let mut buf = Zeroizing::new(vec![0u8; full + 1]);
    let mut have = fill(input, buf.as_mut_slice())?;
    let mut counter = 0u64;
    let mut total = 0u64;
    loop {
        let last = have <= full;
        let len = have.min(full);
        let (chunk, rest) = buf.split_at_mut(len);
        let body_len = open_chunk(&cipher, &aad, counter, last, chunk)?;
        let body = chunk.get_mut(..body_len).unwrap_or_default();
        output.write_all(body).map_err(|e| io_err(&e))?;
        body.zeroize();
        total = total.saturating_add(u64::try_from(body.len()).unwrap_or(u64::MAX));
        if last {
            return Ok(total);
        }
        // Move the look-ahead byte to the front and read the next chunk.
        let carry = rest.first().copied().unwrap_or(0);
        let (first, tail) = buf.split_at_mut(1);
        if let Some(b) = first.first_mut() {
            *b = carry;
        }
        have = 1 + fill(input, tail)?;
        counter = counter
            .checked_add(1)
            .ok_or_else(|| refuse("malformed payload: too many chunks"))?;
    }
}

impl Sealer<Vec<u8>> {
    /// One-shot sealing straight into the output vector: each chunk is
    /// copied once and encrypted in place there.
    pub(crate) fn seal_slice(mut self, plaintext: &[u8]) -> Result<Vec<u8>> {
        let failed = || Error::internal("chunk encryption failed");
        let chunks: Vec<&[u8]> = if plaintext.is_empty() {
            vec![&[]]
        } else {
            plaintext.chunks(self.chunk_len).collect()
        };
        let n = chunks.len();
        self.out
            .reserve(plaintext.len().saturating_add(n.saturating_mul(TAG_LEN)));
        for (i, chunk) in chunks.into_iter().enumerate() {
            let start = self.out.len();
            self.out.extend_from_slice(chunk);
            let body = self.out.get_mut(start..).ok_or_else(failed)?;
            let tag = self
                .cipher
                .encrypt_inout_detached(
                    &nonce(u64::try_from(i).map_err(|_| failed())?, i + 1 == n),
                    &self.aad,
                    body.into(),
                )
                .map_err(|_| failed())?;
            self.out.extend_from_slice(&tag);
        }
        Ok(std::mem::take(&mut self.out))
    }
}

/// One-shot opening of a whole envelope held in memory: the payload is
/// copied once into the result and decrypted in place there. Same rules as
/// [`open_stream`]; on failure the partial result is wiped.
pub(crate) fn open_slice(
    keyring: &Keyring,
    ad: &[u8],
    envelope: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let mut input = envelope;
    let header = format::read_header(&mut input)?;
    let (keys, _) = format::unlock(&header, keyring, ad)?;
    let cipher = Aes256Gcm::new((&*keys.payload_key).into());
    let aad = format::payload_aad(&header.bytes, ad);
    let full = header.chunk_len() + TAG_LEN;
    if input.is_empty() {
        return Err(refuse("truncated: no payload"));
    }
    let mut out = Zeroizing::new(Vec::with_capacity(input.len()));
    let count = input.len().div_ceil(full);
    for (i, chunk) in input.chunks(full).enumerate() {
        let start = out.len();
        out.extend_from_slice(chunk);
        let counter = u64::try_from(i).unwrap_or(u64::MAX);
        let in_place = out
            .get_mut(start..)
            .ok_or_else(|| refuse("malformed payload"))?;
        let body_len = open_chunk(&cipher, &aad, counter, i + 1 == count, in_place)?;
        out.truncate(start + body_len);
    }
    Ok(out)
}

/// Reads until `buf` is full or the input ends.
fn fill<R: Read>(input: &mut R, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let Some(free) = buf.get_mut(n..) else { break };
        match input.read(free) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_err(&e)),
        }
    }
    Ok(n)
}

/// Re-encrypts only the header: opens the header with `keyring`, wraps the
/// same data key to `recipients` and copies the payload unchanged.
pub(crate) fn rewrap_stream<R: Read, W: Write>(
    keyring: &Keyring,
    ad: &[u8],
    recipients: &[&PublicKey],
    mut input: R,
    mut output: W,
) -> Result<()> {
    let header = format::read_header(&mut input)?;
    let (keys, data_key) = format::unlock(&header, keyring, ad)?;
    let wrapped = format::wrap(recipients, &data_key)?;
    let new_header = format::encode(
        header.chunk_exp,
        &keys.commitment,
        &wrapped,
        &keys.header_key,
        ad,
    )?;
    output.write_all(&new_header).map_err(|e| io_err(&e))?;
    io::copy(&mut input, &mut output).map_err(|e| io_err(&e))?;
    output.flush().map_err(|e| io_err(&e))
}
