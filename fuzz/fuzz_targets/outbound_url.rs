//! OutboundUrl on arbitrary text: never a panic; whatever is accepted is
//! https, has no userinfo, parses again to itself, and a literal host is
//! never in a special-purpose range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seckit::validate::{OutboundHost, OutboundUrl, special_purpose};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for input in [text.to_owned(), format!("https://{text}")] {
        let Ok(url) = OutboundUrl::parse(&input) else {
            continue;
        };
        assert!(url.as_str().starts_with("https://"));
        assert!(url.is_https());
        assert_eq!(
            OutboundUrl::parse(url.as_str()).expect("normalized form parses"),
            url
        );
        match url.host() {
            OutboundHost::V4(ip) => assert!(special_purpose((*ip).into()).is_none()),
            OutboundHost::V6(ip) => assert!(special_purpose((*ip).into()).is_none()),
            OutboundHost::Name(name) => {
                assert!(name.contains('.') && !name.ends_with('.'));
                assert!(!name.contains('@'));
            }
        }
    }
});
