//! The `web` module's readers of request bytes on arbitrary input: the
//! `Cookie` header, form bodies, the Fetch Metadata / Origin check and CSRF
//! tokens never panic; nothing verifies that was not issued here, a token
//! issued here always verifies for its binding and never for another.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use seckit::SecretString;
use seckit::web::{CrossOriginGuard, CsrfKeys, CsrfProtection, cookie_value, form_field};

static KEYS: LazyLock<CsrfKeys> = LazyLock::new(|| {
    CsrfKeys::new(&SecretString::from("k7Qp2xV9mZ4rT8wN1bY6cF3hJ5sL0dGaEuRi")).expect("key")
});

fuzz_target!(|data: &[u8]| {
    // Four fields split on 0xFF: cookie header, origin, sec-fetch-site, token.
    let mut parts = data.splitn(4, |&b| b == 0xff);
    let cookie = parts.next().unwrap_or_default();
    let origin = parts.next().unwrap_or_default();
    let site = parts.next().unwrap_or_default();
    let token = parts.next().unwrap_or_default();

    let _ = form_field(data, "csrf_token");
    let token = String::from_utf8_lossy(token);
    assert!(
        KEYS.verify(cookie, &token).is_err(),
        "verified a token never issued"
    );

    let mut builder = http::Request::post("/").header("host", "app.example");
    for (name, value) in [
        ("cookie", cookie),
        ("origin", origin),
        ("sec-fetch-site", site),
    ] {
        if let Ok(v) = http::HeaderValue::from_bytes(value) {
            builder = builder.header(name, v);
        }
    }
    let Ok(request) = builder.body(()) else {
        return;
    };
    let (head, ()) = request.into_parts();
    let _ = cookie_value(&head.headers, "__Host-session");
    let _ = CrossOriginGuard::new().check(&head);
    let _ = CsrfProtection::new(KEYS.clone()).check(&head, Some(&token));

    if !cookie.is_empty() && cookie.len() <= seckit::web::MAX_BINDING_LEN {
        let issued = KEYS.issue(cookie).expect("issue");
        assert!(KEYS.verify(cookie, issued.as_str()).is_ok());
        let mut other = cookie.to_vec();
        other[0] ^= 1;
        assert!(KEYS.verify(&other, issued.as_str()).is_err());
    }
});
