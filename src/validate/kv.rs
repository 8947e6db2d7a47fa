//! Key-value store keys (Redis-style) built from validated segments.

use crate::{Error, Result};

const FIELD: &str = "kv_key";

/// A key for Redis or a similar store, built by [`KvKeyBuilder`] from
/// segments that cannot contain the separator, whitespace, control or
/// invisible format characters, glob metacharacters (`* ? [ ] \`) or Redis Cluster hash-tag
/// braces (`{ }`): user input placed in a segment can never address another
/// tenant's keys, widen a `SCAN MATCH`/`KEYS` pattern, or pick a cluster
/// slot.
///
/// # Example
///
/// ```
/// use seckit::validate::KvKey;
///
/// let key = KvKey::builder().segment("tenant")?.segment("acme")?.segment("session")?.build()?;
/// assert_eq!(key.as_str(), "tenant:acme:session");
/// // A tenant id of "acme:admin" or "*" cannot escape its segment.
/// assert!(KvKey::builder().segment("tenant")?.segment("acme:admin").is_err());
/// assert!(KvKey::builder().segment("tenant")?.segment("*").is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KvKey(String);

impl KvKey {
    /// A builder with separator `:` and a 512-byte limit.
    pub fn builder() -> KvKeyBuilder {
        KvKeyBuilder::new(':')
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for KvKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for KvKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Builds a [`KvKey`] one checked segment at a time.
///
/// # Example
///
/// ```
/// use seckit::validate::KvKeyBuilder;
///
/// let key = KvKeyBuilder::new('/').max_len(128).segment("tenant-7")?.segment("cart")?.build()?;
/// assert_eq!(key.as_str(), "tenant-7/cart");
/// assert!(KvKeyBuilder::new('/').segment("a/b").is_err()); // no separator inside a segment
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until build() is called"]
pub struct KvKeyBuilder {
    separator: char,
    max_len: usize,
    key: String,
    segments: usize,
}

impl KvKeyBuilder {
    /// The default total limit, in bytes.
    pub const DEFAULT_MAX_LEN: usize = 512;

    /// A builder joining segments with `separator` (commonly `:` or `/`).
    pub fn new(separator: char) -> Self {
        Self {
            separator,
            max_len: Self::DEFAULT_MAX_LEN,
            key: String::new(),
            segments: 0,
        }
    }

    /// Sets the total length limit, in bytes.
    pub const fn max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Appends a segment.
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `kv_key` and rule `empty_segment`,
    /// `separator_in_segment`, `whitespace`, `control_char`,
    /// `glob_char` (`* ? [ ] \`), `hash_tag` (`{ }`), `bidi_control` or
    /// `format_char` (an invisible Unicode format character, which would
    /// make two keys look the same) or `too_long` (limit).
    pub fn segment(mut self, segment: &str) -> Result<Self> {
        if segment.is_empty() {
            return Err(Error::invalid(FIELD, "empty_segment"));
        }
        let added = segment.len().saturating_add(usize::from(self.segments > 0));
        if self.key.len().saturating_add(added) > self.max_len {
            return Err(Error::invalid_limit(FIELD, "too_long", self.max_len));
        }
        for c in segment.chars() {
            let rule = if c == self.separator {
                "separator_in_segment"
            } else if c.is_control() {
                "control_char"
            } else if c.is_whitespace() {
                "whitespace"
            } else if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                "glob_char"
            } else if matches!(c, '{' | '}') {
                "hash_tag"
            } else if let Some(rule) = super::format_char_rule(c) {
                rule
            } else {
                continue;
            };
            return Err(Error::invalid(FIELD, rule));
        }
        if self.segments > 0 {
            self.key.push(self.separator);
        }
        self.key.push_str(segment);
        self.segments = self.segments.saturating_add(1);
        Ok(self)
    }

    /// The key.
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `kv_key` rule `empty` when no segment was added.
    pub fn build(self) -> Result<KvKey> {
        if self.segments == 0 {
            return Err(Error::invalid(FIELD, "empty"));
        }
        Ok(KvKey(self.key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(seg: &str) -> &'static str {
        KvKey::builder()
            .segment(seg)
            .unwrap_err()
            .violation()
            .unwrap()
            .rule()
    }

    #[test]
    fn segments_cannot_escape() {
        assert_eq!(rule(""), "empty_segment");
        assert_eq!(rule("a:b"), "separator_in_segment");
        assert_eq!(rule("a b"), "whitespace");
        assert_eq!(rule("a\u{3000}b"), "whitespace");
        assert_eq!(rule("a\nb"), "control_char");
        for g in ["*", "a?", "[a]", "a\\b"] {
            assert_eq!(rule(g), "glob_char", "{g}");
        }
        assert_eq!(rule("{tag}"), "hash_tag");
        assert_eq!(rule(&"a".repeat(513)), "too_long");
        let slash = KvKeyBuilder::new('/')
            .segment("a:b")
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(slash.as_str(), "a:b");
        assert!(KvKey::builder().build().is_err());
        let full = KvKey::builder()
            .max_len(3)
            .segment("a")
            .unwrap()
            .segment("b")
            .unwrap();
        assert!(full.segment("c").is_err());
    }
}
