//! `seckit`: the library's operations for operators and deploy pipelines.
//!
//! Conventions for every subcommand: `--json` prints one JSON object on
//! stdout; exit 0 = success / valid, 1 = the checked thing is invalid
//! (wrong password, rejected token, weak secret, failed decryption, a key
//! the envelope module refuses), 2 = usage or I/O error; the reason goes to
//! stderr in one line. Passwords and keys come from files
//! (`--password-file`, `--key-file`: the bytes exactly) or one line of
//! stdin, never from argv; `jwt verify` and `jwt inspect` take the token as
//! an argument.
//! Nothing secret is printed except what the command exists to produce.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)] // a CLI's job

use std::io::{BufRead as _, Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use seckit::envelope::{PrivateKey, PublicKey};
use seckit::jwt::{
    self, Algorithm, Issuer, JwtConfig, SecretEncoding, SigningKey, Verifier, VerifyingKey,
};
use seckit::password::{self, Argon2Params, PasswordHasher};
use seckit::{ErrorKind, SecretBytes, SecretString};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    name = "seckit",
    version,
    about = "Security operations: secrets, passwords, JWTs, keys"
)]
struct Cli {
    /// Print one JSON object on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Generate or check shared secrets.
    #[command(subcommand)]
    Secret(SecretCmd),
    /// Hash and verify passwords.
    #[command(subcommand)]
    Password(PasswordCmd),
    /// Issue, verify and inspect JWTs.
    #[command(subcommand)]
    Jwt(JwtCmd),
    /// Generate and inspect RSA key pairs for envelopes.
    #[command(subcommand)]
    Key(KeyCmd),
}

#[derive(Clone, Copy, ValueEnum)]
enum OutEncoding {
    Base64url,
    Hex,
}

#[derive(Clone, Copy, ValueEnum)]
enum InEncoding {
    Raw,
    Base64,
    Base64url,
    Hex,
}

#[derive(Subcommand)]
enum SecretCmd {
    /// Print a strong random secret.
    Generate {
        #[arg(long, default_value_t = 32)]
        bytes: usize,
        #[arg(long, value_enum, default_value = "base64url")]
        encoding: OutEncoding,
    },
    /// Check a JWT HMAC secret (from --file or one line of stdin).
    Check {
        #[arg(long, default_value = "HS256")]
        alg: String,
        #[arg(long, value_enum, default_value = "raw")]
        encoding: InEncoding,
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemeArg {
    Argon2id,
    Bcrypt,
}

#[derive(Clone, Copy, ValueEnum)]
enum Preset {
    Owasp,
    Rfc9106LowMemory,
}

#[derive(Subcommand)]
enum PasswordCmd {
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
        #[arg(long)]
        hash: String,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Find Argon2id parameters that take about --target-ms here.
    Calibrate {
        #[arg(long, default_value_t = 250)]
        target_ms: u64,
    },
}

#[derive(clap::Args, Clone)]
struct JwtKeyArgs {
    /// Algorithm; repeat for verify with keys of several algorithms.
    #[arg(long = "alg")]
    algs: Vec<String>,
    /// HMAC secret bytes, or a PEM private key (issue) / public key (verify).
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// The key's id (kid).
    #[arg(long)]
    kid: Option<String>,
    #[arg(long)]
    iss: Option<String>,
    #[arg(long)]
    aud: Option<String>,
}

#[derive(Subcommand)]
enum JwtCmd {
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
        token: String,
        #[arg(long)]
        leeway: Option<u64>,
        /// Verify as of this instant (Unix seconds).
        #[arg(long)]
        now: Option<u64>,
        #[command(flatten)]
        key: JwtKeyArgs,
    },
    /// Decode header and claims WITHOUT verifying anything.
    Inspect { token: String },
}

#[derive(Subcommand)]
enum KeyCmd {
    /// Generate an RSA key pair (private key written with mode 0600).
    Generate {
        #[arg(long, default_value_t = 4096)]
        bits: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        public_out: Option<PathBuf>,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
    },
    /// Describe a key file: kind, bits, format, key id.
    Inspect { file: PathBuf },
}

/// What a command ended with.
enum Fail {
    /// The checked thing is invalid: exit 1.
    Invalid(String),
    /// Usage or I/O: exit 2.
    Usage(String),
}

impl From<seckit::Error> for Fail {
    fn from(e: seckit::Error) -> Self {
        match e.kind() {
            ErrorKind::Unauthenticated => Self::Invalid(e.to_string()),
            _ => Self::Usage(e.to_string()),
        }
    }
}

type Out = Result<(String, Value), Fail>;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.cmd {
        Cmd::Secret(c) => secret(c),
        Cmd::Password(c) => password(c),
        Cmd::Jwt(c) => jwt_cmd(c),
        Cmd::Key(c) => key(c),
    };
    match result {
        Ok((text, value)) => {
            let mut stdout = std::io::stdout().lock();
            let line = if cli.json { value.to_string() } else { text };
            if writeln!(stdout, "{line}").is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(Fail::Invalid(reason)) => {
            if cli.json {
                println!("{}", json!({"valid": false, "reason": reason}));
            }
            eprintln!("seckit: {reason}");
            ExitCode::from(1)
        }
        Err(Fail::Usage(reason)) => {
            eprintln!("seckit: {reason}");
            ExitCode::from(2)
        }
    }
}

/// The file's bytes exactly, or one line of stdin without its line ending.
fn read_secret(file: Option<&PathBuf>) -> Result<SecretBytes, Fail> {
    if let Some(path) = file {
        let meta =
            std::fs::metadata(path).map_err(|e| Fail::Usage(format!("{}: {e}", path.display())))?;
        if meta.len() > 64 * 1024 {
            return Err(Fail::Usage(format!(
                "{}: larger than 64 KiB",
                path.display()
            )));
        }
        let mut buf = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut buf))
            .map_err(|e| Fail::Usage(format!("{}: {e}", path.display())))?;
        return Ok(SecretBytes::new(buf));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(64 * 1024)
        .read_line(&mut line)
        .map_err(|e| Fail::Usage(format!("stdin: {e}")))?;
    let secret = SecretString::new(line);
    let text = secret.expose_secret();
    let trimmed = text.strip_suffix('\n').unwrap_or(text);
    let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
    Ok(SecretBytes::from(trimmed.as_bytes()))
}

fn as_text(bytes: &SecretBytes) -> Result<SecretString, Fail> {
    std::str::from_utf8(bytes.expose_secret())
        .map(SecretString::from)
        .map_err(|_| Fail::Usage("input is not UTF-8".to_owned()))
}

fn secret(cmd: SecretCmd) -> Out {
    match cmd {
        SecretCmd::Generate { bytes, encoding } => {
            let s = match encoding {
                OutEncoding::Base64url => seckit::random::secret(bytes)?,
                OutEncoding::Hex => seckit::random::secret_hex(bytes)?,
            };
            let text = s.expose_secret().clone();
            Ok((text.clone(), json!({"secret": text, "bytes": bytes})))
        }
        SecretCmd::Check {
            alg,
            encoding,
            file,
        } => {
            let alg: Algorithm = alg.parse()?;
            let raw = read_secret(file.as_ref())?;
            let enc = match encoding {
                InEncoding::Raw => SecretEncoding::Raw,
                InEncoding::Base64 => SecretEncoding::Base64,
                InEncoding::Base64url => SecretEncoding::Base64Url,
                InEncoding::Hex => SecretEncoding::Hex,
            };
            let bytes = if matches!(enc, SecretEncoding::Raw) {
                raw
            } else {
                jwt::decode_secret(&as_text(&raw)?, enc)
                    .map_err(|e| Fail::Invalid(e.to_string()))?
            };
            jwt::check_hmac_secret(bytes.expose_secret(), alg)
                .map_err(|e| Fail::Invalid(e.to_string()))?;
            Ok((
                format!("ok: strong enough for {alg}"),
                json!({"valid": true, "alg": alg.as_str()}),
            ))
        }
    }
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

fn password(cmd: PasswordCmd) -> Out {
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
                SchemeArg::Argon2id => PasswordHasher::builder().argon2id(params).build()?,
                SchemeArg::Bcrypt => PasswordHasher::builder()
                    .bcrypt(password::BCRYPT_DEFAULT_COST)
                    .build()?,
            };
            let pw = as_text(&read_secret(password_file.as_ref())?)?;
            let hash = hasher.hash(&pw)?;
            Ok((
                hash.clone(),
                json!({"hash": hash, "scheme": scheme_of(&hash)}),
            ))
        }
        PasswordCmd::Verify {
            hash,
            password_file,
        } => {
            let hasher = PasswordHasher::new();
            // A malformed or unsupported hash is exit 2, before reading the password.
            let needs_rehash = hasher
                .needs_rehash(&hash)
                .map_err(|e| Fail::Usage(e.to_string()))?;
            let pw = as_text(&read_secret(password_file.as_ref())?)?;
            match hasher.verify(&pw, &hash) {
                Ok(()) => Ok((
                    format!("ok{}", if needs_rehash { " (needs rehash)" } else { "" }),
                    json!({"valid": true, "needs_rehash": needs_rehash, "scheme": scheme_of(&hash)}),
                )),
                Err(e) if e.kind() == ErrorKind::Unauthenticated => {
                    Err(Fail::Invalid(e.to_string()))
                }
                Err(e) => Err(Fail::Usage(e.to_string())),
            }
        }
        PasswordCmd::Calibrate { target_ms } => {
            let c = password::calibrate(Duration::from_millis(target_ms))?;
            let p = c.params;
            let ms = c.measured.as_secs_f64() * 1000.0;
            Ok((
                format!("m={} t={} p={} ({ms:.1} ms)", p.m_kib(), p.t(), p.p()),
                json!({"m_kib": p.m_kib(), "t": p.t(), "p": p.p(), "measured_ms": ms}),
            ))
        }
    }
}

fn algs(args: &JwtKeyArgs) -> Result<Vec<Algorithm>, Fail> {
    args.algs
        .iter()
        .map(|a| a.parse::<Algorithm>().map_err(Fail::from))
        .collect()
}

fn jwt_cmd(cmd: JwtCmd) -> Out {
    match cmd {
        JwtCmd::Issue {
            claims,
            sub,
            ttl_minutes,
            key,
        } => {
            let claims: Value = serde_json::from_str(&claims)
                .map_err(|_| Fail::Usage("--claims is not JSON".into()))?;
            let mut issuer = if key.key_file.is_some() || !key.algs.is_empty() {
                let alg = algs(&key)?.first().copied().unwrap_or(Algorithm::HS256);
                let bytes = read_secret(key.key_file.as_ref())?;
                let mut signing = if alg.is_hmac() {
                    SigningKey::hmac(alg, &bytes).map_err(|e| Fail::Invalid(e.to_string()))?
                } else {
                    SigningKey::from_pem(alg, &bytes)?
                };
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
                    .map_err(|e| Fail::Invalid(e.to_string()))?
                    .issuer()?
            };
            if let Some(m) = ttl_minutes {
                issuer = issuer.with_ttl(Duration::from_secs(m.saturating_mul(60)))?;
            }
            let token = match &sub {
                Some(s) => issuer.issue_for(s, &claims)?,
                None => issuer.issue(&claims)?,
            };
            Ok((token.clone(), json!({"token": token})))
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
            if key.key_file.is_some() || !key.algs.is_empty() {
                let bytes = read_secret(key.key_file.as_ref())?;
                for alg in algs(&key)? {
                    let mut k = if alg.is_hmac() {
                        VerifyingKey::hmac(alg, &bytes).map_err(|e| Fail::Invalid(e.to_string()))?
                    } else {
                        VerifyingKey::from_pem(alg, bytes.expose_secret())?
                    };
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
                    return Err(Fail::Usage("--key-file needs --alg".into()));
                }
            } else {
                verifiers.push(
                    JwtConfig::from_env()
                        .map_err(|e| Fail::Invalid(e.to_string()))?
                        .verifier(),
                );
            }
            let mut last_err = None;
            for mut verifier in verifiers {
                if let Some(l) = leeway {
                    verifier = verifier.with_leeway(Duration::from_secs(l))?;
                }
                let result = match now {
                    Some(t) => verifier.verify_at::<Value>(&token, t),
                    None => verifier.verify::<Value>(&token),
                };
                match result {
                    Ok(v) => {
                        return Ok((
                            v.claims.to_string(),
                            json!({"valid": true, "claims": v.claims, "alg": v.alg.as_str()}),
                        ));
                    }
                    Err(e) => {
                        let other_alg = e.to_string().contains("algorithm not allowed");
                        last_err = Some(e);
                        if !other_alg {
                            break;
                        }
                    }
                }
            }
            Err(last_err.map_or_else(|| Fail::Usage("no verifier".into()), Fail::from))
        }
        JwtCmd::Inspect { token } => {
            let seen = jwt::dangerous::inspect_unverified(&token)?;
            let header = Value::Object(seen.untrusted_header);
            let claims = Value::Object(seen.untrusted_claims);
            Ok((
                format!("UNVERIFIED header: {header}\nUNVERIFIED claims: {claims}"),
                json!({"unverified": true, "header": header, "claims": claims}),
            ))
        }
    }
}

fn write_new(path: &PathBuf, contents: &[u8], mode: u32, force: bool) -> Result<(), Fail> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let _ = mode;
    let mut f = options
        .open(path)
        .map_err(|e| Fail::Usage(format!("{}: {e}", path.display())))?;
    f.write_all(contents)
        .map_err(|e| Fail::Usage(format!("{}: {e}", path.display())))
}

fn key(cmd: KeyCmd) -> Out {
    match cmd {
        KeyCmd::Generate {
            bits,
            out,
            public_out,
            force,
        } => {
            let k = PrivateKey::generate_bits(bits)?;
            write_new(
                &out,
                k.to_pem(None)?.expose_secret().as_bytes(),
                0o600,
                force,
            )?;
            if let Some(p) = &public_out {
                write_new(p, k.public_key().to_pem()?.as_bytes(), 0o644, force)?;
            }
            let id = k.key_id().to_string();
            Ok((
                format!("wrote {} ({bits} bits, key id {id})", out.display()),
                json!({"bits": bits, "key_id": id}),
            ))
        }
        KeyCmd::Inspect { file } => {
            let bytes = read_secret(Some(&file))?;
            let text = as_text(&bytes)?;
            let pem = text.expose_secret();
            let (kind, format, public) = if pem.contains("PRIVATE KEY") {
                let format = if pem.contains("ENCRYPTED") {
                    "pkcs8-encrypted"
                } else if pem.contains("RSA PRIVATE") {
                    "pkcs1"
                } else {
                    "pkcs8"
                };
                if format == "pkcs8-encrypted" {
                    return Err(Fail::Invalid(
                        "encrypted private key: inspect its public key instead".into(),
                    ));
                }
                let k =
                    PrivateKey::from_pem(&text, None).map_err(|e| Fail::Invalid(e.to_string()))?;
                ("private", format, k.public_key().clone())
            } else {
                let format = if pem.contains("RSA PUBLIC") {
                    "pkcs1"
                } else {
                    "spki"
                };
                (
                    "public",
                    format,
                    PublicKey::from_pem(pem).map_err(|e| Fail::Invalid(e.to_string()))?,
                )
            };
            let id = public.key_id().to_string();
            Ok((
                format!(
                    "{kind} RSA key, {} bits, {format}, key id {id}",
                    public.bits()
                ),
                json!({"kind": kind, "algorithm": "RSA", "bits": public.bits(), "format": format, "key_id": id, "envelope_usable": true}),
            ))
        }
    }
}
