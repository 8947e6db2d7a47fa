//! `seckit`: the library's operations for operators and deploy pipelines.
//!
//! Conventions for every subcommand (docs/cli.md): `--json` prints one JSON
//! object on stdout; exit 0 = success / valid, 1 = the checked thing is
//! invalid (wrong password, rejected token, weak secret, an envelope that
//! does not open, a value that breaks a rule, a key the envelope module
//! refuses), 2 = usage or I/O error; the reason goes to stderr in one line.
//! Secrets come from files (`--password-file`, `--key-file`,
//! `--passphrase-file`, `--token-file`, read as `config::Loader` reads a
//! `NAME_FILE`) or one line of stdin, never from argv; a token still given
//! as an argument gets a warning. Nothing secret is printed except what
//! the command exists to produce.
//!
//! One file per command group; `exit.rs` holds the 0/1/2 contract and
//! `io.rs` the reading of secrets and the writing of outputs.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)] // a CLI's job

mod envelope;
mod exit;
mod io;
mod jwt;
mod key;
mod password;
mod secret;
mod validate;
mod webhook;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::exit::Fail;

#[derive(Parser)]
#[command(
    name = "seckit",
    version,
    about = "Security operations: secrets, passwords, JWTs, keys, envelopes, input validation, webhooks"
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
    Secret(secret::SecretCmd),
    /// Hash and verify passwords.
    #[command(subcommand)]
    Password(password::PasswordCmd),
    /// Issue, verify and inspect JWTs.
    #[command(subcommand)]
    Jwt(jwt::JwtCmd),
    /// Generate and inspect RSA key pairs for envelopes.
    #[command(subcommand)]
    Key(key::KeyCmd),
    /// Encrypt to one or more public keys (an envelope), streaming.
    Seal(envelope::SealArgs),
    /// Decrypt an envelope with a private key; -o OUT appears only if it all authenticates.
    Open(envelope::OpenArgs),
    /// Move an envelope to new recipients without touching its payload.
    Rewrap(envelope::RewrapArgs),
    /// Check a value with one of the library's validators.
    Validate(validate::ValidateArgs),
    /// Sign and verify webhook deliveries (Standard Webhooks, Stripe, GitHub).
    #[command(subcommand)]
    Webhook(webhook::WebhookCmd),
    /// Issue TURN REST credentials.
    #[command(subcommand)]
    Turn(webhook::TurnCmd),
}

/// Text encodings of a secret given as input.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum InEncoding {
    Raw,
    Base64,
    Base64url,
    Hex,
}

impl InEncoding {
    pub(crate) const fn library(self) -> seckit::strength::SecretEncoding {
        use seckit::strength::SecretEncoding;
        match self {
            Self::Raw => SecretEncoding::Raw,
            Self::Base64 => SecretEncoding::Base64,
            Self::Base64url => SecretEncoding::Base64Url,
            Self::Hex => SecretEncoding::Hex,
        }
    }
}

/// What a command produced: a line for people, an object for `--json`.
pub(crate) enum Done {
    /// Print `text`, or `json` with `--json`.
    Line { text: String, json: Value },
    /// The command wrote its own output (a stream); print nothing more
    /// unless `--json`, then `json`.
    Streamed { json: Value },
}

impl Done {
    pub(crate) fn line(text: impl Into<String>, json: Value) -> Self {
        Self::Line {
            text: text.into(),
            json,
        }
    }
}

pub(crate) type Out = Result<Done, Fail>;

/// Context every command may need.
pub(crate) struct Ctx {
    pub(crate) json: bool,
}

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
    let ctx = Ctx { json: cli.json };
    let result = match cli.cmd {
        Cmd::Secret(c) => secret::run(c),
        Cmd::Password(c) => password::run(c),
        Cmd::Jwt(c) => jwt::run(c),
        Cmd::Key(c) => key::run(c),
        Cmd::Seal(a) => envelope::seal(a, &ctx),
        Cmd::Open(a) => envelope::open(a, &ctx),
        Cmd::Rewrap(a) => envelope::rewrap(a, &ctx),
        Cmd::Validate(a) => validate::run(a),
        Cmd::Webhook(c) => webhook::run(c),
        Cmd::Turn(c) => webhook::run_turn(c),
    };
    let fail = match result {
        Ok(done) => match print_done(done, cli.json) {
            Ok(()) => return ExitCode::SUCCESS,
            Err(e) => Fail::output(&e, "stdout", false),
        },
        Err(fail) => fail,
    };
    report(&fail, cli.json);
    fail.code()
}

fn print_done(done: Done, json: bool) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match done {
        Done::Line { text, json: value } => {
            writeln!(stdout, "{}", if json { value.to_string() } else { text })?;
        }
        Done::Streamed { json: value } => {
            if json {
                writeln!(stdout, "{value}")?;
            }
        }
    }
    stdout.flush()
}

/// The failure's reason on stderr (and, for `--json` and an invalid thing,
/// on stdout as `{"valid": false, "reason": …}`).
fn report(fail: &Fail, json: bool) {
    match fail {
        Fail::Invalid(reason) => {
            if json {
                let _ = writeln!(
                    std::io::stdout(),
                    "{}",
                    json!({"valid": false, "reason": reason})
                );
            }
            let _ = writeln!(std::io::stderr(), "seckit: {reason}");
        }
        Fail::Usage(reason) => {
            let _ = writeln!(std::io::stderr(), "seckit: {reason}");
        }
        Fail::ClosedStdout { .. } => {}
    }
}
