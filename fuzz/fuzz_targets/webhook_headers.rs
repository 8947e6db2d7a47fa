//! The webhook header parsers on arbitrary bytes: Standard Webhooks
//! (`webhook-id`, `-timestamp`, `-signature`), `Stripe-Signature`,
//! `X-Hub-Signature-256` and TURN usernames never panic and never accept
//! a signature they did not compute; a delivery signed here always
//! verifies, and never does with one byte of its body changed.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use seckit::SecretString;
use seckit::webhook::{
    GithubVerifier, Signer, StandardSecret, StripeVerifier, TurnSecret, TurnVerifier, Verifier,
};

const KEY: &str = "9xQ2LmZ7pR4tV8bN1cK6yH3sD0fJ5gWaE";
static STANDARD: LazyLock<StandardSecret> = LazyLock::new(|| {
    StandardSecret::parse(&SecretString::from(
        "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
    ))
    .expect("the spec's secret")
});
static STRIPE: LazyLock<StripeVerifier> = LazyLock::new(|| {
    StripeVerifier::new(&SecretString::from(
        "whsec_9xQ2LmZ7pR4tV8bN1cK6yH3sD0fJ5gWa",
    ))
    .expect("secret")
});
static GITHUB: LazyLock<GithubVerifier> =
    LazyLock::new(|| GithubVerifier::new(&SecretString::from(KEY)).expect("secret"));
static TURN: LazyLock<TurnVerifier> = LazyLock::new(|| {
    TurnVerifier::new([TurnSecret::new(&SecretString::from(KEY)).expect("secret")]).expect("one")
});

fuzz_target!(|data: &[u8]| {
    // Split the input into id, timestamp, signatures and body.
    let mut parts = data.splitn(4, |b| *b == 0);
    let (id, ts, sigs, body) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let verifier = Verifier::new(STANDARD.clone());
    assert!(
        verifier
            .verify_parts(id, ts, sigs, body, 1_700_000_000)
            .is_err()
    );
    assert!(STRIPE.verify_header(sigs, body, 1_700_000_000).is_err());
    assert!(GITHUB.verify_header(sigs, body).is_err());
    let _ = TURN.verify_at(
        &String::from_utf8_lossy(id),
        &String::from_utf8_lossy(sigs),
        1_700_000_000,
    );

    // A delivery signed here verifies; with a changed body it does not.
    if let Ok(id) = std::str::from_utf8(id)
        && let Ok(signed) = Signer::new(STANDARD.clone()).sign(id, 1_700_000_000, body)
    {
        let headers = signed.to_header_map();
        assert!(verifier.verify_at(&headers, body, 1_700_000_000).is_ok());
        let mut changed = body.to_vec();
        changed.push(0);
        assert!(
            verifier
                .verify_at(&headers, &changed, 1_700_000_000)
                .is_err()
        );
    }
});
