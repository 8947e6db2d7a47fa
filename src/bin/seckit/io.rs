//! Reading secrets and files, writing outputs that appear only when whole.
//!
//! One way to read a secret file: exactly as `seckit::config::Loader` reads
//! a `NAME_FILE` (a regular file, checked before it is opened and opened
//! non-blocking, at most 64 KiB, UTF-8, trailing line endings removed), so
//! a secret made by `seckit secret generate > f` means the same to the CLI
//! and to a service configured with `JWT_SECRET_FILE=f`. Standard input
//! gives one line, at most 64 KiB, its line ending removed; a longer line
//! is refused, not cut.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead as _, IsTerminal as _, Read, Write};
use std::path::{Path, PathBuf};

use seckit::config::Loader;
use seckit::strength::SecretEncoding;
use seckit::{Error, SecretBytes, SecretString};

use crate::exit::Fail;

/// The longest secret read from a file or from standard input.
pub(crate) const MAX_SECRET_LEN: usize = seckit::config::MAX_FILE_LEN;

/// Input files larger than this get a progress bar, when stderr is a
/// terminal and output is not JSON.
pub(crate) const PROGRESS_MIN_LEN: u64 = 8 * 1024 * 1024;

/// The name the loader reports a file under: `KEY_FILE` for `--key-file`.
const SETTING: &str = "FILE";

/// A `Loader` error about the file at `path`, named by its flag.
fn file_error(path: &Path, e: &Error) -> Fail {
    match e {
        Error::Configuration { reason, .. } => Fail::usage(format!("{}: {reason}", path.display())),
        other => Fail::usage(format!("{}: {other}", path.display())),
    }
}

fn loader(path: &Path) -> Result<Loader, Fail> {
    let path = path
        .to_str()
        .ok_or_else(|| Fail::usage(format!("{}: not a UTF-8 path", path.display())))?;
    Ok(Loader::from_vars([(
        format!("{SETTING}_FILE"),
        path.to_owned(),
    )]))
}

/// A secret from a file, read as `Loader` reads `NAME_FILE`.
pub(crate) fn secret_file(path: &Path) -> Result<SecretString, Fail> {
    loader(path)?
        .required_secret(SETTING)
        .map(seckit::config::Setting::into_value)
        .map_err(|e| file_error(path, &e))
}

/// A secret from a file in `encoding`, read and decoded as `JwtConfig`
/// reads `JWT_SECRET_FILE` with `JWT_SECRET_ENCODING`. A file that cannot
/// be read is a usage error; one that does not decode is invalid.
pub(crate) fn secret_file_bytes(
    path: &Path,
    encoding: SecretEncoding,
) -> Result<SecretBytes, Fail> {
    let text = secret_file(path)?;
    decode(&text, encoding).map_err(|reason| Fail::Invalid(format!("{}: {reason}", path.display())))
}

/// `text` decoded from `encoding`; the error is the rule it broke.
pub(crate) fn decode(text: &SecretString, encoding: SecretEncoding) -> Result<SecretBytes, String> {
    seckit::strength::decode_secret(text, encoding).map_err(|e| match e {
        Error::Configuration { reason, .. } => reason.to_owned(),
        other => other.to_string(),
    })
}

/// One line of standard input, its line ending removed; refused (not cut)
/// when longer than [`MAX_SECRET_LEN`].
pub(crate) fn stdin_line(what: &str) -> Result<SecretString, Fail> {
    let limit = u64::try_from(MAX_SECRET_LEN)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut buf = SecretBytes::new(Vec::with_capacity(MAX_SECRET_LEN.saturating_add(1)));
    io::stdin()
        .lock()
        .take(limit)
        .read_until(b'\n', buf.expose_secret_mut())
        .map_err(|e| Fail::usage(format!("stdin: {e}")))?;
    let bytes = buf.expose_secret();
    let line = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if line.len() > MAX_SECRET_LEN {
        return Err(Fail::usage(format!(
            "stdin: the {what} is longer than {MAX_SECRET_LEN} bytes"
        )));
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = std::str::from_utf8(line)
        .map_err(|_| Fail::usage(format!("stdin: the {what} is not UTF-8")))?;
    Ok(SecretString::from(text))
}

/// A secret from `file`, or one line of standard input.
pub(crate) fn secret(file: Option<&Path>, what: &str) -> Result<SecretString, Fail> {
    match file {
        Some(path) => secret_file(path),
        None => stdin_line(what),
    }
}

/// Where a command reads its data from.
pub(crate) struct Input {
    pub(crate) reader: Box<dyn Read>,
    /// The length, when the input is a regular file.
    pub(crate) len: Option<u64>,
}

/// `path`, or standard input for `None` and `-`.
pub(crate) fn input(path: Option<&Path>) -> Result<Input, Fail> {
    match path {
        None => Ok(Input {
            reader: Box::new(io::stdin()),
            len: None,
        }),
        Some(p) if p.as_os_str() == "-" => Ok(Input {
            reader: Box::new(io::stdin()),
            len: None,
        }),
        Some(p) => {
            let file = File::open(p).map_err(|e| Fail::usage(format!("{}: {e}", p.display())))?;
            let meta = file
                .metadata()
                .map_err(|e| Fail::usage(format!("{}: {e}", p.display())))?;
            let len = meta.is_file().then_some(meta.len());
            Ok(Input {
                reader: Box::new(file),
                len,
            })
        }
    }
}

/// Wraps `input` in a progress bar on stderr when it is a file over
/// [`PROGRESS_MIN_LEN`], stderr is a terminal, and the output is not JSON.
pub(crate) fn with_progress(input: Input, json: bool) -> Box<dyn Read> {
    match input.len {
        Some(len) if len > PROGRESS_MIN_LEN && !json && io::stderr().is_terminal() => {
            let bar = indicatif::ProgressBar::new(len);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bytes}/{total_bytes} [{bar:40}] {bytes_per_sec}, {eta} left",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            Box::new(bar.wrap_read(input.reader))
        }
        _ => input.reader,
    }
}

/// A temporary file beside `dst`, created new (never through a symlink),
/// with `mode` on Unix: `.<name>.<random>.tmp`.
fn temporary_beside(dst: &Path, mode: u32) -> Result<(File, PathBuf), Fail> {
    let name = dst
        .file_name()
        .ok_or_else(|| Fail::usage(format!("{}: not a file name", dst.display())))?
        .to_string_lossy();
    let suffix = seckit::random::secret_hex(16).map_err(|e| Fail::usage(e.to_string()))?;
    let hex = suffix
        .expose_secret()
        .get(..16)
        .unwrap_or_default()
        .to_owned();
    // Keep the whole name within 255 bytes: '.' + name + '.' + 16 + ".tmp".
    let mut keep = name.len().min(255 - 22);
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    let tmp = dst.with_file_name(format!(
        ".{}.{hex}.tmp",
        name.get(..keep).unwrap_or_default()
    ));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let _ = mode;
    let file = options
        .open(&tmp)
        .map_err(|e| Fail::usage(format!("{}: {e}", tmp.display())))?;
    Ok((file, tmp))
}

/// Refuses an existing `dst` (a file, a directory, a symlink, even a
/// dangling one) unless `force`.
pub(crate) fn check_overwrite(dst: &Path, force: bool) -> Result<(), Fail> {
    if !force && std::fs::symlink_metadata(dst).is_ok() {
        return Err(Fail::usage(format!(
            "{}: exists; pass --force to replace it",
            dst.display()
        )));
    }
    Ok(())
}

/// An output file that appears, whole, only on [`commit`](Output::commit):
/// written to a new temporary file in the same directory, synced, renamed
/// onto the destination (replacing the file or symlink there, never
/// writing through it), and the directory synced. Dropped without a
/// commit, the temporary file is removed.
pub(crate) struct Output {
    file: Option<io::BufWriter<File>>,
    tmp: PathBuf,
    dst: PathBuf,
}

impl Output {
    /// A new output for `dst`, refused when `dst` exists unless `force`.
    pub(crate) fn create(dst: &Path, mode: u32, force: bool) -> Result<Self, Fail> {
        check_overwrite(dst, force)?;
        let (file, tmp) = temporary_beside(dst, mode)?;
        Ok(Self {
            file: Some(io::BufWriter::new(file)),
            tmp,
            dst: dst.to_path_buf(),
        })
    }

    /// Syncs and renames into place.
    pub(crate) fn commit(mut self) -> Result<(), Fail> {
        let fail = |e: io::Error| Fail::usage(format!("{}: {e}", self.dst.display()));
        let file = self
            .file
            .take()
            .ok_or_else(|| Fail::usage("output already committed"))?
            .into_inner()
            .map_err(|e| Fail::usage(format!("{}: {}", self.dst.display(), e.error())))?;
        file.sync_all().map_err(fail)?;
        std::fs::rename(&self.tmp, &self.dst).map_err(fail)?;
        #[cfg(unix)]
        {
            let dir = match self.dst.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            File::open(&dir).and_then(|d| d.sync_all()).map_err(fail)?;
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("committed"))?
            .write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("committed"))?
            .flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `contents` to a new file at `dst` with `mode` (whatever mode a
/// file already there had), through a temporary file renamed into place.
pub(crate) fn write_file(dst: &Path, contents: &[u8], mode: u32, force: bool) -> Result<(), Fail> {
    let mut out = Output::create(dst, mode, force)?;
    out.write_all(contents)
        .map_err(|e| Fail::usage(format!("{}: {e}", dst.display())))?;
    out.commit()
}

/// The largest key file read.
pub(crate) const MAX_KEY_FILE_LEN: usize = 64 * 1024;

/// A whole file as bytes (a DER key): a regular file, checked before it
/// is opened, at most `max` bytes, refused (not cut) when longer.
pub(crate) fn file_bytes(path: &Path, max: usize) -> Result<SecretBytes, Fail> {
    let fail = |e: io::Error| Fail::usage(format!("{}: {e}", path.display()));
    let not_regular = || Fail::usage(format!("{}: not a regular file", path.display()));
    if !std::fs::metadata(path).map_err(fail)?.is_file() {
        return Err(not_regular());
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(fail)?;
    if !file.metadata().map_err(fail)?.is_file() {
        return Err(not_regular());
    }
    let mut buf = SecretBytes::new(Vec::with_capacity(max.saturating_add(1)));
    file.take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(buf.expose_secret_mut())
        .map_err(fail)?;
    if buf.expose_secret().len() > max {
        return Err(Fail::usage(format!(
            "{}: larger than {max} bytes",
            path.display()
        )));
    }
    Ok(buf)
}
