//! Opaque API keys whose storage form is a hash.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{Error, Result, SecretString};

/// Random bytes in a generated key: 256 bits.
pub const API_KEY_BYTES: usize = 32;

/// The longest prefix [`ApiKey::generate`] accepts.
pub const API_KEY_MAX_PREFIX_LEN: usize = 32;

/// The longest presented key [`ApiKey::verify`] and [`ApiKeyHash::of`] will
/// hash; longer input is refused before any work.
pub const API_KEY_MAX_PRESENTED_LEN: usize = 256;

/// A newly generated API key (or device token): the plaintext, to hand to
/// its owner once, and the hash, to store.
///
/// The key is `<prefix>_<43 base64url characters>` (256 random bits). The
/// prefix (`sk_live`, `dev_tok`) tells secret scanners and people what the
/// key is for. The database keeps only [`ApiKeyHash`], a SHA-256 of the whole
/// key: a stolen table yields no usable key, and with 256 bits of entropy
/// there is nothing to brute-force, so no slow password hash is needed.
///
/// # Example
///
/// ```
/// use seckit::random::{ApiKey, ApiKeyHash};
///
/// // On creation: show the key once, store the hash.
/// let (key, hash) = ApiKey::generate("sk_live")?.into_parts();
/// let stored: String = hash.to_string(); // 64 hex characters, into the database
///
/// // On each request: hash what was presented and look the row up by it...
/// let presented = key.expose_secret().as_str();
/// assert_eq!(ApiKeyHash::of(presented)?.to_string(), stored);
/// // ...or check it against a row found another way, in constant time.
/// ApiKey::verify(presented, &stored.parse()?)?;
/// assert!(ApiKey::verify("sk_live_guess", &stored.parse()?).is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Debug)]
pub struct ApiKey {
    key: SecretString,
    hash: ApiKeyHash,
}

impl ApiKey {
    /// A new key `<prefix>_<random>` and its hash.
    ///
    /// The prefix is 1 to [`API_KEY_MAX_PREFIX_LEN`] characters of lowercase ASCII
    /// letters, digits and single underscores, starting with a letter
    /// (`sk_live`, `pat`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) (`prefix.invalid`) for a
    /// prefix outside that shape; [`ErrorKind::Internal`](crate::ErrorKind)
    /// if the OS generator fails.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::random::ApiKey;
    ///
    /// let created = ApiKey::generate("dev_tok")?;
    /// assert!(created.key().expose_secret().starts_with("dev_tok_"));
    /// assert!(ApiKey::generate("bad prefix!").is_err());
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn generate(prefix: &str) -> Result<Self> {
        check_prefix(prefix)?;
        let body = super::secret(API_KEY_BYTES)?;
        let body = body.expose_secret();
        let mut key = SecretString::new(String::with_capacity(
            prefix.len().saturating_add(1).saturating_add(body.len()),
        ));
        let text = key.expose_secret_mut();
        text.push_str(prefix);
        text.push('_');
        text.push_str(body);
        let hash = ApiKeyHash::digest(key.expose_secret());
        Ok(Self { key, hash })
    }

    /// The plaintext key. Show it to its owner once; never store it.
    #[must_use]
    pub const fn key(&self) -> &SecretString {
        &self.key
    }

    /// The hash to store.
    #[must_use]
    pub const fn hash(&self) -> &ApiKeyHash {
        &self.hash
    }

    /// The key and its hash.
    #[must_use]
    pub fn into_parts(self) -> (SecretString, ApiKeyHash) {
        (self.key, self.hash)
    }

    /// Checks a presented key against a stored hash, in constant time.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind) when the key does not
    /// match; [`ErrorKind::InvalidInput`](crate::ErrorKind) when it is empty
    /// or longer than [`API_KEY_MAX_PRESENTED_LEN`] (refused before hashing).
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::random::{ApiKey, ApiKeyHash};
    ///
    /// # let (key, hash) = ApiKey::generate("sk_live")?.into_parts();
    /// # let row_hash = hash.to_string();
    /// // `row_hash` is the stored column; the client sent `presented`.
    /// # let presented = key.expose_secret().as_str();
    /// let stored: ApiKeyHash = row_hash.parse()?;
    /// ApiKey::verify(presented, &stored)?; // constant-time
    /// assert!(ApiKey::verify("sk_live_guess", &stored).is_err());
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn verify(presented: &str, stored: &ApiKeyHash) -> Result<()> {
        let presented = ApiKeyHash::of(presented)?;
        if bool::from(presented.ct_eq(stored)) {
            Ok(())
        } else {
            Err(Error::unauthenticated(
                "api_key",
                crate::AuthReason::Mismatch,
                "key does not match",
            ))
        }
    }
}

/// The storage form of an [`ApiKey`]: SHA-256 of the whole key, written as
/// 64 lowercase hex characters.
///
/// Parsing accepts only that canonical form. Equality is constant-time.
///
/// # Example
///
/// ```
/// use seckit::random::{ApiKey, ApiKeyHash};
///
/// let (key, hash) = ApiKey::generate("sk_live")?.into_parts();
/// let column: String = hash.to_string(); // what the database stores
/// let stored: ApiKeyHash = column.parse()?; // only 64 lowercase hex characters parse
/// assert_eq!(stored, ApiKeyHash::of(key.expose_secret())?); // constant-time ==
/// assert!("not a hash".parse::<ApiKeyHash>().is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct ApiKeyHash([u8; 32]);

impl ApiKeyHash {
    /// The hash of a presented key, to look its row up by.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) when `presented` is
    /// empty (`api_key.empty`) or longer than [`API_KEY_MAX_PRESENTED_LEN`]
    /// (`api_key.too_long`).
    pub fn of(presented: &str) -> Result<Self> {
        if presented.is_empty() {
            return Err(Error::invalid("api_key", "empty"));
        }
        if presented.len() > API_KEY_MAX_PRESENTED_LEN {
            return Err(Error::invalid_limit(
                "api_key",
                "too_long",
                API_KEY_MAX_PRESENTED_LEN,
            ));
        }
        Ok(Self::digest(presented))
    }

    fn digest(key: &str) -> Self {
        Self(Sha256::digest(key.as_bytes()).into())
    }

    /// The raw 32 bytes, for databases that store binary.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// From raw 32 bytes, as stored in binary.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl ConstantTimeEq for ApiKeyHash {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for ApiKeyHash {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for ApiKeyHash {}

impl fmt::Display for ApiKeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        let hex = base16ct::lower::encode_str(&self.0, &mut buf).map_err(|_| fmt::Error)?;
        f.write_str(hex)
    }
}

impl fmt::Debug for ApiKeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeyHash({self})")
    }
}

impl FromStr for ApiKeyHash {
    type Err = Error;

    /// Parses the 64-lowercase-hex form. Anything else (uppercase, other
    /// lengths, whitespace) is `api_key_hash.malformed`.
    fn from_str(s: &str) -> Result<Self> {
        let malformed = || Error::invalid("api_key_hash", "malformed");
        if s.len() != 64 {
            return Err(malformed());
        }
        let mut out = [0u8; 32];
        base16ct::lower::decode(s, &mut out).map_err(|_| malformed())?;
        Ok(Self(out))
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl serde::Serialize for ApiKeyHash {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> serde::Deserialize<'de> for ApiKeyHash {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        crate::serde_safe::parse_str(
            deserializer,
            "an api key hash: 64 lowercase hex characters",
            str::parse,
        )
    }
}

/// `[a-z][a-z0-9]*(_[a-z0-9]+)*`, at most [`API_KEY_MAX_PREFIX_LEN`] bytes.
fn check_prefix(prefix: &str) -> Result<()> {
    let invalid = || Error::invalid("prefix", "invalid");
    if prefix.is_empty()
        || prefix.len() > API_KEY_MAX_PREFIX_LEN
        || !prefix.starts_with(|c: char| c.is_ascii_lowercase())
    {
        return Err(invalid());
    }
    let segments_ok = prefix.split('_').all(|seg| {
        !seg.is_empty()
            && seg
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if segments_ok { Ok(()) } else { Err(invalid()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn generated_key_shape() {
        let key = ApiKey::generate("sk_live").unwrap();
        let text = key.key().expose_secret();
        assert!(text.starts_with("sk_live_"));
        assert_eq!(text.len(), "sk_live_".len() + 43);
        assert_eq!(*key.hash(), ApiKeyHash::of(text).unwrap());
        let other = ApiKey::generate("sk_live").unwrap();
        assert_ne!(key.key(), other.key());
    }

    #[test]
    fn sha256_known_answer() {
        // FIPS 180-2 "abc" vector: the stored form is plain SHA-256 hex.
        assert_eq!(
            ApiKeyHash::of("abc").unwrap().to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn verify_accepts_only_the_key() {
        let (key, hash) = ApiKey::generate("tok").unwrap().into_parts();
        ApiKey::verify(key.expose_secret(), &hash).unwrap();
        let mut wrong = key.expose_secret().clone();
        wrong.pop();
        wrong.push('!');
        let e = ApiKey::verify(&wrong, &hash).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthenticated);
        assert_eq!(
            e.to_string(),
            "unauthenticated: api_key: key does not match"
        );
        assert_eq!(
            ApiKey::verify("", &hash).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let long = "a".repeat(API_KEY_MAX_PRESENTED_LEN + 1);
        assert_eq!(
            ApiKey::verify(&long, &hash).unwrap_err().to_string(),
            "invalid input: api_key.too_long (limit 256)"
        );
    }

    #[test]
    fn prefixes() {
        for ok in [
            "a",
            "sk_live",
            "pat",
            "dev2_tok",
            &"a".repeat(API_KEY_MAX_PREFIX_LEN),
        ] {
            assert!(ApiKey::generate(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "_a",
            "a_",
            "a__b",
            "Sk",
            "1a",
            "sk-live",
            "sk live",
            "é",
            &"a".repeat(API_KEY_MAX_PREFIX_LEN + 1),
        ] {
            let e = ApiKey::generate(bad).unwrap_err();
            assert_eq!(e.to_string(), "invalid input: prefix.invalid", "{bad}");
        }
    }

    #[test]
    fn hash_text_form_is_canonical() {
        let h = ApiKeyHash::of("abc").unwrap();
        let text = h.to_string();
        assert_eq!(text.parse::<ApiKeyHash>().unwrap(), h);
        assert_eq!(ApiKeyHash::from_bytes(*h.as_bytes()), h);
        for bad in [
            text.to_uppercase(),
            format!("{text} "),
            text[..63].to_owned(),
            format!("{text}0"),
            String::new(),
            "g".repeat(64),
        ] {
            assert_eq!(
                bad.parse::<ApiKeyHash>().unwrap_err().to_string(),
                "invalid input: api_key_hash.malformed"
            );
        }
        assert_eq!(format!("{h:?}"), format!("ApiKeyHash({text})"));
    }
}
