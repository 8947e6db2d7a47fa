//! Usernames and user ids: ASCII by default, a PRECIS Unicode profile on request.

use precis_core::profile::PrecisFastInvocation as _;
use precis_profiles::UsernameCaseMapped;
use unicode_security::MixedScript as _;

use super::string_newtype;
use crate::{Error, Result};

/// Limits for [`Username`] and [`UnicodeUsername`].
///
/// # Example
///
/// ```
/// use seckit::validate::{Username, UsernameOptions};
///
/// let short = UsernameOptions::with_max_len(16);
/// assert!(Username::parse_with("ada_lovelace", &short).is_ok());
/// assert!(Username::parse_with("augusta_ada_king_lovelace", &short).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsernameOptions {
    /// The longest name: bytes for [`Username`] (ASCII), characters for
    /// [`UnicodeUsername`]. Default 64.
    pub max_len: usize,
}

impl Default for UsernameOptions {
    fn default() -> Self {
        Self { max_len: 64 }
    }
}

impl UsernameOptions {
    /// Options with a different maximum length.
    #[must_use]
    pub const fn with_max_len(max_len: usize) -> Self {
        Self { max_len }
    }
}

/// A username of ASCII letters, digits, `_` and `-`, 1 to 64 bytes by
/// default. Case is kept for display; [`unique_key`](Username::unique_key)
/// is the form to enforce uniqueness with: case-folded *and* confusable-
/// folded, so `paypaI` (capital i) and `paypal`, `rnike` and `mike`, `b0b`
/// and `bob`, `1ogin` and `login` get the same key.
///
/// ASCII-only on purpose: no Unicode name can case-map onto an ASCII one
/// (the Django CVE-2019-19844 class of account takeover). ASCII still has
/// look-alikes (`l`/`I`/`1`, `O`/`0`, `rn`/`m`); the unique key folds them,
/// so the second of two look-alike names cannot register. For names in
/// other scripts use [`UnicodeUsername`].
///
/// # Example
///
/// ```
/// use seckit::validate::Username;
///
/// let name = Username::parse("Grace_Hopper-1906")?;
/// assert_eq!(name.as_str(), "Grace_Hopper-1906");
/// assert_eq!(name.unique_key(), Username::parse("grace_hopper-l9O6")?.unique_key());
/// let err = Username::parse("grace hopper").unwrap_err();
/// assert_eq!(err.violation().unwrap().code(), "username.invalid_char");
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

/// An opaque user identifier: the [`Username`] charset, 1 to 128 bytes,
/// case-sensitive.
///
/// # Example
///
/// ```
/// use seckit::validate::UserId;
///
/// assert_eq!(UserId::parse("usr_01HZX3K9")?.as_str(), "usr_01HZX3K9");
/// assert!(UserId::parse("../admin").is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

fn ascii_name(input: &str, field: &'static str, max_len: usize) -> Result<()> {
    if input.is_empty() {
        return Err(Error::invalid(field, "empty"));
    }
    if input.len() > max_len {
        return Err(Error::invalid_limit(field, "too_long", max_len));
    }
    if !input
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(Error::invalid(field, "invalid_char"));
    }
    Ok(())
}

impl Username {
    /// Parses with the default limit (64 bytes).
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `username` and rule `empty`, `too_long`
    /// (limit) or `invalid_char`.
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_with(input, &UsernameOptions::default())
    }

    /// Parses with `options.max_len` bytes at most.
    ///
    /// # Errors
    ///
    /// As [`Username::parse`].
    pub fn parse_with(input: &str, options: &UsernameOptions) -> Result<Self> {
        ascii_name(input, "username", options.max_len)?;
        Ok(Self(input.to_owned()))
    }

    /// The key to store under a unique index: the UTS #39 confusable
    /// skeleton of the name, lower-cased, so `Alice` and `alice`, `paypaI`
    /// and `paypal`, `rnike` and `mike` cannot both register. The same type
    /// and the same folding as [`UnicodeUsername::unique_key`].
    #[must_use]
    pub fn unique_key(&self) -> UniqueKey {
        UniqueKey::of(&self.0)
    }
}

impl UserId {
    /// The longest user id, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Parses a user id.
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `user_id` and rule `empty`, `too_long`
    /// (limit 128) or `invalid_char`.
    pub fn parse(input: &str) -> Result<Self> {
        ascii_name(input, "user_id", Self::MAX_LEN)?;
        Ok(Self(input.to_owned()))
    }
}

string_newtype!(Username);
string_newtype!(UserId);

/// The uniqueness key of a [`Username`] or [`UnicodeUsername`]: names that
/// look alike get the same key. Store it under a unique index beside the
/// name, and look accounts up by it.
///
/// Look-alike and case are folded together. The name, with invisible
/// format characters (ZWJ, ZWNJ: Unicode category Cf) removed, goes through
/// the UTS #39 confusable skeleton, is lower-cased, goes through the
/// skeleton again and is lower-cased again, and `i` is folded onto `l`.
/// Both passes are needed because case and look-alike do not commute
/// (`I` looks like `l` but lower-cases to `i`; `m` looks like `rn` but `M`
/// looks like nothing), and `i` joins `l` because `ADMIN` is both `admin`
/// and `ADMlN`. The folding is deliberately coarse: a refused registration
/// ("name taken") costs less than an impersonation.
///
/// It is not for display: `paypal`'s key is `paypal`, `b0b`'s is `bob`,
/// `admin`'s is `adrnln`, and a Cyrillic `сосо` has the Latin `coco`'s.
///
/// # Example
///
/// ```
/// use seckit::validate::{UnicodeUsername, Username};
///
/// let ascii = Username::parse("Coco")?;
/// let cyrillic = UnicodeUsername::parse("\u{0441}\u{043E}\u{0441}\u{043E}")?; // "сосо"
/// assert_eq!(ascii.unique_key(), cyrillic.unique_key());
/// assert_eq!(ascii.unique_key().as_str(), "coco");
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UniqueKey(String);

impl UniqueKey {
    fn of(name: &str) -> Self {
        let visible: String = name
            .chars()
            .filter(|&c| super::format_char_rule(c).is_none())
            .collect();
        let once = unicode_security::skeleton(&visible)
            .collect::<String>()
            .to_lowercase();
        let twice = unicode_security::skeleton(&once)
            .collect::<String>()
            .to_lowercase();
        Self(twice.replace('i', "l"))
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key, owned.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for UniqueKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for UniqueKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for UniqueKey {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for UniqueKey {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl From<UniqueKey> for String {
    fn from(key: UniqueKey) -> Self {
        key.0
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl serde::Serialize for UniqueKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A username in any script, prepared by the PRECIS `UsernameCaseMapped`
/// profile (RFC 8265 §3.3: width mapping, case mapping to lower case, NFC,
/// the IdentifierClass repertoire, the bidi rule), 1 to 64 characters by
/// default, and refused when it mixes scripts (Latin with Cyrillic
/// look-alikes, UTS #39 single-script rule; Japanese Han + Kana counts as
/// one script).
///
/// Store [`unique_key`](UnicodeUsername::unique_key) (the UTS #39
/// skeleton of the prepared name) under a unique index: two names that look
/// the same (`coco` and an all-Cyrillic `сосо`, `mike` and `mıke`) get
/// the same key, so the second cannot register.
///
/// # Example
///
/// ```
/// use seckit::validate::UnicodeUsername;
///
/// let name = UnicodeUsername::parse("Ｊüｒｇｅｎ")?; // fullwidth letters
/// assert_eq!(name.as_str(), "jürgen");
/// // Latin "p" with Cyrillic "а": refused.
/// assert!(UnicodeUsername::parse("p\u{0430}ypal").is_err());
/// // All-Cyrillic look-alike: accepted, but it collides with the Latin name's key.
/// let cyrillic = UnicodeUsername::parse("\u{0441}\u{043E}\u{0441}\u{043E}")?; // "сосо"
/// assert_eq!(cyrillic.unique_key(), UnicodeUsername::parse("coco")?.unique_key());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnicodeUsername {
    name: String,
    key: UniqueKey,
}

impl UnicodeUsername {
    /// Parses with the default limit (64 characters).
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `username` and rule `empty`, `too_long`
    /// (limit), `not_precis` (a character the profile refuses: spaces,
    /// symbols, controls, unassigned code points, a bidi-rule failure) or
    /// `mixed_script`.
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_with(input, &UsernameOptions::default())
    }

    /// Parses with `options.max_len` characters at most.
    ///
    /// # Errors
    ///
    /// As [`UnicodeUsername::parse`].
    pub fn parse_with(input: &str, options: &UsernameOptions) -> Result<Self> {
        const FIELD: &str = "username";
        if input.is_empty() {
            return Err(Error::invalid(FIELD, "empty"));
        }
        // A character is at most 4 bytes: a cheap bound before any Unicode work.
        if input.len() > options.max_len.saturating_mul(4) {
            return Err(Error::invalid_limit(FIELD, "too_long", options.max_len));
        }
        let name = UsernameCaseMapped::enforce(input)
            .map_err(|_| Error::invalid(FIELD, "not_precis"))?
            .into_owned();
        // NFC can compose what the repertoire check saw as allowed pieces
        // into a refused character (">" + U+0338 becomes U+226F "≯"), so
        // the result must survive enforcement again: only stable names
        // re-parse to themselves (found by fuzzing).
        let stable =
            UsernameCaseMapped::enforce(name.as_str()).is_ok_and(|again| again == name.as_str());
        if !stable {
            return Err(Error::invalid(FIELD, "not_precis"));
        }
        if name.chars().count() > options.max_len {
            return Err(Error::invalid_limit(FIELD, "too_long", options.max_len));
        }
        if !name.as_str().is_single_script() {
            return Err(Error::invalid(FIELD, "mixed_script"));
        }
        let key = UniqueKey::of(&name);
        Ok(Self { name, key })
    }

    /// The prepared name (lower case, NFC): what to show and compare.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The UTS #39 confusable skeleton of the prepared name (ZWJ and ZWNJ
    /// removed): equal for names that look alike. Enforce uniqueness on
    /// this. The same type and folding as [`Username::unique_key`].
    #[must_use]
    pub fn unique_key(&self) -> UniqueKey {
        self.key.clone()
    }
}

impl std::fmt::Display for UnicodeUsername {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl std::str::FromStr for UnicodeUsername {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> serde::Deserialize<'de> for UnicodeUsername {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        crate::serde_safe::parse_str(d, "a string holding a valid UnicodeUsername", Self::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(r: Result<impl std::fmt::Debug>) -> &'static str {
        r.unwrap_err().violation().unwrap().rule()
    }

    #[test]
    fn ascii_usernames() {
        assert_eq!(Username::parse("a").unwrap().as_str(), "a");
        assert_eq!(rule(Username::parse("")), "empty");
        assert_eq!(rule(Username::parse(&"a".repeat(65))), "too_long");
        Username::parse(&"a".repeat(64)).unwrap();
        for bad in ["a b", "a.b", "a@b", "ä", "a\0", "mıke", "ｍike"] {
            assert_eq!(rule(Username::parse(bad)), "invalid_char", "{bad}");
        }
        assert_eq!(rule(UserId::parse(&"a".repeat(129))), "too_long");
        UserId::parse(&"a".repeat(128)).unwrap();
    }

    #[test]
    fn django_cve_2019_19844_dotless_i_cannot_take_over_mike() {
        // The attack: "mıke" (dotless ı) upper-cases to "MIKE" and matched
        // mike's account. ASCII names refuse it outright; Unicode names keep
        // it distinct but give it mike's confusable key, so it cannot register.
        assert_eq!(rule(Username::parse("mıke")), "invalid_char");
        let mike = UnicodeUsername::parse("mike").unwrap();
        let dotless = UnicodeUsername::parse("mıke").unwrap();
        assert_ne!(mike.as_str(), dotless.as_str());
        assert_eq!(mike.unique_key(), dotless.unique_key());
        assert_eq!(UnicodeUsername::parse("MIKE").unwrap(), mike);
    }

    #[test]
    fn unstable_precis_results_are_refused() {
        // Fuzzer find: ">" + COMBINING LONG SOLIDUS OVERLAY composes under NFC
        // into U+226F, which the profile itself refuses on a second pass.
        let found = "useR\u{338}EuseSERpmoooooooo>\u{338}E>pooooo";
        assert_eq!(rule(UnicodeUsername::parse(found)), "not_precis");
        assert_eq!(rule(UnicodeUsername::parse("a>\u{338}")), "not_precis");
        for ok in ["jürgen", "straße", "иван", "山田たろう"] {
            let v = UnicodeUsername::parse(ok).unwrap();
            assert_eq!(UnicodeUsername::parse(v.as_str()).unwrap(), v);
        }
    }

    #[test]
    fn unicode_usernames_follow_precis_and_refuse_mixed_scripts() {
        assert_eq!(UnicodeUsername::parse("Straße").unwrap().as_str(), "straße");
        assert_eq!(UnicodeUsername::parse("ＡＢＣ").unwrap().as_str(), "abc");
        UnicodeUsername::parse("山田たろう").unwrap();
        UnicodeUsername::parse("иван").unwrap();
        assert_eq!(rule(UnicodeUsername::parse("iвan")), "mixed_script");
        assert_eq!(rule(UnicodeUsername::parse("a b")), "not_precis");
        assert_eq!(rule(UnicodeUsername::parse("a\u{202E}b")), "not_precis");
        assert_eq!(rule(UnicodeUsername::parse("")), "empty");
        assert_eq!(rule(UnicodeUsername::parse(&"é".repeat(65))), "too_long");
        UnicodeUsername::parse(&"é".repeat(64)).unwrap();
    }
}
