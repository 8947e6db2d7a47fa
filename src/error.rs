//! The one error type of every seckit module.
//!
//! Two audiences read an error, and each gets its own text:
//!
//! - **Logs** read [`Error`]'s `Display`: specific (which field, which rule,
//!   which setting) so an operator can act on it.
//! - **Clients** read [`Error::public_message`]: generic and stable, safe to
//!   put in a response body as-is.
//!
//! Neither ever contains a secret, a password, a token, key material or the
//! raw input that was rejected. Every payload is either a `&'static str` that
//! seckit wrote or a setting name the application chose; upstream errors are
//! mapped to our own words, never forwarded, because their messages can quote
//! the input (serde's do).
//!
//! Application code branches on [`Error::kind`] rather than on variants.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// `Result` with [`Error`] as its error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The broad class of an [`Error`], for mapping it to a response.
///
/// # Example
///
/// ```
/// use seckit::{Error, ErrorKind};
///
/// fn status(err: &Error) -> u16 {
///     match err.kind() {
///         ErrorKind::InvalidInput => 400,
///         ErrorKind::Unauthenticated => 401,
///         _ => 500,
///     }
/// }
/// # let err = seckit::random::secret(1).unwrap_err();
/// # assert_eq!(status(&err), 400);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A crypto dependency failed where it should not have: a server fault,
    /// not the caller's (500-like).
    Crypto,
    /// The deployment is unsafe or incomplete: a missing or weak secret, bad
    /// parameters. Raised at startup, by constructors.
    Configuration,
    /// A bug or an environment failure, such as the OS random number
    /// generator being unavailable.
    Internal,
    /// The caller's data is malformed or breaks a limit (400-like).
    InvalidInput,
    /// Wrong password, bad or expired token, failed decryption (401-like).
    Unauthenticated,
    /// Authenticated, but not allowed to do this: a missing role, a
    /// resource the caller does not own (403-like).
    Forbidden,
    /// Too many attempts; retry after [`Error::retry_after`] (429-like).
    RateLimited,
    /// The server is at capacity for this work (every password-hashing
    /// slot and its wait queue taken); retry later (503-like).
    Unavailable,
}

impl ErrorKind {
    /// The HTTP status a server would usually answer with: 400, 401, 403,
    /// 429, 500 or 503.
    #[must_use]
    pub const fn http_status(self) -> u16 {
        match self {
            Self::InvalidInput => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::RateLimited => 429,
            Self::Configuration | Self::Crypto | Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }

    /// Generic, stable text for a client. See [`Error::public_message`].
    #[must_use]
    pub const fn public_message(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid request",
            Self::Unauthenticated => "invalid credentials",
            Self::Forbidden => "forbidden",
            Self::RateLimited => "too many requests",
            Self::Configuration | Self::Crypto | Self::Internal => "internal error",
            Self::Unavailable => "service busy, retry later",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Crypto => "crypto",
            Self::Configuration => "configuration",
            Self::Internal => "internal",
            Self::InvalidInput => "invalid input",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::RateLimited => "rate limited",
            Self::Unavailable => "unavailable",
        })
    }
}

/// Every failure seckit reports.
///
/// Match on [`Error::kind`] for control flow; the variants exist so logs can
/// be specific. New variants may be added in minor releases.
///
/// # Example
///
/// ```
/// use seckit::ErrorKind;
///
/// let err = seckit::random::secret(8).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidInput);
/// // Specific, for the log:
/// assert_eq!(err.to_string(), "invalid input: n_bytes.too_small (limit 16)");
/// // Generic, for the client:
/// assert_eq!(err.public_message(), "invalid request");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A deployment setting is missing, weak or unreadable.
    #[error("configuration: {setting}: {reason}{}", hint_suffix(.hint.as_deref()))]
    #[non_exhaustive]
    Configuration {
        /// The setting's name, as the application spelled it (`JWT_SECRET`).
        setting: Cow<'static, str>,
        /// What is wrong with it, in lowercase words.
        reason: &'static str,
        /// How an operator fixes it, when there is a standard fix.
        hint: Option<Cow<'static, str>>,
    },

    /// A cryptographic operation failed in a way the caller did not cause.
    #[error("crypto failure: {context}")]
    #[non_exhaustive]
    Crypto {
        /// Which operation failed.
        context: &'static str,
    },

    /// An environment failure, a bug, or stored data the server holds that
    /// does not parse (a corrupt password hash row).
    #[error("internal error: {context}{}", detail_suffix(.detail.as_ref()))]
    #[non_exhaustive]
    Internal {
        /// Which operation failed.
        context: &'static str,
        /// The rule the server's own data broke, when that is the cause
        /// (`password_hash.malformed`).
        detail: Option<Violation>,
    },

    /// The caller's data broke a rule.
    #[error("invalid input: {0}")]
    InvalidInput(Violation),

    /// The caller's data broke several rules: every one of them, each with
    /// the path of its field (`items[2].sku`). See [`Violations`].
    #[error("invalid input: {0}")]
    InvalidFields(Violations),

    /// Authenticated, but not allowed; or a browser request refused as
    /// cross-site request forgery.
    #[error("forbidden: {context}")]
    #[non_exhaustive]
    Forbidden {
        /// What was refused (`role admin required`).
        context: &'static str,
        /// Why, for code to branch on ([`Error::forbidden_reason`]).
        why: ForbiddenReason,
    },

    /// Too many attempts.
    #[error("rate limited: {context} (retry after {}s)", .retry_after.as_secs())]
    #[non_exhaustive]
    RateLimited {
        /// Which limit was hit.
        context: &'static str,
        /// How long until a retry can succeed.
        retry_after: Duration,
        /// The limiter that refused already emitted the audit event (with
        /// the limit's name), so an adapter does not emit a second one.
        audited: bool,
    },

    /// At capacity; nothing was done.
    #[error("unavailable: {context}")]
    #[non_exhaustive]
    Unavailable {
        /// Which resource is exhausted.
        context: &'static str,
    },

    /// Credentials, a token or a ciphertext did not verify.
    ///
    /// The reason is for logs and for the caller's branching
    /// ([`Error::auth_reason`]); clients get one generic message whatever
    /// check failed, so the error is no oracle.
    #[error("unauthenticated: {context}: {reason}")]
    #[non_exhaustive]
    Unauthenticated {
        /// What was being checked (`api_key`, `jwt`, ...).
        context: &'static str,
        /// Why it was refused, in lowercase words.
        reason: &'static str,
        /// Why it was refused, for code to branch on.
        why: AuthReason,
        /// The module that refused already emitted the audit event, so an
        /// adapter does not emit a second one.
        audited: bool,
    },
}

/// Why a request was refused with [`ErrorKind::Forbidden`]: the
/// application's own decision, or one of the `web` module's cross-site
/// request forgery checks.
///
/// # Example
///
/// ```
/// use seckit::ForbiddenReason;
///
/// let err = seckit::Error::forbidden("not the owner");
/// assert_eq!(err.forbidden_reason(), Some(ForbiddenReason::Denied));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForbiddenReason {
    /// The application refused (a role missing, not the owner).
    Denied,
    /// A state-changing request from another site (`Sec-Fetch-Site:
    /// cross-site`, or an `Origin` that is neither the service's nor
    /// allowed).
    CrossOrigin,
    /// A cookie-authenticated state-changing request without a CSRF token.
    CsrfTokenMissing,
    /// A CSRF token that is malformed, forged, or bound to another session.
    CsrfTokenInvalid,
    /// A new session refused because the user already has as many as the
    /// per-user cap allows (`seckit::session` with `CapPolicy::Refuse`).
    SessionLimit,
}

impl ForbiddenReason {
    /// The snake_case name, for audit events: `cross_origin`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Denied => "denied",
            Self::CrossOrigin => "cross_origin",
            Self::CsrfTokenMissing => "csrf_token_missing",
            Self::CsrfTokenInvalid => "csrf_token_invalid",
            Self::SessionLimit => "session_limit",
        }
    }

    /// Whether this is a cross-site request forgery refusal (audited as
    /// `malicious_csrf`, not `authz_fail`).
    #[must_use]
    pub const fn is_csrf(self) -> bool {
        matches!(
            self,
            Self::CrossOrigin | Self::CsrfTokenMissing | Self::CsrfTokenInvalid
        )
    }
}

/// Why credentials, a token or a ciphertext were refused: the structured
/// form of an [`ErrorKind::Unauthenticated`] error's reason, for code that
/// must act on it (refresh an expired token, refetch a JWKS on an unknown
/// key, exit 1 from a CLI) without matching message text.
///
/// For the caller only: every one of these gives the client the same
/// [`Error::public_message`].
///
/// # Example
///
/// ```
/// # #[cfg(feature = "jwt")] {
/// use seckit::AuthReason;
/// # let config = seckit::jwt::JwtConfig::from_loader(&mut seckit::config::Loader::from_vars([("JWT_SECRET", "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE=")]))?;
///
/// match config.verifier().verify::<serde_json::Value>("e30.e30.c2ln") {
///     Ok(_) => {}
///     Err(e) if e.auth_reason() == Some(AuthReason::Expired) => { /* ask for a refresh */ }
///     Err(e) if e.auth_reason() == Some(AuthReason::UnknownKey) => { /* refetch the JWKS */ }
///     Err(e) => assert_eq!(e.auth_reason(), Some(AuthReason::Malformed)),
/// }
/// # }
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthReason {
    /// A JWT whose algorithm is not the selected key's (or `none`).
    AlgorithmNotAllowed,
    /// A JWT whose signature does not verify.
    BadSignature,
    /// An envelope that does not open: wrong key or associated data,
    /// tampered, truncated, or malformed. Deliberately one reason.
    CannotOpen,
    /// A JWT past its `exp`; a session or refresh token past its idle or
    /// absolute timeout.
    Expired,
    /// A JWT whose claims are not what is required: not a JSON object,
    /// duplicate names, no `exp`, a malformed date or `aud`, or not of the
    /// caller's claims type.
    InvalidClaims,
    /// A JWT malformed before its signature could be checked: shape,
    /// encoding, header (`crit`, `b64`, `typ`, JWE, duplicates); or an
    /// `Authorization` header of the right scheme whose credential is not
    /// well-formed (two headers, not `token68`, bad Basic encoding).
    Malformed,
    /// A password or API key that does not match; a session or refresh
    /// token that is unknown, revoked or rotated away.
    Mismatch,
    /// A stored password hash without the pepper this hasher requires.
    MissingPepper,
    /// A JWT not yet valid (`nbf`, or `iat` in the future).
    NotYetValid,
    /// A JWT, or an `Authorization` header, over the size limit.
    TooLarge,
    /// A JWT whose `kid` names no configured key (or a token without `kid`
    /// where no default key is set).
    UnknownKey,
    /// A login for a user that does not exist (`dummy_verify`).
    UnknownUser,
    /// No credentials of the expected scheme: no `Authorization` header, or
    /// one of another scheme (RFC 6750 §3.1: answer with a bare challenge).
    MissingCredentials,
    /// A JWT with a missing, wrong or unexpected `aud`.
    WrongAudience,
    /// A JWT with a missing, wrong or unexpected `iss`.
    WrongIssuer,
    /// A signed message (a webhook delivery) whose timestamp is outside the
    /// tolerance, in the past or in the future; or TURN credentials past
    /// their expiry.
    TimestampOutOfRange,
    /// A signed message already accepted once (a replayed webhook
    /// delivery); a refresh token used a second time, which revokes its
    /// whole family.
    Replayed,
}

fn hint_suffix(hint: Option<&str>) -> String {
    hint.map_or_else(String::new, |h| format!(" ({h})"))
}

fn detail_suffix(detail: Option<&Violation>) -> String {
    detail.map_or_else(String::new, |v| format!(" ({v})"))
}

impl Error {
    /// The broad class of this error, for branching.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::ErrorKind;
    ///
    /// let err = seckit::random::secret(8).unwrap_err(); // under 16 bytes
    /// let status = match err.kind() {
    ///     ErrorKind::InvalidInput => 400,
    ///     ErrorKind::Unauthenticated => 401,
    ///     _ => 500,
    /// };
    /// assert_eq!(status, err.kind().http_status());
    /// ```
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Self::Configuration { .. } => ErrorKind::Configuration,
            Self::Crypto { .. } => ErrorKind::Crypto,
            Self::Internal { .. } => ErrorKind::Internal,
            Self::InvalidInput(_) | Self::InvalidFields(_) => ErrorKind::InvalidInput,
            Self::Unauthenticated { .. } => ErrorKind::Unauthenticated,
            Self::Forbidden { .. } => ErrorKind::Forbidden,
            Self::RateLimited { .. } => ErrorKind::RateLimited,
            Self::Unavailable { .. } => ErrorKind::Unavailable,
        }
    }

    /// Generic, stable text a server can send to a client as-is.
    ///
    /// It depends only on [`Error::kind`]: `"invalid request"`,
    /// `"invalid credentials"`, `"forbidden"`, `"too many requests"`,
    /// `"internal error"` or `"service busy, retry later"`.
    ///
    /// # Example
    ///
    /// ```
    /// let err = seckit::random::secret_hex(4).unwrap_err();
    /// println!("log: {err}"); // specific, for operators; never a secret or the rejected input
    /// assert_eq!(err.public_message(), "invalid request"); // generic, for the client
    /// ```
    #[must_use]
    pub const fn public_message(&self) -> &'static str {
        self.kind().public_message()
    }

    /// Why credentials were refused, when this is an
    /// [`ErrorKind::Unauthenticated`] error. See [`AuthReason`].
    #[must_use]
    pub const fn auth_reason(&self) -> Option<AuthReason> {
        match self {
            Self::Unauthenticated { why, .. } => Some(*why),
            _ => None,
        }
    }

    /// The broken rule: of an [`ErrorKind::InvalidInput`] error (the first
    /// one, for [`Error::InvalidFields`]), or of an internal error caused by
    /// the server's own stored data (`password_hash.malformed`).
    #[must_use]
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            Self::InvalidInput(v) => Some(v),
            Self::InvalidFields(v) => v.iter().next().map(|(_, v)| v),
            Self::Internal { detail, .. } => detail.as_ref(),
            _ => None,
        }
    }

    /// Every broken input rule with its field path: one for
    /// [`Error::InvalidInput`] (its field as the path), all of them for
    /// [`Error::InvalidFields`], none otherwise.
    ///
    /// # Example
    ///
    /// ```
    /// let err = seckit::random::secret(8).unwrap_err();
    /// let all: Vec<_> = err.violations().map(|(path, v)| (path.to_owned(), v.rule())).collect();
    /// assert_eq!(all, [("n_bytes".to_owned(), "too_small")]);
    /// ```
    pub fn violations(&self) -> impl Iterator<Item = (&str, &Violation)> {
        let (one, many) = match self {
            Self::InvalidInput(v) => (Some((v.field(), v)), None),
            Self::InvalidFields(all) => (None, Some(all.iter())),
            _ => (None, None),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }

    /// How long to wait before retrying, for an [`ErrorKind::RateLimited`]
    /// error.
    #[must_use]
    pub const fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// The application's own authentication failure, in seckit's shape
    /// (for example a revoked session): `context` names what was checked,
    /// `text` says why, for the log. Both are `&'static str`, so the error
    /// cannot carry the presented credential.
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::{AuthReason, Error, ErrorKind};
    ///
    /// let err = Error::unauthenticated("device", AuthReason::Mismatch, "device token does not match");
    /// assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    /// assert_eq!(err.public_message(), "invalid credentials");
    /// ```
    #[must_use]
    pub const fn unauthenticated(
        context: &'static str,
        why: AuthReason,
        text: &'static str,
    ) -> Self {
        Self::Unauthenticated {
            context,
            reason: text,
            why,
            audited: false,
        }
    }

    /// As [`Error::unauthenticated`], for a refusal whose module already
    /// emitted the audit event (the webhook verifiers).
    #[cfg_attr(not(feature = "webhook"), allow(dead_code))]
    pub(crate) const fn unauthenticated_audited(
        context: &'static str,
        why: AuthReason,
        text: &'static str,
    ) -> Self {
        Self::Unauthenticated {
            context,
            reason: text,
            why,
            audited: true,
        }
    }

    /// The application's own authorization failure (403): `context` says
    /// what was refused, for the log.
    ///
    /// # Example
    ///
    /// ```
    /// let err = seckit::Error::forbidden("role admin required");
    /// assert_eq!(err.kind().http_status(), 403);
    /// assert_eq!(err.to_string(), "forbidden: role admin required");
    /// ```
    #[must_use]
    pub const fn forbidden(context: &'static str) -> Self {
        Self::Forbidden {
            context,
            why: ForbiddenReason::Denied,
        }
    }

    /// A cross-site request forgery refusal (403).
    #[cfg_attr(not(feature = "web"), allow(dead_code))]
    pub(crate) const fn csrf(context: &'static str, why: ForbiddenReason) -> Self {
        Self::Forbidden { context, why }
    }

    /// A refusal for one of seckit's own reasons other than CSRF (403).
    #[cfg_attr(not(feature = "session"), allow(dead_code))]
    pub(crate) const fn forbidden_because(context: &'static str, why: ForbiddenReason) -> Self {
        Self::Forbidden { context, why }
    }

    /// Why a [`ErrorKind::Forbidden`] error refused, for branching; `None`
    /// for every other kind.
    #[must_use]
    pub const fn forbidden_reason(&self) -> Option<ForbiddenReason> {
        match self {
            Self::Forbidden { why, .. } => Some(*why),
            _ => None,
        }
    }

    /// A rate limit was hit; a retry can succeed after `retry_after`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// let err = seckit::Error::rate_limited("login attempts", Duration::from_secs(30));
    /// assert_eq!((err.kind().http_status(), err.retry_after()), (429, Some(Duration::from_secs(30))));
    /// ```
    #[must_use]
    pub const fn rate_limited(context: &'static str, retry_after: Duration) -> Self {
        Self::RateLimited {
            context,
            retry_after,
            audited: false,
        }
    }

    /// As [`Error::rate_limited`], for a refusal whose audit event was
    /// already emitted.
    #[cfg_attr(not(feature = "ratelimit"), allow(dead_code))]
    pub(crate) const fn rate_limited_audited(context: &'static str, retry_after: Duration) -> Self {
        Self::RateLimited {
            context,
            retry_after,
            audited: true,
        }
    }

    /// Whether the audit event for this error was already emitted by the
    /// seckit component that raised it (a rate limiter, a webhook verifier): adapters emit
    /// one only when this is `false`.
    #[must_use]
    pub const fn is_audited(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { audited: true, .. } | Self::Unauthenticated { audited: true, .. }
        )
    }

    /// The server is at capacity for `context`; nothing was done (503).
    #[must_use]
    pub const fn unavailable(context: &'static str) -> Self {
        Self::Unavailable { context }
    }

    /// The application's own input rule: `field` broke `rule` (400).
    ///
    /// # Example
    ///
    /// ```
    /// let err = seckit::Error::invalid("quantity", "zero");
    /// assert_eq!(err.violation().map(|v| v.code()).as_deref(), Some("quantity.zero"));
    /// ```
    #[must_use]
    pub const fn invalid(field: &'static str, rule: &'static str) -> Self {
        Self::InvalidInput(Violation::new(field, rule))
    }

    /// As [`Error::invalid`], naming the limit that was broken.
    #[must_use]
    pub const fn invalid_limit(field: &'static str, rule: &'static str, limit: usize) -> Self {
        Self::InvalidInput(Violation::new(field, rule).with_limit(limit))
    }

    /// A bug or an environment failure in the application (500): `context`
    /// says which operation failed, for the log.
    #[must_use]
    pub const fn internal(context: &'static str) -> Self {
        Self::Internal {
            context,
            detail: None,
        }
    }

    /// Data the server itself stored broke `detail` (a corrupt password
    /// hash): the server's fault, so internal (500), never the client's 400.
    #[cfg_attr(not(feature = "password"), allow(dead_code))]
    pub(crate) const fn corrupt_stored(context: &'static str, detail: Violation) -> Self {
        Self::Internal {
            context,
            detail: Some(detail),
        }
    }

    pub(crate) fn configuration(
        setting: impl Into<Cow<'static, str>>,
        reason: &'static str,
    ) -> Self {
        Self::Configuration {
            setting: setting.into(),
            reason,
            hint: None,
        }
    }

    pub(crate) fn with_hint(self, new_hint: impl Into<Cow<'static, str>>) -> Self {
        match self {
            Self::Configuration {
                setting, reason, ..
            } => Self::Configuration {
                setting,
                reason,
                hint: Some(new_hint.into()),
            },
            other => other,
        }
    }

    /// Renames the setting of a configuration error (a builder's
    /// `jwt.ttl` becomes the operator's `JWT_TTL_MINUTES`).
    #[cfg_attr(not(feature = "jwt"), allow(dead_code))]
    pub(crate) fn for_setting(self, name: impl Into<Cow<'static, str>>) -> Self {
        match self {
            Self::Configuration { reason, hint, .. } => Self::Configuration {
                setting: name.into(),
                reason,
                hint,
            },
            other => other,
        }
    }
}

/// One broken input rule: which field, which rule, and the limit if there is
/// one.
///
/// Its [`code`](Violation::code) (`username.too_long`) is stable and
/// machine-readable, so applications can translate messages. It never holds
/// the rejected value.
///
/// Applications may build their own, so their validators report in the same
/// shape as seckit's.
///
/// # Example
///
/// ```
/// use seckit::{Error, Violation};
///
/// let v = Violation::new("username", "too_long").with_limit(64);
/// assert_eq!(v.code(), "username.too_long");
/// assert_eq!(v.limit(), Some(64));
/// let err = Error::from(v);
/// assert_eq!(err.to_string(), "invalid input: username.too_long (limit 64)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Violation {
    field: &'static str,
    rule: &'static str,
    limit: Option<usize>,
}

impl Violation {
    /// A broken `rule` (snake_case, e.g. `too_long`) on `field`.
    #[must_use]
    pub const fn new(field: &'static str, rule: &'static str) -> Self {
        Self {
            field,
            rule,
            limit: None,
        }
    }

    /// The same violation, naming the limit that was broken.
    #[must_use]
    pub const fn with_limit(self, limit: usize) -> Self {
        Self {
            limit: Some(limit),
            ..self
        }
    }

    /// The same violation reported under another field name (a form's
    /// `contact_email` rather than the validator's `email`).
    #[must_use]
    pub const fn with_field(self, field: &'static str) -> Self {
        Self { field, ..self }
    }

    /// The field (or parameter) that was refused.
    #[must_use]
    pub const fn field(&self) -> &'static str {
        self.field
    }

    /// The rule it broke, in snake_case.
    #[must_use]
    pub const fn rule(&self) -> &'static str {
        self.rule
    }

    /// The limit that was broken, when the rule has one.
    #[must_use]
    pub const fn limit(&self) -> Option<usize> {
        self.limit
    }

    /// `field.rule`, a stable machine-readable code.
    ///
    /// # Example
    ///
    /// ```
    /// let err = seckit::random::secret(8).unwrap_err();
    /// assert_eq!(err.violation().map(|v| v.code()).as_deref(), Some("n_bytes.too_small"));
    /// assert_eq!(err.violation().and_then(|v| v.limit()), Some(16));
    /// ```
    #[must_use]
    pub fn code(&self) -> String {
        format!("{}.{}", self.field, self.rule)
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.field, self.rule)?;
        if let Some(limit) = self.limit {
            write!(f, " (limit {limit})")?;
        }
        Ok(())
    }
}

impl From<Violation> for Error {
    fn from(v: Violation) -> Self {
        Self::InvalidInput(v)
    }
}

/// Every broken rule of one request, each with the path of its field
/// (`email`, `items[2].sku`): what a validating extractor collects so a
/// client learns all its mistakes at once.
///
/// A path is built by the code that validates (field names it declares,
/// list indices); it never holds a value from the input, and neither does a
/// [`Violation`]. Map keys from the input are not paths: validate a map's
/// entries under the map's own field name.
///
/// # Example
///
/// ```
/// use seckit::{Error, Violation, Violations};
///
/// let mut all = Violations::new();
/// all.push("email", Violation::new("email", "invalid"));
/// all.push(format!("items[{}].sku", 2), Violation::new("sku", "too_long").with_limit(32));
/// let err = all.into_result().unwrap_err();
/// assert_eq!(err.to_string(), "invalid input: email: email.invalid, items[2].sku: sku.too_long (limit 32)");
/// assert_eq!(err.violations().count(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Violations {
    all: Vec<(String, Violation)>,
}

impl Violations {
    /// No violations yet.
    #[must_use]
    pub const fn new() -> Self {
        Self { all: Vec::new() }
    }

    /// Records that the field at `path` broke `violation`.
    pub fn push(&mut self, path: impl Into<String>, violation: Violation) {
        self.all.push((path.into(), violation));
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// How many rules were broken.
    #[must_use]
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Each path with its violation, in the order recorded.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Violation)> {
        self.all.iter().map(|(p, v)| (p.as_str(), v))
    }

    /// `Ok(())` when nothing was recorded; otherwise the error: one
    /// violation as [`Error::InvalidInput`] when its path is its field's
    /// name, else [`Error::InvalidFields`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when anything was recorded.
    pub fn into_result(mut self) -> Result<()> {
        match self.all.len() {
            0 => Ok(()),
            1 if self.all.first().is_some_and(|(p, v)| p == v.field()) => {
                Err(Error::InvalidInput(self.all.remove(0).1))
            }
            _ => Err(Error::InvalidFields(self)),
        }
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (path, v)) in self.all.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{path}: {v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_status_and_public_message() {
        let cases = [
            (
                Error::invalid("f", "r"),
                ErrorKind::InvalidInput,
                400,
                "invalid request",
            ),
            (
                Error::unauthenticated("api_key", AuthReason::Mismatch, "key does not match"),
                ErrorKind::Unauthenticated,
                401,
                "invalid credentials",
            ),
            (
                Error::configuration("JWT_SECRET", "not set"),
                ErrorKind::Configuration,
                500,
                "internal error",
            ),
            (
                Error::Crypto { context: "x" },
                ErrorKind::Crypto,
                500,
                "internal error",
            ),
            (
                Error::internal("x"),
                ErrorKind::Internal,
                500,
                "internal error",
            ),
            (
                Error::forbidden("role admin required"),
                ErrorKind::Forbidden,
                403,
                "forbidden",
            ),
            (
                Error::rate_limited("login", Duration::from_secs(3)),
                ErrorKind::RateLimited,
                429,
                "too many requests",
            ),
            (
                Error::unavailable("queue full"),
                ErrorKind::Unavailable,
                503,
                "service busy, retry later",
            ),
            (
                Error::corrupt_stored("stored hash", Violation::new("password_hash", "malformed")),
                ErrorKind::Internal,
                500,
                "internal error",
            ),
        ];
        for (err, kind, status, public) in cases {
            assert_eq!(err.kind(), kind);
            assert_eq!(err.kind().http_status(), status);
            assert_eq!(err.public_message(), public);
        }
    }

    #[test]
    fn display_is_specific() {
        assert_eq!(
            Error::configuration("JWT_SECRET", "not set")
                .with_hint("set JWT_SECRET or JWT_SECRET_FILE")
                .to_string(),
            "configuration: JWT_SECRET: not set (set JWT_SECRET or JWT_SECRET_FILE)"
        );
        assert_eq!(
            Error::configuration("PORT", "not set").to_string(),
            "configuration: PORT: not set"
        );
        assert_eq!(
            Error::unauthenticated("jwt", AuthReason::Expired, "token expired").to_string(),
            "unauthenticated: jwt: token expired"
        );
        assert_eq!(
            Error::invalid_limit("tag", "too_long", 32).to_string(),
            "invalid input: tag.too_long (limit 32)"
        );
        assert_eq!(
            Error::invalid("tag", "empty").to_string(),
            "invalid input: tag.empty"
        );
        assert_eq!(
            Error::internal("os random number generator failed").to_string(),
            "internal error: os random number generator failed"
        );
    }

    #[test]
    fn violations_collect_every_rule_with_its_path() {
        assert_eq!(Violations::new().into_result(), Ok(()));
        let mut one = Violations::new();
        one.push("email", Violation::new("email", "invalid"));
        // One violation at its own field stays the single-violation form.
        assert_eq!(one.into_result(), Err(Error::invalid("email", "invalid")));
        let mut many = Violations::new();
        many.push("items[0].sku", Violation::new("sku", "empty"));
        many.push("email", Violation::new("email", "invalid"));
        let e = many.into_result().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let paths: Vec<&str> = e.violations().map(|(p, _)| p).collect();
        assert_eq!(paths, ["items[0].sku", "email"]);
        assert_eq!(e.violation().map(Violation::rule), Some("empty"));
        assert_eq!(
            e.to_string(),
            "invalid input: items[0].sku: sku.empty, email: email.invalid"
        );
        assert_eq!(Error::internal("x").violations().count(), 0);
        assert_eq!(
            Error::rate_limited("x", Duration::from_secs(2)).to_string(),
            "rate limited: x (retry after 2s)"
        );
    }

    #[test]
    fn with_hint_leaves_other_kinds_alone() {
        let e = Error::internal("x").with_hint("y");
        assert_eq!(e, Error::internal("x"));
    }

    #[test]
    fn violation_accessors() {
        let e = Error::invalid_limit("n_bytes", "too_small", 16);
        let v = e.violation().unwrap();
        assert_eq!(v.field(), "n_bytes");
        assert_eq!(v.rule(), "too_small");
        assert_eq!(v.limit(), Some(16));
        assert_eq!(v.code(), "n_bytes.too_small");
        assert!(Error::internal("x").violation().is_none());
    }

    #[test]
    fn error_is_send_sync_static() {
        fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
        assert_traits::<Error>();
    }
}
