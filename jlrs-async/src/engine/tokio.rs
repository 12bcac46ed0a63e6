//! [`Tokio`]: tokio as the executor (feature `tokio-rt`).

use crate::engine::executor::{Executor, LocalBoxFuture, LocalExecutor};

/// Tokio as the executor: tasks run in a `LocalSet` on the Julia thread, with tokio's
/// timers (and IO, if enabled) driven by one tokio thread of their own.
///
/// **`N`** bounds how many tasks hold a slot on one thread at once: on the runtime thread,
/// or on each worker of a pool (a pool of `w` workers runs up to `w * N`); further tasks
/// wait in the queue (see [`Executor`]). It bounds neither the queue (`channel_capacity`)
/// nor the tokio tasks a task spawns itself.
///
/// **Threads.** Each thread that runs this executor (the runtime thread, each pool worker)
/// starts its own tokio runtime with one driver thread (`jlrs-tokio-driver`) for tokio's
/// timers and IO: a pool of `w` Tokio workers adds `w` OS threads, which are not Julia
/// threads and never call Julia. The tasks themselves run on the Julia thread, in the
/// runtime's `LocalSet`, inside that runtime's context, so `tokio::time::sleep` (and
/// tokio IO with `enable_io`) work in them. Dropping the worker shuts its runtime down.
///
/// **Beside an application's own tokio runtime** these runtimes are separate: nothing of
/// the application's runtime is used or entered, and its tasks are unaffected. An
/// application's handler awaits a jlrs task ([`AsyncHandle::run`](crate::AsyncHandle::run),
/// a [`TaskHandle`](crate::TaskHandle)) from its own runtime like any future: the answer
/// arrives through a channel that wakes the awaiting task wherever it runs. Inside a jlrs
/// task, a tokio handle of the application's runtime may be used to spawn work there, but
/// the task's own timers are those of its worker's runtime. An application that only needs
/// to await jlrs tasks from tokio does not need this executor at all:
/// [`AsyncExecutor`](crate::AsyncExecutor) starts no thread.
#[derive(Clone, Copy, Debug)]
pub struct Tokio<const N: usize> {
    enable_io: bool,
}

impl<const N: usize> Tokio<N> {
    /// Tokio with timers, and with IO if `enable_io`.
    pub fn new(enable_io: bool) -> Self {
        Tokio { enable_io }
    }
}

/// The thread executor of [`Tokio`].
#[derive(Debug)]
pub struct TokioLocal {
    runtime: Option<tokio::runtime::Runtime>,
    local: tokio::task::LocalSet,
}

impl<const N: usize> Executor<N> for Tokio<N> {
    type Local = TokioLocal;

    fn local(&self) -> TokioLocal {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder
            .worker_threads(1)
            .thread_name("jlrs-tokio-driver")
            .enable_time();
        if self.enable_io {
            builder.enable_io();
        }
        let runtime = builder.build().expect("cannot start tokio");
        TokioLocal {
            runtime: Some(runtime),
            local: tokio::task::LocalSet::new(),
        }
    }
}

impl LocalExecutor for TokioLocal {
    fn spawn_local(&self, future: LocalBoxFuture<'static, ()>) {
        self.local.spawn_local(future);
    }

    fn run<'a>(&'a self, future: LocalBoxFuture<'a, ()>) -> LocalBoxFuture<'a, ()> {
        let runtime = self.runtime.as_ref().expect("the runtime lives until drop");
        Box::pin(async move {
            // Tasks find tokio's timers and IO through the runtime context.
            let _context = runtime.enter();
            self.local.run_until(future).await
        })
    }

    fn yield_now(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(tokio::task::yield_now())
    }
}

impl Drop for TokioLocal {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            // Shutting tokio down joins its thread: wait GC-safely.
            jlrs_core::blocking(move || rt.shutdown_timeout(std::time::Duration::from_secs(5)));
        }
    }
}
