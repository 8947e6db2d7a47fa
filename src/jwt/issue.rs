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

/// Claim names seckit sets itself; custom claims may not use them (`sub`
/// is the exception: a claims type may carry it, see [`Issuer::issue_for`]).
const REGISTERED: [&str; 6] = ["iss", "aud", "exp", "nbf", "iat", "jti"];

/// Issues signed tokens with one [`SigningKey`].
///
/// Every token carries `iat`, `nbf` (both now), `exp` (now + TTL, one hour
/// by default), a random 128-bit `jti`, and `iss`/`aud`/`sub` when set; the
/// header carries `alg`, `typ` (`JWT`, or [`Issuer::with_typ`]) and the
/// key's `kid`. Your claims are any `Serialize` type that becomes a JSON
/// object; it may set `sub` (a `Claims { sub, role }` struct is issued and
/// verified as is) but not the other registered names (that is refused, not
/// silently overwritten).
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
    /// `{"alg":..,"kid":..,"typ":..}`, encoded once.
    header_b64: Arc<str>,
    typ: Arc<str>,
    issuer: Option<String>,
    audiences: Vec<String>,
    ttl: u64,
    clock: Clock,
}

impl Issuer {
    /// An issuer signing with `key`, TTL one hour, no `iss` or `aud`.
    #[must_use]
    pub fn new(key: SigningKey) -> Self {
        Self {
            header_b64: encode_header(&key, "JWT"),
            typ: "JWT".into(),
            key,
            issuer: None,
            audiences: Vec::new(),
            ttl: DEFAULT_TTL_SECS,
            clock: Clock::System,
        }
    }

    /// Sets the `typ` header (default `JWT`): `at+jwt` for OAuth access
    /// tokens (RFC 9068), or a type of your own per kind of token, so a
    /// verifier that requires one ([`Verifier::with_typ`](super::Verifier::with_typ))
    /// refuses the others (explicit typing, RFC 8725 §3.11).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when empty, over 64
    /// bytes, or not printable ASCII.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::jwt::{Algorithm, Issuer, SigningKey, Verifier};
    ///
    /// let key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?;
    /// let access = Issuer::new(key.clone()).with_typ("at+jwt")?;
    /// let plain = Issuer::new(key.clone());
    /// let verifier = Verifier::new(key.verifying_key()).ignore_issuer().ignore_audience().with_typ("at+jwt")?;
    /// assert!(verifier.verify::<serde_json::Value>(&access.issue(&serde_json::json!({}))?).is_ok());
    /// assert!(verifier.verify::<serde_json::Value>(&plain.issue(&serde_json::json!({}))?).is_err());
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn with_typ(mut self, typ: &str) -> Result<Self> {
        let typ = checked_typ(typ)?;
        self.header_b64 = encode_header(&self.key, typ);
        self.typ = typ.into();
        Ok(self)
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
    /// A claims type may carry `sub` itself instead (then use
    /// [`Issuer::issue`]); when both give one they must be equal.
    ///
    /// # Errors
    ///
    /// As [`Issuer::issue`]; `sub.empty` for an empty subject,
    /// `sub.not_string` for a non-string `sub` in the claims, and
    /// `sub.conflict` when the claims' `sub` differs from `subject`.
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
        let spec = TokenSpec {
            subject: subject.map(str::to_owned),
            ..TokenSpec::default()
        };
        self.issue_with_at(claims, &spec, now).map(|t| t.token)
    }

    /// Issues a token with per-token settings (subject, lifetime,
    /// audiences) and returns it with its `jti` and `exp`, for a service
    /// that records issued tokens (revocation lists, refresh-token rows) or
    /// tells the client `expires_in`.
    ///
    /// # Errors
    ///
    /// As [`Issuer::issue_for`].
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use seckit::jwt::{Algorithm, Issuer, SigningKey, TokenSpec, Verifier};
    ///
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Claims { sub: String, role: String }
    ///
    /// let key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?;
    /// let issuer = Issuer::new(key.clone()).with_audience("api")?;
    /// let spec = TokenSpec::new().ttl(Duration::from_secs(300))?.audience("admin-api")?;
    /// let issued = issuer.issue_with(&Claims { sub: "user-42".into(), role: "admin".into() }, &spec)?;
    /// assert_eq!(issued.expires_in(), Duration::from_secs(300));
    ///
    /// let verifier = Verifier::new(key.verifying_key()).ignore_issuer().with_audience("admin-api")?;
    /// let verified = verifier.verify::<Claims>(issued.token())?;
    /// assert_eq!((verified.claims.sub.as_str(), verified.registered.jti.as_deref()), ("user-42", Some(issued.jti())));
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn issue_with<C: Serialize + ?Sized>(
        &self,
        claims: &C,
        spec: &TokenSpec,
    ) -> Result<Issued> {
        self.issue_with_at(claims, spec, self.clock.now()?)
    }

    /// [`Issuer::issue_with`] as of `now` (Unix seconds).
    ///
    /// # Errors
    ///
    /// As [`Issuer::issue_for`].
    pub fn issue_with_at<C: Serialize + ?Sized>(
        &self,
        claims: &C,
        spec: &TokenSpec,
        now: u64,
    ) -> Result<Issued> {
        let Ok(Value::Object(mut map)) = serde_json::to_value(claims) else {
            return Err(Error::invalid("claims", "not_object"));
        };
        if REGISTERED.iter().any(|name| map.contains_key(*name)) {
            return Err(Error::invalid("claims", "reserved_name"));
        }
        let ttl = spec.ttl.unwrap_or(self.ttl);
        let exp = now.saturating_add(ttl);
        if exp > MAX_NUMERIC_DATE {
            return Err(Error::invalid("now", "out_of_range"));
        }
        if let Some(iss) = &self.issuer {
            map.insert("iss".into(), Value::from(iss.as_str()));
        }
        match (map.get("sub"), spec.subject.as_deref()) {
            (Some(Value::String(own)), _) if own.is_empty() => {
                return Err(Error::invalid("sub", "empty"));
            }
            (Some(Value::String(own)), Some(given)) if own != given => {
                return Err(Error::invalid("sub", "conflict"));
            }
            (Some(Value::String(_)), _) => {}
            (Some(_), _) => return Err(Error::invalid("sub", "not_string")),
            (None, Some("")) => return Err(Error::invalid("sub", "empty")),
            (None, Some(sub)) => {
                map.insert("sub".into(), Value::from(sub));
            }
            (None, None) => {}
        }
        let audiences = spec.audiences.as_deref().unwrap_or(&self.audiences);
        match audiences {
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
        let jti = jti()?;
        map.insert("jti".into(), Value::from(jti.as_str()));
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
        Ok(Issued {
            token,
            jti,
            iat: now,
            exp,
        })
    }

    /// The `typ` header this issuer writes.
    #[must_use]
    pub fn typ(&self) -> &str {
        &self.typ
    }
}

/// Per-token settings for [`Issuer::issue_with`]; anything left unset is
/// the issuer's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenSpec {
    subject: Option<String>,
    ttl: Option<u64>,
    audiences: Option<Vec<String>>,
}

impl TokenSpec {
    /// The issuer's settings, unchanged.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The token's `sub`.
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// This token's lifetime, 1 second to 24 hours (the issuer's bounds).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) outside that range.
    pub fn ttl(mut self, ttl: Duration) -> Result<Self> {
        self.ttl = Some(checked_ttl(ttl, false)?);
        Ok(self)
    }

    /// This token's lifetime, up to 400 days (refresh tokens and service
    /// credentials whose revocation you handle).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when zero or over 400 days.
    pub fn long_ttl(mut self, ttl: Duration) -> Result<Self> {
        self.ttl = Some(checked_ttl(ttl, true)?);
        Ok(self)
    }

    /// Adds an audience for this token; the first call replaces the
    /// issuer's audiences.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when empty.
    pub fn audience(mut self, audience: impl Into<String>) -> Result<Self> {
        let audience = non_empty(audience.into(), "jwt.audience")?;
        self.audiences.get_or_insert_with(Vec::new).push(audience);
        Ok(self)
    }
}

/// A token just issued, with the claims a service records or reports.
///
/// `Debug` masks the token: it is a bearer credential.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    token: String,
    jti: String,
    iat: u64,
    exp: u64,
}

impl Issued {
    /// The compact token, to hand to the client.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The token, consumed.
    #[must_use]
    pub fn into_token(self) -> String {
        self.token
    }

    /// Its `jti`: 128 random bits, base64url.
    #[must_use]
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// Its `iat` (and `nbf`), Unix seconds.
    #[must_use]
    pub const fn issued_at(&self) -> u64 {
        self.iat
    }

    /// Its `exp`, Unix seconds.
    #[must_use]
    pub const fn expires_at(&self) -> u64 {
        self.exp
    }

    /// `exp - iat`: the OAuth `expires_in`.
    #[must_use]
    pub const fn expires_in(&self) -> Duration {
        Duration::from_secs(self.exp.saturating_sub(self.iat))
    }
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("token", &crate::mask::MASK)
            .field("jti", &self.jti)
            .field("iat", &self.iat)
            .field("exp", &self.exp)
            .finish()
    }
}

/// The longest `typ` accepted, in bytes.
const MAX_TYP_LEN: usize = 64;

/// A `typ` value: 1 to 64 printable ASCII bytes.
pub(crate) fn checked_typ(typ: &str) -> Result<&str> {
    if typ.is_empty() || typ.len() > MAX_TYP_LEN || !typ.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::configuration(
            "jwt.typ",
            "must be 1 to 64 printable ASCII characters",
        ));
    }
    Ok(typ)
}

fn encode_header(key: &SigningKey, typ: &str) -> Arc<str> {
    let mut header = Map::new();
    header.insert("alg".into(), Value::from(key.algorithm().as_str()));
    if let Some(kid) = key.kid() {
        header.insert("kid".into(), Value::from(kid));
    }
    header.insert("typ".into(), Value::from(typ));
    // Serializing a map of strings cannot fail.
    let json = serde_json::to_vec(&header).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json).into()
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
