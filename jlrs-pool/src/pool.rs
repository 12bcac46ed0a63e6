//! A pool: workers on claimed Julia threads, each running an executor, all serving one
//! task queue.

use std::sync::{Arc, OnceLock, Weak};

use jlrs_async::{Executor, Queue, Workers};
use jlrs_core::{hosted::Hosted, hosted::HostedLoop, latch::Latch, sync::GcSafeMutex, Julia};
use jlrs_mt::{MtHandle, WorkerThread};

use crate::{
    closing, current,
    hooks::{Hooks, WorkerExit, WorkerPanic},
    state::{PoolState, Removal},
};

/// Everything a pool's workers and handles share.
pub(crate) struct Pool<E, const N: usize> {
    mt: MtHandle,
    executor: E,
    queue: OnceLock<Queue>,
    /// The one owner of the pool's bookkeeping: reservations, stop signals, counts.
    /// A worker's stop signal is a latch: set to make it stop taking tasks.
    state: GcSafeMutex<PoolState<Arc<Latch>>>,
    prefix: String,
    hooks: Hooks,
    this: Weak<Self>,
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

    fn queue(&self) -> &Queue {
        self.queue.get().expect("the queue is set at spawn")
    }

    /// Worker `id` has ended for good (or never started) and released its thread.
    fn exited(&self, id: usize) {
        let exited = self.state.lock().exited(id);
        if exited.close_queue {
            // No counted worker is left to take tasks: refuse new ones.
            self.queue().close();
        }
        if exited.cancel_queued {
            // Nobody is left to drain the queue.
            self.queue().cancel_queued();
        }
        closing::released();
    }
}

impl<E: Send + Sync + 'static, const N: usize> closing::Releasing for Pool<E, N> {
    fn releasing(&self) -> usize {
        match self.queue.get() {
            Some(queue) if queue.is_closed() => self.state.lock().held(),
            _ => 0,
        }
    }
}

impl<E: Executor<N>, const N: usize> Pool<E, N> {
    /// Starts a worker on a free Julia thread; `false` if none is free or the pool is
    /// closed.
    pub(crate) fn add_worker(&self) -> bool {
        if self.queue().is_closed() {
            return false;
        }
        let Some(pool) = self.this.upgrade() else {
            return false;
        };
        let stop = Arc::new(Latch::new());
        // One critical section: from here the worker is counted, holds its thread and can
        // be told to stop, even while its start is still under way.
        let reserved = self
            .state
            .lock()
            .reserve(stop.clone(), || self.mt.claim_worker_thread());
        let Some((id, thread)) = reserved else {
            return false;
        };
        let tid = thread.tid();
        let worker = Worker {
            name: format!("{}-{id}", self.prefix).into(),
            pool,
            id,
            stop,
            thread: Some(thread),
        };
        // If the loop cannot start, `worker` is dropped: that is its exit.
        self.mt
            .with(move |julia| Hosted::on_thread(tid).spawn(julia, worker).map(|_| ()))
            .is_ok()
    }

    fn remove_worker(&self) -> bool {
        let removal = self.state.lock().remove();
        match removal {
            Removal::None => false,
            Removal::Stop(stop) => {
                stop.set();
                true
            }
            Removal::Last => {
                // The last worker drains the queue, then exits.
                self.queue().close();
                true
            }
        }
    }
}

impl<E: Executor<N>, const N: usize> Workers for Pool<E, N> {
    fn n_workers(&self) -> usize {
        self.state.lock().n_workers()
    }

    fn try_add_worker(&self) -> bool {
        self.add_worker()
    }

    fn try_remove_worker(&self) -> bool {
        self.remove_worker()
    }

    fn restarts(&self) -> usize {
        self.state.lock().restarts()
    }
}

/// One worker: a hosted loop on a claimed Julia thread.
struct Worker<E, const N: usize> {
    pool: Arc<Pool<E, N>>,
    id: usize,
    /// `"{prefix}-{id}"`.
    name: Arc<str>,
    stop: Arc<Latch>,
    thread: Option<WorkerThread>,
}

impl<E: Executor<N>, const N: usize> HostedLoop for Worker<E, N> {
    fn run(&mut self, _julia: &mut Julia) {
        let tid = self.thread.as_ref().map_or(0, WorkerThread::tid);
        jlrs_core::diagnostics::worker_started(&self.name, tid);
        current::set(Some((self.id, self.name.clone())));
        let stop = self.stop.clone();
        self.pool
            .queue()
            .serve_blocking::<E, N>(&self.pool.executor, async move { stop.wait().await });
        current::set(None);
    }

    fn panicked(&mut self, payload: Box<dyn std::any::Any + Send>) -> bool {
        current::set(None);
        let again = self.pool.state.lock().restart(self.id);
        self.pool.hooks.panicked(&WorkerPanic {
            index: self.id,
            name: self.name.clone(),
            message: jlrs_core::panic_message(&*payload),
            restarting: again,
        });
        // The tasks it ran have ended (see `Queue::serve_blocking`); queued tasks wait in
        // the shared queue for the restarted worker or the others.
        again
    }
}

impl<E, const N: usize> Drop for Worker<E, N> {
    fn drop(&mut self) {
        // Runs on the worker's Julia thread once its loop has ended for good (or wherever
        // a worker that never started is dropped): the thread is free for new workers or
        // pools before the pool hears of the exit.
        drop(self.thread.take());
        self.pool.exited(self.id);
        self.pool.hooks.exited(&WorkerExit {
            index: self.id,
            name: self.name.clone(),
        });
    }
}
