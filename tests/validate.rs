//! The validate module through its public API: serde deserialization that
//! validates, collect-all reports, the shared Bearer parser, and paths on a
//! real file system.
#![cfg(feature = "validate")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use seckit::ErrorKind;
use seckit::validate::{
    Email, Filename, KvKey, PositiveId, Report, SqlIdentifier, Text, UnicodeUsername, Username,
    bearer_token, safe_join, safe_join_existing,
};

#[cfg(feature = "serde")]
mod serde_requests {
    use super::*;
    use seckit::validate::Tags;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Signup {
        username: Username,
        email: Email,
        bio: Text,
        tags: Tags,
    }

    #[test]
    fn a_deserialized_request_is_already_valid() {
        let ok: Signup = serde_json::from_str(
            r#"{"username":"ada","email":"Ada@Example.org","bio":"hi\nthere","tags":["math","Math","engines"]}"#,
        )
        .unwrap();
        assert_eq!(ok.email.as_str(), "Ada@example.org");
        assert_eq!(ok.tags.len(), 2);
        for (body, code) in [
            (
                r#"{"username":"a b","email":"a@b.co","bio":"","tags":[]}"#,
                "username.invalid_char",
            ),
            (
                r#"{"username":"a","email":"nope","bio":"","tags":[]}"#,
                "email.malformed",
            ),
            (
                r#"{"username":"a","email":"a@b.co","bio":"x\u202Ey","tags":[]}"#,
                "text.bidi_control",
            ),
            (
                r#"{"username":"a","email":"a@b.co","bio":"","tags":["a b"]}"#,
                "tag.invalid_char",
            ),
        ] {
            let err = serde_json::from_str::<Signup>(body)
                .unwrap_err()
                .to_string();
            assert!(err.contains(code), "{err}");
        }
    }

    #[test]
    fn serde_errors_never_echo_the_rejected_value() {
        let secretish = "Sntl7f3a9cQhunter2ZxW";
        let body = format!(r#"{{"username":"{secretish} x","email":"a@b.co","bio":"","tags":[]}}"#);
        let err = serde_json::from_str::<Signup>(&body)
            .unwrap_err()
            .to_string();
        assert!(!err.contains(secretish), "{err}");
        let body = format!(r#"{{"username":"a","email":"{secretish}@","bio":"","tags":[]}}"#);
        let err = serde_json::from_str::<Signup>(&body)
            .unwrap_err()
            .to_string();
        assert!(!err.contains(secretish), "{err}");
    }

    #[test]
    fn reports_serialize_for_a_400_body() {
        let mut r = Report::new();
        let _ = r.check(Username::parse(&"x".repeat(65)));
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!([{"field": "username", "rule": "too_long", "code": "username.too_long", "limit": 64}])
        );
    }
}

#[test]
fn a_report_collects_every_violation_in_order() {
    let mut r = Report::new();
    let u = r.check(Username::parse(""));
    let e = r.check_field("work_email", Email::parse("a@localhost"));
    let id = r.check(PositiveId::parse("007"));
    let ok = r.check(SqlIdentifier::parse("created_at"));
    assert!(u.is_none() && e.is_none() && id.is_none() && ok.is_some());
    let codes: Vec<String> = r.violations().iter().map(|v| v.code()).collect();
    assert_eq!(
        codes,
        [
            "username.empty",
            "work_email.invalid_domain",
            "id.leading_zero"
        ]
    );
    let err = r.clone().into_result().unwrap_err();
    assert_eq!(
        err.to_string(),
        "3 invalid fields: username.empty, work_email.invalid_domain, id.leading_zero"
    );
    let single: seckit::Error = err.into();
    assert_eq!(single.kind(), ErrorKind::InvalidInput);
    assert_eq!(single.public_message(), "invalid request");
    assert!(Report::new().into_result().is_ok());
}

#[test]
fn errors_name_field_and_rule_never_the_value() {
    let marker = "Zq9Marker";
    let inputs = [
        format!("{marker} "),
        format!("{marker}\u{0}"),
        format!("../{marker}"),
        format!("{marker}@@x"),
        format!("{marker}\u{202E}"),
        format!("{marker}*"),
    ];
    for input in &inputs {
        let errors: Vec<seckit::Error> = [
            Username::parse(input).err(),
            Email::parse(input).err(),
            Filename::parse(input).err(),
            SqlIdentifier::parse(input).err(),
            PositiveId::parse(input).err(),
            UnicodeUsername::parse(input).err(),
            Text::parse_with(input, &seckit::validate::TextOptions::with_max_chars(4)).err(),
            KvKey::builder().segment(input).err(),
            safe_join(std::path::Path::new("/r"), input).err(),
            bearer_token(input).err(),
        ]
        .into_iter()
        .flatten()
        .collect();
        assert!(errors.len() >= 5, "{input}: {}", errors.len());
        for e in errors {
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            for text in [e.to_string(), format!("{e:?}")] {
                assert!(!text.contains(marker), "{text}");
            }
        }
    }
}

#[test]
fn validate_and_jwt_share_one_bearer_parser() {
    for header in [
        "Bearer a.b.c",
        "bearer x",
        "Bearer",
        "Bearer  x",
        "Token x",
        "Bearer a=b",
    ] {
        let v = bearer_token(header).map_err(|e| e.to_string());
        #[cfg(feature = "jwt")]
        assert_eq!(
            v,
            seckit::jwt::bearer_token(header).map_err(|e| e.to_string()),
            "{header}"
        );
        let _ = v;
    }
}

#[cfg(unix)]
#[test]
fn safe_join_existing_refuses_symlinks_out_of_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("ok.txt"), b"ok").unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(dir.path(), root.join("up")).unwrap();
    let ok = safe_join_existing(&root, "ok.txt").unwrap();
    assert_eq!(std::fs::read(ok).unwrap(), b"ok");
    for (path, rule) in [
        ("link.txt", "escapes_root"),
        ("up/secret.txt", "escapes_root"),
        ("missing.txt", "not_found"),
    ] {
        let err = safe_join_existing(&root, path).unwrap_err();
        assert_eq!(err.violation().unwrap().rule(), rule, "{path}");
    }
    // Lexically the symlinks are fine: that is why the existing-path variant exists.
    safe_join(&root, "up/secret.txt").unwrap();
}
