//! OutboundUrl: a table of hostile URLs (each with the rule that refuses
//! it) and good ones, the DNS step with a scripted resolver (every address
//! checked, one lookup, pinned addresses), redirects, and property tests.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::cell::Cell;
use std::net::{IpAddr, SocketAddr};

use proptest::prelude::*;
use seckit::validate::{OutboundHost, OutboundPolicy, OutboundUrl, special_purpose};

/// (URL, the violation code that refuses it).
const HOSTILE: &[(&str, &str)] = &[
    // Cloud metadata and loopback, literally.
    (
        "http://169.254.169.254/latest/meta-data/",
        "url.scheme_not_allowed",
    ),
    (
        "https://169.254.169.254/latest/meta-data/",
        "url.special_purpose_address",
    ),
    ("https://127.0.0.1/", "url.special_purpose_address"),
    (
        "https://127.255.255.254:8443/admin",
        "url.special_purpose_address",
    ),
    ("https://0.0.0.0/", "url.special_purpose_address"),
    ("https://10.0.0.1/", "url.special_purpose_address"),
    ("https://172.16.0.1/", "url.special_purpose_address"),
    ("https://172.31.255.255/", "url.special_purpose_address"),
    ("https://192.168.1.1/", "url.special_purpose_address"),
    ("https://100.64.0.1/", "url.special_purpose_address"),
    ("https://100.127.255.255/", "url.special_purpose_address"),
    ("https://192.0.0.8/", "url.special_purpose_address"),
    ("https://192.0.2.10/", "url.special_purpose_address"),
    ("https://198.18.0.1/", "url.special_purpose_address"),
    ("https://198.51.100.7/", "url.special_purpose_address"),
    ("https://203.0.113.9/", "url.special_purpose_address"),
    ("https://224.0.0.1/", "url.special_purpose_address"),
    ("https://239.255.255.250/", "url.special_purpose_address"),
    ("https://240.0.0.1/", "url.special_purpose_address"),
    ("https://255.255.255.255/", "url.special_purpose_address"),
    ("https://192.88.99.1/", "url.special_purpose_address"),
    // Odd IPv4 spellings: refused, not guessed.
    ("https://0177.0.0.1/", "url.odd_ipv4"),
    ("https://0x7f.0.0.1/", "url.odd_ipv4"),
    ("https://0x7f.1/", "url.odd_ipv4"),
    ("https://0x7f000001/", "url.odd_ipv4"),
    ("https://2130706433/", "url.odd_ipv4"),
    ("https://017700000001/", "url.odd_ipv4"),
    ("https://127.1/", "url.odd_ipv4"),
    ("https://127.0.1/", "url.odd_ipv4"),
    ("https://1.2.3.4.5/", "url.odd_ipv4"),
    ("https://256.1.1.1/", "url.odd_ipv4"),
    ("https://08.8.8.8/", "url.odd_ipv4"),
    ("https://8.8.8.08/", "url.odd_ipv4"),
    ("https://0/", "url.odd_ipv4"),
    ("https://169.254.43518/", "url.odd_ipv4"),
    ("https://example.com.0x1/", "url.odd_ipv4"),
    // Trailing dots.
    ("https://127.0.0.1./", "url.trailing_dot"),
    ("https://localhost./", "url.trailing_dot"),
    ("https://example.com./", "url.trailing_dot"),
    // IPv6 literals.
    ("https://[::1]/", "url.special_purpose_address"),
    ("https://[::]/", "url.special_purpose_address"),
    ("https://[::ffff:127.0.0.1]/", "url.special_purpose_address"),
    ("https://[::ffff:7f00:1]/", "url.special_purpose_address"),
    (
        "https://[::ffff:169.254.169.254]/",
        "url.special_purpose_address",
    ),
    ("https://[::127.0.0.1]/", "url.special_purpose_address"),
    ("https://[64:ff9b::7f00:1]/", "url.special_purpose_address"),
    (
        "https://[64:ff9b::a9fe:a9fe]/",
        "url.special_purpose_address",
    ),
    ("https://[64:ff9b:1::1]/", "url.special_purpose_address"),
    ("https://[2002:7f00:1::1]/", "url.special_purpose_address"),
    ("https://[2002:a9fe:a9fe::]/", "url.special_purpose_address"),
    ("https://[2001::1]/", "url.special_purpose_address"),
    ("https://[2001:db8::1]/", "url.special_purpose_address"),
    ("https://[fc00::1]/", "url.special_purpose_address"),
    ("https://[fd12:3456::1]/", "url.special_purpose_address"),
    ("https://[fe80::1]/", "url.special_purpose_address"),
    ("https://[fec0::1]/", "url.special_purpose_address"),
    ("https://[ff02::1]/", "url.special_purpose_address"),
    ("https://[100::1]/", "url.special_purpose_address"),
    ("https://[3fff::1]/", "url.special_purpose_address"),
    ("https://[fe80::1%25eth0]/", "url.invalid_host"),
    ("https://[::1/", "url.invalid_host"),
    // Special-use and single-label names.
    ("https://localhost/", "url.single_label"),
    ("https://LOCALHOST:8080/", "url.single_label"),
    ("https://app.localhost/", "url.special_use_name"),
    ("https://printer.local/", "url.special_use_name"),
    ("https://db.internal/", "url.special_use_name"),
    ("https://x.test/", "url.special_use_name"),
    ("https://nothing.invalid/", "url.special_use_name"),
    ("https://1.0.0.127.in-addr.arpa/", "url.special_use_name"),
    ("https://router.home.arpa/", "url.special_use_name"),
    ("https://hidden.onion/", "url.special_use_name"),
    ("https://metadata/computeMetadata/v1/", "url.single_label"),
    ("https://intranet/", "url.single_label"),
    // Userinfo and authority tricks.
    ("https://user@example.com/", "url.userinfo"),
    ("https://user:pass@example.com/", "url.userinfo"),
    ("https://example.com@127.0.0.1/", "url.userinfo"),
    ("https://example.com\\@127.0.0.1/", "url.invalid_char"),
    ("https://127.0.0.1%2f@example.com/", "url.userinfo"),
    ("https://exa mple.com/", "url.invalid_char"),
    ("https://exa\u{0}mple.com/", "url.invalid_char"),
    ("https://ex\u{e4}mple.com/", "url.invalid_char"),
    ("https://example.com\r\nHost: evil/", "url.invalid_char"),
    ("https://%31%32%37.0.0.1/", "url.odd_ipv4"),
    ("https://%31%32%37.example.com/", "url.invalid_host"),
    ("https://-bad-.example.com/", "url.invalid_host"),
    ("https://a..b.com/", "url.invalid_host"),
    ("https:///path", "url.invalid_host"),
    ("https://:443/", "url.invalid_host"),
    // Ports.
    ("https://example.com:0/", "url.invalid_port"),
    ("https://example.com:65536/", "url.invalid_port"),
    ("https://example.com:0443/", "url.invalid_port"),
    ("https://example.com:/", "url.invalid_port"),
    ("https://example.com:http/", "url.invalid_port"),
    // Schemes.
    ("http://example.com/", "url.scheme_not_allowed"),
    ("file:///etc/passwd", "url.scheme_not_allowed"),
    ("gopher://127.0.0.1:6379/_INFO", "url.scheme_not_allowed"),
    ("ftp://example.com/", "url.scheme_not_allowed"),
    ("dict://127.0.0.1:11211/", "url.scheme_not_allowed"),
    ("//example.com/", "url.scheme_not_allowed"),
    ("example.com", "url.scheme_not_allowed"),
    ("javascript:alert(1)", "url.scheme_not_allowed"),
];

/// (URL, its normalized form).
const GOOD: &[(&str, &str)] = &[
    ("https://example.com/", "https://example.com/"),
    ("https://example.com", "https://example.com/"),
    (
        "HTTPS://Hooks.Example.COM/In?A=B",
        "https://hooks.example.com/In?A=B",
    ),
    ("https://example.com:443/x", "https://example.com/x"),
    (
        "https://example.com:8443/x#frag",
        "https://example.com:8443/x#frag",
    ),
    ("https://xn--bcher-kva.com/", "https://xn--bcher-kva.com/"),
    ("https://93.184.215.14/hook", "https://93.184.215.14/hook"),
    ("https://8.8.8.8/", "https://8.8.8.8/"),
    (
        "https://[2606:4700:4700::1111]/",
        "https://[2606:4700:4700::1111]/",
    ),
    (
        "https://[::ffff:5db8:d70e]/",
        "https://[::ffff:93.184.215.14]/",
    ),
    (
        "https://api.github.com/repos?x=1",
        "https://api.github.com/repos?x=1",
    ),
    (
        "https://a-b.c-d.example.org/p/a/t/h",
        "https://a-b.c-d.example.org/p/a/t/h",
    ),
    ("https://1e100.net/", "https://1e100.net/"),
    ("https://example.com?q", "https://example.com/?q"),
];

#[test]
fn hostile_urls_are_refused_by_the_rule_named() {
    assert!(HOSTILE.len() >= 60, "{}", HOSTILE.len());
    for (url, code) in HOSTILE {
        let err = OutboundUrl::parse(url).expect_err(url);
        assert_eq!(err.violation().unwrap().code(), *code, "{url}");
        // The error never quotes the URL.
        assert!(
            !err.to_string().contains(&url[8.min(url.len())..]) || url.len() < 12,
            "{url}"
        );
    }
}

#[test]
fn good_urls_are_accepted_and_normalized() {
    assert!(GOOD.len() >= 10);
    for (url, normal) in GOOD {
        let parsed = OutboundUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(parsed.as_str(), *normal, "{url}");
        // Normalizing is idempotent.
        assert_eq!(OutboundUrl::parse(parsed.as_str()).unwrap(), parsed);
    }
    let url = OutboundUrl::parse("https://example.com:8443/").unwrap();
    assert_eq!(
        (url.port(), url.is_https(), url.host_str().as_str()),
        (8443, true, "example.com")
    );
    assert_eq!(url.host(), &OutboundHost::Name("example.com".into()));
}

#[test]
fn http_and_internal_destinations_only_by_name() {
    let http = OutboundPolicy::new().allow_http();
    assert_eq!(
        OutboundUrl::parse_with("http://example.com/", &http)
            .unwrap()
            .port(),
        80
    );
    assert!(OutboundUrl::parse_with("http://127.0.0.1/", &http).is_err());
    let internal = OutboundPolicy::new()
        .allow_host("hooks.internal")
        .unwrap()
        .allow_network("10.1.0.0".parse().unwrap(), 16)
        .unwrap();
    let url = OutboundUrl::parse_with("https://hooks.internal/in", &internal).unwrap();
    // The name is allowed; its addresses still have to be.
    let ok =
        url.resolve_with(|_, port| Ok(vec![SocketAddr::new("10.1.2.3".parse().unwrap(), port)]));
    assert_eq!(ok.unwrap().addrs().len(), 1);
    let bad =
        url.resolve_with(|_, port| Ok(vec![SocketAddr::new("10.2.0.1".parse().unwrap(), port)]));
    assert_eq!(
        bad.unwrap_err().violation().unwrap().code(),
        "url.special_purpose_address"
    );
    assert!(OutboundUrl::parse_with("https://10.1.9.9/", &internal).is_ok());
    assert!(OutboundUrl::parse_with("https://10.3.0.1/", &internal).is_err());
    assert!(OutboundUrl::parse_with("https://other.internal/", &internal).is_err());
    assert!(
        OutboundPolicy::new()
            .allow_network("10.0.0.0".parse().unwrap(), 33)
            .is_err()
    );
}

#[test]
fn every_resolved_address_is_checked_once_and_pinned() {
    let url = OutboundUrl::parse("https://hooks.example.com/in").unwrap();
    let calls = Cell::new(0);
    // One public and one internal answer: the whole URL is refused.
    let err = url
        .resolve_with(|host, port| {
            calls.set(calls.get() + 1);
            assert_eq!((host, port), ("hooks.example.com", 443));
            Ok(vec![
                SocketAddr::new("93.184.215.14".parse().unwrap(), 443),
                SocketAddr::new("127.0.0.1".parse().unwrap(), 443),
            ])
        })
        .unwrap_err();
    assert_eq!(
        err.violation().unwrap().code(),
        "url.special_purpose_address"
    );
    assert_eq!(calls.get(), 1);
    // Rebinding: the first answer is public and is what the connection
    // gets; a later answer of 127.0.0.1 is never asked for.
    let answers = [
        vec!["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
        vec!["127.0.0.1"],
    ];
    let calls = Cell::new(0);
    let resolved = url
        .resolve_with(|_, _| {
            let i = calls.get();
            calls.set(i + 1);
            Ok(answers[i]
                .iter()
                .map(|a| SocketAddr::new(a.parse().unwrap(), 9999))
                .collect())
        })
        .unwrap();
    assert_eq!(calls.get(), 1);
    let ips: Vec<IpAddr> = resolved.addrs().iter().map(SocketAddr::ip).collect();
    assert_eq!(ips.len(), 2);
    assert!(ips.iter().all(|ip| special_purpose(*ip).is_none()));
    // The port is the URL's, whatever the resolver said.
    assert!(resolved.addrs().iter().all(|a| a.port() == 443));
    // Nothing, an error, or too many answers.
    assert!(url.resolve_with(|_, _| Ok(vec![])).is_err());
    assert!(
        url.resolve_with(|_, _| Err(std::io::Error::other("nxdomain")))
            .is_err()
    );
    let many = (0..40)
        .map(|i| SocketAddr::new(IpAddr::from([93, 184, 215, i]), 443))
        .collect();
    assert_eq!(
        url.resolve_with(|_, _| Ok(many))
            .unwrap_err()
            .violation()
            .unwrap()
            .code(),
        "url.too_many_addresses"
    );
    // An IP literal is not looked up at all.
    let literal = OutboundUrl::parse("https://8.8.8.8/").unwrap();
    let r = literal
        .resolve_with(|_, _| panic!("no lookup for a literal"))
        .unwrap();
    assert_eq!(
        r.addrs(),
        &[SocketAddr::new("8.8.8.8".parse().unwrap(), 443)]
    );
    // The system resolver: a literal resolves without DNS.
    assert_eq!(literal.resolve().unwrap().addrs().len(), 1);
}

#[test]
fn redirects_are_checked_again() {
    let url = OutboundUrl::parse("https://hooks.example.com/a/b?x=1").unwrap();
    assert_eq!(
        url.redirect("/c").unwrap().as_str(),
        "https://hooks.example.com/c"
    );
    assert_eq!(
        url.redirect("https://other.example.org/").unwrap().as_str(),
        "https://other.example.org/"
    );
    for bad in [
        "https://127.0.0.1/",
        "http://example.com/",
        "//127.0.0.1/",
        "https://localhost/",
    ] {
        assert!(url.redirect(bad).is_err(), "{bad}");
    }
    let http = OutboundPolicy::new().allow_http();
    let url = OutboundUrl::parse_with("https://example.com/", &http).unwrap();
    assert_eq!(
        url.redirect("http://example.com/")
            .unwrap_err()
            .violation()
            .unwrap()
            .code(),
        "url.downgrade"
    );
}

#[test]
fn the_ranges_follow_the_iana_registries() {
    let sp = |s: &str| special_purpose(s.parse().unwrap());
    for (ip, name) in [
        ("169.254.169.254", "link-local"),
        ("100.64.0.0", "shared-address-space"),
        ("100.63.255.255", ""),
        ("100.128.0.0", ""),
        ("172.15.255.255", ""),
        ("172.32.0.0", ""),
        ("198.17.255.255", ""),
        ("198.20.0.0", ""),
        ("198.19.255.255", "benchmarking"),
        ("223.255.255.255", ""),
        ("fe80::1", "link-local"),
        ("febf::1", "link-local"),
        ("fec0::1", "site-local"),
        ("fbff::1", "reserved"),
        ("fc00::", "unique-local"),
        ("2001:db8::", "documentation"),
        ("2001:200::1", ""),
        ("2001:1ff::1", "ietf-protocol-assignments"),
        ("2002:5db8:d70e::", ""),
        ("4000::1", "reserved"),
    ] {
        assert_eq!(sp(ip).unwrap_or(""), name, "{ip}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics(s in "\\PC{0,80}", raw in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = OutboundUrl::parse(&s);
        let _ = OutboundUrl::parse(&format!("https://{s}"));
        let _ = OutboundUrl::parse(&format!("https://{}", String::from_utf8_lossy(&raw)));
    }

    #[test]
    fn an_accepted_literal_is_never_special(a in any::<[u8; 4]>(), b in any::<[u16; 8]>()) {
        let v4 = std::net::Ipv4Addr::from(a);
        let v6 = std::net::Ipv6Addr::from(b);
        for url in [format!("https://{v4}/"), format!("https://[{v6}]/")] {
            if let Ok(u) = OutboundUrl::parse(&url) {
                let r = u.resolve_with(|_, _| unreachable!()).unwrap();
                prop_assert!(r.addrs().iter().all(|a| special_purpose(a.ip()).is_none()));
            }
        }
        prop_assert_eq!(OutboundUrl::parse(&format!("https://{v4}/")).is_ok(), special_purpose(v4.into()).is_none());
    }

    #[test]
    fn numeric_hosts_other_than_dotted_quads_are_refused(n in any::<u32>(), parts in 1usize..4) {
        let host = match parts {
            1 => n.to_string(),
            2 => format!("{}.{}", n >> 24, n & 0xff_ffff),
            _ => format!("{}.{}.{}", n >> 24, (n >> 16) & 0xff, n & 0xffff),
        };
        let err = OutboundUrl::parse(&format!("https://{host}/")).unwrap_err();
        prop_assert_eq!(err.violation().unwrap().code(), "url.odd_ipv4");
        let hex = OutboundUrl::parse(&format!("https://0x{n:x}/")).unwrap_err();
        prop_assert_eq!(hex.violation().unwrap().code(), "url.odd_ipv4");
    }
}
