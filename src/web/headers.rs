//! Security headers in three presets, and a Content-Security-Policy builder
//! that refuses the sources that undo it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY, REFERRER_POLICY,
    SERVER, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS, X_XSS_PROTECTION,
};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::net::ClientIpConfig;
use crate::{Error, Result};

/// The placeholder source replaced by `'nonce-…'` with each response's
/// nonce: put it in `script-src` (the `html` preset does).
pub const NONCE: &str = "'nonce'";
/// `Strict-Transport-Security: max-age` by default: two years (63072000 s),
/// OWASP's value and the preload list's minimum is one.
pub const HSTS_MAX_AGE: Duration = Duration::from_secs(63_072_000);
/// Bytes of randomness in a CSP nonce (128 bits).
pub const NONCE_BYTES: usize = 16;

const PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");
const COOP: HeaderName = HeaderName::from_static("cross-origin-opener-policy");
const COEP: HeaderName = HeaderName::from_static("cross-origin-embedder-policy");
const CORP: HeaderName = HeaderName::from_static("cross-origin-resource-policy");
const REPORTING_ENDPOINTS: HeaderName = HeaderName::from_static("reporting-endpoints");
const X_POWERED_BY: HeaderName = HeaderName::from_static("x-powered-by");
const DENIED_FEATURES: [&str; 3] = ["camera", "microphone", "geolocation"];
const SCRIPT_DIRECTIVES: [&str; 4] = [
    "default-src",
    "script-src",
    "script-src-elem",
    "script-src-attr",
];

/// A per-response CSP nonce: 128 bits from the OS generator, base64url.
/// The `html` and `strict` presets put it in `script-src`; templates put
/// it on their `<script nonce="…">` tags.
#[derive(Clone, PartialEq, Eq)]
pub struct CspNonce(String);

impl CspNonce {
    /// A fresh nonce.
    ///
    /// # Errors
    ///
    /// `Internal` if the OS generator fails.
    pub fn generate() -> Result<Self> {
        let mut raw = [0u8; NONCE_BYTES];
        crate::random::fill(&mut raw)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(raw)))
    }

    /// The nonce, for `nonce="…"` (base64url: no HTML escaping needed).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CspNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CspNonce([REDACTED])")
    }
}

/// A source [`Csp`] refuses in script directives (`default-src`,
/// `script-src`, `script-src-elem`, `script-src-attr`) unless allowed by
/// name with [`Csp::allow_unsafe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsafeSource {
    /// `'unsafe-inline'` in a directive without a nonce or hash (beside
    /// one, browsers ignore it, and it is the fallback for old ones).
    UnsafeInline,
    /// `'unsafe-eval'`.
    UnsafeEval,
    /// `*`: any host.
    Wildcard,
    /// `data:`: scripts from `data:` URLs, which an injection can write.
    Data,
}

/// A Content-Security-Policy: directives and their sources, checked as
/// they are added.
///
/// Sources are refused when they break the header (`;`, `,`, whitespace,
/// controls) or, in script directives, when they undo the policy
/// ([`UnsafeSource`]) or fix a nonce (`'nonce-…'`: use [`NONCE`], which
/// each response fills). `report-to`/`report-uri` come from
/// [`report_to`](Self::report_to).
///
/// # Example
///
/// ```
/// use seckit::web::{Csp, UnsafeSource};
///
/// let csp = Csp::html().directive("img-src", &["'self'", "https://img.example"])?;
/// assert_eq!(
///     csp.render(Some("abc")),
///     "script-src 'nonce-abc' 'strict-dynamic'; object-src 'none'; base-uri 'none'; \
///      frame-ancestors 'none'; img-src 'self' https://img.example"
/// );
/// assert!(Csp::html().directive("script-src", &["'self'", "'unsafe-inline'"]).is_err());
/// assert!(Csp::html().directive("script-src", &["*"]).is_err());
/// // Allowed by name, for a page that cannot do without it yet:
/// let legacy = Csp::html().allow_unsafe(UnsafeSource::UnsafeEval)
///     .directive("script-src", &[seckit::web::NONCE, "'unsafe-eval'"])?;
/// # let _ = legacy;
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csp {
    directives: Vec<(String, Vec<String>)>,
    allowed: Vec<UnsafeSource>,
    report: Option<(String, String)>,
}

impl Default for Csp {
    fn default() -> Self {
        Self::new()
    }
}

impl Csp {
    /// No directives.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            directives: Vec::new(),
            allowed: Vec::new(),
            report: None,
        }
    }

    /// For JSON APIs: `default-src 'none'; frame-ancestors 'none'` (a
    /// response rendered as a page loads nothing and cannot be framed).
    #[must_use]
    pub fn api() -> Self {
        Self::new()
            .set("default-src", &["'none'"])
            .set("frame-ancestors", &["'none'"])
    }

    /// For HTML pages, the strict policy of web.dev and Google's CSP
    /// guide: `script-src 'nonce-…' 'strict-dynamic'; object-src 'none';
    /// base-uri 'none'; frame-ancestors 'none'`. Only scripts carrying the
    /// response's nonce run (and what they load); inline handlers,
    /// injected `<script>` tags, plugins and `<base>` hijacks do not.
    #[must_use]
    pub fn html() -> Self {
        Self::new()
            .set("script-src", &[NONCE, "'strict-dynamic'"])
            .set("object-src", &["'none'"])
            .set("base-uri", &["'none'"])
            .set("frame-ancestors", &["'none'"])
    }

    fn set(mut self, name: &str, sources: &[&str]) -> Self {
        let sources = sources.iter().map(|s| (*s).to_owned()).collect();
        match self.directives.iter_mut().find(|(n, _)| n == name) {
            Some(d) => d.1 = sources,
            None => self.directives.push((name.to_owned(), sources)),
        }
        self
    }

    /// Allows `source` in script directives from now on.
    #[must_use]
    pub fn allow_unsafe(mut self, source: UnsafeSource) -> Self {
        if !self.allowed.contains(&source) {
            self.allowed.push(source);
        }
        self
    }

    /// Sets directive `name` to `sources` (replacing it if present; an
    /// empty list for a directive without value such as
    /// `upgrade-insecure-requests`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) (setting
    /// `content-security-policy`) for a malformed name or source, more than
    /// 64 sources, `report-to`/`report-uri`, a fixed `'nonce-…'`, or an
    /// [`UnsafeSource`] not allowed.
    pub fn directive(self, name: &str, sources: &[&str]) -> Result<Self> {
        let refuse = |reason| Err(Error::configuration("content-security-policy", reason));
        let name_ok = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
        if !name_ok {
            return refuse("directive name is not lowercase letters and dashes");
        }
        if name == "report-to" || name == "report-uri" {
            return refuse("set reporting with Csp::report_to");
        }
        if sources.len() > 64 {
            return refuse("more than 64 sources in one directive");
        }
        for s in sources {
            let ok = !s.is_empty()
                && s.len() <= 256
                && s.bytes()
                    .all(|b| b.is_ascii_graphic() && b != b';' && b != b',');
            if !ok {
                return refuse("a source is empty, too long, or holds ; , or whitespace");
            }
            if s.len() > 7
                && s.get(..7)
                    .is_some_and(|p| p.eq_ignore_ascii_case("'nonce-"))
            {
                return refuse("a fixed nonce is no nonce: use seckit::web::NONCE");
            }
        }
        if SCRIPT_DIRECTIVES.contains(&name) {
            let keyed = sources.iter().any(|s| {
                *s == NONCE
                    || ["'sha256-", "'sha384-", "'sha512-"]
                        .iter()
                        .any(|p| s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)))
            });
            for s in sources {
                let unsafe_source = if *s == "*" {
                    Some(UnsafeSource::Wildcard)
                } else if s.eq_ignore_ascii_case("data:") {
                    Some(UnsafeSource::Data)
                } else if s.eq_ignore_ascii_case("'unsafe-eval'") {
                    Some(UnsafeSource::UnsafeEval)
                } else if s.eq_ignore_ascii_case("'unsafe-inline'") && !keyed {
                    Some(UnsafeSource::UnsafeInline)
                } else {
                    None
                };
                if let Some(u) = unsafe_source
                    && !self.allowed.contains(&u)
                {
                    return refuse(match u {
                        UnsafeSource::UnsafeInline => {
                            "'unsafe-inline' without a nonce or hash in a script directive (allow UnsafeSource::UnsafeInline by name)"
                        }
                        UnsafeSource::UnsafeEval => {
                            "'unsafe-eval' in a script directive (allow UnsafeSource::UnsafeEval by name)"
                        }
                        UnsafeSource::Wildcard => {
                            "* in a script directive (allow UnsafeSource::Wildcard by name)"
                        }
                        UnsafeSource::Data => {
                            "data: in a script directive (allow UnsafeSource::Data by name)"
                        }
                    });
                }
            }
        }
        Ok(self.set(name, sources))
    }

    /// Sends violation reports to `url` (an `https://` URL or a path on
    /// this service) under endpoint name `group`: `report-to group` in the
    /// policy, `Reporting-Endpoints: group="url"` beside it, and
    /// `report-uri url` for browsers without the Reporting API.
    ///
    /// # Errors
    ///
    /// `Configuration` when `group` is not `[a-z0-9_-]+` or `url` is
    /// neither `https://…` nor `/…`, or holds `"`, `;`, `,` or whitespace.
    pub fn report_to(mut self, group: &str, url: &str) -> Result<Self> {
        let group_ok = !group.is_empty()
            && group.len() <= 64
            && group
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        let url_ok = (url.starts_with("https://") || url.starts_with('/'))
            && url.len() <= 1024
            && url
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b';' | b','));
        if !group_ok || !url_ok {
            return Err(Error::configuration(
                "content-security-policy",
                "report-to needs a group of [a-z0-9_-] and an https:// URL or a /path",
            ));
        }
        self.report = Some((group.to_owned(), url.to_owned()));
        Ok(self)
    }

    /// Whether the policy holds [`NONCE`] (each response then needs one).
    #[must_use]
    pub fn has_nonce(&self) -> bool {
        self.directives
            .iter()
            .any(|(_, s)| s.iter().any(|s| s == NONCE))
    }

    /// The header value, with [`NONCE`] replaced by `'nonce-{nonce}'`, or
    /// dropped when `nonce` is `None` (then no inline script runs: the
    /// policy fails closed).
    #[must_use]
    pub fn render(&self, nonce: Option<&str>) -> String {
        let mut out = String::with_capacity(160);
        for (name, sources) in &self.directives {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(name);
            for s in sources {
                if s == NONCE {
                    if let Some(n) = nonce {
                        out.push_str(" 'nonce-");
                        out.push_str(n);
                        out.push('\'');
                    }
                } else {
                    out.push(' ');
                    out.push_str(s);
                }
            }
        }
        if let Some((group, url)) = &self.report {
            out.push_str("; report-to ");
            out.push_str(group);
            out.push_str("; report-uri ");
            out.push_str(url);
        }
        out
    }
}

/// Which set of headers [`SecurityHeaders`] sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Preset {
    /// JSON APIs.
    Api,
    /// HTML pages.
    Html,
    /// Both, and cross-origin isolation.
    Strict,
}

/// Security headers for every response, in three presets (docs/web-security.md
/// puts them beside helmet's and OWASP's):
///
/// | header | `api` | `html` | `strict` |
/// |---|---|---|---|
/// | `Content-Security-Policy` | [`Csp::api`] | [`Csp::html`], nonce per response | [`Csp::html`], nonce per response |
/// | `X-Content-Type-Options` | `nosniff` | `nosniff` | `nosniff` |
/// | `X-Frame-Options` | `DENY` | `DENY` | `DENY` |
/// | `X-XSS-Protection` | `0` | `0` | `0` |
/// | `Referrer-Policy` | `no-referrer` | `strict-origin-when-cross-origin` | `no-referrer` |
/// | `Cache-Control` (unless the handler set one) | `no-store` | `no-store` | `no-store` |
/// | `Cross-Origin-Resource-Policy` | `same-origin` | – | `same-origin` |
/// | `Cross-Origin-Opener-Policy` | – | `same-origin` | `same-origin` |
/// | `Cross-Origin-Embedder-Policy` | – | – | `require-corp` |
/// | `Permissions-Policy` | – | `camera=(), microphone=(), geolocation=()` | the same |
/// | `Strict-Transport-Security` (HTTPS only) | `max-age=63072000; includeSubDomains` | the same | the same |
///
/// `Server` and `X-Powered-By` are removed. The security headers replace
/// any the handler set, so a handler cannot weaken them by accident.
/// HSTS is sent only on responses to HTTPS requests: ones whose
/// connection was TLS, or that came from a trusted proxy saying so
/// ([`ClientIpConfig::is_https`]).
///
/// # Example
///
/// ```
/// use http::HeaderMap;
/// use seckit::web::{CspNonce, SecurityHeaders};
///
/// let headers = SecurityHeaders::html();
/// let nonce = CspNonce::generate()?;
/// let mut response = HeaderMap::new();
/// response.insert("server", "nginx/1.2".parse().unwrap());
/// headers.apply(&mut response, false, Some(&nonce));
/// assert!(response["content-security-policy"].to_str().unwrap()
///     .starts_with(&format!("script-src 'nonce-{}' 'strict-dynamic'", nonce.as_str())));
/// assert_eq!(response["x-frame-options"], "DENY");
/// assert!(!response.contains_key("server"));
/// assert!(!response.contains_key("strict-transport-security")); // plain HTTP
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    inner: Arc<Config>,
}

#[derive(Clone, Debug)]
struct Config {
    preset: Preset,
    csp: Csp,
    report_only: Option<Csp>,
    hsts_max_age: Option<Duration>,
    hsts_preload: bool,
    allowed_features: Vec<String>,
    client_ip: ClientIpConfig,
    // Built from the fields above by `rebuild`.
    fixed: Vec<(HeaderName, HeaderValue)>,
    csp_static: Option<HeaderValue>,
    report_only_static: Option<HeaderValue>,
    hsts: Option<HeaderValue>,
}

impl SecurityHeaders {
    fn preset(preset: Preset) -> Self {
        let csp = match preset {
            Preset::Api => Csp::api(),
            Preset::Html | Preset::Strict => Csp::html(),
        };
        let mut config = Config {
            preset,
            csp,
            report_only: None,
            hsts_max_age: Some(HSTS_MAX_AGE),
            hsts_preload: false,
            allowed_features: Vec::new(),
            client_ip: ClientIpConfig::default(),
            fixed: Vec::new(),
            csp_static: None,
            report_only_static: None,
            hsts: None,
        };
        config.rebuild();
        Self {
            inner: Arc::new(config),
        }
    }

    /// The `api` preset, for JSON APIs.
    #[must_use]
    pub fn api() -> Self {
        Self::preset(Preset::Api)
    }

    /// The `html` preset, for pages.
    #[must_use]
    pub fn html() -> Self {
        Self::preset(Preset::Html)
    }

    /// The `strict` preset: `html` and `api` together, plus
    /// `Cross-Origin-Embedder-Policy: require-corp` (every cross-origin
    /// resource the page loads must opt in with CORP or CORS).
    #[must_use]
    pub fn strict() -> Self {
        Self::preset(Preset::Strict)
    }

    fn with(mut self, f: impl FnOnce(&mut Config)) -> Self {
        let config = Arc::make_mut(&mut self.inner);
        f(config);
        config.rebuild();
        self
    }

    /// The preset.
    #[must_use]
    pub fn kind(&self) -> Preset {
        self.inner.preset
    }

    /// Replaces the preset's policy with `csp` (start from [`Csp::html`] or
    /// [`Csp::api`] and add to it).
    #[must_use]
    pub fn with_csp(self, csp: Csp) -> Self {
        self.with(|c| c.csp = csp)
    }

    /// Also sends `csp` as `Content-Security-Policy-Report-Only`: the
    /// browser reports what it would block, and blocks nothing more. The
    /// way to try a stricter policy on live traffic.
    #[must_use]
    pub fn with_csp_report_only(self, csp: Csp) -> Self {
        self.with(|c| c.report_only = Some(csp))
    }

    /// Adds `preload` to HSTS (submit the domain to hstspreload.org too;
    /// leaving the list takes months).
    #[must_use]
    pub fn with_hsts_preload(self) -> Self {
        self.with(|c| c.hsts_preload = true)
    }

    /// HSTS `max-age` (whole seconds).
    #[must_use]
    pub fn with_hsts_max_age(self, max_age: Duration) -> Self {
        self.with(|c| c.hsts_max_age = Some(max_age))
    }

    /// No HSTS (a service that is only ever reached through a proxy that
    /// sets it).
    #[must_use]
    pub fn without_hsts(self) -> Self {
        self.with(|c| c.hsts_max_age = None)
    }

    /// Lets pages of this origin use `feature` (`camera`, `microphone` or
    /// `geolocation`): `feature=(self)` instead of `feature=()`.
    ///
    /// # Errors
    ///
    /// `Configuration` for a feature the preset does not deny.
    pub fn allow_permission(self, feature: &str) -> Result<Self> {
        if !DENIED_FEATURES.contains(&feature) {
            return Err(Error::configuration(
                "permissions-policy",
                "not a feature the preset denies (camera, microphone, geolocation)",
            ));
        }
        let feature = feature.to_owned();
        Ok(self.with(|c| {
            if !c.allowed_features.contains(&feature) {
                c.allowed_features.push(feature);
            }
        }))
    }

    /// How to tell an HTTPS request behind proxies (the same
    /// configuration as the rate limiter's client address).
    #[must_use]
    pub fn with_client_ip_config(self, config: ClientIpConfig) -> Self {
        self.with(|c| c.client_ip = config)
    }

    /// The trusted-proxy configuration used for HTTPS.
    #[must_use]
    pub fn client_ip_config(&self) -> &ClientIpConfig {
        &self.inner.client_ip
    }

    /// Whether responses need a [`CspNonce`] (the policy holds [`NONCE`]).
    #[must_use]
    pub fn needs_nonce(&self) -> bool {
        self.inner.csp.has_nonce() || self.inner.report_only.as_ref().is_some_and(Csp::has_nonce)
    }

    /// Writes the headers into a response's `headers`. `https`: whether
    /// the request came over HTTPS (HSTS is sent only then). `nonce`: the
    /// response's nonce, which must be the one the page's scripts carry.
    pub fn apply(&self, headers: &mut HeaderMap, https: bool, nonce: Option<&CspNonce>) {
        let c = &*self.inner;
        headers.reserve(c.fixed.len().saturating_add(4));
        headers.remove(SERVER);
        headers.remove(X_POWERED_BY);
        for (name, value) in &c.fixed {
            headers.insert(name.clone(), value.clone());
        }
        if !headers.contains_key(CACHE_CONTROL) {
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        let nonce = nonce.map(CspNonce::as_str);
        let dynamic = |csp: &Csp| HeaderValue::from_str(&csp.render(nonce)).ok();
        if let Some(v) = c.csp_static.clone().or_else(|| dynamic(&c.csp))
            && !v.is_empty()
        {
            headers.insert(CONTENT_SECURITY_POLICY, v);
        }
        if let Some(ro) = &c.report_only
            && let Some(v) = c.report_only_static.clone().or_else(|| dynamic(ro))
            && !v.is_empty()
        {
            headers.insert(CONTENT_SECURITY_POLICY_REPORT_ONLY, v);
        }
        if https && let Some(v) = &c.hsts {
            headers.insert(STRICT_TRANSPORT_SECURITY, v.clone());
        }
    }
}

impl Config {
    fn rebuild(&mut self) {
        let s = HeaderValue::from_static;
        let mut fixed = vec![
            (X_CONTENT_TYPE_OPTIONS, s("nosniff")),
            (X_FRAME_OPTIONS, s("DENY")),
            // The XSS auditor is gone from browsers and `1; mode=block`
            // opened leaks in the ones that had it: `0` turns it off.
            (X_XSS_PROTECTION, s("0")),
        ];
        fixed.push((
            REFERRER_POLICY,
            s(match self.preset {
                Preset::Html => "strict-origin-when-cross-origin",
                Preset::Api | Preset::Strict => "no-referrer",
            }),
        ));
        if matches!(self.preset, Preset::Api | Preset::Strict) {
            fixed.push((CORP, s("same-origin")));
        }
        if matches!(self.preset, Preset::Html | Preset::Strict) {
            fixed.push((COOP, s("same-origin")));
            let policy = DENIED_FEATURES
                .iter()
                .map(|f| {
                    if self.allowed_features.iter().any(|a| a == f) {
                        format!("{f}=(self)")
                    } else {
                        format!("{f}=()")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            if let Ok(v) = HeaderValue::from_str(&policy) {
                fixed.push((PERMISSIONS_POLICY, v));
            }
        }
        if self.preset == Preset::Strict {
            fixed.push((COEP, s("require-corp")));
        }
        let endpoints: Vec<String> = [Some(&self.csp), self.report_only.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|c| c.report.as_ref())
            .map(|(g, u)| format!("{g}=\"{u}\""))
            .collect();
        if !endpoints.is_empty()
            && let Ok(v) = HeaderValue::from_str(&endpoints.join(", "))
        {
            fixed.push((REPORTING_ENDPOINTS, v));
        }
        self.fixed = fixed;
        self.csp_static = static_value(&self.csp);
        self.report_only_static = self.report_only.as_ref().and_then(static_value);
        self.hsts = self.hsts_max_age.and_then(|age| {
            let mut v = format!("max-age={}; includeSubDomains", age.as_secs());
            if self.hsts_preload {
                v.push_str("; preload");
            }
            HeaderValue::from_str(&v).ok()
        });
    }
}

/// The header value of a policy without a nonce, built once.
fn static_value(csp: &Csp) -> Option<HeaderValue> {
    if csp.has_nonce() {
        return None;
    }
    HeaderValue::from_str(&csp.render(None)).ok()
}
