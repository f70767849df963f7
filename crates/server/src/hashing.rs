//! The budget of password hashes: Argon2id takes 19 MiB and a core for ~20 ms, so a burst
//! of sign-ins with nothing bounding them grows the server's memory with the burst. At most
//! `concurrency` hashes run at once; a request waits up to `wait` for a slot, then is told
//! the server is busy (503 `busy` with `Retry-After`) instead of queueing without end.
//! Each slot's 19 MiB of working memory is allocated once and reused, so the memory of
//! hashing is `concurrency` × 19 MiB whatever the allocator does with freed blocks.

use crate::error::{ApiError, ApiResult};
use crate::security;
use argon2::Block;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request may wait for a hashing slot unless configured otherwise.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);

/// Shared by every clone: one budget per server process.
#[derive(Clone)]
pub struct HashBudget {
    slots: Arc<Semaphore>,
    concurrency: usize,
    wait: Duration,
    gauge: Arc<Gauge>,
    memory: Arc<Memory>,
}

/// Working memory of the slots not in use: never more than `concurrency` blocks, since a
/// block is taken only with a slot.
#[derive(Default)]
struct Memory(Mutex<Vec<Vec<Block>>>);

impl Memory {
    fn take(&self) -> Vec<Block> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_else(security::hashing_memory)
    }

    fn give_back(&self, memory: Vec<Block>) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(memory);
    }
}

/// How many hashes run now, and the most that ever ran at once (read by tests and
/// worth a look when tuning `TESSERA_HASH_CONCURRENCY`).
#[derive(Default)]
struct Gauge {
    running: AtomicUsize,
    peak: AtomicUsize,
}

/// A slot taken before the work that needs it, so a caller can refuse early (before it
/// counts a sign-in attempt) and still hash later.
pub struct HashSlot {
    permit: OwnedSemaphorePermit,
    gauge: Arc<Gauge>,
    memory: Arc<Memory>,
}

impl HashBudget {
    /// `concurrency` is at least one: a budget of none would refuse every sign-in.
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        let concurrency = concurrency.clamp(1, Semaphore::MAX_PERMITS);
        HashBudget {
            slots: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            wait,
            gauge: Default::default(),
            memory: Default::default(),
        }
    }

    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// The most hashes that ever ran at once under this budget.
    pub fn peak(&self) -> usize {
        self.gauge.peak.load(Ordering::Relaxed)
    }

    /// Waits up to the configured time for a slot; 503 `busy` past it.
    pub async fn slot(&self) -> ApiResult<HashSlot> {
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(HashSlot { permit, gauge: self.gauge.clone(), memory: self.memory.clone() }),
            // The semaphore is never closed; treat it like a timeout all the same.
            Ok(Err(_)) | Err(_) => {
                tracing::warn!(concurrency = self.concurrency, "password hashing busy: request refused");
                Err(ApiError::busy(self.wait.as_secs_f64().ceil() as u64))
            }
        }
    }

    /// Hashes a new password within the budget.
    pub async fn hash(&self, password: String) -> ApiResult<String> {
        self.slot().await?.hash(password).await
    }
}

impl HashSlot {
    pub async fn hash(self, password: String) -> ApiResult<String> {
        self.run(move |memory| security::hash_password_with(&password, memory)).await?.map_err(ApiError::internal)
    }

    pub async fn verify(self, password: String, stored: String) -> ApiResult<bool> {
        self.run(move |memory| security::verify_password_with(&password, &stored, memory)).await
    }

    /// The permit moves into the blocking task, so a client that hangs up does not free
    /// the slot while its hash still holds the memory.
    async fn run<T: Send + 'static>(self, work: impl FnOnce(&mut [Block]) -> T + Send + 'static) -> ApiResult<T> {
        let HashSlot { permit, gauge, memory } = self;
        tokio::task::spawn_blocking(move || {
            let running = gauge.running.fetch_add(1, Ordering::Relaxed) + 1;
            gauge.peak.fetch_max(running, Ordering::Relaxed);
            let mut blocks = memory.take();
            let out = work(&mut blocks);
            memory.give_back(blocks);
            gauge.running.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
            out
        })
        .await
        .map_err(ApiError::internal)
    }
}

impl Default for HashBudget {
    /// One hash per core: more would only queue for the CPU while holding their memory.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        HashBudget::new(cores, DEFAULT_WAIT)
    }
}

impl std::fmt::Debug for HashBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashBudget").field("concurrency", &self.concurrency).field("wait", &self.wait).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_budget_answers_busy_after_the_wait() {
        let budget = HashBudget::new(1, Duration::from_millis(20));
        let held = budget.slot().await.expect("a free slot");
        let refused = budget.slot().await.err().expect("no slot left");
        assert_eq!((refused.status.as_u16(), refused.code, refused.retry_after), (503, "busy", Some(1)));
        drop(held);
        assert!(budget.slot().await.is_ok());
    }

    #[tokio::test]
    async fn hashes_count_toward_the_peak() {
        let budget = HashBudget::new(0, Duration::from_millis(20));
        assert_eq!(budget.concurrency(), 1);
        let hash = budget.hash("correct horse battery".into()).await.expect("hash");
        let ok = budget.slot().await.expect("slot").verify("correct horse battery".into(), hash).await;
        assert!(ok.expect("verified"));
        assert_eq!(budget.peak(), 1);
        assert_eq!(budget.memory.0.lock().expect("not poisoned").len(), 1, "one slot, one block reused");
    }
}
