//! Session checks and refresh-token rotation on each store, beside the
//! least the same store can do for the same request, in one run:
//!
//! - memory: `validate` beside SHA-256 of the token and a lookup in a
//!   `Mutex<HashMap>` of records (the work without seckit's checks);
//! - SQLite (a file in a temporary directory, WAL): `validate` beside a raw
//!   `SELECT` of the same row by the same hash on the same pool; `refresh`
//!   beside a raw `BEGIN IMMEDIATE; UPDATE; COMMIT` of one row;
//! - Redis (when `SECKIT_TEST_REDIS_URL` is set): `validate` (one EVALSHA)
//!   beside one raw `GET`, and `refresh` beside one raw `SET` — a single
//!   round trip each, the floor.
//!
//! Run with `SECKIT_TEST_REDIS_URL=redis://127.0.0.1:6379/ cargo bench
//! --bench session --features session,redis`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)] // bench scaffolding fails loudly

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Mutex;

use criterion::{Criterion, criterion_group};
use seckit::SecretString;
use seckit::session::{NewSession, SessionConfig, SessionManager, SessionStore};
use seckit::store::Redis;
use sha2::{Digest, Sha256};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn manager(store: SessionStore) -> SessionManager {
    SessionManager::new(store, SessionConfig::new()).unwrap()
}

/// `validate` and `refresh` on `m`, named `store`.
fn ours(c: &mut Criterion, rt: &tokio::runtime::Runtime, m: &SessionManager, store: &str) {
    let session = rt
        .block_on(m.create("bench-user", NewSession::session()))
        .unwrap();
    let sid = session.token().expose_secret().clone();
    let mut g = c.benchmark_group(format!("session on {store}"));
    g.bench_function("seckit validate", |b| {
        b.iter(|| black_box(rt.block_on(m.validate(&sid)).unwrap().user().len()));
    });
    let family = rt
        .block_on(m.create("bench-user", NewSession::refresh()))
        .unwrap();
    let mut token = family.token().expose_secret().clone();
    g.bench_function("seckit refresh (rotate, retire the old)", |b| {
        b.iter(|| {
            let next = rt.block_on(m.refresh(&token)).unwrap();
            token = next.token().expose_secret().clone();
        });
    });
    g.finish();
}

fn memory(c: &mut Criterion) {
    let rt = runtime();
    let m = manager(SessionStore::memory(10_000_000).unwrap());
    ours(c, &rt, &m, "memory");
    // The peer: hash the presented token, find the record under a mutex.
    let token = seckit::random::secret(32).unwrap();
    let key: [u8; 32] = Sha256::digest(token.expose_secret().as_bytes()).into();
    let map = Mutex::new(HashMap::from([(key, ("bench-user".to_owned(), 0u64))]));
    let mut g = c.benchmark_group("session on memory");
    // Inside `block_on` like seckit's calls, so the runtime's cost is on
    // both sides.
    g.bench_function("raw SHA-256 + Mutex<HashMap> get", |b| {
        b.iter(|| {
            rt.block_on(async {
                let h: [u8; 32] =
                    Sha256::digest(black_box(token.expose_secret()).as_bytes()).into();
                black_box(map.lock().unwrap().get(&h).map(|r| r.0.clone()))
            })
        });
    });
    g.finish();
}

fn sqlite(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let m = manager(rt.block_on(SessionStore::sqlite_file(&path)).unwrap());
    ours(c, &rt, &m, "sqlite");
    // The peers, on a pool of their own on the same file and table.
    let pool = rt
        .block_on(sqlx::SqlitePool::connect(&format!(
            "sqlite://{}",
            path.display()
        )))
        .unwrap();
    let hash: Vec<u8> = rt
        .block_on(
            sqlx::query_scalar("SELECT token_hash FROM seckit_sessions LIMIT 1").fetch_one(&pool),
        )
        .unwrap();
    let mut g = c.benchmark_group("session on sqlite");
    g.bench_function("raw sqlx SELECT by token hash", |b| {
        b.iter(|| {
            let row: (String, i64) = rt
                .block_on(
                    sqlx::query_as(
                        "SELECT user_id, idle_deadline FROM seckit_sessions WHERE token_hash = ?",
                    )
                    .bind(&hash)
                    .fetch_one(&pool),
                )
                .unwrap();
            black_box(row)
        });
    });
    g.bench_function("raw sqlx BEGIN IMMEDIATE; UPDATE; COMMIT", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
                sqlx::query(
                    "UPDATE seckit_sessions SET last_seen = last_seen + 1 WHERE token_hash = ?",
                )
                .bind(&hash)
                .execute(&mut *tx)
                .await
                .unwrap();
                tx.commit().await.unwrap();
            });
        });
    });
    g.finish();
}

fn redis_store(c: &mut Criterion) {
    let Ok(url) = std::env::var("SECKIT_TEST_REDIS_URL") else {
        println!("skipped Redis benches: set SECKIT_TEST_REDIS_URL");
        return;
    };
    let rt = runtime();
    let redis = rt
        .block_on(Redis::connect(&SecretString::from(url), "benchsession"))
        .unwrap();
    let m = manager(SessionStore::redis(&redis));
    ours(c, &rt, &m, "redis");
    let mut conn = redis.connection();
    rt.block_on(
        redis::cmd("SET")
            .arg("benchsession:raw")
            .arg("a-handle-of-22-chars-x")
            .query_async::<()>(&mut conn),
    )
    .unwrap();
    let mut g = c.benchmark_group("session on redis");
    g.bench_function("raw GET (one round trip)", |b| {
        b.iter(|| {
            let v: Option<String> = rt
                .block_on(
                    redis::cmd("GET")
                        .arg("benchsession:raw")
                        .query_async(&mut conn),
                )
                .unwrap();
            black_box(v)
        });
    });
    g.bench_function("raw SET (one round trip)", |b| {
        b.iter(|| {
            rt.block_on(
                redis::cmd("SET")
                    .arg("benchsession:raw")
                    .arg("a-handle-of-22-chars-y")
                    .query_async::<()>(&mut conn),
            )
            .unwrap();
        });
    });
    g.finish();
}

criterion_group!(benches, memory, sqlite, redis_store);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
