//! Streaming figures of the code before issue 15.
use seckit::SecretString;
use seckit::envelope::{self, Keyring, PrivateKey, Sealer};
use std::hint::black_box;
use std::io::Write as _;
use std::time::Instant;
fn median(mut f: impl FnMut(), rounds: usize) -> f64 {
    f();
    let mut t: Vec<f64> = (0..rounds)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[t.len() / 2] * 1e3
}
fn main() {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/envelope/rsa3072-private.pem"
    ))
    .unwrap();
    let private = PrivateKey::from_pem(&SecretString::from(pem), None).unwrap();
    let public = private.public_key().clone();
    let ring = Keyring::from(private);
    for (size, rounds) in [(64usize << 20, 21), (1 << 30, 5)] {
        let pt = vec![0x42u8; size];
        let sealed = envelope::seal(&[&public], &pt, b"").unwrap();
        let s = median(
            || {
                let mut s = Sealer::new(&[&public], std::io::sink(), b"").unwrap();
                s.write_all(black_box(&pt)).unwrap();
                s.finish().unwrap();
            },
            rounds,
        );
        let o = median(
            || {
                envelope::open_stream(&ring, black_box(&sealed[..]), std::io::sink(), b"").unwrap();
            },
            rounds,
        );
        println!(
            "before issue 15, {} MiB: seal stream {s:.2} ms, open stream {o:.2} ms",
            size >> 20
        );
    }
}
