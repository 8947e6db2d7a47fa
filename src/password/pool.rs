//! `AsyncHasher`: password hashing for async servers, off the async workers,
//! with bounded concurrency, a bounded queue and bounded memory.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::{PasswordHasher, Verified};
use crate::{Error, Result, SecretString};

type Job = Box<dyn FnOnce(&PasswordHasher) + Send>;

/// How many jobs may wait per worker by default, on top of the running ones.
pub const DEFAULT_QUEUE_PER_WORKER: usize = 16;

/// A [`PasswordHasher`] for async code: every call runs on one of this
/// hasher's own worker threads, never on an async worker, and the work
/// admitted at any moment is bounded.
///
/// - **Concurrency**: `workers` threads (default: the number of cores), so
///   at most that many Argon2 computations, and memory buffers, exist at
///   once; each worker keeps one buffer and reuses it.
/// - **Queue**: at most `queue` jobs wait (default 16 per worker). A call
///   made when the queue is full fails at once with
///   [`ErrorKind::Unavailable`](crate::ErrorKind) (503 in the `axum`
///   adapter) instead of queueing hundreds of 19 MiB jobs behind each other.
/// - A request that is cancelled while its job waits is skipped when the
///   job's turn comes.
///
/// Peak memory is therefore about `workers × memory cost` whatever the load
/// (docs/PERFORMANCE.md records a measurement). Cheap to clone: clones share
/// the workers, which stop when the last clone is dropped.
///
/// # Example
///
/// ```
/// use seckit::SecretString;
/// use seckit::password::{AsyncHasher, PasswordHasher};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let hasher = AsyncHasher::new(PasswordHasher::new())?;
/// let password = SecretString::from("correct horse battery staple");
/// let stored = hasher.hash(&password).await?;
/// hasher.verify(&password, &stored).await?;
/// assert!(hasher.verify(&SecretString::from("guess"), &stored).await.is_err());
/// # Ok::<(), seckit::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct AsyncHasher {
    hasher: Arc<PasswordHasher>,
    jobs: SyncSender<Job>,
    workers: usize,
    queue: usize,
}

impl std::fmt::Debug for AsyncHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncHasher")
            .field("hasher", &self.hasher)
            .field("workers", &self.workers)
            .field("queue", &self.queue)
            .finish()
    }
}

impl AsyncHasher {
    /// `hasher` on one worker per core, with 16 waiting jobs per worker.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind) if a worker thread cannot
    /// be started.
    pub fn new(hasher: PasswordHasher) -> Result<Self> {
        let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::with_limits(
            hasher,
            workers,
            workers.saturating_mul(DEFAULT_QUEUE_PER_WORKER),
        )
    }

    /// `hasher` on `workers` threads (1 to 256) with at most `queue` waiting
    /// jobs (0 to 65 536; 0 refuses whatever cannot start at once).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) outside those ranges;
    /// [`ErrorKind::Internal`](crate::ErrorKind) if a thread cannot be started.
    pub fn with_limits(hasher: PasswordHasher, workers: usize, queue: usize) -> Result<Self> {
        if !(1..=256).contains(&workers) {
            return Err(Error::configuration("password.workers", "must be 1 to 256"));
        }
        if queue > 65_536 {
            return Err(Error::configuration(
                "password.queue",
                "must be at most 65536",
            ));
        }
        let hasher = Arc::new(hasher);
        // A job is taken off the channel only by an idle worker, so the
        // channel holds exactly the waiting jobs.
        let (jobs, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers {
            let rx = Arc::clone(&rx);
            let hasher = Arc::clone(&hasher);
            std::thread::Builder::new()
                .name(format!("seckit-password-{i}"))
                .spawn(move || work(&rx, &hasher))
                .map_err(|_| Error::internal("password worker thread could not start"))?;
        }
        Ok(Self {
            hasher,
            jobs,
            workers,
            queue,
        })
    }

    /// The synchronous hasher, for the calls that do no hashing
    /// ([`needs_rehash`](PasswordHasher::needs_rehash)).
    #[must_use]
    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    /// The number of worker threads.
    #[must_use]
    pub const fn workers(&self) -> usize {
        self.workers
    }

    /// As [`PasswordHasher::hash`], on a worker.
    ///
    /// # Errors
    ///
    /// As [`PasswordHasher::hash`]; [`ErrorKind::Unavailable`](crate::ErrorKind)
    /// when the queue is full.
    pub async fn hash(&self, password: &SecretString) -> Result<String> {
        let password = password.clone();
        self.run(move |h| h.hash(&password)).await
    }

    /// As [`PasswordHasher::verify`], on a worker.
    ///
    /// # Errors
    ///
    /// As [`PasswordHasher::verify`]; [`ErrorKind::Unavailable`](crate::ErrorKind)
    /// when the queue is full.
    pub async fn verify(&self, password: &SecretString, stored: &str) -> Result<()> {
        let password = password.clone();
        let stored = stored.to_owned();
        self.run(move |h| h.verify(&password, &stored)).await
    }

    /// As [`PasswordHasher::verify_and_upgrade`], on a worker.
    ///
    /// # Errors
    ///
    /// As [`PasswordHasher::verify`]; [`ErrorKind::Unavailable`](crate::ErrorKind)
    /// when the queue is full.
    pub async fn verify_and_upgrade(
        &self,
        password: &SecretString,
        stored: &str,
    ) -> Result<Verified> {
        let password = password.clone();
        let stored = stored.to_owned();
        self.run(move |h| h.verify_and_upgrade(&password, &stored))
            .await
    }

    /// As [`PasswordHasher::dummy_verify`], on a worker: the unknown-user
    /// path costs what a real verification costs, queue included.
    ///
    /// # Errors
    ///
    /// Always, as [`PasswordHasher::dummy_verify`];
    /// [`ErrorKind::Unavailable`](crate::ErrorKind) when the queue is full.
    pub async fn dummy_verify(&self, password: &SecretString) -> Result<()> {
        let password = password.clone();
        self.run(move |h| h.dummy_verify(&password)).await
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&PasswordHasher) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |hasher: &PasswordHasher| {
            // Cancelled while waiting: skip the work.
            if tx.is_closed() {
                return;
            }
            let _ = tx.send(f(hasher));
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(Error::unavailable("password hashing queue full"));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(Error::internal("password workers stopped"));
            }
        }
        rx.await
            .map_err(|_| Error::internal("password worker stopped before answering"))?
    }
}

fn work(rx: &Mutex<Receiver<Job>>, hasher: &PasswordHasher) {
    loop {
        let job = {
            let Ok(rx) = rx.lock() else { return };
            match rx.recv() {
                Ok(job) => job,
                Err(_) => return, // every AsyncHasher clone dropped
            }
        };
        // A panic in one job must not take the worker down with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(hasher)));
    }
}
