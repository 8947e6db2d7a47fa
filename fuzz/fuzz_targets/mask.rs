//! `seckit::mask` on arbitrary text: never panics, never grows without bound,
//! and never returns a password it was shown in a URL's userinfo, a
//! connection string or a libpq DSN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seckit::mask;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let url = mask::url(input);
    // Growth comes only from "***" replacing a shorter (even empty) value:
    // at most once per parameter or property (each has a separator or an
    // `=`) and once for the userinfo.
    let slots = input.matches(['&', ';', '=']).count() + 3;
    assert!(url.len() <= input.len() + 3 * slots, "{input:?} -> {url:?}");
    let _ = mask::token(input);
    let _ = mask::is_secret_key(input);
    let _ = mask::value("DATABASE_URL", input);

    // Wrap the input as a password: whatever it contains, the marker that
    // starts it must not come back.
    for dsn in [
        format!("postgres://app:Zq{input}@db.internal:5432/app"),
        format!("app:Zq{input}@db.internal:5432/app"),
        // A userinfo with no password is masked whole; with one, the user
        // part is shown by design, so only colon-free input applies here.
        if input.contains(':') {
            String::new()
        } else {
            format!("https://Zq{input}@git.example/repo")
        },
        // Connection strings and libpq DSNs with the input quoted as the
        // password (issue 13, item 2).
        format!(
            "Server=db;User Id=sa;Password={{Zq{}}};Encrypt=yes",
            input.replace('}', "}}")
        ),
        format!(
            "host=db user=app password='Zq{}' sslmode=require",
            input.replace('\\', "\\\\").replace('\'', "\\'")
        ),
    ] {
        let masked = mask::url(&dsn);
        assert!(!masked.contains("Zq"), "{dsn:?} -> {masked:?}");
    }
});
