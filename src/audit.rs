//! Security events in the [OWASP Logging Vocabulary]: who failed to log in,
//! which token was refused, which rule an input broke, from where.
//!
//! An [`Event`] has a kind from the vocabulary and typed fields only: a user
//! id, a source IP, a route, and a reason that is a `&'static str` seckit
//! or the application wrote. There is no free-text field, so a password, a
//! token or the rejected input cannot be put into an event by accident; the
//! two string fields (user id, route) have control characters (CR, LF, ANSI
//! escapes) removed and are cut at 128 characters, so an attacker-chosen
//! user name cannot forge a second log line.
//!
//! With the `tracing` feature, [`Event::emit`] records the event through
//! [`tracing`](https://docs.rs/tracing) under the target `seckit::audit`
//! (failures at `WARN`, successes at `INFO`), with the fields `event`,
//! `user`, `source_ip`, `route` and `reason`; route them to your security
//! log with a target filter. Without the feature, `emit` does nothing. The
//! `axum` adapter emits an event for every failed authentication,
//! authorization and validation it answers.
//!
//! Log the user id of an *existing* account only: a login for an unknown
//! user name should carry no user, because people type their password into
//! the user name field.
//!
//! [OWASP Logging Vocabulary]: https://cheatsheetseries.owasp.org/cheatsheets/Logging_Vocabulary_Cheat_Sheet.html
//!
//! # Example
//!
//! ```
//! use seckit::audit::{Event, EventKind};
//!
//! let event = Event::new(EventKind::AuthnLoginFail)
//!     .user("user-42\r\nforged line")
//!     .source_ip("203.0.113.9".parse().unwrap())
//!     .route("/login")
//!     .reason("mismatch");
//! assert_eq!(event.to_string(), "authn_login_fail:user-42forged line reason=mismatch ip=203.0.113.9 route=/login");
//! event.emit(); // through tracing, target seckit::audit, when the feature is on
//! ```

use std::fmt;
use std::net::IpAddr;

/// The longest user id or route kept, in characters.
pub const MAX_FIELD_CHARS: usize = 128;

/// An event type of the OWASP Logging Vocabulary (and two seckit adds for
/// what the vocabulary has no word for: `authn_token_invalid` and
/// `sys_crypto_fail`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// `authn_login_success`: a successful login.
    AuthnLoginSuccess,
    /// `authn_login_successafterfail`: a login after failed attempts.
    AuthnLoginSuccessAfterFail,
    /// `authn_login_fail`: a failed login (wrong password, unknown user).
    AuthnLoginFail,
    /// `authn_login_fail_max`: the failure limit for an account was reached.
    AuthnLoginFailMax,
    /// `authn_login_lock`: an account was locked.
    AuthnLoginLock,
    /// `authn_password_change`: a password was changed.
    AuthnPasswordChange,
    /// `authn_password_change_fail`: a password change was refused.
    AuthnPasswordChangeFail,
    /// `authn_token_created`: a token (API key, device token) was issued.
    AuthnTokenCreated,
    /// `authn_token_revoked`: a token was revoked.
    AuthnTokenRevoked,
    /// `authn_token_reuse`: a revoked or rotated token was presented again.
    AuthnTokenReuse,
    /// `authn_token_invalid`: a bearer token, API key or device token that
    /// did not verify (seckit's addition).
    AuthnTokenInvalid,
    /// `authz_fail`: an authenticated caller was refused (403).
    AuthzFail,
    /// `authz_change`: a user's permissions changed.
    AuthzChange,
    /// `authz_admin`: an administrative action.
    AuthzAdmin,
    /// `excess_rate_limit_exceeded`: a rate limit was hit.
    ExcessRateLimitExceeded,
    /// `input_validation_fail`: a request broke an input rule.
    InputValidationFail,
    /// `malicious_direct_reference`: a caller asked for an object that is
    /// not theirs.
    MaliciousDirectReference,
    /// `malicious_csrf`: a state-changing browser request refused as
    /// cross-site request forgery (seckit's addition; the vocabulary's
    /// `malicious_*` family has no CSRF entry).
    MaliciousCsrf,
    /// `session_created`: a session began.
    SessionCreated,
    /// `session_renewed`: a session was renewed.
    SessionRenewed,
    /// `session_expired`: a session expired.
    SessionExpired,
    /// `session_use_after_expire`: an expired session was presented.
    SessionUseAfterExpire,
    /// `sys_crypto_fail`: a cryptographic operation failed unexpectedly
    /// (seckit's addition).
    SysCryptoFail,
    /// `sys_monitor_disabled`: a security control did not run (a rate
    /// limit decided without its shared store).
    SysMonitorDisabled,
    /// `sys_startup`: the service started.
    SysStartup,
    /// `sys_shutdown`: the service stopped.
    SysShutdown,
    /// `user_created`: an account was created.
    UserCreated,
    /// `user_deleted`: an account was deleted.
    UserDeleted,
}

impl EventKind {
    /// The vocabulary's name: `authn_login_fail`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AuthnLoginSuccess => "authn_login_success",
            Self::AuthnLoginSuccessAfterFail => "authn_login_successafterfail",
            Self::AuthnLoginFail => "authn_login_fail",
            Self::AuthnLoginFailMax => "authn_login_fail_max",
            Self::AuthnLoginLock => "authn_login_lock",
            Self::AuthnPasswordChange => "authn_password_change",
            Self::AuthnPasswordChangeFail => "authn_password_change_fail",
            Self::AuthnTokenCreated => "authn_token_created",
            Self::AuthnTokenRevoked => "authn_token_revoked",
            Self::AuthnTokenReuse => "authn_token_reuse",
            Self::AuthnTokenInvalid => "authn_token_invalid",
            Self::AuthzFail => "authz_fail",
            Self::AuthzChange => "authz_change",
            Self::AuthzAdmin => "authz_admin",
            Self::ExcessRateLimitExceeded => "excess_rate_limit_exceeded",
            Self::InputValidationFail => "input_validation_fail",
            Self::MaliciousDirectReference => "malicious_direct_reference",
            Self::MaliciousCsrf => "malicious_csrf",
            Self::SessionCreated => "session_created",
            Self::SessionRenewed => "session_renewed",
            Self::SessionExpired => "session_expired",
            Self::SessionUseAfterExpire => "session_use_after_expire",
            Self::SysCryptoFail => "sys_crypto_fail",
            Self::SysMonitorDisabled => "sys_monitor_disabled",
            Self::SysStartup => "sys_startup",
            Self::SysShutdown => "sys_shutdown",
            Self::UserCreated => "user_created",
            Self::UserDeleted => "user_deleted",
        }
    }

    /// Whether the event reports something refused or failed (logged at
    /// `WARN`) rather than something done (`INFO`).
    #[must_use]
    pub const fn is_failure(self) -> bool {
        matches!(
            self,
            Self::AuthnLoginFail
                | Self::AuthnLoginFailMax
                | Self::AuthnLoginLock
                | Self::AuthnPasswordChangeFail
                | Self::AuthnTokenReuse
                | Self::AuthnTokenInvalid
                | Self::AuthzFail
                | Self::ExcessRateLimitExceeded
                | Self::InputValidationFail
                | Self::MaliciousDirectReference
                | Self::MaliciousCsrf
                | Self::SessionUseAfterExpire
                | Self::SysCryptoFail
                | Self::SysMonitorDisabled
        )
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One security event. Build it, then [`emit`](Event::emit) it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an event does nothing until emitted"]
pub struct Event {
    kind: EventKind,
    user: Option<String>,
    source_ip: Option<IpAddr>,
    route: Option<String>,
    reason: Option<&'static str>,
    limit: Option<&'static str>,
}

impl Event {
    /// An event of `kind` with no fields yet.
    pub const fn new(kind: EventKind) -> Self {
        Self {
            kind,
            user: None,
            source_ip: None,
            route: None,
            reason: None,
            limit: None,
        }
    }

    /// The user id the event is about (an existing account's id, never a
    /// name typed at a failed login). Control characters are removed and
    /// the id is cut at [`MAX_FIELD_CHARS`].
    pub fn user(mut self, user_id: &str) -> Self {
        self.user = Some(clean(user_id));
        self
    }

    /// Where the request came from.
    pub const fn source_ip(mut self, ip: IpAddr) -> Self {
        self.source_ip = Some(ip);
        self
    }

    /// The route template (`/notes/{id}`, not the request path, which
    /// carries input). Cleaned as [`Event::user`].
    pub fn route(mut self, route: &str) -> Self {
        self.route = Some(clean(route));
        self
    }

    /// A short machine-readable reason (`expired`, `mismatch`,
    /// `email.invalid`): static text only.
    pub const fn reason(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }

    /// The event's kind.
    #[must_use]
    pub const fn kind(&self) -> EventKind {
        self.kind
    }

    /// The cleaned user id, if set.
    #[must_use]
    pub fn user_id(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The source IP, if set.
    #[must_use]
    pub const fn ip(&self) -> Option<IpAddr> {
        self.source_ip
    }

    /// The cleaned route, if set.
    #[must_use]
    pub fn route_template(&self) -> Option<&str> {
        self.route.as_deref()
    }

    /// The reason, if set.
    #[must_use]
    pub const fn reason_code(&self) -> Option<&'static str> {
        self.reason
    }

    /// Which limit was hit or bypassed (a rate limiter's name, `api`,
    /// `login-ip`): static text only.
    pub const fn limit(mut self, limit: &'static str) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The limit, if set.
    #[must_use]
    pub const fn limit_name(&self) -> Option<&'static str> {
        self.limit
    }

    /// Records the event: through `tracing` (target `seckit::audit`,
    /// `WARN` for failures, `INFO` otherwise) with the `tracing` feature;
    /// nothing without it.
    pub fn emit(&self) {
        #[cfg(feature = "tracing")]
        {
            let ip = self.source_ip.map(|ip| ip.to_string());
            macro_rules! at {
                ($level:expr) => {
                    tracing::event!(
                        target: "seckit::audit",
                        $level,
                        event = self.kind.as_str(),
                        user = self.user.as_deref(),
                        source_ip = ip.as_deref(),
                        route = self.route.as_deref(),
                        reason = self.reason,
                        limit = self.limit,
                        "{self}"
                    )
                };
            }
            if self.kind.is_failure() {
                at!(tracing::Level::WARN);
            } else {
                at!(tracing::Level::INFO);
            }
        }
    }
}

/// `kind:user reason=… ip=… route=…`, the vocabulary's `event:args` form
/// followed by the fields that are set.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(user) = &self.user {
            write!(f, ":{user}")?;
        }
        if let Some(reason) = self.reason {
            write!(f, " reason={reason}")?;
        }
        if let Some(limit) = self.limit {
            write!(f, " limit={limit}")?;
        }
        if let Some(ip) = self.source_ip {
            write!(f, " ip={ip}")?;
        }
        if let Some(route) = &self.route {
            write!(f, " route={route}")?;
        }
        Ok(())
    }
}

/// Drops control characters (C0, DEL, C1: CR, LF, ESC …) and cuts at
/// [`MAX_FIELD_CHARS`].
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(MAX_FIELD_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_cleaned_and_bounded() {
        let e = Event::new(EventKind::AuthzFail)
            .user("a\r\nb\u{1b}[31mc\u{85}d")
            .route(&"r".repeat(500));
        assert_eq!(e.user_id(), Some("ab[31mcd"));
        assert_eq!(e.route_template().map(str::len), Some(MAX_FIELD_CHARS));
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn names_follow_the_vocabulary() {
        assert_eq!(EventKind::AuthnLoginFail.as_str(), "authn_login_fail");
        assert_eq!(
            EventKind::ExcessRateLimitExceeded.to_string(),
            "excess_rate_limit_exceeded"
        );
        assert!(EventKind::AuthnTokenInvalid.is_failure());
        assert!(!EventKind::AuthnLoginSuccess.is_failure());
    }
}
