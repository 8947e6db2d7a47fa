//! Log-safe text for values that must appear in logs: tokens, URLs and DSNs,
//! configuration maps.
//!
//! Every function here returns owned text that is safe to log, and none of
//! them fails: input that cannot be understood is masked entirely rather than
//! passed through. Input longer than [`MAX_INPUT_LEN`] bytes is masked
//! entirely before any parsing.
//!
//! What masking cannot see: a secret carried where nothing marks it as one
//! (a webhook URL whose *path* is the credential, a token stored under an
//! innocent-looking name). Keep those out of logs altogether.
//!
//! # Example
//!
//! ```
//! use seckit::mask;
//!
//! assert_eq!(
//!     mask::url("postgres://app:hunter2@db.internal:5432/app?sslmode=require"),
//!     "postgres://app:***@db.internal:5432/app?sslmode=require"
//! );
//! assert_eq!(mask::token("ghp_16C7e42F292c6912E7710c838347Ae178B4a"), "ghp_…8B4a");
//! assert_eq!(mask::token("short-token"), "***");
//! ```

use std::collections::BTreeMap;

/// What a masked value, or a masked part of one, is replaced with.
pub const MASK: &str = "***";

/// Inputs longer than this many bytes are masked entirely, unread.
pub const MAX_INPUT_LEN: usize = 8192;

/// Tokens of this many characters or fewer are masked entirely.
pub const TOKEN_FULLY_MASKED_UP_TO: usize = 12;

/// How many characters [`token`] keeps at each end.
const TOKEN_SHOWN_EACH_END: usize = 4;

/// Word fragments that mark a configuration key or query parameter as secret,
/// matched case-insensitively against the name with every non-alphanumeric
/// character removed (so `API_KEY`, `api-key` and `apiKey` all match `key`).
const SECRET_NAME_PARTS: &[&str] = &[
    "auth",
    "cookie",
    "credential",
    "dsn",
    "key",
    "pass",
    "pepper",
    "private",
    "pwd",
    "secret",
    "signature",
    "token",
];

/// A token as its first and last 4 characters around an ellipsis
/// (`eyJh…sw5c`), enough to tell two tokens apart in a log.
///
/// Tokens of [`TOKEN_FULLY_MASKED_UP_TO`] characters or fewer become `***`,
/// as does anything whose visible ends are not printable ASCII (so a log line
/// cannot be broken by a newline or a terminal escape in a token).
///
/// ```
/// use seckit::mask;
///
/// assert_eq!(mask::token("sk_live_0123456789abcdef"), "sk_l…cdef");
/// assert_eq!(mask::token("123456789012"), "***");
/// ```
#[must_use]
pub fn token(token: &str) -> String {
    if token.len() > MAX_INPUT_LEN {
        return MASK.to_owned();
    }
    let count = token.chars().count();
    if count <= TOKEN_FULLY_MASKED_UP_TO {
        return MASK.to_owned();
    }
    let head: String = token.chars().take(TOKEN_SHOWN_EACH_END).collect();
    let tail: String = token
        .chars()
        .skip(count.saturating_sub(TOKEN_SHOWN_EACH_END))
        .collect();
    if !head
        .chars()
        .chain(tail.chars())
        .all(|c| c.is_ascii_graphic())
    {
        return MASK.to_owned();
    }
    format!("{head}…{tail}")
}

/// A URL or DSN with its credentials masked.
///
/// - The password in the userinfo becomes `***` (`redis://:***@cache:6379`).
///   A userinfo without a password, or with an empty one, is masked whole,
///   since that is where token-in-URL schemes put the token
///   (`https://***@git.example`, `https://***@api.example` for `key:@`).
/// - Query and fragment parameters whose names look secret (see
///   [`is_secret_key`]; `password`, `sslpassword`, `api_key`,
///   `access_token`, ...) keep their name and lose their value. A
///   percent-encoded parameter name is treated as secret.
/// - Forms without a scheme (`user:pass@host:5432/db`) are understood when
///   they have a userinfo.
/// - Anything else is masked entirely: input that is not printable ASCII,
///   has no scheme and no userinfo, has an unparseable host or port, or is
///   ambiguous about where the credential ends: any `@` after the host,
///   even an e-mail address in the query, since a credential holding an
///   unencoded `/`, `?` or `#` looks just like that.
///
/// ```
/// use seckit::mask;
///
/// assert_eq!(
///     mask::url("mongodb+srv://svc:s3cr3t@cluster0.example.net/db?retryWrites=true"),
///     "mongodb+srv://svc:***@cluster0.example.net/db?retryWrites=true"
/// );
/// assert_eq!(
///     mask::url("https://api.example.com/v1?api_key=abc123&page=2"),
///     "https://api.example.com/v1?api_key=***&page=2"
/// );
/// assert_eq!(mask::url("not a url"), "***");
/// ```
#[must_use]
pub fn url(input: &str) -> String {
    mask_url(input).unwrap_or_else(|| MASK.to_owned())
}

/// Whether a configuration key or parameter name looks like it holds a
/// secret: it contains one of `auth`, `cookie`, `credential`, `dsn`, `key`,
/// `pass`, `pepper`, `private`, `pwd`, `secret`, `signature` or `token`,
/// ignoring case and separators.
///
/// It errs on the side of masking: `AUTHOR` and `KEYBOARD_LAYOUT` count as
/// secret too.
///
/// ```
/// use seckit::mask;
///
/// assert!(mask::is_secret_key("DB_PASSWORD"));
/// assert!(mask::is_secret_key("stripe.apiKey"));
/// assert!(!mask::is_secret_key("LOG_LEVEL"));
/// ```
#[must_use]
pub fn is_secret_key(name: &str) -> bool {
    if name.len() > MAX_INPUT_LEN {
        return true;
    }
    let normalized: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_NAME_PARTS
        .iter()
        .any(|part| normalized.contains(part))
}

/// One configuration entry, made safe to log.
///
/// The value is masked entirely when the key looks secret
/// ([`is_secret_key`]); otherwise a value that looks like a URL or DSN (it
/// contains `://` or `@`) goes through [`url`], so `DATABASE_URL` loses its
/// password even though its name is innocent; other values are kept, with
/// control characters escaped.
///
/// ```
/// use seckit::mask;
///
/// assert_eq!(mask::value("JWT_SECRET", "anything"), "***");
/// assert_eq!(mask::value("DATABASE_URL", "postgres://u:p@db/app"), "postgres://u:***@db/app");
/// assert_eq!(mask::value("LOG_LEVEL", "info"), "info");
/// ```
#[must_use]
pub fn value(key: &str, value: &str) -> String {
    if is_secret_key(key) || value.len() > MAX_INPUT_LEN {
        MASK.to_owned()
    } else if value.contains("://") || value.contains('@') {
        url(value)
    } else if value.chars().any(char::is_control) {
        value.escape_debug().to_string()
    } else {
        value.to_owned()
    }
}

/// A configuration map made safe to log, entry by entry with [`value`].
///
/// Keys are kept; the result is sorted by key.
///
/// ```
/// use seckit::mask;
///
/// let env = [("DB_PASS", "hunter2"), ("PORT", "8080")];
/// let safe = mask::map(env);
/// assert_eq!(safe["DB_PASS"], "***");
/// assert_eq!(safe["PORT"], "8080");
/// ```
#[must_use]
pub fn map<I, K, V>(entries: I) -> BTreeMap<String, String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    entries
        .into_iter()
        .map(|(k, v)| {
            let shown = value(k.as_ref(), v.as_ref());
            (k.as_ref().to_owned(), shown)
        })
        .collect()
}

/// The lexical URL masker behind [`url`]. `None` means "mask it all".
fn mask_url(input: &str) -> Option<String> {
    if input.is_empty()
        || input.len() > MAX_INPUT_LEN
        || !input.bytes().all(|b| b.is_ascii_graphic())
    {
        return None;
    }
    let (scheme, rest) = match input.split_once("://") {
        Some((scheme, rest)) => (Some(valid_scheme(scheme)?), rest),
        None => (None, input),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    // The last '@' ends the userinfo, so an unencoded '@' in a password
    // stays inside the masked part.
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => (Some(userinfo), hosts),
        None => (None, authority),
    };
    if scheme.is_none() && userinfo.is_none() {
        return None;
    }
    if !valid_hosts(hosts) {
        return None;
    }
    // An '@' after the authority may mean that a credential holding an
    // unencoded '/', '?' or '#' cut the authority short: "u:12?x@host" parses
    // as host "u", port "12"; "tok?en@host" as host "tok"; "u:p@w?x@host" as
    // userinfo "u:p", host "w". There is no telling, so mask everything.
    if tail.contains('@') {
        return None;
    }
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let (path, query_and_fragment) = tail.split_at(path_end);

    let mut out = String::with_capacity(input.len().saturating_add(MASK.len()));
    if let Some(scheme) = scheme {
        out.push_str(scheme);
        out.push_str("://");
    }
    if let Some(userinfo) = userinfo {
        match userinfo.split_once(':') {
            Some((user, password)) if !password.is_empty() => {
                out.push_str(user);
                out.push(':');
                out.push_str(MASK);
            }
            // No password, or an empty one (`sk_live_…:@api.example`, the
            // basic-auth form of API keys): the user part is the credential.
            _ => out.push_str(MASK),
        }
        out.push('@');
    }
    out.push_str(hosts);
    out.push_str(path);
    let (query, fragment) = match query_and_fragment.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (query_and_fragment, None),
    };
    if let Some(query) = query.strip_prefix('?') {
        out.push('?');
        push_masked_params(&mut out, query);
    }
    if let Some(fragment) = fragment {
        // OAuth's implicit flow puts `access_token=` in the fragment.
        out.push('#');
        push_masked_params(&mut out, fragment);
    }
    Some(out)
}

/// `scheme` if it is `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`, or JDBC's
/// `jdbc:<subprotocol>` with a lowercase alphanumeric subprotocol.
///
/// No other colon is allowed: in `user:pa://ss@host` the "scheme" `user:pa`
/// would be half a password.
fn valid_scheme(scheme: &str) -> Option<&str> {
    let plain = |s: &str| {
        let mut bytes = s.bytes();
        bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
            && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    };
    let ok = match scheme.strip_prefix("jdbc:") {
        Some(sub) => {
            !sub.is_empty()
                && sub
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }
        None => plain(scheme),
    };
    ok.then_some(scheme)
}

/// Whether `hosts` is a host list (`h1:1,h2:2`, `[::1]:5432`) or empty.
fn valid_hosts(hosts: &str) -> bool {
    hosts.is_empty() || hosts.split(',').all(valid_host)
}

/// `name[:port]` or `[ipv6][:port]`, with a numeric port of 1 to 5 digits.
fn valid_host(host: &str) -> bool {
    let (name_ok, port) = if let Some(bracketed) = host.strip_prefix('[') {
        let Some((addr, after)) = bracketed.split_once(']') else {
            return false;
        };
        let addr_ok = !addr.is_empty()
            && addr
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.' | b'%'));
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        (addr_ok, port)
    } else {
        let (name, port) = match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        };
        let name_ok = !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%')
            });
        (name_ok, port)
    };
    name_ok
        && port
            .is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Appends `name=value&...` with the values of secret-looking names masked.
fn push_masked_params(out: &mut String, params: &str) {
    for (i, param) in params.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match param.split_once('=') {
            Some((name, _value)) if name.contains('%') || is_secret_key(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(MASK);
            }
            _ => out.push_str(param),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lengths() {
        assert_eq!(token(""), MASK);
        assert_eq!(token("123456789012"), MASK);
        assert_eq!(token("1234567890123"), "1234…0123");
        assert_eq!(token("eyJhbGciOiJIUzI1NiJ9.e30.sig-nature"), "eyJh…ture");
        // Counted in characters, not bytes.
        assert_eq!(token("ééééééééééééé"), MASK);
        assert_eq!(token("abcd\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}wxyz"), "abcd…wxyz");
    }

    #[test]
    fn token_never_shows_unprintable_ends() {
        assert_eq!(token("ab\ncd-middle-of-token-wxyz"), MASK);
        assert_eq!(token("abcd-middle-of-token-\u{1b}[0m"), MASK);
        assert_eq!(token(&"a".repeat(MAX_INPUT_LEN + 1)), MASK);
    }

    #[test]
    fn url_masks_userinfo_password() {
        let cases = [
            (
                "postgresql://app:pw@db:5432/app",
                "postgresql://app:***@db:5432/app",
            ),
            (
                "mysql://root:pw@127.0.0.1/test",
                "mysql://root:***@127.0.0.1/test",
            ),
            ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
            (
                "rediss://default:pw@cache.example.com:6380",
                "rediss://default:***@cache.example.com:6380",
            ),
            (
                "amqp://guest:pw@rabbit:5672/%2f",
                "amqp://guest:***@rabbit:5672/%2f",
            ),
            ("http://u:pw@example.com/", "http://u:***@example.com/"),
            ("https://u:pw@example.com", "https://u:***@example.com"),
            (
                "mongodb+srv://u:pw@c0.example.net/db",
                "mongodb+srv://u:***@c0.example.net/db",
            ),
            (
                "mongodb://u:pw@h1:27017,h2:27017/db?replicaSet=rs0",
                "mongodb://u:***@h1:27017,h2:27017/db?replicaSet=rs0",
            ),
            ("postgres://u:p@ss@db/app", "postgres://u:***@db/app"),
            (
                "postgres://u:pw@[::1]:5432/app",
                "postgres://u:***@[::1]:5432/app",
            ),
            (
                "postgres://u:pw@/app?host=/var/run/postgresql",
                "postgres://u:***@/app?host=/var/run/postgresql",
            ),
            (
                "jdbc:postgresql://u:pw@db/app",
                "jdbc:postgresql://u:***@db/app",
            ),
            ("u:pw@db:5432/app", "u:***@db:5432/app"),
            ("u:pw@db", "u:***@db"),
            (
                "https://ghp_tokenvalue@github.com/o/r.git",
                "https://***@github.com/o/r.git",
            ),
            ("sqlite:///var/lib/app.db", "sqlite:///var/lib/app.db"),
            ("https://example.com/path", "https://example.com/path"),
        ];
        for (input, want) in cases {
            assert_eq!(url(input), want, "{input}");
        }
    }

    #[test]
    fn url_masks_secret_query_and_fragment_params() {
        let cases = [
            ("https://h/x?password=a&b=c", "https://h/x?password=***&b=c"),
            ("https://h/x?PassWD=a;b", "https://h/x?PassWD=***"),
            (
                "https://h/?pwd=a&secret=b&token=c&key=d",
                "https://h/?pwd=***&secret=***&token=***&key=***",
            ),
            (
                "https://h/?apikey=a&api_key=b&access_token=c",
                "https://h/?apikey=***&api_key=***&access_token=***",
            ),
            (
                "postgres://db/app?sslpassword=a&sslmode=require",
                "postgres://db/app?sslpassword=***&sslmode=require",
            ),
            (
                "https://h/cb#access_token=a&state=s",
                "https://h/cb#access_token=***&state=s",
            ),
            ("https://h/?pass%77ord=a", "https://h/?pass%77ord=***"),
            ("https://h/?flag&q=1", "https://h/?flag&q=1"),
        ];
        for (input, want) in cases {
            assert_eq!(url(input), want, "{input}");
        }
    }

    #[test]
    fn url_masks_what_it_cannot_understand() {
        let cases = [
            "",
            "not a url",
            "localhost:6379",
            "plain-token-value",
            "postgres://u:pa/ss@host/db",
            "redis://:pa?ss@host",
            "redis://u:12?ss@host",
            "redis://u:12#ss@host",
            "postgres://u:1234/5@host",
            "https://host/@user",
            "1http://u:p@h",
            "a:pa://@host",
            "user:pa://ss@host/db",
            "jdbc:Pg://u:p@h",
            "https://bad host/",
            "https://h:notaport/",
            "https://h:/",
            "https://[zz]/",
            "https://h1,,h2/",
            "https://u:p\u{e9}@h/",
            "postgres://u:pw\n@db",
            "postgres://u:p@w?x@host/db",
            "postgres://u:p@host/db?email=a@b.example",
            "https://h/?email=a@b.example",
            "https://tok?en@host/",
        ];
        for input in cases {
            assert_eq!(url(input), MASK, "{input:?}");
        }
        assert_eq!(
            url(&format!("https://h/{}", "a".repeat(MAX_INPUT_LEN))),
            MASK
        );
    }

    #[test]
    fn secret_key_names() {
        for name in [
            "password",
            "DB_PASSWORD",
            "db-passwd",
            "PGPASS",
            "pwd",
            "client_secret",
            "AUTH_TOKEN",
            "apiKey",
            "PRIVATE_KEY_PEM",
            "SENTRY_DSN",
            "aws.credentials",
            "Authorization",
            "SESSION_COOKIE",
            "HASH_PEPPER",
            "X-Signature",
        ] {
            assert!(is_secret_key(name), "{name}");
        }
        for name in ["PORT", "LOG_LEVEL", "DATABASE_URL", "HOST", "region"] {
            assert!(!is_secret_key(name), "{name}");
        }
    }

    #[test]
    fn values_and_maps() {
        assert_eq!(value("TOKEN", "x"), MASK);
        assert_eq!(
            value("DATABASE_URL", "postgres://u:p@db/x"),
            "postgres://u:***@db/x"
        );
        assert_eq!(value("ADMIN_EMAIL", "root@example.com"), "***@example.com");
        assert_eq!(value("GREETING", "a\nb"), "a\\nb");
        let m = map(vec![
            ("A_SECRET".to_owned(), "s".to_owned()),
            ("B".to_owned(), "b".to_owned()),
        ]);
        assert_eq!(
            m.into_iter().collect::<Vec<_>>(),
            vec![
                ("A_SECRET".to_owned(), MASK.to_owned()),
                ("B".to_owned(), "b".to_owned())
            ]
        );
    }
}
