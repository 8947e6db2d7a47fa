//! One conformance suite for every session store: memory, SQLite on a
//! temporary file, and Redis (a real `redis-server`: `.ci/run` starts one
//! and exports `SECKIT_TEST_REDIS_URL`). Each check runs on each store
//! through the public API with an injectable clock: fixation, idle and
//! absolute expiry, bounded renewal writes, rotation, refresh reuse (and a
//! race of refreshes), the grace period, the per-user cap under ten
//! parallel logins, revoke-all while requests are in flight, purge, data.
//! Then what only some stores have: no token at rest (the SQLite file, a
//! Redis SCAN), and a store outage (fail closed, then recovery).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stderr
)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use seckit::session::{
    CapPolicy, NewSession, SessionConfig, SessionData, SessionManager, SessionStore, TokenKind,
};
use seckit::store::Redis;
use seckit::{AuthReason, ErrorKind, ForbiddenReason, SecretString};
use support::{Captured, OwnRedis, field};

/// A clock the test moves by hand, in ms since the epoch.
#[derive(Clone)]
struct Clock(Arc<AtomicU64>);

impl Clock {
    fn new() -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis();
        Self(Arc::new(AtomicU64::new(u64::try_from(now).unwrap())))
    }
    fn advance(&self, d: Duration) {
        self.0
            .fetch_add(u64::try_from(d.as_millis()).unwrap(), Ordering::SeqCst);
    }
    fn read(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.0.load(Ordering::SeqCst))
    }
}

/// A unique name per test (users, Redis prefixes), so tests sharing one
/// Redis or one audit capture never see each other's state.
fn unique(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{tag}{}x{}x{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Memory,
    Sqlite,
    Redis,
}

/// A store of `kind`, and what keeps it alive (the temporary directory).
struct Fixture {
    store: SessionStore,
    _dir: Option<tempfile::TempDir>,
    redis: Option<Redis>,
    prefix: String,
}

async fn fixture(kind: Kind) -> Option<Fixture> {
    let prefix = unique("s");
    match kind {
        Kind::Memory => Some(Fixture {
            store: SessionStore::memory(10_000).unwrap(),
            _dir: None,
            redis: None,
            prefix,
        }),
        Kind::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let store = SessionStore::sqlite_file(dir.path().join("sessions.db"))
                .await
                .unwrap();
            Some(Fixture {
                store,
                _dir: Some(dir),
                redis: None,
                prefix,
            })
        }
        Kind::Redis => {
            let url = support::redis_url()?;
            // Generous per-call bound: the suite runs beside others on 2 cores.
            let redis = Redis::connect(&SecretString::from(url), &prefix)
                .await
                .unwrap()
                .with_timeout(Duration::from_secs(2));
            Some(Fixture {
                store: SessionStore::redis(&redis),
                _dir: None,
                redis: Some(redis),
                prefix,
            })
        }
    }
}

async fn manager(kind: Kind, config: SessionConfig) -> Option<(SessionManager, Clock, Fixture)> {
    let f = fixture(kind).await?;
    let clock = Clock::new();
    let c = clock.clone();
    let m = SessionManager::new(f.store.clone(), config)
        .unwrap()
        .with_clock(move || c.read());
    Some((m, clock, f))
}

fn reason(e: &seckit::Error) -> Option<AuthReason> {
    e.auth_reason()
}

/// Each check below, once per store.
macro_rules! conformance {
    ($($check:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() { super::$check(super::Kind::Memory).await })*
        }
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() { super::$check(super::Kind::Sqlite).await })*
        }
        mod redis {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() { super::$check(super::Kind::Redis).await })*
        }
    };
}

conformance!(
    tokens_are_opaque_and_every_character_counts,
    an_id_from_before_login_never_becomes_the_session,
    idle_and_absolute_timeouts_with_bounded_renewal_writes,
    rotation_kills_the_old_id_and_keeps_the_deadline,
    a_reused_refresh_token_revokes_its_family,
    two_refreshes_with_one_token_at_most_one_wins,
    the_grace_period_is_off_by_default_and_bounded_when_on,
    ten_parallel_logins_under_a_cap_of_three,
    the_oldest_session_is_evicted_first,
    revoke_list_and_revoke_all,
    revoke_all_while_requests_are_in_flight,
    expired_sessions_are_purged,
    typed_data_round_trips_and_is_bounded,
);

async fn tokens_are_opaque_and_every_character_counts(kind: Kind) {
    let Some((m, _, _f)) = manager(kind, SessionConfig::new()).await else {
        return;
    };
    let user = unique("u");
    let issued = m.create(&user, NewSession::session()).await.unwrap();
    let token = issued.token().expose_secret().clone();
    assert_eq!(token.len(), 47);
    assert!(token.starts_with("ses_"));
    assert!(!format!("{issued:?}").contains(&token[4..]));
    assert_eq!(m.validate(&token).await.unwrap().user(), user);
    // Every character of the body changed once: never valid.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for i in 4..47 {
        let mut t = token.clone().into_bytes();
        t[i] = if t[i] == alphabet[0] {
            alphabet[1]
        } else {
            alphabet[0]
        };
        let t = String::from_utf8(t).unwrap();
        let e = m.validate(&t).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthenticated);
        assert!(matches!(
            reason(&e),
            Some(AuthReason::Mismatch | AuthReason::Malformed)
        ));
        assert!(!e.to_string().contains(&t[4..]));
    }
    // The same bytes under the other kind's prefix, a refresh token as a
    // session id, junk of every length: refused, no panic.
    let swapped = format!("rft_{}", &token[4..]);
    assert!(m.refresh(&swapped).await.is_err());
    let refresh = m.create(&user, NewSession::refresh()).await.unwrap();
    let e = m
        .validate(refresh.token().expose_secret())
        .await
        .unwrap_err();
    assert_eq!(reason(&e), Some(AuthReason::Malformed));
    for junk in ["", "ses_", &token[..46], &format!("{token}A"), "ses_\u{0}"] {
        assert!(m.validate(junk).await.is_err());
    }
}

async fn an_id_from_before_login_never_becomes_the_session(kind: Kind) {
    let Some((m, _, _f)) = manager(kind, SessionConfig::new()).await else {
        return;
    };
    // An id the client made up is never adopted, however well-formed.
    let planted = format!("ses_{}", "A".repeat(43));
    assert_eq!(
        reason(&m.validate(&planted).await.unwrap_err()),
        Some(AuthReason::Mismatch)
    );
    // A pre-login session (a visitor's), then login: a new id, and the old
    // one is logged out, never promoted.
    let visitor = unique("visitor");
    let before = m.create(&visitor, NewSession::session()).await.unwrap();
    let before = before.token().expose_secret().clone();
    let user = unique("u");
    let after = m.create(&user, NewSession::session()).await.unwrap();
    assert_ne!(after.token().expose_secret(), &before);
    assert!(m.revoke(&before).await.unwrap());
    assert!(m.validate(&before).await.is_err());
    assert_eq!(
        m.validate(after.token().expose_secret())
            .await
            .unwrap()
            .user(),
        user
    );
}

async fn idle_and_absolute_timeouts_with_bounded_renewal_writes(kind: Kind) {
    let config = SessionConfig::new()
        .idle_timeout(Duration::from_secs(600))
        .absolute_timeout(Duration::from_secs(3600))
        .renew_after(Duration::from_secs(60));
    let Some((m, clock, _f)) = manager(kind, config).await else {
        return;
    };
    let user = unique("u");
    let captured = Captured::global();
    // Idle: 10 minutes without use kill it, and it is removed.
    let idle = m.create(&user, NewSession::session()).await.unwrap();
    let idle = idle.token().expose_secret().clone();
    // Used steadily: renewed, but never past the absolute deadline.
    let busy = m.create(&user, NewSession::session()).await.unwrap();
    let created = busy.session().created();
    let busy = busy.token().expose_secret().clone();
    // Within renew_after of the last write, a use writes nothing.
    clock.advance(Duration::from_secs(30));
    let s = m.validate(&busy).await.unwrap();
    assert_eq!(s.last_seen(), created, "renewal written too early");
    // Past it, the idle deadline slides.
    clock.advance(Duration::from_secs(31));
    let s = m.validate(&busy).await.unwrap();
    assert_eq!(s.last_seen(), clock.read());
    assert_eq!(s.idle_expires(), clock.read() + Duration::from_secs(600));
    // The renewal reached the store: a later read sees it.
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        m.validate(&busy).await.unwrap().idle_expires(),
        clock.read() - Duration::from_secs(1) + Duration::from_secs(600)
    );
    clock.advance(Duration::from_secs(538)); // 10 min after creation
    let e = m.validate(&idle).await.unwrap_err();
    assert_eq!(reason(&e), Some(AuthReason::Expired));
    assert_eq!(
        reason(&m.validate(&idle).await.unwrap_err()),
        Some(AuthReason::Mismatch),
        "an expired session is removed when presented"
    );
    // Keep `busy` alive with a use every 9 minutes up to the absolute limit.
    m.validate(&busy).await.unwrap();
    let mut elapsed = 600u64;
    while elapsed + 540 < 3600 {
        clock.advance(Duration::from_secs(540));
        elapsed += 540;
        m.validate(&busy).await.unwrap();
    }
    clock.advance(Duration::from_secs(3600 - elapsed));
    let e = m.validate(&busy).await.unwrap_err();
    assert_eq!(reason(&e), Some(AuthReason::Expired));
    let expired: Vec<_> = captured
        .of("session_expired")
        .into_iter()
        .filter(|e| field(e, "user").as_deref() == Some(&user))
        .collect();
    let reasons: Vec<_> = expired.iter().map(|e| field(e, "reason")).collect();
    assert_eq!(
        reasons,
        [
            Some("idle_timeout".to_owned()),
            Some("absolute_timeout".to_owned())
        ]
    );
}

async fn rotation_kills_the_old_id_and_keeps_the_deadline(kind: Kind) {
    let Some((m, clock, _f)) = manager(kind, SessionConfig::new()).await else {
        return;
    };
    let user = unique("u");
    let mut data = SessionData::default();
    data.insert("role", "user").unwrap();
    let first = m
        .create(&user, NewSession::session().label("laptop").data(data))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(120));
    let second = m.rotate(first.token().expose_secret()).await.unwrap();
    assert_ne!(
        second.token().expose_secret(),
        first.token().expose_secret()
    );
    assert_eq!(
        reason(&m.validate(first.token().expose_secret()).await.unwrap_err()),
        Some(AuthReason::Mismatch)
    );
    assert!(m.rotate(first.token().expose_secret()).await.is_err());
    let s = m.validate(second.token().expose_secret()).await.unwrap();
    assert_eq!(s.user(), user);
    assert_eq!(s.id_hint(), first.session().id_hint());
    assert_eq!(s.created(), first.session().created());
    assert_eq!(
        s.absolute_expires(),
        first.session().absolute_expires(),
        "a rotation must not extend the absolute deadline"
    );
    assert_eq!(s.label(), Some("laptop"));
    assert_eq!(
        s.data().get::<String>("role").unwrap().as_deref(),
        Some("user")
    );
}

async fn a_reused_refresh_token_revokes_its_family(kind: Kind) {
    let Some((m, clock, _f)) = manager(kind, SessionConfig::new()).await else {
        return;
    };
    let user = unique("u");
    let captured = Captured::global();
    let r0 = m.create(&user, NewSession::refresh()).await.unwrap();
    let r0 = r0.token().expose_secret().clone();
    assert!(r0.starts_with("rft_"));
    clock.advance(Duration::from_secs(60));
    let r1 = m.refresh(&r0).await.unwrap();
    let r1 = r1.token().expose_secret().clone();
    clock.advance(Duration::from_secs(60));
    let r2 = m.refresh(&r1).await.unwrap();
    let r2 = r2.token().expose_secret().clone();
    // An unrelated family of the same user survives.
    let other = m.create(&user, NewSession::refresh()).await.unwrap();
    // The attacker replays r0: the family dies, the user's r2 with it.
    let e = m.refresh(&r0).await.unwrap_err();
    assert_eq!(reason(&e), Some(AuthReason::Replayed));
    assert!(e.is_audited());
    assert_eq!(
        reason(&m.refresh(&r2).await.unwrap_err()),
        Some(AuthReason::Mismatch)
    );
    assert!(m.refresh(&r1).await.is_err());
    assert!(m.refresh(other.token().expose_secret()).await.is_ok());
    let reuse: Vec<_> = captured
        .of("authn_token_reuse")
        .into_iter()
        .filter(|e| field(e, "user").as_deref() == Some(&user))
        .collect();
    assert_eq!(reuse.len(), 1);
    for t in [&r0, &r1, &r2] {
        assert!(!captured.text().contains(&t[4..]));
    }
}

async fn two_refreshes_with_one_token_at_most_one_wins(kind: Kind) {
    let Some((m, _, _f)) = manager(kind, SessionConfig::new()).await else {
        return;
    };
    for _ in 0..5 {
        let user = unique("u");
        let r0 = m.create(&user, NewSession::refresh()).await.unwrap();
        let r0 = r0.token().expose_secret().clone();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (m, r0) = (m.clone(), r0.clone());
                tokio::spawn(async move { m.refresh(&r0).await })
            })
            .collect();
        let mut wins = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => wins += 1,
                Err(e) => assert!(matches!(
                    reason(&e),
                    Some(AuthReason::Replayed | AuthReason::Mismatch)
                )),
            }
        }
        assert!(wins <= 1, "{wins} concurrent refreshes of one token won");
    }
}

async fn the_grace_period_is_off_by_default_and_bounded_when_on(kind: Kind) {
    let config = SessionConfig::new().refresh_grace(Duration::from_secs(5));
    let Some((m, clock, _f)) = manager(kind, config).await else {
        return;
    };
    let user = unique("u");
    let r0 = m.create(&user, NewSession::refresh()).await.unwrap();
    let r0 = r0.token().expose_secret().clone();
    let r1 = m.refresh(&r0).await.unwrap();
    // A second use of r0 within 5 s: a new token, the family lives.
    clock.advance(Duration::from_secs(2));
    let r1b = m.refresh(&r0).await.unwrap();
    assert_eq!(r1b.session().id_hint(), r1.session().id_hint());
    // After the grace period: reuse, the family dies.
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        reason(&m.refresh(&r0).await.unwrap_err()),
        Some(AuthReason::Replayed)
    );
    assert!(m.refresh(r1b.token().expose_secret()).await.is_err());
    // Off by default: the first reuse kills the family.
    let Some((m, _, _f)) = manager(kind, SessionConfig::new()).await else {
        return;
    };
    let r0 = m.create(&user, NewSession::refresh()).await.unwrap();
    let r0 = r0.token().expose_secret().clone();
    let r1 = m.refresh(&r0).await.unwrap();
    assert_eq!(
        reason(&m.refresh(&r0).await.unwrap_err()),
        Some(AuthReason::Replayed)
    );
    assert!(m.refresh(r1.token().expose_secret()).await.is_err());
}

async fn ten_parallel_logins_under_a_cap_of_three(kind: Kind) {
    for policy in [CapPolicy::EvictOldest, CapPolicy::Refuse] {
        let config = SessionConfig::new().cap(3, policy);
        let Some((m, _, _f)) = manager(kind, config).await else {
            return;
        };
        let user = unique("u");
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let (m, user) = (m.clone(), user.clone());
                let new = if i % 2 == 0 {
                    NewSession::session()
                } else {
                    NewSession::refresh()
                };
                tokio::spawn(async move { m.create(&user, new).await })
            })
            .collect();
        let mut ok = Vec::new();
        let mut refused = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(issued) => ok.push(issued),
                Err(e) => {
                    assert_eq!(e.forbidden_reason(), Some(ForbiddenReason::SessionLimit));
                    refused += 1;
                }
            }
        }
        let live = m.list_for_user(&user).await.unwrap();
        assert_eq!(live.len(), 3, "{policy:?}: {} live sessions", live.len());
        match policy {
            CapPolicy::EvictOldest => assert_eq!((ok.len(), refused), (10, 0)),
            _ => assert_eq!((ok.len(), refused), (3, 7)),
        }
        // Exactly three of the issued tokens still work.
        let mut working = 0;
        for issued in &ok {
            let t = issued.token().expose_secret();
            let alive = match issued.session().kind() {
                TokenKind::Session => m.validate(t).await.is_ok(),
                _ => m.revoke(t).await.unwrap(),
            };
            working += usize::from(alive);
        }
        assert_eq!(working, 3, "{policy:?}");
    }
}

async fn the_oldest_session_is_evicted_first(kind: Kind) {
    let config = SessionConfig::new().cap(2, CapPolicy::EvictOldest);
    let Some((m, clock, _f)) = manager(kind, config).await else {
        return;
    };
    let user = unique("u");
    let captured = Captured::global();
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let s = m.create(&user, NewSession::session()).await.unwrap();
        tokens.push(s.token().expose_secret().clone());
        clock.advance(Duration::from_secs(1));
    }
    assert!(m.validate(&tokens[0]).await.is_err());
    assert!(m.validate(&tokens[1]).await.is_ok());
    assert!(m.validate(&tokens[2]).await.is_ok());
    let evicted = captured
        .of("authn_token_revoked")
        .into_iter()
        .filter(|e| {
            field(e, "user").as_deref() == Some(&user)
                && field(e, "reason").as_deref() == Some("session_cap_evicted")
        })
        .count();
    assert_eq!(evicted, 1);
    // An expired session does not count toward the cap.
    clock.advance(Duration::from_secs(8 * 3600));
    m.create(&user, NewSession::session()).await.unwrap();
    m.create(&user, NewSession::session()).await.unwrap();
    assert_eq!(m.list_for_user(&user).await.unwrap().len(), 2);
}

async fn revoke_list_and_revoke_all(kind: Kind) {
    let Some((m, clock, _f)) = manager(kind, SessionConfig::new()).await else {
        return;
    };
    let user = unique("u");
    let bystander = unique("b");
    let a = m
        .create(&user, NewSession::session().label("phone\u{7}\r\n"))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(1));
    let b = m
        .create(&user, NewSession::refresh().label("cli"))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(1));
    let c = m.create(&user, NewSession::session()).await.unwrap();
    let other = m.create(&bystander, NewSession::session()).await.unwrap();
    let list = m.list_for_user(&user).await.unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].label(), Some("phone"), "control characters dropped");
    assert_eq!(list[1].kind(), TokenKind::Refresh);
    assert_eq!(list[0].id_hint(), a.session().id_hint());
    assert_eq!(list[0].id_hint().len(), 12);
    // Log out one.
    assert!(m.revoke(a.token().expose_secret()).await.unwrap());
    assert!(!m.revoke(a.token().expose_secret()).await.unwrap());
    assert_eq!(m.list_for_user(&user).await.unwrap().len(), 2);
    // Log out everywhere: sessions and refresh tokens, nobody else's.
    assert_eq!(m.revoke_all_for_user(&user).await.unwrap(), 2);
    assert!(m.validate(c.token().expose_secret()).await.is_err());
    assert!(m.refresh(b.token().expose_secret()).await.is_err());
    assert!(m.list_for_user(&user).await.unwrap().is_empty());
    assert!(m.validate(other.token().expose_secret()).await.is_ok());
    assert_eq!(m.revoke_all_for_user(&user).await.unwrap(), 0);
}

async fn revoke_all_while_requests_are_in_flight(kind: Kind) {
    let Some((m, _, _f)) = manager(kind, SessionConfig::new()).await else {
        return;
    };
    let user = unique("u");
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let s = m.create(&user, NewSession::session()).await.unwrap();
        tokens.push(s.token().expose_secret().clone());
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let (m, t, stop) = (m.clone(), tokens[i % 3].clone(), stop.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let deadline = Instant::now() + Duration::from_secs(5);
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    let started = Instant::now();
                    let ok = m.validate(&t).await.is_ok();
                    seen.push((started, ok));
                    // The memory store never waits, so a loop of its calls
                    // would never let the runtime run the revoking task.
                    tokio::task::yield_now().await;
                }
                seen
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    m.revoke_all_for_user(&user).await.unwrap();
    let done = Instant::now();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(true, Ordering::SeqCst);
    let (mut before, mut after) = (0, 0);
    for t in tasks {
        for (started, ok) in t.await.unwrap() {
            if started >= done {
                assert!(!ok, "a request started after revoke_all succeeded");
                after += 1;
            } else if ok {
                before += 1;
            }
        }
    }
    assert!(before > 0 && after > 0, "before {before}, after {after}");
}

async fn expired_sessions_are_purged(kind: Kind) {
    let config = SessionConfig::new()
        .idle_timeout(Duration::from_secs(60))
        .renew_after(Duration::from_secs(10));
    let Some((m, clock, _f)) = manager(kind, config).await else {
        return;
    };
    let user = unique("u");
    for _ in 0..2 {
        m.create(&user, NewSession::session()).await.unwrap();
    }
    clock.advance(Duration::from_secs(50));
    let fresh = m.create(&user, NewSession::refresh()).await.unwrap();
    clock.advance(Duration::from_secs(20));
    let purged = m.purge_expired().await.unwrap();
    if kind == Kind::Redis {
        assert_eq!(purged, 0, "Redis expires keys itself");
    } else {
        assert_eq!(purged, 2);
    }
    let live = m.list_for_user(&user).await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].id_hint(), fresh.session().id_hint());
}

async fn typed_data_round_trips_and_is_bounded(kind: Kind) {
    let Some((m, _, _f)) = manager(kind, SessionConfig::new()).await else {
        return;
    };
    let user = unique("u");
    let mut data = SessionData::default();
    data.insert("cart", &[1u32, 2, 3]).unwrap();
    let issued = m
        .create(&user, NewSession::session().data(data))
        .await
        .unwrap();
    let s = m.validate(issued.token().expose_secret()).await.unwrap();
    assert_eq!(
        s.data().get::<Vec<u32>>("cart").unwrap(),
        Some(vec![1, 2, 3])
    );
    assert_eq!(
        s.data().get::<String>("cart").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let mut data = s.data().clone();
    data.insert("step", &2u8).unwrap();
    assert!(data.remove("cart"));
    assert!(m.save_data(&s, &data).await.unwrap());
    let s = m.validate(issued.token().expose_secret()).await.unwrap();
    assert_eq!(s.data().get::<u8>("step").unwrap(), Some(2));
    assert_eq!(s.data().get::<Vec<u32>>("cart").unwrap(), None);
    // Over 4 KiB: refused, and the map is unchanged.
    let e = data.insert("big", &"x".repeat(5000)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(data.get::<String>("big").unwrap(), None);
    assert_eq!(format!("{data:?}"), r#"{"step"}"#);
}

// ------------------------------------------------------- not every store

#[test]
fn nonsense_configurations_are_refused_at_startup() {
    let store = SessionStore::memory(10).unwrap();
    let secs = Duration::from_secs;
    for config in [
        SessionConfig::new().idle_timeout(Duration::from_millis(500)),
        SessionConfig::new()
            .idle_timeout(secs(600))
            .absolute_timeout(secs(60)),
        SessionConfig::new().absolute_timeout(secs(401 * 86_400)),
        SessionConfig::new().renew_after(secs(1800)),
        SessionConfig::new().cap(0, CapPolicy::Refuse),
        SessionConfig::new().cap(10_001, CapPolicy::Refuse),
        SessionConfig::new().refresh_grace(secs(61)),
    ] {
        let e = SessionManager::new(store.clone(), config.clone()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration, "{config:?}");
    }
    assert_eq!(
        SessionStore::memory(0).unwrap_err().kind(),
        ErrorKind::Configuration
    );
}

#[tokio::test]
async fn the_memory_store_is_bounded_and_fails_closed_when_full() {
    let m = SessionManager::new(SessionStore::memory(3).unwrap(), SessionConfig::new()).unwrap();
    let r = m.create("a", NewSession::refresh()).await.unwrap();
    m.create("b", NewSession::session()).await.unwrap();
    // A rotation keeps the used token: entries count.
    m.refresh(r.token().expose_secret()).await.unwrap();
    let captured = Captured::global();
    let e = m.create("c", NewSession::session()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert_eq!(e.kind().http_status(), 503);
    assert!(
        captured
            .of("sys_monitor_disabled")
            .iter()
            .any(|e| field(e, "reason").as_deref() == Some("session_store_full"))
    );
}

/// The token's forms that must not be at rest: its text, its base64 body,
/// and its 32 raw bytes.
fn forms(token: &str) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    let body = &token[4..];
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body)
        .unwrap();
    vec![token.as_bytes().to_vec(), body.as_bytes().to_vec(), raw]
}

/// `n` sessions and refresh tokens for `alice`, each then rotated once
/// (so retired refresh tokens are at rest too): every token issued.
async fn issue_and_rotate(m: &SessionManager, n: usize) -> Vec<String> {
    let mut tokens = Vec::new();
    for i in 0..n {
        let new = if i % 2 == 0 {
            NewSession::session()
        } else {
            NewSession::refresh()
        };
        let s = m.create("alice", new).await.unwrap();
        tokens.push(s.token().expose_secret().clone());
    }
    for t in tokens.clone() {
        let next = if t.starts_with("rft_") {
            m.refresh(&t).await.unwrap()
        } else {
            m.rotate(&t).await.unwrap()
        };
        tokens.push(next.token().expose_secret().clone());
    }
    tokens
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_sqlite_file_holds_no_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let m = SessionManager::new(
        SessionStore::sqlite_file(&path).await.unwrap(),
        SessionConfig::new(),
    )
    .unwrap();
    let tokens = issue_and_rotate(&m, 20).await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(contains(&bytes, b"alice"), "the read saw the rows");
    for t in &tokens {
        for form in forms(t) {
            assert!(!contains(&bytes, &form), "a token is in the database file");
        }
    }
}

#[tokio::test]
async fn a_redis_scan_finds_no_token_and_every_key_expires() {
    let Some(f) = fixture(Kind::Redis).await else {
        return;
    };
    let m = SessionManager::new(f.store.clone(), SessionConfig::new()).unwrap();
    let tokens = issue_and_rotate(&m, 10).await;
    let mut conn = f.redis.as_ref().unwrap().connection();
    // SCAN, as an operator (or a thief with a dump) would walk the keys.
    let mut keys: Vec<String> = Vec::new();
    let mut cursor = 0u64;
    loop {
        let (next, batch): (u64, Vec<String>) = ::redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{}:*", f.prefix))
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await
            .unwrap();
        keys.extend(batch);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    keys.sort();
    keys.dedup();
    assert!(keys.len() >= 20, "{} keys", keys.len());
    let mut dump = Vec::new();
    for k in &keys {
        dump.extend(k.as_bytes());
        let ty: String = ::redis::cmd("TYPE")
            .arg(k)
            .query_async(&mut conn)
            .await
            .unwrap();
        let value: Vec<Vec<u8>> = match ty.as_str() {
            "string" => vec![
                ::redis::cmd("GET")
                    .arg(k)
                    .query_async(&mut conn)
                    .await
                    .unwrap(),
            ],
            "hash" => ::redis::cmd("HGETALL")
                .arg(k)
                .query_async(&mut conn)
                .await
                .unwrap(),
            "set" => ::redis::cmd("SMEMBERS")
                .arg(k)
                .query_async(&mut conn)
                .await
                .unwrap(),
            other => panic!("unexpected type {other}"),
        };
        for v in value {
            dump.extend(v);
        }
        let ttl: i64 = ::redis::cmd("PTTL")
            .arg(k)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(ttl > 0 && ttl <= 8 * 3600 * 1000, "{k} ttl {ttl}");
    }
    for t in &tokens {
        for form in forms(t) {
            assert!(!contains(&dump, &form), "a token is in Redis");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_test_fails_closed_then_recovers() {
    let Some(mut server) = OwnRedis::start() else {
        return;
    };
    let redis = Redis::connect(&SecretString::from(server.url()), "outage")
        .await
        .unwrap()
        .with_timeout(Duration::from_millis(200));
    let m = SessionManager::new(SessionStore::redis(&redis), SessionConfig::new()).unwrap();
    let captured = Captured::global();
    let s = m
        .create("outage-user", NewSession::session())
        .await
        .unwrap();
    let r = m
        .create("outage-user", NewSession::refresh())
        .await
        .unwrap();
    m.validate(s.token().expose_secret()).await.unwrap();
    server.kill();
    let started = Instant::now();
    for _ in 0..5 {
        let e = m.validate(s.token().expose_secret()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unavailable);
        assert_eq!(
            m.refresh(r.token().expose_secret())
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Unavailable
        );
        assert_eq!(
            m.create("outage-user", NewSession::session())
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Unavailable
        );
        assert_eq!(
            m.revoke_all_for_user("outage-user")
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Unavailable
        );
    }
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        captured
            .of("sys_monitor_disabled")
            .iter()
            .any(|e| field(e, "reason").as_deref() == Some("session_store_unreachable"))
    );
    // Back (empty: persistence is off): old sessions stay refused, new
    // logins work, within a few seconds of the restart.
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    let fresh = loop {
        match m.create("outage-user", NewSession::session()).await {
            Ok(s) => break s,
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Unavailable);
                assert!(Instant::now() < deadline, "no recovery in 10 s");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    m.validate(fresh.token().expose_secret()).await.unwrap();
    assert_eq!(
        reason(&m.validate(s.token().expose_secret()).await.unwrap_err()),
        Some(AuthReason::Mismatch)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_locked_or_closed_fails_closed_then_recovers() {
    use sqlx::Connection as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let url = format!("sqlite://{}", path.display());
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .connect_with(
            options
                .create_if_missing(true)
                .busy_timeout(Duration::from_millis(100)),
        )
        .await
        .unwrap();
    let config = SessionConfig::new()
        .store_timeout(Duration::from_millis(300))
        .renew_after(Duration::from_secs(1));
    let store = SessionStore::sqlite(pool.clone()).await.unwrap();
    let clock = Clock::new();
    let c = clock.clone();
    let m = SessionManager::new(store, config.clone())
        .unwrap()
        .with_clock(move || c.read());
    let s = m
        .create("locked-user", NewSession::session())
        .await
        .unwrap();
    // Another process holds the write lock (a backup, a migration).
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut other)
        .await
        .unwrap();
    let e = m
        .create("locked-user", NewSession::session())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    // A use that must write its renewal fails closed too.
    clock.advance(Duration::from_secs(2));
    assert_eq!(
        m.validate(s.token().expose_secret())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Unavailable
    );
    assert_eq!(
        m.revoke_all_for_user("locked-user")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Unavailable
    );
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    // The lock released: everything works, nothing was lost.
    m.validate(s.token().expose_secret()).await.unwrap();
    m.create("locked-user", NewSession::session())
        .await
        .unwrap();
    // The pool closed under it: fails closed; a new store on the same file
    // has every session.
    pool.close().await;
    assert_eq!(
        m.validate(s.token().expose_secret())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Unavailable
    );
    let reopened = SessionManager::new(SessionStore::sqlite_file(&path).await.unwrap(), config)
        .unwrap()
        .with_clock(move || clock.read());
    reopened.validate(s.token().expose_secret()).await.unwrap();
    assert_eq!(
        reopened.list_for_user("locked-user").await.unwrap().len(),
        2
    );
}

#[tokio::test]
async fn sqlite_migrations_are_idempotent_and_refuse_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let m = SessionManager::new(
        SessionStore::sqlite_file(&path).await.unwrap(),
        SessionConfig::new(),
    )
    .unwrap();
    let s = m.create("alice", NewSession::session()).await.unwrap();
    // Opened again: migrations already applied, the session kept.
    let store = SessionStore::sqlite_file(&path).await.unwrap();
    let again = SessionManager::new(store, SessionConfig::new()).unwrap();
    again.validate(s.token().expose_secret()).await.unwrap();
    // WAL mode is on.
    let url = format!("sqlite://{}", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    sqlx::query("UPDATE seckit_schema SET version = 99 WHERE component = 'session'")
        .execute(&pool)
        .await
        .unwrap();
    let e = SessionStore::sqlite(pool).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
}

#[tokio::test]
async fn no_token_reaches_errors_debug_or_audit_events() {
    let m = SessionManager::new(SessionStore::memory(100).unwrap(), SessionConfig::new()).unwrap();
    let captured = Captured::global();
    let s = m
        .create("sentinel-user", NewSession::session())
        .await
        .unwrap();
    let r = m
        .create("sentinel-user", NewSession::refresh())
        .await
        .unwrap();
    let (st, rt) = (
        s.token().expose_secret().clone(),
        r.token().expose_secret().clone(),
    );
    let r1 = m.refresh(&rt).await.unwrap();
    let e1 = m.refresh(&rt).await.unwrap_err();
    let e2 = m.validate(&format!("{}x", &st[..46])).await.unwrap_err();
    let rotated = m.rotate(&st).await.unwrap();
    m.revoke(rotated.token().expose_secret()).await.unwrap();
    let text = format!(
        "{e1} {e1:?} {e2} {e2:?} {s:?} {r:?} {r1:?} {rotated:?} {:?} {m:?} {}",
        s.session(),
        captured.text()
    );
    for t in [&st, &rt] {
        assert!(!text.contains(&t[4..]), "a token leaked");
    }
    assert!(text.contains("[REDACTED]"));
}

mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Nothing that was not issued validates, refreshes or revokes,
        /// and nothing panics.
        #[test]
        fn arbitrary_text_is_never_a_session(s in "(ses_|rft_)?[A-Za-z0-9_\\-]{0,60}|\\PC{0,80}") {
            let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
            rt.block_on(async {
                let m = SessionManager::new(SessionStore::memory(10).unwrap(), SessionConfig::new()).unwrap();
                m.create("u", NewSession::session()).await.unwrap();
                m.create("u", NewSession::refresh()).await.unwrap();
                prop_assert!(m.validate(&s).await.is_err());
                prop_assert!(m.refresh(&s).await.is_err());
                prop_assert!(m.rotate(&s).await.is_err());
                prop_assert!(!m.revoke(&s).await.unwrap_or(false));
                Ok(())
            })?;
        }
    }
}
