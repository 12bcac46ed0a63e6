//! The executor trait, and the default executor on `async-executor`.

use std::{future::Future, pin::Pin};

/// A boxed, thread-bound future.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// An executor that runs the tasks of one Julia thread.
///
/// `N` bounds how many tasks hold a slot on one thread at once: on the async runtime
/// thread, or on each worker of a pool (a pool of `w` workers runs up to `w * N`). A
/// persistent task holds one only while its `init` runs; further tasks wait in the queue,
/// for this thread or, in a pool, for another worker. `N` does not bound the queue (see
/// `channel_capacity`) or the tasks an executor may spawn itself.
///
/// `N` must be at least 1, checked at compile time by every entry point that takes it
/// ([`AsyncRuntimeExt::async_runtime`](crate::AsyncRuntimeExt::async_runtime),
/// `PoolBuilderExt::pool_builder`, `Queue::serve_blocking`), so an executor with `N = 0`
/// is refused wherever it is used to start a runtime or pool:
///
/// ```compile_fail,E0080
/// use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
///
/// // error: `N` must be at least 1
/// let _ = jlrs_mt::Builder::new().async_runtime(AsyncExecutor::<0>::new());
/// ```
///
/// while `N = 1` compiles:
///
/// ```no_run
/// use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
///
/// let _ = jlrs_mt::Builder::new().async_runtime(AsyncExecutor::<1>::new());
/// ```
///
/// The value is a configuration, created anywhere and sent to the thread, where
/// [`Executor::local`] makes the thread's executor. The runtime drives that executor
/// itself, so that the thread is GC-safe while it waits for work and, on the runtime
/// thread, waits inside Julia's scheduler.
///
/// Implementing it for another executor takes a few lines; this is the default one:
///
/// ```
/// use jlrs_async::{Executor, LocalBoxFuture, LocalExecutor};
///
/// #[derive(Clone)]
/// struct MyExecutor;
///
/// struct MyLocal(async_executor::LocalExecutor<'static>);
///
/// impl<const N: usize> Executor<N> for MyExecutor {
///     type Local = MyLocal;
///     fn local(&self) -> MyLocal {
///         MyLocal(async_executor::LocalExecutor::new())
///     }
/// }
///
/// impl LocalExecutor for MyLocal {
///     fn spawn_local(&self, future: LocalBoxFuture<'static, ()>) {
///         self.0.spawn(future).detach();
///     }
///     fn run<'a>(&'a self, future: LocalBoxFuture<'a, ()>) -> LocalBoxFuture<'a, ()> {
///         Box::pin(self.0.run(future))
///     }
/// }
///
/// use jlrs_async::AsyncRuntimeExt;
///
/// let (handle, runtime) = jlrs_mt::Builder::new()
///     .async_runtime::<_, 2>(MyExecutor)
///     .spawn()
///     .expect("cannot start Julia");
/// let three = handle
///     .blocking_task(|mut frame| frame.eval("1 + 2")?.unbox::<i64>())
///     .dispatch_blocking()
///     .ok()
///     .unwrap()
///     .wait_blocking();
/// assert_eq!(three.unwrap(), 3);
/// drop(handle);
/// runtime.join().unwrap();
/// ```
pub trait Executor<const N: usize>: Clone + Send + Sync + 'static {
    /// The executor of one thread.
    type Local: LocalExecutor;

    /// Makes the executor of the current thread.
    fn local(&self) -> Self::Local;

    /// The former place of the `N > 0` check, now [`MaxTasks::AT_LEAST_ONE`], which the
    /// entry points evaluate (an implementation could override this one).
    #[doc(hidden)]
    const VALID: () = MaxTasks::<N>::AT_LEAST_ONE;
}

/// `N`, the most tasks that hold a slot on one thread at once (see [`Executor`]).
#[doc(hidden)]
#[derive(Debug)]
pub struct MaxTasks<const N: usize>;

impl<const N: usize> MaxTasks<N> {
    /// The one check that `N > 0`: a thread that may run no task would never take one
    /// from its queue. Every entry point that takes `N` evaluates it
    /// (`let () = MaxTasks::<N>::AT_LEAST_ONE;`), which fails to compile for `N = 0`.
    pub const AT_LEAST_ONE: () = assert!(
        N > 0,
        "`N` must be at least 1: the most tasks a thread runs at once"
    );
}

/// The executor of one thread: spawns local tasks and drives them.
pub trait LocalExecutor: 'static {
    /// Spawns a task that runs on this thread; it is detached.
    fn spawn_local(&self, future: LocalBoxFuture<'static, ()>);

    /// A future that drives this executor's tasks until `future` completes. The runtime
    /// polls it (it never blocks the thread itself).
    fn run<'a>(&'a self, future: LocalBoxFuture<'a, ()>) -> LocalBoxFuture<'a, ()>;

    /// Lets other tasks run (default: one round through the executor).
    fn yield_now(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(smol::future::yield_now())
    }
}

/// The default executor, on `async-executor`'s `LocalExecutor`; at most `N` tasks hold a
/// slot at once on a thread (the runtime thread, or each worker of a pool: see
/// [`Executor`]).
///
/// It starts no thread: the tasks run on the Julia thread and the thread waits for them
/// in Julia's scheduler. An application that runs its own tokio runtime (an axum server,
/// say) awaits jlrs tasks from it as it awaits any future; tokio's timers are not
/// available inside the tasks (use `Tokio`, feature `tokio-rt`, for that).
#[derive(Clone, Copy, Debug, Default)]
pub struct AsyncExecutor<const N: usize>;

impl<const N: usize> AsyncExecutor<N> {
    /// The default executor.
    pub fn new() -> Self {
        AsyncExecutor
    }
}

/// The thread executor of [`AsyncExecutor`].
#[derive(Debug)]
pub struct AsyncLocal(async_executor::LocalExecutor<'static>);

impl<const N: usize> Executor<N> for AsyncExecutor<N> {
    type Local = AsyncLocal;

    fn local(&self) -> AsyncLocal {
        AsyncLocal(async_executor::LocalExecutor::new())
    }
}

impl LocalExecutor for AsyncLocal {
    fn spawn_local(&self, future: LocalBoxFuture<'static, ()>) {
        self.0.spawn(future).detach();
    }

    fn run<'a>(&'a self, future: LocalBoxFuture<'a, ()>) -> LocalBoxFuture<'a, ()> {
        Box::pin(self.0.run(future))
    }
}
