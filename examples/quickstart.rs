//! A tour of seckit in one program: what a service does at startup and on a
//! request, with every secret masked in what it prints.
//!
//! Run it with `cargo run --example quickstart`. It grows as modules land.
//!
//! The values below are samples, labelled as such; a real service reads them
//! from its environment with `Loader::from_env()`.

#![allow(clippy::print_stdout)] // printing is this example's job

use seckit::config::Loader;
use seckit::random::{self, ApiKey, ApiKeyHash};
use seckit::{ErrorKind, SecretString, mask};

fn main() -> seckit::Result<()> {
    // Startup: read configuration fail-fast, and log where each value came
    // from with the secrets masked.
    let sample_env = [
        ("JWT_SECRET", "sample-only-0123456789abcdefghijklmnopqrstuv"),
        (
            "DATABASE_URL",
            "postgres://app:sample-db-password@db.internal:5432/app",
        ),
    ];
    let mut cfg = Loader::from_vars(sample_env);
    let jwt_secret = cfg.required_secret("JWT_SECRET")?;
    let database_url = cfg.required_value("DATABASE_URL")?;
    let port = cfg.value_or("PORT", "8080")?;
    println!("config: {}", cfg.report());
    println!(
        "jwt secret from {}: {:?}",
        jwt_secret.source(),
        jwt_secret.value()
    );
    println!("connecting to {}", mask::url(database_url.value()));
    println!("listening on port {}", port.value());

    // A missing secret stops startup with an error that says what to do.
    match Loader::from_vars([("PORT", "8080")]).required_secret("SESSION_KEY") {
        Err(e) if e.kind() == ErrorKind::Configuration => println!("refused at startup: {e}"),
        other => println!("unexpected: {other:?}"),
    }

    // Generating secrets: OS randomness only, returned as Secret types.
    let new_secret = random::secret(32)?;
    println!(
        "generated a 256-bit secret: {}",
        mask::token(new_secret.expose_secret())
    );
    let session_id = random::token_id()?;
    println!(
        "new session id: {}",
        mask::token(session_id.expose_secret())
    );

    // API keys: show the key to its owner once, store only the hash.
    let (key, stored_hash) = ApiKey::generate("sk_live")?.into_parts();
    println!(
        "issued API key {} (stored as {stored_hash})",
        mask::token(key.expose_secret())
    );

    // On a request: look the presented key up by its hash, or verify it
    // against a stored hash in constant time.
    let presented = key.expose_secret().as_str();
    let lookup = ApiKeyHash::of(presented)?;
    println!("lookup by hash finds the row: {}", lookup == stored_hash);
    ApiKey::verify(presented, &stored_hash)?;
    println!("presented key verified");
    let forged = SecretString::from("sk_live_forged-key-sample");
    if let Err(e) = ApiKey::verify(forged.expose_secret(), &stored_hash) {
        // The log gets the specific reason; the client gets the generic one.
        println!("log: {e}");
        println!(
            "client ({}): {}",
            e.kind().http_status(),
            e.public_message()
        );
    }

    // Passwords (feature `password`): Argon2id, upgrade on login.
    #[cfg(feature = "password")]
    {
        use seckit::password::PasswordHasher;
        let hasher = PasswordHasher::new();
        let password = SecretString::from("sample passphrase, not real");
        let stored = hasher.hash(&password)?;
        println!(
            "stored password hash: {}…",
            stored.get(..31).unwrap_or(&stored)
        );
        let verified = hasher.verify_and_upgrade(&password, &stored)?;
        println!(
            "password verified; rehash needed: {}",
            verified.rehash().is_some()
        );
        if let Err(e) = hasher.verify(&SecretString::from("wrong guess"), &stored) {
            println!("wrong password: {e} (client sees {:?})", e.public_message());
        }
    }

    // Bad input is an error, never a panic.
    if let Err(e) = random::secret(8) {
        println!("refused: {e}");
    }
    Ok(())
}
