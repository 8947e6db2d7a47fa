//! The in-process store: maps behind one mutex (no call awaits while
//! holding it), bounded in entries.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::backend::{Backend, Cap, Created, Found, Fut, Handle, Record, Rotated, Rotation};
use super::token::TokenHash;
use crate::{Error, Result};

struct Entry {
    record: Record,
    /// This session's retired refresh tokens, removed with it.
    retired: Vec<[u8; 32]>,
}

#[derive(Default)]
struct Maps {
    sessions: HashMap<Handle, Entry>,
    by_token: HashMap<[u8; 32], Handle>,
    retired: HashMap<[u8; 32], (Handle, u64)>,
    by_user: HashMap<String, Vec<Handle>>,
}

impl Maps {
    fn entries(&self) -> usize {
        self.sessions.len().saturating_add(self.retired.len())
    }

    fn record(&self, h: &Handle) -> Option<&Record> {
        self.sessions.get(h).map(|e| &e.record)
    }

    fn remove(&mut self, h: &Handle) -> Option<Record> {
        let entry = self.sessions.remove(h)?;
        for t in &entry.retired {
            self.retired.remove(t);
        }
        let record = entry.record;
        self.by_token.remove(&record.token.0);
        if let Some(list) = self.by_user.get_mut(&record.user) {
            list.retain(|x| x != h);
            if list.is_empty() {
                self.by_user.remove(&record.user);
            }
        }
        Some(record)
    }

    fn purge(&mut self, now: u64) -> u64 {
        let expired: Vec<Handle> = self
            .sessions
            .iter()
            .filter(|(_, e)| e.record.expired_at(now))
            .map(|(h, _)| *h)
            .collect();
        let mut n = 0u64;
        for h in expired {
            if self.remove(&h).is_some() {
                n = n.saturating_add(1);
            }
        }
        n
    }

    fn swap(&mut self, h: Handle, r: &Rotation) -> Option<Record> {
        let entry = self.sessions.get_mut(&h)?;
        let record = &mut entry.record;
        let old = record.token;
        record.token = r.new;
        record.last_seen = r.now;
        record.idle_deadline = r.now.saturating_add(r.idle).min(record.absolute_deadline);
        let updated = record.clone();
        if r.retire {
            entry.retired.push(old.0);
            self.retired.insert(old.0, (h, r.now));
        }
        self.by_token.remove(&old.0);
        self.by_token.insert(r.new.0, h);
        Some(updated)
    }
}

/// The in-memory store behind [`SessionStore::memory`](super::SessionStore::memory).
pub(crate) struct Memory {
    maps: Mutex<Maps>,
    max_entries: usize,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("max_entries", &self.max_entries)
            .finish_non_exhaustive()
    }
}

impl Memory {
    pub(crate) fn new(max_entries: usize) -> Self {
        Self {
            maps: Mutex::new(Maps::default()),
            max_entries,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Maps> {
        // No operation leaves the maps half-changed on a panic it could
        // cause (none of them panic), so a poisoned lock is still sound.
        self.maps.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Room for one more entry, purging expired sessions first if needed.
    fn room(&self, m: &mut Maps, now: u64) -> Result<()> {
        if m.entries() >= self.max_entries {
            m.purge(now);
        }
        if m.entries() >= self.max_entries {
            return Err(Error::unavailable(super::MEMORY_FULL));
        }
        Ok(())
    }

    fn create_now(&self, record: Record, cap: Option<Cap>, now: u64) -> Result<Created> {
        let mut m = self.lock();
        let mut evicted = Vec::new();
        if let Some(cap) = cap {
            let handles = m.by_user.get(&record.user).cloned().unwrap_or_default();
            let mut live: Vec<(u64, Handle)> = Vec::new();
            for h in handles {
                match m.record(&h) {
                    Some(r) if !r.expired_at(now) => live.push((r.created, h)),
                    _ => {
                        m.remove(&h);
                    }
                }
            }
            let max = usize::try_from(cap.max).unwrap_or(usize::MAX);
            if live.len() >= max {
                if !cap.evict_oldest {
                    return Ok(Created::Refused);
                }
                live.sort_unstable();
                let excess = live.len().saturating_sub(max).saturating_add(1);
                for (_, h) in live.into_iter().take(excess) {
                    if let Some(r) = m.remove(&h) {
                        evicted.push(r);
                    }
                }
            }
        }
        self.room(&mut m, now)?;
        let h = record.handle;
        m.by_token.insert(record.token.0, h);
        m.by_user.entry(record.user.clone()).or_default().push(h);
        m.sessions.insert(
            h,
            Entry {
                record,
                retired: Vec::new(),
            },
        );
        Ok(Created::Done { evicted })
    }

    fn rotate_now(&self, r: &Rotation) -> Result<Rotated> {
        let mut m = self.lock();
        if let Some(h) = m.by_token.get(&r.presented.0).copied() {
            let Some(record) = m.record(&h).cloned() else {
                return Ok(Rotated::Missing);
            };
            if record.expired_at(r.now) {
                m.remove(&h);
                return Ok(Rotated::Expired(record));
            }
            if r.retire {
                self.room(&mut m, r.now)?;
            }
            return Ok(m.swap(h, r).map_or(Rotated::Missing, Rotated::Done));
        }
        let Some((h, at)) = m.retired.get(&r.presented.0).copied() else {
            return Ok(Rotated::Missing);
        };
        let Some(record) = m.record(&h).cloned() else {
            return Ok(Rotated::Missing);
        };
        if record.expired_at(r.now) {
            m.remove(&h);
            return Ok(Rotated::Expired(record));
        }
        if r.grace > 0 && r.now.saturating_sub(at) <= r.grace {
            self.room(&mut m, r.now)?;
            return Ok(m.swap(h, r).map_or(Rotated::Missing, Rotated::Done));
        }
        m.remove(&h);
        Ok(Rotated::Reused(record))
    }
}

impl Backend for Memory {
    fn waits(&self) -> bool {
        false
    }

    fn create(&self, record: Record, cap: Option<Cap>, now: u64) -> Fut<'_, Created> {
        let out = self.create_now(record, cap, now);
        Box::pin(async move { out })
    }

    fn find(&self, hash: TokenHash) -> Fut<'_, Found> {
        let m = self.lock();
        let found = if let Some(r) = m.by_token.get(&hash.0).and_then(|h| m.record(h)) {
            Found::Live(r.clone())
        } else if let Some((h, _)) = m.retired.get(&hash.0) {
            Found::Retired(*h)
        } else {
            Found::Missing
        };
        drop(m);
        Box::pin(async move { Ok(found) })
    }

    fn touch(&self, handle: Handle, token: TokenHash, now: u64, idle_deadline: u64) -> Fut<'_, ()> {
        let mut m = self.lock();
        if let Some(e) = m.sessions.get_mut(&handle)
            && e.record.token == token
        {
            e.record.last_seen = now;
            e.record.idle_deadline = idle_deadline;
        }
        drop(m);
        Box::pin(async { Ok(()) })
    }

    fn rotate(&self, rotation: Rotation) -> Fut<'_, Rotated> {
        let out = self.rotate_now(&rotation);
        Box::pin(async move { out })
    }

    fn remove(&self, handle: Handle) -> Fut<'_, bool> {
        let existed = self.lock().remove(&handle).is_some();
        Box::pin(async move { Ok(existed) })
    }

    fn remove_user<'a>(&'a self, user: &'a str) -> Fut<'a, u64> {
        let mut m = self.lock();
        let handles = m.by_user.get(user).cloned().unwrap_or_default();
        let mut n = 0u64;
        for h in handles {
            if m.remove(&h).is_some() {
                n = n.saturating_add(1);
            }
        }
        drop(m);
        Box::pin(async move { Ok(n) })
    }

    fn list_user<'a>(&'a self, user: &'a str, now: u64) -> Fut<'a, Vec<Record>> {
        let m = self.lock();
        let mut out: Vec<Record> = m
            .by_user
            .get(user)
            .map(|hs| {
                hs.iter()
                    .filter_map(|h| m.record(h))
                    .filter(|r| !r.expired_at(now))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        drop(m);
        out.sort_by_key(|a| (a.created, a.handle));
        Box::pin(async move { Ok(out) })
    }

    fn save_data(&self, handle: Handle, data: String) -> Fut<'_, bool> {
        let mut m = self.lock();
        let saved = match m.sessions.get_mut(&handle) {
            Some(e) => {
                e.record.data = data;
                true
            }
            None => false,
        };
        drop(m);
        Box::pin(async move { Ok(saved) })
    }

    fn purge(&self, now: u64) -> Fut<'_, u64> {
        let n = self.lock().purge(now);
        Box::pin(async move { Ok(n) })
    }
}
