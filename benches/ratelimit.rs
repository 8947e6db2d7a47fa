//! Rate-limit decisions beside the peers doing the same work, in one run:
//!
//! - in process: `LocalLimiter::check` beside `governor`'s keyed
//!   (`DashMap`) `check_key`, same keys (1024 of them, rotating), same
//!   quota;
//! - Redis (when `SECKIT_TEST_REDIS_URL` is set): `RateLimiter::check`
//!   beside a raw EVALSHA of the same script with the same arguments on the
//!   same multiplexed connection, one call at a time, and decisions per
//!   second with 64 tasks on that one connection;
//! - memory per tracked key, from the process's resident set.
//!
//! Run with `SECKIT_TEST_REDIS_URL=redis://127.0.0.1:6379/ cargo bench
//! --bench ratelimit --features ratelimit,redis`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::as_conversions,
    clippy::cast_precision_loss,
    missing_docs
)] // bench scaffolding fails loudly

use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use seckit::SecretString;
use seckit::ratelimit::{FailMode, Key, Policy, Quota};
use seckit::store::Redis;

const KEYS: usize = 1024;

fn keys() -> Vec<Key> {
    (0..KEYS)
        .map(|i| Key::account(&format!("bench-{i}")).unwrap())
        .collect()
}

fn in_process(c: &mut Criterion) {
    let keys = keys();
    let quota = Quota::per_second(100_000).unwrap();
    let ours = Policy::new("bench", quota).unwrap().local();
    let theirs = governor::RateLimiter::dashmap(governor::Quota::per_second(
        NonZeroU32::new(100_000).unwrap(),
    ));
    let mut g = c.benchmark_group("ratelimit in process, 1024 keys");
    let mut i = 0usize;
    g.bench_function("seckit LocalLimiter::check", |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            black_box(ours.check(&keys[i]).is_allowed())
        });
    });
    let mut j = 0usize;
    g.bench_function("governor keyed check_key", |b| {
        b.iter(|| {
            j = (j + 1) % KEYS;
            black_box(theirs.check_key(&keys[j]).is_ok())
        });
    });
    g.finish();
    interleaved_in_process(&keys, &ours, &theirs);
}

/// Alternating rounds of 100 000 decisions each, 31 pairs: the median of
/// the per-pair ratios, so the VM's drift hits both contenders alike.
fn interleaved_in_process(
    keys: &[Key],
    ours: &seckit::ratelimit::LocalLimiter,
    theirs: &governor::DefaultKeyedRateLimiter<Key>,
) {
    let mut ratios = Vec::new();
    let (mut a, mut b) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..31 {
        let t = Instant::now();
        for n in 0..100_000 {
            black_box(ours.check(&keys[n % KEYS]).is_allowed());
        }
        let ta = t.elapsed();
        let t = Instant::now();
        for n in 0..100_000 {
            black_box(theirs.check_key(&keys[n % KEYS]).is_ok());
        }
        let tb = t.elapsed();
        ratios.push(ta.as_secs_f64() / tb.as_secs_f64());
        a += ta;
        b += tb;
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "interleaved in process: seckit {:.1} ns, governor {:.1} ns per decision, median ratio {:.2} (quartiles {:.2}..{:.2})",
        a.as_nanos() as f64 / 3.1e6,
        b.as_nanos() as f64 / 3.1e6,
        ratios[15],
        ratios[7],
        ratios[23]
    );
}

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = s.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4
}

fn memory_per_key(_: &mut Criterion) {
    let n = 1_000_000;
    let limiter = Policy::new("mem", Quota::per_hour(10).unwrap())
        .unwrap()
        .max_keys(n)
        .unwrap()
        .local();
    let keys: Vec<Key> = (0..n)
        .map(|i| Key::builder().part(&i.to_string()).unwrap().build())
        .collect();
    let before = rss_kib();
    for k in &keys {
        let _ = limiter.check(k);
    }
    let after = rss_kib();
    println!(
        "memory: {} keys tracked, {:.0} bytes per key (resident set {} -> {} KiB)",
        limiter.len(),
        (after - before) as f64 * 1024.0 / limiter.len() as f64,
        before,
        after
    );
}

fn shared(c: &mut Criterion) {
    let Ok(url) = std::env::var("SECKIT_TEST_REDIS_URL") else {
        println!("skipped Redis benches: set SECKIT_TEST_REDIS_URL");
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let redis = rt
        .block_on(Redis::connect(&SecretString::from(url.as_str()), "bench"))
        .unwrap()
        .with_timeout(Duration::from_secs(1));
    let quota = Quota::per_second(100_000).unwrap();
    let limiter = Policy::new("bench", quota)
        .unwrap()
        .shared(&redis, FailMode::Closed);
    let script = redis::Script::new(include_str!("../src/ratelimit/gcra.lua"));
    let keys = keys();
    // The same arguments seckit sends for this quota: hit, T = 10 µs,
    // τ = T·(burst − 1), no ban.
    let t = 10u64;
    let args = [0, t, t * 99_999, 0, 1, 0, 0, 0, 0, 0];
    let raw_keys: Vec<String> = (0..KEYS).map(|i| format!("bench:raw:{i:043}")).collect();
    let mut conn = redis.connection();
    let raw = |conn: &mut redis::aio::ConnectionManager, i: usize| {
        let mut inv = script.key(&raw_keys[i]);
        for a in args {
            inv.arg(a);
        }
        let mut conn = conn.clone();
        async move { inv.invoke_async::<Vec<u64>>(&mut conn).await.unwrap() }
    };
    let mut g = c.benchmark_group("ratelimit on redis, one call at a time");
    let mut i = 0usize;
    g.bench_function("seckit RateLimiter::check", |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            rt.block_on(limiter.check(&keys[i])).is_allowed()
        });
    });
    let mut j = 0usize;
    g.bench_function("raw EVALSHA, same script", |b| {
        b.iter(|| {
            j = (j + 1) % KEYS;
            rt.block_on(raw(&mut conn, j))
        });
    });
    g.finish();

    // Interleaved rounds, and throughput with 64 tasks.
    let (mut a, mut b) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..10 {
        let t0 = Instant::now();
        rt.block_on(async {
            for n in 0..2000 {
                black_box(limiter.check(&keys[n % KEYS]).await.is_allowed());
            }
        });
        a += t0.elapsed();
        let t0 = Instant::now();
        rt.block_on(async {
            for n in 0..2000 {
                black_box(raw(&mut conn, n % KEYS).await);
            }
        });
        b += t0.elapsed();
    }
    println!(
        "interleaved redis: seckit {:.1} µs, raw EVALSHA {:.1} µs per decision, ratio {:.2}",
        a.as_secs_f64() * 1e6 / 20_000.0,
        b.as_secs_f64() * 1e6 / 20_000.0,
        a.as_secs_f64() / b.as_secs_f64()
    );
    let total = 64 * 2000;
    let t0 = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..64)
            .map(|n| {
                let limiter = limiter.clone();
                let keys = keys.clone();
                tokio::spawn(async move {
                    for m in 0..2000 {
                        black_box(limiter.check(&keys[(n * 16 + m) % KEYS]).await.is_allowed());
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "redis throughput: {total} decisions by 64 tasks on one connection in {secs:.2} s = {:.0} per second",
        f64::from(total) / secs
    );
}

criterion_group!(benches, in_process, shared, memory_per_key);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
