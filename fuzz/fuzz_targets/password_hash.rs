//! Stored password hashes (PHC and bcrypt strings) on arbitrary input:
//! parsed with the default verify limits, and verified against a fixed
//! password when the work they ask for is small.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seckit::password::PasswordHasher;
use seckit::{ErrorKind, SecretString};

fuzz_target!(|data: &[u8]| {
    let Ok(stored) = std::str::from_utf8(data) else {
        return;
    };
    let hasher = PasswordHasher::new();
    // Parsing alone: any input, default limits.
    if let Err(e) = hasher.needs_rehash(stored) {
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }
    // Full verification only where the stored cost is tiny (every number at
    // most two digits, bcrypt cost at most 6), so each run stays fast; the
    // default limits would allow seconds of honest work per input.
    let small_numbers = stored
        .split(|c: char| !c.is_ascii_digit())
        .all(|run| run.len() <= 2);
    let cheap_bcrypt =
        !stored.starts_with("$2") || stored.get(4..6).is_some_and(|cost| cost <= "06");
    if small_numbers && cheap_bcrypt {
        if let Err(e) = hasher.verify(&SecretString::from("password"), stored) {
            assert!(matches!(
                e.kind(),
                ErrorKind::InvalidInput | ErrorKind::Unauthenticated | ErrorKind::Configuration
            ));
        }
    }
});
