//! Text armor: base64 between BEGIN/END lines, for copy and paste.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::{Error, Result};

const BEGIN: &str = "-----BEGIN SECKIT ENVELOPE-----";
const END: &str = "-----END SECKIT ENVELOPE-----";
const LINE: usize = 64;
/// The largest armored envelope [`from_armor`] reads, in bytes. Larger
/// envelopes belong in binary files opened with streaming.
pub const MAX_ARMOR_LEN: usize = 16 * 1024 * 1024;

/// Armors a binary envelope: the BEGIN line, standard padded base64 in
/// 64-character lines, the END line, each ending in `\n`.
///
/// # Example
///
/// ```
/// use seckit::envelope::{from_armor, to_armor};
///
/// let text = to_armor(b"SKENV...");
/// assert!(text.starts_with("-----BEGIN SECKIT ENVELOPE-----\n"));
/// assert_eq!(from_armor(&text)?, b"SKENV...");
/// # Ok::<(), seckit::Error>(())
/// ```
#[must_use]
pub fn to_armor(envelope: &[u8]) -> String {
    let body = STANDARD.encode(envelope);
    // One line ending per line, plus the BEGIN and END lines: a hint for
    // the allocation, so saturating is fine.
    let mut out = String::with_capacity(
        body.len()
            .saturating_add(body.len() / LINE)
            .saturating_add(const { BEGIN.len() + END.len() + 4 }),
    );
    out.push_str(BEGIN);
    out.push('\n');
    for line in body.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// Reads armor made by [`to_armor`], strictly: the exact BEGIN and END
/// lines, `\n` or `\r\n` line endings used throughout, full 64-character
/// lines but the last, canonical padded base64, one final newline at most,
/// nothing before or after. Anything else is refused, not repaired.
///
/// # Errors
///
/// `InvalidInput` with field `armor` and rule `too_long` (16 MiB),
/// `missing_begin`, `missing_end`, `line_length`, `not_base64` or
/// `trailing_data`.
///
/// # Example
///
/// ```
/// use seckit::envelope::{from_armor, to_armor};
///
/// let text = to_armor(b"binary envelope bytes");
/// assert_eq!(from_armor(&text.replace('\n', "\r\n"))?, b"binary envelope bytes");
/// assert!(from_armor(&format!("junk\n{text}")).is_err()); // refused, not repaired
/// # Ok::<(), seckit::Error>(())
/// ```
pub fn from_armor(text: &str) -> Result<Vec<u8>> {
    const FIELD: &str = "armor";
    if text.len() > MAX_ARMOR_LEN {
        return Err(Error::invalid_limit(FIELD, "too_long", MAX_ARMOR_LEN));
    }
    let eol = if text
        .get(BEGIN.len()..)
        .is_some_and(|t| t.starts_with("\r\n"))
    {
        "\r\n"
    } else {
        "\n"
    };
    let rest = text
        .strip_prefix(BEGIN)
        .and_then(|r| r.strip_prefix(eol))
        .ok_or_else(|| Error::invalid(FIELD, "missing_begin"))?;
    let rest = rest.strip_suffix(eol).unwrap_or(rest);
    let body = rest.strip_suffix(END).ok_or_else(|| {
        Error::invalid(
            FIELD,
            if rest.contains(END) {
                "trailing_data"
            } else {
                "missing_end"
            },
        )
    })?;
    let body = body
        .strip_suffix(eol)
        .ok_or_else(|| Error::invalid(FIELD, "line_length"))?;
    let lines: Vec<&str> = body.split(eol).collect();
    let mut joined = String::with_capacity(body.len());
    for (i, line) in lines.iter().enumerate() {
        let is_last = i.saturating_add(1) == lines.len();
        if line.is_empty() || line.len() > LINE || (!is_last && line.len() != LINE) {
            return Err(Error::invalid(FIELD, "line_length"));
        }
        joined.push_str(line);
    }
    STANDARD
        .decode(joined)
        .map_err(|_| Error::invalid(FIELD, "not_base64"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_sloppy_armor() {
        for n in [1usize, 47, 48, 49, 200] {
            let data: Vec<u8> = (0..n).map(|i| u8::try_from(i % 251).unwrap()).collect();
            let text = to_armor(&data);
            assert_eq!(from_armor(&text).unwrap(), data);
            assert_eq!(from_armor(&text.replace('\n', "\r\n")).unwrap(), data);
            assert_eq!(from_armor(text.trim_end()).unwrap(), data);
        }
        let good = to_armor(&[7u8; 100]);
        let rule = |t: &str| from_armor(t).unwrap_err().violation().unwrap().rule();
        assert_eq!(rule(&format!(" {good}")), "missing_begin");
        assert_eq!(rule(&good.replace(END, "-----END X-----")), "missing_end");
        assert_eq!(rule(&format!("{good}extra")), "trailing_data");
        assert_eq!(rule(&good.replacen("\n", "\n ", 2)), "line_length");
        assert_eq!(rule(&good.replacen("\n", "\n\n", 2)), "line_length");
        let data = to_armor(&[1u8, 2]); // "AQI=" : change to the non-canonical "AQJ="
        assert_eq!(rule(&data.replace("AQI=", "AQJ=")), "not_base64");
        assert_eq!(rule(&data.replace("AQI=", "AQI")), "not_base64");
        let mixed = good.replacen('\n', "\r\n", 1);
        assert!(from_armor(&mixed).is_err());
    }
}
