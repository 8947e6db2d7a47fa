//! Session ids and refresh tokens as presented by clients: arbitrary text
//! never validates, refreshes, rotates or revokes anything, and never
//! panics; an issued token changed anywhere stops working.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use seckit::session::{NewSession, SessionConfig, SessionManager, SessionStore};

struct World {
    rt: tokio::runtime::Runtime,
    sessions: SessionManager,
    issued: [String; 2],
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let sessions = SessionManager::new(
        SessionStore::memory(1_000).expect("store"),
        SessionConfig::new(),
    )
    .expect("manager");
    let issued = rt.block_on(async {
        let s = sessions
            .create("fuzz", NewSession::session())
            .await
            .expect("session");
        let r = sessions
            .create("fuzz", NewSession::refresh())
            .await
            .expect("refresh");
        [
            s.token().expose_secret().clone(),
            r.token().expose_secret().clone(),
        ]
    });
    World {
        rt,
        sessions,
        issued,
    }
});

fuzz_target!(|data: &[u8]| {
    let w = &*WORLD;
    let text = String::from_utf8_lossy(data);
    w.rt.block_on(async {
        if !w.issued.iter().any(|t| *t == text) {
            assert!(w.sessions.validate(&text).await.is_err(), "validated junk");
            assert!(w.sessions.rotate(&text).await.is_err(), "rotated junk");
            assert!(w.sessions.refresh(&text).await.is_err(), "refreshed junk");
            assert!(
                !w.sessions.revoke(&text).await.unwrap_or(false),
                "revoked by junk"
            );
        }
        // The issued session id with the input XORed over it: valid only
        // when the input changed nothing.
        let mut changed = w.issued[0].clone().into_bytes();
        for (b, x) in changed.iter_mut().zip(data) {
            *b ^= x;
        }
        let unchanged = changed == w.issued[0].as_bytes();
        let changed = String::from_utf8_lossy(&changed);
        assert_eq!(w.sessions.validate(&changed).await.is_ok(), unchanged);
    });
});
