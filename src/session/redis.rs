//! The Redis store: one Lua script per operation (atomic on the server,
//! one round trip each), keys named by hashes and handles only, and a TTL
//! on every key so nothing outlives its session. The layout is in
//! `lua/common.lua`.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::backend::{Backend, Cap, Created, Found, Fut, Handle, Record, Rotated, Rotation};
use super::token::{TokenHash, TokenKind};
use crate::store::Redis;
use crate::{Error, Result};

macro_rules! script {
    ($name:ident, $file:literal) => {
        static $name: LazyLock<redis::Script> = LazyLock::new(|| {
            redis::Script::new(concat!(
                include_str!("lua/common.lua"),
                include_str!(concat!("lua/", $file))
            ))
        });
    };
}

script!(CREATE, "create.lua");
script!(FIND, "find.lua");
script!(TOUCH, "touch.lua");
script!(ROTATE, "rotate.lua");
script!(REMOVE, "remove.lua");
script!(REMOVE_USER, "remove_user.lua");
script!(LIST, "list.lua");
script!(SAVE_DATA, "save_data.lua");

/// Fields of one record in a script's reply.
const FIELDS: usize = 10;

fn down() -> Error {
    Error::unavailable("session store")
}

fn corrupt() -> Error {
    Error::internal("session store: a stored record does not parse")
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn handle_of(text: &str) -> Result<Handle> {
    let mut h = [0u8; 16];
    match URL_SAFE_NO_PAD.decode_slice(text, &mut h) {
        Ok(16) => Ok(h),
        _ => Err(corrupt()),
    }
}

fn num(text: &str) -> Result<u64> {
    text.parse().map_err(|_| corrupt())
}

fn parse_record(f: &[String]) -> Result<Record> {
    let [h, tok, user, kind, created, seen, idle, abs, label, data] = f else {
        return Err(corrupt());
    };
    let mut token = [0u8; 32];
    if !matches!(URL_SAFE_NO_PAD.decode_slice(tok, &mut token), Ok(32)) {
        return Err(corrupt());
    }
    Ok(Record {
        handle: handle_of(h)?,
        token: TokenHash(token),
        user: user.clone(),
        kind: kind
            .parse::<u8>()
            .ok()
            .and_then(TokenKind::from_code)
            .ok_or_else(corrupt)?,
        created: num(created)?,
        last_seen: num(seen)?,
        idle_deadline: num(idle)?,
        absolute_deadline: num(abs)?,
        label: (!label.is_empty()).then(|| label.clone()),
        data: data.clone(),
    })
}

fn parse_records(f: &[String]) -> Result<Vec<Record>> {
    if !f.len().is_multiple_of(FIELDS) {
        return Err(corrupt());
    }
    f.chunks_exact(FIELDS).map(parse_record).collect()
}

/// The Redis store behind [`SessionStore::redis`](super::SessionStore::redis).
#[derive(Debug)]
pub(crate) struct RedisStore {
    redis: Redis,
    base: String,
}

impl RedisStore {
    pub(crate) fn new(redis: &Redis) -> Self {
        Self {
            base: redis.key_base("session", "v1"),
            redis: redis.clone(),
        }
    }

    async fn strings(&self, script: &redis::Script, args: &[&str]) -> Result<Vec<String>> {
        self.redis.eval_args(script, args).await.ok_or_else(down)
    }

    async fn int(&self, script: &redis::Script, args: &[&str]) -> Result<u64> {
        self.redis
            .eval_args::<u64>(script, args)
            .await
            .ok_or_else(down)
    }
}

impl Backend for RedisStore {
    fn create(&self, record: Record, cap: Option<Cap>, now: u64) -> Fut<'_, Created> {
        Box::pin(async move {
            let (max, evict) = cap.map_or((0, false), |c| (c.max, c.evict_oldest));
            let args = [
                self.base.clone(),
                b64(&record.handle),
                record.token.b64(),
                record.user.clone(),
                b64(record.user.as_bytes()),
                record.kind.code().to_string(),
                record.created.to_string(),
                record.last_seen.to_string(),
                record.idle_deadline.to_string(),
                record.absolute_deadline.to_string(),
                record.label.clone().unwrap_or_default(),
                record.data.clone(),
                now.to_string(),
                max.to_string(),
                if evict { "1" } else { "0" }.to_owned(),
            ];
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let reply = self.strings(&CREATE, &args).await?;
            match reply.split_first() {
                Some((code, rest)) if code == "1" => Ok(Created::Done {
                    evicted: parse_records(rest)?,
                }),
                Some((code, _)) if code == "0" => Ok(Created::Refused),
                _ => Err(corrupt()),
            }
        })
    }

    fn find(&self, hash: TokenHash) -> Fut<'_, Found> {
        Box::pin(async move {
            let reply = self.strings(&FIND, &[&self.base, &hash.b64()]).await?;
            match reply.split_first() {
                Some((code, rest)) if code == "1" => Ok(Found::Live(parse_record(rest)?)),
                Some((code, [h])) if code == "2" => Ok(Found::Retired(handle_of(h)?)),
                Some((code, [])) if code == "0" => Ok(Found::Missing),
                _ => Err(corrupt()),
            }
        })
    }

    fn touch(&self, handle: Handle, token: TokenHash, now: u64, idle_deadline: u64) -> Fut<'_, ()> {
        Box::pin(async move {
            let args = [
                self.base.as_str(),
                &b64(&handle),
                &token.b64(),
                &now.to_string(),
                &idle_deadline.to_string(),
            ];
            self.int(&TOUCH, &args).await.map(|_| ())
        })
    }

    fn rotate(&self, r: Rotation) -> Fut<'_, Rotated> {
        Box::pin(async move {
            let args = [
                self.base.as_str(),
                &r.presented.b64(),
                &r.new.b64(),
                &r.now.to_string(),
                &r.idle.to_string(),
                if r.retire { "1" } else { "0" },
                &r.grace.to_string(),
            ];
            let reply = self.strings(&ROTATE, &args).await?;
            match reply.split_first() {
                Some((code, rest)) if code == "1" => Ok(Rotated::Done(parse_record(rest)?)),
                Some((code, rest)) if code == "2" => Ok(Rotated::Reused(parse_record(rest)?)),
                Some((code, rest)) if code == "3" => Ok(Rotated::Expired(parse_record(rest)?)),
                Some((code, [])) if code == "0" => Ok(Rotated::Missing),
                _ => Err(corrupt()),
            }
        })
    }

    fn remove(&self, handle: Handle) -> Fut<'_, bool> {
        Box::pin(async move { Ok(self.int(&REMOVE, &[&self.base, &b64(&handle)]).await? > 0) })
    }

    fn remove_user<'a>(&'a self, user: &'a str) -> Fut<'a, u64> {
        Box::pin(async move {
            self.int(&REMOVE_USER, &[&self.base, &b64(user.as_bytes())])
                .await
        })
    }

    fn list_user<'a>(&'a self, user: &'a str, now: u64) -> Fut<'a, Vec<Record>> {
        Box::pin(async move {
            let reply = self
                .strings(
                    &LIST,
                    &[&self.base, &b64(user.as_bytes()), &now.to_string()],
                )
                .await?;
            let mut out = parse_records(&reply)?;
            out.sort_by_key(|a| (a.created, a.handle));
            Ok(out)
        })
    }

    fn save_data(&self, handle: Handle, data: String) -> Fut<'_, bool> {
        Box::pin(async move {
            Ok(self
                .int(&SAVE_DATA, &[&self.base, &b64(&handle), &data])
                .await?
                > 0)
        })
    }

    fn purge(&self, _now: u64) -> Fut<'_, u64> {
        // Every key carries a TTL at its session's deadline: Redis purges.
        Box::pin(async { Ok(0) })
    }
}
