//! `seckit webhook sign|verify` and `seckit turn credentials`: signed
//! deliveries and TURN credentials from the shell. Secrets come from
//! `--secret-file`; bodies from `-i FILE` or stdin, read as raw bytes.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use seckit::webhook::{
    DEFAULT_MAX_BODY, GithubVerifier, Signer, StandardSecret, StripeVerifier, TurnCredentials,
    TurnSecret, Verified, Verifier,
};
use serde_json::json;

use crate::exit::Fail;
use crate::{Done, Out, io};

#[derive(Subcommand)]
pub(crate) enum WebhookCmd {
    /// Sign a body as a Standard Webhooks delivery; prints the three headers.
    Sign {
        /// The `whsec_…` secret, in a file.
        #[arg(long)]
        secret_file: PathBuf,
        /// The message id (default: `msg_` and 16 random bytes).
        #[arg(long)]
        id: Option<String>,
        /// The timestamp, Unix seconds (default: now).
        #[arg(long)]
        timestamp: Option<u64>,
        /// The body (default: stdin), read as bytes.
        #[arg(short = 'i', long = "in")]
        input: Option<PathBuf>,
    },
    /// Verify a delivery's signature headers against its body. No replay
    /// store: a valid delivery verifies every time.
    Verify {
        #[arg(long, value_enum, default_value = "standard")]
        scheme: Scheme,
        /// The secret (`whsec_…` for standard and stripe), in a file.
        #[arg(long)]
        secret_file: PathBuf,
        /// A received header, `NAME: VALUE` (repeatable).
        #[arg(long = "header", short = 'H')]
        headers: Vec<String>,
        /// Verify as of this instant (Unix seconds).
        #[arg(long)]
        now: Option<u64>,
        /// The body (default: stdin), read as bytes.
        #[arg(short = 'i', long = "in")]
        input: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum TurnCmd {
    /// Issue TURN REST credentials (coturn `use-auth-secret`); prints JSON.
    Credentials {
        /// The TURN server's shared secret, in a file.
        #[arg(long)]
        secret_file: PathBuf,
        /// The user part of the username (no `:`).
        #[arg(long)]
        user: String,
        /// Lifetime in seconds (at most 86400).
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Scheme {
    /// Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature.
    Standard,
    /// Stripe-Signature: t=…,v1=….
    Stripe,
    /// X-Hub-Signature-256: sha256=….
    Github,
}

pub(crate) fn run(cmd: WebhookCmd) -> Out {
    match cmd {
        WebhookCmd::Sign {
            secret_file,
            id,
            timestamp,
            input,
        } => {
            let secret = standard_secret(&secret_file)?;
            let body = read_body(input.as_deref())?;
            let id = match id {
                Some(id) => id,
                None => format!(
                    "msg_{}",
                    seckit::random::token_id()
                        .map_err(|e| Fail::usage(e.to_string()))?
                        .expose_secret()
                ),
            };
            let signer = Signer::new(secret);
            let signed = match timestamp {
                Some(t) => signer.sign(&id, t, &body),
                None => signer.sign_now(&id, &body),
            }
            .map_err(|e| Fail::usage(e.to_string()))?;
            let text = signed
                .pairs()
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Done::line(
                text,
                json!({
                    "webhook-id": signed.id,
                    "webhook-timestamp": signed.timestamp.to_string(),
                    "webhook-signature": signed.signature,
                }),
            ))
        }
        WebhookCmd::Verify {
            scheme,
            secret_file,
            headers,
            now,
            input,
        } => {
            let map = header_map(&headers)?;
            let body = read_body(input.as_deref())?;
            let now = now.unwrap_or_else(unix_now);
            let verified: Verified = match scheme {
                Scheme::Standard => {
                    Verifier::new(standard_secret(&secret_file)?).verify_at(&map, &body, now)
                }
                Scheme::Stripe => StripeVerifier::new(&io::secret_file(&secret_file)?)
                    .map_err(|e| Fail::invalid(&e))?
                    .verify_at(&map, &body, now),
                Scheme::Github => GithubVerifier::new(&io::secret_file(&secret_file)?)
                    .map_err(|e| Fail::invalid(&e))?
                    .verify(&map, &body),
            }
            .map_err(|e| Fail::from_error(&e))?;
            let ts = verified.timestamp();
            Ok(Done::line(
                match ts {
                    Some(t) => format!("valid: id {} timestamp {t}", verified.id()),
                    None => format!("valid: id {}", verified.id()),
                },
                json!({"valid": true, "id": verified.id(), "timestamp": ts}),
            ))
        }
    }
}

pub(crate) fn run_turn(cmd: TurnCmd) -> Out {
    match cmd {
        TurnCmd::Credentials {
            secret_file,
            user,
            ttl,
        } => {
            let secret =
                TurnSecret::new(&io::secret_file(&secret_file)?).map_err(|e| Fail::invalid(&e))?;
            let creds = TurnCredentials::issue(&secret, &user, Duration::from_secs(ttl))
                .map_err(|e| Fail::checked(&e))?;
            let value = json!({
                "username": creds.username(),
                "password": creds.password().expose_secret(),
                "ttl": creds.ttl().as_secs(),
            });
            // JSON whether or not --json: it is the command's one output.
            Ok(Done::line(value.to_string(), value))
        }
    }
}

fn standard_secret(path: &Path) -> Result<StandardSecret, Fail> {
    StandardSecret::parse(&io::secret_file(path)?).map_err(|e| Fail::invalid(&e))
}

/// `NAME: VALUE` lines into a header map; a malformed one is a usage error.
fn header_map(lines: &[String]) -> Result<http::HeaderMap, Fail> {
    let mut map = http::HeaderMap::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| Fail::usage("--header: expected NAME: VALUE"))?;
        let name = http::HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| Fail::usage("--header: not a header name"))?;
        let value = http::HeaderValue::from_str(value.trim())
            .map_err(|_| Fail::usage("--header: not a header value"))?;
        map.append(name, value);
    }
    Ok(map)
}

/// The body's bytes, refused (not cut) past the verifiers' default cap.
fn read_body(path: Option<&Path>) -> Result<Vec<u8>, Fail> {
    let input = io::input(path)?;
    let mut body = Vec::new();
    input
        .reader
        .take(
            u64::try_from(DEFAULT_MAX_BODY)
                .unwrap_or(u64::MAX)
                .saturating_add(1),
        )
        .read_to_end(&mut body)
        .map_err(|e| Fail::usage(format!("body: {e}")))?;
    if body.len() > DEFAULT_MAX_BODY {
        return Err(Fail::usage(format!(
            "body: larger than {DEFAULT_MAX_BODY} bytes"
        )));
    }
    Ok(body)
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
