//! Standard Webhooks (standard-webhooks.com, the scheme of Svix and
//! others): `webhook-id`, `webhook-timestamp` and `webhook-signature`
//! headers; HMAC-SHA256 over `{id}.{timestamp}.{body}`; signatures
//! `v1,<base64>`, space-separated.

use std::fmt;
use std::time::Duration;

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{Limits, MAX_SIGNATURES, Verified, mac_eq, refuse, required_header};
use crate::strength::{SecretEncoding, check_with_floor, decode_secret};
use crate::{AuthReason, Error, Result, SecretString};

/// The shortest secret the spec allows: 24 bytes (192 bits).
pub const MIN_SECRET_BYTES: usize = 24;
/// The longest secret accepted: 64 bytes (the spec allows more; 64 is the
/// HMAC-SHA256 block, beyond which a key is hashed first).
pub const MAX_SECRET_BYTES: usize = 64;
/// The longest `webhook-id` signed or accepted: 256 bytes.
pub const MAX_ID_LEN: usize = 256;

const CONTEXT: &str = "webhook";
// Names built once: a `&str` lookup would parse the name on every call.
const WEBHOOK_ID: http::HeaderName = http::HeaderName::from_static("webhook-id");
const WEBHOOK_TIMESTAMP: http::HeaderName = http::HeaderName::from_static("webhook-timestamp");
const WEBHOOK_SIGNATURE: http::HeaderName = http::HeaderName::from_static("webhook-signature");
const PREFIX: &str = "whsec_";

/// A Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64
/// bytes, which must also pass seckit's weak-secret rules (no placeholder,
/// no repeated pattern, at least 8 distinct byte values). Debug never shows
/// it.
#[derive(Clone)]
pub struct StandardSecret {
    key: hmac::Key,
}

impl fmt::Debug for StandardSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StandardSecret([REDACTED])")
    }
}

impl StandardSecret {
    /// Parses `whsec_<base64>` (standard alphabet, padding optional).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) naming the setting
    /// `webhook.secret`: no `whsec_` prefix, not base64, outside 24..=64
    /// bytes, or weak. Never quotes the secret.
    pub fn parse(text: &SecretString) -> Result<Self> {
        let body = text.expose_secret().strip_prefix(PREFIX).ok_or_else(|| {
            Error::configuration("webhook.secret", "does not start with whsec_").with_hint(HINT)
        })?;
        let bytes =
            decode_secret(&SecretString::from(body), SecretEncoding::Base64).map_err(|_| {
                Error::configuration("webhook.secret", "is not whsec_ followed by base64")
                    .with_hint(HINT)
            })?;
        let raw = bytes.expose_secret();
        if raw.len() < MIN_SECRET_BYTES || raw.len() > MAX_SECRET_BYTES {
            return Err(
                Error::configuration("webhook.secret", "must decode to 24 to 64 bytes")
                    .with_hint(HINT),
            );
        }
        check_with_floor(raw, MIN_SECRET_BYTES, "webhook.secret").map_err(|e| e.with_hint(HINT))?;
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, raw),
        })
    }

    /// A new secret of 32 bytes from the OS generator.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) when the OS generator fails.
    pub fn generate() -> Result<Self> {
        Self::parse(&Self::generate_text()?)
    }

    /// A new secret's text, `whsec_` and the base64 of 32 random bytes, to
    /// hand to the receiving side.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) when the OS generator fails.
    pub fn generate_text() -> Result<SecretString> {
        let bytes = crate::random::secret_bytes(32)?;
        Ok(SecretString::from(format!(
            "{PREFIX}{}",
            STANDARD.encode(bytes.expose_secret())
        )))
    }

    /// The MAC of `{id}.{timestamp}.{body}`, without copying the body.
    fn mac(&self, id: &[u8], timestamp: &[u8], body: &[u8]) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(id);
        ctx.update(b".");
        ctx.update(timestamp);
        ctx.update(b".");
        ctx.update(body);
        ctx.sign()
    }
}

const HINT: &str =
    "use the whsec_ secret the sender shows, or make one with `StandardSecret::generate_text()`";

/// The three headers of one signed delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`, Unix seconds.
    pub timestamp: u64,
    /// `webhook-signature`: `v1,<base64>`, one per signing secret.
    pub signature: String,
}

impl SignedHeaders {
    /// The headers as `(name, value)` pairs, in the spec's order.
    #[must_use]
    pub fn pairs(&self) -> [(&'static str, String); 3] {
        [
            ("webhook-id", self.id.clone()),
            ("webhook-timestamp", self.timestamp.to_string()),
            ("webhook-signature", self.signature.clone()),
        ]
    }

    /// The headers in a `HeaderMap`, for an HTTP client.
    #[must_use]
    pub fn to_header_map(&self) -> http::HeaderMap {
        let mut map = http::HeaderMap::with_capacity(3);
        for (name, value) in self.pairs() {
            // Every value is visible ASCII: the id was checked, the
            // timestamp is digits, the signature base64.
            if let Ok(value) = http::HeaderValue::try_from(value) {
                map.insert(name, value);
            }
        }
        map
    }
}

/// Signs deliveries: the sending side of Standard Webhooks.
#[derive(Clone, Debug)]
pub struct Signer {
    secrets: Vec<StandardSecret>,
}

impl Signer {
    /// A signer with one secret.
    #[must_use]
    pub fn new(secret: StandardSecret) -> Self {
        Self {
            secrets: vec![secret],
        }
    }

    /// Also signs with `secret` (a second signature in the header), for
    /// the days a receiver moves from one secret to the next.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) past [`MAX_SECRETS`](super::MAX_SECRETS).
    pub fn also(mut self, secret: StandardSecret) -> Result<Self> {
        super::add_secret(&mut self.secrets, || Ok(secret))?;
        Ok(self)
    }

    /// The headers for delivering `body` as message `id` at `timestamp`
    /// (Unix seconds; [`Signer::sign_now`] takes the clock's).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) for an id that is
    /// empty, over [`MAX_ID_LEN`], or not visible ASCII without `.` (the
    /// spec: a `.` in the id would make the signed content ambiguous).
    pub fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> Result<SignedHeaders> {
        if !valid_id(id.as_bytes()) {
            return Err(Error::invalid_limit("webhook_id", "invalid", MAX_ID_LEN));
        }
        let ts = timestamp.to_string();
        let signature = self
            .secrets
            .iter()
            .map(|s| {
                format!(
                    "v1,{}",
                    STANDARD.encode(s.mac(id.as_bytes(), ts.as_bytes(), body))
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        Ok(SignedHeaders {
            id: id.to_owned(),
            timestamp,
            signature,
        })
    }

    /// [`Signer::sign`] at the current time.
    ///
    /// # Errors
    ///
    /// As [`Signer::sign`].
    pub fn sign_now(&self, id: &str, body: &[u8]) -> Result<SignedHeaders> {
        self.sign(id, super::now_unix(), body)
    }
}

/// Verifies deliveries: the receiving side of Standard Webhooks.
#[derive(Clone, Debug)]
pub struct Verifier {
    secrets: Vec<StandardSecret>,
    limits: Limits,
}

impl Verifier {
    /// A verifier with one secret, ±5 minutes and a 1 MiB body cap.
    #[must_use]
    pub fn new(secret: StandardSecret) -> Self {
        Self {
            secrets: vec![secret],
            limits: Limits::default(),
        }
    }

    /// Also accepts signatures made with `secret` (rotation).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) past [`MAX_SECRETS`](super::MAX_SECRETS).
    pub fn also(mut self, secret: StandardSecret) -> Result<Self> {
        super::add_secret(&mut self.secrets, || Ok(secret))?;
        Ok(self)
    }

    /// The timestamp tolerance, into the past and the future.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) outside 1 s..=1 h.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Result<Self> {
        self.limits = self.limits.with_tolerance(tolerance)?;
        Ok(self)
    }

    /// The body cap (default 1 MiB), checked before any work.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) for 0 or over 64 MiB.
    pub fn with_max_body(mut self, max_body: usize) -> Result<Self> {
        self.limits = self.limits.with_max_body(max_body)?;
        Ok(self)
    }

    /// The tolerance in force (the [`ReplayGuard`](super::ReplayGuard)
    /// remembers ids this long past their timestamp).
    #[must_use]
    pub const fn tolerance(&self) -> Duration {
        self.limits.tolerance
    }

    /// Verifies `body` (the raw bytes received) against the three headers,
    /// at the current time.
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify_at`].
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Verified> {
        self.verify_at(headers, body, super::now_unix())
    }

    /// Verifies as of `now` (Unix seconds): the body cap, then the headers'
    /// shape, then the timestamp, then the signatures.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unauthenticated`](crate::ErrorKind), audited, with
    /// [`AuthReason::TooLarge`] (body or header over its cap),
    /// [`AuthReason::Malformed`] (a header missing, repeated or
    /// ill-formed, no `v1` signature), [`AuthReason::TimestampOutOfRange`]
    /// or [`AuthReason::BadSignature`] (no signature matches any secret).
    pub fn verify_at(&self, headers: &http::HeaderMap, body: &[u8], now: u64) -> Result<Verified> {
        self.limits.check_body(CONTEXT, body)?;
        let id = required_header(CONTEXT, headers, &WEBHOOK_ID, "no webhook-id header")?;
        let ts = required_header(
            CONTEXT,
            headers,
            &WEBHOOK_TIMESTAMP,
            "no webhook-timestamp header",
        )?;
        let sigs = required_header(
            CONTEXT,
            headers,
            &WEBHOOK_SIGNATURE,
            "no webhook-signature header",
        )?;
        self.verify_parts(id, ts, sigs, body, now)
    }

    /// [`Verifier::verify_at`] on the three header values, for callers
    /// without an `http::HeaderMap`.
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify_at`].
    pub fn verify_parts(
        &self,
        id: &[u8],
        timestamp: &[u8],
        signatures: &[u8],
        body: &[u8],
        now: u64,
    ) -> Result<Verified> {
        self.limits.check_body(CONTEXT, body)?;
        if signatures.len() > super::MAX_HEADER_LEN {
            return Err(refuse(
                CONTEXT,
                AuthReason::TooLarge,
                "header over the size limit",
            ));
        }
        if !valid_id(id) {
            return Err(refuse(
                CONTEXT,
                AuthReason::Malformed,
                "webhook-id is not a valid id",
            ));
        }
        let ts = super::parse_timestamp(timestamp).ok_or_else(|| {
            refuse(
                CONTEXT,
                AuthReason::Malformed,
                "webhook-timestamp is not a decimal Unix time",
            )
        })?;
        if !signatures
            .split(|b| *b == b' ')
            .any(|e| e.starts_with(b"v1,"))
        {
            return Err(refuse(
                CONTEXT,
                AuthReason::Malformed,
                "webhook-signature has no v1 signature",
            ));
        }
        self.limits.check_time(CONTEXT, ts, now)?;
        let mut ok = false;
        let mut decoded = 0usize;
        for secret in &self.secrets {
            let expected = secret.mac(id, timestamp, body);
            decoded = 0;
            for_each_signature(signatures, |candidate| {
                decoded = decoded.saturating_add(1);
                // Every candidate is compared: no early exit on a match.
                ok |= mac_eq(expected.as_ref(), candidate);
            });
        }
        if decoded == 0 {
            return Err(refuse(
                CONTEXT,
                AuthReason::Malformed,
                "webhook-signature has no well-formed v1 signature",
            ));
        }
        if !ok {
            return Err(refuse(
                CONTEXT,
                AuthReason::BadSignature,
                "no signature matches",
            ));
        }
        Ok(Verified::new(id, Some(ts)))
    }
}

/// 1..=256 bytes of visible ASCII, no `.`.
fn valid_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.iter().all(|b| b.is_ascii_graphic() && *b != b'.')
}

/// Calls `f` with each decoded `v1` signature of a header, in order:
/// entries are space-separated; other versions (`v1a`, future ones) and
/// entries that do not decode to 32 bytes are skipped; at most
/// [`MAX_SIGNATURES`] are passed. Nothing is allocated.
fn for_each_signature(header: &[u8], mut f: impl FnMut(&[u8])) {
    let mut count = 0usize;
    for entry in header.split(|b| *b == b' ') {
        if count >= MAX_SIGNATURES {
            break;
        }
        let Some(b64) = entry.strip_prefix(b"v1,") else {
            continue;
        };
        // 32 bytes are 44 base64 characters with padding.
        if b64.len() != 44 {
            continue;
        }
        let mut buf = [0u8; 33];
        if STANDARD.decode_slice(b64, &mut buf) == Ok(32) {
            count = count.saturating_add(1);
            f(buf.get(..32).unwrap_or_default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_entries_are_bounded_and_filtered() {
        let good = format!("v1,{}", STANDARD.encode([7u8; 32]));
        let header = format!("v1a,xyz v2,abc v1,short {good}  {good}");
        let count = |h: &str| {
            let mut n = 0;
            for_each_signature(h.as_bytes(), |_| n += 1);
            n
        };
        assert_eq!(count(&header), 2);
        let many = vec![good.as_str(); 40].join(" ");
        assert_eq!(count(&many), MAX_SIGNATURES);
    }

    #[test]
    fn ids_refuse_dots_and_controls() {
        assert!(valid_id(b"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"));
        assert!(!valid_id(b"msg.1"));
        assert!(!valid_id(b"msg 1"));
        assert!(!valid_id(b""));
        assert!(!valid_id(&[b'a'; MAX_ID_LEN + 1]));
    }
}
