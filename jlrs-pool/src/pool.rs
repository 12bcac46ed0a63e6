//! A pool: workers on claimed Julia threads, each running an executor, all serving one
//! task queue.

use std::{
    cell::RefCell,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex, MutexGuard, OnceLock, Weak,
    },
};

use event_listener::Event;
use jlrs_async::{Executor, Queue, Workers};
use jlrs_core::{hosted::Hosted, hosted::HostedLoop, Julia};
use jlrs_mt::{MtHandle, WorkerThread};

use crate::state::{PoolState, Removal};

thread_local! {
    static WORKER_NAME: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The name of the pool worker running on this thread, if any (`"{prefix}-{id}"`).
pub fn current_worker() -> Option<String> {
    WORKER_NAME.with(|n| n.borrow().clone())
}

/// Tells one worker to stop taking tasks.
#[derive(Default)]
struct Stop {
    set: AtomicBool,
    event: Event,
}

impl Stop {
    fn set(&self) {
        self.set.store(true, Ordering::Release);
        self.event.notify(usize::MAX);
    }

    fn is_set(&self) -> bool {
        self.set.load(Ordering::Acquire)
    }

    async fn wait(&self) {
        loop {
            if self.is_set() {
                return;
            }
            let listener = self.event.listen();
            if self.is_set() {
                return;
            }
            listener.await;
        }
    }
}

/// Everything a pool's workers and handles share.
pub(crate) struct Pool<E, const N: usize> {
    mt: MtHandle,
    executor: E,
    queue: OnceLock<Queue>,
    state: Mutex<PoolState>,
    stops: Mutex<Vec<(usize, Arc<Stop>)>>,
    restarts: AtomicUsize,
    prefix: String,
    this: Weak<Self>,
}

impl<E, const N: usize> Pool<E, N> {
    pub(crate) fn new(mt: MtHandle, executor: E, prefix: String) -> Arc<Self> {
        Arc::new_cyclic(|this| Pool {
            mt,
            executor,
            queue: OnceLock::new(),
            state: Mutex::new(PoolState::default()),
            stops: Mutex::new(Vec::new()),
            restarts: AtomicUsize::new(0),
            prefix,
            this: this.clone(),
        })
    }

    pub(crate) fn set_queue(&self, queue: Queue) {
        let _ = self.queue.set(queue);
    }

    fn queue(&self) -> &Queue {
        self.queue.get().expect("the queue is set at spawn")
    }

    fn state(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stops(&self) -> MutexGuard<'_, Vec<(usize, Arc<Stop>)>> {
        self.stops.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn exited(&self, id: usize) {
        self.stops().retain(|(w, _)| *w != id);
        let mut state = self.state();
        state.exited(id);
        if state.is_closed() {
            drop(state);
            // No worker is left to take tasks: refuse new ones.
            self.queue().close();
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
        let Some(thread) = self.mt.claim_worker_thread() else {
            return false;
        };
        let Some(id) = self.state().reserve() else {
            return false;
        };
        let Some(pool) = self.this.upgrade() else {
            return false;
        };
        let stop = Arc::new(Stop::default());
        self.stops().push((id, stop.clone()));
        let tid = thread.tid();
        let worker = Worker {
            pool,
            id,
            stop,
            thread: Some(thread),
        };
        let started = self
            .mt
            .with(move |julia| Hosted::on_thread(tid).spawn(julia, worker).map(|_| ()));
        if started.is_err() {
            self.state().unreserve(id);
            self.stops().retain(|(w, _)| *w != id);
            return false;
        }
        true
    }

    fn remove_worker(&self) -> bool {
        let removal = self.state().remove();
        match removal {
            Removal::None => false,
            Removal::Stop(id) => {
                if let Some((_, stop)) = self.stops().iter().find(|(w, _)| *w == id) {
                    stop.set();
                }
                true
            }
            Removal::Last(_) => {
                // The last worker drains the queue, then exits.
                self.queue().close();
                true
            }
        }
    }
}

impl<E: Executor<N>, const N: usize> Workers for Pool<E, N> {
    fn n_workers(&self) -> usize {
        self.state().n_workers()
    }

    fn try_add_worker(&self) -> bool {
        self.add_worker()
    }

    fn try_remove_worker(&self) -> bool {
        self.remove_worker()
    }

    fn restarts(&self) -> usize {
        self.restarts.load(Ordering::Relaxed)
    }
}

impl<E, const N: usize> Drop for Pool<E, N> {
    fn drop(&mut self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).close();
    }
}

/// One worker: a hosted loop on a claimed Julia thread.
struct Worker<E, const N: usize> {
    pool: Arc<Pool<E, N>>,
    id: usize,
    stop: Arc<Stop>,
    thread: Option<WorkerThread>,
}

impl<E: Executor<N>, const N: usize> HostedLoop for Worker<E, N> {
    fn run(&mut self, _julia: &mut Julia) {
        let name = format!("{}-{}", self.pool.prefix, self.id);
        WORKER_NAME.with(|n| *n.borrow_mut() = Some(name));
        let stop = self.stop.clone();
        self.pool
            .queue()
            .serve_blocking::<E, N>(&self.pool.executor, async move { stop.wait().await });
        WORKER_NAME.with(|n| *n.borrow_mut() = None);
    }

    fn panicked(&mut self, payload: Box<dyn std::any::Any + Send>) -> bool {
        WORKER_NAME.with(|n| *n.borrow_mut() = None);
        eprintln!(
            "jlrs-pool: worker {}-{} panicked outside a task ({}); restarting it",
            self.pool.prefix,
            self.id,
            jlrs_core::panic_message(&*payload)
        );
        self.pool.restarts.fetch_add(1, Ordering::Relaxed);
        // Tasks it held were dropped (their callers see `Cancelled`); queued tasks wait in
        // the shared queue for the restarted worker or the others.
        !self.stop.is_set()
    }
}

impl<E, const N: usize> Drop for Worker<E, N> {
    fn drop(&mut self) {
        // Runs on the worker's Julia thread once its loop has ended for good: the thread
        // is free for new workers or pools.
        drop(self.thread.take());
        self.pool.exited(self.id);
    }
}
