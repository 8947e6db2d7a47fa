//! Free text: bounded, no control characters, no bidi overrides.

use super::{is_bidi_control, is_refused_control, string_newtype};
use crate::{Error, Result};

const FIELD: &str = "text";

/// Options for [`Text`].
///
/// # Example
///
/// ```
/// use seckit::validate::{Text, TextOptions};
///
/// let mut options = TextOptions::with_max_chars(280);
/// assert!(Text::parse_with("short bio", &options).is_ok());
/// assert!(Text::parse_with("abc\u{202E}def", &options).is_err()); // bidi override
/// options.allow_bidi_controls = true; // only where text is never shown to others
/// assert!(Text::parse_with("abc\u{202E}def", &options).is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TextOptions {
    /// The most characters (Unicode scalar values). Default 10,000.
    pub max_chars: usize,
    /// Accept Unicode bidi embedding, override and isolate controls
    /// (U+202A–U+202E, U+2066–U+2069). Off by default: they make text
    /// display in an order other than its logical one (Trojan Source,
    /// CVE-2021-42574).
    pub allow_bidi_controls: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        Self {
            max_chars: 10_000,
            allow_bidi_controls: false,
        }
    }
}

impl TextOptions {
    /// Default options with a different character limit.
    #[must_use]
    pub fn with_max_chars(max_chars: usize) -> Self {
        Self {
            max_chars,
            ..Self::default()
        }
    }
}

/// Free text such as a message, comment or bio: at most 10,000 characters by
/// default; no NUL or other control character except `\n`, `\r` and `\t`;
/// no bidi overrides or isolates unless allowed. Empty text is valid (wrap
/// it in your own check when a field is required).
///
/// [`Text::sanitize`] is the explicit alternative for callers who prefer
/// cleaning to refusing: it removes what `parse` would refuse and cuts at the
/// limit, and its output always parses.
///
/// # Example
///
/// ```
/// use seckit::validate::Text;
///
/// assert!(Text::parse("line one\nline two\ttabbed").is_ok());
/// let err = Text::parse("access granted\u{202E}\u{2066}// evil").unwrap_err();
/// assert_eq!(err.violation().unwrap().code(), "text.bidi_control");
/// assert_eq!(Text::sanitize("a\u{0}b\u{202E}c").as_str(), "abc");
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Text(String);

impl Text {
    /// Parses with the default options.
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `text` and rule `too_long` (limit in
    /// characters), `control_char` or `bidi_control`.
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_with(input, &TextOptions::default())
    }

    /// Parses with `options`.
    ///
    /// # Errors
    ///
    /// As [`Text::parse`].
    pub fn parse_with(input: &str, options: &TextOptions) -> Result<Self> {
        // Bytes bound characters from above: refuse the hopeless before counting.
        if input.len() > options.max_chars.saturating_mul(4) {
            return Err(Error::invalid_limit(FIELD, "too_long", options.max_chars));
        }
        let chars = scan(input, options.allow_bidi_controls)?;
        if chars > options.max_chars {
            return Err(Error::invalid_limit(FIELD, "too_long", options.max_chars));
        }
        Ok(Self(input.to_owned()))
    }

    /// Removes every character [`Text::parse`] refuses and keeps the first
    /// 10,000 characters of the rest. The result always parses.
    #[must_use]
    pub fn sanitize(input: &str) -> Self {
        Self::sanitize_with(input, &TextOptions::default())
    }

    /// [`Text::sanitize`] with `options`.
    #[must_use]
    pub fn sanitize_with(input: &str, options: &TextOptions) -> Self {
        let kept = input
            .chars()
            .filter(|&c| {
                !is_refused_control(c, true) && (options.allow_bidi_controls || !is_bidi_control(c))
            })
            .take(options.max_chars);
        Self(kept.collect())
    }

    /// The number of characters.
    #[must_use]
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }
}

string_newtype!(Text);

/// Counts the characters and finds refused ones on the UTF-8 bytes
/// directly: C0 controls but `\t \n \r`, DEL, C1 controls (`C2 80`–`C2
/// 9F`), and unless allowed the bidi controls U+202A–U+202E (`E2 80 AA`–`AE`)
/// and U+2066–U+2069 (`E2 81 A6`–`A9`). Equivalent to checking each `char`
/// with [`is_refused_control`] and [`is_bidi_control`], several times faster.
fn scan(input: &str, allow_bidi: bool) -> Result<usize> {
    let bytes = input.as_bytes();
    // One branch-free pass (it vectorizes): any refused C0/DEL byte, and
    // whether a lead byte of a C1 control (C2) or a bidi control (E2) occurs.
    let (c0, lead) = bytes.iter().fold((false, false), |(c0, lead), &b| {
        (
            c0 | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0x7F),
            lead | (b == 0xC2) | (b == 0xE2),
        )
    });
    if c0 {
        return Err(Error::invalid(FIELD, "control_char"));
    }
    if lead {
        for (i, &b) in bytes.iter().enumerate() {
            let (next, after) = (
                bytes.get(i.saturating_add(1)),
                bytes.get(i.saturating_add(2)),
            );
            if b == 0xC2 && matches!(next, Some(0x80..=0x9F)) {
                return Err(Error::invalid(FIELD, "control_char"));
            }
            let bidi = b == 0xE2
                && matches!(
                    (next, after),
                    (Some(0x80), Some(0xAA..=0xAE)) | (Some(0x81), Some(0xA6..=0xA9))
                );
            if bidi && !allow_bidi {
                return Err(Error::invalid(FIELD, "bidi_control"));
            }
        }
    }
    Ok(input.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: &str) -> &'static str {
        Text::parse(s).unwrap_err().violation().unwrap().rule()
    }

    #[test]
    fn refuses_controls_and_bidi_but_keeps_lines_and_tabs() {
        Text::parse("").unwrap();
        Text::parse("héllo\r\n\twörld 日本 🎉").unwrap();
        for c in ['\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert_eq!(rule(&format!("a{c}b")), "control_char", "{:?}", c);
        }
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}',
        ] {
            assert_eq!(rule(&format!("a{c}b")), "bidi_control", "{:?}", c);
        }
        // Marks are not reordering controls.
        Text::parse("a\u{200E}b\u{200F}").unwrap();
        let allow = TextOptions {
            allow_bidi_controls: true,
            ..TextOptions::default()
        };
        Text::parse_with("a\u{202E}b", &allow).unwrap();
    }

    #[test]
    fn the_byte_scan_agrees_with_the_char_predicates() {
        // Every code point up to U+3000, and the planes' edges, alone and in context.
        let probe = (0u32..0x3000)
            .chain([0xFEFF, 0xFFFD, 0x1F600, 0x10FFFF])
            .filter_map(char::from_u32);
        for c in probe {
            for allow in [false, true] {
                let s = format!("a{c}b");
                let by_char = s.chars().find_map(|c| {
                    if is_refused_control(c, true) {
                        Some("control_char")
                    } else if !allow && is_bidi_control(c) {
                        Some("bidi_control")
                    } else {
                        None
                    }
                });
                let by_byte = scan(&s, allow).map_err(|e| e.violation().unwrap().rule());
                match by_char {
                    None => assert_eq!(by_byte, Ok(3), "{:?}", c),
                    Some(rule) => assert_eq!(by_byte, Err(rule), "{:?}", c),
                }
            }
        }
    }

    #[test]
    fn the_limit_is_in_characters() {
        Text::parse(&"é".repeat(10_000)).unwrap();
        assert_eq!(rule(&"é".repeat(10_001)), "too_long");
        assert_eq!(rule(&"a".repeat(40_001)), "too_long");
        let small = TextOptions::with_max_chars(3);
        Text::parse_with("日本語", &small).unwrap();
        assert!(Text::parse_with("日本語!", &small).is_err());
    }

    #[test]
    fn sanitize_strips_and_truncates() {
        assert_eq!(Text::sanitize("a\u{0}b\u{202E}c\nd").as_str(), "abc\nd");
        let small = TextOptions::with_max_chars(2);
        assert_eq!(Text::sanitize_with("日本語", &small).as_str(), "日本");
    }
}
