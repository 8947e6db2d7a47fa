//! Forwarding headers and rate-limit key parts on arbitrary bytes: the
//! client found is always the peer or an address written in the header,
//! never a panic; key parts are refused past their limit.
#![no_main]

use std::net::IpAddr;
use std::sync::LazyLock;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use seckit::net::{ClientIpConfig, ForwardedHeader, TrustedProxies};
use seckit::ratelimit::{Key, MAX_KEY_PART};

static TRUSTED: LazyLock<ClientIpConfig> = LazyLock::new(|| {
    ClientIpConfig::new(TrustedProxies::parse("10.0.0.0/8, fd00::/8").expect("valid list"))
});

fuzz_target!(|data: &[u8]| {
    let peer: IpAddr = "10.1.2.3".parse().expect("address");
    if let Ok(value) = HeaderValue::from_bytes(data) {
        for header in [ForwardedHeader::XForwardedFor, ForwardedHeader::Forwarded] {
            let mut h = HeaderMap::new();
            h.append("x-forwarded-for", value.clone());
            h.append("forwarded", value.clone());
            let config = TRUSTED.clone().with_header(header);
            let found = config.client_ip(peer, &h).addr();
            // Either the peer, or an address that was in the header.
            let text = String::from_utf8_lossy(data).to_ascii_lowercase();
            let shown = found.to_string();
            let v4_in_v6 = shown.trim_start_matches("::ffff:");
            assert!(
                found == peer
                    || text.contains(&shown)
                    || text.contains(v4_in_v6)
                    || found.is_ipv6()
            );
            // An untrusted peer: the header is never read.
            let outside: IpAddr = "203.0.113.1".parse().expect("address");
            assert_eq!(config.client_ip(outside, &h).addr(), outside);
        }
    }
    if let Ok(part) = std::str::from_utf8(data) {
        assert_eq!(Key::account(part).is_ok(), part.len() <= MAX_KEY_PART);
    }
    let _ = TrustedProxies::parse(&String::from_utf8_lossy(data));
});
