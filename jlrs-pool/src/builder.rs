//! [`PoolBuilder`]: configures and spawns a pool from an [`MtHandle`].

use std::{
    num::NonZeroUsize,
    sync::{Arc, Weak},
};

use jlrs_async::{AsyncHandle, Executor, MaxTasks, Queue};
use jlrs_mt::MtHandle;

use crate::{
    hooks::{Hooks, WorkerExit, WorkerPanic},
    pool::Pool,
    released_threads, PoolError,
};

/// Adds [`pool_builder`](PoolBuilderExt::pool_builder) to [`MtHandle`].
pub trait PoolBuilderExt {
    /// Configures a pool whose workers each run an executor made by `executor`, each
    /// running at most `N` tasks at once (see [`Executor`]): a pool of `w` workers runs up
    /// to `w * N` tasks, and further tasks wait in its queue.
    ///
    /// The pool's handle, returned by [`PoolBuilder::spawn`], is an [`AsyncHandle`], the
    /// same type as the async runtime thread's: `Clone + Send + Sync`, with every kind of
    /// task, the one-step [`AsyncHandle::run`] / [`AsyncHandle::run_blocking`],
    /// backpressure, `close` and `stats`. It can go straight into a web framework's shared
    /// state.
    ///
    /// With [`Tokio`](jlrs_async::Tokio), each worker starts a tokio runtime of its own
    /// (see its docs); [`AsyncExecutor`](jlrs_async::AsyncExecutor) starts no thread.
    ///
    /// `N` must be at least 1, checked at compile time:
    ///
    /// ```compile_fail,E0080
    /// use jlrs_async::AsyncExecutor;
    /// use jlrs_pool::PoolBuilderExt;
    ///
    /// fn zero(mt: &jlrs_mt::MtHandle) {
    ///     // error: `N` must be at least 1
    ///     let _ = mt.pool_builder(AsyncExecutor::<0>::new());
    /// }
    /// # let _ = zero as fn(&_);
    /// ```
    ///
    /// while `N = 1` compiles:
    ///
    /// ```
    /// use jlrs_async::AsyncExecutor;
    /// use jlrs_pool::PoolBuilderExt;
    ///
    /// fn one(mt: &jlrs_mt::MtHandle) {
    ///     let _ = mt.pool_builder(AsyncExecutor::<1>::new());
    /// }
    /// # let _ = one as fn(&_);
    /// ```
    fn pool_builder<E: Executor<N>, const N: usize>(&self, executor: E) -> PoolBuilder<E, N>;
}

impl PoolBuilderExt for MtHandle {
    fn pool_builder<E: Executor<N>, const N: usize>(&self, executor: E) -> PoolBuilder<E, N> {
        let () = MaxTasks::<N>::AT_LEAST_ONE;
        PoolBuilder {
            mt: self.clone(),
            executor,
            n_workers: NonZeroUsize::MIN,
            capacity: 0,
            prefix: "jlrs-pool".into(),
            hooks: Hooks::default(),
        }
    }
}

/// Configures a pool.
#[derive(Debug)]
pub struct PoolBuilder<E, const N: usize> {
    mt: MtHandle,
    executor: E,
    n_workers: NonZeroUsize,
    capacity: usize,
    prefix: String,
    hooks: Hooks,
}

impl<E: Executor<N>, const N: usize> PoolBuilder<E, N> {
    /// How many workers the pool starts with (default 1).
    pub fn n_workers(mut self, n: NonZeroUsize) -> Self {
        self.n_workers = n;
        self
    }

    /// How many tasks may wait in the pool's queue (0, the default: no limit).
    pub fn channel_capacity(mut self, n: usize) -> Self {
        self.capacity = n;
        self
    }

    /// The prefix of the workers' names, `"{prefix}-{id}"` (default `"jlrs-pool"`; see
    /// [`current_worker_name`](crate::current_worker_name)).
    pub fn name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Called on a worker's thread when its loop panics outside any task (a task's own
    /// panic is that task's error), after the worker's tasks have ended and before it
    /// restarts. With the feature `tracing`, an event is emitted as well (see
    /// `jlrs_core::diagnostics`); without a hook and without `tracing`, the panic is
    /// printed to stderr. A panic in the hook is reported the same way and changes
    /// nothing.
    ///
    /// ```
    /// use jlrs_async::AsyncExecutor;
    /// use jlrs_pool::PoolBuilderExt;
    ///
    /// let (mt, runtime) = jlrs_mt::Builder::new().n_threads(1).spawn_mt().unwrap();
    /// let pool = mt
    ///     .pool_builder(AsyncExecutor::<1>::new())
    ///     .on_worker_panic(|event| {
    ///         eprintln!("{} failed: {} (restarting: {})", event.name, event.message, event.restarting)
    ///     })
    ///     .on_worker_exit(|event| eprintln!("{} stopped", event.name))
    ///     .spawn();
    /// drop((pool, mt));
    /// runtime.join().unwrap();
    /// ```
    pub fn on_worker_panic(mut self, hook: impl Fn(&WorkerPanic) + Send + Sync + 'static) -> Self {
        self.hooks.on_panic = Some(Arc::new(hook));
        self
    }

    /// Called on a worker's thread when the worker has stopped for good and released its
    /// thread; [`WorkerExit`] lists when that happens. A panic in the hook is reported (a
    /// `tracing` event, or stderr without the feature) and changes nothing.
    pub fn on_worker_exit(mut self, hook: impl Fn(&WorkerExit) + Send + Sync + 'static) -> Self {
        self.hooks.on_exit = Some(Arc::new(hook));
        self
    }

    /// Spawns the pool with as many of its workers as there are free worker threads, and
    /// returns its handle, an [`AsyncHandle`] (see [`PoolBuilderExt::pool_builder`]).
    ///
    /// Threads that closed pools are still releasing count as free: if fewer threads are
    /// free than workers were asked for while some pool whose queue is closed (see
    /// [`AsyncHandle::close`]) still holds threads, `spawn` first waits until enough are
    /// free or no closed pool holds any, that is until their workers have finished the
    /// tasks they run. It never waits for threads that open pools hold, removed workers
    /// with persistent tasks included. So a pool closed just before (`is_closed()` already
    /// `true`) gives all its threads to a new pool of the same size. On a Julia thread
    /// (inside a task or [`MtHandle::with`](jlrs_mt::MtHandle::with)) `spawn` does not
    /// wait, since the thread might be one of those waited for, and takes what is free.
    ///
    /// If no worker could start, the returned handle is closed. Check
    /// [`AsyncHandle::n_workers`], or use [`PoolBuilder::try_spawn`] to treat a shortfall
    /// as an error.
    pub fn spawn(self) -> AsyncHandle {
        self.spawn_inner().0
    }

    /// Spawns the pool, or fails if fewer worker threads are free than workers were asked
    /// for. It waits for threads that closed pools are still releasing as
    /// [`PoolBuilder::spawn`] does. On failure, the workers that did start are stopped:
    /// the pool is closed and its threads come back once they have left (a pool spawned
    /// next waits for them as `spawn` describes).
    pub fn try_spawn(self) -> Result<AsyncHandle, PoolError> {
        let requested = self.n_workers.get();
        let (handle, started) = self.spawn_inner();
        if started < requested {
            handle.close(false);
            return Err(PoolError::NoFreeThread { requested, started });
        }
        Ok(handle)
    }

    fn spawn_inner(self) -> (AsyncHandle, usize) {
        let mt = self.mt.clone();
        let pool = Pool::<E, N>::new(self.mt, self.executor, self.prefix, self.hooks);
        let (queue, handle) = Queue::new(self.capacity, pool.clone());
        pool.set_queue(queue);
        released_threads::register(Arc::downgrade(&pool) as Weak<dyn released_threads::Releasing>);
        released_threads::wait_for_threads(&mt, self.n_workers.get());
        let started = (0..self.n_workers.get())
            .take_while(|_| pool.add_worker())
            .count();
        if started == 0 {
            handle.close(false);
        }
        drop::<Arc<_>>(pool);
        (handle, started)
    }
}
