//! The runtime a pool test binary shares: started on first use with a given number of
//! worker threads, and a lock that runs the binary's tests one at a time, each starting
//! with every worker thread free.

use std::sync::OnceLock;

use jlrs_core::sync::{GcSafeMutex, GcSafeMutexGuard};
use jlrs_mt::{Builder, MtHandle};

use crate::wait_until;

/// A pool test binary's runtime.
#[derive(Debug)]
pub struct PoolRuntime {
    worker_threads: usize,
    mt: OnceLock<MtHandle>,
    lock: GcSafeMutex<()>,
}

impl PoolRuntime {
    /// A runtime with `worker_threads` threads for pool workers, started on first use.
    pub const fn new(worker_threads: usize) -> Self {
        PoolRuntime {
            worker_threads,
            mt: OnceLock::new(),
            lock: GcSafeMutex::new(()),
        }
    }

    /// The runtime's handle.
    pub fn mt(&self) -> &MtHandle {
        self.mt.get_or_init(|| {
            Builder::new()
                .n_threads(self.worker_threads)
                .spawn_mt()
                .expect("cannot start Julia")
                .0
        })
    }

    /// Held by a test for its whole run: the binary's tests share the worker threads (and
    /// any process-wide switch, such as the faulty executor's), so they run one at a time.
    /// Returns once every worker thread is free.
    pub fn exclusive(&self) -> GcSafeMutexGuard<'_, ()> {
        let guard = self.lock.lock();
        wait_until("all worker threads free", || {
            self.mt().n_free_worker_threads() == self.worker_threads
        });
        guard
    }
}
