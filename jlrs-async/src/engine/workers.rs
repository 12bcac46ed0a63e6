//! [`Workers`]: what a task queue's handle asks of the threads behind it (the runtime
//! thread, or a pool's workers).

/// The workers behind an [`AsyncHandle`](crate::AsyncHandle): the runtime thread, or a
/// pool's workers.
pub trait Workers: Send + Sync + 'static {
    /// How many workers serve the handle's queue now.
    fn n_workers(&self) -> usize;
    /// Adds a worker; `true` if one was started (counted, its loop scheduled on its thread;
    /// it may not have taken a task yet) when this returns, `false` if none could start or
    /// the queue is closed.
    fn try_add_worker(&self) -> bool;
    /// Tells a worker to stop; `true` if one was told.
    fn try_remove_worker(&self) -> bool;
    /// How many times a worker was restarted after a panic.
    fn restarts(&self) -> usize {
        0
    }
}
