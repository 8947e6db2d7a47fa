//! The whole story in one service: accounts with Argon2id (and bcrypt rows
//! upgraded at login), JWT access tokens, device tokens stored as hashes,
//! notes sealed to the service's public key, every failure audited.
//!
//! ```text
//! JWT_SECRET=$(cargo run -q --features cli --bin seckit -- secret generate) \
//!     cargo run --example web_service --features axum,ratelimit,redis,webhook,web,session
//! ```
//!
//! Settings: `JWT_*` (see `seckit::jwt::JwtConfig`; a weak or missing
//! `JWT_SECRET` stops the service before it binds), `DATABASE_URL`
//! (default `sqlite://seckit-demo.db`), `BIND` (default `127.0.0.1:3000`),
//! `NOTES_KEY_FILE` (default `seckit-demo-notes.pem`, created with mode
//! 0600 on first start); rate limits: `LOGIN_MAX_FAILURES` (default 5 per
//! 15 minutes per account, then a cool-off), `RATE_LIMIT_PER_IP` (default
//! 100 per minute for the whole API), `RATE_LIMIT_FAIL_MODE` (`closed`,
//! `open` or `local`; default `closed`), `REDIS_URL` (limits shared by
//! every instance; unset, each instance counts alone and says so),
//! `TRUSTED_PROXIES`; `CSRF_KEY` (and `CSRF_KEY_PREVIOUS`) for the browser
//! pages' tokens; `SESSION_CAP` (default 5: live sessions and refresh
//! tokens per user, the oldest evicted beyond it). Routes: docs/web.md,
//! "The example service"; the browser pages and their defences:
//! docs/web-security.md; sessions: docs/sessions.md.

#![allow(clippy::print_stdout, clippy::print_stderr)] // startup lines are this program's job

mod app;

use std::net::SocketAddr;
use std::path::Path;

use seckit::SecretString;
use seckit::config::Loader;
use seckit::envelope::PrivateKey;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    if let Err(e) = run().await {
        // seckit errors name the setting, never its value.
        eprintln!("web_service: {e}");
        std::process::exit(2);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Every setting is checked before anything is created or bound.
    let config = app::Config::from_loader(&mut Loader::from_env())?;
    let notes_key = notes_key(Path::new(&config.notes_key_file))?;
    let bind = config.bind;
    println!("configuration:\n{}", config.report);
    println!("jwt: {}", config.jwt);
    println!("{}", config.limits_summary());
    println!(
        "webhooks: POST /webhooks/incoming {}; GET /turn {}",
        if config.webhook_secret.is_some() {
            "verifies with WEBHOOK_SECRET"
        } else {
            "off (WEBHOOK_SECRET unset)"
        },
        if config.turn_secret.is_some() {
            "issues with TURN_SECRET"
        } else {
            "off (TURN_SECRET unset)"
        },
    );
    println!(
        "browser pages: GET /, POST /session, POST /profile; CSRF tokens signed with {}",
        if config.csrf_configured {
            "CSRF_KEY"
        } else {
            "a random key for this process (CSRF_KEY unset: tokens die on restart and differ between instances)"
        }
    );
    println!(
        "sessions: in the database file (seckit::session, SQLite); at most {} per user, the oldest evicted; \
         POST /token/refresh, /logout, /logout/all, GET /sessions",
        config.session_cap
    );
    let router = app::build(config, notes_key).await?;
    let listener = tokio::net::TcpListener::bind(bind).await?;
    println!("listening on http://{}", listener.local_addr()?);
    seckit::audit::Event::new(seckit::audit::EventKind::SysStartup).emit();
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    seckit::audit::Event::new(seckit::audit::EventKind::SysShutdown).emit();
    Ok(())
}

/// The notes key from `path`, or a new one written there (mode 0600,
/// refusing to overwrite) on first start.
fn notes_key(path: &Path) -> Result<PrivateKey, Box<dyn std::error::Error>> {
    if path.exists() {
        let pem = SecretString::from(std::fs::read_to_string(path)?);
        return Ok(PrivateKey::from_pem(&pem, None)?);
    }
    let key = PrivateKey::generate()?;
    let pem = key.to_pem(None)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    std::io::Write::write_all(&mut file, pem.expose_secret().as_bytes())?;
    file.sync_all()?;
    println!("notes key created at {}", path.display());
    Ok(key)
}
