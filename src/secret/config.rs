//! Settings read from a file, the environment or a default, each with its
//! source, and a log-safe report of everything read.
//!
//! For a setting `NAME`, a [`Loader`] looks in this order:
//!
//! 1. the file named by `NAME_FILE` (the container-secret convention of
//!    Docker and Kubernetes secrets), with trailing line endings removed;
//! 2. the environment variable `NAME`;
//! 3. the default the caller gave, if any. Secrets never have defaults: a
//!    default secret is a known secret.
//!
//! Refuses, as [`ErrorKind::Configuration`](crate::ErrorKind) errors: a
//! `NAME_FILE` that names a missing, unreadable, non-regular, oversized
//! (over [`MAX_FILE_LEN`]) or non-UTF-8 file (never a silent fall back to
//! `NAME`); a non-UTF-8 variable; a secret that is set but empty; a required
//! setting that is missing. Warns, in the [`Report`], when a secret file is
//! readable by group or others (mode wider than `0600`, on Unix) and when
//! both `NAME_FILE` and `NAME` are set.
//!
//! Prefer `NAME_FILE` for secrets: environment variables are inherited by
//! child processes and readable from `/proc/<pid>/environ` by the same user,
//! and this crate cannot wipe the process environment's copy.
//!
//! # Example
//!
//! ```
//! use seckit::config::{Loader, Source};
//!
//! // `Loader::from_env()` reads the process environment; tests and tools
//! // can hand over their own variables instead.
//! let mut cfg = Loader::from_vars([
//!     ("JWT_SECRET", "sample-secret-not-real-0123456789"),
//!     ("DATABASE_URL", "postgres://app:sample-pw@db/app"),
//! ]);
//! let secret = cfg.required_secret("JWT_SECRET")?;
//! let db = cfg.required_value("DATABASE_URL")?;
//! let port = cfg.value_or("PORT", "8080")?;
//! assert_eq!(*secret.source(), Source::Env);
//! assert_eq!(*port.source(), Source::Default);
//!
//! // One line for the startup log, with secrets masked:
//! assert_eq!(
//!     cfg.report().to_string(),
//!     "JWT_SECRET=*** (env), DATABASE_URL=postgres://app:***@db/app (env), PORT=8080 (default)"
//! );
//! # Ok::<(), seckit::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use zeroize::{Zeroize, Zeroizing};

use super::strength::{self, SecretEncoding};
use super::{Secret, SecretBytes, SecretString, mask};
use crate::{Error, Result};

/// The largest file a `NAME_FILE` may name, in bytes. Secrets are small; a
/// larger file is a mistake (or `/dev/zero`) and is refused unread.
pub const MAX_FILE_LEN: usize = 64 * 1024;

/// The longest setting name accepted.
pub const MAX_NAME_LEN: usize = 128;

/// Where a setting's value came from.
///
/// # Example
///
/// ```
/// use seckit::config::{Loader, Source};
///
/// let mut cfg = Loader::from_vars([("LOG_LEVEL", "debug")]);
/// assert_eq!(cfg.required_value("LOG_LEVEL")?.source(), &Source::Env);
/// assert_eq!(cfg.value_or("PORT", "8080")?.source(), &Source::Default);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Source {
    /// The default the application supplied.
    Default,
    /// The environment variable `NAME`.
    Env,
    /// The file named by `NAME_FILE`.
    File(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::Env => f.write_str("env"),
            Self::File(path) => write!(f, "file {}", path.display().to_string().escape_debug()),
        }
    }
}

/// A value and where it came from.
///
/// `Debug` masks the value exactly as the [`Report`] does: a plain setting
/// shows [`mask::value`] of it (so a `DATABASE_URL` loses its password and
/// a setting whose name looks secret shows `***`), a secret shows
/// `Secret([REDACTED])`. The value itself is only reached through
/// [`value`](Setting::value) or [`into_value`](Setting::into_value).
///
/// # Example
///
/// ```
/// use seckit::config::Loader;
///
/// let mut cfg = Loader::from_vars([("API_TOKEN", "sample-token-value")]);
/// let token = cfg.required_secret("API_TOKEN")?;
/// assert_eq!(token.name(), "API_TOKEN");
/// assert_eq!(format!("{:?}", token.value()), "Secret([REDACTED])");
/// let token = token.into_value(); // a SecretString
/// # let _ = token;
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Setting<T> {
    name: String,
    value: T,
    source: Source,
}

impl fmt::Debug for Setting<String> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Setting")
            .field("name", &self.name)
            .field("value", &mask::value(&self.name, &self.value))
            .field("source", &self.source)
            .finish()
    }
}

impl<T: Zeroize> fmt::Debug for Setting<Secret<T>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Setting")
            .field("name", &self.name)
            .field("value", &self.value)
            .field("source", &self.source)
            .finish()
    }
}

impl<T> Setting<T> {
    /// The setting's name (`JWT_SECRET`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value.
    #[must_use]
    pub const fn value(&self) -> &T {
        &self.value
    }

    /// Where the value came from.
    #[must_use]
    pub const fn source(&self) -> &Source {
        &self.source
    }

    /// The value, dropping the rest.
    #[must_use]
    pub fn into_value(self) -> T {
        self.value
    }
}

/// Reads settings and records each one, masked, in a [`Report`].
///
/// See the [module documentation](self) for the lookup order and what is
/// refused.
///
/// # Example
///
/// ```
/// use seckit::config::Loader;
///
/// // In a service: Loader::from_env(). Here, a fixed set of variables.
/// let mut cfg = Loader::from_vars([("DATABASE_URL", "postgres://app:sample-pw@db/app")]);
/// let db = cfg.required_value("DATABASE_URL")?;
/// let port: u16 = cfg.value_or("PORT", "8080")?.value().parse().unwrap_or(8080);
/// let missing = cfg.required_secret("SESSION_KEY"); // fails fast, names the variable
/// assert!(missing.is_err());
/// println!("config: {}", cfg.report()); // the password in DATABASE_URL is masked
/// # let _ = (db, port);
/// # Ok::<(), seckit::Error>(())
/// ```
pub struct Loader {
    vars: Vars,
    report: Report,
}

enum Vars {
    Given(BTreeMap<String, SecretString>),
    Process,
}

impl fmt::Debug for Loader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let vars = match self.vars {
            Vars::Given(_) => "given",
            Vars::Process => "process environment",
        };
        f.debug_struct("Loader")
            .field("vars", &vars)
            .field("report", &self.report)
            .finish()
    }
}

impl Loader {
    /// A loader over the process environment.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::config::Loader;
    ///
    /// let mut cfg = Loader::from_env();
    /// let level = cfg.value_or("LOG_LEVEL", "info")?;
    /// # let _ = level;
    /// # Ok::<(), seckit::Error>(())
    /// ```
    #[must_use]
    pub fn from_env() -> Self {
        Self {
            vars: Vars::Process,
            report: Report::default(),
        }
    }

    /// A loader over the given variables instead of the process environment:
    /// for tests (Rust 2024 makes `std::env::set_var` unsafe) and for
    /// applications that gather their own.
    #[must_use]
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars = vars
            .into_iter()
            .map(|(k, v)| (k.into(), SecretString::new(v.into())))
            .collect();
        Self {
            vars: Vars::Given(vars),
            report: Report::default(),
        }
    }

    /// A plain (non-secret) setting, or `None` when neither `NAME_FILE` nor
    /// `NAME` is set.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when the name is not
    /// `[A-Za-z_][A-Za-z0-9_]*` (at most [`MAX_NAME_LEN`]), when a variable
    /// is not UTF-8, or when `NAME_FILE` is set and its file cannot be used.
    pub fn value(&mut self, name: &str) -> Result<Option<Setting<String>>> {
        let Some((value, source)) = self.lookup(name, false)? else {
            self.report.record(name, None, None, false);
            return Ok(None);
        };
        self.report
            .record(name, Some(&source), Some(mask::value(name, &value)), false);
        Ok(Some(Setting {
            name: name.to_owned(),
            value,
            source,
        }))
    }

    /// A plain setting read into a wiped buffer: recorded in the report as
    /// [`value`](Loader::value) records it, but held as a secret, for values
    /// that are public when right and secret when wrong (a public-key PEM
    /// that may be a private key pasted by mistake).
    #[cfg_attr(not(feature = "jwt"), allow(dead_code))]
    pub(crate) fn sensitive_value(&mut self, name: &str) -> Result<Option<Setting<SecretString>>> {
        let Some((value, source)) = self.lookup(name, false)? else {
            self.report.record(name, None, None, false);
            return Ok(None);
        };
        let value = SecretString::new(value);
        self.report.record(
            name,
            Some(&source),
            Some(mask::value(name, value.expose_secret())),
            false,
        );
        Ok(Some(Setting {
            name: name.to_owned(),
            value,
            source,
        }))
    }

    /// A plain setting, or `default` when it is not set.
    ///
    /// # Errors
    ///
    /// As [`Loader::value`].
    pub fn value_or(&mut self, name: &str, default: &str) -> Result<Setting<String>> {
        if let Some(setting) = self.value(name)? {
            return Ok(setting);
        }
        self.report.record(
            name,
            Some(&Source::Default),
            Some(mask::value(name, default)),
            false,
        );
        Ok(Setting {
            name: name.to_owned(),
            value: default.to_owned(),
            source: Source::Default,
        })
    }

    /// A plain setting that must be set.
    ///
    /// # Errors
    ///
    /// As [`Loader::value`], and [`ErrorKind::Configuration`](crate::ErrorKind)
    /// when the setting is not set.
    pub fn required_value(&mut self, name: &str) -> Result<Setting<String>> {
        self.value(name)?.ok_or_else(|| not_set(name))
    }

    /// A secret setting, or `None` when neither `NAME_FILE` nor `NAME` is
    /// set. Its value is never shown in the report.
    ///
    /// # Errors
    ///
    /// As [`Loader::value`], and [`ErrorKind::Configuration`](crate::ErrorKind)
    /// when the secret is set but empty.
    pub fn secret(&mut self, name: &str) -> Result<Option<Setting<SecretString>>> {
        let Some((value, source)) = self.lookup(name, true)? else {
            self.report.record(name, None, None, true);
            return Ok(None);
        };
        let value = SecretString::new(value);
        if value.expose_secret().is_empty() {
            return Err(Error::configuration(name.to_owned(), "set but empty"));
        }
        self.report
            .record(name, Some(&source), Some(mask::MASK.to_owned()), true);
        Ok(Some(Setting {
            name: name.to_owned(),
            value,
            source,
        }))
    }

    /// A secret setting that must be set.
    ///
    /// # Errors
    ///
    /// As [`Loader::secret`], and [`ErrorKind::Configuration`](crate::ErrorKind)
    /// when the secret is not set.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::config::Loader;
    ///
    /// let mut cfg = Loader::from_vars([("DB_PASSWORD", "sample-db-password")]);
    /// let password = cfg.required_secret("DB_PASSWORD")?.into_value();
    /// let err = cfg.required_secret("API_KEY").unwrap_err();
    /// assert_eq!(err.kind(), seckit::ErrorKind::Configuration); // stop the service here
    /// # let _ = password;
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn required_secret(&mut self, name: &str) -> Result<Setting<SecretString>> {
        self.secret(name)?.ok_or_else(|| not_set(name))
    }

    /// A secret setting given as text in `encoding` (a key or pepper stored
    /// as base64 or hex), decoded to bytes, or `None` when neither
    /// `NAME_FILE` nor `NAME` is set. The text and its decoding are wiped
    /// when dropped; line-wrapped text (as `openssl rand -base64 64` writes
    /// it) is accepted, see [`SecretEncoding`].
    ///
    /// Decoding is all this does: check a key's strength with
    /// [`strength::check_hmac_key`](crate::strength::check_hmac_key).
    ///
    /// # Errors
    ///
    /// As [`Loader::secret`], and [`ErrorKind::Configuration`](crate::ErrorKind)
    /// naming the setting when the text is not valid in `encoding`.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::config::Loader;
    /// use seckit::strength::SecretEncoding;
    ///
    /// let mut cfg = Loader::from_vars([("PASSWORD_PEPPER", "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE=")]);
    /// let pepper = cfg.secret_bytes("PASSWORD_PEPPER", SecretEncoding::Base64)?.expect("set above");
    /// assert_eq!(pepper.value().expose_secret().len(), 32);
    /// assert_eq!(cfg.report().to_string(), "PASSWORD_PEPPER=*** (env)");
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn secret_bytes(
        &mut self,
        name: &str,
        encoding: SecretEncoding,
    ) -> Result<Option<Setting<SecretBytes>>> {
        let Some(setting) = self.secret(name)? else {
            return Ok(None);
        };
        let value = strength::decode_named(&setting.value, encoding, name)?;
        Ok(Some(Setting {
            name: setting.name.clone(),
            value,
            source: setting.source.clone(),
        }))
    }

    /// [`Loader::secret_bytes`] for a secret that must be set.
    ///
    /// # Errors
    ///
    /// As [`Loader::secret_bytes`], and [`ErrorKind::Configuration`](crate::ErrorKind)
    /// when the secret is not set.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::config::Loader;
    /// use seckit::strength::{self, SecretEncoding};
    ///
    /// // `seckit secret generate` prints base64url.
    /// let generated = seckit::random::secret(32)?;
    /// let mut cfg = Loader::from_vars([("SESSION_KEY", generated.expose_secret().as_str())]);
    /// let key = cfg.required_secret_bytes("SESSION_KEY", SecretEncoding::Base64Url)?;
    /// strength::check_hmac_key(key.value().expose_secret(), 32)?;
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn required_secret_bytes(
        &mut self,
        name: &str,
        encoding: SecretEncoding,
    ) -> Result<Setting<SecretBytes>> {
        self.secret_bytes(name, encoding)?
            .ok_or_else(|| not_set(name))
    }

    /// Everything read so far, masked.
    #[must_use]
    pub const fn report(&self) -> &Report {
        &self.report
    }

    /// The report, dropping the loader.
    #[must_use]
    pub fn into_report(self) -> Report {
        self.report
    }

    /// `NAME_FILE` first, then `NAME`.
    fn lookup(&mut self, name: &str, secret: bool) -> Result<Option<(String, Source)>> {
        check_name(name)?;
        let file_var = format!("{name}_FILE");
        let from_env = self.var(name)?.map(Zeroizing::new);
        let Some(path) = self.var(&file_var)? else {
            return Ok(from_env.map(|mut v| (std::mem::take(&mut *v), Source::Env)));
        };
        if path.is_empty() {
            return Err(Error::configuration(file_var, "set but empty"));
        }
        if from_env.is_some() {
            self.report.warn(format!(
                "{name}: both {file_var} and {name} are set; {file_var} wins"
            ));
        }
        let path = PathBuf::from(path);
        let (value, wide_mode) = read_setting_file(&file_var, &path)?;
        if secret && let Some(mode) = wide_mode {
            self.report.warn(format!(
                "{file_var}: file mode {mode:04o} is wider than 0600"
            ));
        }
        Ok(Some((value, Source::File(path))))
    }

    fn var(&self, name: &str) -> Result<Option<String>> {
        match &self.vars {
            Vars::Given(vars) => Ok(vars.get(name).map(|v| v.expose_secret().clone())),
            Vars::Process => match std::env::var_os(name) {
                None => Ok(None),
                Some(os) => os
                    .into_string()
                    .map(Some)
                    .map_err(|_| Error::configuration(name.to_owned(), "not valid UTF-8")),
            },
        }
    }
}

fn not_set(name: &str) -> Error {
    Error::configuration(name.to_owned(), "not set").with_hint(format!(
        "set {name}, or {name}_FILE to the path of a file holding it"
    ))
}

/// Setting names are identifiers: they end up in logs and error messages.
fn check_name(name: &str) -> Result<()> {
    let mut bytes = name.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    if first_ok
        && name.len() <= MAX_NAME_LEN
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(())
    } else {
        Err(Error::configuration(
            "(setting name)",
            "not an identifier of at most 128 characters",
        ))
    }
}

/// Reads a `NAME_FILE` file. Returns the text with trailing line endings
/// removed, and the file's mode when it is wider than `0600`.
fn read_setting_file(file_var: &str, path: &Path) -> Result<(String, Option<u32>)> {
    let io_err = |e: &io::Error| {
        let reason = match e.kind() {
            io::ErrorKind::NotFound => "names a file that does not exist",
            io::ErrorKind::PermissionDenied => {
                "names a file that cannot be read (permission denied)"
            }
            _ => "names a file that cannot be read",
        };
        Error::configuration(file_var.to_owned(), reason)
    };
    let not_regular = || Error::configuration(file_var.to_owned(), "does not name a regular file");
    // Look before opening: opening a FIFO for reading blocks until a writer
    // appears, and a device may do anything on open. `metadata` follows
    // symlinks (Kubernetes mounts secrets as symlinks to regular files).
    if !std::fs::metadata(path).map_err(|e| io_err(&e))?.is_file() {
        return Err(not_regular());
    }
    // The path may have been swapped for a FIFO since: open without
    // blocking, then check the handle itself.
    let file = open_nonblocking(path).map_err(|e| io_err(&e))?;
    let meta = file.metadata().map_err(|e| io_err(&e))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let too_large = || Error::configuration(file_var.to_owned(), "names a file larger than 64 KiB");
    let len = usize::try_from(meta.len()).map_err(|_| too_large())?;
    if len > MAX_FILE_LEN {
        return Err(too_large());
    }
    // Pre-sized so the buffer never reallocates (and leaves a copy behind)
    // while it holds the secret; `take` stops a file that grew meanwhile.
    let mut buf = Zeroizing::new(Vec::with_capacity(len.saturating_add(1)));
    let limit = u64::try_from(MAX_FILE_LEN.saturating_add(1)).unwrap_or(u64::MAX);
    file.take(limit)
        .read_to_end(&mut buf)
        .map_err(|e| io_err(&e))?;
    if buf.len() > MAX_FILE_LEN {
        return Err(too_large());
    }
    let mut text = match String::from_utf8(std::mem::take(&mut *buf)) {
        Ok(text) => text,
        Err(e) => {
            e.into_bytes().zeroize();
            return Err(Error::configuration(
                file_var.to_owned(),
                "names a file that is not UTF-8",
            ));
        }
    };
    while text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok((text, wide_mode(&meta)))
}

/// Opens for reading with `O_NONBLOCK` on Unix, so that a FIFO or a device
/// put in place of the file cannot stall startup. It changes nothing for a
/// regular file.
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

#[cfg(unix)]
fn wide_mode(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn wide_mode(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}

/// Every setting a [`Loader`] read, with its source, secrets masked, plus
/// warnings: made for one startup log line (`Display`) or a structured log
/// (`Serialize`, with the `serde` feature).
///
/// # Example
///
/// ```
/// use seckit::config::Loader;
///
/// let mut cfg = Loader::from_vars([("JWT_SECRET", "sample-secret"), ("REGION", "eu-west-1")]);
/// cfg.required_secret("JWT_SECRET")?;
/// cfg.required_value("REGION")?;
/// let report = cfg.into_report();
/// assert_eq!(report.to_string(), "JWT_SECRET=*** (env), REGION=eu-west-1 (env)");
/// assert_eq!(report.entries().len(), 2);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Report {
    entries: Vec<ReportEntry>,
    warnings: Vec<String>,
}

/// One setting in a [`Report`].
///
/// # Example
///
/// ```
/// use seckit::config::Loader;
///
/// let mut cfg = Loader::from_vars([("JWT_SECRET", "sample-secret")]);
/// cfg.required_secret("JWT_SECRET")?;
/// let entry = cfg.report().entries().next().unwrap();
/// assert_eq!(entry.name(), "JWT_SECRET");
/// assert!(entry.is_secret());
/// assert_eq!(entry.shown(), Some("***"));
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReportEntry {
    name: String,
    source: Option<Source>,
    shown: Option<String>,
    secret: bool,
}

impl ReportEntry {
    /// The setting's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where its value came from; `None` when it was not set.
    #[must_use]
    pub const fn source(&self) -> Option<&Source> {
        self.source.as_ref()
    }

    /// The value as it may be logged (masked); `None` when it was not set.
    #[must_use]
    pub fn shown(&self) -> Option<&str> {
        self.shown.as_deref()
    }

    /// Whether it was read as a secret.
    #[must_use]
    pub const fn is_secret(&self) -> bool {
        self.secret
    }
}

impl Report {
    /// The settings read, in the order first read.
    #[must_use]
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &ReportEntry> {
        self.entries.iter()
    }

    /// Warnings worth an operator's attention (wide file modes, settings given
    /// twice). They name settings, never values.
    #[must_use]
    pub fn warnings(&self) -> impl ExactSizeIterator<Item = &str> {
        self.warnings.iter().map(String::as_str)
    }

    fn record(&mut self, name: &str, source: Option<&Source>, shown: Option<String>, secret: bool) {
        let entry = ReportEntry {
            name: name.to_owned(),
            source: source.cloned(),
            shown,
            secret,
        };
        match self.entries.iter_mut().find(|e| e.name == name) {
            Some(existing) => *existing = entry,
            None => self.entries.push(entry),
        }
    }

    fn warn(&mut self, warning: String) {
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match (&entry.shown, &entry.source) {
                (Some(shown), Some(source)) => write!(f, "{}={shown} ({source})", entry.name)?,
                _ => write!(f, "{} (unset)", entry.name)?,
            }
        }
        for (i, warning) in self.warnings.iter().enumerate() {
            f.write_str(if i == 0 { "; warnings: " } else { "; " })?;
            f.write_str(warning)?;
        }
        Ok(())
    }
}
