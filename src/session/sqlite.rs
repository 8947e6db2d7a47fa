//! The SQLite store (sqlx): two tables, written only inside `BEGIN
//! IMMEDIATE` transactions, so two logins of one user under the cap, or
//! two refreshes of one token, are serialized by SQLite's write lock.
//!
//! Migrations are embedded and versioned in a table of seckit's own
//! (`seckit_schema`), not sqlx's `_sqlx_migrations`, which belongs to the
//! application: sqlx's migrator refuses to run when it finds applied
//! migrations it does not know, so sharing its table would break the
//! application's own migrations.

use std::path::Path;
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row as _, Sqlite, Transaction};

use super::backend::{Backend, Cap, Created, Found, Fut, Handle, Record, Rotated, Rotation};
use super::token::{TokenHash, TokenKind};
use crate::{Error, Result};

/// The schema, one entry per version; never edit an entry, add one.
const MIGRATIONS: &[&[&str]] = &[&[
    "CREATE TABLE seckit_sessions (
        handle BLOB PRIMARY KEY NOT NULL,
        token_hash BLOB NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        kind INTEGER NOT NULL,
        created INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        idle_deadline INTEGER NOT NULL,
        absolute_deadline INTEGER NOT NULL,
        label TEXT,
        data TEXT NOT NULL)",
    "CREATE INDEX seckit_sessions_by_user ON seckit_sessions (user_id, created)",
    "CREATE TABLE seckit_retired_tokens (
        token_hash BLOB PRIMARY KEY NOT NULL,
        handle BLOB NOT NULL,
        retired_at INTEGER NOT NULL)",
    "CREATE INDEX seckit_retired_by_handle ON seckit_retired_tokens (handle)",
]];

const COLUMNS: &str = "handle, token_hash, user_id, kind, created, last_seen, idle_deadline, absolute_deadline, label, data";

fn db(_: sqlx::Error) -> Error {
    Error::unavailable("session store")
}

fn corrupt() -> Error {
    Error::internal("session store: a stored row does not parse")
}

fn int(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::internal("session store: time out of range"))
}

fn uint(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| corrupt())
}

fn row_record(row: &SqliteRow) -> Result<Record> {
    let handle: Vec<u8> = row.try_get(0).map_err(|_| corrupt())?;
    let token: Vec<u8> = row.try_get(1).map_err(|_| corrupt())?;
    let kind: i64 = row.try_get(3).map_err(|_| corrupt())?;
    Ok(Record {
        handle: handle.try_into().map_err(|_| corrupt())?,
        token: TokenHash(token.try_into().map_err(|_| corrupt())?),
        user: row.try_get(2).map_err(|_| corrupt())?,
        kind: u8::try_from(kind)
            .ok()
            .and_then(TokenKind::from_code)
            .ok_or_else(corrupt)?,
        created: uint(row.try_get(4).map_err(|_| corrupt())?)?,
        last_seen: uint(row.try_get(5).map_err(|_| corrupt())?)?,
        idle_deadline: uint(row.try_get(6).map_err(|_| corrupt())?)?,
        absolute_deadline: uint(row.try_get(7).map_err(|_| corrupt())?)?,
        label: row.try_get(8).map_err(|_| corrupt())?,
        data: row.try_get(9).map_err(|_| corrupt())?,
    })
}

/// The SQLite store behind [`SessionStore::sqlite`](super::SessionStore::sqlite).
#[derive(Debug)]
pub(crate) struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database file at `path` in WAL
    /// mode, and migrates it.
    pub(crate) async fn open(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|_| Error::configuration("session.sqlite", "cannot build options"))?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|_| Error::unavailable("session store"))?;
        Self::on(pool).await
    }

    /// Uses the application's pool: switches the file to WAL and migrates.
    pub(crate) async fn on(pool: SqlitePool) -> Result<Self> {
        sqlx::query("PRAGMA journal_mode=WAL")
            .execute(&pool)
            .await
            .map_err(db)?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS seckit_schema (component TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL)",
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM seckit_schema WHERE component = 'session'")
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        let current = usize::try_from(current.unwrap_or(0)).map_err(|_| corrupt())?;
        if current > MIGRATIONS.len() {
            return Err(Error::configuration(
                "session.sqlite",
                "the database was migrated by a newer seckit",
            ));
        }
        for step in MIGRATIONS.iter().skip(current) {
            for statement in *step {
                sqlx::query(statement).execute(&mut *tx).await.map_err(db)?;
            }
        }
        let version = i64::try_from(MIGRATIONS.len()).map_err(|_| corrupt())?;
        sqlx::query("INSERT INTO seckit_schema (component, version) VALUES ('session', ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version")
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn begin(&self) -> Result<Transaction<'static, Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }

    async fn by_token(
        tx: &mut Transaction<'static, Sqlite>,
        hash: &TokenHash,
    ) -> Result<Option<Record>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM seckit_sessions WHERE token_hash = ?"
        ))
        .bind(hash.0.as_slice())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
        row.as_ref().map(row_record).transpose()
    }

    async fn by_handle(
        tx: &mut Transaction<'static, Sqlite>,
        handle: &Handle,
    ) -> Result<Option<Record>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM seckit_sessions WHERE handle = ?"
        ))
        .bind(handle.as_slice())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
        row.as_ref().map(row_record).transpose()
    }

    async fn delete(tx: &mut Transaction<'static, Sqlite>, handle: &Handle) -> Result<bool> {
        sqlx::query("DELETE FROM seckit_retired_tokens WHERE handle = ?")
            .bind(handle.as_slice())
            .execute(&mut **tx)
            .await
            .map_err(db)?;
        let done = sqlx::query("DELETE FROM seckit_sessions WHERE handle = ?")
            .bind(handle.as_slice())
            .execute(&mut **tx)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn swap(
        tx: &mut Transaction<'static, Sqlite>,
        mut record: Record,
        r: &Rotation,
    ) -> Result<Record> {
        let old = record.token;
        record.token = r.new;
        record.last_seen = r.now;
        record.idle_deadline = r.now.saturating_add(r.idle).min(record.absolute_deadline);
        sqlx::query(
            "UPDATE seckit_sessions SET token_hash = ?, last_seen = ?, idle_deadline = ? WHERE handle = ?",
        )
        .bind(record.token.0.as_slice())
        .bind(int(record.last_seen)?)
        .bind(int(record.idle_deadline)?)
        .bind(record.handle.as_slice())
        .execute(&mut **tx)
        .await
        .map_err(db)?;
        if r.retire {
            sqlx::query(
                "INSERT INTO seckit_retired_tokens (token_hash, handle, retired_at) VALUES (?, ?, ?)",
            )
            .bind(old.0.as_slice())
            .bind(record.handle.as_slice())
            .bind(int(r.now)?)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
        }
        Ok(record)
    }

    async fn create_tx(&self, record: Record, cap: Option<Cap>, now: u64) -> Result<Created> {
        let mut tx = self.begin().await?;
        let mut evicted = Vec::new();
        if let Some(cap) = cap {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM seckit_sessions WHERE user_id = ? ORDER BY created, handle"
            ))
            .bind(&record.user)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            let mut live = Vec::with_capacity(rows.len());
            for row in &rows {
                let r = row_record(row)?;
                if r.expired_at(now) {
                    Self::delete(&mut tx, &r.handle).await?;
                } else {
                    live.push(r);
                }
            }
            let max = usize::try_from(cap.max).unwrap_or(usize::MAX);
            if live.len() >= max {
                if !cap.evict_oldest {
                    return Ok(Created::Refused);
                }
                let excess = live.len().saturating_sub(max).saturating_add(1);
                for r in live.into_iter().take(excess) {
                    Self::delete(&mut tx, &r.handle).await?;
                    evicted.push(r);
                }
            }
        }
        sqlx::query(&format!(
            "INSERT INTO seckit_sessions ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(record.handle.as_slice())
        .bind(record.token.0.as_slice())
        .bind(&record.user)
        .bind(i64::from(record.kind.code()))
        .bind(int(record.created)?)
        .bind(int(record.last_seen)?)
        .bind(int(record.idle_deadline)?)
        .bind(int(record.absolute_deadline)?)
        .bind(record.label.as_deref())
        .bind(&record.data)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Created::Done { evicted })
    }

    async fn rotate_tx(&self, r: Rotation) -> Result<Rotated> {
        let mut tx = self.begin().await?;
        let out = if let Some(record) = Self::by_token(&mut tx, &r.presented).await? {
            if record.expired_at(r.now) {
                Self::delete(&mut tx, &record.handle).await?;
                Rotated::Expired(record)
            } else {
                Rotated::Done(Self::swap(&mut tx, record, &r).await?)
            }
        } else {
            let retired: Option<(Vec<u8>, i64)> = sqlx::query_as(
                "SELECT handle, retired_at FROM seckit_retired_tokens WHERE token_hash = ?",
            )
            .bind(r.presented.0.as_slice())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            match retired {
                None => Rotated::Missing,
                Some((handle, at)) => {
                    let handle: Handle = handle.try_into().map_err(|_| corrupt())?;
                    let at = uint(at)?;
                    match Self::by_handle(&mut tx, &handle).await? {
                        None => Rotated::Missing,
                        Some(record) if record.expired_at(r.now) => {
                            Self::delete(&mut tx, &handle).await?;
                            Rotated::Expired(record)
                        }
                        Some(record) if r.grace > 0 && r.now.saturating_sub(at) <= r.grace => {
                            Rotated::Done(Self::swap(&mut tx, record, &r).await?)
                        }
                        Some(record) => {
                            Self::delete(&mut tx, &handle).await?;
                            Rotated::Reused(record)
                        }
                    }
                }
            }
        };
        tx.commit().await.map_err(db)?;
        Ok(out)
    }
}

impl Backend for SqliteStore {
    fn create(&self, record: Record, cap: Option<Cap>, now: u64) -> Fut<'_, Created> {
        Box::pin(self.create_tx(record, cap, now))
    }

    fn find(&self, hash: TokenHash) -> Fut<'_, Found> {
        Box::pin(async move {
            let row = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM seckit_sessions WHERE token_hash = ?"
            ))
            .bind(hash.0.as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
            if let Some(row) = row {
                return Ok(Found::Live(row_record(&row)?));
            }
            let retired: Option<Vec<u8>> =
                sqlx::query_scalar("SELECT handle FROM seckit_retired_tokens WHERE token_hash = ?")
                    .bind(hash.0.as_slice())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db)?;
            match retired {
                Some(h) => Ok(Found::Retired(h.try_into().map_err(|_| corrupt())?)),
                None => Ok(Found::Missing),
            }
        })
    }

    fn touch(&self, handle: Handle, token: TokenHash, now: u64, idle_deadline: u64) -> Fut<'_, ()> {
        Box::pin(async move {
            sqlx::query(
                "UPDATE seckit_sessions SET last_seen = ?, idle_deadline = ? WHERE handle = ? AND token_hash = ?",
            )
            .bind(int(now)?)
            .bind(int(idle_deadline)?)
            .bind(handle.as_slice())
            .bind(token.0.as_slice())
            .execute(&self.pool)
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn rotate(&self, rotation: Rotation) -> Fut<'_, Rotated> {
        Box::pin(self.rotate_tx(rotation))
    }

    fn remove(&self, handle: Handle) -> Fut<'_, bool> {
        Box::pin(async move {
            let mut tx = self.begin().await?;
            let existed = Self::delete(&mut tx, &handle).await?;
            tx.commit().await.map_err(db)?;
            Ok(existed)
        })
    }

    fn remove_user<'a>(&'a self, user: &'a str) -> Fut<'a, u64> {
        Box::pin(async move {
            let mut tx = self.begin().await?;
            sqlx::query(
                "DELETE FROM seckit_retired_tokens WHERE handle IN (SELECT handle FROM seckit_sessions WHERE user_id = ?)",
            )
            .bind(user)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            let done = sqlx::query("DELETE FROM seckit_sessions WHERE user_id = ?")
                .bind(user)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(done.rows_affected())
        })
    }

    fn list_user<'a>(&'a self, user: &'a str, now: u64) -> Fut<'a, Vec<Record>> {
        Box::pin(async move {
            let now = int(now)?;
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM seckit_sessions WHERE user_id = ? AND idle_deadline > ? AND absolute_deadline > ? ORDER BY created, handle"
            ))
            .bind(user)
            .bind(now)
            .bind(now)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
            rows.iter().map(row_record).collect()
        })
    }

    fn save_data(&self, handle: Handle, data: String) -> Fut<'_, bool> {
        Box::pin(async move {
            let done = sqlx::query("UPDATE seckit_sessions SET data = ? WHERE handle = ?")
                .bind(data)
                .bind(handle.as_slice())
                .execute(&self.pool)
                .await
                .map_err(db)?;
            Ok(done.rows_affected() > 0)
        })
    }

    fn purge(&self, now: u64) -> Fut<'_, u64> {
        Box::pin(async move {
            let now = int(now)?;
            let mut tx = self.begin().await?;
            let done = sqlx::query(
                "DELETE FROM seckit_sessions WHERE idle_deadline <= ? OR absolute_deadline <= ?",
            )
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            sqlx::query(
                "DELETE FROM seckit_retired_tokens WHERE handle NOT IN (SELECT handle FROM seckit_sessions)",
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(done.rows_affected())
        })
    }
}
