//! `JwtConfig`: everything a service needs to issue and verify, from the
//! environment or from code, refused at startup when unsafe.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use super::issue::checked_ttl;
use super::secret_check::SecretEncoding;
use super::verify::{checked_leeway, checked_max_len};
use super::{Algorithm, Issuer, SigningKey, Verifier, VerifyingKey};
use super::{DEFAULT_MAX_TOKEN_LEN, DEFAULT_TTL_SECS};
use crate::config::{Loader, Report};
use crate::{Error, Result};

/// How to fix a missing or weak `JWT_SECRET` (named `secret`, its encoding
/// `encoding`, as the configuration spells them): each generator with the
/// encoding its output needs (tested by following it literally).
fn generate_hint(alg: Algorithm, secret: &str, encoding: &str) -> Cow<'static, str> {
    crate::strength::generate_hint_for(
        alg.min_secret_len()
            .unwrap_or(crate::strength::MIN_HMAC_KEY_LEN),
        secret,
        encoding,
    )
}

/// JWT settings for one service: key, algorithm, issuer, audience, lifetime,
/// leeway and size limit, validated when built.
///
/// [`JwtConfig::from_env`] reads:
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `JWT_ALGORITHM` | `HS256` … `EdDSA` (any case) | `HS256` |
/// | `JWT_SECRET` / `JWT_SECRET_FILE` | HMAC secret (HS*) | required for HS* |
/// | `JWT_SECRET_ENCODING` | `raw`, `base64`, `base64url`, `hex` | `raw` |
/// | `JWT_PRIVATE_KEY` / `_FILE` | PEM private key (RS*, PS*, ES*, EdDSA) | — |
/// | `JWT_PUBLIC_KEY` / `_FILE` | PEM public key, for verify-only services | — |
/// | `JWT_KEY_ID` | `kid` written and expected | none |
/// | `JWT_ISSUER` | `iss` written and required | none |
/// | `JWT_AUDIENCE` | `aud` written and required; several comma-separated (any one accepted) | none |
/// | `JWT_TYP` | `typ` header written and required (`at+jwt`, RFC 9068) | `JWT` (or none) accepted |
/// | `JWT_TTL_MINUTES` | token lifetime, 1 to 1440 | 60 |
/// | `JWT_ALLOW_LONG_TTL` | `true` widens the TTL bound to 400 days | `false` |
/// | `JWT_LEEWAY_SECONDS` | clock skew allowed on `exp`, `nbf` and `iat`, 0 to 300 | 0 on `exp`, 30 on `nbf`/`iat` |
/// | `JWT_MAX_TOKEN_BYTES` | largest token verified, 1 to 65536 | 8192 |
///
/// Every `NAME` can also be given as `NAME_FILE` (see [`Loader`]). A
/// missing or weak secret, a key that does not fit the algorithm, a secret
/// given for an asymmetric algorithm, or an out-of-range number is an error
/// naming the variable, with a hint on how to fix it.
///
/// `Display` and `Debug` show the settings with the key masked; [`report`](JwtConfig::report)
/// says where each came from.
///
/// # Example
///
/// ```
/// use seckit::config::Loader;
/// use seckit::jwt::JwtConfig;
///
/// // from_env() in production; from_loader with fixed variables in tests.
/// let mut env = Loader::from_vars([("JWT_SECRET", "secret")]);
/// let err = JwtConfig::from_loader(&mut env).unwrap_err();
/// assert!(err.to_string().starts_with("configuration: JWT_SECRET: is a known default"));
///
/// let mut env = Loader::from_vars([
///     ("JWT_SECRET", "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE="), // sample value
///     ("JWT_SECRET_ENCODING", "base64"),
///     ("JWT_ISSUER", "https://auth.example"),
///     ("JWT_TTL_MINUTES", "15"),
/// ]);
/// let config = JwtConfig::from_loader(&mut env)?;
/// assert_eq!(
///     config.to_string(),
///     "alg=HS256 key=*** kid=- iss=https://auth.example aud=- ttl=900s leeway=30s(nbf/iat) typ=JWT max_token_bytes=8192"
/// );
/// let token = config.issuer()?.issue_for("user-1", &serde_json::json!({}))?;
/// config.verifier().verify::<serde_json::Value>(&token)?;
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone)]
pub struct JwtConfig {
    signing: Option<SigningKey>,
    verifying: VerifyingKey,
    issuer: Option<String>,
    audiences: Vec<String>,
    /// Seconds.
    ttl: u64,
    /// Seconds; `None` for the verifier's defaults.
    leeway: Option<u64>,
    typ: Option<String>,
    max_token_len: usize,
    report: Option<Report>,
}

impl JwtConfig {
    /// Reads the process environment (see the table above).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind), naming the variable.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use seckit::jwt::JwtConfig;
    ///
    /// // At startup: JWT_SECRET (or JWT_SECRET_FILE), JWT_ALGORITHM, JWT_ISSUER, ...
    /// let config = match JwtConfig::from_env() {
    ///     Ok(config) => config,
    ///     Err(e) => {
    ///         eprintln!("startup: {e}"); // names the variable, never shows its value
    ///         std::process::exit(2);
    ///     }
    /// };
    /// let verifier = config.verifier();
    /// # let _ = verifier;
    /// ```
    pub fn from_env() -> Result<Self> {
        let mut loader = Loader::from_env();
        Self::from_loader(&mut loader)
    }

    /// Reads the variables through `loader` (tests use
    /// [`Loader::from_vars`]); the loader's report is kept.
    ///
    /// # Errors
    ///
    /// As [`JwtConfig::from_env`].
    pub fn from_loader(loader: &mut Loader) -> Result<Self> {
        Self::from_loader_prefixed(loader, "")
    }

    /// Reads the process environment with every variable name prefixed:
    /// `ACCESS_` reads `ACCESS_JWT_SECRET`, `ACCESS_JWT_TTL_MINUTES`, …,
    /// for a service holding two configurations (access and refresh
    /// tokens, each with its own key and lifetime).
    ///
    /// # Errors
    ///
    /// As [`JwtConfig::from_env`]; an error names the prefixed variable.
    pub fn from_env_prefixed(prefix: &str) -> Result<Self> {
        let mut loader = Loader::from_env();
        Self::from_loader_prefixed(&mut loader, prefix)
    }

    /// [`JwtConfig::from_env_prefixed`] through `loader`.
    ///
    /// # Errors
    ///
    /// As [`JwtConfig::from_env`].
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::config::Loader;
    /// use seckit::jwt::JwtConfig;
    ///
    /// let mut env = Loader::from_vars([
    ///     ("ACCESS_JWT_SECRET", "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE="), // sample values
    ///     ("ACCESS_JWT_TTL_MINUTES", "15"),
    ///     ("ACCESS_JWT_AUDIENCE", "orders-api, billing-api"),
    ///     ("REFRESH_JWT_SECRET", "Zk3nQ8vR2mX7cL1pT5wB9yH4dJ6sF0gA"),
    ///     ("REFRESH_JWT_TTL_MINUTES", "1440"),
    /// ]);
    /// let access = JwtConfig::from_loader_prefixed(&mut env, "ACCESS_")?;
    /// let refresh = JwtConfig::from_loader_prefixed(&mut env, "REFRESH_")?;
    /// assert_eq!(access.audiences(), ["orders-api", "billing-api"]);
    /// assert_eq!(refresh.issuer()?.ttl().as_secs(), 86_400);
    /// let err = JwtConfig::from_loader_prefixed(&mut env, "ADMIN_").unwrap_err();
    /// assert!(err.to_string().starts_with("configuration: ADMIN_JWT_SECRET: not set"));
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn from_loader_prefixed(loader: &mut Loader, prefix: &str) -> Result<Self> {
        let n = |name: &'static str| -> Cow<'static, str> {
            if prefix.is_empty() {
                Cow::Borrowed(name)
            } else {
                Cow::Owned(format!("{prefix}{name}"))
            }
        };
        Self::read(loader, &n)
    }

    fn read(loader: &mut Loader, n: &dyn Fn(&'static str) -> Cow<'static, str>) -> Result<Self> {
        let alg_setting = loader.value_or(&n("JWT_ALGORITHM"), "HS256")?;
        let alg: Algorithm = alg_setting
            .value()
            .parse()
            .map_err(|e: Error| e.for_setting(n("JWT_ALGORITHM")))?;
        let kid = loader
            .value(&n("JWT_KEY_ID"))?
            .map(crate::config::Setting::into_value);

        let (signing, verifying) = if alg.is_hmac() {
            let encoding: SecretEncoding = loader
                .value_or(&n("JWT_SECRET_ENCODING"), "raw")?
                .value()
                .parse()
                .map_err(|e: Error| e.for_setting(n("JWT_SECRET_ENCODING")))?;
            let bytes = loader
                .required_secret_bytes(&n("JWT_SECRET"), encoding)
                .map_err(|e| {
                    e.with_hint(generate_hint(
                        alg,
                        &n("JWT_SECRET"),
                        &n("JWT_SECRET_ENCODING"),
                    ))
                })?;
            let key =
                SigningKey::hmac_named(alg, bytes.value(), &n("JWT_SECRET")).map_err(|e| {
                    e.with_hint(generate_hint(
                        alg,
                        &n("JWT_SECRET"),
                        &n("JWT_SECRET_ENCODING"),
                    ))
                })?;
            let verifying = key.verifying_key();
            (Some(key), verifying)
        } else {
            if loader.secret(&n("JWT_SECRET"))?.is_some() {
                return Err(Error::configuration(
                    n("JWT_SECRET"),
                    "is set but JWT_ALGORITHM is not HMAC",
                )
                .with_hint(format!(
                    "unset it, or use {} / {} for this algorithm",
                    n("JWT_PRIVATE_KEY_FILE"),
                    n("JWT_PUBLIC_KEY_FILE")
                )));
            }
            let private = loader.secret(&n("JWT_PRIVATE_KEY"))?;
            // Read into a wiped buffer: if it holds a private key by mistake,
            // that key must not linger in an ordinary `String`.
            let public = loader.sensitive_value(&n("JWT_PUBLIC_KEY"))?;
            let signing = private
                .map(|pem| {
                    SigningKey::from_pem_named(
                        alg,
                        pem.value().expose_secret().as_bytes(),
                        &n("JWT_PRIVATE_KEY"),
                    )
                })
                .transpose()?;
            let given_public = public
                .map(|pem| {
                    let pem = pem.value().expose_secret().as_bytes();
                    let (label, _) = crate::pem_util::read(pem, &n("JWT_PUBLIC_KEY"))?;
                    if label.ends_with("PRIVATE KEY") {
                        return Err(Error::configuration(
                            n("JWT_PUBLIC_KEY"),
                            "holds a private key, not a public key",
                        )
                        .with_hint(format!(
                            "the private key belongs in {} (a file of mode 0600); {} takes the public key only",
                            n("JWT_PRIVATE_KEY_FILE"),
                            n("JWT_PUBLIC_KEY"),
                        )));
                    }
                    VerifyingKey::from_pem_named(alg, pem, &n("JWT_PUBLIC_KEY"))
                })
                .transpose()?;
            match (signing, given_public) {
                (None, None) => {
                    return Err(Error::configuration(n("JWT_PRIVATE_KEY"), "not set").with_hint(format!(
                        "set {} to a PEM private key to issue, or {} to a PEM public key to verify only",
                        n("JWT_PRIVATE_KEY_FILE"),
                        n("JWT_PUBLIC_KEY_FILE"),
                    )));
                }
                (None, Some(public)) => (None, public),
                (Some(key), None) => {
                    let verifying = key.verifying_key();
                    (Some(key), verifying)
                }
                (Some(key), Some(public)) => {
                    if key.public_der() != public.public_der() {
                        return Err(Error::configuration(
                            n("JWT_PUBLIC_KEY"),
                            "does not match JWT_PRIVATE_KEY",
                        ));
                    }
                    let verifying = key.verifying_key();
                    (Some(key), verifying)
                }
            }
        };
        let mut config = Self::from_keys(signing, verifying);
        if let Some(kid) = kid {
            config = config
                .with_kid(kid)
                .map_err(|e| e.for_setting(n("JWT_KEY_ID")))?;
        }
        if let Some(iss) = loader.value(&n("JWT_ISSUER"))? {
            config = config
                .with_issuer(iss.into_value())
                .map_err(|e| e.for_setting(n("JWT_ISSUER")))?;
        }
        if let Some(aud) = loader.value(&n("JWT_AUDIENCE"))? {
            for one in aud.value().split(',') {
                config = config
                    .with_audience(one.trim())
                    .map_err(|e| e.for_setting(n("JWT_AUDIENCE")))?;
            }
        }
        if let Some(typ) = loader.value(&n("JWT_TYP"))? {
            config = config
                .with_typ(typ.value())
                .map_err(|e| e.for_setting(n("JWT_TYP")))?;
        }
        let long = match loader
            .value_or(&n("JWT_ALLOW_LONG_TTL"), "false")?
            .value()
            .to_ascii_lowercase()
            .as_str()
        {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => {
                return Err(Error::configuration(
                    n("JWT_ALLOW_LONG_TTL"),
                    "is not true or false",
                ));
            }
        };
        let minutes = number(loader, n("JWT_TTL_MINUTES"), DEFAULT_TTL_SECS / 60)?;
        let ttl = Duration::from_secs(minutes.saturating_mul(60));
        config = if long {
            config.with_long_ttl(ttl)
        } else {
            config.with_ttl(ttl)
        }
        .map_err(|e| e.for_setting(n("JWT_TTL_MINUTES")))?;
        if loader.value(&n("JWT_LEEWAY_SECONDS"))?.is_some() {
            let leeway = number(loader, n("JWT_LEEWAY_SECONDS"), 0)?;
            config = config
                .with_leeway(Duration::from_secs(leeway))
                .map_err(|e| e.for_setting(n("JWT_LEEWAY_SECONDS")))?;
        }
        let max = number(loader, n("JWT_MAX_TOKEN_BYTES"), 8192)?;
        config = config
            .with_max_token_len(usize::try_from(max).unwrap_or(usize::MAX))
            .map_err(|e| e.for_setting(n("JWT_MAX_TOKEN_BYTES")))?;
        config.report = Some(loader.report().clone());
        Ok(config)
    }

    /// A configuration that issues with `key` and verifies with its public
    /// half (or the same secret).
    #[must_use]
    pub fn new(key: SigningKey) -> Self {
        let verifying = key.verifying_key();
        Self::from_keys(Some(key), verifying)
    }

    /// A configuration that only verifies.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::jwt::{Algorithm, JwtConfig, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/fixtures/jwt/ed25519-public.pem");
    /// let config = JwtConfig::verify_only(VerifyingKey::from_pem(Algorithm::EdDSA, pem)?)
    ///     .with_issuer("https://auth.example")?;
    /// assert!(config.issuer().is_err()); // this service cannot mint tokens
    /// # Ok::<(), seckit::Error>(())
    /// ```
    #[must_use]
    pub fn verify_only(key: VerifyingKey) -> Self {
        Self::from_keys(None, key)
    }

    fn from_keys(signing: Option<SigningKey>, verifying: VerifyingKey) -> Self {
        Self {
            signing,
            verifying,
            issuer: None,
            audiences: Vec::new(),
            ttl: DEFAULT_TTL_SECS,
            leeway: None,
            typ: None,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            report: None,
        }
    }

    /// Sets the key id on both keys.
    ///
    /// # Errors
    ///
    /// As [`SigningKey::with_kid`].
    pub fn with_kid(mut self, kid: impl Into<String>) -> Result<Self> {
        let kid = kid.into();
        if let Some(key) = self.signing.take() {
            self.signing = Some(key.with_kid(kid.clone())?);
        }
        self.verifying = self.verifying.with_kid(kid)?;
        Ok(self)
    }

    /// Sets the issuer written and required.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when empty.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Result<Self> {
        self.issuer = Some(super::verify::non_empty(issuer.into(), "jwt.issuer")?);
        Ok(self)
    }

    /// Adds an audience: written into issued tokens (one as a string,
    /// several as an array) and accepted when verifying (any one of them).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) when empty.
    pub fn with_audience(mut self, audience: impl Into<String>) -> Result<Self> {
        self.audiences
            .push(super::verify::non_empty(audience.into(), "jwt.audience")?);
        Ok(self)
    }

    /// Sets the `typ` header written and required, as
    /// [`Issuer::with_typ`] and [`Verifier::with_typ`].
    ///
    /// # Errors
    ///
    /// As [`Issuer::with_typ`].
    pub fn with_typ(mut self, typ: &str) -> Result<Self> {
        self.typ = Some(super::issue::checked_typ(typ)?.to_owned());
        Ok(self)
    }

    /// The audiences written and accepted.
    #[must_use]
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// Sets the token lifetime, 1 second to 24 hours.
    ///
    /// # Errors
    ///
    /// As [`Issuer::with_ttl`].
    pub fn with_ttl(mut self, ttl: Duration) -> Result<Self> {
        self.ttl = checked_ttl(ttl, false)?;
        Ok(self)
    }

    /// Sets a lifetime of up to 400 days.
    ///
    /// # Errors
    ///
    /// As [`Issuer::with_long_ttl`].
    pub fn with_long_ttl(mut self, ttl: Duration) -> Result<Self> {
        self.ttl = checked_ttl(ttl, true)?;
        Ok(self)
    }

    /// Sets the clock-skew allowance, at most 300 seconds.
    ///
    /// # Errors
    ///
    /// As [`Verifier::with_leeway`].
    pub fn with_leeway(mut self, leeway: Duration) -> Result<Self> {
        self.leeway = Some(checked_leeway(leeway)?);
        Ok(self)
    }

    /// Sets the largest token verified.
    ///
    /// # Errors
    ///
    /// As [`Verifier::with_max_token_len`].
    pub fn with_max_token_len(mut self, max_len: usize) -> Result<Self> {
        self.max_token_len = checked_max_len(max_len)?;
        Ok(self)
    }

    /// The algorithm.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        self.verifying.algorithm()
    }

    /// The verifying key (with its `kid`), e.g. to keep it in a
    /// [`KeySet`](super::KeySet) while rotating to a new key.
    #[must_use]
    pub const fn verifying_key(&self) -> &VerifyingKey {
        &self.verifying
    }

    /// Where each setting came from, secrets masked, when read by
    /// [`from_env`](JwtConfig::from_env) or [`from_loader`](JwtConfig::from_loader).
    #[must_use]
    pub const fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    /// An issuer with these settings.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for a verify-only
    /// configuration (no private key).
    pub fn issuer(&self) -> Result<Issuer> {
        let key = self.signing.clone().ok_or_else(|| {
            Error::configuration(
                "JWT_PRIVATE_KEY",
                "not set: this configuration only verifies",
            )
        })?;
        let issuer = Issuer::configured(key, self.issuer.clone(), self.audiences.clone(), self.ttl);
        match &self.typ {
            Some(typ) => issuer.with_typ(typ),
            None => Ok(issuer),
        }
    }

    /// A verifier with these settings. Tokens carrying an `iss` or `aud`
    /// that this configuration does not set are refused.
    #[must_use]
    pub fn verifier(&self) -> Verifier {
        Verifier::configured(
            self.verifying.clone(),
            self.issuer.clone(),
            self.audiences.clone(),
            self.leeway,
            self.typ.clone(),
            self.max_token_len,
        )
    }
}

fn number(loader: &mut Loader, name: Cow<'static, str>, default: u64) -> Result<u64> {
    let Some(setting) = loader.value(&name)? else {
        return Ok(default);
    };
    setting
        .value()
        .parse::<u64>()
        .map_err(|_| Error::configuration(name, "is not a whole number"))
}

impl fmt::Display for JwtConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "alg={} key={} kid={} iss={} aud={} ttl={}s leeway={} typ={} max_token_bytes={}",
            self.algorithm(),
            if self.signing.is_some() || self.verifying.is_hmac() {
                crate::mask::MASK
            } else {
                "public"
            },
            self.verifying.kid().unwrap_or("-"),
            self.issuer.as_deref().unwrap_or("-"),
            if self.audiences.is_empty() {
                "-".to_owned()
            } else {
                self.audiences.join(",")
            },
            self.ttl,
            self.leeway.map_or_else(
                || format!("{}s(nbf/iat)", super::DEFAULT_LEEWAY_SECS),
                |l| format!("{l}s")
            ),
            self.typ.as_deref().unwrap_or("JWT"),
            self.max_token_len,
        )
    }
}

impl fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JwtConfig({self})")
    }
}
