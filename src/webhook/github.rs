//! GitHub's `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 over the body
//! alone, keyed with the webhook's secret text.

use std::fmt;

use aws_lc_rs::hmac;

use super::{Limits, Verified, mac_eq, refuse, required_header};
use crate::strength::check_named;
use crate::{AuthReason, Result, SecretString};

const CONTEXT: &str = "webhook.github";
const HUB_SIGNATURE: http::HeaderName = http::HeaderName::from_static("x-hub-signature-256");

/// Verifies GitHub webhook deliveries (and signs them, for tests).
///
/// GitHub signs the body only: there is no timestamp, so a captured
/// delivery verifies forever. A [`ReplayGuard`](super::ReplayGuard)
/// remembers each accepted signature for its window (the tolerance);
/// GitHub's unsigned `X-GitHub-Delivery` id cannot be trusted for that.
#[derive(Clone)]
pub struct GithubVerifier {
    keys: Vec<hmac::Key>,
    limits: Limits,
}

impl fmt::Debug for GithubVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubVerifier")
            .field("secrets", &self.keys.len())
            .field("limits", &self.limits)
            .finish()
    }
}

impl GithubVerifier {
    /// A verifier for the webhook's secret.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) (setting
    /// `webhook.github_secret`) when the secret fails the weak-secret
    /// rules (at least 32 bytes: make it with `seckit secret generate`).
    pub fn new(secret: &SecretString) -> Result<Self> {
        Ok(Self {
            keys: vec![key(secret)?],
            limits: Limits::default(),
        })
    }

    /// Also accepts signatures made with `secret` (rotation).
    ///
    /// # Errors
    ///
    /// As [`GithubVerifier::new`]; past [`MAX_SECRETS`](super::MAX_SECRETS).
    pub fn also(mut self, secret: &SecretString) -> Result<Self> {
        super::add_secret(&mut self.keys, || key(secret))?;
        Ok(self)
    }

    /// The body cap (default 1 MiB).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for 0 or over 64 MiB.
    pub fn with_max_body(mut self, max_body: usize) -> Result<Self> {
        self.limits = self.limits.with_max_body(max_body)?;
        Ok(self)
    }

    /// The `X-Hub-Signature-256` value for `body`, signed with the first
    /// secret.
    #[must_use]
    pub fn sign(&self, body: &[u8]) -> String {
        let mac = self
            .keys
            .first()
            .map(|k| base16ct::lower::encode_string(hmac::sign(k, body).as_ref()))
            .unwrap_or_default();
        format!("sha256={mac}")
    }

    /// Verifies the `X-Hub-Signature-256` header against `body`. The
    /// [`Verified::id`] is the signature's hex; there is no timestamp.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind), audited:
    /// [`AuthReason::TooLarge`], [`AuthReason::Malformed`] (no or repeated
    /// header, not `sha256=` and 64 hex digits), [`AuthReason::BadSignature`].
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Verified> {
        self.limits.check_body(CONTEXT, body)?;
        let header = required_header(
            CONTEXT,
            headers,
            &HUB_SIGNATURE,
            "no X-Hub-Signature-256 header",
        )?;
        self.verify_header(header, body)
    }

    /// [`GithubVerifier::verify`] on the header's value.
    ///
    /// # Errors
    ///
    /// As [`GithubVerifier::verify`].
    pub fn verify_header(&self, header: &[u8], body: &[u8]) -> Result<Verified> {
        self.limits.check_body(CONTEXT, body)?;
        let mut sig = [0u8; 32];
        let hex = header.strip_prefix(b"sha256=").unwrap_or_default();
        if hex.len() != 64 || base16ct::mixed::decode(hex, &mut sig).is_err() {
            return Err(refuse(
                CONTEXT,
                AuthReason::Malformed,
                "X-Hub-Signature-256 is not sha256= and 64 hex digits",
            ));
        }
        let mut ok = false;
        for key in &self.keys {
            ok |= mac_eq(hmac::sign(key, body).as_ref(), &sig);
        }
        if !ok {
            return Err(refuse(
                CONTEXT,
                AuthReason::BadSignature,
                "signature does not match",
            ));
        }
        let mut hex = [0u8; 64];
        let hex = base16ct::lower::encode(&sig, &mut hex).unwrap_or_default();
        Ok(Verified::new(hex, None))
    }
}

fn key(secret: &SecretString) -> Result<hmac::Key> {
    let text = secret.expose_secret().as_bytes();
    check_named(text, 32, "webhook.github_secret")?;
    Ok(hmac::Key::new(hmac::HMAC_SHA256, text))
}
