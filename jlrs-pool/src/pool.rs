//! A pool: workers on claimed Julia threads, each running an executor, all serving one
//! task queue. Adding and removing workers, and what a worker does while it lives, is in
//! `worker.rs`.

use std::sync::{Arc, OnceLock, Weak};

use jlrs_async::Queue;
use jlrs_core::{latch::Latch, sync::GcSafeMutex};
use jlrs_mt::MtHandle;

use crate::{hooks::Hooks, released_threads, state::PoolState};

/// Everything a pool's workers and handles share.
pub(crate) struct Pool<E, const N: usize> {
    pub(crate) mt: MtHandle,
    pub(crate) executor: E,
    queue: OnceLock<Queue>,
    /// The one owner of the pool's bookkeeping: reservations, stop signals, counts.
    /// A worker's stop signal is a latch: set to make it stop taking tasks.
    pub(crate) state: GcSafeMutex<PoolState<Arc<Latch>>>,
    pub(crate) prefix: String,
    pub(crate) hooks: Hooks,
    pub(crate) this: Weak<Self>,
}

impl<E, const N: usize> Pool<E, N> {
    pub(crate) fn new(mt: MtHandle, executor: E, prefix: String, hooks: Hooks) -> Arc<Self> {
        Arc::new_cyclic(|this| Pool {
            mt,
            executor,
            queue: OnceLock::new(),
            state: GcSafeMutex::new(PoolState::default()),
            prefix,
            hooks,
            this: this.clone(),
        })
    }

    pub(crate) fn set_queue(&self, queue: Queue) {
        let _ = self.queue.set(queue);
    }

    pub(crate) fn queue(&self) -> &Queue {
        self.queue.get().expect("the queue is set at spawn")
    }

    /// Worker `id` has ended for good (or never started) and released its thread.
    pub(crate) fn exited(&self, id: usize) {
        let exited = self.state.lock().exited(id);
        if exited.close_queue {
            // No counted worker is left to take tasks: refuse new ones.
            self.queue().close();
        }
        if exited.cancel_queued {
            // Nobody is left to drain the queue.
            self.queue().cancel_queued();
        }
        released_threads::released();
    }
}

impl<E: Send + Sync + 'static, const N: usize> released_threads::Releasing for Pool<E, N> {
    fn releasing(&self) -> usize {
        match self.queue.get() {
            Some(queue) if queue.is_closed() => self.state.lock().held(),
            _ => 0,
        }
    }
}
