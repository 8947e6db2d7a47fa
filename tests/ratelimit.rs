//! The in-process limiter and the login guard: the GCRA bound checked
//! against recorded timestamps (a fake clock, then real threads), the
//! memory bound under a key flood, hostile keys and forwarding headers,
//! headers, and the audit events.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::print_stderr)]

mod support;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderMap;
use proptest::prelude::*;
use seckit::ErrorKind;
use seckit::net::{ClientIp, ClientIpConfig, ForwardedHeader, TrustedProxies};
use seckit::ratelimit::{
    Ban, Denial, Key, LocalLimiter, Lockout, LoginGuard, LoginPolicy, ManualClock, Policy, Quota,
};
use support::{Captured, field};

const SENTINEL: &str = "SENTINEL-acct-9d2e";

fn ip(s: &str) -> ClientIp {
    ClientIp::from_peer(s.parse().unwrap())
}

/// For every pair of allowed requests i ≤ j (decided somewhere in
/// `[start, end]`, microseconds): the allowed requests decided inside
/// `[start_i, end_j]` are at most `burst + (end_j − start_i) / T`.
fn check_bound(mut allowed: Vec<(u64, u64)>, quota: Quota) {
    allowed.sort_unstable();
    let t = u64::try_from(quota.emission_interval().as_micros()).unwrap();
    let burst = u64::from(quota.burst());
    for i in 0..allowed.len() {
        let mut inside = 0u64;
        let mut last_end = 0u64;
        for &(_, e_j) in &allowed[i..] {
            // Every request counted so far was decided in [start_i, last_end].
            inside += 1;
            last_end = last_end.max(e_j);
            let window = last_end.saturating_sub(allowed[i].0);
            // GCRA: at most burst + floor(window / T) in any closed window.
            assert!(
                inside <= burst + window / t,
                "{inside} allowed in {window} µs (burst {burst}, T {t} µs)"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A fake clock and random arrivals on a few keys: the GCRA bound holds
    /// in every window, and the state of one key never leaks into another.
    #[test]
    fn the_bound_holds_in_every_window(
        rate in 1u32..50,
        burst in 1u32..10,
        gaps in proptest::collection::vec((0u64..400_000, 0usize..3), 1..300),
    ) {
        let quota = Quota::new(rate, Duration::from_secs(1)).unwrap().with_burst(burst).unwrap();
        let clock = Arc::new(ManualClock::default());
        let limiter = Policy::new("prop", quota).unwrap().clock(clock.clone()).local();
        let keys = [Key::account("a").unwrap(), Key::account("b").unwrap(), Key::account("c").unwrap()];
        let mut allowed: [Vec<(u64, u64)>; 3] = Default::default();
        let mut now = 0u64;
        for (gap, k) in gaps {
            clock.advance(Duration::from_micros(gap));
            now += gap;
            let d = limiter.check(&keys[k]);
            if d.is_allowed() {
                allowed[k].push((now, now));
                prop_assert!(d.retry_after().is_none());
            } else {
                prop_assert_eq!(d.denial(), Some(Denial::Limited));
                prop_assert!(d.retry_after().unwrap() > Duration::ZERO);
                prop_assert_eq!(d.remaining(), 0);
            }
        }
        for a in allowed {
            check_bound(a, quota);
        }
    }

    /// Forwarding headers from a peer that is not a trusted proxy are never
    /// read, whatever they say.
    #[test]
    fn an_untrusted_peer_cannot_spoof(value in "[ -~]{0,200}", peer in any::<[u8; 4]>()) {
        let peer = std::net::IpAddr::from(peer);
        let config = ClientIpConfig::new(TrustedProxies::parse("10.0.0.0/8").unwrap());
        let mut h = HeaderMap::new();
        if let Ok(v) = value.parse() {
            h.insert("x-forwarded-for", v);
        }
        if let Ok(v) = value.parse() {
            h.insert("forwarded", v);
        }
        let found = config.client_ip(peer, &h).addr();
        if !config.trusted().contains(peer) {
            prop_assert_eq!(found, peer);
        }
    }

    /// Behind trusted proxies, the client-written part of the chain is never
    /// returned: the right-most untrusted entry is.
    #[test]
    fn the_client_written_part_is_never_used(
        spoof in proptest::collection::vec(any::<[u8; 4]>(), 0..5),
        client in any::<[u8; 4]>(),
        hops in 0usize..4,
    ) {
        let client = std::net::IpAddr::from(client);
        prop_assume!(!client.to_string().starts_with("10."));
        let mut chain: Vec<String> = spoof.iter().map(|o| std::net::IpAddr::from(*o).to_string()).collect();
        chain.push(client.to_string());
        for h in 0..hops {
            chain.push(format!("10.0.0.{h}"));
        }
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", chain.join(", ").parse().unwrap());
        let config = ClientIpConfig::new(TrustedProxies::parse("10.0.0.0/8").unwrap());
        prop_assert_eq!(config.client_ip("10.9.9.9".parse().unwrap(), &headers).addr(), client);
    }

    /// Any bytes in a forwarding header: no panic.
    #[test]
    fn forwarding_headers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let config = ClientIpConfig::new(TrustedProxies::parse("0.0.0.0/0, ::/0").unwrap());
        for header in [ForwardedHeader::XForwardedFor, ForwardedHeader::Forwarded] {
            let config = config.clone().with_header(header);
            let mut h = HeaderMap::new();
            if let Ok(v) = http::HeaderValue::from_bytes(&bytes) {
                h.append("x-forwarded-for", v.clone());
                h.append("forwarded", v);
            }
            let _ = config.client_ip("127.0.0.1".parse().unwrap(), &h);
        }
    }
}

#[test]
fn an_exact_rate_client_is_never_denied() {
    let quota = Quota::new(7, Duration::from_secs(1))
        .unwrap()
        .with_burst(1)
        .unwrap();
    let clock = Arc::new(ManualClock::default());
    let limiter = Policy::new("exact", quota)
        .unwrap()
        .clock(clock.clone())
        .local();
    let key = Key::account("steady").unwrap();
    for _ in 0..10_000 {
        assert!(limiter.check(&key).is_allowed());
        clock.advance(quota.emission_interval());
    }
}

/// 64 threads hammering 10 keys for 2 s of real time, and one key paced
/// at exactly the rate: the bound holds from the recorded timestamps, and
/// the paced key is never denied.
#[test]
fn real_threads_keep_the_bound() {
    let quota = Quota::per_second(200).unwrap().with_burst(20).unwrap();
    let limiter = Arc::new(Policy::new("threads", quota).unwrap().local());
    let epoch = Instant::now();
    let us = move || u64::try_from(epoch.elapsed().as_micros()).unwrap();
    let run_for = Duration::from_secs(2);
    let keys: Vec<Key> = (0..10)
        .map(|i| Key::account(&format!("k{i}")).unwrap())
        .collect();
    let threads: Vec<_> = (0..64)
        .map(|n| {
            let limiter = limiter.clone();
            let key = keys[n % 10];
            std::thread::spawn(move || {
                let mut allowed = Vec::new();
                while epoch.elapsed() < run_for {
                    let s = us();
                    let d = limiter.check(&key);
                    let e = us();
                    if d.is_allowed() {
                        allowed.push((s, e));
                    }
                }
                (n % 10, allowed)
            })
        })
        .collect();
    let paced = {
        let limiter = limiter.clone();
        std::thread::spawn(move || {
            let key = Key::account("paced").unwrap();
            // Half the rate, spaced from the last actual send (a thread
            // woken late does not catch up in a burst).
            let step = quota.emission_interval() * 2;
            let mut denied = 0;
            let mut next = Instant::now();
            while epoch.elapsed() < run_for {
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
                denied += usize::from(!limiter.check(&key).is_allowed());
                next = Instant::now() + step;
            }
            denied
        })
    };
    let mut per_key: Vec<Vec<(u64, u64)>> = vec![Vec::new(); 10];
    for t in threads {
        let (k, allowed) = t.join().unwrap();
        per_key[k].extend(allowed);
    }
    let total: usize = per_key.iter().map(Vec::len).sum();
    assert!(total > 10 * 20, "the hammer ran: {total} allowed");
    for allowed in per_key {
        check_bound(allowed, quota);
    }
    assert_eq!(paced.join().unwrap(), 0, "the paced client was denied");
}

/// 10^6 distinct keys against a 10 000-key bound: memory stays bounded, and
/// the key being limited is not the one evicted.
#[test]
fn a_key_flood_cannot_grow_memory() {
    let clock = Arc::new(ManualClock::default());
    // Burst 5: the victim, after 6 requests, owes a minute; a new key 12 s.
    let limiter = Policy::new("flood", Quota::per_minute(5).unwrap())
        .unwrap()
        .max_keys(10_000)
        .unwrap()
        .clock(clock.clone())
        .local();
    let victim = Key::account("limited").unwrap();
    for _ in 0..5 {
        assert!(limiter.check(&victim).is_allowed());
    }
    for _ in 0..20 {
        assert!(!limiter.check(&victim).is_allowed()); // deep in debt
    }
    let bound = 10_000usize.div_ceil(64) * 64;
    for i in 0..1_000_000u32 {
        let _ = limiter.check(&Key::builder().part(&i.to_string()).unwrap().build());
        if i % 100_000 == 0 {
            assert!(limiter.len() <= bound, "{} keys", limiter.len());
        }
    }
    assert!(limiter.len() <= bound);
    assert!(
        !limiter.check(&victim).is_allowed(),
        "the limited key was evicted"
    );
    // Decayed keys go first and free everything.
    clock.advance(Duration::from_secs(61));
    limiter.purge();
    assert!(limiter.is_empty());
}

#[test]
fn hostile_keys_are_bounded_and_never_echoed() {
    let huge = "x".repeat(1 << 20);
    let err = Key::account(&huge).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().len() < 200);
    // NUL bytes and Redis glob characters are just bytes of a hashed part.
    for odd in ["a\0b", "*", "user:[a-z]?*", "\u{202e}", ""] {
        let k = Key::account(odd).unwrap();
        assert!(!format!("{k:?}").contains(odd) || odd.is_empty());
    }
    assert_ne!(Key::account("a\0b").unwrap(), Key::account("a").unwrap());
    // Parts are length-prefixed: no ambiguity between splits.
    let ab_c = Key::builder()
        .part("ab")
        .unwrap()
        .part("c")
        .unwrap()
        .build();
    let a_bc = Key::builder()
        .part("a")
        .unwrap()
        .part("bc")
        .unwrap()
        .build();
    assert_ne!(ab_c, a_bc);
    let mut b = Key::builder();
    for _ in 0..8 {
        b = b.part("p").unwrap();
    }
    assert!(b.part("p").is_err());
    let long = format!("{SENTINEL}{}", "y".repeat(2000));
    let err = LoginGuard::local(LoginPolicy::default())
        .map(|g| futures_block_on(g.check(&long, ip("192.0.2.1"))).unwrap_err());
    let err = err.unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(!format!("{err} {err:?}").contains(SENTINEL));
}

#[test]
fn ipv6_is_grouped_and_mapped_ipv4_folded() {
    let a = Key::ip(ip("2001:db8:aa:bb:1:2:3:4"));
    let b = Key::ip(ip("2001:db8:aa:bb:ffff:ffff:ffff:ffff"));
    let c = Key::ip(ip("2001:db8:aa:bc::1"));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(Key::ip(ip("::ffff:192.0.2.7")), Key::ip(ip("192.0.2.7")));
    let config = ClientIpConfig::default().with_ipv6_prefix(48);
    let h = HeaderMap::new();
    let x = config.client_ip("2001:db8:aa:bb::1".parse().unwrap(), &h);
    let y = config.client_ip("2001:db8:aa:ff::1".parse().unwrap(), &h);
    assert_eq!(Key::ip(x), Key::ip(y));
    assert_eq!(x.group().to_string(), "2001:db8:aa::/48");
}

#[test]
fn forwarded_headers_only_from_trusted_proxies() {
    let mut h = HeaderMap::new();
    h.insert(
        "x-forwarded-for",
        "1.1.1.1, 198.51.100.4, 10.1.1.1".parse().unwrap(),
    );
    h.insert("forwarded", "for=6.6.6.6".parse().unwrap());
    let trusted = ClientIpConfig::new(TrustedProxies::parse("10.0.0.0/8").unwrap());
    let peer = "10.0.0.1".parse().unwrap();
    assert_eq!(
        trusted.client_ip(peer, &h).addr().to_string(),
        "198.51.100.4"
    );
    // The proxies write X-Forwarded-For: a client's Forwarded is not read.
    let fwd = trusted.clone().with_header(ForwardedHeader::Forwarded);
    assert_eq!(fwd.client_ip(peer, &h).addr().to_string(), "6.6.6.6");
    h.insert(
        "forwarded",
        "for=6.6.6.6, for=\"[2001:db8::9]:443\";proto=https, for=10.2.2.2"
            .parse()
            .unwrap(),
    );
    assert_eq!(fwd.client_ip(peer, &h).addr().to_string(), "2001:db8::9");
    // From an untrusted peer: the peer.
    let outside = "203.0.113.50".parse().unwrap();
    assert_eq!(trusted.client_ip(outside, &h).addr(), outside);
    // A chain longer than 32 hops or 8 KiB is not walked.
    let long = vec!["10.0.0.5"; 40].join(",");
    h.insert("x-forwarded-for", long.parse().unwrap());
    assert_eq!(trusted.client_ip(peer, &h).addr(), peer);
    // "unknown" from a trusted hop: that hop is the last known point.
    h.insert(
        "x-forwarded-for",
        "7.7.7.7, unknown, 10.0.0.8".parse().unwrap(),
    );
    assert_eq!(trusted.client_ip(peer, &h).addr().to_string(), "10.0.0.8");
    let env = ClientIpConfig::from_loader(&mut seckit::config::Loader::from_vars([
        ("TRUSTED_PROXIES", "10.0.0.0/8 fd00::/8"),
        ("TRUSTED_PROXY_HEADER", "forwarded"),
    ]))
    .unwrap();
    assert_eq!(env.trusted().to_string(), "10.0.0.0/8, fd00::/8");
    let bad = ClientIpConfig::from_loader(&mut seckit::config::Loader::from_vars([(
        "TRUSTED_PROXIES",
        "10.0.0.0/8, everything",
    )]));
    assert_eq!(bad.unwrap_err().kind(), ErrorKind::Configuration);
}

#[test]
fn quotas_refuse_what_cannot_work() {
    for bad in [
        Quota::per_second(0),
        Quota::new(5, Duration::ZERO),
        Quota::new(5, Duration::from_secs(400 * 24 * 3600)),
        Quota::new(2_000_000, Duration::from_secs(1)),
        Quota::new(5000, Duration::from_millis(1)),
        Quota::per_second(5).and_then(|q| q.with_burst(0)),
        Quota::per_hour(1).and_then(|q| q.with_burst(1_000_000)),
    ] {
        assert_eq!(bad.unwrap_err().kind(), ErrorKind::Configuration);
    }
    assert!(Policy::new("Bad Name", Quota::per_second(1).unwrap()).is_err());
    assert!(
        Policy::new("api", Quota::per_second(1).unwrap())
            .unwrap()
            .max_keys(0)
            .is_err()
    );
    assert!(Ban::after(0, Duration::from_secs(1), Duration::from_secs(1)).is_err());
    assert!(
        Ban::after(1, Duration::from_secs(1), Duration::from_secs(10))
            .unwrap()
            .escalating(Duration::from_secs(5))
            .is_err()
    );
    assert!(
        Lockout::new(
            Quota::per_minute(5).unwrap(),
            Duration::from_secs(60),
            Duration::from_secs(1)
        )
        .is_err()
    );
    // T rounds up: 7 per second never admits an 8th within the second.
    assert_eq!(
        Quota::per_second(7).unwrap().emission_interval(),
        Duration::from_micros(142_858)
    );
    assert_eq!(
        Quota::per_minute(100).unwrap().to_string(),
        "100 per 1 min, burst 100"
    );
}

#[test]
fn headers_follow_the_draft() {
    let clock = Arc::new(ManualClock::default());
    let limiter = Policy::new("hdr", Quota::per_minute(10).unwrap().with_burst(2).unwrap())
        .unwrap()
        .clock(clock)
        .local();
    let key = Key::account("h").unwrap();
    let first = limiter.check(&key).headers();
    assert_eq!(first["ratelimit-limit"], "2");
    assert_eq!(first["ratelimit-remaining"], "1");
    assert_eq!(first["ratelimit-reset"], "6");
    assert_eq!(first["ratelimit-policy"], "2;w=12");
    assert!(first.get("retry-after").is_none());
    let _ = limiter.check(&key);
    let denied = limiter.check(&key);
    let h = denied.headers();
    assert_eq!(h["ratelimit-remaining"], "0");
    assert_eq!(h["retry-after"], "6");
    assert_eq!(h["ratelimit-reset"], "12");
    let err = denied.into_result("hdr").unwrap_err();
    assert_eq!(
        (err.kind(), err.retry_after()),
        (ErrorKind::RateLimited, Some(Duration::from_secs(6)))
    );
}

#[test]
fn repeated_violations_ban_and_escalate() {
    let audit = Captured::global();
    let clock = Arc::new(ManualClock::default());
    let limiter: LocalLimiter = Policy::new("ws", Quota::per_second(2).unwrap())
        .unwrap()
        .ban(
            Ban::after(3, Duration::from_secs(60), Duration::from_secs(30))
                .unwrap()
                .escalating(Duration::from_secs(120))
                .unwrap(),
        )
        .clock(clock.clone())
        .local();
    let key = Key::ip(ip("198.51.100.20"));
    assert!(limiter.check(&key).is_allowed());
    assert!(limiter.check(&key).is_allowed());
    assert_eq!(limiter.check(&key).denial(), Some(Denial::Limited));
    assert_eq!(limiter.check(&key).denial(), Some(Denial::Limited));
    let banned = limiter.check(&key); // third violation
    assert_eq!(banned.denial(), Some(Denial::Banned));
    assert_eq!(banned.retry_after(), Some(Duration::from_secs(30)));
    clock.advance(Duration::from_secs(10));
    assert_eq!(limiter.check(&key).denial(), Some(Denial::Banned)); // a ban ignores the quota
    clock.advance(Duration::from_secs(21));
    assert!(limiter.check(&key).is_allowed());
    for _ in 0..3 {
        let _ = limiter.check(&key);
    }
    // The second ban in a row is twice as long.
    assert_eq!(
        limiter.peek(&key).retry_after(),
        Some(Duration::from_secs(60))
    );
    limiter.reset(&key);
    assert!(limiter.check(&key).is_allowed());
    let denials = audit
        .by_ip("198.51.100.20")
        .of("excess_rate_limit_exceeded");
    assert!(denials.len() >= 6);
    assert!(
        denials
            .iter()
            .all(|e| field(e, "limit").as_deref() == Some("ws"))
    );
    assert!(
        denials
            .iter()
            .any(|e| field(e, "reason").as_deref() == Some("banned"))
    );
    assert!(
        denials
            .iter()
            .all(|e| field(e, "source_ip").as_deref() == Some("198.51.100.20"))
    );
}

fn futures_block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// A spray against one account from 50 addresses locks the account for
/// unknown addresses, but the owner's known-good address still gets in;
/// and the owner's own guesses are limited per address.
#[test]
fn a_spray_does_not_lock_out_the_owner() {
    let audit = Captured::global();
    let clock = Arc::new(ManualClock::default());
    let guard = LoginGuard::local_with_clock(LoginPolicy::default(), clock.clone()).unwrap();
    let owner = ip("192.0.2.10");
    let account = format!("{SENTINEL}-alice");
    futures_block_on(async {
        // The owner logs in once: the address is known good.
        let a = guard.check(&account, owner).await.unwrap();
        guard.succeeded(a).await.unwrap();
        for n in 0..50 {
            let attacker = ip(&format!("203.0.113.{n}"));
            match guard.check(&account, attacker).await {
                Ok(a) => guard.failed(a).await.unwrap(),
                Err(e) => assert_eq!(e.kind(), ErrorKind::RateLimited),
            }
        }
        // Locked for a new address …
        let locked = guard
            .check(&account, ip("198.51.100.99"))
            .await
            .unwrap_err();
        assert_eq!(locked.retry_after(), Some(Duration::from_secs(60)));
        // … not for the owner's.
        let a = guard.check(&account, owner).await.unwrap();
        guard.succeeded(a).await.unwrap();
        // The owner guessing: 5 failures lock that address, then the
        // cool-off doubles with each failure after a lock ends.
        for _ in 0..5 {
            let a = guard.check(&account, owner).await.unwrap();
            guard.failed(a).await.unwrap();
        }
        let e = guard.check(&account, owner).await.unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
        clock.advance(Duration::from_secs(60));
        let a = guard.check(&account, owner).await.unwrap();
        guard.failed(a).await.unwrap();
        let e = guard.check(&account, owner).await.unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
        clock.advance(Duration::from_secs(120));
        // A success resets that address's count.
        let a = guard.check(&account, owner).await.unwrap();
        guard.succeeded(a).await.unwrap();
        for _ in 0..4 {
            let a = guard.check(&account, owner).await.unwrap();
            guard.failed(a).await.unwrap();
        }
        assert!(guard.check(&account, owner).await.is_ok());
    });
    let audit = audit.by_ip("203.0.113.");
    let locks = audit.of("authn_login_lock");
    assert!(!locks.is_empty());
    assert!(
        locks
            .iter()
            .any(|e| field(e, "limit").as_deref() == Some("login-account"))
    );
    assert!(
        !Captured::global().text().contains(SENTINEL),
        "an account name reached an audit event"
    );
}

/// One address trying many accounts is limited by address.
#[test]
fn one_address_cannot_spray_many_accounts() {
    let clock = Arc::new(ManualClock::default());
    let guard = LoginGuard::local_with_clock(LoginPolicy::default(), clock).unwrap();
    let sprayer = ip("2001:db8:5::1");
    futures_block_on(async {
        for n in 0..20 {
            // a new address inside the same /64 each time
            let a = guard
                .check(&format!("user{n}"), ip(&format!("2001:db8:5::{:x}", n + 2)))
                .await
                .unwrap();
            guard.failed(a).await.unwrap();
        }
        let e = guard.check("user-new", sprayer).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
    });
}

#[test]
fn login_policy_from_the_environment() {
    let p = LoginPolicy::with_max_failures(3).unwrap();
    assert_eq!(p.account.failures().rate(), 3);
    assert_eq!(p.account_ip.failures().period(), Duration::from_secs(900));
    assert_eq!(
        LoginPolicy::with_max_failures(0).unwrap_err().kind(),
        ErrorKind::Configuration
    );
}
