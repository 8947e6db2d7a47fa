//! One sentinel value goes into every secret-bearing type and every error
//! that can be provoked with input; it must never come back out through
//! `Debug`, `Display`, `public_message()` or serde output.

// Helpers outside #[test] fns may fail loudly too: clippy.toml only covers #[test].
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::fs;

use seckit::config::Loader;
use seckit::random::{ApiKey, ApiKeyHash};
use seckit::{Error, Secret, SecretBytes, SecretString, mask};

/// Long, unlikely and free of the characters masking keeps ("***", "…").
const SENTINEL: &str = "Sntl7f3a9cQhunter2ZxW";

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(SENTINEL),
        "{what} leaked the sentinel: {text}"
    );
    // A leaked middle of the sentinel is a leak too (mask::token keeps 4+4).
    assert!(
        !text.contains(&SENTINEL[4..SENTINEL.len() - 4]),
        "{what} leaked part of the sentinel: {text}"
    );
}

fn assert_error_clean(what: &str, err: &Error) {
    assert_clean(what, &format!("{err}"));
    assert_clean(what, &format!("{err:?}"));
    assert_clean(what, err.public_message());
    assert_clean(what, &format!("{:?}", err.kind()));
}

#[test]
fn secret_types_never_print_their_value() {
    let s = SecretString::from(SENTINEL);
    let b = SecretBytes::from(SENTINEL.as_bytes());
    let custom: Secret<[u8; 21]> = Secret::new(SENTINEL.as_bytes().try_into().unwrap());
    for (what, text) in [
        ("SecretString Debug", format!("{s:?}")),
        ("SecretString pretty Debug", format!("{s:#?}")),
        ("SecretBytes Debug", format!("{b:?}")),
        ("Secret<[u8; N]> Debug", format!("{custom:?}")),
        (
            "Option<SecretString> Debug",
            format!("{:?}", Some(s.clone())),
        ),
    ] {
        assert_clean(what, &text);
    }
}

#[test]
fn api_keys_never_print_the_key() {
    let key = ApiKey::generate("sk_test").unwrap();
    let plaintext = key.key().expose_secret().clone();
    let debug = format!("{key:?}");
    assert!(
        !debug.contains(&plaintext),
        "ApiKey Debug leaked the key: {debug}"
    );
    assert!(
        !debug.contains(&plaintext[8..]),
        "ApiKey Debug leaked the key body: {debug}"
    );

    // Presented keys that fail, however they fail, are not echoed.
    let hash = *key.hash();
    let long = SENTINEL.repeat(20);
    for presented in [SENTINEL, long.as_str()] {
        assert_error_clean(
            "ApiKey::verify",
            &ApiKey::verify(presented, &hash).unwrap_err(),
        );
    }
    assert_error_clean("ApiKeyHash::of", &ApiKeyHash::of(&long).unwrap_err());
    assert_error_clean(
        "ApiKeyHash::from_str",
        &SENTINEL.parse::<ApiKeyHash>().unwrap_err(),
    );
    assert_error_clean(
        "ApiKey::generate prefix",
        &ApiKey::generate(SENTINEL).unwrap_err(),
    );
}

#[test]
fn config_never_reports_secret_values() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    fs::write(&good, SENTINEL).unwrap();
    let bad_utf8 = dir.path().join("bad");
    fs::write(&bad_utf8, [SENTINEL.as_bytes(), b"\xff"].concat()).unwrap();
    let big = dir.path().join("big");
    fs::write(&big, SENTINEL.repeat(4000)).unwrap();

    let url = format!("postgres://app:{SENTINEL}@db/app");
    let query = format!("https://api.example/?access_token={SENTINEL}");
    let mut cfg = Loader::from_vars([
        ("FROM_FILE_FILE", good.to_str().unwrap()),
        ("FROM_ENV", SENTINEL),
        ("PLAIN_BUT_NAMED_TOKEN", SENTINEL),
        ("DATABASE_URL", url.as_str()),
        ("CALLBACK", query.as_str()),
        ("BAD_FILE", bad_utf8.to_str().unwrap()),
        ("BIG_FILE", big.to_str().unwrap()),
    ]);
    let a = cfg.required_secret("FROM_FILE").unwrap();
    let b = cfg.required_secret("FROM_ENV").unwrap();
    let c = cfg.required_value("PLAIN_BUT_NAMED_TOKEN").unwrap();
    cfg.required_value("DATABASE_URL").unwrap();
    cfg.required_value("CALLBACK").unwrap();
    assert_clean("Setting<SecretString> Debug", &format!("{a:?} {b:?}"));
    assert_eq!(
        c.value(),
        SENTINEL,
        "a plain value is the caller's to print"
    );

    for name in ["BAD", "BIG"] {
        assert_error_clean("Loader file error", &cfg.required_secret(name).unwrap_err());
        assert_error_clean("Loader file error", &cfg.required_value(name).unwrap_err());
    }
    assert_error_clean(
        "Loader name error",
        &cfg.value(&format!("{SENTINEL} x")).unwrap_err(),
    );

    let report = cfg.report();
    assert_clean("Report Display", &report.to_string());
    assert_clean("Report Debug", &format!("{report:?}"));
    assert_clean("Loader Debug", &format!("{cfg:?}"));
    #[cfg(feature = "serde")]
    assert_clean("Report JSON", &serde_json::to_string(report).unwrap());
}

#[test]
fn mask_never_returns_the_secret_part() {
    let cases = [
        format!("postgresql://user:{SENTINEL}@db:5432/app"),
        format!("redis://:{SENTINEL}@cache:6379"),
        format!("mongodb+srv://u:{SENTINEL}@c.example.net/db"),
        format!("user:{SENTINEL}@host:5432/db"),
        format!("https://{SENTINEL}@github.com/o/r"),
        format!("https://h/?api_key={SENTINEL}"),
        format!("https://h/#access_token={SENTINEL}"),
        format!("https://u:{SENTINEL}/x@h/"),
        format!("{SENTINEL} in a sentence"),
    ];
    for input in &cases {
        assert_clean("mask::url", &mask::url(input));
        if input.contains('@') || input.contains("://") {
            // Under an innocent name, URL-looking values are masked as URLs;
            // other plain values are the caller's to print.
            assert_clean("mask::value", &mask::value("DATABASE_URL", input));
        }
    }
    assert_clean("mask::token", &mask::token(SENTINEL));
    assert_clean("mask::value", &mask::value("SECRET_KEY", SENTINEL));
    let map = mask::map([("DB_PASSWORD", SENTINEL), ("URL", cases[0].as_str())]);
    assert_clean("mask::map", &format!("{map:?}"));
}

#[test]
fn random_errors_carry_no_values() {
    assert_error_clean("random::secret", &seckit::random::secret(3).unwrap_err());
}

#[cfg(feature = "serde")]
#[test]
fn deserialized_secrets_stay_secret() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // read only through Debug
    struct Login {
        user: String,
        password: SecretString,
        key: SecretBytes,
    }
    let json = format!(r#"{{"user":"alice","password":"{SENTINEL}","key":[1,2,3]}}"#);
    let login: Login = serde_json::from_str(&json).unwrap();
    assert!(login.password == SENTINEL);
    assert_clean("Deserialized struct Debug", &format!("{login:?}"));

    // The explicit opt-in serializes; nothing else does (see the
    // compile_fail doctest on `SerializableSecret`).
    #[derive(serde::Serialize)]
    struct Out {
        #[serde(serialize_with = "seckit::serialize_exposed")]
        password: SecretString,
    }
    let out = serde_json::to_string(&Out {
        password: SecretString::from(SENTINEL),
    })
    .unwrap();
    assert_eq!(out, format!(r#"{{"password":"{SENTINEL}"}}"#));
}

/// Issue 13, item 3: serde's own messages quote the refused input
/// (`invalid type: integer `12345678`, expected a string`); seckit's
/// `Deserialize` impls must not pass them on, through any deserializer.
#[cfg(feature = "serde")]
#[test]
fn serde_failures_never_quote_the_input() {
    /// A number made of the sentinel's idea: long, unlikely digits.
    const DIGITS: &str = "918273645546372819";

    fn inputs() -> Vec<String> {
        vec![
            format!("{DIGITS}"),
            format!("-{DIGITS}"),
            format!("{DIGITS}.5"),
            "true".to_owned(),
            format!(r#""{SENTINEL}""#),
            format!(r#"["{SENTINEL}"]"#),
            format!(r#"[{DIGITS}]"#),
            format!(r#"{{"{SENTINEL}": 1}}"#),
            format!(r#"{{"k": "{SENTINEL}"}}"#),
            format!(r#"["ok", "{SENTINEL} with space"]"#),
            format!(r#""{SENTINEL}\u0000""#),
        ]
    }

    fn check<T: serde::de::DeserializeOwned>(what: &str) {
        for input in inputs() {
            // From text, as a web framework reads a body ...
            if let Err(e) = serde_json::from_str::<T>(&input) {
                let text = e.to_string();
                assert_clean(&format!("{what} from_str({input})"), &text);
                assert!(!text.contains(DIGITS), "{what} from_str({input}): {text}");
            }
            // ... and from a parsed value, as a config layer does.
            let value: serde_json::Value = serde_json::from_str(&input).unwrap();
            if let Err(e) = serde_json::from_value::<T>(value) {
                let text = e.to_string();
                assert_clean(&format!("{what} from_value({input})"), &text);
                assert!(!text.contains(DIGITS), "{what} from_value({input}): {text}");
            }
        }
    }

    check::<SecretString>("SecretString");
    check::<SecretBytes>("SecretBytes");
    check::<Secret<[u8; 4]>>("Secret<[u8; 4]>");
    check::<Option<SecretString>>("Option<SecretString>");
    check::<ApiKeyHash>("ApiKeyHash");
    #[cfg(feature = "validate")]
    {
        use seckit::validate::{
            Email, Filename, PositiveId, SqlIdentifier, Tag, Tags, Text, UnicodeUsername, UserId,
            Username,
        };
        check::<Username>("Username");
        check::<UserId>("UserId");
        check::<UnicodeUsername>("UnicodeUsername");
        check::<Email>("Email");
        check::<Text>("Text");
        check::<Tag>("Tag");
        check::<Tags>("Tags");
        check::<SqlIdentifier>("SqlIdentifier");
        check::<Filename>("Filename");
        check::<PositiveId>("PositiveId");
        // Inside a request struct, as a handler would declare it.
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // read only through Debug
        struct Signup {
            username: Username,
            email: Email,
            password: SecretString,
            tags: Tags,
        }
        // The struct's own errors (a number where the object should be) are
        // serde_derive's, not seckit's: put every hostile value in each field.
        let good = [
            ("username", r#""ada""#),
            ("email", r#""ada@example.org""#),
            ("password", r#""sample""#),
            ("tags", r#"["x"]"#),
        ];
        for (field, _) in good {
            for bad in inputs() {
                let body = good
                    .iter()
                    .map(|(f, v)| {
                        format!(r#""{f}":{}"#, if *f == field { bad.as_str() } else { v })
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                let e = serde_json::from_str::<Signup>(&format!("{{{body}}}"));
                if let Err(e) = e {
                    let text = e.to_string();
                    assert_clean(&format!("Signup.{field} = {bad}"), &text);
                    assert!(!text.contains(DIGITS), "Signup.{field} = {bad}: {text}");
                }
            }
        }
        // The rule still comes through, for the client's benefit.
        let e = serde_json::from_str::<Signup>(&format!(
            r#"{{"username":"{SENTINEL} x","email":"a@b.example","password":"p","tags":[]}}"#
        ))
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid input: username.invalid_char"),
            "{e}"
        );
        let e = serde_json::from_str::<Tags>(&format!(r#"["ok","{SENTINEL} x"]"#)).unwrap_err();
        assert!(e.to_string().starts_with("invalid input: tag."), "{e}");
    }
}

#[cfg(feature = "password")]
#[test]
fn password_errors_never_echo_the_password_or_the_hash() {
    use seckit::password::{PasswordHasher, PasswordPolicy, Pepper};

    let hasher = PasswordHasher::new();
    let password = SecretString::from(SENTINEL);
    let stored = hasher.hash(&password).unwrap();
    let wrong = SecretString::from(format!("{SENTINEL}-wrong"));
    let long = SecretString::from(SENTINEL.repeat(300));
    let hostile = format!("$argon2id$v=19$m=19456,t=2,p=1,{SENTINEL}=1$c2FsdHNhbHQ$c2FsdA");
    let errors = [
        hasher.verify(&wrong, &stored).unwrap_err(),
        hasher.verify(&long, &stored).unwrap_err(),
        hasher.hash(&long).unwrap_err(),
        hasher.verify(&password, SENTINEL).unwrap_err(),
        hasher.verify(&password, &hostile).unwrap_err(),
        hasher
            .verify(&password, &format!("$2b${SENTINEL}"))
            .unwrap_err(),
        hasher.needs_rehash(&hostile).unwrap_err(),
        hasher.dummy_verify(&password).unwrap_err(),
        PasswordHasher::builder()
            .bcrypt(10)
            .build()
            .unwrap()
            .hash(&long)
            .unwrap_err(),
        PasswordPolicy::default()
            .check(&SecretString::from("password"), Some(SENTINEL), None)
            .unwrap_err(),
    ];
    for e in &errors {
        assert_error_clean("password error", e);
        assert!(
            !format!("{e}{e:?}").contains(&stored),
            "an error echoed the stored hash: {e}"
        );
    }
    let pepper = Pepper::new(
        "k1",
        SecretBytes::from(format!("{SENTINEL}-{}", SENTINEL.to_lowercase()).as_bytes()),
    )
    .unwrap();
    let peppered = PasswordHasher::builder()
        .pepper(pepper.clone())
        .build()
        .unwrap();
    assert_clean("Pepper Debug", &format!("{pepper:?}"));
    assert_clean("PasswordHasher Debug", &format!("{peppered:?}"));
}

#[cfg(feature = "jwt")]
#[test]
fn jwt_errors_and_types_never_echo_secrets_or_tokens() {
    use seckit::jwt::{Algorithm, Issuer, JwtConfig, SecretEncoding, SigningKey, Verifier};

    // As a secret: too short, wrongly encoded, repeated to length.
    let repeated = SENTINEL.repeat(4);
    for (text, enc) in [
        (SENTINEL.to_owned(), SecretEncoding::Raw),
        (SENTINEL.to_owned(), SecretEncoding::Hex),
        (format!("{SENTINEL}!!"), SecretEncoding::Base64),
        (repeated.clone(), SecretEncoding::Raw),
    ] {
        let err = SigningKey::hmac_encoded(Algorithm::HS256, &text.into(), enc).unwrap_err();
        assert_error_clean("jwt secret check", &err);
    }
    for vars in [
        vec![("JWT_SECRET", SENTINEL)],
        vec![("JWT_SECRET", repeated.as_str())],
        vec![
            ("JWT_SECRET", repeated.as_str()),
            ("JWT_ALGORITHM", SENTINEL),
        ],
        vec![
            ("JWT_SECRET", repeated.as_str()),
            ("JWT_TTL_MINUTES", SENTINEL),
        ],
        vec![("JWT_ALGORITHM", "ES256"), ("JWT_PRIVATE_KEY", SENTINEL)],
    ] {
        let err = JwtConfig::from_loader(&mut Loader::from_vars(vars)).unwrap_err();
        assert_error_clean("JwtConfig::from_loader", &err);
    }
    // A good key built from a secret holding the sentinel prints nothing of it.
    let secret = format!("{SENTINEL}-kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD");
    let key = SigningKey::hmac_encoded(
        Algorithm::HS256,
        &secret.clone().into(),
        SecretEncoding::Raw,
    )
    .unwrap();
    assert_clean("SigningKey Debug", &format!("{key:?}"));
    let config = JwtConfig::new(key.clone());
    assert_clean("JwtConfig Display", &config.to_string());
    assert_clean("JwtConfig Debug", &format!("{config:?}"));
    // Tokens carrying the sentinel, refused for every kind of reason.
    let token = Issuer::new(key.clone())
        .issue(&serde_json::json!({"s": SENTINEL}))
        .unwrap();
    let verifier = Verifier::new(key.verifying_key())
        .with_issuer(SENTINEL)
        .unwrap();
    let (input, _) = token.rsplit_once('.').unwrap();
    for bad in [
        token.clone(),
        format!("{input}.{SENTINEL}"),
        format!("{SENTINEL}.{SENTINEL}.{SENTINEL}"),
        format!("{token}{SENTINEL}"),
        SENTINEL.to_owned(),
    ] {
        let err = verifier.verify::<serde_json::Value>(&bad).unwrap_err();
        assert_error_clean("jwt verify", &err);
        let err = seckit::jwt::bearer_token(&format!("Bearer {bad} x")).unwrap_err();
        assert_error_clean("bearer_token", &err);
    }
}

#[cfg(feature = "validate")]
#[test]
fn validate_never_echoes_rejected_input_or_basic_passwords() {
    use base64::Engine as _;
    use seckit::validate::{BasicCredentials, Email, Filename, Text, Username, safe_join};

    let header = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("alice:{SENTINEL}"))
    );
    let creds = BasicCredentials::parse(&header).unwrap();
    assert_clean("BasicCredentials Debug", &format!("{creds:?}"));
    for bad in [
        format!("{SENTINEL} "),
        format!("{SENTINEL}\u{202E}"),
        format!("../{SENTINEL}"),
        format!("{SENTINEL}@"),
    ] {
        for err in [
            Username::parse(&bad).err(),
            Email::parse(&bad).err(),
            Text::parse_with(&bad, &seckit::validate::TextOptions::with_max_chars(8)).err(),
            Filename::parse(&bad).err(),
            safe_join(std::path::Path::new("/r"), &bad).err(),
            BasicCredentials::parse(&bad).err(),
        ]
        .into_iter()
        .flatten()
        {
            assert_error_clean("validate", &err);
        }
    }
    // A control character in a password: refused without echoing it.
    let header = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("alice:{SENTINEL}\u{1}"))
    );
    assert_error_clean(
        "BasicCredentials",
        &BasicCredentials::parse(&header).unwrap_err(),
    );
}
