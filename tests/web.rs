//! `seckit::web` over plain HTTP types and through the axum middleware:
//! every header of every preset, token tampering (every byte), tokens of
//! another session, missing tokens, key rotation, non-browser clients,
//! cookies, CORS, and property tests for every parser of request bytes.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::print_stderr,
    clippy::as_conversions
)]

mod support;

use axum::body::Body;
use axum::routing::{get, post};
use axum::{Router, middleware};
use http::{HeaderMap, Method, Request, StatusCode};
use proptest::prelude::*;
use seckit::web::{
    Cookie, Cors, CrossOriginGuard, Csp, CspNonce, CsrfKeys, CsrfOutcome, CsrfProtection,
    OriginAllowList, SecurityHeaders, TOKEN_CHARS, UnsafeSource, cookie_value, form_field,
};
use seckit::{ErrorKind, ForbiddenReason, SecretString};
use tower::ServiceExt as _;

const KEY: &str = "SENTINEL-k7Qp2xV9mZ4rT8wN1bY6cF3hJ5sL0dGaEuRi"; // test value
const KEY2: &str = "SENTINEL-Hx3Lm9Qa2Zk7Vb4Nw8Rt1Yc6Pd5Gs0JfUeIo"; // test value
const SESSION: &str = "sess_SENTINEL-session-id-4f9a2c";

fn keys() -> CsrfKeys {
    CsrfKeys::new(&SecretString::from(KEY)).unwrap()
}

fn parts(method: Method, headers: &[(&str, &str)]) -> http::request::Parts {
    let mut b = Request::builder().method(method).uri("/profile");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(()).unwrap().into_parts().0
}

// ------------------------------------------------------------- headers

fn applied(h: &SecurityHeaders, https: bool) -> (HeaderMap, Option<CspNonce>) {
    let nonce = h.needs_nonce().then(|| CspNonce::generate().unwrap());
    let mut out = HeaderMap::new();
    out.insert("server", "hyper".parse().unwrap());
    out.insert("x-powered-by", "seckit-test".parse().unwrap());
    h.apply(&mut out, https, nonce.as_ref());
    (out, nonce)
}

fn get_header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).map(|v| v.to_str().unwrap())
}

#[test]
fn every_header_of_every_preset() {
    let common = [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("x-xss-protection", "0"),
        ("cache-control", "no-store"),
    ];
    let (api, nonce) = applied(&SecurityHeaders::api(), true);
    assert!(nonce.is_none());
    for (k, v) in common {
        assert_eq!(get_header(&api, k), Some(v), "api {k}");
    }
    assert_eq!(
        get_header(&api, "content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    assert_eq!(get_header(&api, "referrer-policy"), Some("no-referrer"));
    assert_eq!(
        get_header(&api, "cross-origin-resource-policy"),
        Some("same-origin")
    );
    assert_eq!(
        get_header(&api, "strict-transport-security"),
        Some("max-age=63072000; includeSubDomains")
    );
    for absent in [
        "server",
        "x-powered-by",
        "cross-origin-opener-policy",
        "cross-origin-embedder-policy",
        "permissions-policy",
    ] {
        assert!(!api.contains_key(absent), "api {absent}");
    }

    let (html, nonce) = applied(&SecurityHeaders::html(), true);
    let nonce = nonce.unwrap();
    for (k, v) in common {
        assert_eq!(get_header(&html, k), Some(v), "html {k}");
    }
    assert_eq!(
        get_header(&html, "content-security-policy").unwrap(),
        format!(
            "script-src 'nonce-{}' 'strict-dynamic'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
            nonce.as_str()
        )
    );
    assert_eq!(
        get_header(&html, "referrer-policy"),
        Some("strict-origin-when-cross-origin")
    );
    assert_eq!(
        get_header(&html, "cross-origin-opener-policy"),
        Some("same-origin")
    );
    assert_eq!(
        get_header(&html, "permissions-policy"),
        Some("camera=(), microphone=(), geolocation=()")
    );
    for absent in [
        "server",
        "x-powered-by",
        "cross-origin-embedder-policy",
        "cross-origin-resource-policy",
    ] {
        assert!(!html.contains_key(absent), "html {absent}");
    }

    let (strict, nonce) = applied(&SecurityHeaders::strict(), true);
    assert!(nonce.is_some());
    for (k, v) in common {
        assert_eq!(get_header(&strict, k), Some(v), "strict {k}");
    }
    for (k, v) in [
        ("referrer-policy", "no-referrer"),
        ("cross-origin-resource-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-embedder-policy", "require-corp"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ),
    ] {
        assert_eq!(get_header(&strict, k), Some(v), "strict {k}");
    }

    // HSTS over HTTPS only; preload opt-in; a handler's Cache-Control kept.
    let (plain, _) = applied(&SecurityHeaders::api(), false);
    assert!(!plain.contains_key("strict-transport-security"));
    let (pre, _) = applied(&SecurityHeaders::api().with_hsts_preload(), true);
    assert_eq!(
        get_header(&pre, "strict-transport-security"),
        Some("max-age=63072000; includeSubDomains; preload")
    );
    let mut own = HeaderMap::new();
    own.insert("cache-control", "public, max-age=60".parse().unwrap());
    own.insert("x-frame-options", "ALLOWALL".parse().unwrap());
    SecurityHeaders::api().apply(&mut own, false, None);
    assert_eq!(
        get_header(&own, "cache-control"),
        Some("public, max-age=60")
    );
    assert_eq!(
        get_header(&own, "x-frame-options"),
        Some("DENY"),
        "a handler cannot weaken it"
    );
    let (camera, _) = applied(
        &SecurityHeaders::html().allow_permission("camera").unwrap(),
        false,
    );
    assert_eq!(
        get_header(&camera, "permissions-policy"),
        Some("camera=(self), microphone=(), geolocation=()")
    );
    assert!(SecurityHeaders::html().allow_permission("usb").is_err());
}

#[test]
fn nonces_differ_per_response_and_csp_refuses_unsafe_sources() {
    let a = CspNonce::generate().unwrap();
    let b = CspNonce::generate().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.as_str().len(), 22);
    for bad in [
        vec!["'self'", "'unsafe-inline'"],
        vec!["*"],
        vec!["data:"],
        vec!["'unsafe-eval'"],
        vec!["'nonce-fixed'"],
        vec!["'self'; img-src *"],
        vec!["https://a.example,https://b.example"],
        vec![""],
    ] {
        let err = Csp::html().directive("script-src", &bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{bad:?}");
    }
    assert!(Csp::new().directive("default-src", &["*"]).is_err());
    assert!(
        Csp::new().directive("img-src", &["*", "data:"]).is_ok(),
        "images are not scripts"
    );
    assert!(Csp::new().directive("Script-Src", &["'self'"]).is_err());
    assert!(Csp::new().directive("report-uri", &["/r"]).is_err());
    // Beside a nonce, 'unsafe-inline' is the old-browser fallback: accepted.
    assert!(
        Csp::html()
            .directive(
                "script-src",
                &[seckit::web::NONCE, "'strict-dynamic'", "'unsafe-inline'"]
            )
            .is_ok()
    );
    // Allowed by name.
    let ok = Csp::html()
        .allow_unsafe(UnsafeSource::Wildcard)
        .directive("script-src", &["*"]);
    assert!(ok.is_ok());

    // Report-only beside the enforced policy, with the Reporting API endpoint.
    let trial = Csp::html()
        .directive("style-src", &["'self'"])
        .unwrap()
        .report_to("csp", "/csp-reports")
        .unwrap();
    let h = SecurityHeaders::html().with_csp_report_only(trial);
    let (out, nonce) = applied(&h, false);
    let ro = get_header(&out, "content-security-policy-report-only").unwrap();
    assert!(ro.contains(&format!("'nonce-{}'", nonce.unwrap().as_str())));
    assert!(
        ro.ends_with("style-src 'self'; report-to csp; report-uri /csp-reports"),
        "{ro}"
    );
    assert_eq!(
        get_header(&out, "reporting-endpoints"),
        Some("csp=\"/csp-reports\"")
    );
    assert!(
        Csp::new()
            .report_to("csp", "http://plain.example/r")
            .is_err()
    );
    assert!(Csp::new().report_to("CSP", "/r").is_err());
}

#[test]
fn https_is_believed_from_trusted_proxies_only() {
    use seckit::net::{ClientIpConfig, ForwardedHeader, TrustedProxies};
    let trusted = ClientIpConfig::new(TrustedProxies::parse("10.0.0.0/8").unwrap());
    let lb = "10.1.2.3".parse().unwrap();
    let outsider = "203.0.113.9".parse().unwrap();
    let h = |pairs: &[(&str, &str)]| {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        m
    };
    assert!(trusted.is_https(lb, &h(&[("x-forwarded-proto", "https")]), false));
    assert!(trusted.is_https(lb, &h(&[("x-forwarded-proto", "HTTPS")]), false));
    assert!(!trusted.is_https(outsider, &h(&[("x-forwarded-proto", "https")]), false));
    assert!(!trusted.is_https(lb, &h(&[("x-forwarded-proto", "https, http")]), false));
    assert!(!trusted.is_https(lb, &h(&[]), false));
    assert!(
        trusted.is_https(outsider, &h(&[]), true),
        "TLS on this connection"
    );
    let fwd = trusted.clone().with_header(ForwardedHeader::Forwarded);
    assert!(fwd.is_https(lb, &h(&[("forwarded", "for=192.0.2.1;proto=https")]), false));
    assert!(!fwd.is_https(lb, &h(&[("forwarded", "for=192.0.2.1;proto=http")]), false));
    assert!(
        !fwd.is_https(lb, &h(&[("x-forwarded-proto", "https")]), false),
        "only the configured header"
    );
    let long = "https,".repeat(2000);
    assert!(!trusted.is_https(lb, &h(&[("x-forwarded-proto", long.as_str())]), false));
}

// ---------------------------------------------------------------- CSRF

#[test]
fn a_token_verifies_for_its_session_only_and_every_byte_is_checked() {
    let keys = keys();
    let token = keys.issue(SESSION.as_bytes()).unwrap();
    assert_eq!(token.as_str().len(), TOKEN_CHARS);
    keys.verify(SESSION.as_bytes(), token.as_str()).unwrap();
    // Another session's token, a truncated one, an empty one.
    let other = keys.issue(b"sess_other").unwrap();
    for bad in [other.as_str(), &token.as_str()[1..], "", "x"] {
        let err = keys.verify(SESSION.as_bytes(), bad).unwrap_err();
        assert_eq!(
            err.forbidden_reason(),
            Some(ForbiddenReason::CsrfTokenInvalid)
        );
    }
    // Every byte changed to every other base64url character: refused.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut tried = 0;
    for i in 0..token.as_str().len() {
        for &c in alphabet {
            let mut bytes = token.as_str().as_bytes().to_vec();
            if bytes[i] == c {
                continue;
            }
            bytes[i] = c;
            let tampered = String::from_utf8(bytes).unwrap();
            assert!(
                keys.verify(SESSION.as_bytes(), &tampered).is_err(),
                "byte {i} -> {}",
                c as char
            );
            tried += 1;
        }
    }
    assert_eq!(tried, TOKEN_CHARS * 63);
}

#[test]
fn rotation_accepts_the_previous_key_and_weak_keys_are_refused() {
    let old = keys();
    let token = old.issue(SESSION.as_bytes()).unwrap();
    let rotated = CsrfKeys::new(&SecretString::from(KEY2))
        .unwrap()
        .with_previous(&SecretString::from(KEY))
        .unwrap();
    rotated.verify(SESSION.as_bytes(), token.as_str()).unwrap();
    let fresh = rotated.issue(SESSION.as_bytes()).unwrap();
    assert!(
        old.verify(SESSION.as_bytes(), fresh.as_str()).is_err(),
        "new tokens use the new key"
    );
    let without_previous = CsrfKeys::new(&SecretString::from(KEY2)).unwrap();
    assert!(
        without_previous
            .verify(SESSION.as_bytes(), token.as_str())
            .is_err()
    );
    for weak in [
        "Tr0ub4dor&3",
        "changeme",
        "SENTINELSENTINELSENTINELSENTINELSENTINEL",
    ] {
        let err = CsrfKeys::new(&SecretString::from(weak)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(err.to_string().contains("CSRF_KEY"));
        assert!(!err.to_string().contains(weak), "{err}");
    }
    let mut loader =
        seckit::config::Loader::from_vars([("CSRF_KEY", KEY2), ("CSRF_KEY_PREVIOUS", KEY)]);
    let loaded = CsrfKeys::from_loader(&mut loader).unwrap();
    loaded.verify(SESSION.as_bytes(), token.as_str()).unwrap();
    let debug = format!("{loaded:?} {token:?}");
    assert!(
        !debug.contains("SENTINEL") && !debug.contains(token.as_str()),
        "{debug}"
    );
}

#[test]
fn fetch_metadata_and_origin_rules() {
    let guard = CrossOriginGuard::new();
    let host = ("host", "app.example");
    let refused = |g: &CrossOriginGuard, h: &[(&str, &str)]| {
        g.check(&parts(Method::POST, h))
            .unwrap_err()
            .forbidden_reason()
            == Some(ForbiddenReason::CrossOrigin)
    };
    // Safe methods are never checked.
    for m in [Method::GET, Method::HEAD, Method::OPTIONS] {
        guard
            .check(&parts(m, &[("sec-fetch-site", "cross-site")]))
            .unwrap();
    }
    for m in [
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::from_bytes(b"PURGE").unwrap(),
    ] {
        assert!(
            guard
                .check(&parts(m, &[("sec-fetch-site", "cross-site")]))
                .is_err()
        );
    }
    guard
        .check(&parts(Method::POST, &[("sec-fetch-site", "same-origin")]))
        .unwrap();
    guard
        .check(&parts(Method::POST, &[("sec-fetch-site", "none")]))
        .unwrap();
    assert!(refused(&guard, &[("sec-fetch-site", "same-site")]));
    guard
        .clone()
        .allow_same_site()
        .check(&parts(Method::POST, &[("sec-fetch-site", "same-site")]))
        .unwrap();
    assert!(refused(&guard, &[("sec-fetch-site", "bogus")]));
    assert!(refused(
        &guard,
        &[
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-site", "same-origin")
        ]
    ));
    // No Fetch Metadata: Origin against Host.
    guard
        .check(&parts(
            Method::POST,
            &[host, ("origin", "https://app.example")],
        ))
        .unwrap();
    guard
        .check(&parts(
            Method::POST,
            &[
                ("host", "app.example:8443"),
                ("origin", "https://app.example:8443"),
            ],
        ))
        .unwrap();
    assert!(refused(&guard, &[host, ("origin", "https://evil.example")]));
    assert!(refused(
        &guard,
        &[host, ("origin", "https://app.example.evil.example")]
    ));
    assert!(refused(&guard, &[host, ("origin", "null")]));
    assert!(refused(
        &guard,
        &[
            ("host", "app.example:0443"),
            ("origin", "https://app.example:443")
        ]
    ));
    // Neither header: a non-browser client passes this layer.
    guard.check(&parts(Method::POST, &[host])).unwrap();
    // An allowed origin passes even cross-site.
    let allowed = CrossOriginGuard::new().allow_origins(
        OriginAllowList::new()
            .allow("https://admin.example")
            .unwrap(),
    );
    allowed
        .check(&parts(
            Method::POST,
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://admin.example"),
            ],
        ))
        .unwrap();
}

#[test]
fn cookie_authenticated_requests_need_a_token_even_without_browser_headers() {
    let csrf = CsrfProtection::new(keys());
    let cookie = format!("__Host-session={SESSION}");
    let token = csrf.token_for_session(SESSION).unwrap();
    // Non-browser client (no Origin, no Sec-Fetch-Site), no cookie: passes.
    assert_eq!(
        csrf.check(&parts(Method::POST, &[]), None).unwrap(),
        CsrfOutcome::NoCookie
    );
    // The same with the session cookie: a token is required.
    let err = csrf
        .check(&parts(Method::POST, &[("cookie", &cookie)]), None)
        .unwrap_err();
    assert_eq!(
        err.forbidden_reason(),
        Some(ForbiddenReason::CsrfTokenMissing)
    );
    assert_eq!(err.kind().http_status(), 403);
    assert_eq!(
        csrf.check(
            &parts(
                Method::POST,
                &[("cookie", &cookie), ("x-csrf-token", token.as_str())]
            ),
            None
        )
        .unwrap(),
        CsrfOutcome::Verified
    );
    assert_eq!(
        csrf.check(
            &parts(Method::POST, &[("cookie", &cookie)]),
            Some(token.as_str())
        )
        .unwrap(),
        CsrfOutcome::Verified
    );
    // Another session's cookie with this token.
    let err = csrf
        .check(
            &parts(
                Method::POST,
                &[
                    ("cookie", "__Host-session=sess_someone-else"),
                    ("x-csrf-token", token.as_str()),
                ],
            ),
            None,
        )
        .unwrap_err();
    assert_eq!(
        err.forbidden_reason(),
        Some(ForbiddenReason::CsrfTokenInvalid)
    );
    // A tossed duplicate cookie.
    let err = csrf
        .check(
            &parts(
                Method::POST,
                &[
                    ("cookie", &format!("{cookie}; __Host-session=x")),
                    ("x-csrf-token", token.as_str()),
                ],
            ),
            None,
        )
        .unwrap_err();
    assert_eq!(
        err.forbidden_reason(),
        Some(ForbiddenReason::CsrfTokenInvalid)
    );
    // Cross-site is refused before the token is looked at.
    let err = csrf
        .check(
            &parts(
                Method::POST,
                &[
                    ("cookie", &cookie),
                    ("x-csrf-token", token.as_str()),
                    ("sec-fetch-site", "cross-site"),
                ],
            ),
            None,
        )
        .unwrap_err();
    assert_eq!(err.forbidden_reason(), Some(ForbiddenReason::CrossOrigin));
    // Before login: the anonymous cookie binds the token.
    let page = csrf.token_for(&HeaderMap::new()).unwrap();
    let set = page.set_cookie.unwrap();
    let set = set.to_str().unwrap();
    assert!(
        set.starts_with("__Host-csrf=")
            && set.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax"),
        "{set}"
    );
    let anon = set.split(';').next().unwrap();
    csrf.check(
        &parts(Method::POST, &[("cookie", anon)]),
        Some(page.token.as_str()),
    )
    .unwrap();
    // After login the session cookie wins: the pre-login token is dead.
    let both = format!("{anon}; {cookie}");
    assert!(
        csrf.check(
            &parts(Method::POST, &[("cookie", &both)]),
            Some(page.token.as_str())
        )
        .is_err()
    );
}

#[test]
fn cookies_keep_the_prefix_rules() {
    let v = SecretString::from("SENTINEL-cookie-value");
    let c = Cookie::session("session", &v).unwrap();
    assert_eq!(c.name(), "__Host-session");
    assert_eq!(
        c.to_header_value().unwrap(),
        "__Host-session=SENTINEL-cookie-value; Path=/; Secure; HttpOnly; SameSite=Lax"
    );
    assert_eq!(
        c.clone().strict().to_header_value().unwrap(),
        "__Host-session=SENTINEL-cookie-value; Path=/; Secure; HttpOnly; SameSite=Strict"
    );
    assert!(!format!("{c:?}").contains("SENTINEL"));
    for broken in [
        Cookie::host("a", &v).unwrap().domain("example.com"),
        Cookie::host("a", &v).unwrap().path("/app"),
        Cookie::host("a", &v).unwrap().insecure(),
        Cookie::new("__host-a", &v).unwrap(),
        Cookie::new("__Secure-a", &v).unwrap().insecure(),
    ] {
        assert_eq!(
            broken.to_header_value().unwrap_err().kind(),
            ErrorKind::InvalidInput,
            "{broken:?}"
        );
    }
    Cookie::new("__Secure-a", &v)
        .unwrap()
        .domain("example.com")
        .to_header_value()
        .unwrap();
    for bad_value in ["a b", "a;b", "a\"b", "a,b", "é"] {
        assert!(Cookie::session("s", &SecretString::from(bad_value)).is_err());
    }
    for bad_name in ["", "a b", "a=b", "a;b"] {
        assert!(Cookie::new(bad_name, &v).is_err());
    }
    assert_eq!(
        Cookie::removal("session")
            .unwrap()
            .to_header_value()
            .unwrap(),
        "__Host-session=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
    );
}

#[test]
fn cors_echoes_only_allowed_origins_and_never_pairs_a_wildcard_with_credentials() {
    let cors = Cors::new(OriginAllowList::new().allow("https://app.example").unwrap())
        .allow_credentials()
        .unwrap()
        .allow_methods(&[Method::GET, Method::POST])
        .allow_headers(&[
            http::header::CONTENT_TYPE,
            http::HeaderName::from_static("x-csrf-token"),
        ]);
    let mut req = HeaderMap::new();
    req.insert("origin", "https://app.example".parse().unwrap());
    req.insert("access-control-request-method", "POST".parse().unwrap());
    let pre = cors.preflight(&req);
    assert_eq!(pre["access-control-allow-origin"], "https://app.example");
    assert_eq!(pre["access-control-allow-credentials"], "true");
    assert_eq!(pre["access-control-allow-methods"], "GET, POST");
    assert_eq!(
        pre["access-control-allow-headers"],
        "content-type, x-csrf-token"
    );
    assert_eq!(pre["access-control-max-age"], "600");
    assert!(pre.get_all("vary").iter().any(|v| v == "Origin"));
    req.insert("access-control-request-method", "DELETE".parse().unwrap());
    assert!(
        !cors
            .preflight(&req)
            .contains_key("access-control-allow-origin")
    );
    for evil in [
        "https://evil.example",
        "https://app.example.evil.example",
        "null",
        "http://app.example",
    ] {
        let mut r = HeaderMap::new();
        r.insert("origin", evil.parse().unwrap());
        let mut out = HeaderMap::new();
        cors.apply(&r, &mut out);
        assert!(!out.contains_key("access-control-allow-origin"), "{evil}");
        assert_eq!(out["vary"], "Origin");
    }
    let any = Cors::any_origin();
    let mut out = HeaderMap::new();
    any.apply(&req, &mut out);
    assert_eq!(out["access-control-allow-origin"], "*");
    assert!(!out.contains_key("access-control-allow-credentials"));
    assert_eq!(
        Cors::any_origin().allow_credentials().unwrap_err().kind(),
        ErrorKind::Configuration
    );
}

// ------------------------------------------------- through the middleware

fn app(csrf: CsrfProtection) -> Router {
    Router::new()
        .route(
            "/",
            get(|nonce: CspNonce| async move {
                format!("<script nonce=\"{}\"></script>", nonce.as_str())
            }),
        )
        .route("/profile", post(|body: String| async move { body }))
        .route(
            "/login",
            post(|_: seckit::axum::CsrfVerified| async { "in" }),
        )
        .layer(middleware::from_fn_with_state(csrf, seckit::axum::csrf))
        .layer(middleware::from_fn_with_state(
            SecurityHeaders::html(),
            seckit::axum::security_headers,
        ))
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn the_middleware_reads_form_tokens_passes_the_body_on_and_audits_refusals() {
    let audit = support::Captured::global();
    let csrf = CsrfProtection::new(keys());
    let token = csrf.token_for_session(SESSION).unwrap();
    let app = app(csrf);
    let cookie = format!("__Host-session={SESSION}");

    // The page's nonce is the header's.
    let (status, headers, body) = send(&app, Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(status, 200);
    let csp = headers["content-security-policy"].to_str().unwrap();
    let nonce = body.split('"').nth(1).unwrap();
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp} / {body}");

    let form = format!("display_name=ann&csrf_token={}", token.as_str());
    let req = Request::post("/profile")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.clone()))
        .unwrap();
    let (status, _, body) = send(&app, req).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, form.as_str()),
        "the handler gets the whole body"
    );

    // Missing, tampered, and cross-site: 403 with the security headers.
    for (extra, body) in [
        (None, "display_name=ann".to_owned()),
        (
            None,
            format!("display_name=ann&csrf_token={}x", token.as_str()),
        ),
        (Some(("sec-fetch-site", "cross-site")), form.clone()),
    ] {
        let mut req = Request::post("/profile")
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some((k, v)) = extra {
            req = req.header(k, v);
        }
        let (status, headers, text) = send(&app, req.body(Body::from(body)).unwrap()).await;
        assert_eq!(status, 403);
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(
            !text.contains("SENTINEL") && !text.contains(token.as_str()),
            "{text}"
        );
    }
    // A form body over the cap: 413, nothing buffered beyond it.
    let big = format!(
        "csrf_token={}&pad={}",
        token.as_str(),
        "a".repeat(70 * 1024)
    );
    let req = Request::post("/profile")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(big))
        .unwrap();
    assert_eq!(send(&app, req).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    // A login form needs a token even without any cookie.
    let (status, _, _) = send(&app, Request::post("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(status, 403);

    // One `malicious_csrf` event per refusal, with the reason; no token,
    // session id or key in any of them.
    let events = audit.of("malicious_csrf");
    let reasons: Vec<String> = events
        .iter()
        .filter_map(|e| support::field(e, "reason"))
        .collect();
    for reason in ["csrf_token_missing", "csrf_token_invalid", "cross_origin"] {
        assert!(
            reasons.iter().any(|r| r.contains(reason)),
            "{reason}: {reasons:?}"
        );
    }
    assert!(events.len() >= 4, "{events:?}");
    assert!(
        audit.of("authz_fail").is_empty(),
        "a CSRF refusal is not an authorization failure"
    );
    let text = audit.text();
    assert!(
        !text.contains("SENTINEL") && !text.contains(token.as_str()),
        "{text}"
    );
}

// ----------------------------------------------------- property tests

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn verify_never_panics_and_refuses_what_was_not_issued(s in ".{0,400}", b in proptest::collection::vec(any::<u8>(), 0..1100)) {
        let keys = keys();
        prop_assert!(keys.verify(&b, &s).is_err());
    }

    #[test]
    fn parsers_of_request_bytes_never_panic(cookie in "[ -~]{0,300}", body in proptest::collection::vec(any::<u8>(), 0..300), origin in "[ -~]{0,80}", site in "[ -~]{0,20}") {
        let mut h = HeaderMap::new();
        if let Ok(v) = cookie.parse() { h.insert("cookie", v); }
        let _ = cookie_value(&h, "__Host-session");
        let _ = form_field(&body, "csrf_token");
        let mut pairs: Vec<(&str, &str)> = vec![("host", "app.example")];
        pairs.push(("origin", origin.as_str()));
        pairs.push(("sec-fetch-site", site.as_str()));
        let mut b = Request::builder().method(Method::POST).uri("/");
        for (k, v) in &pairs {
            if let Ok(v) = http::HeaderValue::from_str(v) {
                b = b.header(*k, v);
            }
        }
        let req = b.body(()).unwrap().into_parts().0;
        let _ = CrossOriginGuard::new().check(&req);
        let _ = CsrfProtection::new(keys()).check(&req, None);
    }

    #[test]
    fn a_cross_site_post_is_always_refused(origin in "https://[a-z]{1,10}\\.example", method in prop::sample::select(vec!["POST", "PUT", "PATCH", "DELETE"])) {
        let p = parts(Method::from_bytes(method.as_bytes()).unwrap(), &[("sec-fetch-site", "cross-site"), ("origin", origin.as_str()), ("host", "app.example")]);
        prop_assert!(CrossOriginGuard::new().check(&p).is_err());
    }
}
