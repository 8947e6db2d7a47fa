//! Token issuing: registered claims set for the caller.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value};

use super::verify::{Clock, non_empty};
use super::{DEFAULT_TTL_SECS, MAX_LONG_TTL_SECS, MAX_NUMERIC_DATE, MAX_TTL_SECS, SigningKey};
use crate::{Error, Result};

/// Claim names seckit sets itself; custom claims may not use them.
const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Issues signed tokens with one [`SigningKey`].
///
/// Every token carries `iat`, `nbf` (both now), `exp` (now + TTL, one hour
/// by default), a random 128-bit `jti`, and `iss`/`aud`/`sub` when set; the
/// header carries `alg`, `typ: JWT` and the key's `kid`. Your claims are any
/// `Serialize` type that becomes a JSON object; it may not set the
/// registered names above (that is refused, not silently overwritten).
///
/// Cheap to clone, `Send + Sync`.
///
/// # Example
///
/// ```
/// use seckit::jwt::{Algorithm, Issuer, SigningKey};
/// use std::time::Duration;
///
/// #[derive(serde::Serialize)]
/// struct Access { scope: &'static str }
///
/// let key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?.with_kid("k1")?;
/// let issuer = Issuer::new(key).with_issuer("https://auth.example")?.with_ttl(Duration::from_secs(900))?;
/// let token = issuer.issue_for("user-42", &Access { scope: "orders:read" })?;
/// assert_eq!(token.split('.').count(), 3);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Issuer {
    key: SigningKey,
    /// `{"alg":..,"kid":..,"typ":"JWT"}`, encoded once.
    header_b64: Arc<str>,
    issuer: Option<String>,
    audiences: Vec<String>,
    ttl: u64,
    clock: Clock,
}

impl Issuer {
    /// An issuer signing with `key`, TTL one hour, no `iss` or `aud`.
    #[must_use]
    pub fn new(key: SigningKey) -> Self {
        let mut header = Map::new();
        header.insert("alg".into(), Value::from(key.algorithm().as_str()));
        if let Some(kid) = key.kid() {
            header.insert("kid".into(), Value::from(kid));
        }
        header.insert("typ".into(), Value::from("JWT"));
        // Serializing a map of strings cannot fail.
        let json = serde_json::to_vec(&header).unwrap_or_default();
        Self {
            key,
            header_b64: URL_SAFE_NO_PAD.encode(json).into(),
            issuer: None,
            audiences: Vec::new(),
            ttl: DEFAULT_TTL_SECS,
            clock: Clock::System,
        }
    }

    /// Sets `iss`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when empty.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Result<Self> {
        self.issuer = Some(non_empty(issuer.into(), "jwt.issuer")?);
        Ok(self)
    }

    /// Adds an audience. One audience is written as a string, several as an
    /// array.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when empty.
    pub fn with_audience(mut self, audience: impl Into<String>) -> Result<Self> {
        self.audiences
            .push(non_empty(audience.into(), "jwt.audience")?);
        Ok(self)
    }

    /// Sets the lifetime, 1 second to 24 hours.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) outside that range;
    /// longer lifetimes need [`Issuer::with_long_ttl`].
    pub fn with_ttl(mut self, ttl: Duration) -> Result<Self> {
        self.ttl = checked_ttl(ttl, false)?;
        Ok(self)
    }

    /// Sets a lifetime of up to 400 days, for long-lived tokens whose
    /// revocation you handle (refresh tokens, service credentials).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when zero or over 400 days.
    pub fn with_long_ttl(mut self, ttl: Duration) -> Result<Self> {
        self.ttl = checked_ttl(ttl, true)?;
        Ok(self)
    }

    /// An issuer from settings [`JwtConfig`](super::JwtConfig) already checked.
    pub(crate) fn configured(
        key: SigningKey,
        issuer: Option<String>,
        audiences: Vec<String>,
        ttl: u64,
    ) -> Self {
        Self {
            issuer,
            audiences,
            ttl,
            ..Self::new(key)
        }
    }

    /// Takes "now" (Unix seconds) from `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Clock::Custom(Arc::new(clock));
        self
    }

    /// The signing key.
    #[must_use]
    pub const fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The lifetime of issued tokens.
    #[must_use]
    pub const fn ttl(&self) -> Duration {
        Duration::from_secs(self.ttl)
    }

    /// Issues a token with `claims` and no `sub`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) (field `claims`) when
    /// `claims` does not serialize to a JSON object (`not_object`) or sets a
    /// registered claim (`reserved_name`); [`ErrorKind::Internal`](crate::ErrorKind)
    /// if the clock or the OS random generator fails.
    pub fn issue<C: Serialize + ?Sized>(&self, claims: &C) -> Result<String> {
        self.issue_at(None, claims, self.clock.now()?)
    }

    /// Issues a token about `subject` (its `sub`).
    ///
    /// # Errors
    ///
    /// As [`Issuer::issue`], and `sub.empty` for an empty subject.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use seckit::jwt::{Algorithm, Issuer, SigningKey};
    ///
    /// let key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?;
    /// let issuer = Issuer::new(key)
    ///     .with_issuer("https://auth.example")?
    ///     .with_audience("orders-api")?
    ///     .with_ttl(Duration::from_secs(600))?;
    /// let token = issuer.issue_for("user-42", &serde_json::json!({"scope": "orders:read"}))?;
    /// assert_eq!(token.matches('.').count(), 2);
    /// // Registered claims are the issuer's to set, not the caller's.
    /// assert!(issuer.issue_for("user-42", &serde_json::json!({"exp": 0})).is_err());
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn issue_for<C: Serialize + ?Sized>(&self, subject: &str, claims: &C) -> Result<String> {
        self.issue_at(Some(subject), claims, self.clock.now()?)
    }

    /// Issues a token as of `now` (Unix seconds).
    ///
    /// # Errors
    ///
    /// As [`Issuer::issue_for`].
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::jwt::{Algorithm, Issuer, SigningKey, Verifier};
    ///
    /// let key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?;
    /// let verifier = Verifier::new(key.verifying_key()).ignore_issuer().ignore_audience();
    /// let token = Issuer::new(key).issue_at(Some("user-42"), &serde_json::json!({}), 1_700_000_000)?;
    /// assert!(verifier.verify_at::<serde_json::Value>(&token, 1_700_000_010).is_ok());
    /// assert!(verifier.verify_at::<serde_json::Value>(&token, 1_700_900_000).is_err()); // expired
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn issue_at<C: Serialize + ?Sized>(
        &self,
        subject: Option<&str>,
        claims: &C,
        now: u64,
    ) -> Result<String> {
        let Ok(Value::Object(mut map)) = serde_json::to_value(claims) else {
            return Err(Error::invalid("claims", "not_object"));
        };
        if REGISTERED.iter().any(|name| map.contains_key(*name)) {
            return Err(Error::invalid("claims", "reserved_name"));
        }
        let exp = now.saturating_add(self.ttl);
        if exp > MAX_NUMERIC_DATE {
            return Err(Error::invalid("now", "out_of_range"));
        }
        if let Some(iss) = &self.issuer {
            map.insert("iss".into(), Value::from(iss.as_str()));
        }
        if let Some(sub) = subject {
            if sub.is_empty() {
                return Err(Error::invalid("sub", "empty"));
            }
            map.insert("sub".into(), Value::from(sub));
        }
        match self.audiences.as_slice() {
            [] => {}
            [one] => {
                map.insert("aud".into(), Value::from(one.as_str()));
            }
            many => {
                map.insert("aud".into(), Value::from(many.to_vec()));
            }
        }
        map.insert("iat".into(), Value::from(now));
        map.insert("nbf".into(), Value::from(now));
        map.insert("exp".into(), Value::from(exp));
        map.insert("jti".into(), Value::from(jti()?));
        let payload =
            serde_json::to_vec(&map).map_err(|_| Error::internal("claims serialization failed"))?;

        let payload_len = base64::encoded_len(payload.len(), false).unwrap_or(0);
        let mut token = String::with_capacity(
            self.header_b64
                .len()
                .saturating_add(payload_len)
                .saturating_add(700),
        );
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let sig = self.key.sign(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(sig, &mut token);
        Ok(token)
    }
}

/// A lifetime in whole seconds: 1 s to a day, or to 400 days when `long`.
pub(crate) fn checked_ttl(ttl: Duration, long: bool) -> Result<u64> {
    let (max, reason) = if long {
        (MAX_LONG_TTL_SECS, "must be 1 second to 400 days")
    } else {
        (
            MAX_TTL_SECS,
            "must be 1 second to 24 hours (use with_long_ttl to widen)",
        )
    };
    let secs = ttl.as_secs();
    if secs == 0 || secs > max {
        return Err(Error::configuration("jwt.ttl", reason));
    }
    Ok(secs)
}

/// A random 128-bit token id, base64url.
fn jti() -> Result<String> {
    let mut raw = [0u8; 16];
    crate::random::fill(&mut raw)?;
    Ok(URL_SAFE_NO_PAD.encode(raw))
}
