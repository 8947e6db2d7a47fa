//! What callers see of a session: [`Session`], [`Issued`] (a session and
//! its token, once), [`NewSession`] and the typed [`SessionData`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::backend::{Handle, Record};
use super::token::TokenKind;
use crate::{Error, Result, SecretString};

fn time(ms: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_millis(ms))
        .unwrap_or(UNIX_EPOCH)
}

/// A session as validated: who, since when, until when. It holds no token.
#[derive(Clone)]
pub struct Session {
    record: Record,
    data: SessionData,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id_hint", &self.id_hint())
            .field("user", &self.record.user)
            .field("kind", &self.record.kind)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) fn from_record(record: Record) -> Self {
        // Data a store gives back was written by `SessionData::to_json`;
        // anything else reads as empty rather than failing the request.
        let data = if record.data == "{}" {
            SessionData::default()
        } else {
            SessionData::from_json(&record.data).unwrap_or_default()
        };
        Self { record, data }
    }

    pub(crate) const fn handle(&self) -> Handle {
        self.record.handle
    }

    /// The user id the session was created for.
    #[must_use]
    pub fn user(&self) -> &str {
        &self.record.user
    }

    /// A session id or a refresh-token family.
    #[must_use]
    pub const fn kind(&self) -> TokenKind {
        self.record.kind
    }

    /// Twelve hex characters naming the session, stable across rotations,
    /// for a "your devices" list. Not a credential, and not derived from
    /// the token.
    #[must_use]
    pub fn id_hint(&self) -> String {
        self.record
            .handle
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// When the session was created (the login).
    #[must_use]
    pub fn created(&self) -> SystemTime {
        time(self.record.created)
    }

    /// When the session was last used, to within the renewal interval.
    #[must_use]
    pub fn last_seen(&self) -> SystemTime {
        time(self.record.last_seen)
    }

    /// When the session dies without further use.
    #[must_use]
    pub fn idle_expires(&self) -> SystemTime {
        time(self.record.idle_deadline)
    }

    /// When the session dies whatever happens.
    #[must_use]
    pub fn absolute_expires(&self) -> SystemTime {
        time(self.record.absolute_deadline)
    }

    /// The device or client label given at creation.
    #[must_use]
    pub fn label(&self) -> Option<&str> {
        self.record.label.as_deref()
    }

    /// The session's data.
    #[must_use]
    pub const fn data(&self) -> &SessionData {
        &self.data
    }
}

/// A session and its token, returned once by
/// [`SessionManager::create`](super::SessionManager::create),
/// [`rotate`](super::SessionManager::rotate) and
/// [`refresh`](super::SessionManager::refresh). The token is shown to
/// the client and never again: the store keeps only its hash.
pub struct Issued {
    token: SecretString,
    session: Session,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("token", &self.token)
            .field("session", &self.session)
            .finish()
    }
}

impl Issued {
    pub(crate) const fn new(token: SecretString, session: Session) -> Self {
        Self { token, session }
    }

    /// The token for the client (`ses_…` or `rft_…`, 47 characters).
    #[must_use]
    pub const fn token(&self) -> &SecretString {
        &self.token
    }

    /// The session.
    #[must_use]
    pub const fn session(&self) -> &Session {
        &self.session
    }

    /// Both parts.
    #[must_use]
    pub fn into_parts(self) -> (SecretString, Session) {
        (self.token, self.session)
    }
}

/// What [`SessionManager::create`](super::SessionManager::create) makes.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub(crate) kind: TokenKind,
    pub(crate) label: Option<String>,
    pub(crate) data: SessionData,
}

/// The longest label, in bytes.
const MAX_LABEL_BYTES: usize = 64;

impl NewSession {
    /// A session id, for a cookie.
    #[must_use]
    pub fn session() -> Self {
        Self {
            kind: TokenKind::Session,
            label: None,
            data: SessionData::default(),
        }
    }

    /// A refresh-token family, for a client holding JWT access tokens.
    #[must_use]
    pub fn refresh() -> Self {
        Self {
            kind: TokenKind::Refresh,
            ..Self::session()
        }
    }

    /// A label for the user's device list (a `User-Agent`, a device name):
    /// control characters are dropped and it is cut to 64 bytes, so any
    /// header can be given as it came.
    #[must_use]
    pub fn label(mut self, label: &str) -> Self {
        let mut clean = String::with_capacity(label.len().min(MAX_LABEL_BYTES));
        for c in label.chars().filter(|c| !c.is_control()) {
            if clean.len().saturating_add(c.len_utf8()) > MAX_LABEL_BYTES {
                break;
            }
            clean.push(c);
        }
        self.label = (!clean.is_empty()).then_some(clean);
        self
    }

    /// The session's first data.
    #[must_use]
    pub fn data(mut self, data: SessionData) -> Self {
        self.data = data;
        self
    }
}

/// A small map of typed values kept with a session (a CSRF secret, a
/// cart id, a step of a flow): serde values under string keys, at most
/// [`MAX_BYTES`](Self::MAX_BYTES) as JSON. Its `Debug` shows the keys only.
///
/// # Example
///
/// ```
/// let mut data = seckit::session::SessionData::default();
/// data.insert("theme", &"dark")?;
/// assert_eq!(data.get::<String>("theme")?.as_deref(), Some("dark"));
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SessionData(serde_json::Map<String, serde_json::Value>);

impl fmt::Debug for SessionData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl SessionData {
    /// The largest data, as JSON bytes.
    pub const MAX_BYTES: usize = 4096;

    /// Sets `key` to `value`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a
    /// value that does not serialize, or data over [`MAX_BYTES`](Self::MAX_BYTES)
    /// (the map is then unchanged).
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<()> {
        let value = serde_json::to_value(value)
            .map_err(|_| Error::invalid("session.data", "not_serializable"))?;
        let previous = self.0.insert(key.to_owned(), value);
        if let Err(e) = self.to_json() {
            match previous {
                Some(v) => self.0.insert(key.to_owned(), v),
                None => self.0.remove(key),
            };
            return Err(e);
        }
        Ok(())
    }

    /// The value under `key`, if any.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when it
    /// is not a `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.0
            .get(key)
            .map(|v| T::deserialize(v).map_err(|_| Error::invalid("session.data", "wrong_type")))
            .transpose()
    }

    /// Removes `key`; whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        self.0.remove(key).is_some()
    }

    pub(crate) fn to_json(&self) -> Result<String> {
        let json = serde_json::to_string(&self.0)
            .map_err(|_| Error::invalid("session.data", "not_serializable"))?;
        if json.len() > Self::MAX_BYTES {
            return Err(Error::invalid_limit(
                "session.data",
                "too_large",
                Self::MAX_BYTES,
            ));
        }
        Ok(json)
    }

    fn from_json(json: &str) -> Option<Self> {
        if json.len() > Self::MAX_BYTES {
            return None;
        }
        serde_json::from_str(json).ok().map(Self)
    }
}
