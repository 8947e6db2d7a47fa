//! The STREAM payload: fixed-size AES-256-GCM chunks, counter nonces and a
//! last-chunk flag. One-shot sealing and opening are this with a buffer.

use std::io::{self, Read, Write};

use zeroize::{Zeroize as _, Zeroizing};

use super::backend::{Backend, Selected};

use super::format::{self, Header, Schedule, TAG_LEN, refuse};
use super::keys::{Keyring, PublicKey};
use crate::{Error, Result};

/// The nonce of chunk `counter`: 3 zero bytes, the counter (u64 BE), and
/// 1 if this is the last chunk.
fn nonce(counter: u64, last: bool) -> [u8; 12] {
    let mut n = [0u8; 12];
    if let Some(c) = n.get_mut(3..11) {
        c.copy_from_slice(&counter.to_be_bytes());
    }
    if let Some(flag) = n.get_mut(11) {
        *flag = u8::from(last);
    }
    n
}

/// The AES-256-GCM of the selected backend.
type Aead = <Selected as Backend>::Aead;

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
/// After any error from the underlying writer (including
/// [`WouldBlock`](io::ErrorKind::WouldBlock): part of a chunk may have been
/// written) the sealer is **poisoned**: every later `write`, `flush` and
/// `finish` fails, nothing more is buffered, and the envelope written so
/// far must be discarded. Give it a blocking writer.
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
    cipher: Aead,
    aad: [u8; 32],
    /// One chunk and its tag, allocated once: `buf[..filled]` is plaintext
    /// waiting to be sealed; a sealed chunk is written from here.
    buf: Zeroizing<Vec<u8>>,
    filled: usize,
    chunk_len: usize,
    counter: u64,
    /// Set by the first failure; from then on everything fails.
    poisoned: bool,
}

/// What a poisoned [`Sealer`] answers.
fn poisoned() -> io::Error {
    io::Error::other("seckit: the sealer failed earlier; the envelope is incomplete")
}

impl<W: Write> std::fmt::Debug for Sealer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("chunks_written", &self.counter)
            .field("poisoned", &self.poisoned)
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
    /// 10 (1 KiB) to 24 (16 MiB); the default is 16 (64 KiB). An opener
    /// holds one chunk in memory, and refuses chunks over 1 MiB unless told
    /// otherwise ([`Opener::max_chunk_len`]), so keep it small unless you
    /// measured a gain. (One measured gain: with the aws-lc-rs backend on
    /// an AMD EPYC with VAES, 1 MiB chunks (`20`) sealed at 0.73–0.96× the
    /// speed of one raw in-place AES-GCM call, 64 KiB chunks at 0.60–0.75×;
    /// docs/PERFORMANCE.md.)
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
        let keys = format::schedule(&*data_key)?;
        let header = format::encode(chunk_exp, &keys.commitment, &wrapped, &keys.header_key, ad)?;
        out.write_all(&header).map_err(|e| io_err(&e))?;
        Self::resume(out, &keys, &header, ad, chunk_exp)
    }

    /// A sealer continuing after a header already written.
    fn resume(out: W, keys: &Schedule, header: &[u8], ad: &[u8], chunk_exp: u8) -> Result<Self> {
        let chunk_len = format::chunk_len(chunk_exp);
        Ok(Self {
            out,
            cipher: Selected::aead(&keys.payload_key)?,
            aad: format::payload_aad(header, ad),
            buf: Zeroizing::new(vec![0u8; chunk_len.saturating_add(TAG_LEN)]),
            filled: 0,
            chunk_len,
            counter: 0,
            poisoned: false,
        })
    }

    /// Runs `step`, poisoning the sealer when it fails, so a half-written
    /// chunk is never followed by more.
    fn guarded(&mut self, step: impl FnOnce(&mut Self) -> io::Result<()>) -> io::Result<()> {
        if self.poisoned {
            return Err(poisoned());
        }
        let result = step(self);
        if result.is_err() {
            self.poison();
        }
        result
    }

    fn poison(&mut self) {
        self.poisoned = true;
        // It may hold plaintext (a failed encryption) or a chunk that will
        // never be written: wipe it, and keep nothing.
        self.buf.zeroize();
        self.filled = 0;
    }

    /// The next chunk's nonce, counting it.
    fn next_nonce(&mut self, last: bool) -> io::Result<[u8; 12]> {
        let n = nonce(self.counter, last);
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| io::Error::other("seckit: chunk counter overflow"))?;
        Ok(n)
    }

    /// Seals `buf[..len]` in place, puts the tag after it and writes both.
    fn emit_buffered(&mut self, len: usize, last: bool) -> io::Result<()> {
        let nonce = self.next_nonce(last)?;
        let failed = || io::Error::other("seckit: chunk encryption failed");
        let body = self.buf.get_mut(..len).ok_or_else(failed)?;
        let tag =
            Selected::seal_in_place(&self.cipher, &nonce, &self.aad, body).map_err(|_| failed())?;
        let end = len.saturating_add(TAG_LEN);
        self.buf
            .get_mut(len..end)
            .ok_or_else(failed)?
            .copy_from_slice(&tag);
        self.out.write_all(self.buf.get(..end).ok_or_else(failed)?)
    }

    /// Seals a full, non-final chunk straight from the caller's `chunk`
    /// into `buf` (no copy of the plaintext) and writes it.
    fn emit_direct(&mut self, chunk: &[u8]) -> io::Result<()> {
        let nonce = self.next_nonce(false)?;
        let failed = || io::Error::other("seckit: chunk encryption failed");
        let (body, tag_slot) = self.buf.split_at_mut(chunk.len());
        let tag = Selected::seal_out_of_place(&self.cipher, &nonce, &self.aad, chunk, body)
            .map_err(|_| failed())?;
        tag_slot
            .get_mut(..TAG_LEN)
            .ok_or_else(failed)?
            .copy_from_slice(&tag);
        self.out.write_all(&self.buf)
    }

    /// Seals everything `input` yields, reading it straight into the
    /// chunk buffer (one byte past a chunk tells whether it is the last):
    /// no copy beyond the read itself. Returns the plaintext length.
    fn seal_from<R: Read>(&mut self, input: &mut R) -> Result<u64> {
        let mut total = 0u64;
        let want = self.chunk_len.saturating_add(1);
        loop {
            while self.filled < want {
                let free = self.buf.get_mut(self.filled..want).unwrap_or_default();
                match input.read(free) {
                    Ok(0) => return Ok(total),
                    Ok(k) => {
                        self.filled = self.filled.saturating_add(k);
                        total = total.saturating_add(u64::try_from(k).unwrap_or(u64::MAX));
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        self.poison();
                        return Err(Error::internal("sealing i/o failed"));
                    }
                }
            }
            // A full chunk and one more byte: seal the chunk (its tag goes
            // over the look-ahead byte, kept aside) and start the next.
            let ahead = self.buf.get(self.chunk_len).copied().unwrap_or(0);
            let len = self.chunk_len;
            self.guarded(|s| s.emit_buffered(len, false))
                .map_err(|e| io_err(&e))?;
            if let Some(first) = self.buf.first_mut() {
                *first = ahead;
            }
            self.filled = 1;
        }
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
        if self.poisoned {
            return Err(Error::internal(
                "the sealer failed earlier; the envelope is incomplete",
            ));
        }
        let len = self.filled;
        self.guarded(|s| s.emit_buffered(len, true))
            .map_err(|e| io_err(&e))?;
        self.filled = 0;
        self.flush().map_err(|e| io_err(&e))?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Sealer<W> {
    /// Buffers what cannot be sealed yet (a full chunk is sealed only once
    /// more data arrives: the last chunk carries the last flag, and only
    /// [`finish`](Sealer::finish) knows it). Full chunks followed by more
    /// data in the same call are sealed straight from `data`, without a copy.
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.poisoned {
            return Err(poisoned());
        }
        let mut rest = data;
        while !rest.is_empty() {
            if self.filled >= self.chunk_len {
                let len = self.filled;
                self.guarded(|s| s.emit_buffered(len, false))?;
                self.filled = 0;
            }
            if self.filled == 0 && rest.len() > self.chunk_len {
                let (chunk, later) = rest.split_at(self.chunk_len);
                self.guarded(|s| s.emit_direct(chunk))?;
                rest = later;
                continue;
            }
            // `filled` is below `chunk_len` here: emit reset it, or
            // poisoned the sealer and returned.
            let room = self.chunk_len.saturating_sub(self.filled);
            let (now, later) = rest.split_at(room.min(rest.len()));
            let end = self.filled.saturating_add(now.len());
            if let Some(slot) = self.buf.get_mut(self.filled..end) {
                slot.copy_from_slice(now);
            }
            self.filled = end;
            rest = later;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.guarded(|s| s.out.flush())
    }
}

/// The default largest chunk an [`Opener`] accepts: 1 MiB. Sixteen times
/// the default chunk size; the format allows up to 16 MiB
/// ([`MAX_CHUNK_LEN`]), which a sealer must ask for explicitly.
pub const DEFAULT_MAX_CHUNK_LEN: usize = 1 << 20;

/// The largest chunk the format allows: 16 MiB (`chunk_exp` 24).
pub const MAX_CHUNK_LEN: usize = 1 << format::MAX_CHUNK_EXP;

/// Opens envelopes with a [`Keyring`], within limits on what an envelope
/// may demand. The free functions [`open`](super::open),
/// [`open_stream`] and [`open_file`](super::open_file) are an `Opener`
/// with the default limits.
///
/// The chunk size is chosen by whoever sealed the envelope, which is
/// anyone holding the public key. An opener refuses an envelope whose
/// chunks are larger than [`max_chunk_len`](Opener::max_chunk_len)
/// (default [`DEFAULT_MAX_CHUNK_LEN`], 1 MiB) before any RSA work or
/// allocation, and sizes its buffer to the data actually read: opening a
/// 1-byte envelope costs a few hundred bytes whatever its chunk size.
///
/// # Example
///
/// ```
/// use seckit::envelope::{Opener, Keyring, PrivateKey, Sealer};
/// use std::io::Write as _;
///
/// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
/// let key = PrivateKey::from_pem(&pem, None)?;
/// // A bulk job sealing with 4 MiB chunks ...
/// let mut sealer = Sealer::with_chunk_exp(&[key.public_key()], Vec::new(), b"bulk", 22)?;
/// sealer.write_all(b"rows")?;
/// let sealed = sealer.finish()?;
/// let keyring = Keyring::from(key);
/// // ... is refused by default, and opens where it was expected.
/// assert!(Opener::new(&keyring).open(&sealed, b"bulk").is_err());
/// let opener = Opener::new(&keyring).max_chunk_len(4 << 20)?;
/// assert!(opener.open(&sealed, b"bulk")? == b"rows".as_slice());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Opener<'k> {
    keyring: &'k Keyring,
    max_chunk_len: usize,
}

impl<'k> Opener<'k> {
    /// An opener for `keyring` with the default limits.
    #[must_use]
    pub const fn new(keyring: &'k Keyring) -> Self {
        Self {
            keyring,
            max_chunk_len: DEFAULT_MAX_CHUNK_LEN,
        }
    }

    /// Accepts chunks up to `max_chunk_len` bytes: a power of two from
    /// 1 KiB to [`MAX_CHUNK_LEN`] (16 MiB).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for any other value.
    pub fn max_chunk_len(mut self, max_chunk_len: usize) -> Result<Self> {
        let min = format::chunk_len(format::MIN_CHUNK_EXP);
        if !max_chunk_len.is_power_of_two() || !(min..=MAX_CHUNK_LEN).contains(&max_chunk_len) {
            return Err(Error::configuration(
                "envelope.max_chunk_len",
                "must be a power of two from 1 KiB to 16 MiB",
            ));
        }
        self.max_chunk_len = max_chunk_len;
        Ok(self)
    }

    /// The header of `input`, refused when its chunks are over the limit.
    fn header<R: Read>(&self, input: &mut R) -> Result<Header> {
        let header = format::read_header(input)?;
        if header.chunk_len() > self.max_chunk_len {
            return Err(refuse("chunk size over the opener's limit"));
        }
        Ok(header)
    }

    /// [`open`](super::open) within these limits.
    ///
    /// # Errors
    ///
    /// As [`open`](super::open), and `Unauthenticated` for chunks over the
    /// limit.
    pub fn open(&self, envelope: &[u8], ad: &[u8]) -> Result<crate::SecretBytes> {
        let mut out = self.open_slice(envelope, ad)?;
        Ok(crate::SecretBytes::new(std::mem::take(&mut *out)))
    }

    /// [`open_stream`] within these limits.
    ///
    /// # Errors
    ///
    /// As [`open_stream`], and `Unauthenticated` for chunks over the limit.
    pub fn open_stream<R: Read, W: Write>(
        &self,
        mut input: R,
        mut output: W,
        ad: &[u8],
    ) -> Result<u64> {
        let header = self.header(&mut input)?;
        let (keys, _) = format::unlock(&header, self.keyring, ad)?;
        let n = decrypt_payload(&header, &keys, ad, &mut input, &mut output)?;
        output.flush().map_err(|e| io_err(&e))?;
        Ok(n)
    }

    /// [`open_file`](super::open_file) within these limits.
    ///
    /// # Errors
    ///
    /// As [`open_file`](super::open_file), and `Unauthenticated` for chunks
    /// over the limit.
    pub fn open_file(
        &self,
        src: &std::path::Path,
        dst: &std::path::Path,
        ad: &[u8],
    ) -> Result<u64> {
        let input =
            std::fs::File::open(src).map_err(|_| Error::internal("envelope file i/o failed"))?;
        super::file::open_into_file(self, io::BufReader::new(input), dst, ad)
    }

    /// [`open_file`](super::open_file) from any reader (standard input, a
    /// socket): `dst` appears, complete, only if the whole envelope
    /// authenticated.
    ///
    /// # Errors
    ///
    /// As [`open_file`](super::open_file).
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::envelope::{self, Keyring, Opener, PrivateKey};
    ///
    /// let pem = seckit::SecretString::from(include_str!("../../tests/fixtures/envelope/rsa3072-private.pem"));
    /// let key = PrivateKey::from_pem(&pem, None)?;
    /// let sealed = envelope::seal(&[key.public_key()], b"rows", b"")?;
    /// let keyring = Keyring::from(key);
    /// let dir = std::env::temp_dir().join(format!("seckit-doc-into-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let n = Opener::new(&keyring).open_into_file(&sealed[..], &dir.join("rows.txt"), b"")?;
    /// assert_eq!(n, 4);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_into_file<R: Read>(
        &self,
        input: R,
        dst: &std::path::Path,
        ad: &[u8],
    ) -> Result<u64> {
        super::file::open_into_file(self, input, dst, ad)
    }

    /// One-shot opening of a whole envelope held in memory: each chunk is
    /// decrypted straight from the envelope into the result (no copy of the
    /// ciphertext). Same rules as [`open_stream`]; on failure the partial
    /// result is wiped.
    fn open_slice(&self, envelope: &[u8], ad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let mut input = envelope;
        let header = self.header(&mut input)?;
        let (keys, _) = format::unlock(&header, self.keyring, ad)?;
        let cipher = Selected::aead(&keys.payload_key)?;
        let aad = format::payload_aad(&header.bytes, ad);
        let full = header.chunk_len().saturating_add(TAG_LEN);
        if input.is_empty() {
            return Err(refuse("truncated: no payload"));
        }
        let count = input.len().div_ceil(full);
        let tags = count.saturating_mul(TAG_LEN);
        let Some(total) = input.len().checked_sub(tags) else {
            return Err(refuse("truncated"));
        };
        let mut out = Zeroizing::new(vec![0u8; total]);
        let mut pos = 0usize;
        for (i, chunk) in input.chunks(full).enumerate() {
            let counter = u64::try_from(i).unwrap_or(u64::MAX);
            let last = i.saturating_add(1) == count;
            let Some(body_len) = chunk.len().checked_sub(TAG_LEN) else {
                return Err(refuse("truncated"));
            };
            if last && body_len == 0 && counter > 0 {
                return Err(refuse("malformed payload: empty final chunk"));
            }
            let (ct, tag) = chunk.split_at(body_len);
            let end = pos.saturating_add(body_len);
            let dst = out
                .get_mut(pos..end)
                .ok_or_else(|| refuse("malformed payload"))?;
            Selected::open_out_of_place(&cipher, &nonce(counter, last), &aad, ct, tag, dst)
                .map_err(|()| refuse("payload authentication failed"))?;
            pos = end;
        }
        Ok(out)
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
/// [`open_file`](super::open_file) does.
///
/// Memory: one chunk plus its tag and one byte of look-ahead, grown as the
/// data arrives (so never more than the payload read), plus the header
/// (at most 16 recipients of 1 KiB). With the default 64 KiB chunks, about
/// 64 KiB; envelopes with chunks over 1 MiB are refused
/// ([`Opener::max_chunk_len`] raises that).
///
/// # Errors
///
/// `Unauthenticated` (context `envelope`) for anything wrong with the
/// envelope, its keys or `ad`, and for chunks over 1 MiB; `Internal` for
/// I/O errors.
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
    input: R,
    output: W,
    ad: &[u8],
) -> Result<u64> {
    Opener::new(keyring).open_stream(input, output, ad)
}

/// Checks and decrypts one chunk (ciphertext then tag) in place; returns
/// the plaintext length. The one rule set both openers use.
fn open_chunk(
    cipher: &Aead,
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
    let opened = Selected::open_in_place(cipher, &nonce(counter, last), aad, chunk)
        .map_err(|()| refuse("payload authentication failed"))?;
    if opened != body_len {
        return Err(refuse("malformed payload"));
    }
    Ok(body_len)
}

fn decrypt_payload<R: Read, W: Write>(
    header: &Header,
    keys: &Schedule,
    ad: &[u8],
    input: &mut R,
    output: &mut W,
) -> Result<u64> {
    let cipher = Selected::aead(&keys.payload_key)?;
    let aad = format::payload_aad(&header.bytes, ad);
    let full = header.chunk_len().saturating_add(TAG_LEN);
    // One chunk plus one byte of look-ahead tells whether it is the last.
    // The buffer grows only as data arrives, so a short envelope with huge
    // chunks costs what it holds, not what its header names.
    let target = full.saturating_add(1);
    let mut rb = ReadBuf::new();
    rb.fill(input, target)?;
    let mut counter = 0u64;
    let mut total = 0u64;
    loop {
        let last = rb.have <= full;
        let len = rb.have.min(full);
        let chunk = rb
            .buf
            .get_mut(..len)
            .ok_or_else(|| refuse("malformed payload"))?;
        let body_len = open_chunk(&cipher, &aad, counter, last, chunk)?;
        let body = chunk.get(..body_len).unwrap_or_default();
        output.write_all(body).map_err(|e| io_err(&e))?;
        // No wipe here: the next read overwrites this plaintext, and the
        // buffer is wiped when dropped.
        total = total.saturating_add(u64::try_from(body_len).unwrap_or(u64::MAX));
        if last {
            return Ok(total);
        }
        // Keep the look-ahead byte (ciphertext), read the next chunk after it.
        let ahead = rb.buf.get(len).copied().unwrap_or(0);
        if let Some(first) = rb.buf.first_mut() {
            *first = ahead;
        }
        rb.have = 1;
        rb.fill(input, target)?;
        counter = counter
            .checked_add(1)
            .ok_or_else(|| refuse("malformed payload: too many chunks"))?;
    }
}

/// The smallest read buffer step: below this, growing costs more than it
/// saves.
const MIN_READ_STEP: usize = 8 * 1024;

/// The opener's read buffer: `buf[..have]` holds what was read. Its
/// initialized length grows by doubling (from [`MIN_READ_STEP`], capped at
/// the target) only while data keeps arriving, so it is never more than
/// about twice the data read, and once grown it is reused without being
/// cleared again. Only ciphertext is in it while it grows, so a
/// reallocation leaves no plaintext behind; it is wiped when dropped.
struct ReadBuf {
    buf: Zeroizing<Vec<u8>>,
    have: usize,
}

impl ReadBuf {
    fn new() -> Self {
        Self {
            buf: Zeroizing::new(Vec::new()),
            have: 0,
        }
    }

    /// Reads until `target` bytes are held or the input ends.
    fn fill<R: Read>(&mut self, input: &mut R, target: usize) -> Result<()> {
        while self.have < target {
            if self.have == self.buf.len() {
                let len = self.buf.len();
                let grown = len.saturating_mul(2).max(MIN_READ_STEP).min(target);
                self.buf.reserve_exact(grown.saturating_sub(len));
                self.buf.resize(grown, 0);
            }
            let end = self.buf.len().min(target);
            let free = self.buf.get_mut(self.have..end).unwrap_or_default();
            match input.read(free) {
                Ok(0) => return Ok(()),
                Ok(k) => self.have = self.have.saturating_add(k),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_err(&e)),
            }
        }
        Ok(())
    }
}

impl<W: Write> Sealer<W> {
    /// [`seal_stream`](super::seal_stream)'s loop: everything `input`
    /// yields, then the last chunk.
    pub(crate) fn seal_reader<R: Read>(mut self, mut input: R) -> Result<W> {
        self.seal_from(&mut input)?;
        self.finish()
    }
}

impl Sealer<Vec<u8>> {
    /// One-shot sealing into one output vector, allocated once: each chunk
    /// is encrypted straight from `plaintext` into its place (no copy of the
    /// plaintext).
    pub(crate) fn seal_slice(mut self, plaintext: &[u8]) -> Result<Vec<u8>> {
        let failed = || Error::internal("chunk encryption failed");
        let n = plaintext.len().div_ceil(self.chunk_len).max(1);
        let header = std::mem::take(&mut self.out);
        let total = plaintext
            .len()
            .checked_add(n.saturating_mul(TAG_LEN))
            .and_then(|t| t.checked_add(header.len()))
            .ok_or_else(failed)?;
        let mut out = vec![0u8; total];
        let (head, mut rest) = out.split_at_mut(header.len());
        head.copy_from_slice(&header);
        let chunks = plaintext.chunks(self.chunk_len).chain(
            // An empty plaintext is one empty chunk.
            plaintext.is_empty().then_some(&[][..]),
        );
        for (i, chunk) in chunks.enumerate() {
            let (body, after) = rest.split_at_mut(chunk.len());
            let last = i.saturating_add(1) == n;
            let counter = u64::try_from(i).map_err(|_| failed())?;
            let tag = Selected::seal_out_of_place(
                &self.cipher,
                &nonce(counter, last),
                &self.aad,
                chunk,
                body,
            )?;
            let (tag_slot, after) = after.split_at_mut(TAG_LEN);
            tag_slot.copy_from_slice(&tag);
            rest = after;
        }
        Ok(out)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails its second write (the first chunk after the header), once.
    struct FailSecond(usize);
    impl Write for FailSecond {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.0 += 1;
            if self.0 == 2 {
                Err(io::ErrorKind::WouldBlock.into())
            } else {
                Ok(data.len())
            }
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn key() -> PublicKey {
        PublicKey::from_pem(include_str!(
            "../../tests/fixtures/envelope/rsa2048-public.pem"
        ))
        .unwrap()
    }

    /// Issue 13, item 4: after a failure nothing more is buffered (the
    /// buffer used to keep ciphertext and tag, and grow without bound in
    /// release builds).
    #[test]
    fn a_poisoned_sealer_buffers_nothing() {
        let key = key();
        let mut sealer = Sealer::with_chunk_exp(&[&key], FailSecond(0), b"", 10).unwrap();
        let chunk = [1u8; 1024];
        sealer.write_all(&chunk).unwrap();
        assert!(sealer.write_all(&chunk).is_err());
        assert!(sealer.poisoned);
        assert_eq!(sealer.filled, 0);
        assert!(sealer.buf.iter().all(|&b| b == 0), "wiped");
        let capacity = sealer.buf.capacity();
        for _ in 0..100 {
            assert!(sealer.write(&chunk).is_err());
        }
        assert_eq!(sealer.filled, 0);
        assert_eq!(sealer.buf.capacity(), capacity);
        assert!(capacity <= 1024 + TAG_LEN);
        assert_eq!(
            sealer.counter, 1,
            "the failed chunk's nonce is spent, never reused"
        );
    }

    #[test]
    fn the_read_buffer_grows_with_the_data_never_past_the_target() {
        for (len, target) in [(0usize, 100usize), (1, 1 << 24), (70_000, 65_553), (5, 5)] {
            let data = vec![3u8; len];
            let mut rb = ReadBuf::new();
            rb.fill(&mut &data[..], target).unwrap();
            assert_eq!(rb.have, len.min(target));
            assert!(
                rb.buf.capacity() <= target,
                "{len} {target}: {}",
                rb.buf.capacity()
            );
            assert!(
                rb.buf.capacity() <= len.saturating_mul(2).max(MIN_READ_STEP),
                "{len} {target}: {}",
                rb.buf.capacity()
            );
        }
    }
}
