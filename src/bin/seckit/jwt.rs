//! `seckit jwt issue|verify|inspect`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Subcommand;
use seckit::jwt::{self, Algorithm, Issuer, JwtConfig, SigningKey, Verifier, VerifyingKey};
use seckit::{AuthReason, SecretString};
use serde_json::{Value, json};

use crate::exit::Fail;
use crate::{Done, InEncoding, Out, io};

#[derive(clap::Args, Clone)]
pub(crate) struct JwtKeyArgs {
    /// Algorithm; repeat for verify with keys of several algorithms.
    #[arg(long = "alg")]
    algs: Vec<String>,
    /// An HMAC secret (read as JwtConfig reads JWT_SECRET_FILE), or a PEM
    /// private key (issue) / public key (verify).
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// How an HMAC --key-file is encoded, as JWT_SECRET_ENCODING.
    #[arg(long, value_enum, default_value = "raw")]
    encoding: InEncoding,
    /// The key's id (kid).
    #[arg(long)]
    kid: Option<String>,
    #[arg(long)]
    iss: Option<String>,
    #[arg(long)]
    aud: Option<String>,
}

impl JwtKeyArgs {
    fn given(&self) -> bool {
        self.key_file.is_some() || !self.algs.is_empty()
    }

    fn algs(&self) -> Result<Vec<Algorithm>, Fail> {
        self.algs
            .iter()
            .map(|a| {
                a.parse::<Algorithm>()
                    .map_err(|e| Fail::usage(e.to_string()))
            })
            .collect()
    }

    fn key_file(&self) -> Result<&Path, Fail> {
        self.key_file
            .as_deref()
            .ok_or_else(|| Fail::usage("--alg needs --key-file"))
    }
}

/// Where a token comes from: a file, standard input (`-` or nothing), or,
/// with a warning, the argument itself.
#[derive(clap::Args, Clone)]
pub(crate) struct TokenArgs {
    /// The token; `-` or absent reads one line of stdin. Prefer stdin or
    /// --token-file: arguments are visible to other users.
    token: Option<String>,
    /// Read the token from this file.
    #[arg(long, conflicts_with = "token")]
    token_file: Option<PathBuf>,
}

impl TokenArgs {
    fn read(&self) -> Result<SecretString, Fail> {
        match (&self.token, &self.token_file) {
            (_, Some(file)) => io::secret_file(file),
            (Some(t), None) if t != "-" => {
                eprintln!(
                    "seckit: warning: a token on the command line is visible to other users (ps, shell history); pass it on stdin or with --token-file"
                );
                Ok(SecretString::from(t.as_str()))
            }
            _ => io::stdin_line("token"),
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum JwtCmd {
    /// Issue a token with these claims (a JSON object).
    Issue {
        #[arg(long)]
        claims: String,
        #[arg(long)]
        sub: Option<String>,
        #[arg(long)]
        ttl_minutes: Option<u64>,
        #[command(flatten)]
        key: JwtKeyArgs,
    },
    /// Verify a token and print its claims.
    Verify {
        #[command(flatten)]
        token: TokenArgs,
        #[arg(long)]
        leeway: Option<u64>,
        /// Verify as of this instant (Unix seconds).
        #[arg(long)]
        now: Option<u64>,
        #[command(flatten)]
        key: JwtKeyArgs,
    },
    /// Decode header and claims WITHOUT verifying anything.
    Inspect {
        #[command(flatten)]
        token: TokenArgs,
    },
}

fn signing_key(alg: Algorithm, key: &JwtKeyArgs) -> Result<SigningKey, Fail> {
    let path = key.key_file()?;
    if alg.is_hmac() {
        let bytes = io::secret_file_bytes(path, key.encoding.library())?;
        SigningKey::hmac(alg, &bytes).map_err(|e| Fail::invalid(&e))
    } else {
        SigningKey::from_pem(alg, &io::secret_file(path)?).map_err(|e| Fail::usage(e.to_string()))
    }
}

fn verifying_key(alg: Algorithm, key: &JwtKeyArgs) -> Result<VerifyingKey, Fail> {
    let path = key.key_file()?;
    if alg.is_hmac() {
        let bytes = io::secret_file_bytes(path, key.encoding.library())?;
        VerifyingKey::hmac(alg, &bytes).map_err(|e| Fail::invalid(&e))
    } else {
        let pem = io::secret_file(path)?;
        VerifyingKey::from_pem(alg, pem.expose_secret()).map_err(|e| Fail::usage(e.to_string()))
    }
}

pub(crate) fn run(cmd: JwtCmd) -> Out {
    match cmd {
        JwtCmd::Issue {
            claims,
            sub,
            ttl_minutes,
            key,
        } => {
            let claims: Value =
                serde_json::from_str(&claims).map_err(|_| Fail::usage("--claims is not JSON"))?;
            let mut issuer = if key.given() {
                let alg = key.algs()?.first().copied().unwrap_or(Algorithm::HS256);
                let mut signing = signing_key(alg, &key)?;
                if let Some(kid) = &key.kid {
                    signing = signing.with_kid(kid.clone())?;
                }
                let mut i = Issuer::new(signing);
                if let Some(iss) = &key.iss {
                    i = i.with_issuer(iss.clone())?;
                }
                if let Some(aud) = &key.aud {
                    i = i.with_audience(aud.clone())?;
                }
                i
            } else {
                JwtConfig::from_env()
                    .map_err(|e| Fail::invalid(&e))?
                    .issuer()?
            };
            if let Some(m) = ttl_minutes {
                issuer = issuer.with_ttl(Duration::from_secs(m.saturating_mul(60)))?;
            }
            let token = match &sub {
                Some(s) => issuer.issue_for(s, &claims)?,
                None => issuer.issue(&claims)?,
            };
            Ok(Done::line(token.clone(), json!({"token": token})))
        }
        JwtCmd::Verify {
            token,
            leeway,
            now,
            key,
        } => {
            // One verifier per allowed algorithm: each key is built for
            // exactly one, and the token's alg must be one of them.
            let mut verifiers = Vec::new();
            if key.given() {
                for alg in key.algs()? {
                    let mut k = verifying_key(alg, &key)?;
                    if let Some(kid) = &key.kid {
                        k = k.with_kid(kid.clone())?;
                    }
                    let mut v = Verifier::new(k);
                    if let Some(iss) = &key.iss {
                        v = v.with_issuer(iss.clone())?;
                    }
                    if let Some(aud) = &key.aud {
                        v = v.with_audience(aud.clone())?;
                    }
                    verifiers.push(v);
                }
                if verifiers.is_empty() {
                    return Err(Fail::usage("--key-file needs --alg"));
                }
            } else {
                verifiers.push(
                    JwtConfig::from_env()
                        .map_err(|e| Fail::invalid(&e))?
                        .verifier(),
                );
            }
            let token = token.read()?;
            let mut last_err = None;
            for mut verifier in verifiers {
                if let Some(l) = leeway {
                    verifier = verifier.with_leeway(Duration::from_secs(l))?;
                }
                let result = match now {
                    Some(t) => verifier.verify_at::<Value>(token.expose_secret(), t),
                    None => verifier.verify::<Value>(token.expose_secret()),
                };
                match result {
                    Ok(v) => {
                        return Ok(Done::line(
                            v.claims.to_string(),
                            json!({"valid": true, "claims": v.claims, "alg": v.alg.as_str()}),
                        ));
                    }
                    // Only "this key is for another algorithm" moves on to
                    // the next key; any other refusal is the verdict.
                    Err(e) => {
                        let other_alg = e.auth_reason() == Some(AuthReason::AlgorithmNotAllowed);
                        last_err = Some(e);
                        if !other_alg {
                            break;
                        }
                    }
                }
            }
            Err(last_err.map_or_else(|| Fail::usage("no verifier"), |e| Fail::from_error(&e)))
        }
        JwtCmd::Inspect { token } => {
            let token = token.read()?;
            let seen = jwt::dangerous::inspect_unverified(token.expose_secret())?;
            let header = Value::Object(seen.untrusted_header);
            let claims = Value::Object(seen.untrusted_claims);
            Ok(Done::line(
                format!("UNVERIFIED header: {header}\nUNVERIFIED claims: {claims}"),
                json!({"unverified": true, "header": header, "claims": claims}),
            ))
        }
    }
}
