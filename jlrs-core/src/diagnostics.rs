//! The library's diagnostics: `tracing` events (feature `tracing`), the ecosystem's
//! convention for what a library reports about itself. Without the feature these
//! functions do nothing.
//!
//! | event | target | level | fields |
//! |-------|--------|-------|--------|
//! | a task or `with` closure panicked (it answers its caller with the panic) | `jlrs::task` | `WARN` | `panic` |
//! | a pool worker started on its thread | `jlrs::pool` | `DEBUG` | `worker`, `tid` |
//! | a pool worker's loop panicked outside any task, and whether it restarts | `jlrs::pool` | `ERROR` | `worker`, `panic`, `restarting` |
//! | a pool worker stopped and released its thread | `jlrs::pool` | `DEBUG` | `worker` |
//!
//! The layers above this crate report through these functions, so the `tracing`
//! dependency and its feature live in one place.

/// A task or `with` closure panicked with `message`.
pub fn task_panicked(message: &str) {
    #[cfg(feature = "tracing")]
    tracing::warn!(target: "jlrs::task", panic = message, "a task panicked");
    #[cfg(not(feature = "tracing"))]
    let _ = message;
}

/// Pool worker `worker` started on Julia thread `tid`.
pub fn worker_started(worker: &str, tid: usize) {
    #[cfg(feature = "tracing")]
    tracing::debug!(target: "jlrs::pool", worker, tid, "worker started");
    #[cfg(not(feature = "tracing"))]
    let _ = (worker, tid);
}

/// Pool worker `worker`'s loop panicked outside any task with `message`; it restarts on
/// its thread if `restarting`.
pub fn worker_panicked(worker: &str, message: &str, restarting: bool) {
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "jlrs::pool",
        worker,
        panic = message,
        restarting,
        "worker panicked outside a task"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (worker, message, restarting);
}

/// Pool worker `worker` stopped for good and released its thread.
pub fn worker_stopped(worker: &str) {
    #[cfg(feature = "tracing")]
    tracing::debug!(target: "jlrs::pool", worker, "worker stopped");
    #[cfg(not(feature = "tracing"))]
    let _ = worker;
}
