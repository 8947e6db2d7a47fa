//! Token verification: the algorithm from the key, every claim rule on.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::claims::{self, Verified};
use super::token::{self, ObjectError, refuse_as};
use super::{
    Algorithm, DEFAULT_MAX_TOKEN_LEN, KeySet, MAX_LEEWAY_SECS, MAX_TOKEN_LEN_LIMIT, VerifyingKey,
};
use crate::AuthReason;
use crate::{Error, Result};

/// Where "now" comes from: the system clock unless a test or a forensic
/// tool injects another.
#[derive(Clone)]
pub(crate) enum Clock {
    System,
    Custom(Arc<dyn Fn() -> u64 + Send + Sync>),
}

impl Clock {
    pub(crate) fn now(&self) -> Result<u64> {
        match self {
            Self::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .map_err(|_| Error::internal("system clock is before 1970")),
            Self::Custom(f) => Ok(f()),
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::System => "System",
            Self::Custom(_) => "Custom",
        })
    }
}

/// Verifies tokens: one key or a [`KeySet`], plus the rules every token must
/// meet.
///
/// Defaults, each stricter than `jsonwebtoken`'s own: `exp` required and
/// checked with no leeway; `nbf` and `iat` checked with 30 seconds of clock
/// skew allowed ([`DEFAULT_LEEWAY_SECS`](super::DEFAULT_LEEWAY_SECS)); `typ`
/// absent or `JWT` (or [`with_typ`](Verifier::with_typ)); tokens over 8 KiB refused before decoding;
/// `iss` and `aud` required to match when configured, and refused when
/// present but not configured (unless [`ignore_issuer`](Verifier::ignore_issuer) /
/// [`ignore_audience`](Verifier::ignore_audience)).
///
/// Cheap to clone, `Send + Sync`: build one at startup and share it.
///
/// # Example
///
/// ```
/// use seckit::jwt::{bearer_token, Algorithm, Issuer, SigningKey, Verifier};
/// use std::collections::BTreeMap;
///
/// let key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?;
/// let verifier = Verifier::new(key.verifying_key())
///     .with_issuer("https://auth.example")?
///     .with_audience("orders-api")?;
/// let token = Issuer::new(key)
///     .with_issuer("https://auth.example")?
///     .with_audience("orders-api")?
///     .issue_for("user-7", &BTreeMap::<String, String>::new())?;
///
/// let header = format!("Bearer {token}");
/// let verified = verifier.verify::<serde_json::Value>(bearer_token(&header)?)?;
/// assert_eq!(verified.registered.sub.as_deref(), Some("user-7"));
///
/// let err = verifier.verify::<serde_json::Value>("eyJhbGciOiJub25lIn0.e30.").unwrap_err();
/// assert_eq!(err.public_message(), "invalid credentials");
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    keys: KeySet,
    issuer: Option<String>,
    audiences: Vec<String>,
    ignore_issuer: bool,
    ignore_audience: bool,
    /// Seconds allowed past `exp`.
    leeway: u64,
    /// Seconds allowed before `nbf` and `iat`.
    skew: u64,
    typ: Option<String>,
    max_len: usize,
    clock: Clock,
}

impl Verifier {
    /// A verifier with one key. Tokens without a `kid` are checked against
    /// it; so are tokens whose `kid` matches the key's.
    #[must_use]
    pub fn new(key: VerifyingKey) -> Self {
        let mut keys = KeySet::new();
        // An empty set accepts a default key: this cannot fail.
        let _ = keys.add_default(key);
        Self::with_keys(keys)
    }

    /// A verifier selecting among several keys by `kid` (rotation, or a
    /// JWKS from an identity provider).
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::jwt::{Algorithm, KeySet, SigningKey, Verifier};
    ///
    /// let old = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?.with_kid("2026-10")?;
    /// let new = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?.with_kid("2026-11")?;
    /// let mut keys = KeySet::new();
    /// keys.add(new.verifying_key())?;
    /// keys.add(old.verifying_key())?; // still accepted during rotation
    /// let verifier = Verifier::with_keys(keys).ignore_issuer().ignore_audience();
    /// # let _ = verifier;
    /// # Ok::<(), seckit::Error>(())
    /// ```
    #[must_use]
    pub fn with_keys(keys: KeySet) -> Self {
        Self {
            keys,
            issuer: None,
            audiences: Vec::new(),
            ignore_issuer: false,
            ignore_audience: false,
            leeway: 0,
            skew: super::DEFAULT_LEEWAY_SECS,
            typ: None,
            max_len: DEFAULT_MAX_TOKEN_LEN,
            clock: Clock::System,
        }
    }

    /// Requires `iss` to equal `issuer` exactly.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when `issuer` is empty.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Result<Self> {
        self.issuer = Some(non_empty(issuer.into(), "jwt.issuer")?);
        Ok(self)
    }

    /// Requires `aud` (a string, or an array) to contain `audience`. Call
    /// again to accept several audiences.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when `audience` is empty.
    pub fn with_audience(mut self, audience: impl Into<String>) -> Result<Self> {
        self.audiences
            .push(non_empty(audience.into(), "jwt.audience")?);
        Ok(self)
    }

    /// Accepts tokens carrying an `iss` although no issuer is configured.
    /// Without this, such tokens are refused: a token meant for someone
    /// else's rules should not pass yours by default (Tink's rule).
    #[must_use]
    pub const fn ignore_issuer(mut self) -> Self {
        self.ignore_issuer = true;
        self
    }

    /// Accepts tokens carrying an `aud` although no audience is configured.
    #[must_use]
    pub const fn ignore_audience(mut self) -> Self {
        self.ignore_audience = true;
        self
    }

    /// Clock-skew allowance for `exp`, `nbf` and `iat`, replacing the
    /// default (none past `exp`, 30 seconds before `nbf` and `iat`).
    /// `Duration::ZERO` makes every time check exact.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) above five minutes.
    pub fn with_leeway(mut self, leeway: Duration) -> Result<Self> {
        self.leeway = checked_leeway(leeway)?;
        self.skew = self.leeway;
        Ok(self)
    }

    /// Requires the `typ` header to be `typ` (compared without case, with
    /// or without an `application/` prefix, RFC 7515 §4.1.9): `at+jwt` for
    /// OAuth access tokens (RFC 9068). A token of another type, or without
    /// one, is refused, so an ID token or a refresh token cannot be used
    /// where an access token is required (RFC 8725 §3.11). By default a
    /// `typ`, when present, must be `JWT`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when empty, over 64
    /// bytes, or not printable ASCII.
    pub fn with_typ(mut self, typ: &str) -> Result<Self> {
        self.typ = Some(super::issue::checked_typ(typ)?.to_owned());
        Ok(self)
    }

    /// The largest token accepted, in bytes (default 8 KiB).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when 0 or above 64 KiB.
    pub fn with_max_token_len(mut self, max_len: usize) -> Result<Self> {
        self.max_len = checked_max_len(max_len)?;
        Ok(self)
    }

    /// A verifier from settings [`JwtConfig`](super::JwtConfig) already checked.
    pub(crate) fn configured(
        key: VerifyingKey,
        issuer: Option<String>,
        audiences: Vec<String>,
        leeway: Option<u64>,
        typ: Option<String>,
        max_len: usize,
    ) -> Self {
        let defaults = Self::new(key);
        Self {
            issuer,
            audiences,
            leeway: leeway.unwrap_or(defaults.leeway),
            skew: leeway.unwrap_or(defaults.skew),
            typ,
            max_len,
            ..defaults
        }
    }

    /// Takes "now" (Unix seconds) from `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Clock::Custom(Arc::new(clock));
        self
    }

    /// The keys this verifier selects from.
    #[must_use]
    pub const fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Verifies `token` now and returns its claims as `C`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind) for any rejected
    /// token, with a log-safe reason (`expired`, `bad signature`,
    /// `algorithm not allowed for this key`, …) that never contains the
    /// token; [`ErrorKind::Internal`](crate::ErrorKind) if the system clock
    /// is before 1970.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::jwt::{Algorithm, Issuer, SigningKey, Verifier, bearer_token};
    ///
    /// let key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?;
    /// let verifier = Verifier::new(key.verifying_key())
    ///     .with_issuer("https://auth.example")?
    ///     .with_audience("orders-api")?;
    /// # let issuer = Issuer::new(key).with_issuer("https://auth.example")?.with_audience("orders-api")?;
    /// # let header = format!("Bearer {}", issuer.issue_for("user-42", &serde_json::json!({}))?);
    /// // In a handler, with the request's Authorization header:
    /// let token = bearer_token(&header)?;
    /// let status = match verifier.verify::<serde_json::Value>(token) {
    ///     Ok(verified) => {
    ///         assert_eq!(verified.registered.sub.as_deref(), Some("user-42"));
    ///         200
    ///     }
    ///     Err(e) => {
    ///         eprintln!("jwt refused: {e}"); // the reason, for the log
    ///         e.kind().http_status() // 401, with e.public_message() as the body
    ///     }
    /// };
    /// assert_eq!(status, 200);
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn verify<C: DeserializeOwned>(&self, token: &str) -> Result<Verified<C>> {
        self.verify_at(token, self.clock.now()?)
    }

    /// Verifies `token` as of `now` (Unix seconds): for forensics ("was this
    /// token valid at 09:00?") and tests.
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify`].
    pub fn verify_at<C: DeserializeOwned>(&self, token: &str, now: u64) -> Result<Verified<C>> {
        let parts = token::split(token, self.max_len)?;
        let header = token::header(parts.header, self.typ.as_deref())?;
        let key = self
            .keys
            .select(header.kid.as_deref())
            .map_err(|r| refuse_as(AuthReason::UnknownKey, r))?;
        if Algorithm::from_header(&header.alg) != Some(key.algorithm()) {
            return Err(refuse_as(
                AuthReason::AlgorithmNotAllowed,
                "algorithm not allowed for this key",
            ));
        }
        let sig = token::b64(
            parts.signature,
            "malformed signature: not canonical base64url",
        )?;
        if !key.verify(parts.signing_input.as_bytes(), &sig) {
            return Err(refuse_as(AuthReason::BadSignature, "bad signature"));
        }
        // Only signed bytes are parsed from here on.
        let payload = token::b64(parts.payload, "malformed claims: not canonical base64url")?;
        let map = token::object(&payload).map_err(|e| match e {
            ObjectError::Duplicate => refuse_as(AuthReason::InvalidClaims, "duplicate claim name"),
            ObjectError::NotObject => {
                refuse_as(AuthReason::InvalidClaims, "claims are not a JSON object")
            }
        })?;
        let registered = claims::registered(&map)?;
        self.check_times(&registered, now)?;
        self.check_issuer(registered.iss.as_deref())?;
        self.check_audience(&registered.aud, map.contains_key("aud"))?;
        let claims = serde_json::from_value(Value::Object(map)).map_err(|_| {
            refuse_as(
                AuthReason::InvalidClaims,
                "claims do not match the expected type",
            )
        })?;
        Ok(Verified {
            claims,
            registered,
            alg: key.algorithm(),
            kid: header.kid,
        })
    }

    fn check_times(&self, c: &claims::RegisteredClaims, now: u64) -> Result<()> {
        // RFC 7519 §4.1.4: valid only while now < exp.
        if now >= c.exp.saturating_add(self.leeway) {
            return Err(refuse_as(AuthReason::Expired, "expired"));
        }
        if let Some(nbf) = c.nbf
            && now.saturating_add(self.skew) < nbf
        {
            return Err(refuse_as(AuthReason::NotYetValid, "not yet valid (nbf)"));
        }
        if let Some(iat) = c.iat
            && iat > now.saturating_add(self.skew)
        {
            return Err(refuse_as(
                AuthReason::NotYetValid,
                "issued in the future (iat)",
            ));
        }
        Ok(())
    }

    fn check_issuer(&self, iss: Option<&str>) -> Result<()> {
        match (&self.issuer, iss) {
            (Some(want), Some(got)) if want == got => Ok(()),
            (Some(_), Some(_)) => Err(refuse_as(AuthReason::WrongIssuer, "wrong issuer")),
            (Some(_), None) => Err(refuse_as(AuthReason::WrongIssuer, "missing iss claim")),
            (None, Some(_)) if !self.ignore_issuer => Err(refuse_as(
                AuthReason::WrongIssuer,
                "unexpected iss claim: no issuer configured",
            )),
            (None, _) => Ok(()),
        }
    }

    fn check_audience(&self, aud: &[String], present: bool) -> Result<()> {
        if self.audiences.is_empty() {
            if present && !self.ignore_audience {
                return Err(refuse_as(
                    AuthReason::WrongAudience,
                    "unexpected aud claim: no audience configured",
                ));
            }
            return Ok(());
        }
        if aud.is_empty() {
            return Err(refuse_as(AuthReason::WrongAudience, "missing aud claim"));
        }
        if aud.iter().any(|a| self.audiences.contains(a)) {
            Ok(())
        } else {
            Err(refuse_as(AuthReason::WrongAudience, "wrong audience"))
        }
    }
}

/// A clock-skew allowance in whole seconds, at most [`MAX_LEEWAY_SECS`].
pub(crate) fn checked_leeway(leeway: Duration) -> Result<u64> {
    if leeway.as_secs() > MAX_LEEWAY_SECS {
        return Err(Error::configuration(
            "jwt.leeway",
            "is more than 300 seconds",
        ));
    }
    Ok(leeway.as_secs())
}

/// A token size limit, 1 byte to [`MAX_TOKEN_LEN_LIMIT`].
pub(crate) fn checked_max_len(max_len: usize) -> Result<usize> {
    if max_len == 0 || max_len > MAX_TOKEN_LEN_LIMIT {
        return Err(Error::configuration(
            "jwt.max_token_len",
            "must be 1 to 65536 bytes",
        ));
    }
    Ok(max_len)
}

pub(crate) fn non_empty(value: String, setting: &'static str) -> Result<String> {
    if value.is_empty() {
        return Err(Error::configuration(setting, "is empty"));
    }
    Ok(value)
}
