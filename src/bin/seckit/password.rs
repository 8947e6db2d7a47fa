//! `seckit password hash|verify|calibrate`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use seckit::ErrorKind;
use seckit::password::{self, Argon2Params, PasswordHasher};
use serde_json::json;

use crate::exit::Fail;
use crate::{Done, Out, io};

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SchemeArg {
    Argon2id,
    Bcrypt,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Preset {
    Owasp,
    Rfc9106LowMemory,
}

#[derive(Subcommand)]
pub(crate) enum PasswordCmd {
    /// Hash a password (from --password-file or one line of stdin).
    Hash {
        #[arg(long, value_enum, default_value = "argon2id")]
        scheme: SchemeArg,
        #[arg(long, value_enum, default_value = "owasp")]
        preset: Preset,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Verify a password against a stored hash.
    Verify {
        /// The stored hash (not a secret; or use --hash-file).
        #[arg(
            long,
            conflicts_with = "hash_file",
            required_unless_present = "hash_file"
        )]
        hash: Option<String>,
        #[arg(long)]
        hash_file: Option<PathBuf>,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Find Argon2id parameters that take about --target-ms here.
    Calibrate {
        #[arg(long, default_value_t = 250)]
        target_ms: u64,
    },
}

fn scheme_of(hash: &str) -> &'static str {
    ["argon2id", "argon2i", "argon2d"]
        .into_iter()
        .find(|s| hash.starts_with(&format!("${s}$")))
        .unwrap_or(if hash.starts_with("$2") {
            "bcrypt"
        } else {
            "unknown"
        })
}

pub(crate) fn run(cmd: PasswordCmd) -> Out {
    match cmd {
        PasswordCmd::Hash {
            scheme,
            preset,
            password_file,
        } => {
            let params = match preset {
                Preset::Owasp => Argon2Params::OWASP,
                Preset::Rfc9106LowMemory => Argon2Params::RFC9106_LOW_MEMORY,
            };
            let hasher = match scheme {
                SchemeArg::Argon2id => PasswordHasher::builder().argon2id(params).build(),
                SchemeArg::Bcrypt => PasswordHasher::builder()
                    .bcrypt(password::BCRYPT_DEFAULT_COST)
                    .build(),
            }
            .map_err(|e| Fail::usage(e.to_string()))?;
            let pw = io::secret(password_file.as_deref(), "password")?;
            // An empty or over-long password is the input being invalid.
            let hash = hasher.hash(&pw).map_err(|e| Fail::checked(&e))?;
            Ok(Done::line(
                hash.clone(),
                json!({"hash": hash, "scheme": scheme_of(&hash)}),
            ))
        }
        PasswordCmd::Verify {
            hash,
            hash_file,
            password_file,
        } => {
            let hash = match (hash, hash_file) {
                (Some(h), _) => h,
                (None, Some(f)) => io::secret_file(&f)?.expose_secret().clone(),
                (None, None) => return Err(Fail::usage("give --hash or --hash-file")),
            };
            let hasher = PasswordHasher::new();
            // A malformed or unsupported hash is a usage error, before the
            // password is read.
            let needs_rehash = hasher
                .needs_rehash(&hash)
                .map_err(|e| Fail::usage(e.to_string()))?;
            let pw = io::secret(password_file.as_deref(), "password")?;
            match hasher.verify(&pw, &hash) {
                Ok(()) => Ok(Done::line(
                    format!("ok{}", if needs_rehash { " (needs rehash)" } else { "" }),
                    json!({"valid": true, "needs_rehash": needs_rehash, "scheme": scheme_of(&hash)}),
                )),
                Err(e) if e.kind() == ErrorKind::Unauthenticated => Err(Fail::invalid(&e)),
                Err(e) => Err(Fail::usage(e.to_string())),
            }
        }
        PasswordCmd::Calibrate { target_ms } => {
            let c = password::calibrate(Duration::from_millis(target_ms))
                .map_err(|e| Fail::usage(e.to_string()))?;
            let p = c.params;
            let ms = c.measured.as_secs_f64() * 1000.0;
            Ok(Done::line(
                format!("m={} t={} p={} ({ms:.1} ms)", p.m_kib(), p.t(), p.p()),
                json!({"m_kib": p.m_kib(), "t": p.t(), "p": p.p(), "measured_ms": ms}),
            ))
        }
    }
}
