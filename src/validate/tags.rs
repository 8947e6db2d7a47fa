//! Tags: short labels, deduplicated case-insensitively.

use super::string_newtype;
use crate::{Error, Result};

/// Limits for [`Tag`] and [`Tags`].
///
/// # Example
///
/// ```
/// use seckit::validate::{TagOptions, Tags};
///
/// let mut options = TagOptions::default();
/// options.max_count = 3;
/// assert_eq!(Tags::parse_list_with("rust, security, rust", &options)?.len(), 2); // deduplicated
/// assert!(Tags::parse_list_with("a, b, c, d", &options).is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TagOptions {
    /// The longest tag, in bytes (the charset is ASCII). Default 32.
    pub max_len: usize,
    /// The most tags in a [`Tags`] (after deduplication). Default 20.
    pub max_count: usize,
}

impl Default for TagOptions {
    fn default() -> Self {
        Self {
            max_len: 32,
            max_count: 20,
        }
    }
}

/// One tag: ASCII letters, digits, `-`, `_` and `.`, 1 to 32 bytes by default.
///
/// # Example
///
/// ```
/// use seckit::validate::Tag;
///
/// assert_eq!(Tag::parse("rust-1.88")?.as_str(), "rust-1.88");
/// assert!(Tag::parse("two words").is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    /// Parses with the default limit.
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `tag` and rule `empty`, `too_long` (limit)
    /// or `invalid_char`.
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_with(input, &TagOptions::default())
    }

    /// Parses with `options.max_len`.
    ///
    /// # Errors
    ///
    /// As [`Tag::parse`].
    pub fn parse_with(input: &str, options: &TagOptions) -> Result<Self> {
        check(input, options)?;
        Ok(Self(input.to_owned()))
    }
}

fn check(input: &str, options: &TagOptions) -> Result<()> {
    if input.is_empty() {
        return Err(Error::invalid("tag", "empty"));
    }
    if input.len() > options.max_len {
        return Err(Error::invalid_limit("tag", "too_long", options.max_len));
    }
    if !input
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(Error::invalid("tag", "invalid_char"));
    }
    Ok(())
}

string_newtype!(Tag);

/// A list of [`Tag`]s with duplicates removed ignoring ASCII case (the first
/// spelling is kept, order is kept), at most 20 by default.
///
/// # Example
///
/// ```
/// use seckit::validate::Tags;
///
/// let tags = Tags::parse_list("rust, Web,rust ,WEB,db")?;
/// assert_eq!(tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(), ["rust", "Web", "db"]);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Tags(Vec<Tag>);

impl Tags {
    /// Validates each item and deduplicates, with the default limits.
    ///
    /// # Errors
    ///
    /// The first [`Tag`] error, or field `tags` rule `too_many` (limit).
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self> {
        Self::parse_with(items, &TagOptions::default())
    }

    /// [`Tags::parse`] with `options`.
    ///
    /// # Errors
    ///
    /// As [`Tags::parse`].
    pub fn parse_with<'a>(
        items: impl IntoIterator<Item = &'a str>,
        options: &TagOptions,
    ) -> Result<Self> {
        let mut out = Self::default();
        for item in items {
            check(item, options)?;
            out.push_unique(item, options)?;
        }
        Ok(out)
    }

    /// Parses a comma-separated list; spaces around each item are ignored.
    /// The whole input is limited to what `max_count` tags of `max_len` could
    /// need, checked first.
    ///
    /// # Errors
    ///
    /// As [`Tags::parse`], and field `tags` rule `too_long` for oversize input.
    pub fn parse_list(input: &str) -> Result<Self> {
        Self::parse_list_with(input, &TagOptions::default())
    }

    /// [`Tags::parse_list`] with `options`.
    ///
    /// # Errors
    ///
    /// As [`Tags::parse_list`].
    pub fn parse_list_with(input: &str, options: &TagOptions) -> Result<Self> {
        // Room for every tag, a comma and a little spacing each, and duplicates.
        let limit = options
            .max_len
            .saturating_add(4)
            .saturating_mul(options.max_count)
            .saturating_mul(2);
        if input.len() > limit {
            return Err(Error::invalid_limit("tags", "too_long", limit));
        }
        if input.trim().is_empty() {
            return Ok(Self::default());
        }
        Self::parse_with(input.split(',').map(|s| s.trim_matches(' ')), options)
    }

    /// Adds a checked tag unless a case-insensitive duplicate is present.
    fn push_unique(&mut self, tag: &str, options: &TagOptions) -> Result<()> {
        if self.0.iter().any(|t| t.0.eq_ignore_ascii_case(tag)) {
            return Ok(());
        }
        if self.0.len() >= options.max_count {
            return Err(Error::invalid_limit("tags", "too_many", options.max_count));
        }
        self.0.push(Tag(tag.to_owned()));
        Ok(())
    }

    /// The tags, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Tag> {
        self.0.iter()
    }

    /// How many tags.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The tags, owned.
    #[must_use]
    pub fn into_vec(self) -> Vec<Tag> {
        self.0
    }
}

impl<'a> IntoIterator for &'a Tags {
    type Item = &'a Tag;
    type IntoIter = std::slice::Iter<'a, Tag>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A JSON array of strings, validated and deduplicated like [`Tags::parse`].
/// A failure names the rule (`tag.invalid_char`, `tags.too_many`) or what
/// was expected; never the input.
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> serde::Deserialize<'de> for Tags {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use crate::serde_safe::Failure;

        const EXPECTED: &str = "an array of tag strings";

        /// One element, its parse failure recorded for the whole array.
        struct Element<'f>(&'f Failure);
        impl<'de> serde::de::DeserializeSeed<'de> for Element<'_> {
            type Value = Tag;
            fn deserialize<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> std::result::Result<Tag, D::Error> {
                crate::serde_safe::parse_str(d, "a tag string", |s| {
                    Tag::parse(s).inspect_err(|e| {
                        let _placeholder: D::Error = self.0.record(e.clone());
                    })
                })
            }
        }

        struct V<'f>(&'f Failure);
        impl<'de> serde::de::Visitor<'de> for V<'_> {
            type Value = Tags;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Tags, A::Error> {
                let options = TagOptions::default();
                let mut out = Tags::default();
                while let Some(tag) = seq.next_element_seed(Element(self.0))? {
                    out.push_unique(&tag.0, &options)
                        .map_err(|e| self.0.record(e))?;
                }
                Ok(out)
            }
        }
        let failure = Failure::default();
        failure.finish(d.deserialize_seq(V(&failure)), EXPECTED)
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl serde::Serialize for Tags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_dedupe_keep_order_and_count_limit() {
        let t = Tags::parse(["a", "B", "A", "b", "c"]).unwrap();
        assert_eq!(
            t.iter().map(Tag::as_str).collect::<Vec<_>>(),
            ["a", "B", "c"]
        );
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        let err = Tags::parse(many.iter().map(String::as_str)).unwrap_err();
        assert_eq!(err.violation().unwrap().code(), "tags.too_many");
        // Duplicates do not count towards the limit.
        let dupes: Vec<&str> = std::iter::repeat_n("x", 100).collect();
        assert_eq!(Tags::parse(dupes).unwrap().len(), 1);
        assert!(Tags::parse_list("").unwrap().is_empty());
        assert_eq!(
            Tags::parse_list("a,,b")
                .unwrap_err()
                .violation()
                .unwrap()
                .code(),
            "tag.empty"
        );
        assert_eq!(
            Tag::parse(&"a".repeat(33))
                .unwrap_err()
                .violation()
                .unwrap()
                .code(),
            "tag.too_long"
        );
        assert!(Tags::parse_list(&"a,".repeat(10_000)).is_err());
    }
}
