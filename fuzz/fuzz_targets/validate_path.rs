//! `safe_join` and `Filename` on arbitrary input: what joins stays under the
//! root, made only of normal components.
#![no_main]

use std::path::{Component, Path};

use libfuzzer_sys::fuzz_target;
use seckit::validate::{Filename, safe_join};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let root = Path::new("/srv/root");
    if let Ok(p) = safe_join(root, input) {
        let rest = p.strip_prefix(root).expect("under root");
        assert!(rest.components().all(|c| matches!(c, Component::Normal(_))));
    }
    if let Ok(name) = Filename::parse(input) {
        assert!(safe_join(root, name.as_str()).is_ok() || name.as_str().contains('%'));
    }
});
