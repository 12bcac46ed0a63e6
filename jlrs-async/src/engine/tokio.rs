//! [`Tokio`]: tokio as the executor (feature `tokio-rt`).

use crate::engine::executor::{Executor, LocalBoxFuture, LocalExecutor};

/// Tokio as the executor: tasks run in a `LocalSet` on the Julia thread, with tokio's
/// timers (and IO, if enabled) driven by one tokio thread of their own. At most `N` tasks
/// run at once on a thread.
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
