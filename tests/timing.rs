//! Statistical timing smoke checks, dudect style (Reparaz, Balasch,
//! Verbauwhede, "Dude, is my code constant time?", 2016): two classes of
//! input, many samples taken in random interleaved order, and Welch's t-test
//! on the two timing distributions, also after cropping the slow tail at
//! several percentiles. A large |t| is evidence that the time depends on the
//! class; a small one is not proof of constant time, only the absence of
//! evidence at this sample size.
//!
//! What is compared: each check times a secret comparison that *fails* in
//! both classes, with the mismatch in the first byte (class A) or in the last
//! byte (class B; byte 29 of 32 for the JWT check, which explains why). An early-exit comparison is fast for A and slow for B; a
//! constant-time one cannot tell them apart. (Timing a match against a
//! mismatch would measure the success path's extra work, which the caller
//! learns anyway.) A positive control, an early-exit comparison, proves the
//! harness can see a leak on this machine.
//!
//! Ignored by default (timing is noisy and takes a minute); run with
//!
//! ```sh
//! cargo test --release --all-features --test timing -- --ignored --nocapture --test-threads 1
//! ```
//!
//! Results are recorded in docs/constant-time.md.

#![cfg(all(feature = "password", feature = "jwt"))]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)] // test scaffolding fails loudly
#![allow(clippy::print_stdout)] // the figures are the output

use std::hint::black_box;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use seckit::jwt::{Algorithm, Issuer, SigningKey, Verifier};
use seckit::password::PasswordHasher;
use seckit::random::ApiKeyHash;
use seckit::{SecretBytes, SecretString};

/// dudect's "definitely not constant time" threshold; 4.5 is the usual
/// first warning (TVLA). Shared VMs produce occasional |t| of 5–8 from
/// scheduling noise alone, so the failing bar is the higher one.
const FAIL_T: f64 = 10.0;

/// Running mean and variance (Welford).
#[derive(Default, Clone, Copy)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        let delta = x - self.mean;
        self.mean += delta / self.n;
        self.m2 += delta * (x - self.mean);
    }

    fn variance(&self) -> f64 {
        if self.n < 2.0 {
            0.0
        } else {
            self.m2 / (self.n - 1.0)
        }
    }
}

/// Welch's t statistic between two samples.
fn welch_t(a: &Moments, b: &Moments) -> f64 {
    let se = (a.variance() / a.n + b.variance() / b.n).sqrt();
    if se == 0.0 {
        0.0
    } else {
        (a.mean - b.mean) / se
    }
}

struct Outcome {
    samples: usize,
    /// |t| without cropping, and the largest |t| over all crops.
    t_full: f64,
    t_max: f64,
    /// Mean time per call of each class, in nanoseconds.
    mean_a: f64,
    mean_b: f64,
}

/// Takes `samples` timings of `op` on the input of a class chosen at
/// random (class A is `inputs[0]`, class B `inputs[1]`), each timing
/// covering `batch` calls (so short operations rise well above the clock's
/// resolution), drops the first tenth as warm-up, and returns the t
/// statistics.
///
/// Before each timing the chosen input is copied, untimed, into one slot
/// that keeps its address, so both classes run on the same memory: inputs
/// at two addresses can differ by a few nanoseconds through alignment alone,
/// which a million samples turn into a false alarm.
fn measure<T: Clone>(
    samples: usize,
    batch: u32,
    inputs: [&T; 2],
    mut op: impl FnMut(&T),
) -> Outcome {
    // Random class order, from the OS generator in secret-sized pieces.
    let mut coins = Vec::with_capacity(samples.div_ceil(8) + 64);
    while coins.len() * 8 < samples {
        coins.extend_from_slice(seckit::random::secret_bytes(64).unwrap().expose_secret());
    }
    let mut times: Vec<(bool, f64)> = Vec::with_capacity(samples);
    let mut slot = inputs[0].clone();
    for i in 0..samples {
        let class = (coins[i / 8] >> (i % 8)) & 1 == 1;
        slot.clone_from(inputs[usize::from(class)]);
        let start = Instant::now();
        for _ in 0..batch {
            op(black_box(&slot));
        }
        let elapsed = start.elapsed().as_secs_f64() * 1e9 / f64::from(batch);
        times.push((class, elapsed));
    }
    let times = &times[samples / 10..];

    let mut sorted: Vec<f64> = times.iter().map(|&(_, t)| t).collect();
    sorted.sort_by(f64::total_cmp);
    // No crop, then keep everything under these percentiles (dudect crops
    // too, since the slow tail is mostly interrupts and migrations).
    let mut crops = vec![f64::INFINITY];
    for percent in [99, 95, 90, 75, 50] {
        crops.push(sorted[(sorted.len() - 1) * percent / 100]);
    }
    let mut t_full = 0.0;
    let mut t_max: f64 = 0.0;
    let mut means = (0.0, 0.0);
    for (i, &limit) in crops.iter().enumerate() {
        let (mut a, mut b) = (Moments::default(), Moments::default());
        for &(class, t) in times {
            if t <= limit {
                if class { b.push(t) } else { a.push(t) }
            }
        }
        let t = welch_t(&a, &b).abs();
        if i == 0 {
            t_full = t;
            means = (a.mean, b.mean);
        }
        t_max = t_max.max(t);
    }
    Outcome {
        samples: times.len(),
        t_full,
        t_max,
        mean_a: means.0,
        mean_b: means.1,
    }
}

fn report(name: &str, o: &Outcome) {
    println!(
        "timing: {name}: {} samples, mean {:.0} ns (class A) vs {:.0} ns (class B), |t| {:.2} uncropped, max |t| {:.2} over crops",
        o.samples, o.mean_a, o.mean_b, o.t_full, o.t_max
    );
}

fn assert_no_leak(name: &str, o: &Outcome) {
    report(name, o);
    assert!(
        o.t_max < FAIL_T,
        "{name}: max |t| = {:.2} ≥ {FAIL_T}",
        o.t_max
    );
}

/// Flips one bit of byte `at` (negative: from the end).
fn flip(bytes: &[u8], at: isize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let i = if at < 0 {
        out.len() - at.unsigned_abs()
    } else {
        at.unsigned_abs()
    };
    out[i] ^= 0x01;
    out
}

/// The harness must see an early-exit comparison leak, or its silence about
/// the real checks means nothing.
#[test]
#[ignore = "timing: run with --release --ignored"]
fn positive_control_early_exit_compare_is_detected() {
    let secret = vec![0x5au8; 512];
    let first = flip(&secret, 0);
    let last = flip(&secret, -1);
    let early_exit = |a: &[u8], b: &[u8]| {
        for (x, y) in a.iter().zip(b) {
            if black_box(x) != black_box(y) {
                return false;
            }
        }
        true
    };
    let o = measure(1_000_000, 4, [&first, &last], |presented| {
        black_box(early_exit(presented, black_box(&secret)));
    });
    report("control: early-exit compare, 512 bytes", &o);
    assert!(
        o.t_max > FAIL_T,
        "the harness did not detect a known leak: {:.2}",
        o.t_max
    );
}

/// `ApiKeyHash` equality, the comparison inside `ApiKey::verify`.
#[test]
#[ignore = "timing: run with --release --ignored"]
fn api_key_hash_compare_is_constant_time() {
    let stored = ApiKeyHash::of("sk_live_8f2kQ9xZr4TmB7wLc3VnH6pYd1sJe5Ga").unwrap();
    let first = ApiKeyHash::from_bytes(flip(stored.as_bytes(), 0).try_into().unwrap());
    let last = ApiKeyHash::from_bytes(flip(stored.as_bytes(), -1).try_into().unwrap());
    let o = measure(2_000_000, 16, [&first, &last], |presented| {
        black_box(presented == black_box(&stored));
    });
    assert_no_leak("ApiKeyHash ==", &o);
}

/// `Secret` equality (`SecretBytes == SecretBytes`), 32 bytes.
#[test]
#[ignore = "timing: run with --release --ignored"]
fn secret_compare_is_constant_time() {
    let stored = SecretBytes::from(vec![0xa7u8; 32]);
    let first = SecretBytes::from(flip(stored.expose_secret(), 0));
    let last = SecretBytes::from(flip(stored.expose_secret(), -1));
    let o = measure(2_000_000, 16, [&first, &last], |presented| {
        black_box(presented == black_box(&stored));
    });
    assert_no_leak("SecretBytes ==", &o);
}

/// An HS256 JWT whose signature is wrong in its first byte or in byte 29
/// of 32: the whole `Verifier::verify_at` call, so everything before the
/// signature check (shape, header, key lookup, base64) is timed too.
///
/// Why not the last byte: bytes 30 and 31 are the last three base64url
/// characters, which the `base64` crate decodes on a separate, slower path,
/// so changing them moves the time by a fraction of a nanosecond whatever
/// the comparison does. That depends only on the characters the client
/// sent, which it knows already; it says nothing about the key. Measured
/// while building this check (75th-percentile crop, 900,000 samples):
/// byte 29 vs byte 30, |t| = 8.2; byte 0 vs byte 31, |t| = 13 to 20; byte 0
/// vs byte 29 and byte 30 vs byte 31, |t| ≤ 2.
#[test]
#[ignore = "timing: run with --release --ignored"]
fn hmac_jwt_signature_check_is_constant_time() {
    let secret = SecretBytes::from(b"kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD".to_vec());
    let key = SigningKey::hmac(Algorithm::HS256, &secret).unwrap();
    let verifier = Verifier::new(key.verifying_key())
        .ignore_issuer()
        .ignore_audience();
    let now = 1_700_000_000;
    let token = Issuer::new(key)
        .issue_at(Some("user-1"), &serde_json::json!({"role": "reader"}), now)
        .unwrap();
    let (signed, sig) = token.rsplit_once('.').unwrap();
    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    let with = |at| format!("{signed}.{}", URL_SAFE_NO_PAD.encode(flip(&sig, at)));
    let (first, last) = (with(0), with(29));
    assert!(
        verifier
            .verify_at::<serde_json::Value>(&first, now + 1)
            .is_err()
    );
    assert!(
        verifier
            .verify_at::<serde_json::Value>(&last, now + 1)
            .is_err()
    );
    let o = measure(1_000_000, 4, [&first, &last], |token| {
        black_box(verifier.verify_at::<serde_json::Value>(token, now + 1)).ok();
    });
    assert_no_leak(
        "HS256 Verifier::verify_at, bad signature (byte 0 vs 29)",
        &o,
    );
}

/// A stored Argon2id hash whose tag is wrong in its first or its last byte,
/// verified through `PasswordHasher::verify`. Cheap parameters (m = 64 KiB,
/// t = 1) keep the sample count high; the comparison is the same code at
/// any cost. The hash is written as a PHC string by hand so its tag can be
/// edited.
#[test]
#[ignore = "timing: run with --release --ignored"]
fn password_tag_compare_is_constant_time() {
    let password = SecretString::from("correct horse battery staple");
    let salt = *b"timing-smoke-slt";
    let params = argon2::Params::new(64, 1, 1, Some(32)).unwrap();
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut tag = [0u8; 32];
    argon
        .hash_password_into(password.expose_secret().as_bytes(), &salt, &mut tag)
        .unwrap();
    let phc = |tag: &[u8]| {
        format!(
            "$argon2id$v=19$m=64,t=1,p=1${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(tag)
        )
    };
    let hasher = PasswordHasher::new();
    hasher.verify(&password, &phc(&tag)).unwrap(); // the unedited hash verifies
    let (first, last) = (phc(&flip(&tag, 0)), phc(&flip(&tag, -1)));
    assert!(hasher.verify(&password, &first).is_err());
    assert!(hasher.verify(&password, &last).is_err());
    let o = measure(100_000, 1, [&first, &last], |stored| {
        black_box(hasher.verify(&password, stored)).ok();
    });
    assert_no_leak("PasswordHasher::verify (Argon2id), bad tag", &o);
}

/// The same for bcrypt (cost 4, the format's minimum), whose comparison is
/// the `bcrypt` crate's `subtle` one.
#[test]
#[ignore = "timing: run with --release --ignored"]
fn bcrypt_compare_is_constant_time() {
    let password = SecretString::from("correct horse battery staple");
    let stored = bcrypt::hash(password.expose_secret(), 4).unwrap();
    // The last 31 characters are the hash, in bcrypt's own base64; change
    // its first or its last character (the last one's low bits are unused,
    // so change a middle one of the final group instead).
    let edit = |at: usize| {
        let mut s = stored.clone().into_bytes();
        s[at] = if s[at] == b'.' { b'/' } else { b'.' };
        String::from_utf8(s).unwrap()
    };
    let (first, last) = (edit(stored.len() - 31), edit(stored.len() - 3));
    let hasher = PasswordHasher::new();
    assert!(hasher.verify(&password, &first).is_err());
    assert!(hasher.verify(&password, &last).is_err());
    let o = measure(20_000, 1, [&first, &last], |stored| {
        black_box(hasher.verify(&password, stored)).ok();
    });
    assert_no_leak("PasswordHasher::verify (bcrypt cost 4), bad hash", &o);
}
