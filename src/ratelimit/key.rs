//! Limit keys built from typed parts and hashed, so user input never
//! shapes a map entry or a Redis key.

use std::fmt;
use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::net::ClientIp;
use crate::{Error, Result};

/// The longest text part of a key, in bytes; longer is refused before any
/// hashing.
pub const MAX_KEY_PART: usize = 1024;
/// The most parts in one key.
pub const MAX_KEY_PARTS: usize = 8;

/// What a limit counts against: a client IP, an account, a route, or a
/// combination, built from typed parts.
///
/// The parts are hashed (SHA-256, each part tagged with its kind and
/// length, so `("ab", "c")` and `("a", "bc")` differ); the store sees 32
/// bytes, and a Redis key is `{prefix}:rl:{limit}:{base64url}` whatever the
/// input was: no huge keys, no glob characters, no NUL. An IP part uses
/// [`ClientIp::group`] (IPv6 by /64), so one client cannot rotate keys
/// inside its allocation.
///
/// Pass an account in its canonical form (a parsed
/// `validate::Username`), or `Alice` and `alice` count apart.
///
/// # Example
///
/// ```
/// use seckit::net::ClientIp;
/// use seckit::ratelimit::Key;
///
/// let ip = ClientIp::from_peer("2001:db8:1:2::7".parse().unwrap());
/// let same_64 = ClientIp::from_peer("2001:db8:1:2:ffff::1".parse().unwrap());
/// assert_eq!(Key::ip(ip), Key::ip(same_64));
///
/// let login = Key::builder().route("/login")?.account("alice")?.ip(ip).build();
/// assert_ne!(login, Key::ip(ip));
/// assert!(Key::builder().account(&"x".repeat(2000)).is_err());
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Key {
    hash: [u8; 32],
    ip: Option<IpAddr>,
}

/// Two keys are equal when their parts hashed alike.
impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.hash.hash(state);
    }
}

impl Key {
    /// A key for one client IP (grouped).
    #[must_use]
    pub fn ip(ip: ClientIp) -> Self {
        Self::builder().ip(ip).build()
    }

    /// A key for one account.
    ///
    /// # Errors
    ///
    /// As [`KeyBuilder::account`].
    pub fn account(account: &str) -> Result<Self> {
        Ok(Self::builder().account(account)?.build())
    }

    /// Parts, in order.
    pub fn builder() -> KeyBuilder {
        let mut hash = Sha256::new();
        hash.update(b"seckit.ratelimit.key.v1");
        KeyBuilder {
            hash,
            parts: 0,
            ip: None,
        }
    }

    pub(crate) const fn bytes(&self) -> &[u8; 32] {
        &self.hash
    }

    /// The client address this key was built with, for audit events.
    #[must_use]
    pub const fn client_addr(&self) -> Option<IpAddr> {
        self.ip
    }
}

/// The hash alone is shown, shortened: a key's parts may be user input.
impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = self.hash.get(..6).unwrap_or(&[]);
        write!(f, "Key({})", base16ct::lower::encode_string(short))
    }
}

/// Builds a [`Key`] from parts.
#[derive(Clone, Debug)]
#[must_use]
pub struct KeyBuilder {
    hash: Sha256,
    parts: usize,
    ip: Option<IpAddr>,
}

impl KeyBuilder {
    fn push(mut self, tag: u8, bytes: &[u8]) -> Self {
        self.parts = self.parts.saturating_add(1);
        self.hash.update([tag]);
        // Bounded by MAX_KEY_PART (text) or 17 (an address).
        self.hash
            .update(u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
        self.hash.update(bytes);
        self
    }

    fn text(self, tag: u8, field: &'static str, s: &str) -> Result<Self> {
        if s.len() > MAX_KEY_PART {
            return Err(Error::invalid_limit(field, "too_long", MAX_KEY_PART));
        }
        if self.parts >= MAX_KEY_PARTS {
            return Err(Error::invalid_limit(
                "ratelimit.key",
                "too_many_parts",
                MAX_KEY_PARTS,
            ));
        }
        Ok(self.push(tag, s.as_bytes()))
    }

    /// The client IP, grouped ([`ClientIp::group`]: the network address
    /// and its prefix length are hashed).
    pub fn ip(mut self, ip: ClientIp) -> Self {
        let group = ip.group();
        let mut bytes = [0u8; 17];
        let len = match group.network() {
            IpAddr::V4(v4) => {
                if let Some(dst) = bytes.get_mut(..4) {
                    dst.copy_from_slice(&v4.octets());
                }
                4
            }
            IpAddr::V6(v6) => {
                if let Some(dst) = bytes.get_mut(..16) {
                    dst.copy_from_slice(&v6.octets());
                }
                16
            }
        };
        if let Some(p) = bytes.get_mut(len) {
            *p = group.prefix_len();
        }
        self.ip = Some(ip.addr());
        self.push(b'i', bytes.get(..=len).unwrap_or(&bytes))
    }

    /// An account name (any bytes up to [`MAX_KEY_PART`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when
    /// longer than [`MAX_KEY_PART`] or past [`MAX_KEY_PARTS`] parts.
    pub fn account(self, account: &str) -> Result<Self> {
        self.text(b'a', "account", account)
    }

    /// A route template (`/notes/{id}`), or any label for what is limited.
    ///
    /// # Errors
    ///
    /// As [`KeyBuilder::account`].
    pub fn route(self, route: &str) -> Result<Self> {
        self.text(b'r', "route", route)
    }

    /// Any other part (a device id, an API key's id).
    ///
    /// # Errors
    ///
    /// As [`KeyBuilder::account`].
    pub fn part(self, part: &str) -> Result<Self> {
        self.text(b'p', "ratelimit.key", part)
    }

    /// The key.
    #[must_use]
    pub fn build(self) -> Key {
        Key {
            hash: self.hash.finalize().into(),
            ip: self.ip,
        }
    }
}
