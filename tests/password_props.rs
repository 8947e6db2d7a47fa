//! Property tests for stored-hash handling: whatever a database row holds,
//! verification returns an error or a verdict, never a panic, and never does
//! work the row was not allowed to ask for.
#![cfg(feature = "password")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use seckit::password::PasswordHasher;
use seckit::{ErrorKind, SecretString};

const GOOD: &str = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM";
const BCRYPT: &str = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";

fn hostile_params() -> impl Strategy<Value = String> {
    // Argon2 parameter lists with any (including absurd) numbers and names.
    (
        prop_oneof![Just("m"), Just("t"), Just("p"), Just("keyid"), Just("x")],
        any::<u64>(),
        prop_oneof![Just("t"), Just("p"), Just("m")],
        any::<u32>(),
    )
        .prop_map(|(a, x, b, y)| format!("{a}={x},{b}={y},p=1"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(stored in "\\PC{0,300}") {
        let hasher = PasswordHasher::new();
        let _ = hasher.needs_rehash(&stored);
        let _ = hasher.verify(&SecretString::from("pw"), &stored);
    }

    #[test]
    fn mutated_good_hashes_never_panic(pos in 0..GOOD.len(), byte in any::<u8>(), cut in 0..GOOD.len()) {
        let hasher = PasswordHasher::new();
        let mut bytes = GOOD.as_bytes().to_vec();
        bytes[pos] = byte;
        if let Ok(mutated) = String::from_utf8(bytes) {
            match hasher.verify(&SecretString::from("password"), &mutated) {
                Ok(()) => prop_assert_eq!(&mutated, GOOD),
                // A stored hash that does not parse is the server's fault (Internal).
                Err(e) => prop_assert!(matches!(e.kind(), ErrorKind::Internal | ErrorKind::Unauthenticated)),
            }
        }
        let _ = hasher.verify(&SecretString::from("password"), &GOOD[..cut]);
    }

    #[test]
    fn hostile_argon2_parameters_are_refused_or_cheap(params in hostile_params()) {
        // Anything that parses is within the default limits (256 MiB, 10
        // passes, 16 lanes); everything else is refused as corrupt stored
        // data: Internal, with a `password_hash.*` violation.
        let stored = format!("$argon2id$v=19${params}$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM");
        let hasher = PasswordHasher::new();
        if let Err(e) = hasher.needs_rehash(&stored) {
            prop_assert_eq!(e.kind(), ErrorKind::Internal);
            prop_assert_eq!(e.violation().map(seckit::Violation::field), Some("password_hash"));
        }
    }

    #[test]
    fn bcrypt_costs_over_the_limit_are_refused_without_work(cost in 16u32..=99) {
        let stored = BCRYPT.replacen("$05$", &format!("${cost:02}$"), 1);
        let e = PasswordHasher::new().verify(&SecretString::from("U*U"), &stored).unwrap_err();
        prop_assert_eq!(e.kind(), ErrorKind::Internal);
    }
}

#[test]
fn the_seeds_themselves_verify() {
    let hasher = PasswordHasher::new();
    hasher.verify(&SecretString::from("U*U"), BCRYPT).unwrap();
    // GOOD is argon2-cffi's argon2id(m=64,t=1,p=1) of "password" with salt
    // "somesaltsomesalt".
    hasher
        .verify(&SecretString::from("password"), GOOD)
        .unwrap();
    let e = hasher
        .verify(&SecretString::from("not it"), GOOD)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
}
