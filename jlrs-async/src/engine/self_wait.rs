//! Which threads serve a queue, so that a thread never blocks for its own queue where
//! nobody else could serve it (`TaskError::WouldDeadlock`, `DispatchError::Full`).

use std::{
    cell::RefCell,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Weak,
    },
};

use crate::engine::workers::Workers;

thread_local! {
    /// The queue the current thread serves, while it serves one.
    static SERVING: RefCell<Option<Arc<SelfWaits>>> = const { RefCell::new(None) };
}

/// Which threads serve one queue and how many of them wait, blocked, for their own queue
/// (for a task's result, or for room in it). A thread of the queue that would be the last
/// to block that way gets an error instead: nobody would be left to run the task it waits
/// for.
pub(crate) struct SelfWaits {
    blocked: AtomicUsize,
    /// Weak: the pool behind it owns its queue.
    workers: Weak<dyn Workers>,
}

/// One blocked wait of a serving thread on its own queue; ends on drop.
pub(crate) struct SelfWait(Arc<SelfWaits>);

impl Drop for SelfWait {
    fn drop(&mut self) {
        self.0.blocked.fetch_sub(1, Ordering::AcqRel);
    }
}

impl SelfWaits {
    /// Registers a blocked wait of the current thread on this queue. `Ok(None)` if the
    /// thread does not serve this queue; `Err` if it does and every worker of the queue
    /// would then be blocked on it.
    pub(crate) fn enter(self: &Arc<Self>) -> Result<Option<SelfWait>, ()> {
        let here = SERVING.with(|s| s.borrow().as_ref().is_some_and(|q| Arc::ptr_eq(q, self)));
        if !here {
            return Ok(None);
        }
        let workers = self.workers.upgrade().map_or(1, |w| w.n_workers()).max(1);
        let blocked = self.blocked.fetch_add(1, Ordering::AcqRel) + 1;
        let wait = SelfWait(self.clone());
        if blocked >= workers {
            return Err(());
        }
        Ok(Some(wait))
    }
}

/// Marks the current thread as serving a queue until dropped.
pub(crate) struct ServingGuard(Option<Arc<SelfWaits>>);

impl Drop for ServingGuard {
    fn drop(&mut self) {
        SERVING.with(|s| *s.borrow_mut() = self.0.take());
    }
}

impl SelfWaits {
    /// The waits of a new queue served by `workers`.
    pub(crate) fn new(workers: Weak<dyn Workers>) -> Self {
        SelfWaits {
            blocked: AtomicUsize::new(0),
            workers,
        }
    }

    /// Marks the current thread as serving this queue until the guard is dropped.
    pub(crate) fn serve_here(self: &Arc<Self>) -> ServingGuard {
        let previous = SERVING.with(|s| s.borrow_mut().replace(self.clone()));
        ServingGuard(previous)
    }
}
