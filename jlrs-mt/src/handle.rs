//! [`MtHandle`]: call Julia from any Rust thread.

use std::sync::Arc;

use jlrs_core::{
    event_loop::Notifier,
    panics,
    sync::{GcSafeMutex, GcSafeMutexGuard},
    JlResult, Julia,
};

use crate::{plan::Plan, RuntimeError};

/// Work sent to a Julia thread.
pub(crate) type Job = Box<dyn FnOnce(&mut Julia) + Send>;

/// What all clones of one handle share. Dropping it (with the last handle) closes the job
/// queue and wakes the runtime thread, which then shuts Julia down.
pub(crate) struct MtHandleState {
    pub(crate) jobs: async_channel::Sender<Job>,
    pub(crate) notifier: Notifier,
    pub(crate) plan: Plan,
    /// Which worker threads are claimed, indexed from the first worker thread.
    claimed: GcSafeMutex<Vec<bool>>,
}

impl MtHandleState {
    pub(crate) fn new(jobs: async_channel::Sender<Job>, notifier: Notifier, plan: Plan) -> Self {
        let claimed = GcSafeMutex::new(vec![false; plan.worker_threads]);
        MtHandleState {
            jobs,
            notifier,
            plan,
            claimed,
        }
    }
}

impl Drop for MtHandleState {
    fn drop(&mut self) {
        self.jobs.close();
        self.notifier.notify();
    }
}

/// A handle to the multithreaded runtime: runs closures on Julia's threads for any Rust
/// thread.
///
/// Cloning is cheap. The runtime shuts down when the last handle (and everything made from
/// one, such as pools) is dropped, from any thread.
#[derive(Clone)]
pub struct MtHandle {
    shared: Arc<MtHandleState>,
}

static_assertions::assert_impl_all!(MtHandle: Send, Sync, Clone);

impl std::fmt::Debug for MtHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MtHandle")
            .field("n_julia_threads", &self.n_julia_threads())
            .field("n_with_threads", &self.n_with_threads())
            .field("n_worker_threads", &self.n_worker_threads())
            .field("shut_down", &self.shared.jobs.is_closed())
            .finish()
    }
}

impl MtHandle {
    pub(crate) fn new(shared: MtHandleState) -> Self {
        MtHandle {
            shared: Arc::new(shared),
        }
    }

    /// Runs `f` on a Julia thread and returns its result.
    ///
    /// Any number of threads may call this at once. The calling thread blocks until `f`
    /// has run (GC-safely, if it is itself a Julia thread). On a Julia thread that already
    /// runs Rust code (the runtime thread, a hosted loop or a pool worker) `f` runs right
    /// there, so calling `with` from inside `with` cannot deadlock.
    ///
    /// A Julia error returned by `f` becomes [`RuntimeError::Julia`]; a panic in `f` becomes
    /// [`RuntimeError::Panicked`], and the runtime stays healthy.
    pub fn with<T, F>(&self, f: F) -> Result<T, RuntimeError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Julia) -> JlResult<T> + Send + 'static,
    {
        if jlrs_core::in_julia() {
            return jlrs_core::reenter(|julia| run_caught(julia, f))
                .expect("this thread holds a Julia context");
        }
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |julia| {
            let _ = tx.send(run_caught(julia, f));
        });
        self.shared
            .jobs
            .try_send(job)
            .map_err(|_| RuntimeError::ShutDown)?;
        if self.shared.plan.with_threads == 0 {
            self.shared.notifier.notify();
        }
        let received = jlrs_core::wait::oneshot(rx);
        received.unwrap_or(Err(RuntimeError::ShutDown))
    }

    /// The number of Julia threads the runtime started.
    pub fn n_julia_threads(&self) -> usize {
        self.shared.plan.total()
    }

    /// The number of Julia threads that serve [`MtHandle::with`] (0: the runtime thread
    /// serves it).
    pub fn n_with_threads(&self) -> usize {
        self.shared.plan.with_threads
    }

    /// The number of Julia threads that can host pool workers.
    pub fn n_worker_threads(&self) -> usize {
        self.shared.plan.worker_threads
    }

    /// How many worker threads are not claimed now.
    pub fn n_free_worker_threads(&self) -> usize {
        self.claimed().iter().filter(|c| !**c).count()
    }

    /// Claims a free worker thread, for a pool worker; `None` when all are claimed.
    /// The thread is free again when the returned slot is dropped. For the layers above
    /// this crate.
    #[doc(hidden)]
    pub fn claim_worker_thread(&self) -> Option<WorkerThread> {
        let mut claimed = self.claimed();
        let index = claimed.iter().position(|c| !*c)?;
        claimed[index] = true;
        Some(WorkerThread {
            tid: *self.shared.plan.worker_tids().start() + index,
            index,
            handle: self.clone(),
        })
    }

    fn claimed(&self) -> GcSafeMutexGuard<'_, Vec<bool>> {
        self.shared.claimed.lock()
    }
}

/// A claimed worker thread. It keeps the runtime alive and is released on drop.
#[derive(Debug)]
pub struct WorkerThread {
    tid: usize,
    index: usize,
    handle: MtHandle,
}

impl WorkerThread {
    /// The Julia thread id (1-based).
    pub fn tid(&self) -> usize {
        self.tid
    }

    /// The runtime this thread belongs to.
    pub fn handle(&self) -> &MtHandle {
        &self.handle
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        self.handle.claimed()[self.index] = false;
    }
}

fn run_caught<T>(
    julia: &mut Julia,
    f: impl FnOnce(&mut Julia) -> JlResult<T>,
) -> Result<T, RuntimeError> {
    panics::catch(|| f(julia)).map_err(RuntimeError::from)
}
