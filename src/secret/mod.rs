//! Secret values that never print, compare in constant time and are wiped
//! when dropped; [`mask`] for what must be logged; [`config`] for reading
//! secrets from files and the environment.
//!
//! Refuses: printing (`Debug` shows `Secret([REDACTED])`, there is no
//! `Display`), serializing by accident (see [`SerializableSecret`]), and
//! variable-time comparison.

pub mod config;
pub mod mask;
pub mod strength;

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// A value that must not leak: a password, a key, a token.
///
/// - `Debug` prints `Secret([REDACTED])`, revealing neither the length nor
///   whether the value is empty. There is no `Display`.
/// - Reading it takes an explicit, greppable [`expose_secret`](Self::expose_secret).
/// - `==` runs in constant time (via `subtle`) for byte-like values, also
///   against plain `&str` and `&[u8]`. Only the *length* may leak through
///   timing: values of different lengths compare unequal at once.
/// - The value is zeroized when the `Secret` is dropped.
/// - `Clone` only when `T: Clone`; no `Hash`, no `Ord` (both would leak
///   through timing or collections).
/// - With the `serde` feature, `Deserialize` always; `Serialize` only for
///   types that opt in through [`SerializableSecret`], or field by field with
///   [`serialize_exposed`](crate::serialize_exposed).
///
/// # Security
///
/// Zeroizing on drop wipes the memory the `Secret` owns *at that moment*. It
/// cannot wipe copies made before the value was wrapped (an environment
/// variable, a request buffer), copies left behind when a value is *moved*
/// (a move is a `memcpy`; the old stack slot is not cleared), or the old
/// buffer a `Vec` or `String` leaves when it grows and reallocates. seckit's
/// own builders pre-size their buffers so they never reallocate while holding
/// secret bytes; do the same when you build a secret in place with
/// [`expose_secret_mut`](Self::expose_secret_mut). Swap space and core dumps
/// are out of reach of any library: see `docs/threat-model.md`.
///
/// # Example
///
/// ```
/// use seckit::SecretString;
///
/// let key = SecretString::from("example-secret-not-real"); // sample value
/// assert_eq!(format!("{key:?}"), "Secret([REDACTED])");
/// assert!(key == "example-secret-not-real"); // constant-time
/// assert_eq!(key.expose_secret().len(), 23);
/// ```
pub struct Secret<T: Zeroize> {
    inner: T,
}

/// A secret UTF-8 string (a password, an HMAC key given as text, a token).
pub type SecretString = Secret<String>;

/// Secret bytes (a raw key, opened plaintext).
pub type SecretBytes = Secret<Vec<u8>>;

impl<T: Zeroize> Secret<T> {
    /// Wraps `value`. From here on it is redacted, compared in constant time
    /// and zeroized on drop.
    #[must_use]
    pub const fn new(value: T) -> Self {
        Self { inner: value }
    }

    /// Reads the secret. Every call site is a place a reviewer should look.
    #[must_use]
    pub const fn expose_secret(&self) -> &T {
        &self.inner
    }

    /// Mutable access, for building a secret in place without copies.
    ///
    /// Pre-size buffers before writing into them: a `String` or `Vec` that
    /// grows reallocates and leaves the old bytes behind, unwiped.
    #[must_use]
    pub const fn expose_secret_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.inner.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl<T: Zeroize + Clone> Clone for Secret<T> {
    fn clone(&self) -> Self {
        Self::new(self.inner.clone())
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self::new(value.to_owned())
    }
}

impl From<&[u8]> for SecretBytes {
    fn from(value: &[u8]) -> Self {
        Self::new(value.to_vec())
    }
}

impl<T: Zeroize + AsRef<[u8]>> ConstantTimeEq for Secret<T> {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.inner.as_ref().ct_eq(other.inner.as_ref())
    }
}

impl<T: Zeroize + AsRef<[u8]>> PartialEq for Secret<T> {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl<T: Zeroize + AsRef<[u8]>> Eq for Secret<T> {}

impl<T: Zeroize + AsRef<[u8]>> PartialEq<[u8]> for Secret<T> {
    fn eq(&self, other: &[u8]) -> bool {
        bool::from(self.inner.as_ref().ct_eq(other))
    }
}

impl<T: Zeroize + AsRef<[u8]>> PartialEq<&[u8]> for Secret<T> {
    fn eq(&self, other: &&[u8]) -> bool {
        bool::from(self.inner.as_ref().ct_eq(*other))
    }
}

impl<T: Zeroize + AsRef<[u8]>> PartialEq<str> for Secret<T> {
    fn eq(&self, other: &str) -> bool {
        bool::from(self.inner.as_ref().ct_eq(other.as_bytes()))
    }
}

impl<T: Zeroize + AsRef<[u8]>> PartialEq<&str> for Secret<T> {
    fn eq(&self, other: &&str) -> bool {
        bool::from(self.inner.as_ref().ct_eq(other.as_bytes()))
    }
}

/// Marker for secret types that may be serialized without ceremony.
///
/// `Secret<T>` implements `Serialize` only when `T: SerializableSecret`, so
/// writing a secret out is a decision someone made in code, never the
/// accident of a `#[derive(Serialize)]` on a struct that happens to hold one.
/// Implement it for your own types; for a single field of a foreign type
/// (`SecretString`), use [`serialize_exposed`](crate::serialize_exposed).
///
/// A plain derive does not compile:
///
/// ```compile_fail
/// #[derive(serde::Serialize)]
/// struct Leaky {
///     password: seckit::SecretString, // error: `Secret<String>: Serialize` is not satisfied
/// }
/// ```
///
/// Opting a type of your own in:
///
/// ```
/// use seckit::{Secret, SerializableSecret};
///
/// #[derive(serde::Serialize)]
/// struct RecoveryCode(String);
/// impl seckit::zeroize::Zeroize for RecoveryCode {
///     fn zeroize(&mut self) {
///         self.0.zeroize();
///     }
/// }
/// impl SerializableSecret for RecoveryCode {}
///
/// let code = Secret::new(RecoveryCode("sample-code".into()));
/// assert_eq!(serde_json::to_string(&code).unwrap(), r#""sample-code""#);
/// ```
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub trait SerializableSecret: serde::Serialize {}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Zeroize + SerializableSecret> serde::Serialize for Secret<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.inner.serialize(serializer)
    }
}

/// Serializes a secret's value: the explicit, per-field opt-in.
///
/// Use it where a secret must be written out on purpose (a config file a
/// tool generates):
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use seckit::SecretString;
///
/// #[derive(serde::Serialize)]
/// struct GeneratedConfig {
///     #[serde(serialize_with = "seckit::serialize_exposed")]
///     jwt_secret: SecretString,
/// }
/// let cfg = GeneratedConfig { jwt_secret: SecretString::from("sample-not-real") };
/// assert_eq!(serde_json::to_string(&cfg).unwrap(), r#"{"jwt_secret":"sample-not-real"}"#);
/// # }
/// ```
///
/// # Errors
///
/// Whatever the serializer returns.
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub fn serialize_exposed<T, S>(secret: &Secret<T>, serializer: S) -> Result<S::Ok, S::Error>
where
    T: Zeroize + serde::Serialize,
    S: serde::Serializer,
{
    secret.inner.serialize(serializer)
}

/// Deserializes the inner value and wraps it at once.
///
/// A failure says only `invalid secret value (the input is not shown)`:
/// serde's own messages quote the value they refuse (`invalid type: integer
/// `12345678`, expected a string`), and frameworks log those.
///
/// The deserializer's own buffers (a JSON string being unescaped, a request
/// body) may still hold copies: wrap the body in a `Secret` too, or drop it
/// promptly.
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, T: Zeroize + serde::Deserialize<'de>> serde::Deserialize<'de> for Secret<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self::new).map_err(|_| {
            <D::Error as serde::de::Error>::custom(format_args!(
                "invalid secret value {}",
                crate::serde_safe::WITHHELD
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_reveals_nothing_not_even_emptiness() {
        let empty = SecretString::from("");
        let long = SecretString::from("a much longer value than that one");
        assert_eq!(format!("{empty:?}"), "Secret([REDACTED])");
        assert_eq!(format!("{long:?}"), "Secret([REDACTED])");
        assert_eq!(format!("{long:#?}"), "Secret([REDACTED])");
        let bytes = SecretBytes::from(&b"\x00\x01"[..]);
        assert_eq!(format!("{bytes:?}"), "Secret([REDACTED])");
    }

    #[test]
    fn equality_is_by_value() {
        let a = SecretString::from("same");
        assert_eq!(a, SecretString::from("same"));
        assert_ne!(a, SecretString::from("diff"));
        assert_ne!(a, SecretString::from("same-but-longer"));
        assert!(a == "same");
        assert!(a != "other");
        assert!(a == b"same"[..]);
        let raw: &[u8] = b"same";
        assert!(a == raw);
        let text: &str = "same";
        assert!(a == text);
        let b = SecretBytes::from(vec![1, 2, 3]);
        assert!(b == [1u8, 2, 3][..]);
        assert!(bool::from(b.ct_eq(&SecretBytes::from(vec![1, 2, 3]))));
    }

    #[test]
    fn clone_and_expose() {
        let mut a = SecretString::from("x");
        a.expose_secret_mut().push('y');
        let b = a.clone();
        assert_eq!(b.expose_secret(), "xy");
    }

    #[test]
    fn drop_zeroizes_the_value() {
        use std::cell::Cell;
        use std::rc::Rc;

        struct Probe(Rc<Cell<bool>>);
        impl Zeroize for Probe {
            fn zeroize(&mut self) {
                self.0.set(true);
            }
        }

        let wiped = Rc::new(Cell::new(false));
        let secret = Secret::new(Probe(Rc::clone(&wiped)));
        assert!(!wiped.get());
        drop(secret);
        assert!(wiped.get(), "Drop must zeroize the inner value");
    }
}
