//! `seckit seal|open|rewrap`: envelopes, streamed in constant memory.
//!
//! An output file (`-o OUT`) appears only when complete: `seal` and
//! `rewrap` write a temporary file beside it and rename it into place at
//! the end; `open` goes through the library's `Opener::open_into_file`, so
//! the plaintext appears only once the whole envelope authenticated. An
//! existing OUT is replaced only with `--force`. Standard input and output
//! work in pipes; armored input (`-----BEGIN SECKIT ENVELOPE-----`) is
//! recognized on `open` and `rewrap`.

use std::cell::Cell;
use std::io::{self, BufRead as _, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use seckit::envelope::{self, Keyring, MAX_ARMOR_LEN, Opener, PublicKey};
use serde_json::json;

use crate::exit::Fail;
use crate::io as files;
use crate::{Ctx, Done, Out, key};

/// The longest associated-data file read.
const MAX_AD_FILE_LEN: usize = 1024 * 1024;

/// How armored text begins.
const ARMOR_BEGIN: &[u8] = b"-----BEGIN SECKIT ENVELOPE-----";

/// The largest envelope `--armor` writes: armored, it must stay within
/// what `from_armor` reads (`MAX_ARMOR_LEN`), at 65 characters per 48
/// bytes, less the BEGIN and END lines.
const MAX_ARMORED_ENVELOPE: usize = (MAX_ARMOR_LEN - 128) / 65 * 48;

#[derive(clap::Args)]
pub(crate) struct AdArgs {
    /// Associated data: bound to the envelope, not stored; give it again to open.
    #[arg(long, visible_alias = "aad", conflicts_with = "ad_file")]
    ad: Option<String>,
    /// Associated data from a file (its bytes exactly).
    #[arg(long, visible_alias = "aad-file")]
    ad_file: Option<PathBuf>,
}

impl AdArgs {
    fn bytes(&self) -> Result<Vec<u8>, Fail> {
        match (&self.ad, &self.ad_file) {
            (Some(text), _) => Ok(text.as_bytes().to_vec()),
            (None, Some(path)) => Ok(files::file_bytes(path, MAX_AD_FILE_LEN)?
                .expose_secret()
                .clone()),
            (None, None) => Ok(Vec::new()),
        }
    }
}

#[derive(clap::Args)]
pub(crate) struct SealArgs {
    /// A recipient's public key (PEM or DER; a private key gives its public half). Repeatable, up to 16.
    #[arg(long = "to", required = true)]
    to: Vec<PathBuf>,
    #[command(flatten)]
    ad: AdArgs,
    /// Write text armor instead of binary (envelopes up to about 12 MiB).
    #[arg(long)]
    armor: bool,
    /// Input file; standard input when absent or `-`.
    #[arg(short = 'i', long = "in")]
    input: Option<PathBuf>,
    /// Output file, written whole or not at all; standard output when absent.
    #[arg(short = 'o', long = "out")]
    output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
pub(crate) struct KeyArgs {
    /// A private key (PEM or DER, PKCS#8 or PKCS#1, maybe encrypted). Repeatable: the keyring.
    #[arg(long = "key", required = true)]
    keys: Vec<PathBuf>,
    /// The passphrase of encrypted private keys, in a file.
    #[arg(long)]
    passphrase_file: Option<PathBuf>,
}

impl KeyArgs {
    fn keyring(&self) -> Result<Keyring, Fail> {
        let pass = key::passphrase(self.passphrase_file.as_deref())?;
        let mut ring = Keyring::new();
        for path in &self.keys {
            ring.add(key::read_private(path, pass.as_ref())?)
                .map_err(|_| Fail::usage(format!("{}: the same key twice", path.display())))?;
        }
        Ok(ring)
    }
}

#[derive(clap::Args)]
pub(crate) struct OpenArgs {
    #[command(flatten)]
    keys: KeyArgs,
    #[command(flatten)]
    ad: AdArgs,
    /// Accept chunks up to this many bytes (a power of two; 1 MiB by default, 16 MiB at most).
    #[arg(long)]
    max_chunk_len: Option<usize>,
    /// Input file; standard input when absent or `-`. Armor is recognized.
    #[arg(short = 'i', long = "in")]
    input: Option<PathBuf>,
    /// Output file: it appears only if the whole envelope authenticated.
    /// Standard output when absent (then a failure may follow partial,
    /// authenticated output: check the exit code).
    #[arg(short = 'o', long = "out")]
    output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
pub(crate) struct RewrapArgs {
    #[command(flatten)]
    keys: KeyArgs,
    /// A new recipient's public key. Repeatable, up to 16.
    #[arg(long = "to", required = true)]
    to: Vec<PathBuf>,
    #[command(flatten)]
    ad: AdArgs,
    /// Write text armor instead of binary.
    #[arg(long)]
    armor: bool,
    #[arg(short = 'i', long = "in")]
    input: Option<PathBuf>,
    #[arg(short = 'o', long = "out")]
    output: Option<PathBuf>,
    #[arg(long)]
    force: bool,
}

fn recipients(paths: &[PathBuf]) -> Result<Vec<PublicKey>, Fail> {
    paths.iter().map(|p| key::read_public(p)).collect()
}

/// Standard output that remembers a `BrokenPipe`, so that a closed pipe
/// can be told from a real failure after the library mapped the error.
struct Stdout {
    inner: io::BufWriter<io::Stdout>,
    broken: Rc<Cell<bool>>,
}

impl Stdout {
    fn new() -> (Self, Rc<Cell<bool>>) {
        let broken = Rc::new(Cell::new(false));
        (
            Self {
                inner: io::BufWriter::new(io::stdout()),
                broken: Rc::clone(&broken),
            },
            broken,
        )
    }

    fn watch<T>(&self, r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.broken.set(true);
        }
        r
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.watch(r)
    }
    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.watch(r)
    }
}

/// Where a command writes: a file that appears when whole, or stdout.
enum Sink {
    File(files::Output),
    Stdout(Stdout, Rc<Cell<bool>>),
}

impl Sink {
    fn new(path: Option<&Path>, force: bool, json: bool) -> Result<Self, Fail> {
        match path {
            Some(p) => Ok(Self::File(files::Output::create(p, 0o644, force)?)),
            None if json => Err(Fail::usage(
                "--json needs -o: standard output carries the data",
            )),
            None => {
                let (out, broken) = Stdout::new();
                Ok(Self::Stdout(out, broken))
            }
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Self::File(f) => f,
            Self::Stdout(s, _) => s,
        }
    }

    /// The failure to report for `e`, a closed stdout being quiet.
    fn fail(&self, e: Fail) -> Fail {
        match self {
            Self::Stdout(_, broken) if broken.get() => Fail::ClosedStdout { stream: true },
            _ => e,
        }
    }

    fn finish(mut self) -> Result<(), Fail> {
        let flushed = self.writer().flush();
        if let Err(e) = flushed {
            return Err(self.fail(Fail::output(&e, "output", true)));
        }
        match self {
            Self::File(f) => f.commit(),
            Self::Stdout(..) => Ok(()),
        }
    }
}

/// Reads `input`, turning text armor into the binary envelope; binary input
/// is passed through unread.
fn envelope_reader(input: Box<dyn Read>) -> Result<Box<dyn Read>, Fail> {
    let mut buffered = BufReader::new(input);
    let head = buffered
        .fill_buf()
        .map_err(|e| Fail::usage(format!("input: {e}")))?;
    if !head.starts_with(ARMOR_BEGIN) && !ARMOR_BEGIN.starts_with(head) || head.is_empty() {
        return Ok(Box::new(buffered));
    }
    let mut text = Vec::new();
    buffered
        .take(u64::try_from(MAX_ARMOR_LEN).unwrap_or(u64::MAX) + 1)
        .read_to_end(&mut text)
        .map_err(|e| Fail::usage(format!("input: {e}")))?;
    if !text.starts_with(ARMOR_BEGIN) {
        // Only the first bytes looked like armor.
        return Ok(Box::new(io::Cursor::new(text)));
    }
    let text = String::from_utf8(text).map_err(|_| Fail::Invalid("armor: not UTF-8".to_owned()))?;
    let binary = envelope::from_armor(&text).map_err(|e| Fail::checked(&e))?;
    Ok(Box::new(io::Cursor::new(binary)))
}

/// A reader that counts what it hands out (for `--json`).
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n = self.n.saturating_add(u64::try_from(k).unwrap_or(u64::MAX));
        Ok(k)
    }
}

/// A `Vec` that refuses to grow past `max` (for `--armor`, which needs the
/// whole envelope before it can encode it).
struct Bounded {
    buf: Vec<u8>,
    max: usize,
}

impl Write for Bounded {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > self.max {
            return Err(io::Error::other("too large for armor"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn key_ids(keys: &[PublicKey]) -> Vec<String> {
    keys.iter().map(|k| k.key_id().to_string()).collect()
}

pub(crate) fn seal(args: SealArgs, ctx: &Ctx) -> Out {
    let keys = recipients(&args.to)?;
    let refs: Vec<&PublicKey> = keys.iter().collect();
    let ad = args.ad.bytes()?;
    let input = files::input(args.input.as_deref())?;
    let mut reader = files::with_progress(input, ctx.json);
    let mut sink = Sink::new(args.output.as_deref(), args.force, ctx.json)?;
    let read = if args.armor {
        let bounded = Bounded {
            buf: Vec::new(),
            max: MAX_ARMORED_ENVELOPE,
        };
        let mut counted = Counted {
            inner: &mut reader,
            n: 0,
        };
        let sealed = envelope::seal_stream(&refs, &mut counted, bounded, &ad).map_err(|e| match e.kind() {
            seckit::ErrorKind::Internal => Fail::usage(format!(
                "sealing: {e} (armor holds envelopes up to {MAX_ARMORED_ENVELOPE} bytes; seal without --armor)"
            )),
            _ => Fail::from_error(&e),
        })?;
        let n = counted.n;
        let armored = envelope::to_armor(&sealed.buf);
        if let Err(e) = sink.writer().write_all(armored.as_bytes()) {
            return Err(sink.fail(Fail::output(&e, "output", true)));
        }
        n
    } else {
        // `seal_stream` reads straight into its chunk buffer: no copy
        // beyond the read itself.
        let mut counted = Counted {
            inner: &mut reader,
            n: 0,
        };
        let result = envelope::seal_stream(&refs, &mut counted, sink.writer(), &ad)
            .map(|_| counted.n)
            .map_err(|e| Fail::from_error(&e));
        match result {
            Ok(n) => n,
            Err(e) => return Err(sink.fail(e)),
        }
    };
    sink.finish()?;
    Ok(Done::Streamed {
        json: json!({"sealed": true, "plaintext_bytes": read, "recipients": key_ids(&keys), "armor": args.armor}),
    })
}

pub(crate) fn open(args: OpenArgs, ctx: &Ctx) -> Out {
    let ring = args.keys.keyring()?;
    let mut opener = Opener::new(&ring);
    if let Some(max) = args.max_chunk_len {
        opener = opener
            .max_chunk_len(max)
            .map_err(|e| Fail::usage(e.to_string()))?;
    }
    let ad = args.ad.bytes()?;
    let input = files::input(args.input.as_deref())?;
    let reader = envelope_reader(files::with_progress(input, ctx.json))?;
    match args.output.as_deref() {
        Some(dst) => {
            files::check_overwrite(dst, args.force)?;
            let n = opener
                .open_into_file(reader, dst, &ad)
                .map_err(|e| Fail::checked(&e))?;
            Ok(Done::Streamed {
                json: json!({"opened": true, "plaintext_bytes": n}),
            })
        }
        None if ctx.json => Err(Fail::usage(
            "--json needs -o: standard output carries the data",
        )),
        None => {
            let mut sink = Sink::new(None, false, false)?;
            let result = opener
                .open_stream(reader, sink.writer(), &ad)
                .map_err(|e| Fail::checked(&e));
            if let Err(e) = result {
                return Err(sink.fail(e));
            }
            sink.finish()?;
            Ok(Done::Streamed { json: json!({}) })
        }
    }
}

pub(crate) fn rewrap(args: RewrapArgs, ctx: &Ctx) -> Out {
    let ring = args.keys.keyring()?;
    let keys = recipients(&args.to)?;
    let refs: Vec<&PublicKey> = keys.iter().collect();
    let ad = args.ad.bytes()?;
    let input = files::input(args.input.as_deref())?;
    let reader = envelope_reader(files::with_progress(input, ctx.json))?;
    let mut sink = Sink::new(args.output.as_deref(), args.force, ctx.json)?;
    let result = if args.armor {
        let mut bounded = Bounded {
            buf: Vec::new(),
            max: MAX_ARMORED_ENVELOPE,
        };
        envelope::rewrap_stream(&ring, reader, &mut bounded, &refs, &ad)
            .map_err(|e| Fail::checked(&e))
            .and_then(|()| {
                sink.writer()
                    .write_all(envelope::to_armor(&bounded.buf).as_bytes())
                    .map_err(|e| Fail::output(&e, "output", true))
            })
    } else {
        envelope::rewrap_stream(&ring, reader, sink.writer(), &refs, &ad)
            .map_err(|e| Fail::checked(&e))
    };
    if let Err(e) = result {
        return Err(sink.fail(e));
    }
    sink.finish()?;
    Ok(Done::Streamed {
        json: json!({"rewrapped": true, "recipients": key_ids(&keys)}),
    })
}
