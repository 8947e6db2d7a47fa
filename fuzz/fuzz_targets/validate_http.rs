//! HTTP input parsers on arbitrary input: Basic credentials, Bearer tokens,
//! origins, URIs and numeric ids.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use seckit::validate::{BasicCredentials, OriginAllowList, PositiveId, bearer_token, check_uri};

static ORIGINS: LazyLock<OriginAllowList> = LazyLock::new(|| {
    OriginAllowList::new()
        .allow("https://app.example")
        .and_then(|l| l.allow_subdomains_of("https://t.example"))
        .expect("valid configuration")
});

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    // A refused header is a failed authentication with a reason, never
    // an input error (RFC 6750: 401 with a challenge).
    match BasicCredentials::parse(input) {
        Ok(c) => assert!(!c.user_id().is_empty() && !c.user_id().contains(':')),
        Err(e) => assert!(e.auth_reason().is_some()),
    }
    match bearer_token(input) {
        Ok(token) => assert!(input.ends_with(token)),
        Err(e) => assert!(e.auth_reason().is_some()),
    }
    if ORIGINS.is_allowed(input) {
        let lower = input.to_ascii_lowercase();
        assert!(lower.contains("app.example") || lower.contains(".t.example"));
    }
    let _ = check_uri(input, 2048);
    if let Ok(id) = PositiveId::parse(input) {
        assert_eq!(id.to_string(), input);
    }
});
