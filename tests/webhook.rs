//! seckit::webhook against outside truth: the Standard Webhooks spec's
//! published vector, deliveries signed by the `standardwebhooks` Python
//! package and by Python's `hmac` (tests/fixtures/webhook, made by
//! scripts/webhook-fixtures.py), Stripe headers accepted by the `stripe`
//! package, TURN credentials computed as coturn checks them; plus
//! tampering, tolerance, size caps, replay, audit events and leaks.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::print_stderr,
    clippy::panic
)]

mod support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use seckit::webhook::{
    DEFAULT_MAX_BODY, GithubVerifier, ReplayGuard, Signer, StandardSecret, StripeVerifier,
    TurnCredentials, TurnSecret, TurnVerifier, Verified, Verifier,
};
use seckit::{AuthReason, ErrorKind, SecretString};
use serde_json::Value;
use support::{Captured, field};

const SPEC_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const SPEC_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const SPEC_TS: u64 = 1_649_367_553;
const SPEC_BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
const SPEC_SIG: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

fn secret(text: &str) -> StandardSecret {
    StandardSecret::parse(&SecretString::from(text)).unwrap()
}

fn headers(id: &str, ts: &str, sig: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("webhook-id", HeaderValue::from_str(id).unwrap());
    h.insert("webhook-timestamp", HeaderValue::from_str(ts).unwrap());
    h.insert("webhook-signature", HeaderValue::from_str(sig).unwrap());
    h
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/webhook/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    STANDARD.decode(v.as_str().unwrap()).unwrap()
}

fn reason(r: seckit::Result<Verified>) -> Option<AuthReason> {
    r.unwrap_err().auth_reason()
}

#[test]
fn the_spec_vector_signs_and_verifies() {
    let s = secret(SPEC_SECRET);
    let signed = Signer::new(s.clone())
        .sign(SPEC_ID, SPEC_TS, SPEC_BODY)
        .unwrap();
    assert_eq!(signed.signature, SPEC_SIG);
    let v = Verifier::new(s)
        .verify_at(
            &headers(SPEC_ID, "1649367553", SPEC_SIG),
            SPEC_BODY,
            SPEC_TS,
        )
        .unwrap();
    assert_eq!(v.id(), SPEC_ID);
    assert_eq!(v.timestamp(), Some(SPEC_TS));
}

#[test]
fn deliveries_signed_by_the_python_package_and_hmac_verify() {
    let f = fixture("standard.json");
    let cases = f["signed_elsewhere"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for c in cases {
        let ts = c["timestamp"].as_u64().unwrap();
        let body = bytes(&c["body_b64"]);
        let v = Verifier::new(secret(c["secret"].as_str().unwrap()))
            .verify_at(
                &headers(
                    c["id"].as_str().unwrap(),
                    &ts.to_string(),
                    c["signature"].as_str().unwrap(),
                ),
                &body,
                ts + 299,
            )
            .unwrap_or_else(|e| panic!("{} case {}: {e}", c["by"], c["id"]));
        assert_eq!(v.id(), c["id"].as_str().unwrap());
    }
    // Some bodies are not UTF-8: the bytes are what is signed.
    assert!(
        cases
            .iter()
            .any(|c| std::str::from_utf8(&bytes(&c["body_b64"])).is_err())
    );
}

#[test]
fn seckit_signs_what_the_python_package_accepted() {
    let f = fixture("standard.json");
    for c in f["signed_by_seckit"].as_array().unwrap() {
        let signed = Signer::new(secret(c["secret"].as_str().unwrap()))
            .sign(
                c["id"].as_str().unwrap(),
                c["timestamp"].as_u64().unwrap(),
                &bytes(&c["body_b64"]),
            )
            .unwrap();
        assert_eq!(signed.signature, c["signature"].as_str().unwrap());
    }
}

#[test]
fn rotation_on_both_sides() {
    let old = StandardSecret::generate().unwrap();
    let new = StandardSecret::generate().unwrap();
    let signed = Signer::new(new.clone())
        .also(old.clone())
        .unwrap()
        .sign("msg_1", 1000, b"x")
        .unwrap();
    assert_eq!(signed.signature.split(' ').count(), 2);
    // A receiver still on the old secret, and one already on the new.
    for receiver in [Verifier::new(old.clone()), Verifier::new(new.clone())] {
        receiver
            .verify_at(&signed.to_header_map(), b"x", 1000)
            .unwrap();
    }
    // A receiver holding both accepts a delivery signed with either.
    let both = Verifier::new(new).also(old.clone()).unwrap();
    let by_old = Signer::new(old).sign("msg_2", 1000, b"y").unwrap();
    both.verify_at(&by_old.to_header_map(), b"y", 1000).unwrap();
}

#[test]
fn the_tolerance_holds_in_both_directions() {
    let v = Verifier::new(secret(SPEC_SECRET));
    let h = headers(SPEC_ID, "1649367553", SPEC_SIG);
    for now in [SPEC_TS - 300, SPEC_TS, SPEC_TS + 300] {
        v.verify_at(&h, SPEC_BODY, now).unwrap();
    }
    for now in [SPEC_TS - 301, SPEC_TS + 301, 0, u64::MAX] {
        assert_eq!(
            reason(v.verify_at(&h, SPEC_BODY, now)),
            Some(AuthReason::TimestampOutOfRange),
            "{now}"
        );
    }
    let narrow = v.clone().with_tolerance(Duration::from_secs(10)).unwrap();
    assert!(narrow.verify_at(&h, SPEC_BODY, SPEC_TS + 11).is_err());
    assert!(v.clone().with_tolerance(Duration::ZERO).is_err());
    assert!(v.with_tolerance(Duration::from_secs(7200)).is_err());
}

#[test]
fn secrets_outside_the_spec_or_weak_are_refused_without_being_quoted() {
    let sentinel = "Sentinel9Qx";
    let cases = [
        format!("{sentinel}{}", &SPEC_SECRET[6..]), // no whsec_ prefix
        format!("whsec_{sentinel}!!!"),             // not base64
        format!("whsec_{}", STANDARD.encode([7u8; 23])),
        format!(
            "whsec_{}",
            STANDARD.encode(b"Sentinel9QxSentinel9QxSentinel9QxSentinel9QxSentinel9QxSentinel9Qx")
        ),
        format!(
            "whsec_{}",
            STANDARD.encode(b"changemechangemechangemechangeme")
        ),
        format!(
            "whsec_{}",
            STANDARD.encode(b"abcabcabcabcabcabcabcabcabcabc")
        ),
        "whsec_".to_owned(),
    ];
    for text in cases {
        let err = StandardSecret::parse(&SecretString::from(text.as_str())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{text}");
        assert!(!format!("{err} {err:?}").contains(sentinel));
        assert!(!format!("{err}").contains(&text[6.min(text.len())..]) || text.len() <= 6);
    }
    let ok = secret(SPEC_SECRET);
    assert_eq!(format!("{ok:?}"), "StandardSecret([REDACTED])");
    // A Stripe secret and a GitHub secret must pass the same rules.
    assert!(StripeVerifier::new(&SecretString::from("whsec_short")).is_err());
    assert!(
        StripeVerifier::new(&SecretString::from(
            "sk_live_not_a_webhook_secret_at_all_0123"
        ))
        .is_err()
    );
    // GitHub's documentation example secret is 26 bytes: refused as weak.
    let err = GithubVerifier::new(&SecretString::from("It's a Secret to Everybody")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
}

#[test]
fn malformed_headers_are_refused_as_malformed() {
    let v = Verifier::new(secret(SPEC_SECRET));
    for ts in [
        "+1649367553",
        "01649367553",
        " 1649367553",
        "1649367553.0",
        "-1",
        "",
        "1e9",
    ] {
        let h = headers(SPEC_ID, ts, SPEC_SIG);
        assert_eq!(
            reason(v.verify_at(&h, SPEC_BODY, SPEC_TS)),
            Some(AuthReason::Malformed),
            "{ts:?}"
        );
    }
    for id in ["msg.1", "", "msg 1"] {
        let mut h = headers(SPEC_ID, "1649367553", SPEC_SIG);
        h.insert("webhook-id", HeaderValue::from_str(id).unwrap());
        assert_eq!(
            reason(v.verify_at(&h, SPEC_BODY, SPEC_TS)),
            Some(AuthReason::Malformed),
            "{id:?}"
        );
    }
    for sig in [
        "",
        "v1a,abc",
        "v2,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        "tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
    ] {
        let h = headers(SPEC_ID, "1649367553", sig);
        assert_eq!(
            reason(v.verify_at(&h, SPEC_BODY, SPEC_TS)),
            Some(AuthReason::Malformed),
            "{sig:?}"
        );
    }
    // Missing and repeated headers.
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let mut h = headers(SPEC_ID, "1649367553", SPEC_SIG);
        h.remove(name);
        assert_eq!(
            reason(v.verify_at(&h, SPEC_BODY, SPEC_TS)),
            Some(AuthReason::Malformed)
        );
        let mut h = headers(SPEC_ID, "1649367553", SPEC_SIG);
        h.append(name, HeaderValue::from_static("x"));
        assert_eq!(
            reason(v.verify_at(&h, SPEC_BODY, SPEC_TS)),
            Some(AuthReason::Malformed)
        );
    }
    // An unknown version beside a good v1 is skipped, not fatal.
    let h = headers(
        SPEC_ID,
        "1649367553",
        &format!("v1a,abcd v2,xyz {SPEC_SIG}"),
    );
    v.verify_at(&h, SPEC_BODY, SPEC_TS).unwrap();
}

#[test]
fn the_body_cap_comes_before_any_work() {
    let v = Verifier::new(secret(SPEC_SECRET));
    let big = vec![b'a'; DEFAULT_MAX_BODY + 1];
    // No headers at all: the size is refused first.
    assert_eq!(
        reason(v.verify_at(&HeaderMap::new(), &big, SPEC_TS)),
        Some(AuthReason::TooLarge)
    );
    let small = v.with_max_body(16).unwrap();
    assert_eq!(
        reason(small.verify_at(
            &headers(SPEC_ID, "1649367553", SPEC_SIG),
            SPEC_BODY,
            SPEC_TS
        )),
        Some(AuthReason::TooLarge)
    );
    let long = "v1,x".repeat(3000);
    let h = headers(SPEC_ID, "1649367553", &long);
    assert_eq!(
        reason(Verifier::new(secret(SPEC_SECRET)).verify_at(&h, SPEC_BODY, SPEC_TS)),
        Some(AuthReason::TooLarge)
    );
}

#[test]
fn refusals_are_audited_once_without_secrets() {
    let captured = Captured::global();
    let v = Verifier::new(secret(SPEC_SECRET));
    let err = v
        .verify_at(
            &headers(SPEC_ID, "1649367553", SPEC_SIG),
            b"tampered-Sentinel7Zp",
            SPEC_TS,
        )
        .unwrap_err();
    assert!(err.is_audited());
    assert_eq!(err.public_message(), "invalid credentials");
    let events = captured.of("authn_token_invalid");
    assert!(
        events
            .iter()
            .any(|e| field(e, "route").as_deref() == Some("webhook")
                && field(e, "reason").as_deref() == Some("bad_signature"))
    );
    let text = captured.text();
    for secret_part in ["C2FVsBQIhrscChlQIMV", "tZ1I4/hDygAJgO5TYx", "Sentinel7Zp"] {
        assert!(!text.contains(secret_part), "{secret_part} in audit events");
        assert!(!format!("{err} {err:?}").contains(secret_part));
    }
}

#[test]
fn stripe_headers_accepted_by_the_stripe_package_verify() {
    for c in fixture("stripe.json").as_array().unwrap() {
        let s = SecretString::from(c["secret"].as_str().unwrap());
        let verifier = StripeVerifier::new(&s).unwrap();
        let t = c["timestamp"].as_u64().unwrap();
        let body = bytes(&c["body_b64"]);
        let header = c["header"].as_str().unwrap();
        let mut h = HeaderMap::new();
        h.insert("stripe-signature", HeaderValue::from_str(header).unwrap());
        let v = verifier.verify_at(&h, &body, t + 10).unwrap();
        assert_eq!(v.timestamp(), Some(t));
        // seckit's own header for the same content is the fixture's first part.
        let ours = verifier.sign(t, &body);
        assert!(header.starts_with(&ours), "{ours} vs {header}");
        // Both directions: Stripe's libraries only refuse the past.
        assert_eq!(
            reason(verifier.verify_at(&h, &body, t - 301)),
            Some(AuthReason::TimestampOutOfRange)
        );
        assert_eq!(
            reason(verifier.verify_at(&h, &body, t + 301)),
            Some(AuthReason::TimestampOutOfRange)
        );
        let mut tampered = body.clone();
        tampered.push(b' ');
        assert_eq!(
            reason(verifier.verify_at(&h, &tampered, t)),
            Some(AuthReason::BadSignature)
        );
    }
    let s = SecretString::from(fixture("stripe.json")[0]["secret"].as_str().unwrap());
    let v = StripeVerifier::new(&s).unwrap();
    for bad in [
        "t=1700000000,t=1700000000,v1=00",
        "v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
        "t=1700000000,v0=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
        "t=1700000000",
        "garbage",
    ] {
        assert_eq!(
            reason(v.verify_header(bad.as_bytes(), b"{}", 1_700_000_000)),
            Some(AuthReason::Malformed),
            "{bad}"
        );
    }
}

#[test]
fn github_signatures_computed_with_hmac_verify() {
    for c in fixture("github.json").as_array().unwrap() {
        let v = GithubVerifier::new(&SecretString::from(c["secret"].as_str().unwrap())).unwrap();
        let body = bytes(&c["body_b64"]);
        let header = c["header"].as_str().unwrap();
        assert_eq!(v.sign(&body), header);
        let mut h = HeaderMap::new();
        h.insert(
            "x-hub-signature-256",
            HeaderValue::from_str(header).unwrap(),
        );
        let verified = v.verify(&h, &body).unwrap();
        assert_eq!(verified.timestamp(), None);
        assert_eq!(format!("sha256={}", verified.id()), header);
        // Upper-case hex is the same signature.
        v.verify_header(
            header
                .to_ascii_uppercase()
                .replace("SHA256=", "sha256=")
                .as_bytes(),
            &body,
        )
        .unwrap();
        let mut tampered = body.clone();
        tampered.push(0);
        assert_eq!(
            reason(v.verify(&h, &tampered)),
            Some(AuthReason::BadSignature)
        );
        for bad in ["sha1=abc", "sha256=zz", "", "sha256="] {
            assert_eq!(
                reason(v.verify_header(bad.as_bytes(), &body)),
                Some(AuthReason::Malformed)
            );
        }
    }
}

#[tokio::test]
async fn the_replay_guard_accepts_each_delivery_once() {
    let guard = ReplayGuard::local(Duration::from_secs(300)).unwrap();
    let v = Verifier::new(secret(SPEC_SECRET));
    let h = headers(SPEC_ID, "1649367553", SPEC_SIG);
    let m = v.verify_at(&h, SPEC_BODY, SPEC_TS).unwrap();
    guard.check_at(&m, SPEC_TS).await.unwrap();
    let err = guard.check_at(&m, SPEC_TS + 1).await.unwrap_err();
    assert_eq!(err.auth_reason(), Some(AuthReason::Replayed));
    assert!(err.is_audited());
    // Forgotten (the handler failed): the retry is accepted once more.
    guard.forget(&m).await.unwrap();
    guard.check_at(&m, SPEC_TS + 2).await.unwrap();
    assert!(guard.check_at(&m, SPEC_TS + 3).await.is_err());
    // Past its window the verifier refuses the timestamp, and so does the guard.
    assert_eq!(
        guard
            .check_at(&m, SPEC_TS + 302)
            .await
            .unwrap_err()
            .auth_reason(),
        Some(AuthReason::TimestampOutOfRange)
    );
}

#[tokio::test]
async fn the_in_process_guard_is_bounded_and_fails_closed() {
    let guard = ReplayGuard::local(Duration::from_secs(60))
        .unwrap()
        .with_max_ids(3)
        .unwrap();
    let msg = |i: u64, ts: u64| signed(&format!("msg_{i}"), ts);
    for i in 0..3 {
        guard.check_at(&msg(i, 1000), 1000).await.unwrap();
    }
    // Full of ids inside their window: refused (503), never forgotten early.
    let err = guard.check_at(&msg(9, 1000), 1000).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(guard.check_at(&msg(0, 1000), 1001).await.is_err());
    // Once they are past their window, room is made.
    guard.check_at(&msg(9, 1100), 1100).await.unwrap();
    assert!(guard.len() <= 3);
    // Many distinct ids: memory stays at the bound.
    let big = ReplayGuard::local(Duration::from_secs(60))
        .unwrap()
        .with_max_ids(1000)
        .unwrap();
    let mut refused = 0;
    for i in 0..5000 {
        if big.check_at(&msg(i, 5000), 5000).await.is_err() {
            refused += 1;
        }
    }
    assert_eq!(big.len(), 1000);
    assert_eq!(refused, 4000);
}

fn signed(id: &str, ts: u64) -> Verified {
    let s = secret(SPEC_SECRET);
    let h = Signer::new(s.clone()).sign(id, ts, b"{}").unwrap();
    Verifier::new(s)
        .verify_at(&h.to_header_map(), b"{}", ts)
        .unwrap()
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn the_shared_guard_on_redis_accepts_once_across_instances() {
    use redis::AsyncCommands as _;
    use seckit::store::Redis;
    let Some(url) = support::redis_url() else {
        return;
    };
    let url = SecretString::from(url);
    let a = Redis::connect(&url, "wh-test").await.unwrap();
    let b = Redis::connect(&url, "wh-test").await.unwrap();
    let now = seckit_now();
    let id = format!("msg_redis_{now}_{}", std::process::id());
    let m = signed(&id, now);
    let ga = ReplayGuard::shared(&a, Duration::from_secs(300)).unwrap();
    let gb = ReplayGuard::shared(&b, Duration::from_secs(300)).unwrap();
    // Ten concurrent checks of one delivery over two instances: one wins.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let g = if i % 2 == 0 { ga.clone() } else { gb.clone() };
        let m = m.clone();
        tasks.push(tokio::spawn(async move { g.check_at(&m, now).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(e) => assert_eq!(e.auth_reason(), Some(AuthReason::Replayed)),
        }
    }
    assert_eq!(ok, 1);
    // The key is the hash of the id, expiring with the window.
    let mut conn = a.connection();
    let keys: Vec<String> = conn.keys("wh-test:webhook:replay:*").await.unwrap();
    assert!(keys.iter().all(|k| !k.contains(&id)));
    let digest = {
        use sha2::Digest as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(id.as_bytes()))
    };
    let key = format!("wh-test:webhook:replay:{digest}");
    let ttl: i64 = conn.pttl(&key).await.unwrap();
    assert!(ttl > 290_000 && ttl <= 301_000, "{ttl}");
    gb.forget(&m).await.unwrap();
    ga.check_at(&m, now).await.unwrap();
    // A Redis that does not answer in time (writes paused for 300 ms,
    // past the 50 ms call timeout) fails closed.
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(300)
        .arg("WRITE")
        .query_async(&mut conn)
        .await
        .unwrap();
    let err = ga
        .check_at(&signed("msg_paused", now), now)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    tokio::time::sleep(Duration::from_millis(350)).await;
    ga.check_at(&signed(&format!("{id}_after"), now), now)
        .await
        .unwrap();
}

#[cfg(feature = "redis")]
fn seckit_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn turn_credentials_match_values_computed_with_hmac() {
    for c in fixture("turn.json").as_array().unwrap() {
        let s = TurnSecret::new(&SecretString::from(c["secret"].as_str().unwrap())).unwrap();
        let now = c["now"].as_u64().unwrap();
        let ttl = Duration::from_secs(c["ttl"].as_u64().unwrap());
        let creds = TurnCredentials::issue_at(&s, c["user"].as_str().unwrap(), ttl, now).unwrap();
        assert_eq!(creds.username(), c["username"].as_str().unwrap());
        assert_eq!(
            creds.password().expose_secret(),
            c["password"].as_str().unwrap()
        );
        assert_eq!(creds.ttl(), ttl);
        let verifier = TurnVerifier::new([s]).unwrap();
        let user = verifier
            .verify_at(creds.username(), creds.password().expose_secret(), now + 1)
            .unwrap();
        assert_eq!(user, c["user"].as_str().unwrap());
        assert_eq!(
            verifier
                .verify_at(
                    creds.username(),
                    creds.password().expose_secret(),
                    now + ttl.as_secs()
                )
                .unwrap_err()
                .auth_reason(),
            Some(AuthReason::TimestampOutOfRange)
        );
    }
}

#[test]
fn turn_refuses_long_lifetimes_colons_weak_secrets_and_old_secrets() {
    let strong = SecretString::from(
        STANDARD
            .encode([
                0x5au8, 1, 2, 3, 4, 99, 7, 200, 17, 42, 8, 9, 10, 11, 250, 13, 14, 15, 16, 170, 18,
                19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            ])
            .as_str(),
    );
    let s = TurnSecret::new(&strong).unwrap();
    assert!(TurnCredentials::issue_at(&s, "alice", Duration::from_secs(86_401), 0).is_err());
    assert!(TurnCredentials::issue_at(&s, "alice", Duration::ZERO, 0).is_err());
    assert!(TurnCredentials::issue_at(&s, "al:ice", Duration::from_secs(60), 0).is_err());
    assert!(TurnCredentials::issue_at(&s, "", Duration::from_secs(60), 0).is_err());
    assert!(TurnSecret::new(&SecretString::from("turn-secret")).is_err());
    assert!(TurnSecret::new(&SecretString::from("a".repeat(64).as_str())).is_err());
    // Rotation: the verifier holds the new secret and the old one.
    let old = TurnSecret::new(&SecretString::from(
        seckit::random::secret(32).unwrap().expose_secret().as_str(),
    ))
    .unwrap();
    let creds = TurnCredentials::issue_at(&old, "bob", Duration::from_secs(600), 100).unwrap();
    let only_new = TurnVerifier::new([s.clone()]).unwrap();
    assert_eq!(
        only_new
            .verify_at(creds.username(), creds.password().expose_secret(), 200)
            .unwrap_err()
            .auth_reason(),
        Some(AuthReason::BadSignature)
    );
    let both = TurnVerifier::new([s, old]).unwrap();
    assert_eq!(
        both.verify_at(creds.username(), creds.password().expose_secret(), 200)
            .unwrap(),
        "bob"
    );
    // An expiry further out than any issued is refused.
    let far = format!("{}:bob", 200 + 86_400 * 2);
    assert_eq!(
        both.verify_at(&far, creds.password().expose_secret(), 200)
            .unwrap_err()
            .auth_reason(),
        Some(AuthReason::TimestampOutOfRange)
    );
    assert!(format!("{creds:?}").contains("REDACTED"));
    assert!(!format!("{creds:?}").contains(creds.password().expose_secret().as_str()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn verify_never_panics(
        id in proptest::collection::vec(any::<u8>(), 0..300),
        ts in proptest::collection::vec(any::<u8>(), 0..20),
        sig in proptest::collection::vec(any::<u8>(), 0..400),
        body in proptest::collection::vec(any::<u8>(), 0..200),
        now in any::<u64>(),
    ) {
        let v = Verifier::new(secret(SPEC_SECRET));
        let _ = v.verify_parts(&id, &ts, &sig, &body, now);
        let stripe = StripeVerifier::new(&SecretString::from("whsec_9xQ2LmZ7pR4tV8bN1cK6yH3sD0fJ5gWa")).unwrap();
        let _ = stripe.verify_header(&sig, &body, now);
        let gh = GithubVerifier::new(&SecretString::from("9xQ2LmZ7pR4tV8bN1cK6yH3sD0fJ5gWaE")).unwrap();
        let _ = gh.verify_header(&sig, &body);
        let turn = TurnVerifier::new([TurnSecret::new(&SecretString::from("9xQ2LmZ7pR4tV8bN1cK6yH3sD0fJ5gWaE")).unwrap()]).unwrap();
        let _ = turn.verify_at(&String::from_utf8_lossy(&id), &String::from_utf8_lossy(&sig), now);
    }

    #[test]
    fn any_single_bit_flip_is_refused(part in 0usize..4, pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let s = secret(SPEC_SECRET);
        let v = Verifier::new(s);
        let mut id = SPEC_ID.as_bytes().to_vec();
        let mut ts = b"1649367553".to_vec();
        let mut sig = SPEC_SIG.as_bytes().to_vec();
        let mut body = SPEC_BODY.to_vec();
        let target = match part { 0 => &mut id, 1 => &mut ts, 2 => &mut sig, _ => &mut body };
        let i = pos.index(target.len());
        target[i] ^= 1 << bit;
        // The signature's base64 has a few bits that decode to nothing
        // (the padding's low bits): those flips do not change the MAC.
        let unchanged_sig = part == 2 && STANDARD.decode(&sig[3..]).ok().as_deref()
            == STANDARD.decode(&SPEC_SIG.as_bytes()[3..]).ok().as_deref();
        prop_assume!(!unchanged_sig);
        prop_assert!(v.verify_parts(&id, &ts, &sig, &body, SPEC_TS).is_err());
    }
}
