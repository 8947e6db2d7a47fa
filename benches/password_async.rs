//! Peak memory of `AsyncHasher` under load: 200 concurrent verifications
//! on a runtime of 2 workers, with the default Argon2id parameters (19 MiB,
//! t=2). Prints the process's peak RSS (`VmHWM`) beside the bound the docs
//! state, `workers × memory cost + 32 MiB`, and the same load run through
//! `tokio::task::spawn_blocking` (unbounded: its pool grows to 512
//! threads, each keeping a buffer) in a child process for comparison.
//!
//! Run with `cargo bench --bench password_async --features tokio` (Linux:
//! reads /proc/self/status).

#![allow(clippy::unwrap_used, missing_docs, clippy::print_stdout)]

use std::time::Instant;

use seckit::SecretString;
use seckit::password::{AsyncHasher, PasswordHasher};

const REQUESTS: usize = 200;

fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    // `cargo bench` passes `--bench`; a child run is told its mode.
    let mode = std::env::var("SECKIT_BENCH_MODE").unwrap_or_default();
    let workers: u64 = 2;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let hasher = PasswordHasher::new();
    let password = SecretString::from("correct horse battery staple");
    let stored = hasher.hash(&password).unwrap();
    let before = peak_kib();
    let start = Instant::now();
    let (ok, busy) = rt.block_on(async {
        let mut tasks = Vec::new();
        if mode == "spawn_blocking" {
            let hasher = std::sync::Arc::new(hasher);
            for _ in 0..REQUESTS {
                let (h, p, s) = (hasher.clone(), password.clone(), stored.clone());
                tasks.push(tokio::spawn(async move {
                    tokio::task::spawn_blocking(move || h.verify(&p, &s))
                        .await
                        .unwrap()
                }));
            }
        } else {
            // Queue sized for the whole burst, to measure memory with every
            // request served (the default queue would refuse some with 503).
            let pool = AsyncHasher::with_limits(hasher, 2, REQUESTS).unwrap();
            for _ in 0..REQUESTS {
                let (h, p, s) = (pool.clone(), password.clone(), stored.clone());
                tasks.push(tokio::spawn(async move { h.verify(&p, &s).await }));
            }
        }
        let mut ok = 0;
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => ok += 1,
                Err(_) => busy += 1,
            }
        }
        (ok, busy)
    });
    let elapsed = start.elapsed();
    let peak = peak_kib();
    let bound = workers * 19 * 1024 + 32 * 1024;
    let label = if mode.is_empty() {
        "AsyncHasher(2 workers)"
    } else {
        mode.as_str()
    };
    println!(
        "{label}: {REQUESTS} concurrent verifies in {:.2} s, {ok} ok, {busy} refused; peak RSS {} KiB (before load {} KiB); bound workers x 19 MiB + 32 MiB = {bound} KiB",
        elapsed.as_secs_f64(),
        peak,
        before
    );
    if mode.is_empty() {
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .env("SECKIT_BENCH_MODE", "spawn_blocking")
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&child.stdout));
    }
}
