//! The browser-facing defences proven in a real browser: headless Chromium
//! (Debian's `chromium`; `.ci/run` installs it), driven over the DevTools
//! protocol, against the example service on `http://127.0.0.1:A` while an
//! attacker page is served from `http://localhost:B` (another site, so the
//! browser sends real `Sec-Fetch-Site: cross-site` and `Origin` headers).
//!
//! Without Chromium the test prints one "skipped" line, and fails when
//! `SECKIT_REQUIRE_BROWSER` is set (as `.ci/run` sets it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

#[path = "../examples/web_service/app.rs"]
#[allow(dead_code)]
mod app;

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{Html, Response};
use axum::routing::get;
use seckit::config::Loader;
use seckit::envelope::PrivateKey;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

const JWT_SECRET: &str = "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE="; // test value
const PASSWORD: &str = "SENTINEL-correct-horse-battery-7";

/// (method, path, status, Sec-Fetch-Site) of every request the service saw.
type Seen = Arc<Mutex<Vec<(String, String, u16, String)>>>;

async fn record(State(seen): State<Seen>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let site = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let response = next.run(req).await;
    seen.lock()
        .unwrap()
        .push((method, path, response.status().as_u16(), site));
    response
}

async fn serve(router: axum::Router) -> SocketAddr {
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
    addr
}

/// The example service on 127.0.0.1:0, recording what it answered.
async fn start_service(dir: &std::path::Path, seen: Seen) -> SocketAddr {
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let mut loader = Loader::from_vars([
        ("DATABASE_URL", url.as_str()),
        ("BIND", "127.0.0.1:0"),
        ("JWT_SECRET", JWT_SECRET),
        ("JWT_SECRET_ENCODING", "base64"),
        ("RATE_LIMIT_PER_IP", "100000"),
    ]);
    let config = app::Config::from_loader(&mut loader).unwrap();
    let router = app::build(config, PrivateKey::generate().unwrap())
        .await
        .unwrap()
        .layer(middleware::from_fn_with_state(seen, record));
    serve(router).await
}

/// The attacker's site: a page that posts to the service with `fetch`
/// (credentials included) and frames it, one that auto-submits a form to
/// it, and a page of its own that can be framed (the control).
async fn start_attacker(service: SocketAddr) -> SocketAddr {
    let target = format!("http://{service}");
    let fetch_page = format!(
        r#"<!doctype html><title>attacker</title>
<iframe id="victim" src="{target}/"></iframe>
<iframe id="control" src="/framable"></iframe>
<script>
fetch("{target}/profile", {{
  method: "POST", mode: "no-cors", credentials: "include",
  headers: {{"content-type": "application/x-www-form-urlencoded"}},
  body: "display_name=pwned-by-fetch"
}}).then(() => {{ document.title = "fetch-sent"; }}, () => {{ document.title = "fetch-failed"; }});
</script>"#
    );
    let form_page = format!(
        r#"<!doctype html><title>attacker form</title>
<form id="f" method="post" action="{target}/profile">
<input name="display_name" value="pwned-by-form"></form>
<script>document.getElementById("f").submit();</script>"#
    );
    let router = axum::Router::new()
        .route("/fetch", get(move || async move { Html(fetch_page) }))
        .route("/form", get(move || async move { Html(form_page) }))
        .route(
            "/framable",
            get(|| async { Html("<!doctype html><title>framable</title><p>control</p>") }),
        );
    serve(router).await
}

/// Headless Chromium with its DevTools endpoint on a free loopback port.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    session: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn launch(binary: &str) -> Self {
        let profile = tempfile::tempdir().unwrap();
        // The flags of the machine notes: no sandbox as root, no GPU, and
        // none of the background connections a closed network refuses.
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("chromium printed no DevTools address within 30 s");
        let (ws, _) = tungstenite::connect(url.as_str()).unwrap();
        let mut browser = Self {
            child,
            _profile: profile,
            ws,
            next_id: 0,
            session: String::new(),
        };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_owned();
        browser.call("Page.enable", json!({}));
        browser
    }

    /// One DevTools command; its result (events in between are dropped).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.ws.send(Message::text(message.to_string())).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(Instant::now() < deadline, "{method}: no answer in 30 s");
            let Message::Text(text) = self.ws.read().unwrap() else {
                continue;
            };
            let reply: Value = serde_json::from_str(text.as_str()).unwrap();
            if reply["id"] == json!(id) {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the page.
    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        r["result"]["value"].clone()
    }

    /// Waits (at most 15 s) until `condition` is true in the page.
    fn wait_for(&mut self, condition: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.eval(&format!(
                "(() => {{ try {{ return !!({condition}); }} catch (e) {{ return false; }} }})()"
            )) == json!(true)
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let url = self.eval("location.href");
        let body = self.eval("document.documentElement.outerHTML");
        panic!("timed out waiting for {condition} at {url}: {body}");
    }

    fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for(&format!(
            "location.href.startsWith({}) && document.readyState === 'complete'",
            json!(url)
        ));
    }
}

fn chromium() -> Option<String> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_owned)
}

#[test]
fn csrf_csp_cookies_and_framing_in_headless_chromium() {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var_os("SECKIT_REQUIRE_BROWSER").is_none(),
            "SECKIT_REQUIRE_BROWSER is set but no chromium was found"
        );
        eprintln!("skipped: no chromium (apt-get install chromium)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let seen = Seen::default();
    let service = runtime.block_on(start_service(dir.path(), seen.clone()));
    let attacker = runtime.block_on(start_attacker(service)).port();
    let base = format!("http://{service}");
    let register = runtime.block_on(
        reqwest::Client::new()
            .post(format!("{base}/register"))
            .json(&json!({"username": "alice", "email": "alice@example.com", "password": PASSWORD}))
            .send(),
    );
    assert_eq!(register.unwrap().status(), 201);

    let mut b = Browser::launch(&binary);

    // The login page: the script with the nonce ran, the one without did not.
    b.goto(&format!("{base}/"));
    assert_eq!(
        b.eval("document.documentElement.dataset.nonced"),
        json!("ran")
    );
    assert_eq!(
        b.eval("document.documentElement.dataset.injected ?? 'blocked'"),
        json!("blocked")
    );

    // Log in through the form (its CSRF token bound to the anonymous cookie).
    b.eval(&format!(
        "document.querySelector('[name=username]').value = 'alice';
         document.querySelector('[name=password]').value = {};
         document.getElementById('login').submit(); true",
        json!(PASSWORD)
    ));
    b.wait_for("document.getElementById('who')");
    // Both cookies are HttpOnly: a script (or an XSS) reads none of them.
    let cookies = b.eval("document.cookie");
    assert_eq!(cookies, json!(""), "document.cookie = {cookies}");

    // The service's own form changes the profile.
    b.eval(
        "document.querySelector('[name=display_name]').value = 'Alice A';
         document.getElementById('profile').submit(); true",
    );
    b.wait_for("document.getElementById('display-name')?.textContent === 'Alice A'");

    // The attacker's fetch (credentials included) and framing attempt.
    b.goto(&format!("http://localhost:{attacker}/fetch"));
    b.wait_for("document.title === 'fetch-sent' || document.title === 'fetch-failed'");
    b.wait_for("document.getElementById('control').contentDocument?.title === 'framable'");
    std::thread::sleep(Duration::from_millis(500));
    let tree = b.call("Page.getFrameTree", json!({}));
    let frames: Vec<String> = tree["frameTree"]["childFrames"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|f| f["frame"]["url"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        frames.iter().any(|u| u.ends_with("/framable")),
        "the control frame loaded: {frames:?}"
    );
    assert!(
        !frames.iter().any(|u| u.starts_with(&base)),
        "the service must not load in the attacker's frame: {frames:?}"
    );

    // The attacker's auto-submitting form: the browser lands on a 403 (the
    // page submits itself at once, so wait for the landing, not the page).
    b.call(
        "Page.navigate",
        json!({"url": format!("http://localhost:{attacker}/form")}),
    );
    b.wait_for(&format!(
        "location.href.startsWith({})",
        json!(format!("{base}/profile"))
    ));
    b.wait_for("document.body && document.body.innerText.includes('forbidden')");

    // Nothing changed: the profile, read back through the API (from a blank
    // page first: the 403 page has the same address).
    b.goto("about:blank");
    b.goto(&format!("{base}/profile"));
    let profile: Value =
        serde_json::from_str(b.eval("document.body.innerText").as_str().unwrap()).unwrap();
    assert_eq!(profile["display_name"], "Alice A", "{profile}");

    // Log out through the page's form: the browser drops the cookie, and
    // the store has revoked it, so a copy taken before (here through the
    // DevTools protocol: the page itself cannot read it) is refused.
    let session_cookie = |b: &mut Browser| {
        let jar = b.call("Network.getCookies", json!({"urls": [base.clone()]}));
        jar["cookies"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == "__Host-session"))
            .and_then(|c| c["value"].as_str())
            .map(str::to_owned)
    };
    let session = session_cookie(&mut b).expect("the session cookie, before logout");
    b.goto(&format!("{base}/"));
    b.eval("document.getElementById('logout').submit(); true");
    b.wait_for("document.getElementById('login') !== null");
    assert_eq!(
        session_cookie(&mut b),
        None,
        "the browser kept the session cookie"
    );
    let replay = runtime.block_on(
        reqwest::Client::new()
            .get(format!("{base}/profile"))
            .header("cookie", format!("__Host-session={session}"))
            .send(),
    );
    assert_eq!(replay.unwrap().status(), 401);

    // What the service saw: two cross-site POSTs to /profile, both 403;
    // the same-origin ones 303.
    let seen = seen.lock().unwrap().clone();
    let posts: Vec<_> = seen
        .iter()
        .filter(|(m, p, _, _)| m == "POST" && p == "/profile")
        .collect();
    let cross: Vec<_> = posts
        .iter()
        .filter(|(_, _, _, s)| s == "cross-site")
        .collect();
    assert_eq!(cross.len(), 2, "{seen:?}");
    assert!(
        cross.iter().all(|(_, _, status, _)| *status == 403),
        "{seen:?}"
    );
    assert!(
        posts
            .iter()
            .any(|(_, _, status, site)| *status == 303 && site == "same-origin"),
        "{seen:?}"
    );
    for path in ["/session", "/session/logout"] {
        assert!(
            seen.iter().any(|(m, p, status, site)| m == "POST"
                && p == path
                && *status == 303
                && site == "same-origin"),
            "{path}: {seen:?}"
        );
    }
}
