//! The crate-wide no-panic / no-leak sweep: every public function that
//! parses, verifies or opens outside input is called with arbitrary bytes
//! and arbitrary text. Each must return (never panic), and no error it
//! returns may carry the input in its `Display`, its `Debug` or its
//! `public_message()`.
//!
//! The per-module property tests (`*_props.rs`) go deeper on each parser's
//! own invariants; this file is the one place that lists them all, so a
//! new public parser that is missing here is easy to spot in review.
#![cfg(all(
    feature = "password",
    feature = "jwt",
    feature = "envelope-core",
    feature = "validate"
))]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)] // test scaffolding fails loudly

use std::path::Path;
use std::str::FromStr;
use std::sync::LazyLock;

use proptest::prelude::*;
use seckit::envelope::{self, Keyring, PrivateKey, PublicKey, from_armor};
use seckit::jwt::dangerous::inspect_unverified;
use seckit::jwt::{
    Algorithm, KeySet, SecretEncoding, SigningKey, Verifier, VerifyingKey, bearer_token,
    check_hmac_secret, decode_secret,
};
use seckit::password::PasswordHasher;
use seckit::random::{ApiKey, ApiKeyHash};
use seckit::validate::{
    BasicCredentials, Email, Filename, KvKey, OriginAllowList, PositiveId, SqlIdentifier, Tag,
    Tags, Text, UnicodeUsername, UserId, Username, check_uri, safe_join,
};
use seckit::{Error, SecretBytes, SecretString};

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    let key = SigningKey::hmac(
        Algorithm::HS256,
        &SecretBytes::from(b"kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD".to_vec()),
    )
    .unwrap();
    Verifier::new(key.verifying_key())
        .ignore_issuer()
        .ignore_audience()
});

static RING: LazyLock<Keyring> = LazyLock::new(|| {
    let pem = include_str!("fixtures/envelope/rsa2048-private.pem");
    Keyring::from(PrivateKey::from_pem(&SecretString::from(pem), None).unwrap())
});

/// A cheap (cost 4) bcrypt hash, to verify arbitrary passwords against.
static BCRYPT: LazyLock<String> = LazyLock::new(|| bcrypt::hash("password", 4).unwrap());

static ORIGINS: LazyLock<OriginAllowList> =
    LazyLock::new(|| OriginAllowList::new().allow("https://app.example").unwrap());

/// The input as it would appear in a message: whole, and (for bytes) as
/// lossy text. Inputs under 8 characters are too likely to occur in a fixed
/// message by chance, so they are only checked for not panicking.
fn assert_clean<T>(what: &str, input: &str, result: Result<T, Error>) -> Result<(), TestCaseError> {
    if let Err(e) = result
        && input.trim().chars().count() >= 8
    {
        for shown in [
            e.to_string(),
            format!("{e:?}"),
            e.public_message().to_string(),
        ] {
            prop_assert!(!shown.contains(input), "{what} echoed its input: {shown}");
        }
    }
    Ok(())
}

/// Every text entry point.
fn sweep_text(input: &str) -> Result<(), TestCaseError> {
    let secret = SecretString::from(input);

    // random
    assert_clean("ApiKeyHash::from_str", input, ApiKeyHash::from_str(input))?;
    assert_clean("ApiKeyHash::of", input, ApiKeyHash::of(input))?;
    assert_clean(
        "ApiKey::verify",
        input,
        ApiKey::verify(input, &ApiKeyHash::from_bytes([7; 32])),
    )?;

    // password: the input as the stored hash, and as the password
    let hasher = PasswordHasher::new();
    let fixed = SecretString::from("password");
    assert_clean(
        "PasswordHasher::verify",
        input,
        hasher.verify(&fixed, input),
    )?;
    assert_clean(
        "PasswordHasher::needs_rehash",
        input,
        hasher.needs_rehash(input),
    )?;
    assert_clean(
        "verify_and_upgrade",
        input,
        hasher.verify_and_upgrade(&fixed, input),
    )?;
    assert_clean(
        "PasswordHasher::verify (password)",
        input,
        hasher.verify(&secret, &BCRYPT),
    )?;

    // jwt
    assert_clean(
        "Verifier::verify_at",
        input,
        VERIFIER.verify_at::<serde_json::Value>(input, 1_700_000_000),
    )?;
    assert_clean("inspect_unverified", input, inspect_unverified(input))?;
    assert_clean("bearer_token", input, bearer_token(input))?;
    assert_clean(
        "KeySet::from_jwks",
        input,
        KeySet::from_jwks(input, Some(Algorithm::RS256)),
    )?;
    assert_clean("Algorithm::from_str", input, Algorithm::from_str(input))?;
    assert_clean(
        "SecretEncoding::from_str",
        input,
        SecretEncoding::from_str(input),
    )?;
    for alg in [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ] {
        assert_clean(
            "VerifyingKey::from_pem",
            input,
            VerifyingKey::from_pem(alg, input),
        )?;
        assert_clean(
            "SigningKey::from_pem",
            input,
            SigningKey::from_pem(alg, &secret),
        )?;
    }
    for encoding in [
        SecretEncoding::Raw,
        SecretEncoding::Base64,
        SecretEncoding::Base64Url,
        SecretEncoding::Hex,
    ] {
        assert_clean("decode_secret", input, decode_secret(&secret, encoding))?;
    }
    assert_clean(
        "check_hmac_secret",
        input,
        check_hmac_secret(input.as_bytes(), Algorithm::HS256),
    )?;

    // envelope: text forms
    assert_clean("from_armor", input, from_armor(input))?;
    assert_clean("PublicKey::from_pem", input, PublicKey::from_pem(input))?;
    assert_clean(
        "PrivateKey::from_pem",
        input,
        PrivateKey::from_pem(&secret, None),
    )?;
    assert_clean(
        "PrivateKey::from_pem (passphrase)",
        input,
        PrivateKey::from_pem(&secret, Some(&SecretString::from("pass"))),
    )?;

    // validate
    assert_clean("Username::parse", input, Username::parse(input))?;
    assert_clean("UserId::parse", input, UserId::parse(input))?;
    assert_clean(
        "UnicodeUsername::parse",
        input,
        UnicodeUsername::parse(input),
    )?;
    assert_clean("Email::parse", input, Email::parse(input))?;
    assert_clean("Email::check", input, Email::check(input))?;
    assert_clean("Text::parse", input, Text::parse(input))?;
    assert_clean("Tag::parse", input, Tag::parse(input))?;
    assert_clean("Tags::parse_list", input, Tags::parse_list(input))?;
    assert_clean("SqlIdentifier::parse", input, SqlIdentifier::parse(input))?;
    assert_clean("Filename::parse", input, Filename::parse(input))?;
    assert_clean("safe_join", input, safe_join(Path::new("/srv/root"), input))?;
    assert_clean("KvKey segment", input, KvKey::builder().segment(input))?;
    assert_clean(
        "BasicCredentials::parse",
        input,
        BasicCredentials::parse(input),
    )?;
    assert_clean("check_uri", input, check_uri(input, 2048))?;
    assert_clean("OriginAllowList::check", input, ORIGINS.check(input))?;
    assert_clean("PositiveId::parse", input, PositiveId::parse(input))?;
    Ok(())
}

/// Every binary entry point.
fn sweep_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lossy = String::from_utf8_lossy(bytes);
    let as_text = |r| assert_clean("bytes", &lossy, r);
    as_text(envelope::open(&RING, bytes, b"ad").map(|_| ()))?;
    let mut out = Vec::new();
    as_text(envelope::open_stream(&RING, bytes, &mut out, b"ad").map(|_| ()))?;
    as_text(PublicKey::from_der(bytes).map(|_| ()))?;
    as_text(PrivateKey::from_der(&SecretBytes::from(bytes.to_vec())).map(|_| ()))?;
    as_text(check_hmac_secret(bytes, Algorithm::HS512))?;
    as_text(SigningKey::hmac(Algorithm::HS256, &SecretBytes::from(bytes.to_vec())).map(|_| ()))?;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn text_entry_points_answer_without_echo(input in prop_oneof![
        "\\PC{0,120}",
        "[A-Za-z0-9+/=_.:$@ -]{8,120}",
        "(Bearer |Basic |\\$argon2id\\$|\\$2b\\$|-----BEGIN |\\{\"keys\":)[A-Za-z0-9+/=_.:$, -]{8,100}",
    ]) {
        sweep_text(&input)?;
    }

    #[test]
    fn binary_entry_points_answer_without_echo(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        // A valid envelope's first bytes, then noise: gets past the magic.
        prop::collection::vec(any::<u8>(), 0..600).prop_map(|tail| {
            let mut v = include_bytes!("fixtures/envelope/vector-envelope.bin")[..8].to_vec();
            v.extend(tail);
            v
        }),
    ]) {
        sweep_bytes(&bytes)?;
    }
}
