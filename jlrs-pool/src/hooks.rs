//! What a pool does when a worker's loop panics outside any task, or a worker stops: the
//! hooks set with [`PoolBuilder::on_worker_panic`](crate::PoolBuilder::on_worker_panic)
//! and [`PoolBuilder::on_worker_exit`](crate::PoolBuilder::on_worker_exit).

use std::sync::Arc;

/// A worker's loop panicked outside any task (in its executor, say). Its tasks have
/// ended (they answer `Cancelled`; persistent tasks ran `exit`); queued tasks wait for the
/// other workers or the restarted one.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WorkerPanic {
    /// The worker's index in its pool (see
    /// [`current_worker_index`](crate::current_worker_index)).
    pub index: usize,
    /// The worker's name, `"{prefix}-{index}"`.
    pub name: Arc<str>,
    /// The panic's message.
    pub message: String,
    /// Whether the worker restarts on its thread with a new executor (it does unless it
    /// was told to stop).
    pub restarting: bool,
}

/// A worker stopped for good, and its thread is free again. It stops when:
///
/// - it was removed ([`AsyncHandle::try_remove_worker`](jlrs_async::AsyncHandle::try_remove_worker)),
///   once it has finished the tasks it holds;
/// - its pool closed (closed, every handle dropped, or its last worker removed), once it
///   has finished what it runs and the queue is drained;
/// - its loop panicked outside any task after it was told to stop (it is not restarted);
/// - it could not start (its hosted loop was refused).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WorkerExit {
    /// The worker's index in its pool.
    pub index: usize,
    /// The worker's name, `"{prefix}-{index}"`.
    pub name: Arc<str>,
}

pub(crate) type PanicHook = Arc<dyn Fn(&WorkerPanic) + Send + Sync>;
pub(crate) type ExitHook = Arc<dyn Fn(&WorkerExit) + Send + Sync>;

/// The hooks of one pool.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) on_panic: Option<PanicHook>,
    pub(crate) on_exit: Option<ExitHook>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("on_panic", &self.on_panic.is_some())
            .field("on_exit", &self.on_exit.is_some())
            .finish()
    }
}

impl Hooks {
    /// Reports a worker's panic to the hook. Without one, it is printed to stderr when the
    /// feature `tracing` is off (with it, the hosted loop's event reports it).
    pub(crate) fn panicked(&self, event: &WorkerPanic) {
        match &self.on_panic {
            Some(hook) => guarded("on_worker_panic", || hook(event)),
            None => jlrs_core::diagnostics::stderr_fallback(format_args!(
                "jlrs-pool: worker {} panicked outside a task ({}); {}",
                event.name,
                event.message,
                if event.restarting {
                    "restarting it"
                } else {
                    "it was told to stop"
                }
            )),
        }
    }

    /// Reports a worker's exit.
    pub(crate) fn exited(&self, event: &WorkerExit) {
        jlrs_core::diagnostics::worker_stopped(&event.name);
        if let Some(hook) = &self.on_exit {
            guarded("on_worker_exit", || hook(event));
        }
    }
}

/// Runs a hook; a panic in it is reported (a diagnostics event, or stderr without
/// `tracing`) and goes no further, so it cannot change what happens to the worker.
fn guarded(name: &str, hook: impl FnOnce()) {
    if let Err(message) = jlrs_core::panics::catch_message(hook) {
        jlrs_core::diagnostics::hook_panicked(name, &message);
    }
}
