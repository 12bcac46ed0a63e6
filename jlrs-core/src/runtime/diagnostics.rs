//! The library's diagnostics: `tracing` events (feature `tracing`), the ecosystem's
//! convention for what a library reports about itself. Without the feature the events
//! are not emitted; the reports that must reach someone (a failure nobody else hears of)
//! are printed to stderr instead.
//!
//! | event | target | level | fields | without `tracing` |
//! |-------|--------|-------|--------|-------------------|
//! | a task or `with` closure panicked (it answers its caller with the panic) | `jlrs::task` | `WARN` | `panic` | nothing |
//! | a hosted loop (a pool worker, a `with` server) panicked outside any task, and whether it restarts | `jlrs::hosted` | `ERROR` | `tid`, `worker` (a pool worker's name), `panic`, `restarting` | nothing (a pool without an `on_worker_panic` hook prints it) |
//! | a pool worker started on its thread | `jlrs::pool` | `DEBUG` | `worker`, `tid` | nothing |
//! | a pool worker stopped and released its thread | `jlrs::pool` | `DEBUG` | `worker` | nothing |
//! | a pool's `on_worker_panic` or `on_worker_exit` hook panicked | `jlrs::pool` | `ERROR` | `hook`, `panic` | printed |
//! | a garbage collection stopped every Julia thread for at least the threshold (`gc_stats::set_long_pause_threshold`, 50 ms) | `jlrs::gc` | `WARN` | `pause_ms` (the world stopped), `gc_ms` (Julia collecting), `full` (asked to be full) | nothing |
//! | the runtime thread's event loop failed (Julia then shuts down) | `jlrs::runtime` | `ERROR` | `error` | printed |
//! | shutdown could not wait for the hosted loops (Julia shuts down anyway) | `jlrs::runtime` | `ERROR` | `error` | printed |
//!
//! The layers above this crate report through these functions, so the `tracing`
//! dependency, its feature and the stderr fallback live in one place. The functions are
//! hidden from the docs: calling them would report events that did not happen.

/// Whether the events are emitted (the feature `tracing` is on); without it, reports that
/// must reach someone are printed to stderr (see [`stderr_fallback`]).
#[doc(hidden)]
pub const TRACING: bool = cfg!(feature = "tracing");

/// Prints a report to stderr when the feature `tracing` is off, where no event carries
/// it; does nothing with the feature on (the caller emits the event).
#[doc(hidden)]
pub fn stderr_fallback(report: std::fmt::Arguments<'_>) {
    if !TRACING {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "{report}");
    }
}

/// A task or `with` closure panicked with `message`.
#[doc(hidden)]
pub fn task_panicked(message: &str) {
    #[cfg(feature = "tracing")]
    tracing::warn!(target: "jlrs::task", panic = message, "a task panicked");
    #[cfg(not(feature = "tracing"))]
    let _ = message;
}

/// The hosted loop on Julia thread `tid` (a pool worker called `worker`, if named)
/// panicked outside any task with `message`; it restarts on its thread if `restarting`.
#[doc(hidden)]
pub fn hosted_loop_panicked(tid: usize, worker: Option<&str>, message: &str, restarting: bool) {
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "jlrs::hosted",
        tid,
        worker,
        panic = message,
        restarting,
        "hosted loop panicked outside a task"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (tid, worker, message, restarting);
}

/// Pool worker `worker` started on Julia thread `tid`.
#[doc(hidden)]
pub fn worker_started(worker: &str, tid: usize) {
    #[cfg(feature = "tracing")]
    tracing::debug!(target: "jlrs::pool", worker, tid, "worker started");
    #[cfg(not(feature = "tracing"))]
    let _ = (worker, tid);
}

/// Pool worker `worker` stopped for good and released its thread.
#[doc(hidden)]
pub fn worker_stopped(worker: &str) {
    #[cfg(feature = "tracing")]
    tracing::debug!(target: "jlrs::pool", worker, "worker stopped");
    #[cfg(not(feature = "tracing"))]
    let _ = worker;
}

/// A pool's hook `hook` (`"on_worker_panic"`, `"on_worker_exit"`) panicked with
/// `message`; the panic went no further.
#[doc(hidden)]
pub fn hook_panicked(hook: &str, message: &str) {
    #[cfg(feature = "tracing")]
    tracing::error!(target: "jlrs::pool", hook, panic = message, "a pool hook panicked");
    stderr_fallback(format_args!(
        "jlrs-pool: the {hook} hook panicked: {message}"
    ));
}

/// The runtime thread's event loop failed with `error`; Julia shuts down next.
#[doc(hidden)]
pub fn runtime_loop_failed(error: &dyn std::fmt::Display) {
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "jlrs::runtime",
        error = %error,
        "the runtime thread's loop failed"
    );
    stderr_fallback(format_args!(
        "jlrs-mt: the runtime thread's loop failed: {error}"
    ));
}

/// `Runtime::shutdown` could not wait for the hosted loops (`JlrsCore.wait_hosted` failed
/// with `error`); Julia shuts down anyway.
#[doc(hidden)]
pub fn shutdown_wait_failed(error: &dyn std::fmt::Display) {
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "jlrs::runtime",
        error = %error,
        "shutdown could not wait for the hosted loops"
    );
    stderr_fallback(format_args!(
        "jlrs: waiting for hosted loops failed: {error}"
    ));
}

/// A collection stopped every Julia thread for `pause` (of which Julia collected for
/// `gc`). Runs on the collecting thread with the world stopped: it touches no Julia value.
#[doc(hidden)]
pub fn long_gc_pause(pause: std::time::Duration, gc: std::time::Duration, full: bool) {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        target: "jlrs::gc",
        pause_ms = pause.as_secs_f64() * 1e3,
        gc_ms = gc.as_secs_f64() * 1e3,
        full,
        "a garbage collection paused every Julia thread"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (pause, gc, full);
}
