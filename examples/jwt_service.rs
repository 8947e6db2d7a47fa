//! An API's token handling, end to end: startup from environment variables
//! (refusing a weak secret, as it would at deploy time), issuing a session
//! token, verifying it from an `Authorization` header, and rotating keys
//! without logging anyone out.
//!
//! Run it with `cargo run --example jwt_service`.
//!
//! The environment is simulated with `Loader::from_vars`; a real service
//! calls `JwtConfig::from_env()`. Secrets here are generated or samples.

#![allow(clippy::print_stdout)] // printing is this example's job

use seckit::config::Loader;
use seckit::jwt::{self, Algorithm, JwtConfig, KeySet, SigningKey, Verifier};
use seckit::{Error, mask};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Session {
    role: String,
}

/// What a request handler does with an `Authorization` header.
fn handle(verifier: &Verifier, authorization: &str) -> Result<String, Error> {
    let token = jwt::bearer_token(authorization)?;
    match verifier.verify::<Session>(token) {
        Ok(v) => Ok(format!(
            "200 hello {} ({})",
            v.registered.sub.unwrap_or_default(),
            v.claims.role
        )),
        Err(e) => {
            // Specific for the log, with the token masked; generic for the client.
            println!("    log: {e} token={}", mask::token(token));
            Err(e)
        }
    }
}

/// An attacker's edit: one character of the signature changed.
fn flip_signature_char(token: &str) -> String {
    let at = token.rfind('.').map_or(0, |dot| dot + 10);
    token
        .char_indices()
        .map(|(i, c)| {
            if i == at {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect()
}

fn main() -> seckit::Result<()> {
    println!("1. Startup with JWT_SECRET=changeme (what too many deployments ship):");
    let weak = JwtConfig::from_loader(&mut Loader::from_vars([("JWT_SECRET", "changeme")]));
    if let Err(e) = &weak {
        println!("  refused at startup: {e}");
    }

    println!("2. Startup with a generated secret:");
    let secret = seckit::random::secret(64)?; // what `seckit secret generate --bytes 64` prints
    let mut env = Loader::from_vars([
        ("JWT_SECRET", secret.expose_secret().as_str()),
        ("JWT_SECRET_ENCODING", "base64url"),
        ("JWT_ISSUER", "https://auth.example"),
        ("JWT_AUDIENCE", "orders-api"),
        ("JWT_KEY_ID", "2026-11"),
        ("JWT_TTL_MINUTES", "15"),
    ]);
    let config = JwtConfig::from_loader(&mut env)?;
    println!("  config: {config}");
    if let Some(report) = config.report() {
        println!("  sources: {report}");
    }
    let issuer = config.issuer()?;
    let verifier = config.verifier();

    println!("3. Login issues a token; requests carry it:");
    let token = issuer.issue_for(
        "user-42",
        &Session {
            role: "admin".into(),
        },
    )?;
    println!("  issued {}", mask::token(&token));
    let ok = handle(&verifier, &format!("Bearer {token}"))?;
    println!("  {ok}");
    for (what, header) in [
        (
            "tampered",
            format!("Bearer {}", flip_signature_char(&token)),
        ),
        (
            "alg none",
            "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.".to_owned(),
        ),
        ("not bearer", format!("Token {token}")),
    ] {
        if let Err(e) = handle(&verifier, &header) {
            println!(
                "  {what}: {} {}",
                e.kind().http_status(),
                e.public_message()
            );
        }
    }

    println!("4. Rotation: a new key signs; the old one still verifies until its tokens expire:");
    let new_key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(64)?)?
        .with_kid("2026-12")?;
    let mut keys = KeySet::new();
    keys.add(config.verifying_key().clone())?;
    keys.add(new_key.verifying_key())?;
    let rotated = Verifier::with_keys(keys)
        .with_issuer("https://auth.example")?
        .with_audience("orders-api")?;
    let new_issuer = jwt::Issuer::new(new_key)
        .with_issuer("https://auth.example")?
        .with_audience("orders-api")?;
    let fresh = new_issuer.issue_for(
        "user-7",
        &Session {
            role: "viewer".into(),
        },
    )?;
    println!(
        "  old token: {}",
        handle(&rotated, &format!("Bearer {token}"))?
    );
    println!(
        "  new token: {}",
        handle(&rotated, &format!("Bearer {fresh}"))?
    );
    Ok(())
}
