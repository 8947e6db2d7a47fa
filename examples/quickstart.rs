//! A two-minute tour of seckit's default modules, in the order a service
//! meets them: configuration at startup, secrets and API keys, passwords,
//! JWTs, envelope encryption, input validation and audit events. Each step prints what it
//! did, with every secret masked, and shows one mistake being refused.
//!
//! Run it with `cargo run --example quickstart`.
//!
//! The fixed values below are samples, labelled as such; a real service
//! reads them from its environment with `Loader::from_env()`. The tour
//! checks itself at the end: nothing secret it handled may appear in what it
//! printed (`.ci/run` checks the same from outside, and its exit code).

#![allow(clippy::print_stdout)] // printing is this example's job

use seckit::config::Loader;
use seckit::random::{self, ApiKey, ApiKeyHash};
use seckit::{ErrorKind, SecretString, mask};

fn main() -> seckit::Result<()> {
    let mut tour = Tour::default();

    // --- Startup: configuration, read fail-fast and reported masked.
    tour.section("configuration");
    let sample_jwt_secret = random::secret(64)?; // what `seckit secret generate --bytes 64` prints
    let sample_env = [
        ("JWT_SECRET", sample_jwt_secret.expose_secret().as_str()),
        ("JWT_SECRET_ENCODING", "base64url"),
        ("JWT_ISSUER", "https://auth.example"),
        (
            "DATABASE_URL",
            "postgres://app:sample-db-password@db.internal:5432/app",
        ),
        ("SMTP_PASSWORD", "sample-smtp-password"),
    ];
    tour.secret(sample_jwt_secret.expose_secret());
    tour.secret("sample-db-password");
    tour.secret("sample-smtp-password");
    let mut cfg = Loader::from_vars(sample_env);
    let database_url = cfg.required_value("DATABASE_URL")?;
    let smtp = cfg.required_secret("SMTP_PASSWORD")?;
    let port = cfg.value_or("PORT", "8080")?;
    tour.say(format!("startup report: {}", cfg.report()));
    tour.say(format!(
        "the DSN's setting, debug-printed: {database_url:?}"
    ));
    tour.say(format!(
        "the SMTP password, debug-printed: {:?}",
        smtp.value()
    ));
    tour.say(format!("listening on port {}", port.value()));
    match Loader::from_vars([("PORT", "8080")]).required_secret("SESSION_KEY") {
        Err(e) if e.kind() == ErrorKind::Configuration => tour.say(format!("refused: {e}")),
        other => tour.say(format!("unexpected: {other:?}")),
    }

    // --- Random secrets and API keys: show the key once, store the hash.
    tour.section("random values and API keys");
    let session_id = random::token_id()?;
    tour.secret(session_id.expose_secret());
    tour.say(format!(
        "new session id {}",
        mask::token(session_id.expose_secret())
    ));
    let (key, stored_hash) = ApiKey::generate("sk_live")?.into_parts();
    tour.secret(key.expose_secret());
    tour.say(format!(
        "issued API key {} (the database keeps only {stored_hash})",
        mask::token(key.expose_secret())
    ));
    let presented = key.expose_secret().as_str();
    tour.say(format!(
        "a request's key, looked up by its hash, finds the row: {}",
        ApiKeyHash::of(presented)? == stored_hash
    ));
    if let Err(e) = ApiKey::verify("sk_live_forged-key-sample", &stored_hash) {
        tour.say(format!(
            "a forged key: log `{e}`, client {} {:?}",
            e.kind().http_status(),
            e.public_message()
        ));
    }

    // --- Passwords: Argon2id for new hashes, bcrypt upgraded at login.
    tour.section("passwords");
    let hasher = seckit::password::PasswordHasher::new();
    let password = SecretString::from("sample passphrase, not real");
    tour.secret(password.expose_secret());
    let stored = hasher.hash(&password)?;
    tour.say(format!(
        "registration stores {}…",
        stored.get(..31).unwrap_or(&stored)
    ));
    // A row still holding a bcrypt hash from an older system (cost 10 here
    // to keep the tour quick; the hasher upgrades it either way).
    let legacy = bcrypt::hash(password.expose_secret(), 10)
        .map_err(|_| seckit::Error::from(seckit::Violation::new("sample_bcrypt", "failed")))?;
    let verified = hasher.verify_and_upgrade(&password, &legacy)?;
    tour.say(format!(
        "login against the bcrypt row succeeds and returns its replacement: {}…",
        verified
            .rehash()
            .and_then(|h| h.get(..16))
            .unwrap_or("none")
    ));
    if let Err(e) = hasher.verify(&SecretString::from("wrong guess"), &stored) {
        tour.say(format!(
            "a wrong password: log `{e}`, client {:?}",
            e.public_message()
        ));
    }

    // --- JWTs: the configuration refuses weak secrets before any token.
    tour.section("JWT");
    let weak =
        seckit::jwt::JwtConfig::from_loader(&mut Loader::from_vars([("JWT_SECRET", "changeme")]));
    if let Err(e) = weak {
        tour.say(format!("JWT_SECRET=changeme is refused: {e}"));
    }
    let jwt = seckit::jwt::JwtConfig::from_loader(&mut cfg)?;
    tour.say(format!("JWT configuration: {jwt}"));
    let token = jwt
        .issuer()?
        .issue_for("user-42", &serde_json::json!({"role": "admin"}))?;
    tour.secret(&token);
    let verified = jwt.verifier().verify::<serde_json::Value>(&token)?;
    tour.say(format!(
        "issued {} for {}; it verifies, role {}",
        mask::token(&token),
        verified.registered.sub.as_deref().unwrap_or("?"),
        verified
            .claims
            .get("role")
            .unwrap_or(&serde_json::Value::Null)
    ));
    let mut tampered = token.clone().into_bytes();
    if let Some(last) = tampered.last_mut() {
        *last = if *last == b'A' { b'B' } else { b'A' };
    }
    let tampered = String::from_utf8(tampered).unwrap_or_default();
    if let Err(e) = jwt.verifier().verify::<serde_json::Value>(&tampered) {
        tour.say(format!(
            "the same token with one character changed: log `{e}`, client {:?}",
            e.public_message()
        ));
    }

    // --- Envelopes: anyone with the public key seals, only the key opens.
    tour.section("envelope encryption");
    let started = std::time::Instant::now();
    let private = seckit::envelope::PrivateKey::generate_bits(3072)?;
    tour.say(format!(
        "generated an RSA-3072 key pair in {} ms: {private:?}",
        started.elapsed().as_millis()
    ));
    let record = "card 4242 4242 4242 4242 (sample)";
    tour.secret(record);
    let sealed =
        seckit::envelope::seal(&[private.public_key()], record.as_bytes(), b"customer:42")?;
    tour.say(format!(
        "sealed a card number for customer 42 into {} bytes",
        sealed.len()
    ));
    let keyring = seckit::envelope::Keyring::from(private);
    let opened = seckit::envelope::open(&keyring, &sealed, b"customer:42")?;
    tour.say(format!(
        "opened with the private key: {} bytes, matching: {}",
        opened.expose_secret().len(),
        opened == record.as_bytes()
    ));
    let mut tampered = sealed.clone();
    if let Some(byte) = tampered.get_mut(sealed.len() - 20) {
        *byte ^= 0x01; // in the encrypted payload
    }
    if let Err(e) = seckit::envelope::open(&keyring, &tampered, b"customer:42") {
        tour.say(format!("one flipped bit: refused, log `{e}`"));
    }
    if let Err(e) = seckit::envelope::open(&keyring, &sealed, b"customer:43") {
        tour.say(format!("presented as customer 43's: refused, log `{e}`"));
    }

    // --- Input: a request's fields, every violation reported at once.
    tour.section("input validation");
    use seckit::validate::{Email, Report, Text, Username};
    let mut report = Report::new();
    let username = report.check(Username::parse("ada lovelace"));
    let email = report.check_field("contact", Email::parse("ada@@example.org"));
    let bio = report.check(Text::parse("hi\u{202E}txt.exe"));
    let codes: Vec<String> = report.violations().iter().map(|v| v.code()).collect();
    tour.say(format!(
        "a bad sign-up form: {} fields refused, codes {codes:?} (never the values)",
        codes.len()
    ));
    let _ = (username, email, bio);
    let good = Username::parse("Ada_Lovelace")?;
    tour.say(format!(
        "a good username {good}, stored under its unique key {}",
        good.unique_key()
    ));

    // --- Audit: security events in the OWASP vocabulary, no free text.
    tour.section("audit events");
    use seckit::audit::{Event, EventKind};
    // A user name with a line break cannot forge a second log line.
    let event = Event::new(EventKind::AuthnLoginFail)
        .user("user-42\nauthn_login_success:admin")
        .source_ip(std::net::IpAddr::from([203, 0, 113, 9]))
        .route("/login")
        .reason("mismatch");
    event.emit(); // through tracing (target seckit::audit) with the `tracing` feature
    tour.say(format!("a failed login, as one log line: {event}"));

    tour.finish()
}

/// Prints the tour, and remembers what it printed and which secrets it
/// handled, so that [`Tour::finish`] can check that none leaked.
#[derive(Default)]
struct Tour {
    printed: String,
    secrets: Vec<SecretString>,
}

impl Tour {
    fn section(&mut self, title: &str) {
        self.say(format!("\n== {title}"));
    }

    fn say(&mut self, line: String) {
        println!("{line}");
        self.printed.push_str(&line);
        self.printed.push('\n');
    }

    fn secret(&mut self, value: &str) {
        self.secrets.push(SecretString::from(value));
    }

    /// Fails if any secret, or any 12-character piece of one, was printed.
    fn finish(self) -> seckit::Result<()> {
        let leaked = self.secrets.iter().any(|s| {
            let chars: Vec<char> = s.expose_secret().chars().collect();
            chars.windows(12.min(chars.len())).any(|w| {
                let piece: String = w.iter().collect();
                self.printed.contains(&piece)
            })
        });
        if leaked {
            println!("\nA SECRET WAS PRINTED: this is a bug in seckit or in this example.");
            return Err(seckit::Error::from(seckit::Violation::new(
                "quickstart",
                "leaked_a_secret",
            )));
        }
        println!(
            "\nnone of the {} secrets handled above was printed",
            self.secrets.len()
        );
        Ok(())
    }
}
