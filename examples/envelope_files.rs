//! Files encrypted to a public key: generate a key pair, seal a file so that
//! only the private key opens it, open it into place atomically, then rotate
//! to a new key without re-encrypting the data.
//!
//! Run it with `cargo run --release --example envelope_files` (key
//! generation is slow in debug builds). Everything happens in a temporary
//! directory.

#![allow(clippy::print_stdout)] // printing is this example's job

use std::fs::File;
use std::io::BufWriter;

use seckit::envelope::{self, Keyring, PrivateKey, to_armor};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("seckit-envelope-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    println!("1. Key pair (3072 bits here to keep the example quick; 4096 is the default):");
    let key_2026 = PrivateKey::generate_bits(3072)?;
    let public = key_2026.public_key().clone();
    println!("  key id {}", public.key_id());
    println!(
        "  public key PEM is {} bytes; write the private key only to a 0600 file, or encrypted",
        public.to_pem()?.len()
    );

    println!("2. Seal a file (anyone holding the public key can do this):");
    let plain = dir.join("customers.csv");
    std::fs::write(&plain, "id,name\n1,Ada\n2,Grace\n".repeat(10_000))?;
    let sealed = dir.join("customers.csv.sk");
    let ad = b"customers.csv"; // bound to the name: the envelope will not open as another file
    envelope::seal_stream(
        &[&public],
        File::open(&plain)?,
        BufWriter::new(File::create(&sealed)?),
        ad,
    )?;
    println!(
        "  {} bytes -> {} bytes sealed",
        std::fs::metadata(&plain)?.len(),
        std::fs::metadata(&sealed)?.len()
    );

    println!("3. Open it into place: the output exists only if everything authenticated:");
    let keyring = Keyring::from(key_2026.clone());
    let restored = dir.join("restored.csv");
    let n = envelope::open_file(&keyring, &sealed, &restored, ad)?;
    println!(
        "  {n} bytes restored, identical: {}",
        std::fs::read(&plain)? == std::fs::read(&restored)?
    );
    match envelope::open_file(&keyring, &sealed, &dir.join("wrong.csv"), b"other.csv") {
        Ok(_) => println!("  unexpected: opened under the wrong name"),
        Err(e) => println!("  as another file: {} ({})", e.public_message(), e),
    }

    println!("4. Rotate: move the envelope to a new key; the payload bytes are not touched:");
    let key_2027 = PrivateKey::generate_bits(3072)?;
    let bytes = std::fs::read(&sealed)?;
    let moved = envelope::rewrap(&keyring, &bytes, &[key_2027.public_key()], ad)?;
    let mut both = Keyring::new();
    both.add(key_2027)?; // current
    both.add(key_2026)?; // retired, kept for anything not yet rewrapped
    println!(
        "  rewrapped opens: {}",
        envelope::open(&both, &moved, ad).is_ok()
    );

    println!("5. Small secrets as text, for a ticket or a config file:");
    let token = envelope::seal(&[&public], b"db password: sample-only", b"")?;
    let armored = to_armor(&token);
    println!(
        "{}",
        armored.lines().take(2).collect::<Vec<_>>().join("\n  ")
    );

    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
