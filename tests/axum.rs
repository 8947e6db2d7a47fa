//! The axum adapter through a real `Router` (tower `oneshot`): error
//! responses, the extractors, validated JSON, audit events, async hashing.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use seckit::axum::{ApiError, Authenticated, BasicAuth, Checker, HasRoles, ValidJson, Validate};
use seckit::jwt::{Algorithm, Issuer, SigningKey, Verifier};
use seckit::password::{AsyncHasher, PasswordHasher};
use seckit::{AuthReason, Error, ErrorKind, SecretString};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const SENTINEL: &str = "SENTINEL-hunter2-7f3a";

// ------------------------------------------------------------ audit capture

/// One event's fields, name and value.
type Fields = Vec<(String, String)>;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<Fields>>>);

struct Visitor<'a>(&'a mut Fields);

impl tracing::field::Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "seckit::audit" {
            return;
        }
        let mut fields = vec![("level".to_owned(), event.metadata().level().to_string())];
        event.record(&mut Visitor(&mut fields));
        self.0.lock().unwrap().push(fields);
    }
}

impl Captured {
    fn events(&self) -> Vec<Fields> {
        self.0.lock().unwrap().clone()
    }
    fn field(event: &[(String, String)], name: &str) -> Option<String> {
        event
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }
}

/// Runs `f` on a current-thread runtime with audit events captured.
fn with_audit<F: Future<Output = ()>>(f: impl FnOnce() -> F) -> Captured {
    use tracing_subscriber::layer::SubscriberExt as _;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    tracing::subscriber::with_default(subscriber, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f());
    });
    captured
}

// ------------------------------------------------------------------ the app

#[derive(serde::Serialize, serde::Deserialize)]
struct Claims {
    sub: String,
    role: String,
}

impl HasRoles for Claims {
    fn has_role(&self, role: &str) -> bool {
        self.role == role
    }
}

#[derive(Clone, FromRef)]
struct State {
    verifier: Arc<Verifier>,
}

fn key() -> SigningKey {
    SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32).unwrap()).unwrap()
}

#[derive(serde::Deserialize)]
struct Item {
    #[serde(default)]
    sku: String,
}

#[derive(serde::Deserialize)]
struct Order {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    items: Vec<Item>,
}

impl Validate for Item {
    fn validate(&self, check: &mut Checker) {
        check.field("sku", seckit::validate::SqlIdentifier::parse(&self.sku));
    }
}

impl Validate for Order {
    fn validate(&self, check: &mut Checker) {
        check.field("email", seckit::validate::Email::parse(&self.email));
        check.field("name", seckit::validate::Username::parse(&self.name));
        check.each("items", &self.items);
    }
}

fn app(key: &SigningKey) -> Router {
    async fn me(user: Authenticated<Claims>) -> String {
        user.claims.sub.clone()
    }
    async fn admin(user: Authenticated<Claims>) -> Result<&'static str, ApiError> {
        user.require_role("admin")?;
        Ok("admin")
    }
    async fn basic(BasicAuth(c): BasicAuth) -> String {
        c.user_id().to_owned()
    }
    async fn order(ValidJson(o): ValidJson<Order, 1024>) -> String {
        o.items.len().to_string()
    }
    async fn fail(axum::extract::Path(kind): axum::extract::Path<String>) -> Response {
        let e = match kind.as_str() {
            "forbidden" => Error::forbidden("test"),
            "limited" => Error::rate_limited("login attempts", Duration::from_millis(1500)),
            "busy" => Error::unavailable("test"),
            "internal" => Error::internal("test"),
            "stored" => PasswordHasher::new()
                .verify(&SecretString::from(SENTINEL), "$argon2id$garbage")
                .unwrap_err(),
            "password" => Error::unauthenticated("password", AuthReason::Mismatch, "mismatch"),
            _ => Error::invalid("kind", "unknown"),
        };
        e.into_response()
    }
    let state = State {
        verifier: Arc::new(Verifier::new(key.verifying_key())),
    };
    Router::new()
        .route("/me", get(me))
        .route("/admin", get(admin))
        .route("/basic", get(basic))
        .route("/order", post(order))
        .route("/fail/{kind}", get(fail))
        .with_state(state)
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn get_with(path: &str, auth: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(a) = auth {
        b = b.header(header::AUTHORIZATION, a);
    }
    b.body(Body::empty()).unwrap()
}

fn post_json(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

// -------------------------------------------------------------------- tests

#[test]
fn error_responses_map_kind_to_status_body_and_headers() {
    let key = key();
    let app = app(&key);
    let captured = with_audit(|| async {
        for (kind, status, public) in [
            ("forbidden", 403, "forbidden"),
            ("limited", 429, "too many requests"),
            ("busy", 503, "service busy, retry later"),
            ("internal", 500, "internal error"),
            // A corrupt stored hash is the server's fault: 500, not 400.
            ("stored", 500, "internal error"),
            ("password", 401, "invalid credentials"),
            ("other", 400, "invalid request"),
        ] {
            let (s, h, body) = send(&app, get_with(&format!("/fail/{kind}"), None)).await;
            assert_eq!(s.as_u16(), status, "{kind}");
            assert_eq!(h[header::CACHE_CONTROL], "no-store", "{kind}");
            assert_eq!(h[header::CONTENT_TYPE], "application/json", "{kind}");
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["error"], public, "{kind}");
            assert_eq!(v.get("violations").is_some(), status == 400, "{kind}");
            assert!(
                !body.contains(SENTINEL) && !body.contains("garbage"),
                "{body}"
            );
            assert_eq!(h.contains_key(header::RETRY_AFTER), status == 429, "{kind}");
            // A login failure is not a Bearer challenge.
            assert!(!h.contains_key(header::WWW_AUTHENTICATE), "{kind}");
        }
        let (_, h, _) = send(&app, get_with("/fail/limited", None)).await;
        assert_eq!(h[header::RETRY_AFTER], "2", "1.5 s rounds up");
    });
    let kinds: Vec<String> = captured
        .events()
        .iter()
        .filter_map(|e| Captured::field(e, "event"))
        .collect();
    for want in [
        "authz_fail",
        "excess_rate_limit_exceeded",
        "authn_login_fail",
        "input_validation_fail",
    ] {
        assert!(kinds.iter().any(|k| k == want), "{want} in {kinds:?}");
    }
}

#[test]
fn bearer_authentication_challenges_per_rfc_6750_and_audits_every_refusal() {
    let key = key();
    let app = app(&key);
    let issuer = Issuer::new(key.clone());
    let user = issuer
        .issue(&Claims {
            sub: "user-7".into(),
            role: "user".into(),
        })
        .unwrap();
    let root = issuer
        .issue(&Claims {
            sub: "user-1".into(),
            role: "admin".into(),
        })
        .unwrap();
    let foreign = Issuer::new(self::key())
        .issue(&Claims {
            sub: "user-7".into(),
            role: "admin".into(),
        })
        .unwrap();
    let captured = with_audit(|| async {
        // No header: the bare challenge.
        let (s, h, body) = send(&app, get_with("/me", None)).await;
        assert_eq!(s, 401);
        assert_eq!(h[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(body, r#"{"error":"invalid credentials"}"#);
        // Another scheme: no Bearer credentials presented, the bare challenge.
        let (s, h, _) = send(&app, get_with("/me", Some("Basic dXNlcjpwdw=="))).await;
        assert_eq!(
            (s.as_u16(), h[header::WWW_AUTHENTICATE].to_str().unwrap()),
            (401, "Bearer")
        );
        // A token presented and refused: invalid_token.
        for bad in [
            format!("Bearer {foreign}"),
            format!("Bearer {SENTINEL}"),
            "Bearer ".to_owned(),
            "Bearer a b".to_owned(),
            format!("Bearer {}x", &user[..user.len() - 1]),
        ] {
            let (s, h, body) = send(&app, get_with("/me", Some(&bad))).await;
            assert_eq!(s, 401, "{bad}");
            assert_eq!(
                h[header::WWW_AUTHENTICATE],
                "Bearer error=\"invalid_token\"",
                "{bad}"
            );
            assert_eq!(body, r#"{"error":"invalid credentials"}"#);
        }
        let (s, _, body) = send(&app, get_with("/me", Some(&format!("Bearer {user}")))).await;
        assert_eq!((s.as_u16(), body.as_str()), (200, "user-7"));
        // Authenticated but without the role: 403, no challenge.
        let (s, h, body) = send(&app, get_with("/admin", Some(&format!("Bearer {user}")))).await;
        assert_eq!(s, 403);
        assert!(!h.contains_key(header::WWW_AUTHENTICATE));
        assert_eq!(body, r#"{"error":"forbidden"}"#);
        let (s, _, _) = send(&app, get_with("/admin", Some(&format!("Bearer {root}")))).await;
        assert_eq!(s, 200);
    });
    let events = captured.events();
    let invalid: Vec<_> = events
        .iter()
        .filter(|e| Captured::field(e, "event").as_deref() == Some("authn_token_invalid"))
        .collect();
    assert_eq!(invalid.len(), 7, "every refused request is one event");
    for e in &invalid {
        assert_eq!(Captured::field(e, "level").as_deref(), Some("WARN"));
        assert_eq!(Captured::field(e, "route").as_deref(), Some("/me"));
    }
    let reasons: Vec<_> = invalid
        .iter()
        .filter_map(|e| Captured::field(e, "reason"))
        .collect();
    assert!(
        reasons.iter().any(|r| r == "missing_credentials"),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r == "bad_signature"), "{reasons:?}");
    let denied = events
        .iter()
        .find(|e| Captured::field(e, "event").as_deref() == Some("authz_fail"))
        .unwrap();
    assert_eq!(Captured::field(denied, "user").as_deref(), Some("user-7"));
    assert_eq!(Captured::field(denied, "route").as_deref(), Some("/admin"));
    let all = format!("{events:?}");
    assert!(!all.contains(SENTINEL) && !all.contains(&user) && !all.contains(&foreign));
}

#[test]
fn basic_auth_extracts_or_challenges() {
    let app = app(&key());
    with_audit(|| async {
        let (s, h, _) = send(&app, get_with("/basic", None)).await;
        assert_eq!(s, 401);
        assert_eq!(
            h[header::WWW_AUTHENTICATE],
            "Basic realm=\"api\", charset=\"UTF-8\""
        );
        let (s, _, body) = send(
            &app,
            get_with("/basic", Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")),
        )
        .await;
        assert_eq!((s.as_u16(), body.as_str()), (200, "Aladdin"));
        let (s, h, _) = send(&app, get_with("/basic", Some("Basic !!!"))).await;
        assert_eq!(s, 401);
        assert!(
            h[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
    });
}

#[test]
fn valid_json_reports_every_violation_with_its_path_and_never_the_input() {
    let app = app(&key());
    let captured = with_audit(|| async {
        let body = json!({
            "email": format!("{SENTINEL}@"),
            "name": format!("{SENTINEL} space"),
            "items": [{"sku": "ok_1"}, {"sku": "ok_2"}, {"sku": format!("{SENTINEL};drop")}],
        })
        .to_string();
        let (s, h, text) = send(&app, post_json("/order", &body)).await;
        assert_eq!(s, 400);
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert!(!text.contains(SENTINEL), "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let fields: Vec<&str> = v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["email", "name", "items[2].sku"]);
        for x in v["violations"].as_array().unwrap() {
            assert!(x["code"].as_str().is_some_and(|c| !c.is_empty()));
        }
        // Valid.
        let (s, _, text) = send(
            &app,
            post_json(
                "/order",
                r#"{"email":"a@example.com","name":"ada","items":[{"sku":"x"}]}"#,
            ),
        )
        .await;
        assert_eq!((s.as_u16(), text.as_str()), (200, "1"));
        // Not JSON, the wrong shape, too large, not declared JSON.
        for (req, status, code) in [
            (
                post_json("/order", &format!("{{\"email\": {SENTINEL}")),
                400,
                "malformed_json",
            ),
            (
                post_json("/order", &format!("{{\"items\": \"{SENTINEL}\"}}")),
                400,
                "wrong_shape",
            ),
            (
                post_json("/order", &format!("{{\"email\":\"{}\"}}", "a".repeat(2000))),
                413,
                "too_large",
            ),
            (
                Request::post("/order")
                    .header(header::CONTENT_TYPE, "text/plain")
                    .body(Body::from("{}"))
                    .unwrap(),
                415,
                "unsupported_media_type",
            ),
        ] {
            let (s, _, text) = send(&app, req).await;
            assert_eq!(s.as_u16(), status, "{text}");
            assert!(!text.contains(SENTINEL), "{text}");
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["violations"][0]["field"], "body");
            assert_eq!(v["violations"][0]["code"], code);
        }
        let (s, _, _) = send(
            &app,
            post_json("/order", r#"{"email":"a@example.com","name":"ada"}"#).map(|b| b),
        )
        .await;
        assert_eq!(s, 200);
        let mut req = post_json("/order", "{}");
        req.headers_mut().insert(
            header::CONTENT_TYPE,
            "application/problem+json".parse().unwrap(),
        );
        let (s, _, _) = send(&app, req).await;
        assert_eq!(s, 400, "+json is JSON; the empty order breaks rules");
    });
    let events = captured.events();
    assert!(
        events
            .iter()
            .all(|e| Captured::field(e, "event").as_deref() == Some("input_validation_fail"))
    );
    assert!(events.len() >= 5);
    assert!(!format!("{events:?}").contains(SENTINEL));
}

#[test]
fn async_hasher_bounds_concurrency_and_refuses_when_the_queue_is_full() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
        .block_on(async {
            let slow = PasswordHasher::builder()
                .argon2id(seckit::password::Argon2Params::new(19_456, 2, 1).unwrap())
                .build()
                .unwrap();
            let stored = slow.hash(&SecretString::from("pw")).unwrap();
            let hasher = AsyncHasher::with_limits(slow, 1, 2).unwrap();
            // One running, two waiting: the rest are refused at once.
            let mut tasks = Vec::new();
            for _ in 0..8 {
                let h = hasher.clone();
                let stored = stored.clone();
                tasks.push(tokio::spawn(async move {
                    h.verify(&SecretString::from("pw"), &stored).await
                }));
                tokio::task::yield_now().await;
            }
            let mut ok = 0;
            let mut busy = 0;
            for t in tasks {
                match t.await.unwrap() {
                    Ok(()) => ok += 1,
                    Err(e) => {
                        assert_eq!(e.kind(), ErrorKind::Unavailable, "{e}");
                        assert_eq!(e.kind().http_status(), 503);
                        busy += 1;
                    }
                }
            }
            // Admitted: the 2 queue places, plus the one worker's job when the
            // worker had already taken it off the queue; never more.
            assert!((2..=3).contains(&ok) && busy >= 5, "ok {ok}, busy {busy}");
            assert_eq!(ok + busy, 8);
            // Afterwards the hasher works again, and refuses wrong passwords.
            hasher
                .verify(&SecretString::from("pw"), &stored)
                .await
                .unwrap();
            let e = hasher
                .verify(&SecretString::from("nope"), &stored)
                .await
                .unwrap_err();
            assert_eq!(e.auth_reason(), Some(AuthReason::Mismatch));
            let e = hasher
                .dummy_verify(&SecretString::from("x"))
                .await
                .unwrap_err();
            assert_eq!(e.auth_reason(), Some(AuthReason::UnknownUser));
            let new = hasher.hash(&SecretString::from("pw2")).await.unwrap();
            assert!(
                hasher
                    .verify_and_upgrade(&SecretString::from("pw2"), &new)
                    .await
                    .unwrap()
                    .rehash()
                    .is_none()
            );
            assert!(AsyncHasher::with_limits(PasswordHasher::new(), 0, 1).is_err());
        });
}

#[test]
fn audit_events_strip_control_characters_and_carry_typed_fields() {
    use seckit::audit::{Event, EventKind};
    let captured = with_audit(|| async {
        Event::new(EventKind::AuthnLoginFail)
            .user("user-9\r\nauthn_login_success:admin")
            .source_ip("192.0.2.1".parse().unwrap())
            .route("/login")
            .reason("mismatch")
            .emit();
        Event::new(EventKind::AuthnLoginSuccess)
            .user("user-9")
            .emit();
    });
    let events = captured.events();
    assert_eq!(events.len(), 2);
    let e = &events[0];
    assert_eq!(
        Captured::field(e, "event").as_deref(),
        Some("authn_login_fail")
    );
    assert_eq!(Captured::field(e, "level").as_deref(), Some("WARN"));
    assert_eq!(
        Captured::field(e, "user").as_deref(),
        Some("user-9authn_login_success:admin")
    );
    assert_eq!(
        Captured::field(e, "source_ip").as_deref(),
        Some("192.0.2.1")
    );
    assert_eq!(Captured::field(e, "route").as_deref(), Some("/login"));
    assert_eq!(Captured::field(e, "reason").as_deref(), Some("mismatch"));
    assert_eq!(
        Captured::field(&events[1], "level").as_deref(),
        Some("INFO")
    );
    assert!(!format!("{events:?}").contains('\n'));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

    /// Any body, any content type, any Authorization header: an answer
    /// (never a panic), a JSON error body that echoes nothing of the input.
    #[test]
    fn hostile_requests_get_a_generic_answer(
        body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..1500),
        json_type in proptest::prelude::any::<bool>(),
        auth in "[ -~]{0,40}",
    ) {
        let key = key();
        let app = app(&key);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let marker = "ZQXJ";
        let mut payload = marker.as_bytes().to_vec();
        payload.extend_from_slice(&body);
        let mut req = Request::post("/order").body(Body::from(payload)).unwrap();
        if json_type {
            req.headers_mut().insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        }
        let (s, _, text) = rt.block_on(send(&app, req));
        proptest::prop_assert!([400u16, 413, 415].contains(&s.as_u16()), "{}", s);
        proptest::prop_assert!(!text.contains(marker));
        let v: Value = serde_json::from_str(&text).unwrap();
        proptest::prop_assert_eq!(&v["error"], "invalid request");
        if let Ok(value) = format!("Bearer {marker}{auth}").parse::<HeaderValue>() {
            let mut req = get_with("/me", None);
            req.headers_mut().insert(header::AUTHORIZATION, value);
            let (s, h, text) = rt.block_on(send(&app, req));
            proptest::prop_assert_eq!(s.as_u16(), 401);
            proptest::prop_assert!(h.contains_key(header::WWW_AUTHENTICATE));
            proptest::prop_assert!(!text.contains(marker));
        }
    }
}

#[test]
fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let app = app(&key());
    with_audit(|| async {
        // The body itself is small and valid JSON: only the declared
        // length can make this a 413, so the header was checked first.
        let req = Request::post("/order")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, "1000000")
            .body(Body::from(r#"{"email":"a@example.com","name":"ada"}"#))
            .unwrap();
        let (s, _, text) = send(&app, req).await;
        assert_eq!(s, 413, "{text}");
    });
}
