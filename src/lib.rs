//! # seckit
//!
//! Security primitives for backend services, with the safe choice as the easy
//! one: every default is the one a security reviewer would pick, every
//! mistake is refused loudly and early, and nothing secret reaches a log.
//!
//! All modules share one error type, [`Error`]: branch on [`Error::kind`],
//! log its `Display` (specific, never secret), and send clients
//! [`Error::public_message`] (generic, stable).
//!
//! ## For X, use Y
//!
//! | you need to… | use | feature |
//! |---|---|---|
//! | hold a password, key or token so it never prints and is wiped | [`Secret`], [`SecretString`], [`SecretBytes`] | always |
//! | log a token, DSN or config map | [`mask`] | always |
//! | read a secret from `NAME_FILE` or `NAME`, and log where each setting came from | [`config::Loader`] | always |
//! | generate a secret, a session id, an API key stored as a hash | [`random`] | always |
//! | hash and verify passwords (Argon2id, bcrypt migration), check new passwords | [`password`] | `password` |
//! | issue and verify JWTs, refusing weak secrets at startup; parse `Authorization: Bearer` | [`jwt`] | `jwt` |
//! | encrypt to a public key (RSA-OAEP + AES-256-GCM), files of any size, key rotation | [`envelope`] | `envelope` |
//! | refuse hostile input at the edge: usernames, e-mail, text, paths, SQL names, headers, origins | [`validate`] | `validate` |
//! | record security events (failed logins, refused tokens) without secrets | [`audit`] | always; `tracing` to record |
//! | hash passwords in an async server without unbounded memory | `password::AsyncHasher` | `tokio` |
//! | error responses, Bearer/Basic extractors and validated JSON in axum | `seckit::axum` | `axum` |
//! | find the client's IP behind your proxies only, group IPv6 by /64; tell HTTPS behind them | `net` | `ratelimit` or `web` |
//! | rate limits (GCRA), bans, login lockout; in process or shared on Redis | `ratelimit` | `ratelimit`, `redis` |
//! | refuse CSRF (Fetch Metadata + session-bound tokens), send security headers with CSP nonces, build `__Host-` cookies, CORS | `web` | `web` |
//! | server-side sessions and rotating refresh tokens: hashed at rest, idle and absolute timeouts, reuse detection, log out everywhere, per-user caps; memory, SQLite or Redis | `session` | `session` (`redis`) |
//!
//! ## Secrets
//!
//! ```
//! use seckit::SecretString;
//!
//! let password = SecretString::from("correct horse battery staple"); // sample value
//! assert_eq!(format!("{password:?}"), "Secret([REDACTED])");
//! assert!(password == "correct horse battery staple"); // constant-time
//! ```
//!
//! ## Configuration read fail-fast, reported masked
//!
//! ```
//! use seckit::config::Loader;
//!
//! let mut cfg = Loader::from_vars([("DATABASE_URL", "postgres://app:sample-pw@db/app")]);
//! let db = cfg.required_value("DATABASE_URL")?;
//! let missing = cfg.required_secret("JWT_SECRET").unwrap_err();
//! assert_eq!(
//!     missing.to_string(),
//!     "configuration: JWT_SECRET: not set (set JWT_SECRET, or JWT_SECRET_FILE to the path of a file holding it)"
//! );
//! assert_eq!(cfg.report().to_string(), "DATABASE_URL=postgres://app:***@db/app (env), JWT_SECRET (unset)");
//! # Ok::<(), seckit::Error>(())
//! ```
//!
//! ## Random secrets and API keys
//!
//! ```
//! use seckit::random::{self, ApiKey};
//!
//! let secret = random::secret(32)?; // 256-bit, base64url
//! let (key, stored_hash) = ApiKey::generate("sk_live")?.into_parts();
//! ApiKey::verify(key.expose_secret(), &stored_hash)?;
//! # Ok::<(), seckit::Error>(())
//! ```
//!
//! ## Passwords
//!
//! ```
//! # #[cfg(feature = "password")] {
//! use seckit::password::PasswordHasher;
//!
//! let hasher = PasswordHasher::new(); // Argon2id, OWASP parameters
//! let stored = hasher.hash(&"sample passphrase".into())?;
//! let verified = hasher.verify_and_upgrade(&"sample passphrase".into(), &stored)?;
//! assert!(verified.rehash().is_none()); // already current
//! # }
//! # Ok::<(), seckit::Error>(())
//! ```
//!
//! ## Tokens
//!
//! ```
//! # #[cfg(feature = "jwt")] {
//! use seckit::jwt::JwtConfig;
//!
//! # let mut env = seckit::config::Loader::from_vars([("JWT_SECRET", "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE=")]);
//! # let config = JwtConfig::from_loader(&mut env)?;
//! // let config = JwtConfig::from_env()?; // JWT_SECRET=changeme stops the service here
//! let token = config.issuer()?.issue_for("user-42", &serde_json::json!({"role": "admin"}))?;
//! let verified = config.verifier().verify::<serde_json::Value>(&token)?;
//! assert_eq!(verified.claims["role"], "admin");
//! # }
//! # Ok::<(), seckit::Error>(())
//! ```
//!
//! ## Envelopes
//!
//! ```
//! # #[cfg(feature = "envelope-core")] {
//! use seckit::envelope::{self, Keyring, PrivateKey, PublicKey};
//!
//! let public = PublicKey::from_pem(include_str!("../tests/fixtures/envelope/rsa3072-public.pem"))?;
//! let sealed = envelope::seal(&[&public], b"card 4242", b"customer:42")?; // ad binds, not stored
//! # let pem = seckit::SecretString::from(include_str!("../tests/fixtures/envelope/rsa3072-private.pem"));
//! let keyring = Keyring::from(PrivateKey::from_pem(&pem, None)?);
//! assert!(envelope::open(&keyring, &sealed, b"customer:42")? == b"card 4242".as_slice());
//! # }
//! # Ok::<(), seckit::Error>(())
//! ```
//!
//! ## Input
//!
//! ```
//! # #[cfg(feature = "validate")] {
//! use seckit::validate::{Email, SqlIdentifier, safe_join};
//!
//! let email = Email::parse("Ada@Example.ORG")?;          // "Ada@example.org"
//! let column = SqlIdentifier::parse("created_at")?;      // for ORDER BY, never for values
//! assert!(safe_join("/srv/uploads".as_ref(), "../etc/passwd").is_err());
//! # let _ = (email, column);
//! # }
//! # Ok::<(), seckit::Error>(())
//! ```
//!
//! ## Features
//!
//! `default = ["password", "jwt", "envelope", "validate", "serde"]`. Each
//! module is one feature and pulls only its own dependencies; `serde` adds
//! `Deserialize` for secrets (and `Serialize` only by explicit opt-in); `cli`
//! builds the `seckit` command-line tool (docs/cli.md).
//!
//! ## What seckit does not do
//!
//! TLS, CORS, authorization decisions and session storage are the
//! application's. See `docs/threat-model.md` for assets, attackers and
//! each module's guarantees.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// docs.rs builds with `--cfg docsrs` (Cargo.toml) and labels each gated
// item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
// Overflow in library code is a bug class, not a style point (a sealer once
// underflowed `chunk_len - buf.len()` after a failed write): every `+ - *`
// is checked, saturating, or allowed locally with the reason it cannot
// overflow. Tests may count freely.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

mod error;
#[cfg(any(feature = "jwt", feature = "validate"))]
mod http_auth;
#[cfg(any(feature = "validate", feature = "web"))]
mod origin;
#[cfg(any(feature = "jwt", feature = "envelope-core"))]
mod pem_util;
mod secret;
#[cfg(feature = "serde")]
mod serde_safe;

pub mod audit;
pub mod random;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

#[cfg(feature = "envelope-core")]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "envelope", feature = "envelope-rustcrypto")))
)]
pub mod envelope;

#[cfg(all(
    feature = "envelope-core",
    not(feature = "envelope"),
    not(feature = "envelope-rustcrypto")
))]
compile_error!(
    "feature `envelope-core` has no backend: enable `envelope` (aws-lc-rs) or `envelope-rustcrypto` (pure Rust)"
);
#[cfg(feature = "jwt")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwt")))]
pub mod jwt;
#[cfg(any(feature = "ratelimit", feature = "web"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "ratelimit", feature = "web"))))]
pub mod net;
#[cfg(feature = "password")]
#[cfg_attr(docsrs, doc(cfg(feature = "password")))]
pub mod password;
#[cfg(feature = "ratelimit")]
#[cfg_attr(docsrs, doc(cfg(feature = "ratelimit")))]
pub mod ratelimit;
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
pub mod session;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod store;
#[cfg(feature = "validate")]
#[cfg_attr(docsrs, doc(cfg(feature = "validate")))]
pub mod validate;
#[cfg(feature = "web")]
#[cfg_attr(docsrs, doc(cfg(feature = "web")))]
pub mod web;
#[cfg(feature = "webhook")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
pub mod webhook;

pub use error::{AuthReason, Error, ErrorKind, ForbiddenReason, Result, Violation, Violations};

/// The README's code blocks, compiled as doctests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// docs/secrets.md's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/secrets.md")]
pub struct SecretsGuideDoctests;

/// docs/jwt.md's code blocks, compiled and run as doctests.
#[cfg(all(doctest, feature = "jwt"))]
#[doc = include_str!("../docs/jwt.md")]
pub struct JwtGuideDoctests;

/// docs/validation.md's code blocks, compiled and run as doctests.
#[cfg(all(doctest, feature = "validate", feature = "serde"))]
#[doc = include_str!("../docs/validation.md")]
pub struct ValidationGuideDoctests;

/// docs/envelope.md's code blocks, compiled and run as doctests.
#[cfg(all(doctest, feature = "envelope-core"))]
#[doc = include_str!("../docs/envelope.md")]
pub struct EnvelopeGuideDoctests;

/// docs/passwords.md's code blocks, compiled and run as doctests.
#[cfg(all(doctest, feature = "password"))]
#[doc = include_str!("../docs/passwords.md")]
pub struct PasswordsGuideDoctests;

/// docs/ratelimit.md's code blocks, compiled and run as doctests.
#[cfg(all(doctest, feature = "ratelimit"))]
#[doc = include_str!("../docs/ratelimit.md")]
pub struct RatelimitGuideDoctests;

/// docs/webhooks.md's code blocks, compiled and run as doctests.
#[cfg(all(doctest, feature = "webhook", feature = "validate"))]
#[doc = include_str!("../docs/webhooks.md")]
pub struct WebhooksGuideDoctests;

/// docs/sessions.md's code blocks, compiled and run as doctests.
#[cfg(all(doctest, feature = "session", feature = "axum", feature = "web"))]
#[doc = include_str!("../docs/sessions.md")]
pub struct SessionsGuideDoctests;

/// docs/web-security.md's code blocks, compiled and run as doctests.
#[cfg(all(doctest, feature = "web", feature = "axum"))]
#[doc = include_str!("../docs/web-security.md")]
pub struct WebSecurityGuideDoctests;

pub use secret::{Secret, SecretBytes, SecretString, config, mask, strength};
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub use secret::{SerializableSecret, serialize_exposed};
/// The `zeroize` crate `Secret<T>` is built on, re-exported so your own
/// secret types implement the same `Zeroize` trait version.
pub use zeroize;
