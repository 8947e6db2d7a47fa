//! The service itself: configuration, database, routes and handlers.
//! `main.rs` starts it; `tests/web_service.rs` drives it over real HTTP.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Form, FromRef, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use seckit::audit::EventKind;
use seckit::axum::{
    ApiError, Authenticated, Checker, CsrfVerified, HasRoles, KeyBy, RateLimit, RequestContext,
    Session, ValidJson, Validate, clear_session_cookie, csrf, rate_limit, security_headers,
    session_cookie,
};
use seckit::config::{Loader, Report};
use seckit::envelope::{Keyring, PrivateKey, PublicKey};
use seckit::jwt::{Issuer, JwtConfig, TokenSpec, Verifier};
use seckit::net::{ClientIp, ClientIpConfig};
use seckit::password::{AsyncHasher, PasswordHasher, PasswordPolicy};
use seckit::random::{ApiKey, ApiKeyHash};
use seckit::ratelimit::{FailMode, LoginGuard, LoginPolicy, Policy, Quota, RateLimiter};
use seckit::session::{CapPolicy, Issued, NewSession, SessionConfig, SessionManager, SessionStore};
use seckit::store::Redis;
use seckit::validate::{Email, OutboundUrl, PositiveId, Text, TextOptions, Username};
use seckit::web::{Cookie, CspNonce, CsrfKeys, CsrfProtection, SecurityHeaders};
use seckit::webhook::{self, ReplayGuard, StandardSecret, TurnCredentials, TurnSecret};
use seckit::{AuthReason, Error, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

/// Everything the service needs, read and checked before it binds.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) jwt: JwtConfig,
    pub(crate) database_url: String,
    pub(crate) bind: SocketAddr,
    /// Where the key notes are sealed to is kept (`NOTES_KEY_FILE`).
    pub(crate) notes_key_file: String,
    pub(crate) hasher: PasswordHasher,
    /// `LOGIN_MAX_FAILURES`: failures per 15 minutes per account (and per
    /// account and address) before the cool-off.
    pub(crate) login: LoginPolicy,
    /// `RATE_LIMIT_PER_IP`: requests per minute per client for the whole API.
    pub(crate) per_ip: Quota,
    /// `RATE_LIMIT_FAIL_MODE`: what the limits do while Redis is down.
    pub(crate) fail_mode: FailMode,
    /// `REDIS_URL`: limits shared by every instance; unset, in process.
    pub(crate) redis_url: Option<SecretString>,
    /// `REDIS_PREFIX`: the key prefix on a shared Redis (default `seckit-demo`).
    pub(crate) redis_prefix: String,
    /// `TRUSTED_PROXIES`, `TRUSTED_PROXY_HEADER`: whose forwarding headers
    /// are believed.
    pub(crate) client_ip: ClientIpConfig,
    /// `WEBHOOK_SECRET` (`whsec_…`): deliveries to `POST /webhooks/incoming`
    /// are verified with it; unset, that route answers 404.
    pub(crate) webhook_secret: Option<StandardSecret>,
    /// `TURN_SECRET`: the TURN server's shared secret for `GET /turn`;
    /// unset, that route answers 404.
    pub(crate) turn_secret: Option<TurnSecret>,
    /// `TURN_TTL`: seconds the TURN credentials live (default 3600).
    pub(crate) turn_ttl: Duration,
    /// `CSRF_KEY` (and `CSRF_KEY_PREVIOUS` during a rotation): signs the
    /// pages' CSRF tokens; unset, a random key for this process (tokens
    /// then die with it and differ between instances: set it in
    /// production).
    pub(crate) csrf: CsrfKeys,
    /// Whether `csrf` came from `CSRF_KEY`.
    pub(crate) csrf_configured: bool,
    /// `SESSION_CAP`: live sessions and refresh tokens per user (default
    /// 5); a login beyond it evicts the oldest.
    pub(crate) session_cap: u32,
    pub(crate) report: Report,
}

impl Config {
    /// Reads `JWT_*` (a weak or missing `JWT_SECRET` is refused here),
    /// `DATABASE_URL` (default `sqlite://seckit-demo.db`), `BIND` (default
    /// `127.0.0.1:3000`) and `NOTES_KEY_FILE` (default
    /// `seckit-demo-notes.pem`), before anything is created.
    pub(crate) fn from_loader(loader: &mut Loader) -> seckit::Result<Self> {
        let mut jwt = JwtConfig::from_loader(loader)?;
        if jwt.audiences().is_empty() {
            jwt = jwt.with_audience("seckit-demo")?;
        }
        let database_url = loader
            .value_or("DATABASE_URL", "sqlite://seckit-demo.db")?
            .into_value();
        let bind = loader.value_or("BIND", "127.0.0.1:3000")?;
        let bind = bind
            .value()
            .parse()
            .map_err(|_| Error::invalid("BIND", "not_a_socket_address"))?;
        let notes_key_file = loader
            .value_or("NOTES_KEY_FILE", "seckit-demo-notes.pem")?
            .into_value();
        let max_failures = number(loader, "LOGIN_MAX_FAILURES", "5")?;
        let login = LoginPolicy::with_max_failures(max_failures)?;
        let per_ip = Quota::per_minute(number(loader, "RATE_LIMIT_PER_IP", "100")?)
            .map_err(|_| Error::invalid("RATE_LIMIT_PER_IP", "outside_1_to_1000000"))?;
        let fail_mode =
            FailMode::parse(loader.value_or("RATE_LIMIT_FAIL_MODE", "closed")?.value())?;
        let redis_url = loader.secret("REDIS_URL")?.map(|s| s.into_value());
        let redis_prefix = loader.value_or("REDIS_PREFIX", "seckit-demo")?.into_value();
        let client_ip = ClientIpConfig::from_loader(loader)?;
        let webhook_secret = match loader.secret("WEBHOOK_SECRET")? {
            Some(s) => Some(StandardSecret::parse(s.value())?),
            None => None,
        };
        let turn_secret = match loader.secret("TURN_SECRET")? {
            Some(s) => Some(TurnSecret::new(s.value())?),
            None => None,
        };
        let turn_ttl = Duration::from_secs(number(loader, "TURN_TTL", "3600")?.into());
        let (csrf, csrf_configured) = match loader.secret("CSRF_KEY")? {
            Some(_) => (CsrfKeys::from_loader(loader)?, true),
            None => (CsrfKeys::new(&seckit::random::secret(32)?)?, false),
        };
        let session_cap = number(loader, "SESSION_CAP", "5")?;
        Ok(Self {
            jwt,
            database_url,
            bind,
            notes_key_file,
            hasher: PasswordHasher::new(),
            login,
            per_ip,
            fail_mode,
            redis_url,
            redis_prefix,
            client_ip,
            webhook_secret,
            turn_secret,
            turn_ttl,
            csrf,
            csrf_configured,
            session_cap,
            report: loader.report().clone(),
        })
    }

    /// The rate-limit policy, for the startup lines.
    pub(crate) fn limits_summary(&self) -> String {
        let store = if self.redis_url.is_some() {
            format!(
                "redis, shared by every instance (fail mode {})",
                self.fail_mode
            )
        } else {
            "in process: REDIS_URL is not set, so each instance counts alone".to_owned()
        };
        let l = &self.login;
        format!(
            "rate limits: API {} per client IP; login: {} per account and per (account, IP), \
             {} per IP, then a {} s cool-off doubling up to {} s; trusted proxies: {}; store: {store}",
            self.per_ip,
            l.account.failures(),
            l.ip.failures(),
            l.account.cool_off().as_secs(),
            l.account.max().as_secs(),
            self.client_ip.trusted(),
        )
    }
}

fn number(loader: &mut Loader, name: &'static str, default: &str) -> seckit::Result<u32> {
    loader
        .value_or(name, default)?
        .value()
        .parse()
        .map_err(|_| Error::invalid(name, "not_a_number"))
}

/// The router state: each field is extractable on its own (`FromRef`).
#[derive(Clone, Debug, FromRef)]
pub(crate) struct AppState {
    pub(crate) verifier: Arc<Verifier>,
    pub(crate) issuer: Arc<Issuer>,
    pub(crate) hasher: AsyncHasher,
    pub(crate) policy: Arc<PasswordPolicy>,
    pub(crate) db: SqlitePool,
    pub(crate) notes: Arc<Notes>,
    pub(crate) login_guard: LoginGuard,
    pub(crate) incoming: Option<Arc<Incoming>>,
    pub(crate) turn: Option<Arc<Turn>>,
    pub(crate) csrf: CsrfProtection,
    pub(crate) headers: Presets,
    /// Browser sessions and refresh tokens, on the service's SQLite.
    pub(crate) sessions: SessionManager,
}

/// The security headers: `html` for pages, `api` for the rest (both with
/// the trusted proxies, which tell when to send HSTS).
#[derive(Clone, Debug)]
pub(crate) struct Presets {
    html: SecurityHeaders,
    api: SecurityHeaders,
}

/// `POST /webhooks/incoming`: the verifier and the replay guard (on Redis
/// when the limits are, so every instance accepts a delivery once).
#[derive(Debug)]
pub(crate) struct Incoming {
    verifier: webhook::Verifier,
    guard: ReplayGuard,
}

/// `GET /turn`: the shared secret and the lifetime.
#[derive(Debug)]
pub(crate) struct Turn {
    secret: TurnSecret,
    ttl: Duration,
}

/// The notes key: its public half seals, the keyring opens.
#[derive(Debug)]
pub(crate) struct Notes {
    public: PublicKey,
    keyring: Keyring,
}

/// The access token's claims: `sub` (the user id) and the role.
#[derive(Serialize, Deserialize)]
pub(crate) struct Claims {
    pub(crate) sub: String,
    pub(crate) role: String,
}

impl HasRoles for Claims {
    fn has_role(&self, role: &str) -> bool {
        self.role == role
    }
}

/// Opens the database (creating the file and tables when missing) and
/// builds the router; notes are sealed to `notes_key`'s public half.
pub(crate) async fn build(
    config: Config,
    notes_key: PrivateKey,
) -> Result<Router, Box<dyn std::error::Error>> {
    let options = SqliteConnectOptions::from_str(&config.database_url)?.create_if_missing(true);
    let db = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    for statement in SCHEMA {
        sqlx::query(statement).execute(&db).await?;
    }
    let mut keyring = Keyring::new();
    let public = notes_key.public_key().clone();
    keyring.add(notes_key)?;
    // One Redis for both limits when REDIS_URL is set; otherwise this
    // process alone.
    let api = Policy::new("api", config.per_ip)?;
    let redis = match &config.redis_url {
        Some(url) => Some(Redis::connect(url, &config.redis_prefix).await?),
        None => None,
    };
    let (login_guard, api): (LoginGuard, RateLimiter) = match &redis {
        Some(redis) => (
            LoginGuard::shared(config.login, redis, config.fail_mode)?,
            api.shared(redis, config.fail_mode),
        ),
        None => (LoginGuard::local(config.login)?, api.local().into()),
    };
    let incoming = match config.webhook_secret {
        Some(secret) => {
            let verifier = webhook::Verifier::new(secret);
            let guard = match &redis {
                Some(redis) => ReplayGuard::shared(redis, verifier.tolerance())?,
                None => ReplayGuard::local(verifier.tolerance())?,
            };
            Some(Arc::new(Incoming { verifier, guard }))
        }
        None => None,
    };
    let turn = config.turn_secret.map(|secret| {
        Arc::new(Turn {
            secret,
            ttl: config.turn_ttl,
        })
    });
    let limit = RateLimit::new(api, config.client_ip.clone(), KeyBy::Ip);
    // Sessions beside the service's tables, in the same SQLite file.
    let sessions = SessionManager::new(
        SessionStore::sqlite(db.clone()).await?,
        SessionConfig::new().cap(config.session_cap, CapPolicy::EvictOldest),
    )?;
    let state = AppState {
        verifier: Arc::new(config.jwt.verifier()),
        issuer: Arc::new(config.jwt.issuer()?),
        hasher: AsyncHasher::new(config.hasher)?,
        policy: Arc::new(PasswordPolicy::default()),
        db,
        notes: Arc::new(Notes { public, keyring }),
        login_guard,
        incoming,
        turn,
        csrf: CsrfProtection::new(config.csrf),
        headers: Presets {
            html: SecurityHeaders::html().with_client_ip_config(config.client_ip.clone()),
            api: SecurityHeaders::api().with_client_ip_config(config.client_ip.clone()),
        },
        sessions,
    };
    Ok(router(state).layer(middleware::from_fn_with_state(limit, rate_limit)))
}

const SCHEMA: [&str; 5] = [
    "CREATE TABLE IF NOT EXISTS users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,
        username_key TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'user')",
    "CREATE TABLE IF NOT EXISTS devices (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        token_hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS notes (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        envelope BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS webhook_endpoints (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        url TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS profiles (
        user_id INTEGER PRIMARY KEY REFERENCES users(id),
        display_name TEXT NOT NULL)",
];

pub(crate) fn router(state: AppState) -> Router {
    // Both CSRF checks on every route (a Bearer or webhook client sends no
    // cookie and no Origin, so passes them), inside the security headers
    // so a refusal carries them too: `html` for pages, `api` for the rest.
    let csrf_layer = middleware::from_fn_with_state(state.csrf.clone(), csrf);
    let pages = Router::new()
        .route("/", get(home))
        .route("/session", post(new_session))
        .route("/session/logout", post(end_session))
        .route("/profile", post(update_profile))
        .layer(csrf_layer.clone())
        .layer(middleware::from_fn_with_state(
            state.headers.html.clone(),
            security_headers,
        ));
    let api = Router::new()
        .route("/register", post(register))
        .route("/login", post(login))
        .route("/token/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/logout/all", post(logout_all))
        .route("/sessions", get(list_sessions))
        .route("/me", get(me))
        .route("/admin", get(admin))
        .route("/profile", get(profile))
        .route("/devices", post(new_device))
        .route("/devices/hello", post(device_hello))
        .route("/notes", post(new_note))
        .route("/notes/{id}", get(read_note))
        .route("/webhooks/incoming", post(webhook_incoming))
        .route("/webhooks/endpoints", post(new_webhook_endpoint))
        .route("/turn", get(turn_credentials))
        // Unknown paths too get the `api` headers.
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(csrf_layer)
        .layer(middleware::from_fn_with_state(
            state.headers.api.clone(),
            security_headers,
        ));
    pages.merge(api).with_state(state)
}

/// A database failure: logged with its cause, answered as a bare 500.
fn db_error(e: sqlx::Error) -> ApiError {
    tracing::error!(error = %e, "database");
    Error::internal("database").into()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"error": "not found"})),
    )
        .into_response()
}

// ------------------------------------------------------------- /register

#[derive(Deserialize)]
struct Register {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    password: Option<SecretString>,
}

impl Validate for Register {
    fn validate(&self, check: &mut Checker) {
        check.field("username", Username::parse(&self.username));
        check.field("email", Email::parse(&self.email));
        match &self.password {
            None => check.rule("password", false, "required"),
            Some(password) => {
                for v in PasswordPolicy::default().violations(
                    password,
                    Some(&self.username),
                    Some(&self.email),
                ) {
                    check.violation("password", v);
                }
            }
        }
    }
}

async fn register(
    State(db): State<SqlitePool>,
    State(hasher): State<AsyncHasher>,
    ValidJson(body): ValidJson<Register>,
) -> Result<Response, ApiError> {
    // Parsed again to get the types: the rules above already passed.
    let username = Username::parse(&body.username)?;
    let email = Email::parse(&body.email)?;
    let password = body
        .password
        .ok_or(Error::invalid("password", "required"))?;
    let hash = hasher.hash(&password).await?;
    let inserted = sqlx::query(
        "INSERT INTO users (username, username_key, email, password_hash) VALUES (?, ?, ?, ?)",
    )
    .bind(username.as_str())
    .bind(username.unique_key().as_str())
    .bind(email.as_str())
    .bind(&hash)
    .execute(&db)
    .await;
    match inserted {
        Ok(done) => {
            let id = done.last_insert_rowid();
            seckit::audit::Event::new(EventKind::UserCreated)
                .user(&id.to_string())
                .route("/register")
                .emit();
            Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
        }
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok((
            StatusCode::CONFLICT,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({"error": "username taken"})),
        )
            .into_response()),
        Err(e) => Err(db_error(e)),
    }
}

// ---------------------------------------------------------------- /login

#[derive(Deserialize)]
struct Login {
    #[serde(default)]
    username: String,
    password: Option<SecretString>,
}

impl Validate for Login {
    fn validate(&self, check: &mut Checker) {
        check.rule("username", !self.username.is_empty(), "empty");
        check.rule("username", self.username.len() <= 256, "too_long");
        check.rule("password", self.password.is_some(), "required");
    }
}

/// The password check of `POST /login` and `POST /session`: the lockout
/// first (a locked login costs nothing), the same cost and the same 401
/// for an unknown user as for a wrong password, the hash upgraded on
/// success. Answers the user id and role.
async fn check_password(
    db: &SqlitePool,
    hasher: &AsyncHasher,
    guard: &LoginGuard,
    ip: ClientIp,
    username: &str,
    password: &SecretString,
    context: &RequestContext,
) -> Result<(i64, String), ApiError> {
    let name = Username::parse(username);
    // Lockout is checked before any hashing: a locked login costs nothing.
    // The account is counted by its unique key, so "Alice" and "alice"
    // share one budget.
    let account = match &name {
        Ok(n) => n.unique_key().as_str().to_owned(),
        Err(_) => username.to_owned(),
    };
    let attempt = guard
        .check(&account, ip)
        .await
        .map_err(|e| ApiError::new(e, context.clone()))?;
    // A name that is not a valid username cannot exist: same path as unknown.
    let row: Option<(i64, String, String)> = match name {
        Ok(name) => {
            sqlx::query_as("SELECT id, password_hash, role FROM users WHERE username_key = ?")
                .bind(name.unique_key().as_str())
                .fetch_optional(db)
                .await
                .map_err(db_error)?
        }
        Err(_) => None,
    };
    let Some((id, stored, role)) = row else {
        // Same cost and same 401 as a wrong password; no user in the event.
        let refused = hasher.dummy_verify(password).await;
        guard.failed(attempt).await?;
        refused.map_err(|e| ApiError::new(e, context.clone()))?;
        return Err(Error::internal("dummy_verify returned Ok").into());
    };
    let user = id.to_string();
    let verified = match hasher.verify_and_upgrade(password, &stored).await {
        Ok(v) => v,
        Err(e) => {
            if e.kind() == seckit::ErrorKind::Unauthenticated {
                guard.failed(attempt).await?;
            }
            return Err(ApiError::new(e, context.clone().with_user(&user)));
        }
    };
    guard.succeeded(attempt).await?;
    if let Some(new_hash) = verified.into_rehash() {
        // bcrypt (or weaker Argon2) row: replaced now that the password is known.
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(&new_hash)
            .bind(id)
            .execute(db)
            .await
            .map_err(db_error)?;
    }
    Ok((id, role))
}

async fn login(
    State(app): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    ValidJson(body): ValidJson<Login>,
) -> Result<Response, ApiError> {
    let context = RequestContext::new(Some("/login"), Some(ip.addr()));
    let password = body
        .password
        .ok_or(Error::invalid("password", "required"))?;
    let (id, role) = check_password(
        &app.db,
        &app.hasher,
        &app.login_guard,
        ip,
        &body.username,
        &password,
        &context,
    )
    .await?;
    let user = id.to_string();
    // A new refresh-token family per login, under the per-user cap.
    let refresh = app
        .sessions
        .create(&user, NewSession::refresh().label(user_agent(&headers)))
        .await
        .map_err(|e| ApiError::new(e, context.clone().with_user(&user)))?;
    seckit::audit::Event::new(EventKind::AuthnLoginSuccess)
        .user(&user)
        .route("/login")
        .emit();
    token_response(&app.issuer, &user, role, &refresh)
}

fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The OAuth-shaped token response: a short-lived JWT access token and the
/// refresh token that replaces it (RFC 6749 §5.1: never cached).
fn token_response(
    issuer: &Issuer,
    user: &str,
    role: String,
    refresh: &Issued,
) -> Result<Response, ApiError> {
    let issued = issuer.issue_with(
        &Claims {
            sub: user.to_owned(),
            role,
        },
        &TokenSpec::new(),
    )?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "access_token": issued.token(),
            "token_type": "Bearer",
            "expires_in": issued.expires_in().as_secs(),
            "refresh_token": refresh.token().expose_secret(),
        })),
    )
        .into_response())
}

// ------------------------------------- /token/refresh, /logout, /sessions

#[derive(Deserialize)]
struct RefreshBody {
    refresh_token: Option<SecretString>,
}

impl Validate for RefreshBody {
    fn validate(&self, check: &mut Checker) {
        check.rule("refresh_token", self.refresh_token.is_some(), "required");
    }
}

/// `POST /token/refresh`: the refresh token rotates (the old one dies); a
/// token used twice revokes its whole family and answers 401. The role is
/// read again, so a changed role reaches the next access token.
async fn refresh(
    State(db): State<SqlitePool>,
    State(issuer): State<Arc<Issuer>>,
    State(sessions): State<SessionManager>,
    ip: ClientIp,
    ValidJson(body): ValidJson<RefreshBody>,
) -> Result<Response, ApiError> {
    let context = RequestContext::new(Some("/token/refresh"), Some(ip.addr()));
    let token = body
        .refresh_token
        .ok_or(Error::invalid("refresh_token", "required"))?;
    let next = sessions
        .refresh(token.expose_secret())
        .await
        .map_err(|e| ApiError::new(e, context.clone()))?;
    let user = next.session().user().to_owned();
    let id: i64 = user
        .parse()
        .map_err(|_| Error::internal("session user id"))?;
    let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(&db)
        .await
        .map_err(db_error)?;
    let Some(role) = role else {
        // The account is gone: so are its sessions.
        sessions.revoke_all_for_user(&user).await?;
        return Err(ApiError::new(
            Error::unauthenticated(
                "refresh_token",
                AuthReason::Mismatch,
                "user no longer exists",
            ),
            context,
        ));
    };
    token_response(&issuer, &user, role, &next)
}

/// `POST /logout`: the refresh token's family ends (204, also when it had
/// already ended).
async fn logout(
    State(sessions): State<SessionManager>,
    ip: ClientIp,
    ValidJson(body): ValidJson<RefreshBody>,
) -> Result<StatusCode, ApiError> {
    let token = body
        .refresh_token
        .ok_or(Error::invalid("refresh_token", "required"))?;
    sessions
        .revoke(token.expose_secret())
        .await
        .map_err(|e| ApiError::new(e, RequestContext::new(Some("/logout"), Some(ip.addr()))))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /logout/all` (Bearer): every session and refresh token of the
/// user ends. Access tokens already issued live until their `exp` (15
/// minutes by default): keep them short.
async fn logout_all(
    State(sessions): State<SessionManager>,
    user: Authenticated<Claims>,
) -> Result<StatusCode, ApiError> {
    sessions
        .revoke_all_for_user(&user.claims.sub)
        .await
        .map_err(|e| ApiError::new(e, user.context()))?;
    Ok(StatusCode::NO_CONTENT)
}

fn unix(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `GET /sessions` (Bearer): the user's own live sessions and refresh
/// tokens, oldest first; hints and times, never a token.
async fn list_sessions(
    State(sessions): State<SessionManager>,
    user: Authenticated<Claims>,
) -> Result<Response, ApiError> {
    let list = sessions
        .list_for_user(&user.claims.sub)
        .await
        .map_err(|e| ApiError::new(e, user.context()))?;
    let list: Vec<_> = list
        .iter()
        .map(|s| {
            json!({
                "id_hint": s.id_hint(),
                "created": unix(s.created()),
                "last_seen": unix(s.last_seen()),
                "label": s.label(),
            })
        })
        .collect();
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "sessions": list })),
    )
        .into_response())
}

// ------------------------------------------------------------ /me, /admin

async fn me(
    State(db): State<SqlitePool>,
    user: Authenticated<Claims>,
) -> Result<Response, ApiError> {
    let id: i64 = user.claims.sub.parse().map_err(|_| {
        Error::unauthenticated("jwt", AuthReason::InvalidClaims, "sub is not a user id")
    })?;
    let name: Option<String> = sqlx::query_scalar("SELECT username FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(&db)
        .await
        .map_err(db_error)?;
    match name {
        Some(username) => Ok(Json(json!({ "id": id, "username": username })).into_response()),
        None => Err(ApiError::new(
            Error::unauthenticated("jwt", AuthReason::InvalidClaims, "user no longer exists"),
            user.context(),
        )),
    }
}

async fn admin(user: Authenticated<Claims>) -> Result<Json<serde_json::Value>, ApiError> {
    user.require_role("admin")?;
    Ok(Json(json!({ "admin": true })))
}

// -------------------------------------------------------------- /devices

async fn new_device(
    State(db): State<SqlitePool>,
    user: Authenticated<Claims>,
) -> Result<Response, ApiError> {
    let (token, hash) = ApiKey::generate("dev")?.into_parts();
    let device_id = seckit::random::token_id()?;
    sqlx::query("INSERT INTO devices (id, user_id, token_hash) VALUES (?, ?, ?)")
        .bind(device_id.expose_secret())
        .bind(&user.claims.sub)
        .bind(hash.to_string())
        .execute(&db)
        .await
        .map_err(db_error)?;
    user.context()
        .event(EventKind::AuthnTokenCreated)
        .reason("device_token")
        .emit();
    // Shown once; the database keeps only its hash.
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "device_id": device_id.expose_secret(),
            "device_token": token.expose_secret(),
        })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct Hello {
    #[serde(default)]
    device_id: String,
    token: Option<SecretString>,
}

impl Validate for Hello {
    fn validate(&self, check: &mut Checker) {
        check.rule(
            "device_id",
            (1..=64).contains(&self.device_id.len()),
            "length",
        );
        check.rule("token", self.token.is_some(), "required");
    }
}

async fn device_hello(
    State(db): State<SqlitePool>,
    ValidJson(body): ValidJson<Hello>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let token = body.token.ok_or(Error::invalid("token", "required"))?;
    let stored: Option<String> = sqlx::query_scalar("SELECT token_hash FROM devices WHERE id = ?")
        .bind(&body.device_id)
        .fetch_optional(&db)
        .await
        .map_err(db_error)?;
    let Some(hash) = stored.and_then(|s| ApiKeyHash::from_str(&s).ok()) else {
        return Err(
            Error::unauthenticated("device", AuthReason::Mismatch, "unknown device").into(),
        );
    };
    ApiKey::verify(token.expose_secret(), &hash)?;
    Ok(Json(json!({ "hello": body.device_id })))
}

// ---------------------------------------------------------------- /notes

#[derive(Deserialize)]
struct NewNote {
    #[serde(default)]
    text: String,
}

impl Validate for NewNote {
    fn validate(&self, check: &mut Checker) {
        check.rule("text", !self.text.is_empty(), "empty");
        check.rule("text", self.text.len() <= 16 * 1024, "too_long");
    }
}

async fn new_note(
    State(db): State<SqlitePool>,
    State(notes): State<Arc<Notes>>,
    user: Authenticated<Claims>,
    ValidJson(body): ValidJson<NewNote>,
) -> Result<Response, ApiError> {
    // Bound to its owner: a row copied to another user does not open.
    let envelope = seckit::envelope::seal(
        &[&notes.public],
        body.text.as_bytes(),
        user.claims.sub.as_bytes(),
    )?;
    let done = sqlx::query("INSERT INTO notes (user_id, envelope) VALUES (?, ?)")
        .bind(&user.claims.sub)
        .bind(envelope)
        .execute(&db)
        .await
        .map_err(db_error)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": done.last_insert_rowid() })),
    )
        .into_response())
}

async fn read_note(
    State(db): State<SqlitePool>,
    State(notes): State<Arc<Notes>>,
    user: Authenticated<Claims>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = PositiveId::parse(&id).map_err(|e| ApiError::new(e, user.context()))?;
    let row: Option<(String, Vec<u8>)> =
        sqlx::query_as("SELECT CAST(user_id AS TEXT), envelope FROM notes WHERE id = ?")
            .bind(i64::try_from(id.get()).unwrap_or(i64::MAX))
            .fetch_optional(&db)
            .await
            .map_err(db_error)?;
    match row {
        Some((owner, envelope)) if owner == user.claims.sub => {
            let text = seckit::envelope::open(&notes.keyring, &envelope, owner.as_bytes())?;
            let text = String::from_utf8(text.expose_secret().to_vec())
                .map_err(|_| Error::internal("note is not UTF-8"))?;
            Ok((
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({ "text": text })),
            )
                .into_response())
        }
        Some(_) => {
            // Someone else's note: answered as missing, recorded as a probe.
            user.context()
                .event(EventKind::MaliciousDirectReference)
                .reason("note_not_owned")
                .emit();
            Ok(not_found())
        }
        None => Ok(not_found()),
    }
}

// ------------------------------------------------------------- /webhooks

/// A Standard Webhooks delivery, verified over its raw bytes, accepted
/// once: 202 the first time; 401 for a bad signature, a timestamp outside
/// ±5 minutes or malformed headers; **409** for a delivery already
/// accepted (the sender's retry of one we took, or a replay). Refusals are
/// audited by the verifier and the guard (`authn_token_invalid`,
/// `authn_token_reuse`).
async fn webhook_incoming(
    State(incoming): State<Option<Arc<Incoming>>>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(incoming) = incoming else {
        return Ok(not_found());
    };
    let context = RequestContext::new(Some("/webhooks/incoming"), Some(ip.addr()));
    let message = incoming
        .verifier
        .verify(&headers, &body)
        .map_err(|e| ApiError::new(e, context.clone()))?;
    match incoming.guard.check(&message).await {
        Ok(()) => {}
        Err(e) if e.auth_reason() == Some(AuthReason::Replayed) => {
            return Ok((
                StatusCode::CONFLICT,
                Json(json!({"error": "already delivered"})),
            )
                .into_response());
        }
        Err(e) => return Err(ApiError::new(e, context)),
    }
    // The application's handling of the event goes here; on failure,
    // `incoming.guard.forget(&message)` lets the sender's retry in.
    Ok((StatusCode::ACCEPTED, Json(json!({"id": message.id()}))).into_response())
}

#[derive(Deserialize)]
struct NewEndpoint {
    #[serde(default)]
    url: String,
}

impl Validate for NewEndpoint {
    fn validate(&self, check: &mut Checker) {
        check.field("url", OutboundUrl::parse(&self.url));
    }
}

/// Registers a delivery URL for the user: public `https` only, checked
/// lexically and then with one DNS lookup whose every address must be
/// public (400 `url.*` otherwise). The delivery worker connects to the
/// addresses checked then, and checks again per redirect.
async fn new_webhook_endpoint(
    State(db): State<SqlitePool>,
    user: Authenticated<Claims>,
    ValidJson(body): ValidJson<NewEndpoint>,
) -> Result<Response, ApiError> {
    let url = OutboundUrl::parse(&body.url).map_err(|e| ApiError::new(e, user.context()))?;
    let resolved = tokio::task::spawn_blocking({
        let url = url.clone();
        move || url.resolve()
    })
    .await
    .map_err(|_| Error::internal("resolver task"))?
    .map_err(|e| ApiError::new(e, user.context()))?;
    let done = sqlx::query("INSERT INTO webhook_endpoints (user_id, url) VALUES (?, ?)")
        .bind(&user.claims.sub)
        .bind(url.as_str())
        .execute(&db)
        .await
        .map_err(db_error)?;
    let addrs: Vec<String> = resolved.addrs().iter().map(ToString::to_string).collect();
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": done.last_insert_rowid(), "url": url.as_str(), "addresses": addrs })),
    )
        .into_response())
}

// ------------------------------------------------------------------ /turn

/// TURN REST credentials for the user (`{expiry}:{user id}` and its
/// HMAC-SHA1), for a WebRTC client's `iceServers`.
async fn turn_credentials(
    State(turn): State<Option<Arc<Turn>>>,
    user: Authenticated<Claims>,
) -> Result<Response, ApiError> {
    let Some(turn) = turn else {
        return Ok(not_found());
    };
    let creds = TurnCredentials::issue(&turn.secret, &user.claims.sub, turn.ttl)
        .map_err(|e| ApiError::new(e, user.context()))?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "username": creds.username(),
            "password": creds.password().expose_secret(),
            "ttl": creds.ttl().as_secs(),
        })),
    )
        .into_response())
}

// ------------------------------------------- browser pages: /, /session, /profile

/// The user of the request's session (from the `Session` extractor):
/// their id, username and display name.
async fn session_user(
    db: &SqlitePool,
    session: Option<&Session>,
) -> Result<Option<(i64, String, String)>, ApiError> {
    let Some(id) = session.and_then(|s| s.user().parse::<i64>().ok()) else {
        return Ok(None);
    };
    sqlx::query_as(
        "SELECT u.id, u.username, COALESCE(p.display_name, '') FROM users u \
         LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = ?",
    )
    .bind(id)
    .fetch_optional(db)
    .await
    .map_err(db_error)
}

/// Text for HTML: `&`, `<`, `>`, `"` and `'` escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `GET /`: the login form, or, with a session, the profile form. Each
/// carries a CSRF token bound to the session (or, before login, to the
/// anonymous `__Host-csrf` cookie set here), and the page's one script
/// carries the response's CSP nonce.
async fn home(
    State(db): State<SqlitePool>,
    State(csrf): State<CsrfProtection>,
    nonce: CspNonce,
    session: Option<Session>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = session_user(&db, session.as_ref()).await?;
    let page = csrf.token_for(&headers)?;
    let token = page.token.as_str();
    let form = match &user {
        None => format!(
            r#"<form id="login" method="post" action="/session">
<input type="hidden" name="csrf_token" value="{token}">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button>Log in</button>
</form>"#
        ),
        Some((_, username, display_name)) => format!(
            r#"<p id="who">Logged in as {username}; display name: <span id="display-name">{display_name}</span></p>
<form id="profile" method="post" action="/profile">
<input type="hidden" name="csrf_token" value="{token}">
<label>Display name <input name="display_name"></label>
<button>Save</button>
</form>
<form id="logout" method="post" action="/session/logout">
<input type="hidden" name="csrf_token" value="{token}">
<button>Log out</button>
</form>"#,
            username = escape(username),
            display_name = escape(display_name),
        ),
    };
    let nonce = nonce.as_str();
    let body = format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>seckit demo</title>
<meta name="csrf-token" content="{token}"></head>
<body>
<h1>seckit demo</h1>
{form}
<p id="status">scripts are off</p>
<script nonce="{nonce}">
document.getElementById("status").textContent = "the script with the nonce ran";
document.documentElement.dataset.nonced = "ran";
</script>
<script>
// No nonce: the policy refuses this one, as it would refuse a script an
// attacker managed to inject into the page.
document.documentElement.dataset.injected = "ran";
</script>
</body>
</html>
"#
    );
    let mut response = Html(body).into_response();
    if let Some(cookie) = page.set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Deserialize)]
struct SessionForm {
    #[serde(default)]
    username: String,
    password: SecretString,
}

/// `POST /session` (the login form): needs the form's CSRF token
/// (`CsrfVerified`: a login CSRF would log the victim into the
/// attacker's account), then the password check of `POST /login`; a new
/// session id in a `__Host-session` cookie (so a session id planted
/// before login is never the logged-in session: a previous one is
/// revoked), and 303 to `/`.
async fn new_session(
    State(app): State<AppState>,
    _token: CsrfVerified,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<SessionForm>,
) -> Result<Response, ApiError> {
    let context = RequestContext::new(Some("/session"), Some(ip.addr()));
    if form.username.is_empty() || form.username.len() > 256 {
        return Err(Error::invalid("username", "empty_or_too_long").into());
    }
    let (id, _role) = check_password(
        &app.db,
        &app.hasher,
        &app.login_guard,
        ip,
        &form.username,
        &form.password,
        &context,
    )
    .await?;
    let user = id.to_string();
    // Whatever session cookie came with the form ends here.
    if let Some(old) = seckit::web::cookie_value(&headers, seckit::web::DEFAULT_SESSION_COOKIE)? {
        let _ = app.sessions.revoke(old).await;
    }
    let issued = app
        .sessions
        .create(&user, NewSession::session().label(user_agent(&headers)))
        .await
        .map_err(|e| ApiError::new(e, context.clone().with_user(&user)))?;
    let mut response = Redirect::to("/").into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, session_cookie(&issued)?);
    // The pre-login binding is done with: the next page binds to the session.
    headers.append(
        header::SET_COOKIE,
        Cookie::removal("csrf")?.to_header_value()?,
    );
    Ok(response)
}

/// `POST /session/logout` (the page's logout form): the `csrf` middleware
/// has refused other sites' requests and requests without this session's
/// token (a forged logout is a nuisance, not harmless). The session is
/// revoked in the store, so the cookie is dead even where the browser keeps
/// it; the answer clears it and sends the browser to `/`. An expired or
/// unknown session is logged out all the same; a store outage answers 503
/// and leaves the cookie alone, rather than pretend the session ended.
async fn end_session(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(id) = seckit::web::cookie_value(&headers, seckit::web::DEFAULT_SESSION_COOKIE)? {
        let _was_live = app.sessions.revoke(id).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie()?);
    Ok(response)
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    display_name: String,
}

/// `POST /profile`: changes the display name of the session's user. The
/// `csrf` middleware has already refused other sites' requests and
/// requests without this session's token.
async fn update_profile(
    State(db): State<SqlitePool>,
    session: Session,
    Form(form): Form<ProfileForm>,
) -> Result<Response, ApiError> {
    let Some((id, _, _)) = session_user(&db, Some(&session)).await? else {
        return Err(Error::unauthenticated(
            "session",
            AuthReason::MissingCredentials,
            "no session",
        )
        .into());
    };
    let name = Text::parse_with(&form.display_name, &TextOptions::with_max_chars(64))?;
    sqlx::query(
        "INSERT INTO profiles (user_id, display_name) VALUES (?, ?) \
         ON CONFLICT(user_id) DO UPDATE SET display_name = excluded.display_name",
    )
    .bind(id)
    .bind(name.as_str())
    .execute(&db)
    .await
    .map_err(db_error)?;
    Ok(Redirect::to("/").into_response())
}

/// `GET /profile`: the session's user and display name, as JSON.
async fn profile(State(db): State<SqlitePool>, session: Session) -> Result<Response, ApiError> {
    match session_user(&db, Some(&session)).await? {
        Some((id, username, display_name)) => Ok(Json(json!({
            "id": id,
            "username": username,
            "display_name": display_name,
        }))
        .into_response()),
        None => {
            Err(
                Error::unauthenticated("session", AuthReason::MissingCredentials, "no session")
                    .into(),
            )
        }
    }
}
