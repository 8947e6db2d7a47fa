//! seckit's validators against other implementations' verdicts
//! (tests/fixtures/validate/generate.py: python-email-validator and
//! Werkzeug). seckit may be stricter than either, never looser.
#![cfg(feature = "validate")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::Path;

use seckit::validate::{Email, safe_join};
use serde_json::Value;

fn verdicts() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/validate/verdicts.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_address_seckit_accepts_email_validator_accepts_identically() {
    let doc = verdicts();
    let (mut both, mut only_them) = (0, Vec::new());
    for e in doc["emails"].as_array().unwrap() {
        let addr = e["address"].as_str().unwrap();
        match (Email::parse(addr), e["accepted"].as_bool().unwrap()) {
            (Ok(ours), true) => {
                let theirs = e["normalized"].as_str().unwrap();
                if theirs.is_ascii() {
                    assert_eq!(ours.as_str(), theirs, "{addr}");
                } else {
                    // email-validator shows an A-label domain in Unicode; seckit keeps xn--.
                    assert!(ours.domain().contains("xn--"), "{addr}");
                }
                both += 1;
            }
            (Ok(_), false) => panic!("seckit accepts {addr:?}, email-validator refuses it"),
            (Err(_), true) => only_them.push(addr.to_owned()),
            (Err(_), false) => {}
        }
    }
    assert!(both >= 20, "{both}");
    // What email-validator accepts and seckit refuses, by design: quoted
    // local parts, internationalized addresses, single-label and literal
    // domains (see Email's docs).
    for addr in &only_them {
        let designed =
            addr.starts_with('"') || !addr.is_ascii() || !addr.contains('.') || addr.contains('[');
        assert!(designed, "seckit refuses {addr:?} for no documented reason");
    }
}

#[test]
fn every_path_werkzeug_refuses_seckit_refuses() {
    let doc = verdicts();
    let root = Path::new("/srv/root");
    let mut stricter = 0;
    for p in doc["paths"].as_array().unwrap() {
        let path = p["path"].as_str().unwrap();
        let ours = safe_join(root, path);
        if !p["accepted"].as_bool().unwrap() {
            assert!(
                ours.is_err(),
                "Werkzeug refuses {path:?}, seckit accepts it"
            );
        } else if ours.is_err() {
            stricter += 1;
        }
    }
    // Backslashes, drive letters, device names, percent-encoding, dot and
    // empty components: refused here, passed by Werkzeug on POSIX.
    assert!(stricter >= 25, "{stricter}");
}
