//! `seckit::config`: lookup order, file handling, failures and the report.

// Helpers outside #[test] fns may fail loudly too: clippy.toml only covers #[test].
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::fs;
use std::path::Path;

use seckit::ErrorKind;
use seckit::config::{Loader, Source};

fn write(dir: &Path, name: &str, contents: &[u8], mode: u32) -> String {
    let path = dir.join(name);
    fs::write(&path, contents).unwrap();
    set_mode(&path, mode);
    path.to_str().unwrap().to_owned()
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}

#[test]
fn file_beats_env_beats_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "secret", b"from-file\n", 0o600);

    let mut cfg = Loader::from_vars([("S_FILE", file.as_str()), ("S", "from-env")]);
    let s = cfg.required_secret("S").unwrap();
    assert_eq!(s.value().expose_secret(), "from-file");
    assert_eq!(*s.source(), Source::File(file.clone().into()));
    assert_eq!(
        cfg.report().warnings().collect::<Vec<_>>(),
        ["S: both S_FILE and S are set; S_FILE wins"]
    );

    let mut cfg = Loader::from_vars([("S", "from-env")]);
    let s = cfg.value_or("S", "from-default").unwrap();
    assert_eq!((s.value().as_str(), s.source()), ("from-env", &Source::Env));

    let mut cfg = Loader::from_vars(Vec::<(String, String)>::new());
    let s = cfg.value_or("S", "from-default").unwrap();
    assert_eq!(
        (s.value().as_str(), s.source()),
        ("from-default", &Source::Default)
    );
    assert_eq!(s.name(), "S");
    assert_eq!(s.into_value(), "from-default");
}

#[test]
fn missing_file_is_an_error_not_a_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let mut cfg = Loader::from_vars([("S_FILE", missing.to_str().unwrap()), ("S", "from-env")]);
    let e = cfg.secret("S").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert_eq!(
        e.to_string(),
        "configuration: S_FILE: names a file that does not exist"
    );
    // The same for plain values and defaults: no silent fallback anywhere.
    assert!(cfg.value("S").is_err());
    assert!(cfg.value_or("S", "default").is_err());
}

#[test]
fn unusable_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = write(
        dir.path(),
        "big",
        &vec![b'a'; seckit::config::MAX_FILE_LEN + 1],
        0o600,
    );
    let binary = write(dir.path(), "bin", b"\xff\xfe\x00", 0o600);
    let cases = [
        ("", "configuration: S_FILE: set but empty"),
        (
            dir.path().to_str().unwrap(),
            "configuration: S_FILE: does not name a regular file",
        ),
        (
            big.as_str(),
            "configuration: S_FILE: names a file larger than 64 KiB",
        ),
        (
            binary.as_str(),
            "configuration: S_FILE: names a file that is not UTF-8",
        ),
    ];
    for (path, want) in cases {
        let mut cfg = Loader::from_vars([("S_FILE", path)]);
        let e = cfg.secret("S").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert_eq!(e.to_string(), want);
    }
}

#[test]
fn exactly_max_size_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let max = write(
        dir.path(),
        "max",
        &vec![b'a'; seckit::config::MAX_FILE_LEN],
        0o600,
    );
    let mut cfg = Loader::from_vars([("S_FILE", max.as_str())]);
    let s = cfg.required_secret("S").unwrap();
    assert_eq!(
        s.value().expose_secret().len(),
        seckit::config::MAX_FILE_LEN
    );
}

#[test]
fn trailing_line_endings_are_trimmed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    for (contents, want) in [
        (&b"abc"[..], "abc"),
        (b"abc\n", "abc"),
        (b"abc\r\n", "abc"),
        (b"abc\n\n", "abc"),
        (b"abc\r\n\r\n", "abc"),
        (b" abc \n", " abc "),
        (b"a\nb\n", "a\nb"),
        (b"abc\r", "abc\r"),
    ] {
        let file = write(dir.path(), "s", contents, 0o600);
        let mut cfg = Loader::from_vars([("S_FILE", file.as_str())]);
        assert_eq!(
            cfg.required_secret("S").unwrap().value().expose_secret(),
            want
        );
    }
}

#[cfg(unix)]
#[test]
fn wide_file_mode_is_a_warning_for_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let tight = write(dir.path(), "tight", b"x", 0o600);
    let owner_only = write(dir.path(), "ro", b"x", 0o400);
    let wide = write(dir.path(), "wide", b"x", 0o644);

    let mut cfg = Loader::from_vars([
        ("A_FILE", tight.as_str()),
        ("B_FILE", owner_only.as_str()),
        ("C_FILE", wide.as_str()),
    ]);
    cfg.required_secret("A").unwrap();
    cfg.required_secret("B").unwrap();
    assert_eq!(cfg.report().warnings().len(), 0);
    cfg.required_secret("C").unwrap();
    assert_eq!(
        cfg.report().warnings().collect::<Vec<_>>(),
        ["C_FILE: file mode 0644 is wider than 0600"]
    );
    // A plain setting in a world-readable file is normal: no warning.
    let mut cfg = Loader::from_vars([("C_FILE", wide.as_str())]);
    cfg.required_value("C").unwrap();
    assert_eq!(cfg.report().warnings().len(), 0);
}

#[test]
fn missing_and_empty_settings() {
    let mut cfg = Loader::from_vars([("EMPTY", "")]);
    assert!(cfg.value("NOPE").unwrap().is_none());
    assert!(cfg.secret("NOPE").unwrap().is_none());
    let e = cfg.required_value("NOPE").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert_eq!(
        e.to_string(),
        "configuration: NOPE: not set (set NOPE, or NOPE_FILE to the path of a file holding it)"
    );
    assert_eq!(
        cfg.required_secret("NOPE").unwrap_err().kind(),
        ErrorKind::Configuration
    );
    // An empty plain value is a value; an empty secret is a mistake.
    assert_eq!(cfg.required_value("EMPTY").unwrap().value(), "");
    assert_eq!(
        cfg.secret("EMPTY").unwrap_err().to_string(),
        "configuration: EMPTY: set but empty"
    );
}

#[test]
fn setting_names_must_be_identifiers() {
    let mut cfg = Loader::from_vars([("OK_1", "x")]);
    assert!(cfg.value("OK_1").unwrap().is_some());
    assert!(cfg.value("_LEADING").unwrap().is_none());
    for bad in [
        "",
        "1ABC",
        "A-B",
        "A B",
        "A=B",
        "A\nB",
        "É",
        &"A".repeat(129),
    ] {
        let e = cfg.value(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration, "{bad:?}");
        assert_eq!(
            e.to_string(),
            "configuration: (setting name): not an identifier of at most 128 characters"
        );
    }
}

#[test]
fn report_lists_every_setting_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "jwt", b"file-secret-value\n", 0o600);
    let mut cfg = Loader::from_vars([
        ("JWT_SECRET_FILE", file.as_str()),
        ("DATABASE_URL", "postgres://app:db-password@db:5432/app"),
        ("LOG_LEVEL", "debug"),
        ("API_TOKEN", "plain-read-token-value"),
    ]);
    cfg.required_secret("JWT_SECRET").unwrap();
    cfg.required_value("DATABASE_URL").unwrap();
    cfg.value_or("LOG_LEVEL", "info").unwrap();
    cfg.value_or("PORT", "8080").unwrap();
    // Read as a plain value, but its name says secret: masked anyway.
    cfg.required_value("API_TOKEN").unwrap();
    cfg.secret("PEPPER").unwrap();
    // Reading twice records once.
    cfg.value_or("PORT", "8080").unwrap();

    let line = cfg.report().to_string();
    assert_eq!(
        line,
        format!(
            "JWT_SECRET=*** (file {file}), DATABASE_URL=postgres://app:***@db:5432/app (env), \
             LOG_LEVEL=debug (env), PORT=8080 (default), API_TOKEN=*** (env), PEPPER (unset)"
        )
    );
    let entries: Vec<_> = cfg.report().entries().collect();
    assert_eq!(entries.len(), 6);
    assert!(entries[0].is_secret());
    assert_eq!(entries[0].shown(), Some("***"));
    assert_eq!(entries[5].source(), None);
    assert_eq!(entries[5].name(), "PEPPER");
    for secret in ["file-secret-value", "db-password", "plain-read-token-value"] {
        assert!(!line.contains(secret));
        assert!(!format!("{:?}", cfg.report()).contains(secret));
        assert!(!format!("{cfg:?}").contains(secret));
    }
}

#[cfg(feature = "serde")]
#[test]
fn report_serializes_masked() {
    let mut cfg = Loader::from_vars([("DB_PASSWORD", "pw-value-1"), ("PORT", "80")]);
    cfg.required_secret("DB_PASSWORD").unwrap();
    cfg.required_value("PORT").unwrap();
    let json = serde_json::to_string(cfg.report()).unwrap();
    assert_eq!(
        json,
        r#"{"entries":[{"name":"DB_PASSWORD","source":"env","shown":"***","secret":true},{"name":"PORT","source":"env","shown":"80","secret":false}],"warnings":[]}"#
    );
}

#[test]
fn from_env_reads_the_process_environment() {
    // Rust 2024 makes set_var unsafe (and this crate forbids unsafe), so read
    // a variable every test process has.
    let mut cfg = Loader::from_env();
    let path = cfg.required_value("PATH").unwrap();
    assert_eq!(*path.source(), Source::Env);
    assert_eq!(Some(path.value().clone()), std::env::var("PATH").ok());
    assert!(format!("{cfg:?}").contains("process environment"));
}

/// Issue 13, item 7: a FIFO (or a device, or a directory) named by
/// `NAME_FILE` is refused at once. Opening a FIFO for reading used to block
/// startup until some writer appeared.
#[cfg(unix)]
#[test]
fn a_fifo_device_or_directory_is_refused_without_blocking() {
    use std::sync::mpsc;
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo failed");
    let fifo = fifo.to_str().unwrap().to_owned();
    let dir_path = dir.path().to_str().unwrap().to_owned();
    for path in [
        fifo,
        "/dev/null".to_owned(),
        "/dev/zero".to_owned(),
        dir_path,
    ] {
        let (tx, rx) = mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let mut cfg = Loader::from_vars([("S_FILE", p.as_str())]);
            let _ = tx.send(cfg.secret("S").map(|_| ()).map_err(|e| e.to_string()));
        });
        let outcome = rx
            .recv_timeout(Duration::from_secs(2))
            .unwrap_or_else(|_| panic!("{path}: the loader blocked"));
        assert_eq!(
            outcome.unwrap_err(),
            "configuration: S_FILE: does not name a regular file",
            "{path}"
        );
    }
    // A symlink to a regular file (how Kubernetes mounts secrets) still works.
    let target = write(dir.path(), "target", b"from-link\n", 0o600);
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut cfg = Loader::from_vars([("S_FILE", link.to_str().unwrap())]);
    assert_eq!(
        cfg.required_secret("S").unwrap().value().expose_secret(),
        "from-link"
    );
}

/// Issue 13, item 1: `Debug` of a setting masks its value as the report does.
#[test]
fn setting_debug_masks_the_value_like_the_report() {
    let mut cfg = Loader::from_vars([
        ("DATABASE_URL", "postgres://app:Hunter2Sentinel@db:5432/app"),
        ("SIGNING_TOKEN", "Hunter2Sentinel"),
        ("JWT_SECRET", "Hunter2Sentinel"),
        ("REGION", "eu-west-1"),
    ]);
    let db = cfg.required_value("DATABASE_URL").unwrap();
    let named = cfg.required_value("SIGNING_TOKEN").unwrap();
    let secret = cfg.required_secret("JWT_SECRET").unwrap();
    let region = cfg.required_value("REGION").unwrap();
    for text in [
        format!("{db:?}"),
        format!("{db:#?}"),
        format!("{named:?}"),
        format!("{secret:?}"),
        format!("{:?}", Some(&db)),
        format!("{:?}", cfg.report()),
        format!("{cfg:?}"),
    ] {
        assert!(!text.contains("Hunter2Sentinel"), "{text}");
    }
    assert_eq!(
        format!("{db:?}"),
        r#"Setting { name: "DATABASE_URL", value: "postgres://app:***@db:5432/app", source: Env }"#
    );
    assert_eq!(
        format!("{named:?}"),
        r#"Setting { name: "SIGNING_TOKEN", value: "***", source: Env }"#
    );
    assert_eq!(
        format!("{secret:?}"),
        r#"Setting { name: "JWT_SECRET", value: Secret([REDACTED]), source: Env }"#
    );
    assert_eq!(
        format!("{region:?}"),
        r#"Setting { name: "REGION", value: "eu-west-1", source: Env }"#
    );
    // The value itself is still the caller's.
    assert_eq!(db.value(), "postgres://app:Hunter2Sentinel@db:5432/app");
}

/// Issue 13, item 14: the loader decodes secrets given as text in any
/// encoding without the `jwt` feature (a password-only build decodes its
/// pepper), with errors naming the setting and never the value; the
/// strength rules live in the foundation too.
#[test]
fn secrets_load_as_bytes_in_any_encoding_without_jwt() {
    use seckit::strength::{self, SecretEncoding};

    let mut cfg = Loader::from_vars([
        ("PEPPER_B64", "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE="),
        ("PEPPER_HEX", "00ff10"),
        ("PEPPER_BAD", "Sentinel7fQx%%"),
    ]);
    let b64 = cfg
        .required_secret_bytes("PEPPER_B64", SecretEncoding::Base64)
        .unwrap();
    assert_eq!(b64.value().expose_secret().len(), 32);
    assert_eq!(*b64.source(), Source::Env);
    assert_eq!(
        format!("{b64:?}"),
        r#"Setting { name: "PEPPER_B64", value: Secret([REDACTED]), source: Env }"#
    );
    strength::check_hmac_key(b64.value().expose_secret(), 32).unwrap();
    let hex = cfg
        .required_secret_bytes("PEPPER_HEX", SecretEncoding::Hex)
        .unwrap();
    assert_eq!(hex.value().expose_secret().as_slice(), &[0x00, 0xff, 0x10]);
    let e = cfg
        .required_secret_bytes("PEPPER_BAD", SecretEncoding::Base64)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "configuration: PEPPER_BAD: is not valid base64"
    );
    let e = cfg
        .required_secret_bytes("PEPPER_MISSING", SecretEncoding::Hex)
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("configuration: PEPPER_MISSING: not set"),
        "{e}"
    );
    assert!(
        cfg.secret_bytes("PEPPER_MISSING", SecretEncoding::Hex)
            .unwrap()
            .is_none()
    );
    let report = cfg.report().to_string();
    assert!(
        report.starts_with("PEPPER_B64=*** (env), PEPPER_HEX=*** (env)"),
        "{report}"
    );
    assert!(!report.contains("Sentinel7fQx"), "{report}");
    // A weak key decoded this way is refused by the shared rules, by name.
    let e = strength::check_hmac_key(hex.value().expose_secret(), 32).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
}
