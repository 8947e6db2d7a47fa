//! The example service (`examples/web_service/`) started on 127.0.0.1:0 and
//! driven over real HTTP with reqwest: its whole contract, 50 hostile
//! tokens, sentinel checks on every response body and audit event, and a
//! look into the SQLite file.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "../examples/web_service/app.rs"]
#[allow(dead_code)]
mod app;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use seckit::config::Loader;
use seckit::envelope::PrivateKey;
use seckit::jwt::{Algorithm, Issuer, SigningKey, TokenSpec};
use serde_json::{Value, json};

const JWT_SECRET: &str = "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE="; // test value
const PASSWORD: &str = "SENTINEL-correct-horse-battery-7";
const NOTE: &str = "SENTINEL-note-the-launch-codes";

/// Audit events (target `seckit::audit`) as text, from every thread.
#[derive(Clone, Default)]
struct Audit(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Audit {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct V(String);
        impl tracing::field::Visit for V {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                self.0.push_str(&format!(" {}={v:?}", f.name()));
            }
        }
        if event.metadata().target() == "seckit::audit" {
            let mut v = V(String::new());
            event.record(&mut v);
            self.0.lock().unwrap().push(v.0);
        }
    }
}

fn loader(dir: &std::path::Path, secret: Option<&str>) -> Loader {
    // The contract test makes a few hundred calls from one address.
    loader_with(dir, secret, &[("RATE_LIMIT_PER_IP", "100000")])
}

fn loader_with(dir: &std::path::Path, secret: Option<&str>, extra: &[(&str, &str)]) -> Loader {
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let mut vars = vec![
        ("DATABASE_URL".to_owned(), url),
        ("BIND".to_owned(), "127.0.0.1:0".to_owned()),
        ("JWT_SECRET_ENCODING".to_owned(), "base64".to_owned()),
    ];
    if let Some(s) = secret {
        vars.push(("JWT_SECRET".to_owned(), s.to_owned()));
    }
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    Loader::from_vars(vars)
}

/// Starts the service from `loader` on 127.0.0.1:0; its base URL.
async fn start(mut loader: Loader) -> String {
    let config = app::Config::from_loader(&mut loader).unwrap();
    let router = app::build(config, PrivateKey::generate().unwrap())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

async fn post(base: &str, path: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// `LOGIN_MAX_FAILURES=2`: the third login answers 429 with `Retry-After`
/// even with the right password (nothing was hashed); the whole API is
/// limited per address with the RateLimit headers; the policy is printed.
#[test]
fn logins_lock_before_hashing_and_the_api_is_limited() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let mut l = loader_with(
            dir.path(),
            Some(JWT_SECRET),
            &[("LOGIN_MAX_FAILURES", "2"), ("RATE_LIMIT_PER_IP", "8")],
        );
        let summary = app::Config::from_loader(&mut l).unwrap().limits_summary();
        assert!(
            summary.contains("API 8 per 1 min") && summary.contains("2 per 15 min"),
            "{summary}"
        );
        assert!(summary.contains("REDIS_URL is not set"), "{summary}");
        let base = start(loader_with(
            dir.path(),
            Some(JWT_SECRET),
            &[("LOGIN_MAX_FAILURES", "2"), ("RATE_LIMIT_PER_IP", "8")],
        ))
        .await;
        let r = post(
            &base,
            "/register",
            json!({"username": "erin", "email": "erin@example.com", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()["ratelimit-remaining"], "7");
        for _ in 0..2 {
            let r = post(
                &base,
                "/login",
                json!({"username": "erin", "password": "SENTINEL-wrong"}),
            )
            .await;
            assert_eq!(r.status(), 401);
        }
        // "Erin" is the same account: one budget.
        let r = post(
            &base,
            "/login",
            json!({"username": "Erin", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status(), 429);
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let text = r.text().await.unwrap();
        assert!(
            !text.contains("SENTINEL") && text.contains("too many requests"),
            "{text}"
        );
        // 4 calls so far; 4 more allowed, then the API limit answers.
        for i in 0..4 {
            let r = reqwest::get(format!("{base}/me")).await.unwrap();
            assert_eq!(r.status(), 401, "{i}");
            assert_eq!(r.headers()["ratelimit-limit"], "8");
        }
        let r = reqwest::get(format!("{base}/me")).await.unwrap();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["ratelimit-remaining"], "0");
        assert_eq!(r.headers()["ratelimit-policy"], "8;w=60");
        assert!(r.headers().contains_key("retry-after"));
        // A spoofed X-Forwarded-For from an untrusted peer changes nothing.
        let r = reqwest::Client::new()
            .get(format!("{base}/me"))
            .header("x-forwarded-for", "203.0.113.200")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
    });
}

/// Two instances on one Redis (`REDIS_URL`) share both limits: failures on
/// either lock the account on both, and the per-address budget is one.
#[test]
fn two_instances_share_their_limits_through_redis() {
    let Ok(url) = std::env::var("SECKIT_TEST_REDIS_URL") else {
        assert!(
            std::env::var_os("SECKIT_CI").is_none(),
            "SECKIT_TEST_REDIS_URL is not set under CI"
        );
        eprintln!(
            "skipped: set SECKIT_TEST_REDIS_URL (bash .ci/run starts a redis-server) to run the Redis tests"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!(
        "demo{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    );
    runtime().block_on(async {
        let vars = [
            ("LOGIN_MAX_FAILURES", "2"),
            ("RATE_LIMIT_PER_IP", "7"),
            ("REDIS_URL", url.as_str()),
            ("REDIS_PREFIX", prefix.as_str()),
        ];
        let summary =
            app::Config::from_loader(&mut loader_with(dir.path(), Some(JWT_SECRET), &vars))
                .unwrap()
                .limits_summary();
        assert!(
            summary.contains("redis, shared by every instance (fail mode closed)"),
            "{summary}"
        );
        let a = start(loader_with(dir.path(), Some(JWT_SECRET), &vars)).await;
        let b = start(loader_with(dir.path(), Some(JWT_SECRET), &vars)).await;
        assert_eq!(
            post(
                &a,
                "/register",
                json!({"username": "frank", "email": "f@example.com", "password": PASSWORD})
            )
            .await
            .status(),
            201
        );
        assert_eq!(
            post(
                &a,
                "/login",
                json!({"username": "frank", "password": "SENTINEL-wrong"})
            )
            .await
            .status(),
            401
        );
        assert_eq!(
            post(
                &b,
                "/login",
                json!({"username": "frank", "password": "SENTINEL-wrong"})
            )
            .await
            .status(),
            401
        );
        assert_eq!(
            post(
                &a,
                "/login",
                json!({"username": "frank", "password": PASSWORD})
            )
            .await
            .status(),
            429
        );
        assert_eq!(
            post(
                &b,
                "/login",
                json!({"username": "frank", "password": PASSWORD})
            )
            .await
            .status(),
            429
        );
        // 5 calls so far across both; 2 more, then both refuse.
        assert_eq!(reqwest::get(format!("{a}/me")).await.unwrap().status(), 401);
        assert_eq!(reqwest::get(format!("{b}/me")).await.unwrap().status(), 401);
        assert_eq!(reqwest::get(format!("{a}/me")).await.unwrap().status(), 429);
        assert_eq!(reqwest::get(format!("{b}/me")).await.unwrap().status(), 429);
    });
}

#[test]
fn the_service_refuses_to_start_with_a_weak_or_missing_secret() {
    let dir = tempfile::tempdir().unwrap();
    for secret in [
        None,
        Some("c2VjcmV0"),
        Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    ] {
        let err = app::Config::from_loader(&mut loader(dir.path(), secret)).unwrap_err();
        assert_eq!(err.kind(), seckit::ErrorKind::Configuration, "{secret:?}");
        assert!(err.to_string().contains("JWT_SECRET"), "{err}");
    }
    // Refused before anything was created: no database file.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

struct Client {
    http: reqwest::Client,
    base: String,
    bodies: Vec<String>,
}

impl Client {
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let url = format!("{}{path}", self.base);
        let mut req = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url),
        };
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        self.bodies.push(text);
        (status, headers, value)
    }

    async fn raw_auth(
        &mut self,
        path: &str,
        authorization: &str,
    ) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("authorization", authorization)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        self.bodies.push(text.clone());
        (status, headers, text)
    }
}

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

/// 50 tokens that must all be refused: forged algorithms, confusion,
/// times, audiences, issuers, types, shapes and sizes.
fn hostile_tokens(good: &str) -> Vec<String> {
    let secret = seckit::jwt::decode_secret(
        &seckit::SecretString::from(JWT_SECRET),
        seckit::jwt::SecretEncoding::Base64,
    )
    .unwrap();
    let same_key = SigningKey::hmac(Algorithm::HS256, &secret).unwrap();
    let claims = json!({"sub": "1", "role": "admin"});
    let mut out = Vec::new();
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let payload =
        b64(&json!({"sub":"1","role":"admin","exp": now + 600, "aud": "seckit-demo"}).to_string());
    // alg none, in several spellings, with and without a signature.
    for alg in ["none", "None", "NONE", "nOnE"] {
        out.push(format!(
            "{}.{payload}.",
            b64(&format!(r#"{{"alg":"{alg}"}}"#))
        ));
        out.push(format!(
            "{}.{payload}.{s}",
            b64(&format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#))
        ));
    }
    // Algorithm confusion: the same HMAC bytes under other algorithms.
    for alg in ["RS256", "PS256", "ES256", "EdDSA", "HS384", "HS512"] {
        out.push(format!(
            "{}.{p}.{s}",
            b64(&format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#))
        ));
    }
    // The right key, the wrong rules.
    let past = Issuer::new(same_key.clone())
        .with_audience("seckit-demo")
        .unwrap()
        .with_clock(move || now - 7200);
    out.push(past.issue(&claims).unwrap()); // expired
    let future = Issuer::new(same_key.clone())
        .with_audience("seckit-demo")
        .unwrap()
        .with_clock(move || now + 3600);
    out.push(future.issue(&claims).unwrap()); // not yet valid
    out.push(
        Issuer::new(same_key.clone())
            .with_audience("other")
            .unwrap()
            .issue(&claims)
            .unwrap(),
    );
    out.push(Issuer::new(same_key.clone()).issue(&claims).unwrap()); // no aud
    out.push(
        Issuer::new(same_key.clone())
            .with_audience("seckit-demo")
            .unwrap()
            .with_issuer("https://evil")
            .unwrap()
            .issue(&claims)
            .unwrap(),
    );
    out.push(
        Issuer::new(same_key.clone())
            .with_audience("seckit-demo")
            .unwrap()
            .with_typ("at+jwt")
            .unwrap()
            .issue(&claims)
            .unwrap(),
    );
    out.push(
        Issuer::new(same_key.clone().with_kid("other").unwrap())
            .with_audience("seckit-demo")
            .unwrap()
            .issue(&claims)
            .unwrap(),
    );
    let spec = TokenSpec::new().audience("seckit-admin").unwrap();
    out.push(
        Issuer::new(same_key)
            .issue_with(&claims, &spec)
            .unwrap()
            .into_token(),
    );
    // Another key entirely.
    let other =
        SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32).unwrap()).unwrap();
    out.push(
        Issuer::new(other)
            .with_audience("seckit-demo")
            .unwrap()
            .issue(&claims)
            .unwrap(),
    );
    // Tampering with the good token.
    out.push(format!("{h}.{payload}.{s}")); // role admin, old signature
    out.push(format!("{h}.{p}."));
    out.push(format!("{h}.{p}"));
    out.push(format!("{h}.{p}.{s}.{s}"));
    out.push(format!("{h}.{p}.{}", &s[..s.len() - 2]));
    out.push(format!("{h}.{p}.{s}="));
    out.push(format!(
        "{h}.{p}.{}",
        s.replace(|c: char| c.is_ascii_lowercase(), "A")
    ));
    out.push(format!("{h}={p}.{s}"));
    out.push(format!(".{p}.{s}"));
    out.push(format!("{h}..{s}"));
    out.push(good.chars().rev().collect());
    // Headers the verifier refuses.
    for header in [
        r#"{"alg":"HS256","crit":["exp"]}"#,
        r#"{"alg":"HS256","b64":false}"#,
        r#"{"alg":"HS256","enc":"A256GCM"}"#,
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","typ":"JWE"}"#,
        r#"{"alg":"HS256","jku":"https://evil/jwks","kid":"../../etc/passwd"}"#,
        r#"{"alg":["HS256"]}"#,
        r#"[]"#,
        "not json",
    ] {
        out.push(format!("{}.{p}.{s}", b64(header)));
    }
    // Garbage and size.
    for garbage in [
        "x".to_owned(),
        "a.b.c".to_owned(),
        "....".to_owned(),
        "eyJ.eyJ.eyJ".to_owned(),
        format!("{h}.{}.{s}", "A".repeat(9000)),
        "%00.%00.%00".to_owned(),
        "🦀.🦀.🦀".to_owned(),
    ] {
        out.push(garbage);
    }
    out
}

#[test]
fn the_whole_contract_over_real_http() {
    let audit = Audit::default();
    {
        use tracing_subscriber::layer::SubscriberExt as _;
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(audit.clone()))
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let config = app::Config::from_loader(&mut loader(dir.path(), Some(JWT_SECRET))).unwrap();
        let router = app::build(config, PrivateKey::generate().unwrap()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
                .await
                .unwrap();
        });
        let mut c = Client {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap(),
            base: format!("http://{addr}"),
            bodies: Vec::new(),
        };

        // ---- register
        let (s, _, v) = c.call("POST", "/register", None, Some(json!({"username": "alice", "email": "alice@example.com", "password": PASSWORD}))).await;
        assert_eq!(s, 201, "{v}");
        let alice_id = v["id"].as_i64().unwrap();
        let (s, _, v) = c.call("POST", "/register", None, Some(json!({"username": "bob", "email": "bob@example.com", "password": PASSWORD}))).await;
        assert_eq!(s, 201, "{v}");
        // Every violation at once, none quoting the input.
        let (s, _, v) = c.call("POST", "/register", None, Some(json!({"username": "SENTINEL bad name", "email": "SENTINEL-at-nowhere", "password": "SENTINEL"}))).await;
        assert_eq!(s, 400);
        let fields: Vec<&str> = v["violations"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["username", "email", "password"], "{v}");
        // A common password: the policy's code.
        let (s, _, v) = c.call("POST", "/register", None, Some(json!({"username": "carol", "email": "carol@example.com", "password": "password123"}))).await;
        assert_eq!(s, 400);
        assert!(v["violations"].as_array().unwrap().iter().any(|x| x["field"] == "password" && x["code"] == "common"), "{v}");
        let (s, _, v) = c.call("POST", "/register", None, Some(json!({"username": "dave", "email": "dave@example.com", "password": "dave@example.com-x"}))).await;
        assert_eq!(s, 400, "{v}");
        // A username whose unique key collides: 409.
        let (s, _, _) = c.call("POST", "/register", None, Some(json!({"username": "Alice", "email": "a2@example.com", "password": PASSWORD}))).await;
        assert_eq!(s, 409);

        // ---- login
        let (s, h, v) = c.call("POST", "/login", None, Some(json!({"username": "alice", "password": PASSWORD}))).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["token_type"], "Bearer");
        assert_eq!(v["expires_in"], 3600);
        assert_eq!(h["cache-control"], "no-store");
        let alice = v["access_token"].as_str().unwrap().to_owned();
        c.bodies.pop(); // this body carries a token on purpose
        let (_, _, v) = c.call("POST", "/login", None, Some(json!({"username": "bob", "password": PASSWORD}))).await;
        let bob = v["access_token"].as_str().unwrap().to_owned();
        c.bodies.pop();
        // Wrong password and unknown user: the same answer.
        let (s1, _, wrong) = c.call("POST", "/login", None, Some(json!({"username": "alice", "password": "SENTINEL-wrong"}))).await;
        let (s2, _, unknown) = c.call("POST", "/login", None, Some(json!({"username": "nobody", "password": "SENTINEL-wrong"}))).await;
        let (s3, _, invalid_name) = c.call("POST", "/login", None, Some(json!({"username": "no body!", "password": "SENTINEL-wrong"}))).await;
        assert_eq!((s1, s2, s3), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
        assert_eq!(wrong, unknown);
        assert_eq!(wrong, invalid_name);
        assert_eq!(wrong, json!({"error": "invalid credentials"}));

        // ---- a legacy bcrypt user is upgraded to Argon2id at login
        let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("demo.db").display())).await.unwrap();
        let legacy = seckit::password::PasswordHasher::builder().bcrypt(10).build().unwrap().hash(&PASSWORD.into()).unwrap();
        assert!(legacy.starts_with("$2b$10$"));
        sqlx::query("INSERT INTO users (username, username_key, email, password_hash) VALUES ('olduser', 'olduser', 'old@example.com', ?)")
            .bind(&legacy)
            .execute(&db)
            .await
            .unwrap();
        let (s, _, _) = c.call("POST", "/login", None, Some(json!({"username": "olduser", "password": PASSWORD}))).await;
        assert_eq!(s, 200);
        c.bodies.pop();
        let upgraded: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'olduser'").fetch_one(&db).await.unwrap();
        assert!(upgraded.starts_with("$argon2id$v=19$"), "{upgraded}");
        let (s, _, _) = c.call("POST", "/login", None, Some(json!({"username": "olduser", "password": PASSWORD}))).await;
        assert_eq!(s, 200);
        c.bodies.pop();

        // ---- /me and /admin
        let (s, _, v) = c.call("GET", "/me", Some(&alice), None).await;
        assert_eq!(s, 200);
        assert_eq!(v, json!({"id": alice_id, "username": "alice"}));
        let (s, h, _) = c.call("GET", "/me", None, None).await;
        assert_eq!(s, 401);
        assert_eq!(h["www-authenticate"], "Bearer");
        let (s, h, _) = c.call("GET", "/me", Some("SENTINEL-not-a-token"), None).await;
        assert_eq!(s, 401);
        assert_eq!(h["www-authenticate"], "Bearer error=\"invalid_token\"");
        let (s, _, v) = c.call("GET", "/admin", Some(&alice), None).await;
        assert_eq!(s, 403);
        assert_eq!(v, json!({"error": "forbidden"}));
        sqlx::query("UPDATE users SET role = 'admin' WHERE username = 'bob'").execute(&db).await.unwrap();
        let (_, _, v) = c.call("POST", "/login", None, Some(json!({"username": "bob", "password": PASSWORD}))).await;
        let bob_admin = v["access_token"].as_str().unwrap().to_owned();
        c.bodies.pop();
        let (s, _, _) = c.call("GET", "/admin", Some(&bob_admin), None).await;
        assert_eq!(s, 200);

        // ---- 50 hostile tokens
        let hostile = hostile_tokens(&alice);
        assert!(hostile.len() >= 50, "{}", hostile.len());
        for (i, token) in hostile.iter().enumerate() {
            let (s, h, body) = c.raw_auth("/me", &format!("Bearer {token}")).await;
            assert_eq!(s, 401, "hostile token {i}: {token}");
            assert!(h["www-authenticate"].to_str().unwrap().starts_with("Bearer"), "{i}");
            assert_eq!(body, r#"{"error":"invalid credentials"}"#, "{i}");
            let (s, _, _) = c.raw_auth("/admin", &format!("Bearer {token}")).await;
            assert_eq!(s, 401, "hostile token {i} on /admin");
        }

        // ---- devices: the token is shown once and stored as a hash
        let (s, h, v) = c.call("POST", "/devices", Some(&alice), None).await;
        assert_eq!(s, 201);
        assert_eq!(h["cache-control"], "no-store");
        c.bodies.pop();
        let device_id = v["device_id"].as_str().unwrap().to_owned();
        let device_token = v["device_token"].as_str().unwrap().to_owned();
        assert!(device_token.starts_with("dev_"));
        let (s, _, _) = c.call("POST", "/devices/hello", None, Some(json!({"device_id": device_id, "token": device_token}))).await;
        assert_eq!(s, 200);
        let (s, _, _) = c.call("POST", "/devices/hello", None, Some(json!({"device_id": device_id, "token": "dev_SENTINEL-forged"}))).await;
        assert_eq!(s, 401);
        let (s, _, _) = c.call("POST", "/devices/hello", None, Some(json!({"device_id": "SENTINEL-unknown", "token": device_token}))).await;
        assert_eq!(s, 401);
        let (s, _, _) = c.call("POST", "/devices", None, None).await;
        assert_eq!(s, 401);

        // ---- notes: sealed to the service key, bound to the owner
        let (s, _, v) = c.call("POST", "/notes", Some(&alice), Some(json!({"text": NOTE}))).await;
        assert_eq!(s, 201);
        let note_id = v["id"].as_i64().unwrap();
        let (s, h, v) = c.call("GET", &format!("/notes/{note_id}"), Some(&alice), None).await;
        assert_eq!(s, 200);
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(v["text"], NOTE);
        c.bodies.pop(); // carries the note on purpose
        let (s, _, v) = c.call("GET", &format!("/notes/{note_id}"), Some(&bob), None).await;
        assert_eq!((s, v), (StatusCode::NOT_FOUND, json!({"error": "not found"})));
        let (s, _, _) = c.call("GET", "/notes/999999", Some(&alice), None).await;
        assert_eq!(s, 404);
        let (s, _, _) = c.call("GET", "/notes/SENTINEL", Some(&alice), None).await;
        assert_eq!(s, 400);
        let (s, _, _) = c.call("POST", "/notes", Some(&alice), Some(json!({"text": ""}))).await;
        assert_eq!(s, 400);
        // A row moved to another owner does not open: the AD is the owner.
        let bob_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'bob'").fetch_one(&db).await.unwrap();
        sqlx::query("UPDATE notes SET user_id = ? WHERE id = ?").bind(bob_id).bind(note_id).execute(&db).await.unwrap();
        let (s, _, _) = c.call("GET", &format!("/notes/{note_id}"), Some(&bob), None).await;
        assert_eq!(s, 401, "an envelope bound to alice does not open for bob");

        // ---- no response body carried a password, token or rejected value
        for body in &c.bodies {
            assert!(!body.contains("SENTINEL"), "{body}");
            assert!(!body.contains(&alice) && !body.contains(&device_token), "{body}");
            for t in &hostile {
                assert!(t.len() < 8 || !body.contains(t.as_str()), "{body}");
            }
        }

        // ---- the database holds no plaintext password, note or device token
        db.close().await;
        server.abort();
        let _ = server.await;
    });
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("demo.db")
        {
            stored.extend(std::fs::read(path).unwrap());
        }
    }
    assert!(stored.len() > 4096);
    let stored = String::from_utf8_lossy(&stored);
    assert!(
        stored.contains("alice@example.com"),
        "the look itself works"
    );
    for secret in [PASSWORD, NOTE, "SENTINEL"] {
        assert!(!stored.contains(secret), "{secret} in the database file");
    }

    // ---- every failed authentication and authorization was audited
    let events = audit.0.lock().unwrap().clone();
    let count = |kind: &str| {
        events
            .iter()
            .filter(|e| e.contains(&format!("event=\"{kind}\"")))
            .count()
    };
    assert!(count("authn_login_fail") >= 3, "{events:?}");
    assert!(
        count("authn_token_invalid") >= 2 * 50 + 2 + 3,
        "{}",
        count("authn_token_invalid")
    );
    assert!(count("authz_fail") >= 1);
    assert!(count("malicious_direct_reference") >= 1);
    assert!(count("input_validation_fail") >= 4);
    assert!(count("authn_login_success") >= 4);
    assert!(count("user_created") >= 2);
    let all = events.join("\n");
    assert!(!all.contains("SENTINEL") && !all.contains(PASSWORD));
    // Login failures for an existing account name it; unknown names never appear.
    assert!(!all.contains("nobody"));
    assert!(
        events
            .iter()
            .any(|e| e.contains("authn_login_fail") && e.contains(" user=")),
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| e.contains("authn_token_invalid")
            && e.contains(" source_ip=\"127.0.0.1\"")
            && e.contains(" route=\"/me\"")),
        "{events:?}"
    );
}

const WEBHOOK_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"; // the spec's test value
const TURN_SECRET: &str = "SENTINEL-turn-9xQ2LmZ7pR4tV8bN1cK6yH3sD0fJ5gWa";

/// Registers and logs in `name`; its Bearer token.
async fn token_for(base: &str, name: &str) -> String {
    let r = post(
        base,
        "/register",
        json!({"username": name, "email": format!("{name}@example.com"), "password": PASSWORD}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = post(
        base,
        "/login",
        json!({"username": name, "password": PASSWORD}),
    )
    .await
    .json()
    .await
    .unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// `POST /webhooks/incoming` over real HTTP: 202 once for a delivery
/// signed with the configured secret, 409 for the same delivery again,
/// 401 for a tampered body, a stale timestamp or no headers.
/// `POST /webhooks/endpoints` keeps public https URLs and refuses internal
/// ones with 400; `GET /turn` gives credentials a relay accepts.
#[test]
fn webhooks_turn_and_outbound_urls_over_real_http() {
    use seckit::webhook::{Signer, StandardSecret, TurnSecret, TurnVerifier};
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let base = start(loader_with(
            dir.path(),
            Some(JWT_SECRET),
            &[
                ("RATE_LIMIT_PER_IP", "100000"),
                ("WEBHOOK_SECRET", WEBHOOK_SECRET),
                ("TURN_SECRET", TURN_SECRET),
                ("TURN_TTL", "600"),
            ],
        ))
        .await;
        let http = reqwest::Client::new();
        let signer = Signer::new(StandardSecret::parse(&WEBHOOK_SECRET.into()).unwrap());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let body = br#"{"type":"invoice.paid","id":"in_1"}"#;
        let deliver = |headers: Vec<(&'static str, String)>, body: &'static [u8]| {
            let mut req = http.post(format!("{base}/webhooks/incoming")).body(body);
            for (k, v) in headers {
                req = req.header(k, v);
            }
            req.send()
        };
        let signed = signer.sign("msg_web_1", now, body).unwrap();
        let r = deliver(signed.pairs().to_vec(), body).await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        assert_eq!(r.json::<Value>().await.unwrap()["id"], "msg_web_1");
        // The same delivery again: 409.
        let r = deliver(signed.pairs().to_vec(), body).await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        // Tampered, stale, unsigned: 401 with the generic message.
        let r = deliver(
            signed.pairs().to_vec(),
            br#"{"type":"invoice.paid","id":"in_2"}"#,
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let stale = signer.sign("msg_web_2", now - 301, body).unwrap();
        assert_eq!(
            deliver(stale.pairs().to_vec(), body)
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        let r = deliver(vec![], body).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(!r.text().await.unwrap().contains("signature"));

        let token = token_for(&base, "hookuser").await;
        let register = |url: &str| {
            http.post(format!("{base}/webhooks/endpoints"))
                .bearer_auth(&token)
                .json(&json!({"url": url}))
                .send()
        };
        let r = register("https://93.184.215.14/hooks").await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["addresses"], json!(["93.184.215.14:443"]));
        for internal in [
            "https://169.254.169.254/latest/meta-data/",
            "https://0x7f.1/",
            "https://localhost/",
            "http://93.184.215.14/",
            "https://[::1]/",
            "https://10.0.0.5/",
        ] {
            let r = register(internal).await.unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{internal}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["violations"][0]["field"], "url", "{v}");
        }
        // Without a token: 401.
        let r = http
            .post(format!("{base}/webhooks/endpoints"))
            .json(&json!({"url": "https://93.184.215.14/"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        let r = http
            .get(format!("{base}/turn"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["ttl"], 600);
        let relay = TurnVerifier::new([TurnSecret::new(&TURN_SECRET.into()).unwrap()]).unwrap();
        let user = relay
            .verify(
                v["username"].as_str().unwrap(),
                v["password"].as_str().unwrap(),
            )
            .unwrap();
        assert!(
            v["username"]
                .as_str()
                .unwrap()
                .ends_with(&format!(":{user}"))
        );
        assert_eq!(
            http.get(format!("{base}/turn"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
    });
    // Unconfigured: both routes answer 404.
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let base = start(loader(dir.path(), Some(JWT_SECRET))).await;
        let r = reqwest::Client::new()
            .post(format!("{base}/webhooks/incoming"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    });
    // A weak webhook secret stops the service before it starts.
    let mut l = loader_with(
        dir.path(),
        Some(JWT_SECRET),
        &[("WEBHOOK_SECRET", "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0")],
    );
    let err = app::Config::from_loader(&mut l).unwrap_err();
    assert_eq!(err.kind(), seckit::ErrorKind::Configuration);
}

/// The browser pages over plain HTTP with a non-browser client (no
/// `Origin`, no `Sec-Fetch-Site`): the header presets, the anonymous
/// cookie and its token, login needing the token, a cookie-authenticated
/// `POST /profile` needing this session's token, and only the session
/// cookie's hash in the database.
#[test]
fn browser_pages_need_session_bound_tokens_even_from_non_browser_clients() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let base = start(loader(dir.path(), Some(JWT_SECRET))).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = post(
            &base,
            "/register",
            json!({"username": "gina", "email": "g@example.com", "password": PASSWORD}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(
            r.headers()["content-security-policy"],
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert_eq!(r.headers()["cross-origin-resource-policy"], "same-origin");
        let r = client
            .get(format!("{base}/no-such-page"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");

        let page = |cookie: Option<String>| {
            let client = client.clone();
            let base = base.clone();
            async move {
                let mut req = client.get(format!("{base}/"));
                if let Some(c) = cookie {
                    req = req.header("cookie", c);
                }
                let r = req.send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                let headers = r.headers().clone();
                let body = r.text().await.unwrap();
                let token = body
                    .split("name=\"csrf_token\" value=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .to_owned();
                let nonce = body
                    .split("<script nonce=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .to_owned();
                let csp = headers["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                assert!(
                    csp.starts_with(&format!("script-src 'nonce-{nonce}' 'strict-dynamic'")),
                    "{csp}"
                );
                assert_eq!(headers["x-frame-options"], "DENY");
                let set_cookie = headers
                    .get("set-cookie")
                    .map(|v| v.to_str().unwrap().to_owned());
                (token, set_cookie)
            }
        };
        let (anon_token, set_cookie) = page(None).await;
        let set_cookie = set_cookie.expect("a first visit sets the anonymous cookie");
        assert!(
            set_cookie.starts_with("__Host-csrf=")
                && set_cookie.contains("HttpOnly")
                && set_cookie.contains("Secure")
        );
        let anon = set_cookie.split(';').next().unwrap().to_owned();

        let form = |path: &str, cookie: Option<&str>, body: String| {
            let mut req = client
                .post(format!("{base}{path}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            if let Some(c) = cookie {
                req = req.header("cookie", c.to_owned());
            }
            req.send()
        };
        let login = format!("username=gina&password={PASSWORD}");
        // Login without a token (with or without the cookie): 403.
        assert_eq!(
            form("/session", Some(&anon), login.clone())
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            form("/session", None, login.clone())
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        // With the page's token: 303 and a new session cookie.
        let r = form(
            "/session",
            Some(&anon),
            format!("{login}&csrf_token={anon_token}"),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let session = cookies
            .iter()
            .find(|c| c.starts_with("__Host-session="))
            .unwrap();
        assert!(
            session.contains("; Path=/; Secure; HttpOnly; SameSite=Lax"),
            "{session}"
        );
        let session = session.split(';').next().unwrap().to_owned();
        let session_value = session.trim_start_matches("__Host-session=").to_owned();

        // A cookie-authenticated change without a token, or with the
        // pre-login token: 403 though the client sends no browser headers.
        let change = "display_name=Gina".to_owned();
        assert_eq!(
            form("/profile", Some(&session), change.clone())
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            form(
                "/profile",
                Some(&session),
                format!("{change}&csrf_token={anon_token}")
            )
            .await
            .unwrap()
            .status(),
            StatusCode::FORBIDDEN
        );
        // No cookie: nothing to forge, and no session: 401.
        assert_eq!(
            form("/profile", None, change.clone())
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        // This session's token: 303, and the change shows.
        let (token, _) = page(Some(session.clone())).await;
        let r = form(
            "/profile",
            Some(&session),
            format!("{change}&csrf_token={token}"),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let read_profile = || {
            client
                .get(format!("{base}/profile"))
                .header("cookie", session.clone())
                .send()
        };
        let profile: Value = read_profile().await.unwrap().json().await.unwrap();
        assert_eq!(profile["display_name"], "Gina");

        // The database keeps the session cookie's hash only (seckit's
        // session store, in the service's SQLite file).
        let db = sqlx::SqlitePool::connect(&format!(
            "sqlite://{}",
            dir.path().join("demo.db").display()
        ))
        .await
        .unwrap();
        let rows: Vec<(Vec<u8>, i64)> =
            sqlx::query_as("SELECT token_hash, kind FROM seckit_sessions WHERE kind = 1")
                .fetch_all(&db)
                .await
                .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0.len(), 32);
        assert!(session_value.starts_with("ses_"));
        let raw = base64::Engine::decode(&URL_SAFE_NO_PAD, &session_value[4..]).unwrap();
        assert_ne!(rows[0].0, raw);

        // Logout: the session's token is needed (403 without it, or with the
        // pre-login one); then 303, the cookie cleared, the session revoked
        // in the store (its old cookie answers 401), and no row left.
        for body in [String::new(), format!("csrf_token={anon_token}")] {
            assert_eq!(
                form("/session/logout", Some(&session), body)
                    .await
                    .unwrap()
                    .status(),
                StatusCode::FORBIDDEN
            );
        }
        let r = form(
            "/session/logout",
            Some(&session),
            format!("csrf_token={token}"),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let cleared = r.headers()["set-cookie"].to_str().unwrap();
        assert!(
            cleared.starts_with("__Host-session=;") && cleared.contains("Max-Age=0"),
            "{cleared}"
        );
        assert_eq!(
            read_profile().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        let live: Vec<(Vec<u8>,)> =
            sqlx::query_as("SELECT token_hash FROM seckit_sessions WHERE kind = 1")
                .fetch_all(&db)
                .await
                .unwrap();
        assert!(live.is_empty());
    });
}

/// `POST /login` answers an access token and a refresh token;
/// `POST /token/refresh` rotates it (the old one dies; reusing it revokes
/// the family and answers 401); `GET /sessions` lists the user's own
/// sessions without a token; `SESSION_CAP` evicts the oldest;
/// `POST /logout` ends one family, `POST /logout/all` every one.
#[test]
fn refresh_tokens_logout_and_the_session_cap_over_real_http() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let base = start(loader_with(
            dir.path(),
            Some(JWT_SECRET),
            &[("RATE_LIMIT_PER_IP", "100000"), ("SESSION_CAP", "3")],
        ))
        .await;
        let access = token_for(&base, "rita").await;
        let login = || async {
            let r = post(
                &base,
                "/login",
                json!({"username": "rita", "password": PASSWORD}),
            )
            .await;
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["cache-control"], "no-store");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["token_type"], "Bearer");
            assert!(v["expires_in"].as_u64().unwrap() > 0);
            assert!(v["access_token"].as_str().unwrap().contains('.'));
            v["refresh_token"].as_str().unwrap().to_owned()
        };
        let r0 = login().await;
        assert!(r0.starts_with("rft_") && r0.len() == 47);

        // Rotation: a new pair; the old refresh token is dead, and its
        // reuse kills the new one too.
        let r = post(&base, "/token/refresh", json!({"refresh_token": r0})).await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        let r1 = v["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(r1, r0);
        let fresh_access = v["access_token"].as_str().unwrap().to_owned();
        let me = reqwest::Client::new()
            .get(format!("{base}/me"))
            .bearer_auth(&fresh_access)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
        let r = post(&base, "/token/refresh", json!({"refresh_token": r0})).await;
        assert_eq!(r.status(), 401);
        let body = r.text().await.unwrap();
        assert!(!body.contains(&r0[4..]));
        let r = post(&base, "/token/refresh", json!({"refresh_token": r1})).await;
        assert_eq!(r.status(), 401, "the family is revoked");
        for junk in [
            json!({}),
            json!({"refresh_token": "rft_short"}),
            json!({"refresh_token": 7}),
        ] {
            let s = post(&base, "/token/refresh", junk).await.status();
            assert!(s == 400 || s == 401 || s == 422, "{s}");
        }

        // The cap: four logins, three live; the list has no token.
        let mut tokens = Vec::new();
        for _ in 0..4 {
            tokens.push(login().await);
        }
        let list = |bearer: String| {
            let base = base.clone();
            async move {
                let r = reqwest::Client::new()
                    .get(format!("{base}/sessions"))
                    .bearer_auth(bearer)
                    .header("user-agent", "seckit-test")
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                r.text().await.unwrap()
            }
        };
        let text = list(access.clone()).await;
        let v: Value = serde_json::from_str(&text).unwrap();
        let sessions = v["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 3, "{v}");
        for s in sessions {
            assert_eq!(s["id_hint"].as_str().unwrap().len(), 12);
            assert!(s["created"].as_u64().unwrap() > 0);
            assert!(s["last_seen"].as_u64().unwrap() >= s["created"].as_u64().unwrap());
            assert!(s.get("label").is_some());
        }
        for t in &tokens {
            assert!(!text.contains(&t[4..]));
        }
        let r = post(&base, "/token/refresh", json!({"refresh_token": tokens[0]})).await;
        assert_eq!(r.status(), 401, "the oldest was evicted");
        let r = post(&base, "/token/refresh", json!({"refresh_token": tokens[1]})).await;
        assert_eq!(r.status(), 200);
        let rotated: Value = r.json().await.unwrap();

        // Logout: one family; then everywhere.
        let r = post(&base, "/logout", json!({"refresh_token": tokens[2]})).await;
        assert_eq!(r.status(), 204);
        let r = post(&base, "/token/refresh", json!({"refresh_token": tokens[2]})).await;
        assert_eq!(r.status(), 401);
        let v: Value = serde_json::from_str(&list(access.clone()).await).unwrap();
        assert_eq!(v["sessions"].as_array().unwrap().len(), 2);
        let r = reqwest::Client::new()
            .post(format!("{base}/logout/all"))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        for t in [&tokens[3], rotated["refresh_token"].as_str().unwrap()] {
            let r = post(&base, "/token/refresh", json!({"refresh_token": t})).await;
            assert_eq!(r.status(), 401);
        }
        let v: Value = serde_json::from_str(&list(access.clone()).await).unwrap();
        assert!(v["sessions"].as_array().unwrap().is_empty());
        // Without a Bearer token: 401.
        let r = reqwest::Client::new()
            .post(format!("{base}/logout/all"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    });
}
