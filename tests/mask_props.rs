//! Property tests for `seckit::mask`: it never panics, and it never hands
//! back the credential part of what it masks.

// Helpers outside #[test] fns may fail loudly too: clippy.toml only covers #[test].
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use seckit::mask;

/// Every password starts with this marker; nothing else generated here can
/// contain a capital `Z` followed by `q`, so finding the marker in the
/// output means the password (or its start) leaked.
const MARKER: &str = "Zq";

fn scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("postgres"),
        Just("postgresql"),
        Just("mysql"),
        Just("redis"),
        Just("rediss"),
        Just("mongodb+srv"),
        Just("amqp"),
        Just("http"),
        Just("https"),
        Just("jdbc:postgresql"),
    ]
    .prop_map(str::to_owned)
}

/// A password from the whole printable-ASCII range, special characters
/// included, so that unencoded `/ ? # @ :` try to confuse the parser.
fn password() -> impl Strategy<Value = String> {
    "[!-~]{0,24}".prop_map(|rest| format!("{MARKER}{rest}"))
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-p0-9]{1,10}(\\.[a-p0-9]{1,8}){0,2}",
        Just("[::1]".to_owned()),
        "[a-p]{1,6}:[0-9]{2,5},[a-p]{1,6}:[0-9]{2,5}",
    ]
}

fn tail() -> impl Strategy<Value = String> {
    "(/[a-p0-9._-]{0,8}){0,3}(\\?[a-p]{1,6}=[a-p0-9@]{0,6}){0,1}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn url_with_scheme_never_leaks_the_password(
        scheme in scheme(), user in "[a-p0-9]{0,8}", pw in password(), host in host(),
        port in proptest::option::of(1u16..), tail in tail(),
    ) {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let input = format!("{scheme}://{user}:{pw}@{host}{port}{tail}");
        let out = mask::url(&input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
    }

    #[test]
    fn url_without_scheme_never_leaks_the_password(
        user in "[a-p0-9]{1,8}", pw in password(), host in host(), tail in tail(),
    ) {
        let input = format!("{user}:{pw}@{host}{tail}");
        let out = mask::url(&input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
    }

    #[test]
    fn url_userinfo_without_password_never_leaks(
        token in "[!-9;-~]{0,24}", empty_password in any::<bool>(), host in host(), tail in tail(),
    ) {
        // `token@host` (git) or `token:@host` (basic auth with an API key).
        let colon = if empty_password { ":" } else { "" };
        let input = format!("https://{MARKER}{token}{colon}@{host}{tail}");
        let out = mask::url(&input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
    }

    #[test]
    fn url_secret_query_values_never_leak(
        host in host(),
        name in "(password|passwd|pwd|secret|token|key|apikey|api_key|access_token|sslpassword|PASSWORD|Api-Key|client_secret)",
        value in "[A-Za-z0-9._~-]{0,16}".prop_map(|v| format!("{MARKER}{v}")),
        before in "([a-p]{1,4}=[a-p0-9]{0,4}&){0,2}",
        in_fragment in any::<bool>(),
    ) {
        let sep = if in_fragment { '#' } else { '?' };
        let input = format!("https://{host}/cb{sep}{before}{name}={value}");
        let out = mask::url(&input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
    }

    #[test]
    fn url_never_panics_and_output_is_bounded(input in "\\PC{0,200}") {
        let out = mask::url(&input);
        // Growth comes only from "***" replacing a shorter (even empty)
        // value: at most once per parameter and once for the userinfo.
        let slots = input.matches('&').count() + 3;
        prop_assert!(out == mask::MASK || out.len() <= input.len() + 3 * slots);
    }

    #[test]
    fn url_never_panics_on_url_like_noise(input in "[a-z:/@?#&=%\\[\\],.0-9]{0,60}") {
        let _ = mask::url(&input);
    }

    #[test]
    fn token_shows_at_most_the_ends(token in "\\PC{0,80}") {
        let out = mask::token(&token);
        let count = token.chars().count();
        if count <= 12 {
            prop_assert_eq!(out, mask::MASK);
        } else if out != mask::MASK {
            let head: String = token.chars().take(4).collect();
            let tail: String = token.chars().skip(count - 4).collect();
            prop_assert_eq!(out, format!("{head}…{tail}"));
        }
    }

    #[test]
    fn secret_named_values_are_always_masked(
        prefix in "[A-Za-z_]{0,6}",
        word in "(PASSWORD|passwd|Pwd|SECRET|token|Key|credential|PRIVATE|dsn|Auth)",
        suffix in "[A-Za-z_]{0,6}",
        value in "\\PC{0,40}",
    ) {
        let key = format!("{prefix}{word}{suffix}");
        prop_assert_eq!(mask::value(&key, &value), mask::MASK);
        let map = mask::map([(key.clone(), value)]);
        prop_assert_eq!(map[&key].as_str(), mask::MASK);
    }
}
