//! `seckit secret generate|check`.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use seckit::jwt::{self, Algorithm};
use serde_json::json;

use crate::exit::Fail;
use crate::{Done, InEncoding, Out, io};

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OutEncoding {
    Base64url,
    Hex,
}

#[derive(Subcommand)]
pub(crate) enum SecretCmd {
    /// Print a strong random secret (base64url by default: load it with
    /// JWT_SECRET_ENCODING=base64url).
    Generate {
        #[arg(long, default_value_t = 32)]
        bytes: usize,
        #[arg(long, value_enum, default_value = "base64url")]
        encoding: OutEncoding,
    },
    /// Check an HMAC secret against the crate's key rules (from --file or
    /// one line of stdin).
    Check {
        #[arg(long, default_value = "HS256")]
        alg: String,
        #[arg(long, value_enum, default_value = "raw")]
        encoding: InEncoding,
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

pub(crate) fn run(cmd: SecretCmd) -> Out {
    match cmd {
        SecretCmd::Generate { bytes, encoding } => {
            let s = match encoding {
                OutEncoding::Base64url => seckit::random::secret(bytes),
                OutEncoding::Hex => seckit::random::secret_hex(bytes),
            }
            .map_err(|e| Fail::usage(e.to_string()))?;
            let text = s.expose_secret().clone();
            let encoding = match encoding {
                OutEncoding::Base64url => "base64url",
                OutEncoding::Hex => "hex",
            };
            Ok(Done::line(
                text.clone(),
                json!({"secret": text, "bytes": bytes, "encoding": encoding}),
            ))
        }
        SecretCmd::Check {
            alg,
            encoding,
            file,
        } => {
            let alg: Algorithm = alg
                .parse()
                .map_err(|e: seckit::Error| Fail::usage(e.to_string()))?;
            let text = io::secret(file.as_deref(), "secret")?;
            let bytes = io::decode(&text, encoding.library()).map_err(Fail::Invalid)?;
            // Every failure of the check itself means "this secret is not
            // fit": exit 1, whatever kind the library gives it.
            jwt::check_hmac_secret(bytes.expose_secret(), alg).map_err(|e| Fail::invalid(&e))?;
            Ok(Done::line(
                format!("ok: strong enough for {alg}"),
                json!({"valid": true, "alg": alg.as_str()}),
            ))
        }
    }
}
