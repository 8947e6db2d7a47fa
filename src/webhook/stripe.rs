//! Stripe's `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`: HMAC-SHA256
//! over `{t}.{body}`, keyed with the endpoint secret's text (`whsec_…`,
//! used as-is, not decoded).

use std::fmt;
use std::time::Duration;

use aws_lc_rs::hmac;

use super::{Limits, MAX_SIGNATURES, Verified, mac_eq, refuse, required_header};
use crate::strength::check_named;
use crate::{AuthReason, Error, Result, SecretString};

const CONTEXT: &str = "webhook.stripe";
const STRIPE_SIGNATURE: http::HeaderName = http::HeaderName::from_static("stripe-signature");

/// Verifies Stripe webhook deliveries (and signs them, for tests and for
/// services that speak Stripe's scheme).
///
/// The timestamp is checked in both directions (Stripe's own libraries
/// only refuse the past).
#[derive(Clone)]
pub struct StripeVerifier {
    keys: Vec<hmac::Key>,
    limits: Limits,
}

impl fmt::Debug for StripeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeVerifier")
            .field("secrets", &self.keys.len())
            .field("limits", &self.limits)
            .finish()
    }
}

impl StripeVerifier {
    /// A verifier for the endpoint secret `whsec_…`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) (setting
    /// `webhook.stripe_secret`) when the secret does not start with
    /// `whsec_` or fails the weak-secret rules (at least 32 bytes).
    pub fn new(secret: &SecretString) -> Result<Self> {
        Ok(Self {
            keys: vec![key(secret)?],
            limits: Limits::default(),
        })
    }

    /// Also accepts signatures made with `secret` (Stripe's rolling of an
    /// endpoint secret keeps the old one valid for a while).
    ///
    /// # Errors
    ///
    /// As [`StripeVerifier::new`]; past [`MAX_SECRETS`](super::MAX_SECRETS).
    pub fn also(mut self, secret: &SecretString) -> Result<Self> {
        super::add_secret(&mut self.keys, || key(secret))?;
        Ok(self)
    }

    /// The timestamp tolerance (default ±5 minutes).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) outside 1 s..=1 h.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Result<Self> {
        self.limits = self.limits.with_tolerance(tolerance)?;
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

    /// The `Stripe-Signature` value for `body` at `timestamp`, signed with
    /// the first secret.
    #[must_use]
    pub fn sign(&self, timestamp: u64, body: &[u8]) -> String {
        let t = timestamp.to_string();
        let mac = self
            .keys
            .first()
            .map(|k| mac(k, t.as_bytes(), body))
            .map(|tag| base16ct::lower::encode_string(tag.as_ref()))
            .unwrap_or_default();
        format!("t={t},v1={mac}")
    }

    /// Verifies at the current time.
    ///
    /// # Errors
    ///
    /// As [`StripeVerifier::verify_at`].
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Verified> {
        self.verify_at(headers, body, super::now_unix())
    }

    /// Verifies the `Stripe-Signature` header and `body` as of `now`.
    /// The [`Verified::id`] is the hex of the signature that matched.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind), audited:
    /// [`AuthReason::TooLarge`], [`AuthReason::Malformed`] (no header, no or
    /// two `t=`, no well-formed `v1=`), [`AuthReason::TimestampOutOfRange`],
    /// [`AuthReason::BadSignature`].
    pub fn verify_at(&self, headers: &http::HeaderMap, body: &[u8], now: u64) -> Result<Verified> {
        self.limits.check_body(CONTEXT, body)?;
        let header = required_header(
            CONTEXT,
            headers,
            &STRIPE_SIGNATURE,
            "no Stripe-Signature header",
        )?;
        self.verify_header(header, body, now)
    }

    /// [`StripeVerifier::verify_at`] on the header's value.
    ///
    /// # Errors
    ///
    /// As [`StripeVerifier::verify_at`].
    pub fn verify_header(&self, header: &[u8], body: &[u8], now: u64) -> Result<Verified> {
        self.limits.check_body(CONTEXT, body)?;
        if header.len() > super::MAX_HEADER_LEN {
            return Err(refuse(
                CONTEXT,
                AuthReason::TooLarge,
                "header over the size limit",
            ));
        }
        let malformed = |text| refuse(CONTEXT, AuthReason::Malformed, text);
        let mut t: Option<&[u8]> = None;
        let mut candidates: Vec<[u8; 32]> = Vec::new();
        for item in header.split(|b| *b == b',') {
            let Some(eq) = item.iter().position(|b| *b == b'=') else {
                return Err(malformed("Stripe-Signature item without ="));
            };
            let (name, value) = (
                item.get(..eq).unwrap_or_default(),
                item.get(eq.saturating_add(1)..).unwrap_or_default(),
            );
            match name {
                b"t" if t.replace(value).is_some() => {
                    return Err(malformed("Stripe-Signature has two t="));
                }
                b"v1" if candidates.len() < MAX_SIGNATURES => {
                    let mut sig = [0u8; 32];
                    if value.len() == 64 && base16ct::mixed::decode(value, &mut sig).is_ok() {
                        candidates.push(sig);
                    }
                }
                _ => {} // v0 (test mode's legacy scheme) and future schemes
            }
        }
        let t = t.ok_or_else(|| malformed("Stripe-Signature has no t="))?;
        let ts = super::parse_timestamp(t)
            .ok_or_else(|| malformed("Stripe-Signature t= is not a decimal Unix time"))?;
        if candidates.is_empty() {
            return Err(malformed("Stripe-Signature has no v1 signature"));
        }
        self.limits.check_time(CONTEXT, ts, now)?;
        let mut matched: Option<[u8; 32]> = None;
        for key in &self.keys {
            let expected = mac(key, t, body);
            for candidate in &candidates {
                if mac_eq(expected.as_ref(), candidate) && matched.is_none() {
                    matched = Some(*candidate);
                }
            }
        }
        match matched {
            Some(sig) => {
                let mut hex = [0u8; 64];
                let hex = base16ct::lower::encode(&sig, &mut hex).unwrap_or_default();
                Ok(Verified::new(hex, Some(ts)))
            }
            None => Err(refuse(
                CONTEXT,
                AuthReason::BadSignature,
                "no signature matches",
            )),
        }
    }
}

fn key(secret: &SecretString) -> Result<hmac::Key> {
    let text = secret.expose_secret();
    if !text.starts_with("whsec_") {
        return Err(Error::configuration(
            "webhook.stripe_secret",
            "does not start with whsec_ (the endpoint's signing secret)",
        ));
    }
    check_named(text.as_bytes(), 32, "webhook.stripe_secret")?;
    Ok(hmac::Key::new(hmac::HMAC_SHA256, text.as_bytes()))
}

fn mac(key: &hmac::Key, t: &[u8], body: &[u8]) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(t);
    ctx.update(b".");
    ctx.update(body);
    ctx.sign()
}
