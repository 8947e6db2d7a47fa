//! API key hashing, parsing and verification on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seckit::random::{ApiKey, ApiKeyHash};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = input.parse::<ApiKeyHash>() {
        // Only the canonical form parses, so it round-trips exactly.
        assert_eq!(parsed.to_string(), input);
    }
    let stored = ApiKeyHash::from_bytes([0u8; 32]);
    if let Ok(hash) = ApiKeyHash::of(input) {
        assert!(ApiKey::verify(input, &hash).is_ok());
        assert!(ApiKey::verify(input, &stored).is_err());
    }
    let _ = ApiKey::generate(input);
});
