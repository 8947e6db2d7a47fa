//! The `seckit` command line, run as a process: exit codes (0 valid, 1
//! invalid, 2 usage/I-O), `--json`, secrets from files and stdin, envelopes
//! through pipes and files, validators, file hygiene, and nothing secret on
//! stdout or stderr beyond what a command produces.
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
    // A command may exit before reading its input (a usage error): then
    // the write meets a closed pipe, which is not the test's failure.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
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
    std::fs::write(&pw, "violet otter kayak 42\n").unwrap(); // read as NAME_FILE: the newline goes
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

// ------------------------------------------------------------ issue 14

fn run_bytes(args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seckit"))
        .args(args)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        out.status.code().unwrap(),
        out.stdout,
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn fixture_path(name: &str) -> String {
    format!("{FIX}envelope/{name}")
}

/// The files in `dir`, sorted (to prove nothing partial was left behind).
fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(target_os = "linux")]
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A 20 MiB round trip through `seal | open` in pipes, each process's peak
/// memory read while the data flows: flat, whatever the size.
#[cfg(target_os = "linux")]
#[test]
fn seal_and_open_stream_through_pipes_in_flat_memory() {
    use sha2::{Digest as _, Sha256};
    const TOTAL: usize = 20 * 1024 * 1024;
    const PIECE: usize = 64 * 1024;
    let public = fixture_path("rsa2048-public.pem");
    let private = fixture_path("rsa2048-private.pem");
    let mut seal = Command::new(env!("CARGO_BIN_EXE_seckit"))
        .args(["seal", "--to", &public, "--ad", "backup"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut open = Command::new(env!("CARGO_BIN_EXE_seckit"))
        .args(["open", "--key", &private, "--ad", "backup"])
        .env_clear()
        .stdin(Stdio::from(seal.stdout.take().unwrap()))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut plaintext_out = open.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut hash = Sha256::new();
        let mut buf = vec![0u8; PIECE];
        let mut n = 0usize;
        loop {
            let k = std::io::Read::read(&mut plaintext_out, &mut buf).unwrap();
            if k == 0 {
                break;
            }
            hash.update(&buf[..k]);
            n += k;
        }
        (n, hash.finalize())
    });
    let piece: Vec<u8> = (0..PIECE).map(|i| u8::try_from(i % 251).unwrap()).collect();
    let mut expected = Sha256::new();
    let mut input = seal.stdin.take().unwrap();
    let mut peaks = (0, 0);
    for i in 0..TOTAL / PIECE {
        if i == TOTAL / PIECE - 1 {
            // Nearly everything has flowed through both processes.
            peaks = (peak_kib(seal.id()), peak_kib(open.id()));
        }
        input.write_all(&piece).unwrap();
        expected.update(&piece);
    }
    drop(input);
    assert!(seal.wait().unwrap().success());
    assert!(open.wait().unwrap().success());
    let (n, hash) = reader.join().unwrap();
    assert_eq!(n, TOTAL);
    assert_eq!(hash, expected.finalize());
    println!(
        "peak resident set: seal {} KiB, open {} KiB",
        peaks.0, peaks.1
    );
    // A 20 MiB buffer anywhere would show; the processes need a few MiB.
    assert!(peaks.0 < 12 * 1024 && peaks.1 < 12 * 1024, "{peaks:?}");
}

#[test]
fn open_failures_exit_1_and_leave_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    std::fs::write(d("plain"), b"the payroll, in full").unwrap();
    let seal = run(
        &[
            "seal",
            "--to",
            &fixture_path("rsa2048-public.pem"),
            "--ad",
            "payroll",
            "-i",
            &d("plain"),
            "-o",
            &d("sealed"),
        ],
        "",
    );
    assert_eq!(seal.code, 0, "{}", seal.stderr);
    let sealed = std::fs::read(d("sealed")).unwrap();
    let mut flipped = sealed.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 1;
    std::fs::write(d("flipped"), &flipped).unwrap();
    std::fs::write(d("truncated"), &sealed[..sealed.len() - 1]).unwrap();
    let good_key = fixture_path("rsa2048-private.pem");
    let wrong_key = fixture_path("rsa3072-private.pem");
    for (input, key, ad, why) in [
        ("sealed", wrong_key.as_str(), "payroll", "wrong key"),
        ("sealed", good_key.as_str(), "payroll-2", "wrong ad"),
        ("flipped", good_key.as_str(), "payroll", "flipped byte"),
        ("truncated", good_key.as_str(), "payroll", "truncated"),
    ] {
        let before = files_in(dir.path());
        let r = run(
            &[
                "open",
                "--key",
                key,
                "--ad",
                ad,
                "-i",
                &d(input),
                "-o",
                &d("out"),
            ],
            "",
        );
        assert_eq!(r.code, 1, "{why}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("seckit: unauthenticated: envelope: "),
            "{why}: {}",
            r.stderr
        );
        assert_eq!(
            files_in(dir.path()),
            before,
            "{why}: something was left behind"
        );
        // And to stdout: exit 1 too.
        let (code, _, _) = run_bytes(&["open", "--key", key, "--ad", ad, "-i", &d(input)], b"");
        assert_eq!(code, 1, "{why}");
    }
    let ok = run(
        &[
            "--json",
            "open",
            "--key",
            &good_key,
            "--aad",
            "payroll",
            "-i",
            &d("sealed"),
            "-o",
            &d("out"),
        ],
        "",
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert_eq!(json(&ok)["plaintext_bytes"], 20);
    assert_eq!(std::fs::read(d("out")).unwrap(), b"the payroll, in full");
    // An existing output is kept unless --force, for open and seal alike.
    let again = run(
        &[
            "open",
            "--key",
            &good_key,
            "--ad",
            "payroll",
            "-i",
            &d("sealed"),
            "-o",
            &d("out"),
        ],
        "",
    );
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("--force"));
    let reseal = run(
        &[
            "seal",
            "--to",
            &fixture_path("rsa2048-public.pem"),
            "-i",
            &d("plain"),
            "-o",
            &d("sealed"),
        ],
        "",
    );
    assert_eq!(reseal.code, 2);
    assert_eq!(std::fs::read(d("sealed")).unwrap(), sealed, "untouched");
    let forced = run(
        &[
            "seal",
            "--force",
            "--to",
            &fixture_path("rsa2048-public.pem"),
            "-i",
            &d("plain"),
            "-o",
            &d("sealed"),
        ],
        "",
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    // Usage errors are 2: a missing key file, --json with data on stdout.
    assert_eq!(
        run(&["open", "--key", "/nonexistent", "-i", &d("sealed")], "").code,
        2
    );
    assert_eq!(
        run(
            &[
                "--json",
                "seal",
                "--to",
                &fixture_path("rsa2048-public.pem")
            ],
            "x"
        )
        .code,
        2
    );
}

#[test]
fn armor_multi_recipient_and_rewrap() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let (k2048, k3072) = (
        fixture_path("rsa2048-private.pem"),
        fixture_path("rsa3072-private.pem"),
    );
    let k4096 = fixture_path("rsa4096-private.pem");
    // Armor, to two recipients, from stdin to a file.
    let (code, _, err) = run_bytes(
        &[
            "seal",
            "--armor",
            "--to",
            &fixture_path("rsa2048-public.pem"),
            "--to",
            &fixture_path("rsa3072-public.pem"),
            "-o",
            &d("note.asc"),
        ],
        b"meet at noon",
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(d("note.asc")).unwrap();
    assert!(
        text.starts_with("-----BEGIN SECKIT ENVELOPE-----\n"),
        "{text}"
    );
    for key in [&k2048, &k3072] {
        let (code, out, err) = run_bytes(&["open", "--key", key, "-i", &d("note.asc")], b"");
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, b"meet at noon");
    }
    // Armor read from stdin, too.
    let (code, out, _) = run_bytes(&["open", "--key", &k2048], text.as_bytes());
    assert_eq!((code, out.as_slice()), (0, b"meet at noon".as_slice()));
    // A keyring of several keys opens with whichever matches.
    let (code, out, _) = run_bytes(
        &[
            "open",
            "--key",
            &k4096,
            "--key",
            &k3072,
            "-i",
            &d("note.asc"),
        ],
        b"",
    );
    assert_eq!((code, out.as_slice()), (0, b"meet at noon".as_slice()));
    // Rewrap to the 4096-bit key: only it opens the result.
    let r = run(
        &[
            "rewrap",
            "--key",
            &k2048,
            "--to",
            &fixture_path("rsa4096-public.pem"),
            "-i",
            &d("note.asc"),
            "-o",
            &d("moved"),
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, out, _) = run_bytes(&["open", "--key", &k4096, "-i", &d("moved")], b"");
    assert_eq!((code, out.as_slice()), (0, b"meet at noon".as_slice()));
    for old in [&k2048, &k3072] {
        let (code, _, _) = run_bytes(&["open", "--key", old, "-i", &d("moved")], b"");
        assert_eq!(code, 1);
    }
    // Rewrap with a key that is not a recipient: exit 1, nothing written.
    let r = run(
        &[
            "rewrap",
            "--key",
            &k4096,
            "--to",
            &fixture_path("rsa2048-public.pem"),
            "-i",
            &d("note.asc"),
            "-o",
            &d("never"),
        ],
        "",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!dir.path().join("never").exists());
    // Encrypted private keys open with --passphrase-file.
    std::fs::write(d("pass"), "fixture-passphrase\n").unwrap();
    let enc = fixture_path("rsa2048-private-encrypted.pem");
    let (code, out, err) = run_bytes(
        &[
            "open",
            "--key",
            &enc,
            "--passphrase-file",
            &d("pass"),
            "-i",
            &d("note.asc"),
        ],
        b"",
    );
    assert_eq!(
        (code, out.as_slice()),
        (0, b"meet at noon".as_slice()),
        "{err}"
    );
    let (code, _, _) = run_bytes(&["open", "--key", &enc, "-i", &d("note.asc")], b"");
    assert_eq!(
        code, 1,
        "an encrypted key without its passphrase is refused"
    );
}

#[test]
fn validate_every_kind() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path().to_str().unwrap();
    let cases: &[(&[&str], &str, &str, &str)] = &[
        (
            &["username"],
            "Ada_Lovelace",
            "rnike x",
            "username.invalid_char",
        ),
        (
            &["user-id"],
            "usr_01HZX3",
            "../admin",
            "user_id.invalid_char",
        ),
        (
            &["unicode-username"],
            "Jürgen",
            "p\u{0430}ypal",
            "username.mixed_script",
        ),
        (
            &["email"],
            "Ada@Example.ORG",
            "ada@@example.org",
            "email.malformed",
        ),
        (
            &["text"],
            "hello there",
            "hi\u{202E}txt",
            "text.bidi_control",
        ),
        (&["tag"], "rust-lang", "a b", "tag.invalid_char"),
        (
            &["tags"],
            "rust,Security,rust",
            "ok,a b",
            "tag.invalid_char",
        ),
        (
            &["kv-key"],
            "tenant-7",
            "acme:admin",
            "kv_key.separator_in_segment",
        ),
        (
            &["sql-identifier"],
            "created_at",
            "select",
            "sql_identifier.reserved",
        ),
        (
            &["filename"],
            "report 2026.pdf",
            "invoice\u{202E}fdp.exe",
            "filename.bidi_control",
        ),
        (
            &["path", "--root", r],
            "2026/report.pdf",
            "../etc/passwd",
            "path.dot_segment",
        ),
        (
            &["origin", "--allow", "https://app.example"],
            "https://app.example",
            "https://app.example.evil",
            "origin.not_allowed",
        ),
        (&["positive-id"], "42", "042", "id.leading_zero"),
        (&["uri"], "/api/v1/items?page=2", "/a b", "uri.invalid_char"),
    ];
    for (kind, good, bad, code) in cases {
        let mut args = vec!["--json", "validate", kind[0], good];
        args.extend_from_slice(&kind[1..]);
        let ok = run(&args, "");
        assert_eq!(ok.code, 0, "{kind:?} {good}: {}", ok.stderr);
        assert_eq!(json(&ok)["valid"], true, "{kind:?}");
        let mut args = vec!["validate", kind[0], bad];
        args.extend_from_slice(&kind[1..]);
        let no = run(&args, "");
        assert_eq!(no.code, 1, "{kind:?} {bad}: {}", no.stderr);
        assert_eq!(no.stderr.trim(), format!("seckit: {code}"), "{kind:?}");
        assert!(no.stdout.is_empty());
        if bad.len() > 4 {
            assert!(!no.stderr.contains(bad), "{kind:?} echoed its input");
        }
    }
    // Normalized values, and the uniqueness key of usernames.
    let e = run(&["validate", "email", "Ada@Example.ORG"], "");
    assert_eq!(e.stdout.trim(), "Ada@example.org");
    let u = run(&["--json", "validate", "username", "paypaI"], "");
    assert_eq!(json(&u)["unique_key"], "paypal");
    assert_eq!(json(&u)["value"], "paypaI");
    let t = run(&["validate", "tags", "rust,Security,rust"], "");
    assert_eq!(t.stdout.trim(), "rust,Security");
    // `-` reads the value from stdin: values with a leading dash work.
    let dash = run(&["validate", "tag", "-"], "-leading\n");
    assert_eq!(
        (dash.code, dash.stdout.trim()),
        (0, "-leading"),
        "{}",
        dash.stderr
    );
    let dash = run(&["validate", "text", "-"], "-dash first\n");
    assert_eq!((dash.code, dash.stdout.trim()), (0, "-dash first"));
    assert_eq!(run(&["validate", "nonsense", "x"], "").code, 2);
    assert_eq!(
        run(&["validate", "path", "a"], "").code,
        2,
        "path needs --root"
    );
}

#[test]
fn tokens_come_from_stdin_or_a_file_and_argv_gets_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("hs.key");
    std::fs::write(&key, b"kR7fQ2mZ9xLw4TcV1bNp8HsJ3yUe6GaD\n").unwrap();
    let k = key.to_str().unwrap();
    let t = run(
        &[
            "jwt",
            "issue",
            "--claims",
            r#"{"n":1}"#,
            "--alg",
            "HS256",
            "--key-file",
            k,
        ],
        "",
    );
    assert_eq!(t.code, 0, "{}", t.stderr);
    let token = t.stdout.trim().to_owned();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    for (args, stdin) in [
        (
            vec!["jwt", "verify", "--alg", "HS256", "--key-file", k],
            format!("{token}\n"),
        ),
        (
            vec!["jwt", "verify", "-", "--alg", "HS256", "--key-file", k],
            format!("{token}\n"),
        ),
        (
            vec![
                "jwt",
                "verify",
                "--token-file",
                token_file.to_str().unwrap(),
                "--alg",
                "HS256",
                "--key-file",
                k,
            ],
            String::new(),
        ),
        (vec!["jwt", "inspect"], format!("{token}\n")),
    ] {
        let r = run(&args, &stdin);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stderr.is_empty(), "{args:?}: {}", r.stderr);
        assert!(r.stdout.contains("\"n\":1"), "{}", r.stdout);
    }
    let argv = run(
        &["jwt", "verify", &token, "--alg", "HS256", "--key-file", k],
        "",
    );
    assert_eq!(argv.code, 0);
    assert!(
        argv.stderr.contains("visible to other users"),
        "{}",
        argv.stderr
    );
    assert!(!argv.stderr.contains(&token));
    // A token refused for its algorithm only moves on to the next key;
    // any other refusal is final (decided by AuthReason, not by text).
    let expired = run(
        &[
            "jwt",
            "verify",
            "--alg",
            "HS256",
            "--key-file",
            k,
            "--now",
            "99999999999",
        ],
        &format!("{token}\n"),
    );
    assert_eq!(expired.code, 1);
    assert!(expired.stderr.contains("expired"), "{}", expired.stderr);
}

/// Item 5: a secret made by `seckit secret generate > f` works the same in
/// the CLI (`--key-file f --encoding base64url`) and in a service configured
/// with `JWT_SECRET_FILE=f`, both ways.
#[test]
fn the_cli_and_jwt_config_read_a_key_file_alike() {
    use seckit::config::Loader;
    use seckit::jwt::JwtConfig;

    let dir = tempfile::tempdir().unwrap();
    let g = run(&["secret", "generate", "--bytes", "64"], "");
    let key = dir.path().join("jwt.key");
    std::fs::write(&key, &g.stdout).unwrap(); // with its trailing newline, as `> f` writes it
    let k = key.to_str().unwrap();
    let service = JwtConfig::from_loader(&mut Loader::from_vars([
        ("JWT_SECRET_FILE", k),
        ("JWT_SECRET_ENCODING", "base64url"),
        ("JWT_ALGORITHM", "HS512"),
    ]))
    .unwrap();
    // CLI -> service
    let t = run(
        &[
            "jwt",
            "issue",
            "--claims",
            r#"{"from":"cli"}"#,
            "--alg",
            "HS512",
            "--key-file",
            k,
            "--encoding",
            "base64url",
        ],
        "",
    );
    assert_eq!(t.code, 0, "{}", t.stderr);
    let v = service.verifier().verify::<Value>(t.stdout.trim()).unwrap();
    assert_eq!(v.claims["from"], "cli");
    // service -> CLI
    let token = service
        .issuer()
        .unwrap()
        .issue(&serde_json::json!({"from": "service"}))
        .unwrap();
    let r = run(
        &[
            "--json",
            "jwt",
            "verify",
            "--alg",
            "HS512",
            "--key-file",
            k,
            "--encoding",
            "base64url",
        ],
        &format!("{token}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)["claims"]["from"], "service");
    // A key file that does not decode is the key being invalid: exit 1.
    let bad = run(
        &[
            "jwt",
            "issue",
            "--claims",
            "{}",
            "--alg",
            "HS512",
            "--key-file",
            k,
            "--encoding",
            "hex",
        ],
        "",
    );
    assert_eq!(bad.code, 1, "{}", bad.stderr);
}

#[cfg(unix)]
#[test]
fn key_files_are_replaced_with_0600_and_never_written_through_a_symlink() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.pem");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    let g = run(
        &[
            "key",
            "generate",
            "--bits",
            "3072",
            "--force",
            "--out",
            out.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(g.code, 0, "{}", g.stderr);
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Over a symlink: the link is replaced, its target untouched.
    let target = dir.path().join("target");
    std::fs::write(&target, "precious").unwrap();
    let link = dir.path().join("link.pem");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let g = run(
        &[
            "key",
            "generate",
            "--bits",
            "3072",
            "--force",
            "--out",
            link.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(g.code, 0, "{}", g.stderr);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    assert!(
        !std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::metadata(&link).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // No temporary file is left behind.
    assert_eq!(files_in(dir.path()), ["k.pem", "link.pem", "target"]);
}

/// Secret files are regular files of at most 64 KiB: `/dev/zero`, a FIFO
/// or a directory is refused at once (exit 2), and so is an over-long
/// line on stdin.
#[cfg(unix)]
#[test]
fn non_regular_and_oversized_secret_inputs_are_refused_at_once() {
    let started = std::time::Instant::now();
    let r = run(&["password", "hash", "--password-file", "/dev/zero"], "");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not name a regular file"), "{}", r.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        run(
            &[
                "password",
                "hash",
                "--password-file",
                dir.path().to_str().unwrap()
            ],
            ""
        )
        .code,
        2
    );
    let big = dir.path().join("big");
    std::fs::write(&big, vec![b'a'; 70_000]).unwrap();
    assert_eq!(
        run(
            &["password", "hash", "--password-file", big.to_str().unwrap()],
            ""
        )
        .code,
        2
    );
    let long_line = "a".repeat(70_000);
    let r = run(&["password", "hash"], &long_line);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("longer than"), "{}", r.stderr);
}

/// A reader that goes away (`seckit … | head -c1`) ends the command quietly,
/// never with a panic.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    for args in [
        vec!["secret", "generate"],
        vec!["seal", "--to", &fixture_path("rsa2048-public.pem")],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_seckit"))
            .args(&args)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before any output
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(&vec![7u8; 1 << 20]);
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 2)),
            "{args:?}: {:?}",
            out.status
        );
    }
}

/// Item 7: DER key files (PKCS#8, PKCS#1, SPKI, encrypted PKCS#8) are read
/// as well as PEM, and agree on the key id.
#[test]
fn key_inspect_reads_der_as_well_as_pem() {
    use base64::Engine as _;
    use seckit::SecretString;
    use seckit::envelope::PrivateKey;

    let dir = tempfile::tempdir().unwrap();
    let pem = std::fs::read_to_string(fixture_path("rsa2048-private.pem")).unwrap();
    let key = PrivateKey::from_pem(&SecretString::from(pem), None).unwrap();
    let id = key.key_id().to_string();
    let unpem = |text: &str| {
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    };
    let pass = SecretString::from("der passphrase");
    let files = [
        (
            "pkcs8.der",
            key.to_der().unwrap().expose_secret().clone(),
            "private",
            "pkcs8",
        ),
        (
            "pkcs1.der",
            unpem(key.to_pkcs1_pem().unwrap().expose_secret()),
            "private",
            "pkcs1",
        ),
        (
            "spki.der",
            key.public_key().to_der().unwrap(),
            "public",
            "spki",
        ),
        (
            "pkcs1-public.der",
            unpem(&key.public_key().to_pkcs1_pem().unwrap()),
            "public",
            "pkcs1",
        ),
        (
            "encrypted.der",
            unpem(key.to_pem(Some(&pass)).unwrap().expose_secret()),
            "private",
            "pkcs8-encrypted",
        ),
    ];
    std::fs::write(dir.path().join("pass"), "der passphrase\n").unwrap();
    let pass_file = dir.path().join("pass");
    for (name, der, kind, format) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, der).unwrap();
        let r = run(
            &[
                "--json",
                "key",
                "inspect",
                path.to_str().unwrap(),
                "--passphrase-file",
                pass_file.to_str().unwrap(),
            ],
            "",
        );
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let v = json(&r);
        assert_eq!(
            (
                v["kind"].as_str(),
                v["format"].as_str(),
                v["encoding"].as_str()
            ),
            (Some(kind), Some(format), Some("der")),
            "{name}"
        );
        assert_eq!(v["key_id"], id.as_str(), "{name}");
    }
    let enc = dir.path().join("encrypted.der");
    assert_eq!(
        run(&["key", "inspect", enc.to_str().unwrap()], "").code,
        1,
        "no passphrase"
    );
    let junk = dir.path().join("junk.der");
    std::fs::write(&junk, [0x30, 0x03, 0x02, 0x01, 0x05]).unwrap();
    assert_eq!(run(&["key", "inspect", junk.to_str().unwrap()], "").code, 1);
}

/// The progress bar is for people: never on a piped stderr, never with
/// `--json`, even for a file over the 8 MiB threshold.
#[test]
fn no_progress_bar_unless_stderr_is_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big");
    std::fs::write(&big, vec![3u8; 9 * 1024 * 1024]).unwrap();
    let out = dir.path().join("big.sk");
    for json_flag in [false, true] {
        let _ = std::fs::remove_file(&out);
        let mut args = vec![
            "seal",
            "--to",
            "PUBLIC",
            "-i",
            big.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        let public = fixture_path("rsa2048-public.pem");
        args[2] = &public;
        if json_flag {
            args.insert(0, "--json");
        }
        let r = run(&args, "");
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.is_empty(), "{:?}", r.stderr);
    }
}

#[test]
fn webhook_sign_and_verify_every_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("whsec");
    std::fs::write(&secret, "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD\n").unwrap();
    let s = secret.to_str().unwrap();
    let body = r#"{"email":"test@example.com","username":"test_user"}"#;
    // The spec's vector, from stdin.
    let r = run(
        &[
            "webhook",
            "sign",
            "--secret-file",
            s,
            "--id",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            "--timestamp",
            "1649367553",
        ],
        body,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "webhook-id: msg_27UH4WbU6Z5A5EzD8u03UvzRbpk\nwebhook-timestamp: 1649367553\nwebhook-signature: v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=\n"
    );
    let headers: Vec<String> = r.stdout.lines().map(|l| format!("--header={l}")).collect();
    let mut args = vec![
        "webhook",
        "verify",
        "--secret-file",
        s,
        "--now",
        "1649367600",
    ];
    args.extend(headers.iter().map(String::as_str));
    let ok = run(&args, body);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains("msg_27UH4WbU6Z5A5EzD8u03UvzRbpk"));
    // A tampered body and a late clock: exit 1, with the reason.
    let bad = run(&args, "{}");
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("no signature matches"),
        "{}",
        bad.stderr
    );
    let mut late = args.clone();
    late[5] = "1649368000";
    let r = run(&late, body);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("timestamp too old"));
    // A body from a file, --json, the default id and timestamp.
    let file = dir.path().join("body.bin");
    std::fs::write(&file, [0xffu8, 0, 0x80, b'\n']).unwrap();
    let r = run(
        &[
            "--json",
            "webhook",
            "sign",
            "--secret-file",
            s,
            "-i",
            file.to_str().unwrap(),
        ],
        "",
    );
    let v = json(&r);
    assert!(v["webhook-id"].as_str().unwrap().starts_with("msg_"));
    let hs: Vec<String> = ["webhook-id", "webhook-timestamp", "webhook-signature"]
        .iter()
        .map(|n| format!("--header={n}: {}", v[n].as_str().unwrap()))
        .collect();
    let mut args = vec![
        "--json",
        "webhook",
        "verify",
        "--secret-file",
        s,
        "-i",
        file.to_str().unwrap(),
    ];
    args.extend(hs.iter().map(String::as_str));
    let r = run(&args, "");
    assert_eq!(json(&r)["valid"], true, "{}", r.stderr);
    // A weak secret is invalid (1); a missing file is usage (2).
    let weak = dir.path().join("weak");
    std::fs::write(&weak, "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0").unwrap();
    let r = run(
        &["webhook", "sign", "--secret-file", weak.to_str().unwrap()],
        "x",
    );
    assert_eq!(r.code, 1);
    assert!(!r.stderr.contains("c2VjcmV0"));
    assert_eq!(
        run(&["webhook", "sign", "--secret-file", "/nonexistent"], "x").code,
        2
    );

    // Stripe and GitHub, from the committed fixtures.
    let stripe: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{FIX}webhook/stripe.json")).unwrap(),
    )
    .unwrap();
    let c = &stripe[0];
    let sf = dir.path().join("stripe");
    std::fs::write(&sf, c["secret"].as_str().unwrap()).unwrap();
    let body = String::from_utf8(base64_decode(c["body_b64"].as_str().unwrap())).unwrap();
    let header = format!(
        "--header=Stripe-Signature: {}",
        c["header"].as_str().unwrap()
    );
    let now = (c["timestamp"].as_u64().unwrap() + 5).to_string();
    let r = run(
        &[
            "webhook",
            "verify",
            "--scheme",
            "stripe",
            "--secret-file",
            sf.to_str().unwrap(),
            &header,
            "--now",
            &now,
        ],
        &body,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let github: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{FIX}webhook/github.json")).unwrap(),
    )
    .unwrap();
    let c = &github[0];
    let gf = dir.path().join("github");
    std::fs::write(&gf, c["secret"].as_str().unwrap()).unwrap();
    let body = String::from_utf8(base64_decode(c["body_b64"].as_str().unwrap())).unwrap();
    let header = format!(
        "--header=X-Hub-Signature-256: {}",
        c["header"].as_str().unwrap()
    );
    let r = run(
        &[
            "webhook",
            "verify",
            "--scheme",
            "github",
            "--secret-file",
            gf.to_str().unwrap(),
            &header,
        ],
        &body,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &[
            "webhook",
            "verify",
            "--scheme",
            "github",
            "--secret-file",
            gf.to_str().unwrap(),
            &header,
        ],
        "other",
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        run(
            &[
                "webhook",
                "verify",
                "--secret-file",
                s,
                "--header",
                "no colon"
            ],
            ""
        )
        .code,
        2
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn turn_credentials_and_outbound_urls() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("turn");
    let turn: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{FIX}webhook/turn.json")).unwrap())
            .unwrap();
    std::fs::write(&secret, turn[0]["secret"].as_str().unwrap()).unwrap();
    let r = run(
        &[
            "turn",
            "credentials",
            "--secret-file",
            secret.to_str().unwrap(),
            "--user",
            "alice",
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["ttl"], 3600);
    let username = v["username"].as_str().unwrap();
    assert!(username.ends_with(":alice"));
    // The password is HMAC-SHA1 of the username, as the relay computes it.
    let s = seckit::webhook::TurnSecret::new(&turn[0]["secret"].as_str().unwrap().into()).unwrap();
    let relay = seckit::webhook::TurnVerifier::new([s]).unwrap();
    assert_eq!(
        relay
            .verify(username, v["password"].as_str().unwrap())
            .unwrap(),
        "alice"
    );
    let r = run(
        &[
            "turn",
            "credentials",
            "--secret-file",
            secret.to_str().unwrap(),
            "--user",
            "al:ice",
        ],
        "",
    );
    assert_eq!(r.code, 1);
    let r = run(
        &[
            "turn",
            "credentials",
            "--secret-file",
            secret.to_str().unwrap(),
            "--user",
            "a",
            "--ttl",
            "86401",
        ],
        "",
    );
    assert_eq!(r.code, 1);

    let r = run(&["validate", "outbound-url", "HTTPS://Example.com/x"], "");
    assert_eq!((r.code, r.stdout.trim()), (0, "https://example.com/x"));
    for bad in [
        "https://0x7f.1/",
        "http://example.com/",
        "https://169.254.169.254/",
    ] {
        let r = run(&["validate", "outbound-url", bad], "");
        assert_eq!(r.code, 1, "{bad}");
        assert!(r.stderr.starts_with("seckit: url."), "{}", r.stderr);
    }
    assert_eq!(
        run(
            &[
                "validate",
                "outbound-url",
                "--allow-http",
                "http://example.com/"
            ],
            ""
        )
        .code,
        0
    );
    let r = run(
        &[
            "--json",
            "validate",
            "outbound-url",
            "--resolve",
            "https://8.8.8.8/",
        ],
        "",
    );
    assert_eq!(json(&r)["addresses"], serde_json::json!(["8.8.8.8:443"]));
}
