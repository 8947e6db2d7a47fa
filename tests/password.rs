//! `seckit::password`: hashing, verification, upgrades, peppers, limits.
#![cfg(feature = "password")]
// Helpers outside #[test] fns may fail loudly too: clippy.toml only covers #[test].
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use seckit::password::{Argon2Params, PasswordHasher, Pepper, Scheme, VerifyLimits};
use seckit::{ErrorKind, SecretString};

fn pw(s: &str) -> SecretString {
    SecretString::from(s)
}

fn rule(err: &seckit::Error) -> &'static str {
    err.violation().map_or("-", |v| v.rule())
}

/// A bcrypt hash made by the bcrypt crate directly, as a legacy row would be.
fn legacy_bcrypt(password: &[u8], cost: u32) -> String {
    bcrypt::hash_with_salt(password, cost, [7; 16])
        .unwrap()
        .format_for_version(bcrypt::Version::TwoB)
}

#[test]
fn argon2id_round_trip() {
    let hasher = PasswordHasher::new();
    assert_eq!(hasher.scheme(), Scheme::Argon2id(Argon2Params::OWASP));
    let stored = hasher.hash(&pw("correct horse")).unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    // 16-byte salt (22 chars) and 32-byte tag (43 chars), unpadded base64.
    let parts: Vec<&str> = stored.split('$').collect();
    assert_eq!((parts[4].len(), parts[5].len()), (22, 43));
    hasher.verify(&pw("correct horse"), &stored).unwrap();
    assert_ne!(
        hasher.hash(&pw("correct horse")).unwrap(),
        stored,
        "fresh salt every time"
    );

    let e = hasher.verify(&pw("correct horsf"), &stored).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert_eq!(e.to_string(), "unauthenticated: password: mismatch");
    assert_eq!(e.public_message(), "invalid credentials");
    assert!(!hasher.needs_rehash(&stored).unwrap());
    assert!(
        hasher
            .verify_and_upgrade(&pw("correct horse"), &stored)
            .unwrap()
            .rehash()
            .is_none()
    );
}

#[test]
fn presets_and_custom_parameters() {
    let hasher = PasswordHasher::builder()
        .argon2id(Argon2Params::RFC9106_LOW_MEMORY)
        .build()
        .unwrap();
    let stored = hasher.hash(&pw("p")).unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"));
    hasher.verify(&pw("p"), &stored).unwrap();
    // Hashes under the new, stronger preset need no upgrade; OWASP ones do.
    let owasp = PasswordHasher::new().hash(&pw("p")).unwrap();
    assert!(hasher.needs_rehash(&owasp).unwrap());
    let v = hasher.verify_and_upgrade(&pw("p"), &owasp).unwrap();
    assert!(
        v.rehash()
            .unwrap()
            .starts_with("$argon2id$v=19$m=65536,t=3,p=4$")
    );
}

#[test]
fn refuses_empty_and_overlong_passwords() {
    let hasher = PasswordHasher::new();
    let e = hasher.hash(&pw("")).unwrap_err();
    assert_eq!((e.kind(), rule(&e)), (ErrorKind::InvalidInput, "empty"));
    let long = pw(&"a".repeat(4097));
    let e = hasher.hash(&long).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid input: password.too_long (limit 4096)"
    );
    let stored = hasher.hash(&pw(&"a".repeat(4096))).unwrap();
    assert_eq!(
        rule(&hasher.verify(&long, &stored).unwrap_err()),
        "too_long"
    );
    assert_eq!(rule(&hasher.dummy_verify(&long).unwrap_err()), "too_long");

    let strict = PasswordHasher::builder()
        .max_password_bytes(1024)
        .build()
        .unwrap();
    assert_eq!(
        rule(&strict.hash(&pw(&"a".repeat(1025))).unwrap_err()),
        "too_long"
    );
}

#[test]
fn bcrypt_hashing_never_truncates() {
    let hasher = PasswordHasher::builder().bcrypt(10).build().unwrap();
    assert_eq!(hasher.scheme(), Scheme::Bcrypt { cost: 10 });
    let exactly_72 = "b".repeat(72);
    let stored = hasher.hash(&pw(&exactly_72)).unwrap();
    assert!(stored.starts_with("$2b$10$") && stored.len() == 60);
    hasher.verify(&pw(&exactly_72), &stored).unwrap();
    // 73 bytes counted in bytes, not characters: 36 two-byte characters + 1.
    let e = hasher
        .hash(&pw(&format!("{}x", "é".repeat(36))))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid input: password.too_long_for_bcrypt (limit 72)"
    );
    assert!(hasher.hash(&pw(&"é".repeat(36))).is_ok());
}

#[test]
fn the_bcrypt_crates_non_truncating_functions_refuse_72_bytes_seckit_does_not() {
    // Upstream behaviour this module works around: bcrypt handles exactly 72
    // bytes fully, yet `non_truncating_hash` refuses them. If this starts
    // failing, the crate changed and the workaround can go.
    let exactly_72 = "n".repeat(72);
    assert!(bcrypt::non_truncating_hash(&exactly_72, 4).is_err());
    assert!(bcrypt::non_truncating_hash("n".repeat(71), 4).is_ok());
    let hasher = PasswordHasher::builder().bcrypt(10).build().unwrap();
    hasher
        .verify(&pw(&exactly_72), &hasher.hash(&pw(&exactly_72)).unwrap())
        .unwrap();
}

#[test]
fn bcrypt_over_72_bytes_verifies_like_the_reference_and_is_always_upgraded() {
    let long = format!("{}{}", "L".repeat(72), "-tail");
    // Older libraries stored the hash of the first 72 bytes.
    let stored = legacy_bcrypt(&long.as_bytes()[..72], 10);
    let argon = PasswordHasher::new();
    let v = argon.verify_and_upgrade(&pw(&long), &stored).unwrap();
    let new_hash = v.rehash().unwrap().to_owned();
    assert!(new_hash.starts_with("$argon2id$"));
    // The new hash covers the whole password: the 72-byte prefix alone no
    // longer works.
    argon.verify(&pw(&long), &new_hash).unwrap();
    assert_eq!(
        argon
            .verify(&pw(&long[..72]), &new_hash)
            .unwrap_err()
            .kind(),
        ErrorKind::Unauthenticated
    );

    // A bcrypt hasher at a higher cost still says "upgrade" (cost), but
    // cannot hash a >72-byte password, so it offers no replacement.
    let bcrypt_hasher = PasswordHasher::builder().bcrypt(10).build().unwrap();
    let current = legacy_bcrypt(&long.as_bytes()[..72], 10);
    assert!(!bcrypt_hasher.needs_rehash(&current).unwrap());
    assert!(
        bcrypt_hasher
            .verify_and_upgrade(&pw(&long), &current)
            .unwrap()
            .rehash()
            .is_none()
    );
}

#[test]
fn legacy_hashes_are_upgraded_on_login() {
    let hasher = PasswordHasher::new();
    let bcrypt_row = legacy_bcrypt(b"hunter2", 4);
    assert!(hasher.needs_rehash(&bcrypt_row).unwrap());
    let v = hasher
        .verify_and_upgrade(&pw("hunter2"), &bcrypt_row)
        .unwrap();
    let upgraded = v.into_rehash().unwrap();
    assert!(upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    hasher.verify(&pw("hunter2"), &upgraded).unwrap();
    assert!(!hasher.needs_rehash(&upgraded).unwrap());
    // A wrong password gives no upgrade, only the error.
    assert_eq!(
        hasher
            .verify_and_upgrade(&pw("hunter3"), &bcrypt_row)
            .unwrap_err()
            .kind(),
        ErrorKind::Unauthenticated
    );

    // Other variants and weaker Argon2id parameters are upgraded too.
    let current = hasher.hash(&pw("x")).unwrap();
    for (from, to) in [
        ("$argon2id$", "$argon2i$"),
        ("m=19456", "m=19455"),
        ("t=2", "t=1"),
    ] {
        let older = current.replacen(from, to, 1);
        assert!(hasher.needs_rehash(&older).unwrap(), "{to}");
    }
    // Stronger-than-current parameters are left alone.
    assert!(
        !hasher
            .needs_rehash(&current.replacen("m=19456", "m=30000", 1))
            .unwrap()
    );

    // A bcrypt hasher upgrades Argon2 rows, lower costs and $2a$/$2y$ rows.
    let bh = PasswordHasher::builder().bcrypt(10).build().unwrap();
    assert!(bh.needs_rehash(&current).unwrap());
    assert!(bh.needs_rehash(&legacy_bcrypt(b"x", 4)).unwrap());
    assert!(
        bh.needs_rehash(&legacy_bcrypt(b"x", 10).replacen("$2b$", "$2a$", 1))
            .unwrap()
    );
    assert!(!bh.needs_rehash(&legacy_bcrypt(b"x", 10)).unwrap());
}

#[test]
fn malformed_unsupported_and_hostile_hashes_are_distinguishable() {
    let hasher = PasswordHasher::new();
    let p = pw("whatever");
    for (stored, want) in [
        ("not a hash", "malformed"),
        ("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ", "malformed"),
        (
            "$scrypt$ln=16,r=8,p=1$c2FsdHNhbHQ$c2FsdHNhbHQ",
            "unsupported_scheme",
        ),
        (
            "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$c2FsdHNhbHRzYWx0c2FsdA",
            "over_verify_limits",
        ),
        (
            "$argon2id$v=19$m=19456,t=1000000000,p=1$c2FsdHNhbHQ$c2FsdHNhbHRzYWx0c2FsdA",
            "over_verify_limits",
        ),
        (
            "$argon2id$v=19$m=19456,t=2,p=255$c2FsdHNhbHQ$c2FsdHNhbHRzYWx0c2FsdA",
            "over_verify_limits",
        ),
        (
            "$2b$31$L6Bc/AlTQHyd9liGgGEZyOFLPHNgyxeEPfgYfBCVxJ7JIlwxyVU3u",
            "over_verify_limits",
        ),
    ] {
        for result in [
            hasher.verify(&p, stored).map(|_| ()),
            hasher.needs_rehash(stored).map(|_| ()),
        ] {
            let e = result.unwrap_err();
            // The server's stored data is at fault: 500, never the client's 400.
            assert_eq!(
                (e.kind(), rule(&e)),
                (ErrorKind::Internal, want),
                "{stored}"
            );
            assert_eq!(e.public_message(), "internal error");
            assert!(!e.to_string().contains(stored));
        }
    }
    // A service that really stores 512 MiB hashes raises the ceiling.
    let mut limits = VerifyLimits::default();
    limits.max_bcrypt_cost = 31;
    let relaxed = PasswordHasher::builder()
        .verify_limits(limits)
        .build()
        .unwrap();
    // Parsed now (no work is done by needs_rehash), and due for an upgrade.
    assert!(
        relaxed
            .needs_rehash("$2b$31$L6Bc/AlTQHyd9liGgGEZyOFLPHNgyxeEPfgYfBCVxJ7JIlwxyVU3u")
            .unwrap()
    );
}

#[test]
fn peppers_and_their_rotation() {
    let old = Pepper::new("p1", seckit::random::secret_bytes(32).unwrap()).unwrap();
    let new = Pepper::new("p2", seckit::random::secret_bytes(32).unwrap()).unwrap();
    let v1 = PasswordHasher::builder()
        .pepper(old.clone())
        .build()
        .unwrap();
    let stored = v1.hash(&pw("pw")).unwrap();
    assert!(stored.contains(",keyid=cDE$"), "{stored}");
    v1.verify(&pw("pw"), &stored).unwrap();

    // Without the pepper the hash cannot be checked: a configuration error.
    let e = PasswordHasher::new()
        .verify(&pw("pw"), &stored)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    // A different secret under the same id is simply a mismatch.
    let impostor = Pepper::new("p1", seckit::random::secret_bytes(32).unwrap()).unwrap();
    let wrong = PasswordHasher::builder().pepper(impostor).build().unwrap();
    assert_eq!(
        wrong.verify(&pw("pw"), &stored).unwrap_err().kind(),
        ErrorKind::Unauthenticated
    );

    // Rotation: the new pepper is current, the old one retired.
    let v2 = PasswordHasher::builder()
        .pepper(new)
        .retired_pepper(old)
        .build()
        .unwrap();
    let upgraded = v2
        .verify_and_upgrade(&pw("pw"), &stored)
        .unwrap()
        .into_rehash()
        .unwrap();
    assert!(upgraded.contains(",keyid=cDI$"), "{upgraded}");
    v2.verify(&pw("pw"), &upgraded).unwrap();
    assert!(!v2.needs_rehash(&upgraded).unwrap());
    // Unpeppered rows are upgraded to the pepper too.
    let plain = PasswordHasher::new().hash(&pw("pw")).unwrap();
    assert!(v2.needs_rehash(&plain).unwrap());
    // Debug never shows the pepper's secret.
    assert!(format!("{v2:?}").contains("Secret([REDACTED])"));
}

#[test]
fn builder_refuses_unsafe_configurations() {
    let key = || seckit::random::secret_bytes(32).unwrap();
    let cases: Vec<(seckit::Result<PasswordHasher>, &str)> = vec![
        (
            PasswordHasher::builder().bcrypt(9).build(),
            "password.bcrypt_cost",
        ),
        (
            PasswordHasher::builder().bcrypt(32).build(),
            "password.bcrypt_cost",
        ),
        (
            PasswordHasher::builder().bcrypt(16).build(),
            "password.verify_limits",
        ),
        (
            PasswordHasher::builder()
                .bcrypt(12)
                .pepper(Pepper::new("a", key()).unwrap())
                .build(),
            "password.pepper",
        ),
        (
            PasswordHasher::builder()
                .pepper(Pepper::new("a", key()).unwrap())
                .retired_pepper(Pepper::new("a", key()).unwrap())
                .build(),
            "password.pepper",
        ),
        (
            PasswordHasher::builder().max_password_bytes(1023).build(),
            "password.max_password_bytes",
        ),
        (
            PasswordHasher::builder()
                .argon2id(Argon2Params::new(524_288, 2, 1).unwrap())
                .build(),
            "password.verify_limits",
        ),
    ];
    for (result, setting) in cases {
        let e = result.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(
            e.to_string()
                .starts_with(&format!("configuration: {setting}: ")),
            "{e}"
        );
    }
    assert!(Pepper::new("toolongid", key()).is_err());
    assert!(Pepper::new("a-b", key()).is_err());
    assert!(
        Pepper::new(
            "ok",
            SecretString::from("short")
                .expose_secret()
                .as_bytes()
                .into()
        )
        .is_err()
    );
}

#[test]
fn dummy_verify_fails_like_a_wrong_password() {
    let hasher = PasswordHasher::new();
    let e = hasher.dummy_verify(&pw("anything")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert_eq!(e.to_string(), "unauthenticated: password: unknown user");
    let stored = hasher.hash(&pw("x")).unwrap();
    let wrong = hasher.verify(&pw("y"), &stored).unwrap_err();
    assert_eq!(e.public_message(), wrong.public_message());
    let bh = PasswordHasher::builder().bcrypt(10).build().unwrap();
    assert_eq!(
        bh.dummy_verify(&pw(&"z".repeat(100))).unwrap_err().kind(),
        ErrorKind::Unauthenticated
    );
}

#[test]
fn hasher_is_shareable_across_threads() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<PasswordHasher>();
    let hasher = PasswordHasher::new();
    let stored = hasher.hash(&pw("threaded")).unwrap();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (h, s) = (hasher.clone(), stored.clone());
            std::thread::spawn(move || h.verify(&pw("threaded"), &s))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap().unwrap();
    }
}

/// Issue 13, item 12: with a pepper configured, a pepperless hash planted
/// in the users table (Argon2 without `keyid`, or bcrypt) no longer logs
/// its planter in, unless the migration opt-out is on; then it verifies
/// and is re-hashed with the pepper.
#[test]
fn a_peppered_hasher_refuses_pepperless_hashes_unless_migrating() {
    let pepper = Pepper::new("p1", seckit::random::secret_bytes(32).unwrap()).unwrap();
    let known = pw("attacker knows this");
    let planted_argon2 = PasswordHasher::new().hash(&known).unwrap();
    let planted_bcrypt = bcrypt::hash("attacker knows this", 10).unwrap();

    let strict = PasswordHasher::builder()
        .pepper(pepper.clone())
        .build()
        .unwrap();
    for planted in [&planted_argon2, &planted_bcrypt] {
        for result in [
            strict.verify(&known, planted),
            strict.verify_and_upgrade(&known, planted).map(|_| ()),
        ] {
            let e = result.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{planted}");
            assert_eq!(
                e.to_string(),
                "unauthenticated: password: stored hash has no pepper and this hasher requires one"
            );
            assert_eq!(e.public_message(), "invalid credentials");
        }
        // Still reported as due for an upgrade.
        assert!(strict.needs_rehash(planted).unwrap());
    }
    // Its own hashes (and a retired pepper's) still verify.
    let own = strict.hash(&known).unwrap();
    strict.verify(&known, &own).unwrap();

    let migrating = PasswordHasher::builder()
        .pepper(pepper)
        .require_pepper(false)
        .build()
        .unwrap();
    for planted in [&planted_argon2, &planted_bcrypt] {
        let rehash = migrating
            .verify_and_upgrade(&known, planted)
            .unwrap()
            .into_rehash()
            .unwrap();
        assert!(rehash.contains(",keyid=cDE$"), "{rehash}");
        strict.verify(&known, &rehash).unwrap();
    }
    // Without a pepper the option changes nothing.
    let plain = PasswordHasher::builder()
        .require_pepper(true)
        .build()
        .unwrap();
    plain.verify(&known, &planted_argon2).unwrap();
}

/// Issue 13, item 14: peppers pass the crate's one set of key rules.
#[test]
fn peppers_pass_the_crate_key_rules() {
    for weak in [
        vec![0u8; 32],
        b"changeme-changeme-changeme-changeme".to_vec(),
        b"0123456789abcdefghijklmnopqrstuvwxyz".to_vec(),
        b"abcdefghabcdefghabcdefghabcdefgh".to_vec(),
    ] {
        let e = Pepper::new("p1", weak.as_slice().into()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(
            e.to_string()
                .starts_with("configuration: password.pepper: "),
            "{e}"
        );
    }
}
