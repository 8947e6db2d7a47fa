//! Paths under a root, and file names, from untrusted input.

use std::path::{Path, PathBuf};

use super::{format_char_rule, is_windows_device_name, string_newtype};
use crate::{Error, Result};

/// The longest relative path [`safe_join`] accepts, in bytes.
const MAX_PATH: usize = 4096;
/// The longest file name, in bytes (ext4, NTFS in UTF-16 units, APFS).
const MAX_NAME: usize = 255;

/// Joins an untrusted relative path onto `root`, lexically, so that the
/// result can never name anything outside `root`.
///
/// `untrusted` is `/`-separated. Refused: empty input; absolute paths;
/// empty, `.` and `..` components; backslashes; NUL and control
/// characters; bidi controls and other invisible format characters
/// (Unicode category Cf); any percent-encoding (`%2e%2e`, `%2f`, `%252e` — decode once,
/// in your framework, before calling this); `:` anywhere (Windows drives
/// `C:`, alternate data streams `a:b`); components ending in a dot or a
/// space (Windows strips them); Windows device names in any component
/// (`CON`, `nul.txt`, `COM1`, `LPT¹`, any case, with trailing dots or
/// spaces — the Werkzeug CVE-2019-14806 / CVE-2023-46136 family); more
/// than 4096 bytes.
///
/// This does not touch the file system, so a symlink inside `root` can
/// still point outside; use [`safe_join_existing`] for paths that exist.
///
/// # Errors
///
/// `InvalidInput` with field `path` and rule `empty`, `too_long` (limit),
/// `absolute`, `empty_component`, `dot_segment`, `backslash`,
/// `control_char`, `bidi_control`, `format_char`, `percent_encoded`,
/// `colon`, `trailing_dot_or_space` or `device_name`.
///
/// # Example
///
/// ```
/// use std::path::Path;
/// use seckit::validate::safe_join;
///
/// let root = Path::new("/srv/uploads");
/// assert_eq!(safe_join(root, "2026/report.pdf")?, Path::new("/srv/uploads/2026/report.pdf"));
/// for hostile in ["../etc/passwd", "/etc/passwd", "a/%2e%2e/b", "..\\x", "C:/x", "con.txt", "a/NUL ."] {
///     assert!(safe_join(root, hostile).is_err(), "{hostile}");
/// }
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn safe_join(root: &Path, untrusted: &str) -> Result<PathBuf> {
    check_relative(untrusted)?;
    let mut out = root.to_path_buf();
    for component in untrusted.split('/') {
        out.push(component);
    }
    Ok(out)
}

fn check_relative(untrusted: &str) -> Result<()> {
    const FIELD: &str = "path";
    if untrusted.is_empty() {
        return Err(Error::invalid(FIELD, "empty"));
    }
    if untrusted.len() > MAX_PATH {
        return Err(Error::invalid_limit(FIELD, "too_long", MAX_PATH));
    }
    if untrusted.starts_with('/') {
        return Err(Error::invalid(FIELD, "absolute"));
    }
    let bytes = untrusted.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let rule = match b {
            b'\\' => "backslash",
            b':' => "colon",
            b'%' if is_pct_encoded(bytes.get(i.saturating_add(1)..i.saturating_add(3))) => {
                "percent_encoded"
            }
            b if b < 0x20 || b == 0x7f => "control_char",
            _ => continue,
        };
        return Err(Error::invalid(FIELD, rule));
    }
    if untrusted.chars().any(char::is_control) {
        return Err(Error::invalid(FIELD, "control_char"));
    }
    if let Some(rule) = untrusted.chars().find_map(format_char_rule) {
        return Err(Error::invalid(FIELD, rule));
    }
    for component in untrusted.split('/') {
        check_component(component, FIELD)?;
    }
    Ok(())
}

fn is_pct_encoded(next: Option<&[u8]>) -> bool {
    next.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
}

fn check_component(component: &str, field: &'static str) -> Result<()> {
    let rule = if component.is_empty() {
        "empty_component"
    } else if component == "." || component == ".." {
        "dot_segment"
    } else if component.ends_with(['.', ' ']) {
        "trailing_dot_or_space"
    } else if is_windows_device_name(component) {
        "device_name"
    } else {
        return Ok(());
    };
    Err(Error::invalid(field, rule))
}

/// [`safe_join`], then resolves symlinks and checks again that the result
/// is inside `root` (also resolved). The path must exist.
///
/// There is a window between this check and your later use of the path in
/// which a symlink could be swapped in; where that matters, open the file
/// relative to a directory handle instead.
///
/// # Errors
///
/// As [`safe_join`], and field `path` rule `not_found` (it, or `root`,
/// does not exist or cannot be resolved) or `escapes_root` (a symlink
/// leads outside).
///
/// # Example
///
/// ```
/// use seckit::validate::safe_join_existing;
///
/// let root = std::env::temp_dir();
/// std::fs::write(root.join("seckit-doc-example.txt"), b"x").unwrap();
/// let path = safe_join_existing(&root, "seckit-doc-example.txt")?;
/// assert!(path.starts_with(root.canonicalize().unwrap()));
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn safe_join_existing(root: &Path, untrusted: &str) -> Result<PathBuf> {
    let joined = safe_join(root, untrusted)?;
    let not_found = |_| Error::invalid("path", "not_found");
    let root = root.canonicalize().map_err(not_found)?;
    let resolved = joined.canonicalize().map_err(not_found)?;
    if !resolved.starts_with(&root) {
        return Err(Error::invalid("path", "escapes_root"));
    }
    Ok(resolved)
}

/// Options for [`Filename`].
///
/// # Example
///
/// ```
/// use seckit::validate::{Filename, FilenameOptions};
///
/// assert!(Filename::parse(".env").is_err());
/// let mut options = FilenameOptions::default();
/// options.allow_leading_dot = true;
/// assert!(Filename::parse_with(".env", &options).is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FilenameOptions {
    /// Accept names starting with `.` (hidden files, `.htaccess`). Off by default.
    pub allow_leading_dot: bool,
    /// The longest name, in bytes. Default (and maximum useful) 255.
    pub max_len: usize,
}

impl Default for FilenameOptions {
    fn default() -> Self {
        Self {
            allow_leading_dot: false,
            max_len: MAX_NAME,
        }
    }
}

/// A single file name that is safe on Linux, macOS and Windows: no `/` or
/// `\`, no NUL or control characters, no bidi controls or other invisible
/// format characters (Unicode category Cf: `invoice\u{202E}fdp.exe` would
/// display as `invoiceexe.pdf`), none of `< > : " | ? *`, not `.` or
/// `..`, no leading `.` (unless allowed), no trailing dot or space, not a
/// Windows device name (`CON`, `nul.txt`, `COM1`, …), at most 255 bytes.
///
/// [`Filename::sanitize`] turns any upload name into one.
///
/// # Example
///
/// ```
/// use seckit::validate::Filename;
///
/// assert_eq!(Filename::parse("report 2026.pdf")?.as_str(), "report 2026.pdf");
/// assert!(Filename::parse("../../etc/passwd").is_err());
/// assert_eq!(Filename::sanitize("C:\\Users\\me\\..\\evil?.exe ").as_str(), "evil_.exe");
/// assert_eq!(Filename::sanitize("CON.txt").as_str(), "_CON.txt");
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Filename(String);

fn is_forbidden_in_name(c: char) -> bool {
    matches!(c, '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*') || c.is_control()
}

impl Filename {
    /// Parses with the default options.
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `filename` and rule `empty`, `too_long`
    /// (limit), `invalid_char`, `bidi_control`, `format_char`,
    /// `dot_segment`, `leading_dot`, `trailing_dot_or_space` or
    /// `device_name`.
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_with(input, &FilenameOptions::default())
    }

    /// Parses with `options`.
    ///
    /// # Errors
    ///
    /// As [`Filename::parse`].
    pub fn parse_with(input: &str, options: &FilenameOptions) -> Result<Self> {
        const FIELD: &str = "filename";
        if input.is_empty() {
            return Err(Error::invalid(FIELD, "empty"));
        }
        if input.len() > options.max_len {
            return Err(Error::invalid_limit(FIELD, "too_long", options.max_len));
        }
        if input.chars().any(is_forbidden_in_name) {
            return Err(Error::invalid(FIELD, "invalid_char"));
        }
        if let Some(rule) = input.chars().find_map(format_char_rule) {
            return Err(Error::invalid(FIELD, rule));
        }
        check_component(input, FIELD)?;
        if input.starts_with('.') && !options.allow_leading_dot {
            return Err(Error::invalid(FIELD, "leading_dot"));
        }
        Ok(Self(input.to_owned()))
    }

    /// A safe name made from an arbitrary upload name (default options): the
    /// part after the last `/` or `\`, format characters (Cf, bidi controls
    /// among them) removed, forbidden characters replaced by `_`,
    /// leading dots and trailing dots and spaces removed, a device name
    /// prefixed with `_`, cut to 255 bytes on a character boundary
    /// (keeping a short extension), and `file` if nothing is left. The
    /// result always parses.
    #[must_use]
    pub fn sanitize(input: &str) -> Self {
        let base = input.rsplit(['/', '\\']).next().unwrap_or(input);
        let replaced: String = base
            .chars()
            .filter(|&c| format_char_rule(c).is_none())
            .map(|c| if is_forbidden_in_name(c) { '_' } else { c })
            .collect();
        let mut name = replaced
            .trim_start_matches('.')
            .trim_end_matches(['.', ' '])
            .to_owned();
        if is_windows_device_name(&name) {
            name.insert(0, '_');
        }
        if name.len() > MAX_NAME {
            name = truncate_keeping_extension(&name, MAX_NAME);
        }
        // Truncation can expose a trailing dot or space again.
        let trimmed = name.trim_end_matches(['.', ' ']);
        if trimmed.is_empty() {
            return Self("file".to_owned());
        }
        Self(trimmed.to_owned())
    }
}

fn truncate_keeping_extension(name: &str, max: usize) -> String {
    let ext = name
        .rfind('.')
        .and_then(|i| name.get(i..))
        .filter(|e| e.len() <= 16)
        .unwrap_or("");
    let mut cut = max.saturating_sub(ext.len());
    while !name.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    let mut out = name.get(..cut).unwrap_or_default().to_owned();
    out.push_str(ext);
    out
}

string_newtype!(Filename);

#[cfg(test)]
mod tests {
    use super::*;

    fn join_rule(s: &str) -> &'static str {
        safe_join(Path::new("/r"), s)
            .unwrap_err()
            .violation()
            .unwrap()
            .rule()
    }

    #[test]
    fn traversal_in_every_spelling_is_refused() {
        assert_eq!(join_rule(""), "empty");
        assert_eq!(join_rule(".."), "dot_segment");
        assert_eq!(join_rule("a/../../b"), "dot_segment");
        assert_eq!(join_rule("./a"), "dot_segment");
        assert_eq!(join_rule("/etc"), "absolute");
        assert_eq!(join_rule("//server/share"), "absolute");
        assert_eq!(join_rule("a//b"), "empty_component");
        assert_eq!(join_rule("a/"), "empty_component");
        assert_eq!(join_rule("..\\..\\win.ini"), "backslash");
        assert_eq!(join_rule("\\\\server\\share"), "backslash");
        assert_eq!(join_rule("C:/Windows"), "colon");
        assert_eq!(join_rule("file.txt:stream"), "colon");
        assert_eq!(join_rule("%2e%2e/etc"), "percent_encoded");
        assert_eq!(join_rule("a%2fb"), "percent_encoded");
        assert_eq!(join_rule("%252e%252e"), "percent_encoded");
        assert_eq!(join_rule("a\0b"), "control_char");
        assert_eq!(join_rule("a\u{85}b"), "control_char");
        assert_eq!(join_rule("..."), "trailing_dot_or_space");
        assert_eq!(join_rule("a. "), "trailing_dot_or_space");
        for dev in [
            "CON",
            "con",
            "nul.txt",
            "Com1",
            "LPT9.log",
            "aux.tar.gz",
            "COM¹",
            "conin$",
            "PRN",
        ] {
            assert_eq!(join_rule(&format!("ok/{dev}")), "device_name", "{dev}");
        }
        assert_eq!(join_rule(&"a".repeat(4097)), "too_long");
        assert_eq!(
            safe_join(Path::new("/r"), "a/b.c/100%").unwrap(),
            Path::new("/r/a/b.c/100%")
        );
        for fine in ["console", "com10", "lpt", "nul_", "a.b", "conf.d/x"] {
            safe_join(Path::new("/r"), fine).unwrap();
        }
    }

    #[test]
    fn filenames() {
        let rule = |s: &str| Filename::parse(s).unwrap_err().violation().unwrap().rule();
        assert_eq!(rule(""), "empty");
        assert_eq!(rule("a/b"), "invalid_char");
        assert_eq!(rule("a?"), "invalid_char");
        assert_eq!(rule(".."), "dot_segment");
        assert_eq!(rule(".env"), "leading_dot");
        assert_eq!(rule("a."), "trailing_dot_or_space");
        assert_eq!(rule("NUL"), "device_name");
        assert_eq!(rule(&"a".repeat(256)), "too_long");
        let hidden = FilenameOptions {
            allow_leading_dot: true,
            ..FilenameOptions::default()
        };
        Filename::parse_with(".htaccess", &hidden).unwrap();
    }

    #[test]
    fn sanitized_names_always_parse() {
        for raw in [
            "",
            ".",
            "..",
            "...",
            " ",
            "/",
            "\\",
            "a/b/../c",
            "CON",
            "con.txt",
            ".bashrc",
            "x\0y",
            "日本語.txt",
        ] {
            let s = Filename::sanitize(raw);
            Filename::parse(s.as_str()).unwrap_or_else(|e| panic!("{raw:?} -> {s:?}: {e}"));
        }
        let long = format!("{}.pdf", "é".repeat(200));
        let s = Filename::sanitize(&long);
        assert!(s.as_str().len() <= 255 && s.as_str().ends_with(".pdf"));
    }
}
