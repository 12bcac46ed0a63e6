//! A pool worker's life: start, restart, exit.
//!
//! - **Added and removed.** `Pool::add_worker` (jlrs-async's `Workers::try_add_worker`)
//!   reserves the worker in the pool's state, then starts it; `Pool::remove_worker` picks
//!   a worker and sets its stop signal (or, for the last one, closes the queue, which it
//!   drains before it exits).
//! - **Start.** [`start`] hosts a [`Worker`] on the Julia thread its pool reserved for it
//!   (`Pool::add_worker`: the worker is counted and holds its thread from the
//!   reservation on). [`Worker::run`] serves the pool's queue with
//!   [`Queue::serve_blocking`](jlrs_async::Queue::serve_blocking) until its stop signal
//!   is set or the queue is closed and drained, then returns: its loop ends.
//! - **Restart.** A panic outside any task (in its executor, say) first ends the worker's
//!   tasks (`Queue::serve` does that before the panic goes on), then reaches
//!   [`Worker::panicked`] through its hosted loop: the pool's state decides
//!   (`PoolState::restart`: unless it was told to stop), the `on_worker_panic` hook hears
//!   of it, and the hosted loop runs [`Worker::run`] again on the same thread, with a new
//!   executor. The hosted loop reports the panic as a diagnostics event.
//! - **Exit.** When its loop has ended for good (or it could not start), the worker is
//!   dropped: [`Worker::drop`] releases its thread, then tells the pool
//!   (`Pool::exited`, which may close or empty the queue and wakes pools waiting for
//!   threads) and the `on_worker_exit` hook.

use std::sync::Arc;

use jlrs_async::{Executor, Workers};
use jlrs_core::{
    hosted::{Hosted, HostedLoop, HostedThread},
    latch::Latch,
    Julia,
};
use jlrs_mt::WorkerThread;

use crate::{
    current,
    hooks::{WorkerExit, WorkerPanic},
    pool::Pool,
    state::Removal,
};

/// One worker: a hosted loop on a claimed Julia thread.
pub(crate) struct Worker<E, const N: usize> {
    pool: Arc<Pool<E, N>>,
    id: usize,
    /// `"{prefix}-{id}"`.
    name: Arc<str>,
    stop: Arc<Latch>,
    thread: Option<WorkerThread>,
}

/// Starts worker `id` of `pool`, called `name`, on `thread`, which the pool reserved for
/// it with its stop signal `stop`; `false` if its loop could not start (the worker is
/// then dropped, which is its exit).
pub(crate) fn start<E: Executor<N>, const N: usize>(
    pool: Arc<Pool<E, N>>,
    id: usize,
    name: Arc<str>,
    stop: Arc<Latch>,
    thread: WorkerThread,
) -> bool {
    let tid = thread.tid();
    let mt = pool.mt.clone();
    let worker = Worker {
        name: name.clone(),
        pool,
        id,
        stop,
        thread: Some(thread),
    };
    mt.with(move |julia| {
        Hosted::on_thread(tid)
            .name(name)
            .spawn(julia, worker)
            // The loop's handle is not kept. Its restart count is the loop's own; the
            // pool's total, which `Stats::restarted` shows, spans workers that come and
            // go, so the pool keeps it where it decides restarts (`PoolState::restart`)
            // rather than in a list of every loop that ever ran. And the pool hears of
            // the loop's end from `Worker::drop`, not through `HostedThread::join`.
            .map(|_loop: HostedThread| ())
    })
    .is_ok()
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
        // The restart decision: unless it was told to stop.
        let again = self.pool.state.lock().restart(self.id);
        self.pool.hooks.panicked(&WorkerPanic {
            index: self.id,
            name: self.name.clone(),
            message: jlrs_core::panics::panic_message(&*payload),
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
        let name = format!("{}-{id}", self.prefix).into();
        start(pool, id, name, stop, thread)
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
