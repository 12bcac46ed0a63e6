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

/// A worker stopped for good: it was removed, its pool closed, or it panicked while told
/// to stop. Its thread is free again.
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
    /// Reports a worker's panic: to the hook, or else to stderr.
    pub(crate) fn panicked(&self, event: &WorkerPanic) {
        jlrs_core::diagnostics::worker_panicked(&event.name, &event.message, event.restarting);
        match &self.on_panic {
            Some(hook) => guarded("on_worker_panic", || hook(event)),
            None => eprintln!(
                "jlrs-pool: worker {} panicked outside a task ({}); {}",
                event.name,
                event.message,
                if event.restarting {
                    "restarting it"
                } else {
                    "it was told to stop"
                }
            ),
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

/// Runs a hook; a panic in it is reported and goes no further, so it cannot change what
/// happens to the worker.
fn guarded(name: &str, hook: impl FnOnce()) {
    if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(hook)) {
        eprintln!(
            "jlrs-pool: the {name} hook panicked: {}",
            jlrs_core::panic_message(&*payload)
        );
    }
}
