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

/// Whole names (after the same normalization) that mark a parameter as
/// secret: too short or too common to match as fragments (`code` in
/// `zipcode`, `sig` in `design`).
const SECRET_NAMES: &[&str] = &[
    "code",
    "jsessionid",
    "jwt",
    "phpsessid",
    "pw",
    "session",
    "sessionid",
    "sid",
    "sig",
];

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

/// A URL, DSN or connection string with its credentials masked.
///
/// Understood forms, each with what is masked:
///
/// - **URLs and DSNs** of any scheme (`postgres://`, `redis://`,
///   `jdbc:postgresql://`, `https://`): the password in the userinfo becomes
///   `***` (`redis://:***@cache:6379`). A userinfo without a password, or
///   with an empty one, is masked whole, since that is where token-in-URL
///   schemes put the token (`https://***@git.example`,
///   `https://***@api.example` for `key:@`). The *user* is masked too when
///   it looks like a token: it starts with a known token prefix (see
///   [`TOKEN_PREFIXES`]: `ghp_`, `glpat-`, `xoxb-`, `sk_live_`, `AKIA`, …)
///   or is at least [`TOKEN_LIKE_USER_LEN`] characters long
///   (`https://***:***@github.com` for `ghp_…:x-oauth-basic@`). Forms
///   without a scheme (`user:pass@host:5432/db`) are understood when they
///   have a userinfo.
/// - **Parameters** whose names look secret (see [`is_secret_key`]:
///   `password`, `sslpassword`, `api_key`, `access_token`, `sig`,
///   `x-amz-signature`, …) keep their name and lose their value, in the
///   query and the fragment (separated by `&` or `;`). A percent-encoded
///   parameter name is treated as secret.
/// - **`;` properties after the host or in the path** (JDBC:
///   `jdbc:redshift://h:5439/dev;UID=a;PWD=***`,
///   `jdbc:sqlserver://h:1433;user=sa;password=***`; servlet
///   `;jsessionid=***`): from the first `;` to the end of the input, a list
///   of `name=value` properties separated by `;`; secret-looking names lose
///   their value, and so does any value holding `/ ? # & @`, braces or
///   quotes (where such a value ends cannot be told).
/// - **`;`-separated connection strings** (ADO.NET, ODBC, any case:
///   `Server=db;User Id=sa;Password=***;`, `Driver={ODBC};Uid=a;Pwd=***`),
///   values in `{…}` or quotes included; a value that is itself a URL goes
///   through these rules.
/// - **libpq key/value DSNs** (`host=db user=app password=*** sslmode=require`,
///   `password='quoted value'` too).
///
/// Anything else is masked entirely: input that has a control character or
/// does not parse as one of the forms above, has an unparseable host or port,
/// or is ambiguous about where the credential ends (any `@` after the host,
/// even an e-mail address in the query, since a credential holding an
/// unencoded `/`, `?` or `#` looks just like that).
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
/// assert_eq!(
///     mask::url("Server=db;Database=app;User Id=sa;Password=hunter2;"),
///     "Server=db;Database=app;User Id=sa;Password=***;"
/// );
/// assert_eq!(
///     mask::url("host=db user=app password='hunter 2' sslmode=require"),
///     "host=db user=app password=*** sslmode=require"
/// );
/// assert_eq!(mask::url("not a url"), "***");
/// ```
#[must_use]
pub fn url(input: &str) -> String {
    mask_any(input).unwrap_or_else(|| MASK.to_owned())
}

/// Whether a configuration key or parameter name looks like it holds a
/// secret. The name is compared ignoring case and every non-alphanumeric
/// character (so `API_KEY`, `api-key` and `apiKey` are all `apikey`):
///
/// - it *contains* one of `auth`, `cookie`, `credential`, `dsn`, `key`,
///   `pass`, `pepper`, `private`, `pwd`, `secret`, `signature` or `token`
///   (`client_secret`, `refresh_token`, `x-amz-security-token`,
///   `private_key`, `x-amz-credential`, `x-amz-signature`); or
/// - it *is* one of `code`, `jsessionid`, `jwt`, `phpsessid`, `pw`,
///   `session`, `sessionid`, `sid` or `sig` (Azure SAS): names too short or
///   too common to match inside longer ones (`zipcode`, `design`).
///
/// It errs on the side of masking: `AUTHOR` and `KEYBOARD_LAYOUT` count as
/// secret too.
///
/// ```
/// use seckit::mask;
///
/// assert!(mask::is_secret_key("DB_PASSWORD"));
/// assert!(mask::is_secret_key("stripe.apiKey"));
/// assert!(mask::is_secret_key("sig"));
/// assert!(!mask::is_secret_key("design"));
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
        || SECRET_NAMES.contains(&normalized.as_str())
}

/// One configuration entry, made safe to log.
///
/// The value is masked entirely when the key looks secret
/// ([`is_secret_key`]). Otherwise a value that looks like a URL, DSN or
/// connection string goes through [`url`], so `DATABASE_URL` loses its
/// password even though its name is innocent: one that contains `://` or
/// `@`, or an `=` together with a `;`, a `&` or whitespace, or whose first
/// `name=` is a secret-looking name (`password=…`). Other values are kept,
/// with control characters escaped.
///
/// ```
/// use seckit::mask;
///
/// assert_eq!(mask::value("JWT_SECRET", "anything"), "***");
/// assert_eq!(mask::value("DATABASE_URL", "postgres://u:p@db/app"), "postgres://u:***@db/app");
/// assert_eq!(mask::value("DATABASE_URL", "host=db password=p"), "host=db password=***");
/// assert_eq!(mask::value("LOG_LEVEL", "info"), "info");
/// assert_eq!(mask::value("RUST_LOG", "info,hyper=warn"), "info,hyper=warn");
/// ```
#[must_use]
pub fn value(key: &str, value: &str) -> String {
    if is_secret_key(key) || value.len() > MAX_INPUT_LEN {
        MASK.to_owned()
    } else if looks_like_credential_form(value) {
        url(value)
    } else if value.chars().any(char::is_control) {
        value.escape_debug().to_string()
    } else {
        value.to_owned()
    }
}

/// Whether [`value`] sends `v` through [`url`].
fn looks_like_credential_form(v: &str) -> bool {
    if v.contains("://") || v.contains('@') {
        return true;
    }
    let Some((first_name, _)) = v.split_once('=') else {
        return false;
    };
    v.contains([';', '&']) || v.contains(char::is_whitespace) || is_secret_key(first_name)
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

/// Picks the form and masks it. `None` means "mask it all".
fn mask_any(input: &str) -> Option<String> {
    if input.is_empty() || input.len() > MAX_INPUT_LEN || input.chars().any(char::is_control) {
        return None;
    }
    if let Some((scheme, _)) = input.split_once("://")
        && valid_scheme(scheme).is_some()
    {
        return mask_url(input);
    }
    // Without a scheme, one text can parse as more than one form
    // (`host=a password='x;y'` is libpq and, cut at the `;`, a connection
    // string too). Every form that parses must give the same result, or the
    // whole input is masked: a secret must stay hidden under any reading.
    let mut readings = Vec::with_capacity(3);
    if input.contains('=') {
        if input.contains(';') {
            readings.push(mask_connection_string(input));
        }
        readings.push(mask_libpq(input));
    }
    if input.contains('@') {
        // `user:pass@host:5432/db`
        readings.push(mask_url(input));
    }
    let mut parsed = readings.into_iter().flatten();
    let first = parsed.next()?;
    parsed.all(|other| other == first).then_some(first)
}

/// The lexical URL masker. `None` means "mask it all".
fn mask_url(input: &str) -> Option<String> {
    if !input.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let (scheme, rest) = match input.split_once("://") {
        Some((scheme, rest)) => (Some(valid_scheme(scheme)?), rest),
        None => (None, input),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (mut authority, mut tail) = rest.split_at(authority_end);
    // An '@' after the authority may mean that a credential holding an
    // unencoded '/', '?' or '#' cut the authority short: "u:12?x@host" parses
    // as host "u", port "12"; "tok?en@host" as host "tok"; "u:p@w?x@host" as
    // userinfo "u:p", host "w". There is no telling, so mask everything.
    if tail.contains('@') {
        return None;
    }
    // A `;` in the authority (`jdbc:sqlserver://h:1433;user=sa;password=…`)
    // or the path (`…/dev;UID=a;PWD=…`, `…/page;jsessionid=…`) starts a
    // property list that runs to the end of the input.
    let mut properties = None;
    if let Some(i) = authority.find(';') {
        // An `@` after the `;` may end a userinfo holding the `;`
        // (`u:p;w@host`) as well as sit in a property's value: no telling.
        if authority.get(i..).is_some_and(|after| after.contains('@')) {
            return None;
        }
        let (before, props) = rest.split_at(i);
        authority = before;
        tail = "";
        properties = Some(props);
    } else if let Some(i) = tail.find(';')
        && tail.find(['?', '#']).is_none_or(|q| i < q)
    {
        let (before, props) = tail.split_at(i);
        tail = before;
        properties = Some(props);
    }
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
                out.push_str(if looks_like_token(user) { MASK } else { user });
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
    if let Some(props) = properties {
        push_properties(&mut out, props, Strictness::InUrl)?;
        return Some(out);
    }
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

/// Known prefixes of API tokens, matched at the start of a userinfo user.
pub const TOKEN_PREFIXES: &[&str] = &[
    "AKIA",        // AWS access key id
    "ASIA",        // AWS temporary access key id
    "eyJ",         // a JWT (base64url of `{"`)
    "ghp_",        // GitHub personal access token
    "gho_",        // GitHub OAuth token
    "ghs_",        // GitHub app installation token
    "ghu_",        // GitHub user-to-server token
    "ghr_",        // GitHub refresh token
    "github_pat_", // GitHub fine-grained token
    "glpat-",      // GitLab personal access token
    "gldt-",       // GitLab deploy token
    "glptt-",      // GitLab pipeline trigger token
    "hf_",         // Hugging Face
    "npm_",        // npm
    "pypi-",       // PyPI
    "rk_live_",    // Stripe restricted key
    "sk_live_",    // Stripe secret key
    "sk_test_",    // Stripe test key
    "xoxa-",       // Slack
    "xoxb-",       // Slack bot token
    "xoxp-",       // Slack user token
    "ya29.",       // Google OAuth access token
];

/// A userinfo user this long or longer is taken for a token and masked:
/// real user names in URLs are short (`postgres`, `app`, `oauth2`,
/// `x-access-token` is 14), tokens are long (GitHub's are 40).
pub const TOKEN_LIKE_USER_LEN: usize = 24;

fn looks_like_token(user: &str) -> bool {
    user.len() >= TOKEN_LIKE_USER_LEN || TOKEN_PREFIXES.iter().any(|p| user.starts_with(p))
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

/// Appends `name=value&...` (or `;`-separated) with the values of
/// secret-looking names masked.
fn push_masked_params(out: &mut String, params: &str) {
    for piece in params.split_inclusive(['&', ';']) {
        let (param, sep) = split_separator(piece, &['&', ';']);
        match param.split_once('=') {
            Some((name, _value)) if name.contains('%') || is_secret_key(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(MASK);
            }
            _ => out.push_str(param),
        }
        out.push_str(sep);
    }
}

/// `piece` without its trailing separator (one of `seps`), and the separator.
fn split_separator<'a>(piece: &'a str, seps: &[char]) -> (&'a str, &'a str) {
    match piece.char_indices().next_back() {
        Some((i, c)) if seps.contains(&c) => piece.split_at(i),
        _ => (piece, ""),
    }
}

/// How much of a non-secret property value may be shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// In a URL's `;` properties, where a value holding `/ ? # & @`,
    /// braces or quotes may be a credential that ran on: masked.
    InUrl,
    /// In a connection string, where values are delimited: shown, unless
    /// it is itself a URL (then masked by [`url`]'s rules).
    Delimited,
}

/// Splits a `;`-separated property list into its segments, skipping `;`
/// inside a value in braces (`{a;b}`, `}}` escapes `}`) or quotes (`"…"`,
/// `'…'`, a doubled quote escapes it), which may open right after `=`.
/// `None` when a brace or quote is never closed.
fn property_segments(list: &str) -> Option<Vec<&str>> {
    let bytes = list.as_bytes();
    let mut segments = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    let mut seen_eq = false;
    let mut at_value_start = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b';' => {
                segments.push(list.get(start..i)?);
                start = i.saturating_add(1);
                seen_eq = false;
                at_value_start = false;
            }
            b'=' if !seen_eq => {
                seen_eq = true;
                at_value_start = true;
            }
            b'{' | b'"' | b'\'' if at_value_start => {
                let close = if b == b'{' { b'}' } else { b };
                i = after_closing(bytes, i.saturating_add(1), close)?;
                at_value_start = false;
                continue;
            }
            b' ' | b'\t' if at_value_start => {}
            _ => at_value_start = false,
        }
        i = i.saturating_add(1);
    }
    segments.push(list.get(start..)?);
    Some(segments)
}

/// The index after the `close` that ends a quoted value starting at `i`
/// (a doubled `close` is an escaped one).
fn after_closing(bytes: &[u8], mut i: usize, close: u8) -> Option<usize> {
    loop {
        if *bytes.get(i)? == close {
            if bytes.get(i.saturating_add(1)) == Some(&close) {
                i = i.saturating_add(2);
            } else {
                return Some(i.saturating_add(1));
            }
        } else {
            i = i.saturating_add(1);
        }
    }
}

/// Appends a `;` property list (`;UID=a;PWD=x`, or a whole connection
/// string), masking secret-named values and, per `strictness`, values that
/// cannot be shown safely. `None` when it does not parse.
fn push_properties(out: &mut String, list: &str, strictness: Strictness) -> Option<()> {
    let segments = property_segments(list)?;
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let Some((name, value)) = segment.split_once('=') else {
            // A bare word: a path segment's parameter or an empty segment
            // (a leading or trailing `;`) is fine in a URL; a connection
            // string's segments are all `name=value`.
            let blank = segment.trim().is_empty();
            match strictness {
                Strictness::InUrl if blank || plain_in_url(segment) => out.push_str(segment),
                Strictness::Delimited if blank => out.push_str(segment),
                _ => return None,
            }
            continue;
        };
        out.push_str(name);
        out.push('=');
        if is_secret_key(name) || name.contains('%') {
            out.push_str(MASK);
            continue;
        }
        match strictness {
            Strictness::InUrl if plain_in_url(value) => out.push_str(value),
            Strictness::InUrl => out.push_str(MASK),
            Strictness::Delimited if value.contains("://") || value.contains('@') => {
                out.push_str(&url(value.trim()));
            }
            Strictness::Delimited => out.push_str(value),
        }
    }
    Some(())
}

/// Whether a property value in a URL can be shown: nothing in it could be
/// the rest of a credential or of another URL part.
fn plain_in_url(value: &str) -> bool {
    !value.contains(['/', '?', '#', '&', '@', '{', '}', '"', '\''])
}

/// An ADO.NET or ODBC connection string: `name=value` pairs separated by
/// `;`, names of any case and possibly with spaces (`User Id`).
fn mask_connection_string(input: &str) -> Option<String> {
    // Names are words (`Server`, `User Id`, `AuthMech`, `Initial Catalog`):
    // anything else is not a connection string (`u:p=x;y@h`).
    let names_ok = property_segments(input)?.iter().all(|segment| {
        segment.split_once('=').is_none_or(|(name, _)| {
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '.' | '-'))
        })
    });
    if !names_ok {
        return None;
    }
    let mut out = String::with_capacity(input.len().saturating_add(MASK.len()));
    push_properties(&mut out, input, Strictness::Delimited)?;
    Some(out)
}

/// A libpq key/value connection string: `key = value` pairs separated by
/// whitespace, values bare or in single quotes (`\'` and `\\` escapes).
/// `None` unless every piece is such a pair; a bare value holding `&` or
/// `;` is not libpq (a query string or a connection string looks so).
fn mask_libpq(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len().saturating_add(MASK.len()));
    let mut i = 0usize;
    let mut pairs = 0usize;
    let is_space = |b: &u8| b.is_ascii_whitespace();
    loop {
        let ws_start = i;
        while bytes.get(i).is_some_and(is_space) {
            i = i.saturating_add(1);
        }
        out.push_str(input.get(ws_start..i)?);
        if i >= bytes.len() {
            break;
        }
        let key_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            i = i.saturating_add(1);
        }
        let key = input.get(key_start..i)?;
        if key.is_empty() {
            return None;
        }
        while bytes.get(i).is_some_and(is_space) {
            i = i.saturating_add(1);
        }
        if bytes.get(i) != Some(&b'=') {
            return None;
        }
        i = i.saturating_add(1);
        while bytes.get(i).is_some_and(is_space) {
            i = i.saturating_add(1);
        }
        let value_start = i;
        if bytes.get(i) == Some(&b'\'') {
            i = i.saturating_add(1);
            loop {
                match bytes.get(i)? {
                    b'\\' => i = i.saturating_add(2),
                    b'\'' => {
                        i = i.saturating_add(1);
                        break;
                    }
                    _ => i = i.saturating_add(1),
                }
            }
        } else {
            while let Some(b) = bytes.get(i).filter(|b| !b.is_ascii_whitespace()) {
                match b {
                    b'&' | b';' | b'\'' => return None,
                    // libpq reads `\x` as `x` in bare values too: `a\ b` is one value.
                    b'\\' => i = i.saturating_add(2),
                    _ => i = i.saturating_add(1),
                }
            }
            if i > bytes.len() {
                return None;
            }
        }
        let value = input.get(value_start..i)?;
        out.push_str(input.get(key_start..value_start)?);
        if is_secret_key(key) {
            out.push_str(MASK);
        } else if value.contains("://") || value.contains('@') {
            out.push_str(&url(value.trim_matches('\'')));
        } else {
            out.push_str(value);
        }
        pairs = pairs.saturating_add(1);
    }
    (pairs > 0).then_some(out)
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
            ("https://h/x?PassWD=a;b", "https://h/x?PassWD=***;b"),
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

    /// Issue 13, item 2: the credential forms the review found passing
    /// through, each with its secret masked.
    #[test]
    fn review_forms_are_masked() {
        let cases = [
            // JDBC properties after the host or in the path, any case.
            (
                "jdbc:databricks://h:443/default;AuthMech=3;UID=token;PWD=dapi123",
                "jdbc:databricks://h:443/default;AuthMech=***;UID=token;PWD=***",
            ),
            (
                "jdbc:redshift://h:5439/dev;UID=a;PWD=x",
                "jdbc:redshift://h:5439/dev;UID=a;PWD=***",
            ),
            (
                "jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=pa/s?s#wd",
                "jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=***",
            ),
            // An '@' after a ';' may end a userinfo that holds the ';'.
            ("jdbc:sqlserver://db:1433;user=sa;password=p@ss", "***"),
            ("https://u:p;w@h/", "***"),
            (
                "https://h/app/page;jsessionid=1A2B3C?x=1",
                "https://h/app/page;jsessionid=***",
            ),
            ("https://h/a;v=1?token=T", "https://h/a;v=***"),
            // ADO.NET and ODBC connection strings.
            (
                "Server=db;Database=app;User Id=sa;Password=hunter2;",
                "Server=db;Database=app;User Id=sa;Password=***;",
            ),
            ("Driver={ODBC};Uid=a;Pwd=b", "Driver={ODBC};Uid=a;Pwd=***"),
            (
                "Driver={ODBC Driver 18};Server=db;PWD={hun;ter}}2};Encrypt=yes",
                "Driver={ODBC Driver 18};Server=db;PWD=***;Encrypt=yes",
            ),
            (
                "server=db;password=\"a;b\"\"c\";database=x",
                "server=db;password=***;database=x",
            ),
            (
                "AccountEndpoint=https://u:pw@x.example/;AccountKey=abc==;",
                "AccountEndpoint=https://u:***@x.example/;AccountKey=***;",
            ),
            // libpq key/value DSNs.
            (
                "host=db user=app password=hunter2 sslmode=require",
                "host=db user=app password=*** sslmode=require",
            ),
            (
                "host=db password='quoted \\' value' dbname=app",
                "host=db password=*** dbname=app",
            ),
            ("host = db  password = x", "host = db  password = ***"),
            ("password=a\\ b=c", "password=***"),
            // Query parameters separated by `;`.
            (
                "https://h/x?a=1;password=hunter2",
                "https://h/x?a=1;password=***",
            ),
            // More secret-looking names.
            (
                "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=abc%2Bdef",
                "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=***",
            ),
            (
                "https://h/cb?code=c&pw=p&jwt=j&session=s&sessionid=i&client_secret=x",
                "https://h/cb?code=***&pw=***&jwt=***&session=***&sessionid=***&client_secret=***",
            ),
            (
                "https://h/?refresh_token=a&id_token=b&private_key=c",
                "https://h/?refresh_token=***&id_token=***&private_key=***",
            ),
            (
                "https://s3.example/o?X-Amz-Credential=AKIA/x&X-Amz-Signature=ff&X-Amz-Security-Token=t&X-Amz-Expires=60",
                "https://s3.example/o?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***&X-Amz-Expires=60",
            ),
            // A token in the userinfo's user position.
            (
                "https://ghp_16C7e42F292c6912E7710c838347Ae178B4a:x-oauth-basic@github.com/o/r.git",
                "https://***:***@github.com/o/r.git",
            ),
            (
                "https://oauth2:glpat-AbCdEf123456@gitlab.com/g/p.git",
                "https://oauth2:***@gitlab.com/g/p.git",
            ),
            (
                "https://x-access-token:ghs_TOKEN@github.com/o/r",
                "https://x-access-token:***@github.com/o/r",
            ),
            (
                "https://glpat-short:x@gitlab.com",
                "https://***:***@gitlab.com",
            ),
            ("https://aaaaaaaaaaaaaaaaaaaaaaaa:x@h", "https://***:***@h"),
            ("https://app:x@h", "https://app:***@h"),
        ];
        for (input, want) in cases {
            assert_eq!(url(input), want, "{input}");
        }
        // Unparseable forms stay fully masked.
        for input in [
            "Server=db;Password={never closed",
            "Server=db;Password=\"never closed",
            "Server=db;stray word;Password=x",
            "host=db password='never closed",
            "host=db stray password=x",
            "password=x\u{7}",
        ] {
            assert_eq!(url(input), MASK, "{input:?}");
        }
    }

    #[test]
    fn value_routes_every_credential_form_through_url() {
        for (name, input, want) in [
            (
                "DATABASE_URL",
                "Server=db;User Id=sa;Password=hunter2",
                "Server=db;User Id=sa;Password=***",
            ),
            (
                "DATABASE_URL",
                "host=db user=app password=hunter2",
                "host=db user=app password=***",
            ),
            ("DATABASE_URL", "password=hunter2", "password=***"),
            ("CALLBACK_QUERY", "a=1&token=x", "***"),
            (
                "JDBC_URL",
                "jdbc:redshift://h:5439/dev;UID=a;PWD=x",
                "jdbc:redshift://h:5439/dev;UID=a;PWD=***",
            ),
            ("RUST_LOG", "info,hyper=warn", "info,hyper=warn"),
            ("GREETING", "hello world", "hello world"),
            ("PADDED", "c2VjcmV0==", "c2VjcmV0=="),
        ] {
            assert_eq!(value(name, input), want, "{name}={input}");
        }
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
