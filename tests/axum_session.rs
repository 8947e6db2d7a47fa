//! The `Session` extractor through a real axum `Router` (tower `oneshot`):
//! 200 for a live session's cookie; 401 with no cookie, a duplicate cookie,
//! a junk, revoked, rotated or refresh token; `Option<Session>` is `None`
//! for those; 503 (not 401, not 200) when the store cannot answer; the
//! `Set-Cookie` it builds keeps the `__Host-` rules; no token in a body.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::routing::get;
use http::{Request, StatusCode};
use seckit::axum::{Session, clear_session_cookie, session_cookie};
use seckit::session::{NewSession, SessionConfig, SessionManager, SessionStore};
use tower::ServiceExt as _;

#[derive(Clone, FromRef)]
struct AppState {
    sessions: SessionManager,
}

async fn whoami(session: Session) -> String {
    session.user().to_owned()
}

async fn maybe(session: Option<Session>) -> String {
    session.map_or_else(|| "anonymous".to_owned(), |s| s.user().to_owned())
}

fn app(sessions: SessionManager) -> Router {
    Router::new()
        .route("/whoami", get(whoami))
        .route("/maybe", get(maybe))
        .with_state(AppState { sessions })
}

async fn call(app: &Router, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let r = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn the_extractor_answers_200_401_or_503_and_never_leaks_the_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
        .await
        .unwrap();
    let sessions = SessionManager::new(
        SessionStore::sqlite(pool.clone()).await.unwrap(),
        SessionConfig::new(),
    )
    .unwrap();
    let app = app(sessions.clone());

    let issued = sessions
        .create("alice", NewSession::session())
        .await
        .unwrap();
    let set_cookie = session_cookie(&issued).unwrap();
    let set_cookie = set_cookie.to_str().unwrap();
    assert!(set_cookie.starts_with("__Host-session=ses_"));
    for attr in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Domain"));
    assert!(
        clear_session_cookie()
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let token = issued.token().expose_secret().clone();
    let cookie = format!("__Host-session={token}");

    assert_eq!(
        call(&app, "/whoami", Some(&cookie)).await,
        (StatusCode::OK, "alice".to_owned())
    );
    assert_eq!(call(&app, "/maybe", Some(&cookie)).await.1, "alice");

    let refresh = sessions
        .create("alice", NewSession::refresh())
        .await
        .unwrap();
    let refresh = format!("__Host-session={}", refresh.token().expose_secret());
    let junk = "__Host-session=ses_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned();
    let twice = format!("{cookie}; __Host-session={token}");
    for (what, c) in [
        ("none", None),
        ("another cookie", Some("theme=dark")),
        ("junk", Some(junk.as_str())),
        ("a refresh token", Some(refresh.as_str())),
        ("twice", Some(twice.as_str())),
    ] {
        let (status, body) = call(&app, "/whoami", c).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
        assert!(!body.contains(&token[4..]), "{what}");
        let (status, body) = call(&app, "/maybe", c).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, "anonymous"),
            "{what}"
        );
    }

    // Rotated: the old cookie is dead, the new one works.
    let rotated = sessions.rotate(&token).await.unwrap();
    let new_cookie = format!("__Host-session={}", rotated.token().expose_secret());
    assert_eq!(
        call(&app, "/whoami", Some(&cookie)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&app, "/whoami", Some(&new_cookie)).await.0,
        StatusCode::OK
    );

    // The store gone: 503 for both forms, never 200 and never "anonymous".
    pool.close().await;
    for path in ["/whoami", "/maybe"] {
        let (status, body) = call(&app, path, Some(&new_cookie)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(!body.contains("anonymous") && !body.contains(&new_cookie[15..]));
    }

    // Revoked (on a fresh store): 401.
    let sessions =
        SessionManager::new(SessionStore::memory(10).unwrap(), SessionConfig::new()).unwrap();
    let app = self::app(sessions.clone());
    let s = sessions.create("bob", NewSession::session()).await.unwrap();
    let cookie = format!("__Host-session={}", s.token().expose_secret());
    assert_eq!(call(&app, "/whoami", Some(&cookie)).await.0, StatusCode::OK);
    sessions.revoke_all_for_user("bob").await.unwrap();
    assert_eq!(
        call(&app, "/whoami", Some(&cookie)).await.0,
        StatusCode::UNAUTHORIZED
    );
}
