//! TURN REST credentials (draft-uberti-behave-turn-rest, coturn's
//! `use-auth-secret` / `static-auth-secret`): the username is
//! `{expiry_unix}:{user}`, the password the base64 of
//! HMAC-SHA1(secret, username). The relay checks them with the same shared
//! secret; nothing is stored.

use std::fmt;
use std::time::Duration;

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{MAX_SECRETS, mac_eq, refuse};
use crate::strength::check_named;
use crate::{AuthReason, Error, Result, SecretString};

/// The longest lifetime credentials are issued for: 24 hours.
pub const MAX_TURN_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The lifetime the CLI issues when not told: 1 hour.
pub const DEFAULT_TURN_TTL: Duration = Duration::from_secs(60 * 60);
/// The longest user part: 128 bytes.
pub const MAX_TURN_USER_LEN: usize = 128;

const CONTEXT: &str = "turn";

/// The secret shared with the TURN server (`static-auth-secret`), checked
/// like every HMAC key in seckit: at least 32 bytes, no placeholder, no
/// pattern. Used as its text's bytes, as coturn does.
#[derive(Clone)]
pub struct TurnSecret {
    key: hmac::Key,
}

impl fmt::Debug for TurnSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TurnSecret([REDACTED])")
    }
}

impl TurnSecret {
    /// Checks and keeps `secret`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) (setting `TURN_SECRET`)
    /// for a weak secret; never quotes it.
    pub fn new(secret: &SecretString) -> Result<Self> {
        let bytes = secret.expose_secret().as_bytes();
        check_named(bytes, 32, "TURN_SECRET")?;
        Ok(Self {
            // HMAC-SHA1 is what the TURN REST scheme and coturn use; as an
            // HMAC it is not weakened by SHA-1's collisions.
            key: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, bytes),
        })
    }

    /// `TURN_SECRET` (or `TURN_SECRET_FILE`) from `loader`, checked.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when missing or weak.
    pub fn from_loader(loader: &mut crate::config::Loader) -> Result<Self> {
        Self::new(loader.required_secret("TURN_SECRET")?.value())
    }

    fn password(&self, username: &str) -> hmac::Tag {
        hmac::sign(&self.key, username.as_bytes())
    }
}

/// One set of TURN credentials: give `username` and `password` to the
/// client (an `RTCIceServer`'s `username` and `credential`).
#[derive(Clone, Debug)]
pub struct TurnCredentials {
    username: String,
    password: SecretString,
    ttl: Duration,
    expires_at: u64,
}

impl TurnCredentials {
    /// Credentials for `user`, valid for `ttl` from now.
    ///
    /// # Errors
    ///
    /// As [`TurnCredentials::issue_at`].
    pub fn issue(secret: &TurnSecret, user: &str, ttl: Duration) -> Result<Self> {
        Self::issue_at(secret, user, ttl, super::now_unix())
    }

    /// Credentials for `user`, valid for `ttl` from `now` (Unix seconds).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind): `ttl` zero, under a
    /// second or over [`MAX_TURN_TTL`] (`turn_ttl.out_of_range`); `user`
    /// empty, over [`MAX_TURN_USER_LEN`], or not visible ASCII without `:`
    /// (`turn_user.invalid`: a `:` would let one user's part pass for
    /// another's expiry).
    pub fn issue_at(secret: &TurnSecret, user: &str, ttl: Duration, now: u64) -> Result<Self> {
        if ttl.as_secs() == 0 || ttl > MAX_TURN_TTL {
            return Err(Error::invalid("turn_ttl", "out_of_range"));
        }
        if !valid_user(user.as_bytes()) {
            return Err(Error::invalid_limit(
                "turn_user",
                "invalid",
                MAX_TURN_USER_LEN,
            ));
        }
        let expires_at = now.saturating_add(ttl.as_secs());
        let username = format!("{expires_at}:{user}");
        let password = SecretString::from(STANDARD.encode(secret.password(&username)));
        Ok(Self {
            username,
            password,
            ttl: Duration::from_secs(ttl.as_secs()),
            expires_at,
        })
    }

    /// `{expiry_unix}:{user}`.
    #[must_use]
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The base64 HMAC-SHA1 of the username.
    #[must_use]
    pub const fn password(&self) -> &SecretString {
        &self.password
    }

    /// The lifetime they were issued for (whole seconds).
    #[must_use]
    pub const fn ttl(&self) -> Duration {
        self.ttl
    }

    /// When they expire, Unix seconds.
    #[must_use]
    pub const fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

/// Checks TURN REST credentials, as a relay (or a test of one) does: with
/// the current secret and those being rotated out.
#[derive(Clone, Debug)]
pub struct TurnVerifier {
    secrets: Vec<TurnSecret>,
}

impl TurnVerifier {
    /// A verifier accepting credentials made with any of `secrets` (1 to
    /// 4: the current one first, then the ones being rotated out).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for none or more
    /// than [`MAX_SECRETS`].
    pub fn new(secrets: impl IntoIterator<Item = TurnSecret>) -> Result<Self> {
        let secrets: Vec<_> = secrets
            .into_iter()
            .take(MAX_SECRETS.saturating_add(1))
            .collect();
        if secrets.is_empty() || secrets.len() > MAX_SECRETS {
            return Err(Error::configuration("TURN_SECRET", "give 1 to 4 secrets"));
        }
        Ok(Self { secrets })
    }

    /// The user part of valid credentials, at the current time.
    ///
    /// # Errors
    ///
    /// As [`TurnVerifier::verify_at`].
    pub fn verify(&self, username: &str, password: &str) -> Result<String> {
        self.verify_at(username, password, super::now_unix())
    }

    /// The user part of `username` when `password` is its HMAC under one
    /// of the secrets and the expiry is after `now` and no further than
    /// [`MAX_TURN_TTL`] from it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind), audited:
    /// [`AuthReason::Malformed`] (not `{digits}:{user}`, a password that is
    /// not base64 of 20 bytes), [`AuthReason::TimestampOutOfRange`]
    /// (expired, or an expiry further out than any issued),
    /// [`AuthReason::BadSignature`].
    pub fn verify_at(&self, username: &str, password: &str, now: u64) -> Result<String> {
        let malformed = |text| refuse(CONTEXT, AuthReason::Malformed, text);
        if username.len() > MAX_TURN_USER_LEN.saturating_add(13) || password.len() > 64 {
            return Err(refuse(
                CONTEXT,
                AuthReason::TooLarge,
                "credentials over the size limit",
            ));
        }
        let (expiry, user) = username
            .split_once(':')
            .ok_or_else(|| malformed("username is not expiry:user"))?;
        let expiry = super::parse_timestamp(expiry.as_bytes())
            .ok_or_else(|| malformed("username expiry is not a decimal Unix time"))?;
        if !valid_user(user.as_bytes()) {
            return Err(malformed("username user part is invalid"));
        }
        let mut presented = [0u8; 21];
        let presented = match STANDARD.decode_slice(password.as_bytes(), &mut presented) {
            Ok(20) => presented.get(..20).unwrap_or_default(),
            _ => return Err(malformed("password is not the base64 of an HMAC-SHA1")),
        };
        if expiry <= now {
            return Err(refuse(
                CONTEXT,
                AuthReason::TimestampOutOfRange,
                "credentials expired",
            ));
        }
        if expiry.saturating_sub(now) > MAX_TURN_TTL.as_secs() {
            return Err(refuse(
                CONTEXT,
                AuthReason::TimestampOutOfRange,
                "expiry further out than any credentials issued",
            ));
        }
        let mut ok = false;
        for secret in &self.secrets {
            ok |= mac_eq(secret.password(username).as_ref(), presented);
        }
        if !ok {
            return Err(refuse(
                CONTEXT,
                AuthReason::BadSignature,
                "password does not match",
            ));
        }
        Ok(user.to_owned())
    }
}

/// 1..=128 bytes of visible ASCII without `:`.
fn valid_user(user: &[u8]) -> bool {
    !user.is_empty()
        && user.len() <= MAX_TURN_USER_LEN
        && user.iter().all(|b| b.is_ascii_graphic() && *b != b':')
}
