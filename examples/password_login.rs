//! A login service's password handling, end to end: registration with a
//! password policy, login with transparent bcrypt → Argon2id upgrade, and
//! unknown users answered at the same cost as known ones.
//!
//! Run it with `cargo run --example password_login`.
//!
//! The "database" is a map; the passwords are samples.

#![allow(clippy::print_stdout)] // printing is this example's job

use std::collections::HashMap;

use seckit::SecretString;
use seckit::password::{PasswordHasher, PasswordPolicy};

struct Users {
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    rows: HashMap<String, String>, // username -> stored hash
}

impl Users {
    fn register(&mut self, username: &str, password: &SecretString) -> seckit::Result<()> {
        let violations = self.policy.violations(password, Some(username), None);
        if let Some(first) = violations.first() {
            let codes: Vec<String> = violations.iter().map(|v| v.code()).collect();
            println!("  register {username}: refused: {}", codes.join(", "));
            return Err(first.clone().into());
        }
        let stored = self.hasher.hash(password)?;
        println!("  register {username}: stored an {} hash", scheme(&stored));
        self.rows.insert(username.to_owned(), stored);
        Ok(())
    }

    fn login(&mut self, username: &str, password: &SecretString) -> seckit::Result<()> {
        let Some(stored) = self.rows.get(username) else {
            // Same cost as a real check: timing does not reveal who exists.
            return self.hasher.dummy_verify(password);
        };
        let verified = self.hasher.verify_and_upgrade(password, stored)?;
        if let Some(new_hash) = verified.into_rehash() {
            println!(
                "  login {username}: upgraded {} → {}",
                scheme(stored),
                scheme(&new_hash)
            );
            self.rows.insert(username.to_owned(), new_hash);
        }
        Ok(())
    }
}

/// The scheme of a stored hash (`argon2id`, `2b`), for the log.
fn scheme(stored: &str) -> &str {
    stored.split('$').nth(1).unwrap_or("unknown")
}

fn main() -> seckit::Result<()> {
    let mut users = Users {
        hasher: PasswordHasher::new(),
        policy: PasswordPolicy::default(),
        rows: HashMap::new(),
    };
    // A row from the old PHP/Python system: bcrypt, cost 10.
    let legacy = PasswordHasher::builder().bcrypt(10).build()?;
    users.rows.insert(
        "olduser".into(),
        legacy.hash(&SecretString::from("legacy sample passphrase"))?,
    );

    println!("registration:");
    for (user, password) in [
        ("alice", "password1"),
        ("alice", "alice-rocks"),
        ("alice", "violet otter kayak 42"),
    ] {
        let _ = users.register(user, &SecretString::from(password));
    }

    println!("login:");
    for (user, password) in [
        ("alice", "violet otter kayak 42"),
        ("alice", "wrong guess"),
        ("olduser", "legacy sample passphrase"),
        ("olduser", "legacy sample passphrase"),
        ("nobody", "anything"),
    ] {
        match users.login(user, &SecretString::from(password)) {
            Ok(()) => println!("  login {user}: ok"),
            // The log line is specific; the client sees one generic message.
            Err(e) => println!("  login {user}: {e} → client sees {:?}", e.public_message()),
        }
    }
    Ok(())
}
