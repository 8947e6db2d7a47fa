//! Password hashing: Argon2id for new hashes, bcrypt and older Argon2 hashes
//! verified and upgraded on login, a policy for choosing passwords.
//!
//! Refuses: new-hash parameters below the OWASP floor, empty passwords,
//! passwords over a length cap (4096 bytes by default, checked before any
//! work), bcrypt hashing of passwords over 72 bytes (never silently
//! truncated), and stored hashes that are malformed, of an unsupported
//! scheme, or that demand more work than [`VerifyLimits`] allow.
//!
//! # Use
//!
//! ```
//! use seckit::SecretString;
//! use seckit::password::PasswordHasher;
//!
//! let hasher = PasswordHasher::new(); // Argon2id, OWASP parameters
//! let password = SecretString::from("correct horse battery staple"); // sample
//!
//! // Registration: store the PHC string.
//! let stored = hasher.hash(&password)?;
//! assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
//!
//! // Login: verify, and replace the stored hash when the hasher says so
//! // (it was bcrypt, or older parameters).
//! let verified = hasher.verify_and_upgrade(&password, &stored)?;
//! if let Some(new_hash) = verified.rehash() {
//!     // UPDATE users SET password_hash = $1 WHERE id = $2
//! #   let _ = new_hash;
//! }
//! # Ok::<(), seckit::Error>(())
//! ```
//!
//! Wrong password, malformed hash and unsupported scheme are told apart by
//! kind and rule: [`ErrorKind::Unauthenticated`](crate::ErrorKind) with reason
//! `mismatch`; a stored hash that does not parse is the server's fault, not
//! the client's, so it is [`ErrorKind::Internal`](crate::ErrorKind) (500, to
//! be logged) whose [`violation`](crate::Error::violation) is
//! `password_hash.malformed`, `password_hash.unsupported_scheme`,
//! `password_hash.unsupported_version`, `password_hash.too_long` or
//! `password_hash.over_verify_limits`.
//! Error texts never contain the password or the hash.
//!
//! # In async servers
//!
//! Hashing is CPU- and memory-bound (tens of milliseconds, tens of MiB by
//! design). Never run it on an async worker. With the `tokio` feature,
//! [`AsyncHasher`] runs it on its own worker threads (one per core by
//! default) behind a bounded queue, and answers
//! [`ErrorKind::Unavailable`](crate::ErrorKind) at once when the queue is
//! full, so a burst of logins cannot pile up hundreds of 19 MiB jobs.
//!
//! Each thread keeps one Argon2 memory buffer and reuses it (cleared after
//! every use, kept only up to what this hasher's parameters need), so N
//! worker threads hold at most N buffers. (`tokio::task::spawn_blocking`
//! gives no such bound: its pool grows to 512 threads, each keeping a
//! buffer.)
//!
//! # Users that do not exist
//!
//! When the account is unknown, call [`PasswordHasher::dummy_verify`] instead
//! of returning at once: it costs what a real verification costs, so response
//! times do not reveal which accounts exist.
//!
//! # Passwords are bytes
//!
//! The password's UTF-8 bytes are hashed as they are; no Unicode
//! normalization is applied, so "é" typed as one code point and as "e" plus a
//! combining accent are different passwords. Normalize before hashing *and*
//! before verifying if your clients differ.

mod calibrate;
mod engine;
mod params;
mod policy;
#[cfg(feature = "tokio")]
mod pool;
mod stored;

pub use calibrate::{Calibration, calibrate};
pub use params::{
    Argon2Params, BCRYPT_DEFAULT_COST, BCRYPT_MAX_PASSWORD_BYTES, BCRYPT_MIN_COST, MAX_LANES,
    VerifyLimits,
};
pub use policy::{PasswordPolicy, common_password_count};
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use pool::{AsyncHasher, DEFAULT_QUEUE_PER_WORKER};
pub use stored::MAX_STORED_HASH_LEN;

use argon2::{Algorithm, Params, Version};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use self::stored::{BcryptVariant, Stored, StoredArgon2, StoredBcrypt};
use crate::{Error, Result, SecretBytes, SecretString};

/// Default cap on a password's length, in bytes.
pub const DEFAULT_MAX_PASSWORD_BYTES: usize = 4096;

/// The lowest cap a hasher may be configured with.
pub const MIN_MAX_PASSWORD_BYTES: usize = 1024;

/// The highest cap a hasher may be configured with.
pub const MAX_MAX_PASSWORD_BYTES: usize = 1024 * 1024;

/// Bytes of salt in new hashes.
pub const SALT_BYTES: usize = 16;

/// Bytes of tag (hash output) in new Argon2 hashes.
pub const TAG_BYTES: usize = 32;

/// The shortest pepper accepted, in bytes.
pub const MIN_PEPPER_BYTES: usize = 32;

/// The scheme a [`PasswordHasher`] uses for new hashes.
///
/// # Example
///
/// ```
/// use seckit::password::{Argon2Params, PasswordHasher, Scheme};
///
/// assert_eq!(PasswordHasher::new().scheme(), Scheme::Argon2id(Argon2Params::OWASP));
/// let legacy = PasswordHasher::builder().bcrypt(12).build()?;
/// assert_eq!(legacy.scheme(), Scheme::Bcrypt { cost: 12 });
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// Argon2id (v=19) with these parameters. The default.
    Argon2id(Argon2Params),
    /// bcrypt (`$2b$`) at this cost, for systems that must stay on bcrypt.
    Bcrypt {
        /// Cost (log2 of the rounds), at least [`BCRYPT_MIN_COST`].
        cost: u32,
    },
}

/// A secret key mixed into every Argon2 hash and kept outside the database
/// (Argon2's "secret" input), so a stolen table alone cannot be attacked
/// offline.
///
/// Each pepper has a short id, written into the hash as the PHC `keyid`
/// parameter. Rotation: configure the new pepper as current and the old one
/// as retired ([`PasswordHasherBuilder::retired_pepper`]); hashes made with
/// the retired pepper still verify and are reported for rehashing, so users
/// move to the new pepper as they log in. Drop the retired pepper once no
/// stored hash names it. Losing a pepper locks out every user whose hash
/// names it: store peppers like signing keys (a secret manager, not the
/// database, not the code).
///
/// Peppers apply to Argon2 only; bcrypt hashes have no key input.
///
/// With a pepper configured, a stored hash that has no pepper (an Argon2
/// hash without `keyid`, or a bcrypt hash) is refused by default: otherwise
/// anyone who can write the users table plants a pepperless hash of a
/// password they know, and the pepper protects nothing. While migrating
/// older rows, [`PasswordHasherBuilder::require_pepper`]`(false)` accepts
/// them and [`PasswordHasher::verify_and_upgrade`] re-hashes each with the
/// pepper at its next login.
///
/// # Example
///
/// ```
/// use seckit::password::{PasswordHasher, Pepper};
///
/// let pepper = Pepper::new("p2024", seckit::random::secret_bytes(32)?)?;
/// let hasher = PasswordHasher::builder().pepper(pepper).build()?;
/// let stored = hasher.hash(&"sample password".into())?;
/// assert!(stored.contains(",keyid="));
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Pepper {
    id: String,
    secret: SecretBytes,
}

impl Pepper {
    /// A pepper named `id` (1 to 8 ASCII letters or digits). The secret
    /// must pass the crate's key rules
    /// ([`strength::check_hmac_key`](crate::strength::check_hmac_key)) at
    /// [`MIN_PEPPER_BYTES`]; load it with
    /// [`Loader::required_secret_bytes`](crate::config::Loader::required_secret_bytes)
    /// when it is stored as base64 or hex.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for a bad id, or a
    /// secret shorter than [`MIN_PEPPER_BYTES`] or that is a placeholder or
    /// a pattern.
    pub fn new(id: &str, secret: SecretBytes) -> Result<Self> {
        if id.is_empty() || id.len() > 8 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::configuration(
                "password.pepper",
                "id must be 1 to 8 ASCII letters or digits",
            ));
        }
        crate::strength::check_named(secret.expose_secret(), MIN_PEPPER_BYTES, "password.pepper")?;
        Ok(Self {
            id: id.to_owned(),
            secret,
        })
    }

    /// The pepper's id, as stored in hashes.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The outcome of a successful [`PasswordHasher::verify_and_upgrade`].
///
/// # Example
///
/// ```
/// use seckit::SecretString;
/// use seckit::password::PasswordHasher;
///
/// let hasher = PasswordHasher::new();
/// let password = SecretString::from("sample passphrase");
/// // A row still holding a bcrypt hash from the old system:
/// let stored = bcrypt::hash("sample passphrase", 10)?;
/// let verified = hasher.verify_and_upgrade(&password, &stored)?;
/// if let Some(new_hash) = verified.into_rehash() {
///     assert!(new_hash.starts_with("$argon2id$")); // store it in place of the old one
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "a returned rehash must be stored, or the upgrade never happens"]
pub struct Verified {
    rehash: Option<String>,
}

impl Verified {
    /// The replacement hash to store, when the old one should be upgraded.
    #[must_use]
    pub fn rehash(&self) -> Option<&str> {
        self.rehash.as_deref()
    }

    /// The replacement hash, owned.
    #[must_use]
    pub fn into_rehash(self) -> Option<String> {
        self.rehash
    }
}

/// Hashes new passwords and verifies stored hashes.
///
/// Cheap to clone; share one per service. See the [module docs](self).
///
/// # Example
///
/// ```
/// use seckit::SecretString;
/// use seckit::password::PasswordHasher;
///
/// let hasher = PasswordHasher::new(); // Argon2id, OWASP parameters
/// let stored = hasher.hash(&SecretString::from("sample passphrase"))?;
/// hasher.verify(&SecretString::from("sample passphrase"), &stored)?;
/// let wrong = hasher.verify(&SecretString::from("guess"), &stored).unwrap_err();
/// assert_eq!(wrong.kind(), seckit::ErrorKind::Unauthenticated);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    scheme: Scheme,
    pepper: Option<Pepper>,
    retired_peppers: Vec<Pepper>,
    require_pepper: bool,
    max_password_bytes: usize,
    limits: VerifyLimits,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    /// Argon2id at [`Argon2Params::OWASP`], no pepper, default limits.
    #[must_use]
    pub fn new() -> Self {
        Self {
            scheme: Scheme::Argon2id(Argon2Params::OWASP),
            pepper: None,
            retired_peppers: Vec::new(),
            require_pepper: true,
            max_password_bytes: DEFAULT_MAX_PASSWORD_BYTES,
            limits: VerifyLimits::default(),
        }
    }

    /// A builder for other parameters, bcrypt, peppers and limits.
    pub fn builder() -> PasswordHasherBuilder {
        PasswordHasherBuilder {
            hasher: Self::new(),
        }
    }

    /// The scheme used for new hashes.
    #[must_use]
    pub const fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Hashes a new password: a PHC string (`$argon2id$v=19$...`) or, for a
    /// bcrypt hasher, a `$2b$` string.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind): `password.empty`,
    /// `password.too_long` (over the cap), or for bcrypt
    /// `password.too_long_for_bcrypt` (over 72 bytes; never truncated).
    /// [`ErrorKind::Internal`](crate::ErrorKind) if the OS random generator
    /// or memory fails.
    pub fn hash(&self, password: &SecretString) -> Result<String> {
        let password = password.expose_secret().as_bytes();
        if password.is_empty() {
            return Err(Error::invalid("password", "empty"));
        }
        self.check_len(password)?;
        let mut salt = [0u8; SALT_BYTES];
        crate::random::fill(&mut salt)?;
        match self.scheme {
            Scheme::Argon2id(p) => {
                let keyid = self.pepper.as_ref().map(|pp| pp.id.as_bytes());
                let (params, tag) = self.current_argon2_tag(p, password, &salt)?;
                Ok(engine::phc_string(&params, keyid, &salt, &*tag))
            }
            Scheme::Bcrypt { cost } => {
                if password.len() > BCRYPT_MAX_PASSWORD_BYTES {
                    return Err(Error::invalid_limit(
                        "password",
                        "too_long_for_bcrypt",
                        BCRYPT_MAX_PASSWORD_BYTES,
                    ));
                }
                engine::bcrypt_hash(password, cost, salt)
            }
        }
    }

    /// Checks `password` against a stored hash (Argon2id/i/d, v=16 or v=19;
    /// bcrypt `$2a$`, `$2b$`, `$2y$`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind) when the password
    /// does not match, or when this hasher has a pepper and the stored hash
    /// has none (see [`PasswordHasherBuilder::require_pepper`]);
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) when
    /// the password is over the cap; [`ErrorKind::Internal`](crate::ErrorKind)
    /// when the stored hash is malformed, unsupported or over the
    /// [`VerifyLimits`] (the server's data, so a 500, not the client's 400);
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when the hash names a
    /// pepper this hasher does not hold.
    pub fn verify(&self, password: &SecretString, stored: &str) -> Result<()> {
        self.check(password, stored).map(|_| ())
    }

    /// [`verify`](Self::verify), and on success the replacement hash when
    /// the stored one should be upgraded: bcrypt or another Argon2 variant
    /// under an Argon2id hasher, a version, cost, salt or tag below the
    /// hasher's, a retired or missing pepper, or a bcrypt hash checked with
    /// a password over 72 bytes (only its first 72 bytes were ever hashed).
    ///
    /// The replacement is computed from the password just verified, the
    /// passlib `verify_and_update` pattern. It is `None` when no upgrade is
    /// needed, or when the hasher cannot hash this password (a bcrypt hasher
    /// and a password over 72 bytes; an empty legacy password).
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_and_upgrade(&self, password: &SecretString, stored: &str) -> Result<Verified> {
        let upgrade = self.check(password, stored)?;
        let rehash = if upgrade {
            self.hash(password).ok()
        } else {
            None
        };
        Ok(Verified { rehash })
    }

    /// Whether a stored hash should be replaced, judged from the hash alone
    /// (see [`verify_and_upgrade`](Self::verify_and_upgrade) for the rules).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) when the stored hash is
    /// malformed, unsupported or over the [`VerifyLimits`].
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::password::PasswordHasher;
    ///
    /// let hasher = PasswordHasher::new();
    /// let old = "$2b$10$abcdefghijklmnopqrstuu5Ah1J8NhXY7rkmGFa1e1fCMe2SR1l3C";
    /// assert!(hasher.needs_rehash(old)?); // bcrypt: upgrade at the next login
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn needs_rehash(&self, stored: &str) -> Result<bool> {
        Ok(match stored::parse(stored, &self.limits)? {
            Stored::Argon2(a) => self.argon2_outdated(&a),
            Stored::Bcrypt(b) => self.bcrypt_outdated(&b),
        })
    }

    /// Does the work of a verification at this hasher's current parameters
    /// and fails: for the login path where the user does not exist, so that
    /// response times do not reveal which accounts do.
    ///
    /// # Errors
    ///
    /// Always: [`ErrorKind::Unauthenticated`](crate::ErrorKind) (reason
    /// `unknown user`, for the log; clients see the same generic message as
    /// for a wrong password), or the same `InvalidInput` a real verification
    /// gives for an over-long password.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::SecretString;
    /// use seckit::password::PasswordHasher;
    ///
    /// fn login(hasher: &PasswordHasher, stored: Option<&str>, password: &SecretString) -> seckit::Result<()> {
    ///     match stored {
    ///         Some(hash) => hasher.verify(password, hash),
    ///         None => hasher.dummy_verify(password), // same cost, same error
    ///     }
    /// }
    /// let hasher = PasswordHasher::new();
    /// let err = login(&hasher, None, &SecretString::from("guess")).unwrap_err();
    /// assert_eq!(err.public_message(), "invalid credentials");
    /// ```
    pub fn dummy_verify(&self, password: &SecretString) -> Result<()> {
        let bytes = password.expose_secret().as_bytes();
        self.check_len(bytes)?;
        let salt = [0x5a; SALT_BYTES];
        match self.scheme {
            Scheme::Argon2id(p) => {
                self.current_argon2_tag(p, bytes, &salt)?;
            }
            Scheme::Bcrypt { cost } => {
                let len = bytes.len().min(BCRYPT_MAX_PASSWORD_BYTES);
                let _ = engine::bcrypt_hash(bytes.get(..len).unwrap_or_default(), cost, salt)?;
            }
        }
        Err(Error::unauthenticated(
            "password",
            crate::AuthReason::UnknownUser,
            "unknown user",
        ))
    }

    /// The Argon2id tag a new hash at `p` (with the current pepper) would
    /// hold, and the parameters it was made with: shared by `hash` and
    /// `dummy_verify`, so the dummy costs exactly what a real hash does.
    fn current_argon2_tag(
        &self,
        p: Argon2Params,
        password: &[u8],
        salt: &[u8],
    ) -> Result<(Params, Zeroizing<[u8; TAG_BYTES]>)> {
        let params = argon2_params(p, TAG_BYTES)?;
        let mut tag = Zeroizing::new([0u8; TAG_BYTES]);
        let argon = engine::argon2(
            Algorithm::Argon2id,
            Version::V0x13,
            params.clone(),
            self.current_secret(),
        )?;
        engine::argon2_into(&argon, password, salt, &mut *tag, self.retain_blocks())?;
        Ok((params, tag))
    }

    /// The current pepper's secret, for new hashes.
    fn current_secret(&self) -> Option<&[u8]> {
        self.pepper
            .as_ref()
            .map(|p| p.secret.expose_secret().as_slice())
    }

    /// Argon2 blocks this hasher's own parameters need: the per-thread
    /// memory is kept up to this size and released when a (legacy) hash
    /// needed more.
    fn retain_blocks(&self) -> usize {
        match self.scheme {
            Scheme::Argon2id(p) => {
                argon2_params(p, TAG_BYTES).map_or(0, |params| params.block_count())
            }
            Scheme::Bcrypt { .. } => 0,
        }
    }

    fn check_len(&self, password: &[u8]) -> Result<()> {
        if password.len() > self.max_password_bytes {
            return Err(Error::invalid_limit(
                "password",
                "too_long",
                self.max_password_bytes,
            ));
        }
        Ok(())
    }

    /// Whether a stored hash without a pepper is refused: a pepper is
    /// configured and [`PasswordHasherBuilder::require_pepper`] was not
    /// turned off.
    const fn refuses_unpeppered(&self) -> bool {
        self.pepper.is_some() && self.require_pepper
    }

    /// Verifies; `Ok(true)` when the stored hash should be upgraded.
    fn check(&self, password: &SecretString, stored: &str) -> Result<bool> {
        let bytes = password.expose_secret().as_bytes();
        self.check_len(bytes)?;
        let unpeppered = || {
            Error::unauthenticated(
                "password",
                crate::AuthReason::MissingPepper,
                "stored hash has no pepper and this hasher requires one",
            )
        };
        match stored::parse(stored, &self.limits)? {
            Stored::Argon2(a) => {
                let secret = match &a.keyid {
                    None if self.refuses_unpeppered() => return Err(unpeppered()),
                    None => None,
                    Some(id) => Some(self.find_pepper(id)?.secret.expose_secret().as_slice()),
                };
                let mut tag = Zeroizing::new(vec![0u8; a.tag.len()]);
                let argon = engine::argon2(a.algorithm, a.version, a.params.clone(), secret)?;
                engine::argon2_into(&argon, bytes, &a.salt, &mut tag, self.retain_blocks())?;
                if !bool::from(tag.as_slice().ct_eq(a.tag.as_slice())) {
                    return Err(Error::unauthenticated(
                        "password",
                        crate::AuthReason::Mismatch,
                        "mismatch",
                    ));
                }
                Ok(self.argon2_outdated(&a))
            }
            Stored::Bcrypt(b) => {
                if self.refuses_unpeppered() {
                    return Err(unpeppered());
                }
                if !engine::bcrypt_matches(bytes, stored)? {
                    return Err(Error::unauthenticated(
                        "password",
                        crate::AuthReason::Mismatch,
                        "mismatch",
                    ));
                }
                Ok(self.bcrypt_outdated(&b) || bytes.len() > BCRYPT_MAX_PASSWORD_BYTES)
            }
        }
    }

    fn find_pepper(&self, id: &[u8]) -> Result<&Pepper> {
        self.pepper
            .iter()
            .chain(&self.retired_peppers)
            .find(|p| p.id.as_bytes() == id)
            .ok_or_else(|| {
                Error::configuration(
                    "password.pepper",
                    "a stored hash names a pepper this hasher does not hold",
                )
                .with_hint("add it with PasswordHasherBuilder::retired_pepper")
            })
    }

    fn argon2_outdated(&self, a: &StoredArgon2) -> bool {
        let Scheme::Argon2id(current) = self.scheme else {
            return true;
        };
        let pepper_current = match (&a.keyid, &self.pepper) {
            (None, None) => true,
            (Some(id), Some(p)) => id.as_slice() == p.id.as_bytes(),
            _ => false,
        };
        a.algorithm != Algorithm::Argon2id
            || a.version != Version::V0x13
            || a.params.m_cost() < current.m_kib()
            || a.params.t_cost() < current.t()
            || a.params.p_cost() < current.p()
            || a.salt.len() < SALT_BYTES
            || a.tag.len() < TAG_BYTES
            || !pepper_current
    }

    fn bcrypt_outdated(&self, b: &StoredBcrypt) -> bool {
        match self.scheme {
            Scheme::Bcrypt { cost } => b.cost < cost || b.variant != BcryptVariant::TwoB,
            Scheme::Argon2id(_) => true,
        }
    }
}

fn argon2_params(p: Argon2Params, tag_len: usize) -> Result<Params> {
    Params::new(p.m_kib(), p.t(), p.p(), Some(tag_len))
        .map_err(|_| Error::internal("argon2 rejected checked parameters"))
}

/// Builds a [`PasswordHasher`]; every setting is checked in
/// [`build`](Self::build).
///
/// # Example
///
/// ```
/// use seckit::password::{Argon2Params, PasswordHasher, Pepper};
///
/// let pepper = Pepper::new("p2", seckit::random::secret_bytes(32)?)?; // from a secret store
/// let hasher = PasswordHasher::builder()
///     .argon2id(Argon2Params::new(65_536, 3, 1)?)
///     .pepper(pepper)
///     .max_password_bytes(4096)
///     .build()?;
/// # let _ = hasher;
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct PasswordHasherBuilder {
    hasher: PasswordHasher,
}

impl PasswordHasherBuilder {
    /// Argon2id with these parameters (the default is [`Argon2Params::OWASP`]).
    pub fn argon2id(mut self, params: Argon2Params) -> Self {
        self.hasher.scheme = Scheme::Argon2id(params);
        self
    }

    /// bcrypt at `cost` for new hashes (for systems that must stay on
    /// bcrypt; [`BCRYPT_DEFAULT_COST`] is a good start).
    pub fn bcrypt(mut self, cost: u32) -> Self {
        self.hasher.scheme = Scheme::Bcrypt { cost };
        self
    }

    /// The current pepper, used for new hashes (Argon2 only).
    pub fn pepper(mut self, pepper: Pepper) -> Self {
        self.hasher.pepper = Some(pepper);
        self
    }

    /// A retired pepper: hashes naming it still verify, and are upgraded.
    pub fn retired_pepper(mut self, pepper: Pepper) -> Self {
        self.hasher.retired_peppers.push(pepper);
        self
    }

    /// Whether a hasher with a pepper refuses stored hashes that have none
    /// (Argon2 without `keyid`, bcrypt). On by default: a pepperless hash
    /// planted in the users table would otherwise log its planter in.
    ///
    /// Turn it off only while migrating rows hashed before the pepper
    /// existed; [`PasswordHasher::verify_and_upgrade`] re-hashes each with
    /// the pepper at its next login. No effect without a pepper.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::password::{PasswordHasher, Pepper};
    ///
    /// let legacy = PasswordHasher::new().hash(&"sample password".into())?; // no pepper
    /// let pepper = Pepper::new("p1", seckit::random::secret_bytes(32)?)?;
    /// let strict = PasswordHasher::builder().pepper(pepper.clone()).build()?;
    /// assert!(strict.verify(&"sample password".into(), &legacy).is_err());
    ///
    /// // During the migration only:
    /// let migrating = PasswordHasher::builder().pepper(pepper).require_pepper(false).build()?;
    /// let verified = migrating.verify_and_upgrade(&"sample password".into(), &legacy)?;
    /// assert!(verified.rehash().is_some_and(|h| h.contains(",keyid=")));
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn require_pepper(mut self, required: bool) -> Self {
        self.hasher.require_pepper = required;
        self
    }

    /// The cap on a password's length in bytes (default
    /// [`DEFAULT_MAX_PASSWORD_BYTES`]).
    pub fn max_password_bytes(mut self, max: usize) -> Self {
        self.hasher.max_password_bytes = max;
        self
    }

    /// Ceilings on what stored hashes may demand (default
    /// [`VerifyLimits::default`]).
    pub fn verify_limits(mut self, limits: VerifyLimits) -> Self {
        self.hasher.limits = limits;
        self
    }

    /// The hasher.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when the bcrypt cost is
    /// under [`BCRYPT_MIN_COST`] or over 31; when new hashes would exceed the
    /// verify limits (the hasher would refuse its own hashes); when a pepper
    /// is set with bcrypt; when pepper ids repeat; or when the password cap
    /// is outside [`MIN_MAX_PASSWORD_BYTES`]..=[`MAX_MAX_PASSWORD_BYTES`].
    pub fn build(self) -> Result<PasswordHasher> {
        let h = self.hasher;
        match h.scheme {
            Scheme::Argon2id(p) => {
                if !h.limits.admit(&p) {
                    return Err(Error::configuration(
                        "password.verify_limits",
                        "lower than the parameters of new hashes",
                    ));
                }
            }
            Scheme::Bcrypt { cost } => {
                if !(BCRYPT_MIN_COST..=31).contains(&cost) {
                    return Err(Error::configuration(
                        "password.bcrypt_cost",
                        "must be 10 to 31",
                    ));
                }
                if cost > h.limits.max_bcrypt_cost {
                    return Err(Error::configuration(
                        "password.verify_limits",
                        "lower than the parameters of new hashes",
                    ));
                }
                if h.pepper.is_some() || !h.retired_peppers.is_empty() {
                    return Err(Error::configuration(
                        "password.pepper",
                        "peppers need argon2id, not bcrypt",
                    ));
                }
            }
        }
        if !(MIN_MAX_PASSWORD_BYTES..=MAX_MAX_PASSWORD_BYTES).contains(&h.max_password_bytes) {
            return Err(Error::configuration(
                "password.max_password_bytes",
                "must be 1024 to 1048576",
            ));
        }
        let mut ids: Vec<&str> = h
            .pepper
            .iter()
            .chain(&h.retired_peppers)
            .map(Pepper::id)
            .collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w.first() == w.get(1)) {
            return Err(Error::configuration("password.pepper", "pepper ids repeat"));
        }
        Ok(h)
    }
}
