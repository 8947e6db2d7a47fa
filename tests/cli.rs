//! The `seckit` command line, run as a process: exit codes (0 valid, 1
//! invalid, 2 usage/I-O), `--json`, secrets from files and stdin only, and
//! nothing secret on stdout or stderr beyond what a command produces.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: &str) -> Run {
    run_env(args, stdin, &[])
}

fn run_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seckit"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn json(r: &Run) -> Value {
    serde_json::from_str(r.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {:?}", r.stdout))
}

#[test]
fn secret_generate_and_check() {
    let r = run(&["secret", "generate", "--bytes", "48"], "");
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.trim().len(), 64); // 48 bytes of base64url
    let hex = run(&["--json", "secret", "generate", "--encoding", "hex"], "");
    assert_eq!(json(&hex)["secret"].as_str().unwrap().len(), 64);
    let weak = run(&["secret", "check"], "changeme\n");
    assert_eq!(weak.code, 1, "{}", weak.stderr);
    assert!(weak.stderr.contains("known default"), "{}", weak.stderr);
    assert!(!weak.stderr.contains("changeme"));
    let strong = run(
        &["secret", "check", "--encoding", "base64url"],
        &format!("{}\n", r.stdout.trim()),
    );
    assert_eq!(strong.code, 0, "{}", strong.stderr);
    let short = run(
        &[
            "secret",
            "check",
            "--alg",
            "HS512",
            "--encoding",
            "base64url",
        ],
        &r.stdout,
    );
    assert_eq!(short.code, 1);
    assert_eq!(run(&["secret", "generate", "--bytes", "4"], "").code, 2);
    assert_eq!(run(&["secret", "bogus"], "").code, 2);
}

#[test]
fn password_hash_and_verify() {
    let h = run(&["password", "hash"], "violet otter kayak 42\n");
    assert_eq!(h.code, 0, "{}", h.stderr);
    let hash = h.stdout.trim().to_owned();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(!h.stdout.contains("violet"));
    let ok = run(
        &["--json", "password", "verify", "--hash", &hash],
        "violet otter kayak 42\n",
    );
    assert_eq!(ok.code, 0);
    assert_eq!(
        json(&ok),
        serde_json::json!({"valid": true, "needs_rehash": false, "scheme": "argon2id"})
    );
    let bad = run(&["password", "verify", "--hash", &hash], "wrong\n");
    assert_eq!(bad.code, 1);
    assert_eq!(
        run(&["password", "verify", "--hash", "$md5$nope"], "x\n").code,
        2
    );
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "violet otter kayak 42").unwrap(); // bytes exactly, no newline
    let f = run(
        &[
            "password",
            "verify",
            "--hash",
            &hash,
            "--password-file",
            pw.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(f.code, 0, "{}", f.stderr);
}

#[test]
fn jwt_issue_verify_inspect_with_a_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("hs.key");
    std::fs::write(&key, b"kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD").unwrap();
    let k = key.to_str().unwrap();
    let issued = run(
        &[
            "jwt",
            "issue",
            "--claims",
            r#"{"role":"admin"}"#,
            "--sub",
            "u1",
            "--alg",
            "HS256",
            "--key-file",
            k,
            "--iss",
            "me",
            "--ttl-minutes",
            "5",
        ],
        "",
    );
    assert_eq!(issued.code, 0, "{}", issued.stderr);
    let token = issued.stdout.trim().to_owned();
    let v = run(
        &[
            "--json",
            "jwt",
            "verify",
            &token,
            "--alg",
            "HS256",
            "--key-file",
            k,
            "--iss",
            "me",
        ],
        "",
    );
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert_eq!(json(&v)["claims"]["role"], "admin");
    let later = run(
        &[
            "jwt",
            "verify",
            &token,
            "--alg",
            "HS256",
            "--key-file",
            k,
            "--iss",
            "me",
            "--now",
            "4102444800",
        ],
        "",
    );
    assert_eq!(later.code, 1);
    assert!(later.stderr.contains("expired"), "{}", later.stderr);
    assert!(!later.stderr.contains(&token[..20]));
    let wrong_alg = run(
        &["jwt", "verify", &token, "--alg", "HS384", "--key-file", k],
        "",
    );
    assert_eq!(wrong_alg.code, 1, "{}", wrong_alg.stderr);
    let inspect = run(&["jwt", "inspect", &token], "");
    assert_eq!(inspect.code, 0);
    assert!(
        inspect.stdout.starts_with("UNVERIFIED header"),
        "{}",
        inspect.stdout
    );
    // A weak HMAC key file fails the same check as everywhere else.
    let weak = dir.path().join("weak.key");
    std::fs::write(&weak, b"secret").unwrap();
    let r = run(
        &[
            "jwt",
            "issue",
            "--claims",
            "{}",
            "--alg",
            "HS256",
            "--key-file",
            weak.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(r.code, 1);
    // Verifying with an RSA public key, via a key pair fixture.
    let private = format!("{FIX}jwt/rsa2048-private.pem");
    let public = format!("{FIX}jwt/rsa2048-public.pem");
    let rs = run(
        &[
            "jwt",
            "issue",
            "--claims",
            "{}",
            "--alg",
            "RS256",
            "--key-file",
            &private,
        ],
        "",
    );
    assert_eq!(rs.code, 0, "{}", rs.stderr);
    let ok = run(
        &[
            "jwt",
            "verify",
            rs.stdout.trim(),
            "--alg",
            "PS256",
            "--alg",
            "RS256",
            "--key-file",
            &public,
        ],
        "",
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    // No key flags and no JWT_SECRET in the environment: refused, exit 1.
    assert_eq!(run(&["jwt", "issue", "--claims", "{}"], "").code, 1);
}

#[test]
fn key_generate_and_inspect() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.pem");
    let pubout = dir.path().join("k.pub.pem");
    let o = out.to_str().unwrap();
    let g = run(
        &[
            "--json",
            "key",
            "generate",
            "--bits",
            "3072",
            "--out",
            o,
            "--public-out",
            pubout.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(g.code, 0, "{}", g.stderr);
    let id = json(&g)["key_id"].as_str().unwrap().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert_eq!(
        run(&["key", "generate", "--bits", "3072", "--out", o], "").code,
        2,
        "no overwrite without --force"
    );
    let i = run(&["--json", "key", "inspect", pubout.to_str().unwrap()], "");
    assert_eq!(json(&i)["key_id"], id.as_str());
    assert_eq!(json(&i)["bits"], 3072);
    let small = run(
        &[
            "key",
            "inspect",
            &format!("{FIX}envelope/rsa1024-private.pem"),
        ],
        "",
    );
    assert_eq!(small.code, 1, "{}", small.stderr);
    let ec = run(
        &[
            "key",
            "inspect",
            &format!("{FIX}envelope/ec256-private.pem"),
        ],
        "",
    );
    assert_eq!(ec.code, 1);
    assert_eq!(run(&["key", "inspect", "/nonexistent"], "").code, 2);
}

#[test]
fn jwt_from_the_environment_like_jwt_config() {
    let env = [
        ("JWT_SECRET", "q0Vb8eXo1mZ2yL7rT4sN9kJ3hW6cF5aDgP0uQiRtYvE="),
        ("JWT_SECRET_ENCODING", "base64"),
        ("JWT_ISSUER", "https://auth.example"),
    ];
    let t = run_env(&["jwt", "issue", "--claims", r#"{"n":1}"#], "", &env);
    assert_eq!(t.code, 0, "{}", t.stderr);
    let v = run_env(&["--json", "jwt", "verify", t.stdout.trim()], "", &env);
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert_eq!(json(&v)["claims"]["iss"], "https://auth.example");
    let weak = run_env(
        &["jwt", "issue", "--claims", "{}"],
        "",
        &[("JWT_SECRET", "changeme")],
    );
    assert_eq!(weak.code, 1);
    assert!(weak.stderr.contains("JWT_SECRET"), "{}", weak.stderr);
}

#[test]
fn password_calibrate_reports_parameters() {
    let c = run(
        &["--json", "password", "calibrate", "--target-ms", "30"],
        "",
    );
    assert_eq!(c.code, 0, "{}", c.stderr);
    let v = json(&c);
    assert!(
        v["m_kib"].as_u64().unwrap() >= 19456 && v["t"].as_u64().unwrap() >= 1,
        "{v}"
    );
}

/// Issue 13, item 13: the hint's `seckit secret generate --bytes 64`, run
/// for real, gives a secret that `JwtConfig` loads with
/// `JWT_SECRET_ENCODING=base64url`, as the hint says.
#[test]
fn generated_secrets_load_with_the_encoding_the_hint_names() {
    use seckit::config::Loader;
    use seckit::jwt::JwtConfig;

    for _ in 0..10 {
        let r = run(&["secret", "generate", "--bytes", "64"], "");
        assert_eq!(r.code, 0, "{}", r.stderr);
        let secret = r.stdout.trim_end_matches('\n');
        let mut env = Loader::from_vars([
            ("JWT_ALGORITHM", "HS512"),
            ("JWT_SECRET", secret),
            ("JWT_SECRET_ENCODING", "base64url"),
        ]);
        JwtConfig::from_loader(&mut env).unwrap();
    }
}
