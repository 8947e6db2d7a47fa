//! Helpers shared by integration tests: audit-event capture and the test
//! Redis.
#![allow(dead_code, clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One audit event's fields, name and value.
pub(crate) type Fields = Vec<(String, String)>;

/// A tracing layer that keeps every `seckit::audit` event.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<Fields>>>);

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
        let mut fields = Fields::new();
        event.record(&mut Visitor(&mut fields));
        self.0.lock().unwrap().push(fields);
    }
}

impl Captured {
    /// The capture of this test binary, installed as the global
    /// subscriber on first use (per-thread subscribers miss events of
    /// other threads and race on callsite interest). Tests tell their own
    /// events apart by the addresses they use.
    pub(crate) fn global() -> Self {
        use tracing_subscriber::layer::SubscriberExt as _;
        static GLOBAL: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
        GLOBAL
            .get_or_init(|| {
                let c = Self::default();
                tracing::subscriber::set_global_default(
                    tracing_subscriber::registry().with(c.clone()),
                )
                .unwrap();
                c
            })
            .clone()
    }

    /// Events whose `source_ip` starts with `prefix`.
    pub(crate) fn by_ip(&self, prefix: &str) -> Self {
        let events = self
            .events()
            .into_iter()
            .filter(|e| field(e, "source_ip").is_some_and(|ip| ip.starts_with(prefix)))
            .collect();
        Self(Arc::new(Mutex::new(events)))
    }

    pub(crate) fn events(&self) -> Vec<Fields> {
        self.0.lock().unwrap().clone()
    }

    /// Events of `kind` (the `event` field).
    pub(crate) fn of(&self, kind: &str) -> Vec<Fields> {
        self.events()
            .into_iter()
            .filter(|e| field(e, "event").as_deref() == Some(kind))
            .collect()
    }

    /// Everything recorded, as text, for sentinel searches.
    pub(crate) fn text(&self) -> String {
        format!("{:?}", self.events())
    }
}

pub(crate) fn field(event: &[(String, String)], name: &str) -> Option<String> {
    event
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// The test Redis URL, or `None` locally (after one loud line). Under CI
/// (`SECKIT_CI=1`, set by .ci/run) a missing Redis fails the test.
pub(crate) fn redis_url() -> Option<String> {
    match std::env::var("SECKIT_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("SECKIT_CI").is_none(),
                "SECKIT_TEST_REDIS_URL is not set under CI: .ci/run starts redis-server and exports it"
            );
            eprintln!(
                "skipped: set SECKIT_TEST_REDIS_URL (bash .ci/run starts a redis-server) to run the Redis tests"
            );
            None
        }
    }
}

/// A `redis-server` of this test's own, on a free port, so it can be
/// killed and restarted.
pub(crate) struct OwnRedis {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl OwnRedis {
    pub(crate) fn start() -> Option<Self> {
        if Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_err()
        {
            assert!(
                std::env::var_os("SECKIT_CI").is_none(),
                "redis-server is not installed under CI"
            );
            eprintln!("skipped: install redis-server to run the fault test");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut r = Self {
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        r.restart();
        Some(r)
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub(crate) fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server did not start");
    }

    pub(crate) fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
