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

/// Parameter and property names that must be masked, in the spellings
/// services use (issue 13, item 2 lists the newer ones).
fn secret_param_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("password"),
        Just("passwd"),
        Just("pwd"),
        Just("PWD"),
        Just("Pwd"),
        Just("secret"),
        Just("token"),
        Just("key"),
        Just("apikey"),
        Just("api_key"),
        Just("access_token"),
        Just("sslpassword"),
        Just("PASSWORD"),
        Just("Api-Key"),
        Just("client_secret"),
        Just("sig"),
        Just("pw"),
        Just("jwt"),
        Just("code"),
        Just("jsessionid"),
        Just("JSESSIONID"),
        Just("session"),
        Just("sessionid"),
        Just("refresh_token"),
        Just("id_token"),
        Just("private_key"),
        Just("X-Amz-Signature"),
        Just("x-amz-credential"),
        Just("X-Amz-Security-Token"),
        Just("AccountKey"),
        Just("SharedAccessKey"),
    ]
    .prop_map(str::to_owned)
}

/// `name` in a random mix of upper and lower case.
fn any_case(name: String) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<bool>(), name.len()).prop_map(move |upper| {
        name.chars()
            .zip(upper)
            .map(|(c, u)| {
                if u {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

fn innocent_property() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("Server"),
            Just("Database"),
            Just("User Id"),
            Just("UID"),
            Just("Encrypt"),
            Just("AuthMech"),
            Just("databaseName"),
            Just("ssl"),
        ],
        "[a-p0-9._-]{0,8}",
    )
        .prop_map(|(n, v)| format!("{n}={v}"))
}

/// A secret value for a `;` list: bare (no `;`), in braces (`}}` escapes
/// `}`, `;` allowed inside) or in double quotes (`""` escapes `"`).
fn delimited_secret() -> impl Strategy<Value = String> {
    prop_oneof![
        "[!-:<-~]{0,16}"
            .prop_map(|v| format!("{MARKER}{}", v.trim_start_matches(['{', '"', '\'']))),
        "[!-|~]{0,16}".prop_map(|v| format!("{{{MARKER}{}}}", v.replace('}', "}}"))),
        "[ -!#-~]{0,16}".prop_map(|v| format!("\"{MARKER}{}\"", v.replace('"', "\"\""))),
    ]
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
        name in secret_param_name(),
        value in "[A-Za-z0-9._~%-]{0,16}".prop_map(|v| format!("{MARKER}{v}")),
        before in "([a-p]{1,4}=[a-p0-9]{0,4}[&;]){0,2}",
        after in "([&;][a-p]{1,4}=[a-p0-9]{0,4}){0,2}",
        in_fragment in any::<bool>(),
    ) {
        let sep = if in_fragment { '#' } else { '?' };
        let input = format!("https://{host}/cb{sep}{before}{name}={value}{after}");
        let out = mask::url(&input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
    }

    #[test]
    fn url_never_panics_and_output_is_bounded(input in "\\PC{0,200}") {
        let out = mask::url(&input);
        // Growth comes only from "***" replacing a shorter (even empty)
        // value: at most once per parameter and once for the userinfo.
        let slots = input.matches(['&', ';', '=']).count() + 3;
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

    /// JDBC-style `;` properties after the host or in the path.
    #[test]
    fn jdbc_properties_never_leak(
        scheme in prop_oneof![Just("jdbc:redshift"), Just("jdbc:databricks"), Just("jdbc:sqlserver"), Just("https")],
        host in host(), path in "(/[a-p0-9]{1,6}){0,2}",
        before in proptest::collection::vec(innocent_property(), 0..3),
        after in proptest::collection::vec(innocent_property(), 0..3),
        name in secret_param_name().prop_flat_map(any_case),
        value in "[!-:<-~]{0,16}",
    ) {
        let mut props = before;
        props.push(format!("{name}={MARKER}{value}"));
        props.extend(after);
        let input = format!("{scheme}://{host}{path};{}", props.join(";"));
        let out = mask::url(&input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
        let out = mask::value("JDBC_URL", &input);
        prop_assert!(!out.contains(MARKER), "value: {input} -> {out}");
    }

    /// ADO.NET and ODBC connection strings.
    #[test]
    fn connection_strings_never_leak(
        before in proptest::collection::vec(innocent_property(), 0..4),
        after in proptest::collection::vec(innocent_property(), 0..4),
        name in secret_param_name().prop_flat_map(any_case),
        value in delimited_secret(),
        spaces in "[ ]{0,2}",
        trailing in any::<bool>(),
    ) {
        let mut props = before;
        props.push(format!("{name}={spaces}{value}"));
        props.extend(after);
        let mut input = props.join(";");
        if trailing {
            input.push(';');
        }
        let out = mask::url(&input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
        let out = mask::value("CONNECTION_STRING", &input);
        prop_assert!(!out.contains(MARKER), "value: {input} -> {out}");
    }

    /// libpq `key=value` DSNs, bare or single-quoted values.
    #[test]
    fn libpq_dsns_never_leak(
        before in proptest::collection::vec("(host|user|dbname|sslmode|port)=[a-p0-9./]{1,8}", 0..3),
        after in proptest::collection::vec("(host|user|dbname|sslmode|port)=[a-p0-9./]{1,8}", 0..3),
        name in prop_oneof![Just("password"), Just("sslpassword"), Just("PASSWORD")],
        quoted in any::<bool>(),
        raw in "[!-~ ]{0,16}",
        pad in "[ ]{0,2}",
    ) {
        let value = if quoted {
            format!("'{MARKER}{}'", raw.replace('\\', "\\\\").replace('\'', "\\'"))
        } else {
            let bare: String = raw.chars().filter(|c| !c.is_whitespace() && !"'\\&;".contains(*c)).collect();
            format!("{MARKER}{bare}")
        };
        let mut pairs = before;
        pairs.push(format!("{name}{pad}={pad}{value}"));
        pairs.extend(after);
        let input = pairs.join(" ");
        let out = mask::url(&input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
        let out = mask::value("DATABASE_URL", &input);
        prop_assert!(!out.contains(MARKER), "value: {input} -> {out}");
    }

    /// A token in the userinfo's user position, with a password beside it.
    #[test]
    fn token_users_never_leak(
        prefix in proptest::sample::select(mask::TOKEN_PREFIXES),
        body in "[A-Za-z0-9_]{0,30}",
        long_plain in any::<bool>(),
        pw in "[a-z-]{1,14}", host in host(), tail in tail(),
    ) {
        // Either a known prefix, or no prefix but long enough to be a token.
        let user = if long_plain {
            format!("{MARKER}{}", "a".repeat(mask::TOKEN_LIKE_USER_LEN))
        } else {
            format!("{prefix}{MARKER}{body}")
        };
        let input = format!("https://{user}:{pw}@{host}{tail}");
        let out = mask::url(&input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
    }

    /// Whatever the form, `value` under an innocent name never hands back
    /// a secret-named parameter's value.
    #[test]
    fn value_masks_every_form(
        name in secret_param_name(),
        secret in "[A-Za-z0-9]{0,12}".prop_map(|v| format!("{MARKER}{v}")),
        form in 0usize..5,
    ) {
        let input = match form {
            0 => format!("postgres://db/app?{name}={secret}"),
            1 => format!("Server=db;{name}={secret}"),
            2 => format!("host=db {name}={secret}"),
            3 => format!("{name}={secret}"),
            _ => format!("jdbc:redshift://h:5439/dev;{name}={secret}"),
        };
        let out = mask::value("SETTING", &input);
        prop_assert!(!out.contains(MARKER), "{input} -> {out}");
    }

    /// Any text, quoted as the password of a connection string or a libpq
    /// DSN the way each format quotes, never comes back (the fuzz target
    /// `mask` checks the same on arbitrary bytes).
    #[test]
    fn any_quoted_password_never_leaks(input in "\\PC{0,40}") {
        for dsn in [
            format!("Server=db;User Id=sa;Password={{{MARKER}{}}};Encrypt=yes", input.replace('}', "}}")),
            format!("Server=db;Password=\"{MARKER}{}\"", input.replace('"', "\"\"")),
            format!("host=db user=app password='{MARKER}{}' sslmode=require", input.replace('\\', "\\\\").replace('\'', "\\'")),
        ] {
            let out = mask::url(&dsn);
            prop_assert!(!out.contains(MARKER), "{dsn} -> {out}");
        }
    }
}
