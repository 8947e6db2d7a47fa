//! Password hashes across implementations, both directions.
//!
//! - `tests/fixtures/password/python-hashes.json`: hashes made by argon2-cffi
//!   (the reference C Argon2), pyca bcrypt (OpenBSD's code), passlib's own
//!   bcrypt, and Openwall's crypt_blowfish vectors. seckit must verify each,
//!   and refuse each with a wrong password.
//! - `tests/fixtures/password/seckit-hashes.json`: hashes made by seckit and
//!   verified by argon2-cffi or pyca bcrypt (the `verified_by` field, written
//!   by `generate.py check-seckit`).
//!
//! Both files were made by `tests/fixtures/password/generate.py`.
#![cfg(feature = "password")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use seckit::password::PasswordHasher;
use seckit::{ErrorKind, SecretString};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Fixture {
    generated_by: serde_json::Value,
    cases: Vec<Case>,
}

#[derive(Deserialize, Serialize)]
struct Case {
    #[serde(rename = "impl", default)]
    implementation: String,
    password: String,
    hash: String,
    note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verified_by: Option<String>,
}

fn load(name: &str) -> Fixture {
    let path = format!(
        "{}/tests/fixtures/password/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn verifies_hashes_made_by_other_implementations() {
    let hasher = PasswordHasher::new();
    let fixture = load("python-hashes.json");
    assert!(fixture.cases.len() >= 30);
    let mut by_impl = std::collections::BTreeMap::<&str, usize>::new();
    for case in &fixture.cases {
        let password = SecretString::from(case.password.as_str());
        hasher
            .verify(&password, &case.hash)
            .unwrap_or_else(|e| panic!("{} / {}: {e}", case.implementation, case.note));
        // Only the first 72 bytes count for bcrypt, so a suffix cannot be
        // told apart there; everywhere else it must fail.
        if !(case.hash.starts_with("$2") && case.password.len() >= 72) {
            let wrong = SecretString::from(format!("{}x", case.password));
            let e = hasher.verify(&wrong, &case.hash).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{}", case.note);
        }
        // Everything weaker than an OWASP Argon2id hash, or of another
        // scheme, is due for an upgrade; the OWASP-parameter argon2id hash
        // and argon2-cffi's default profile (stronger) are not.
        let current = [
            "argon2-cffi default profile",
            "argon2id m=19456 t=2 p=1 salt=16 tag=32 v=19",
        ];
        let upgrade = hasher.needs_rehash(&case.hash).unwrap();
        assert_eq!(
            upgrade,
            !current.contains(&case.note.as_str()),
            "{}",
            case.note
        );
        *by_impl.entry(case.implementation.as_str()).or_default() += 1;
    }
    assert_eq!(
        by_impl.keys().copied().collect::<Vec<_>>(),
        [
            "argon2-cffi",
            "crypt_blowfish-vectors",
            "passlib-builtin",
            "pyca-bcrypt"
        ]
    );
}

#[test]
fn hashes_made_by_seckit_were_verified_elsewhere() {
    let hasher = PasswordHasher::new();
    let fixture = load("seckit-hashes.json");
    assert!(fixture.cases.len() >= 6);
    for case in &fixture.cases {
        let by = case
            .verified_by
            .as_deref()
            .unwrap_or_else(|| panic!("{} was never checked", case.note));
        assert!(
            by.starts_with("argon2-cffi ") || by.starts_with("pyca-bcrypt "),
            "{by}"
        );
        hasher
            .verify(&SecretString::from(case.password.as_str()), &case.hash)
            .unwrap();
    }
}

/// Writes `seckit-hashes.json` for `generate.py check-seckit` to verify.
/// Run by hand: `cargo test --all-features --test password_interop -- --ignored`.
#[test]
#[ignore = "writes a fixture; run by hand before generate.py check-seckit"]
fn write_seckit_hashes() {
    use seckit::password::Argon2Params;
    let argon = PasswordHasher::new();
    let rfc = PasswordHasher::builder()
        .argon2id(Argon2Params::RFC9106_LOW_MEMORY)
        .build()
        .unwrap();
    let bcrypt = PasswordHasher::builder().bcrypt(10).build().unwrap();
    let mut cases = Vec::new();
    for (note, hasher) in [
        ("argon2id OWASP", &argon),
        ("argon2id RFC 9106 low-memory", &rfc),
        ("bcrypt cost 10", &bcrypt),
    ] {
        for password in ["correct horse battery staple", "pässwörd ✓ 日本語"] {
            cases.push(Case {
                implementation: "seckit".into(),
                password: password.into(),
                hash: hasher.hash(&SecretString::from(password)).unwrap(),
                note: format!("{note}: {password}"),
                verified_by: None,
            });
        }
    }
    let fixture = Fixture {
        generated_by: serde_json::json!({ "seckit": env!("CARGO_PKG_VERSION") }),
        cases,
    };
    let path = format!(
        "{}/tests/fixtures/password/seckit-hashes.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::write(path, serde_json::to_string_pretty(&fixture).unwrap() + "\n").unwrap();
}
