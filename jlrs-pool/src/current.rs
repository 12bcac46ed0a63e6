//! Which pool worker runs on the current thread: [`current_worker_index`] and
//! [`current_worker_name`], as rayon's `current_thread_index`.

use std::{cell::RefCell, sync::Arc};

thread_local! {
    /// The index and name of the worker running on this thread, while one runs.
    static CURRENT: RefCell<Option<(usize, Arc<str>)>> = const { RefCell::new(None) };
}

/// The index of the pool worker running on this thread within its pool (`0` for the
/// first worker a pool started, counting up), or `None` off a pool worker. Indexes are
/// not reused within a pool; two pools both have a worker `0`.
pub fn current_worker_index() -> Option<usize> {
    CURRENT.with(|c| c.borrow().as_ref().map(|(index, _)| *index))
}

/// The name of the pool worker running on this thread, `"{prefix}-{index}"` (see
/// [`PoolBuilder::name_prefix`](crate::PoolBuilder::name_prefix)), or `None` off a pool
/// worker. Shared, not allocated per call.
pub fn current_worker_name() -> Option<Arc<str>> {
    CURRENT.with(|c| c.borrow().as_ref().map(|(_, name)| name.clone()))
}

/// The old form of [`current_worker_name`], which allocates a `String` per call.
#[doc(hidden)]
pub fn current_worker() -> Option<String> {
    current_worker_name().map(|name| name.to_string())
}

/// Marks the current thread as running worker `index` named `name` (`None`: no worker).
pub(crate) fn set(worker: Option<(usize, Arc<str>)>) {
    CURRENT.with(|c| *c.borrow_mut() = worker);
}
