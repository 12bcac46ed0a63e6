//! [`AsyncHandle`]: sends tasks to the async runtime thread or to a pool, and reports
//! their counters ([`Stats`]).

use std::sync::Arc;

use jlrs_core::{GcFrame, JlResult};

use crate::{
    engine::{
        persistent::persistent_task,
        queue::{cancel_queued, channel, Queue, QueueSender},
        register::register_task,
        task::{async_task, blocking_task, TaskFactory},
        workers::Workers,
    },
    Dispatch, DispatchError, PersistentHandle, PersistentTask, Register, RunError, TaskError,
};

/// A snapshot of a runtime's or pool's counters.
///
/// Every task taken from the queue is counted in `running` until it ends, then exactly
/// once in `completed` or in `cancelled`; a task dropped from the queue unrun is counted in
/// `cancelled` only. A task is counted before its caller sees its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Workers serving the queue.
    pub workers: usize,
    /// Tasks waiting in the queue.
    pub queued: usize,
    /// Tasks taken from the queue that have not ended (a persistent task counts while it
    /// lives, until after its `exit`).
    pub running: usize,
    /// Tasks that ran to their end and answered: with a value, a Julia error or a panic.
    /// A persistent task counts once it has ended (after its `exit`); its calls are not
    /// tasks.
    pub completed: usize,
    /// Of `completed`, the tasks that panicked (a persistent task: its `init` or `exit`).
    pub panicked: usize,
    /// Tasks that answered [`TaskError::Cancelled`] because they were dropped: unrun, by
    /// [`AsyncHandle::close`] with `cancel` (or a pool left with no worker to run them), or
    /// cut short when their worker's loop failed outside any task (see `restarted`).
    pub cancelled: usize,
    /// Workers restarted after a failure outside any task.
    pub restarted: usize,
}

/// Sends tasks to the async runtime thread or to a pool. Cheap to clone, `Send + Sync`.
///
/// The runtime (or pool) shuts down when every handle is dropped or it is closed: running
/// tasks finish, and queued ones too unless it was closed with `cancel`.
#[derive(Clone)]
pub struct AsyncHandle {
    shared: Arc<QueueSender>,
}

static_assertions::assert_impl_all!(AsyncHandle: Send, Sync, Clone);

impl std::fmt::Debug for AsyncHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncHandle")
            .field("stats", &self.stats())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl AsyncHandle {
    fn dispatcher<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, TaskError>>) -> TaskFactory,
    ) -> Dispatch<T> {
        let (reply, rx) = oneshot::channel();
        Dispatch::new(self.shared.clone(), make(reply), rx)
    }

    /// An async task: `f` gets a frame whose rooted values live across `.await`.
    pub fn task<T, F>(&self, f: F) -> Dispatch<T>
    where
        T: Send + 'static,
        F: for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
    {
        self.dispatcher(|reply| async_task(f, reply))
    }

    /// An async task whose closure fails with the caller's own error type `E`; `?` on a
    /// Julia call inside it converts the [`JuliaError`](jlrs_core::JuliaError) with
    /// `E: From<JuliaError>`. The task's result is `Result<T, E>`; panics and
    /// cancellation stay [`TaskError`]s of the [`TaskHandle`](crate::TaskHandle).
    /// [`AsyncHandle::run_fallible`] sends it and waits in one step.
    pub fn fallible_task<T, E, F>(&self, f: F) -> Dispatch<Result<T, E>>
    where
        T: Send + 'static,
        E: From<jlrs_core::JuliaError> + Send + 'static,
        F: for<'s> AsyncFnOnce(GcFrame<'s>) -> Result<T, E> + Send + 'static,
    {
        self.task(async move |frame| Ok(f(frame).await))
    }

    /// Runs the async task `f` and waits for its result, in one step: [`AsyncHandle::task`],
    /// then [`Dispatch::dispatch`] (which waits for room in the queue), then the
    /// [`TaskHandle`](crate::TaskHandle). A closed runtime is [`TaskError::Closed`].
    ///
    /// The future is `Send`, so it can be awaited in a tokio or axum handler, and awaiting
    /// it never blocks a thread: it is also the way for a task on a pool worker or the
    /// runtime thread to wait for another task of its own queue.
    ///
    /// ```
    /// # use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
    /// # let (handle, runtime) = jlrs_mt::Builder::new()
    /// #     .async_runtime(AsyncExecutor::<2>::new()).spawn().unwrap();
    /// let sum = async {
    ///     handle.run(async |mut frame| frame.eval("sum(1:10)")?.unbox::<i64>()).await
    /// };
    /// assert_eq!(smol::block_on(sum).unwrap(), 55);
    /// # drop(handle);
    /// # runtime.join().unwrap();
    /// ```
    pub async fn run<T, F>(&self, f: F) -> Result<T, TaskError>
    where
        T: Send + 'static,
        F: for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
    {
        match self.task(f).dispatch().await {
            Ok(handle) => handle.await,
            Err(_closed) => Err(TaskError::Closed),
        }
    }

    /// [`AsyncHandle::run`], blocking the calling thread instead of awaiting:
    /// [`Dispatch::dispatch_blocking`], then
    /// [`TaskHandle::wait_blocking`](crate::TaskHandle::wait_blocking), with their
    /// protections: on a Julia thread the wait is GC-safe, on a hosted thread (a pool
    /// worker, a `with` server) it runs inside Julia's scheduler, and where waiting could
    /// never end (the caller serves the queue and no other worker of it is free) it
    /// returns [`TaskError::WouldDeadlock`] at once. A task should `.await`
    /// [`AsyncHandle::run`] instead.
    ///
    /// ```
    /// # use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
    /// # let (handle, runtime) = jlrs_mt::Builder::new()
    /// #     .async_runtime(AsyncExecutor::<2>::new()).spawn().unwrap();
    /// let two = handle.run_blocking(async |mut frame| frame.eval("1 + 1")?.unbox::<i64>());
    /// assert_eq!(two.unwrap(), 2);
    /// # drop(handle);
    /// # runtime.join().unwrap();
    /// ```
    pub fn run_blocking<T, F>(&self, f: F) -> Result<T, TaskError>
    where
        T: Send + 'static,
        F: for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
    {
        wait_sent(self.task(f))
    }

    /// [`AsyncHandle::run`] for a task that fails with the caller's own error type `E`
    /// (see [`AsyncHandle::fallible_task`]): its error is [`RunError::Returned`], a panic,
    /// cancellation or closed runtime [`RunError::Failed`].
    ///
    /// ```
    /// # use jlrs_async::{AsyncExecutor, AsyncRuntimeExt, RunError};
    /// # use jlrs_core::JuliaError;
    /// #[derive(Debug)]
    /// enum ApiError {
    ///     BadInput(String),
    ///     Julia(JuliaError),
    /// }
    /// impl From<JuliaError> for ApiError {
    ///     fn from(e: JuliaError) -> Self {
    ///         ApiError::Julia(e)
    ///     }
    /// }
    /// # let (handle, runtime) = jlrs_mt::Builder::new()
    /// #     .async_runtime(AsyncExecutor::<2>::new()).spawn().unwrap();
    /// let n = -4i64;
    /// let root = smol::block_on(handle.run_fallible(async move |mut frame| {
    ///     if n < 0 {
    ///         return Err(ApiError::BadInput(format!("{n} is negative")));
    ///     }
    ///     let x = frame.box_value(n);
    ///     Ok(frame.call("sqrt", &[x])?.unbox::<f64>()?)
    /// }));
    /// let message = match root {
    ///     Err(RunError::Returned(ApiError::BadInput(m))) => m,
    ///     Err(RunError::Returned(ApiError::Julia(e))) => panic!("Julia threw: {e}"),
    ///     other => panic!("unexpected: {other:?}"),
    /// };
    /// assert_eq!(message, "-4 is negative");
    /// # drop(handle);
    /// # runtime.join().unwrap();
    /// ```
    pub async fn run_fallible<T, E, F>(&self, f: F) -> Result<T, RunError<E>>
    where
        T: Send + 'static,
        E: From<jlrs_core::JuliaError> + Send + 'static,
        F: for<'s> AsyncFnOnce(GcFrame<'s>) -> Result<T, E> + Send + 'static,
    {
        match self.run(async move |frame| Ok(f(frame).await)).await {
            Ok(result) => result.map_err(RunError::Returned),
            Err(e) => Err(RunError::Failed(e)),
        }
    }

    /// [`AsyncHandle::run_fallible`], blocking the calling thread as
    /// [`AsyncHandle::run_blocking`] does (with its protections).
    pub fn run_fallible_blocking<T, E, F>(&self, f: F) -> Result<T, RunError<E>>
    where
        T: Send + 'static,
        E: From<jlrs_core::JuliaError> + Send + 'static,
        F: for<'s> AsyncFnOnce(GcFrame<'s>) -> Result<T, E> + Send + 'static,
    {
        match wait_sent(self.fallible_task(f)) {
            Ok(result) => result.map_err(RunError::Returned),
            Err(e) => Err(RunError::Failed(e)),
        }
    }

    /// A blocking task: `f` runs to completion on the worker thread, holding it.
    ///
    /// **On the runtime thread, keep blocking tasks short.** In Julia 1.5 the runtime
    /// thread (thread 1) runs libuv's event loop, which serves *all* of Julia's network
    /// IO, timers and `@async` tasks: while a blocking task holds it, every remote call
    /// of a Distributed cluster stalls, also those made from pool workers (a 47 ms
    /// `remotecall_fetch` took 1.93 s behind a 2 s blocking task). Run long work on a pool,
    /// or as an async task that awaits.
    pub fn blocking_task<T, F>(&self, f: F) -> Dispatch<T>
    where
        T: Send + 'static,
        F: for<'s> FnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
    {
        self.dispatcher(|reply| blocking_task(f, reply))
    }

    /// A persistent task; the task's result is a handle to call it with.
    pub fn persistent<P: PersistentTask>(&self, task: P) -> Dispatch<PersistentHandle<P>> {
        self.dispatcher(|reply| persistent_task(task, reply))
    }

    /// Runs `R::register` once for this handle's runtime; later registrations of the same
    /// type do nothing.
    pub fn register<R: Register>(&self) -> Dispatch<()> {
        let registry = self.shared.registry.clone();
        self.dispatcher(|reply| register_task::<R>(registry, reply))
    }

    /// Closes the queue: no new tasks are accepted. Running tasks finish; queued tasks
    /// run too, unless `cancel`, in which case their callers get [`TaskError::Cancelled`].
    ///
    /// A pool's workers then exit once they have finished the tasks they run, releasing
    /// their threads; `is_closed` is `true` at once, before that. A pool spawned after
    /// this call returns waits for those threads (see `jlrs_pool::PoolBuilder::spawn`),
    /// so closing a pool and starting another of the same size always gets every thread
    /// back.
    pub fn close(&self, cancel: bool) {
        self.shared.close();
        if cancel {
            cancel_queued(&self.shared.rx, &self.shared.counters);
        }
    }

    /// Whether the queue is closed: by [`AsyncHandle::close`], by dropping every handle,
    /// or, for a pool, by removing its last worker. It is `true` as soon as no task can
    /// be sent, while the workers may still finish what they run; the threads of a closed
    /// pool are free for new pools as described on `close`.
    pub fn is_closed(&self) -> bool {
        self.shared.tx.is_closed()
    }

    /// How many workers serve this handle (1 for the runtime thread).
    pub fn n_workers(&self) -> usize {
        self.shared.workers.n_workers()
    }

    /// Adds a worker (pools only; `false` for the runtime thread).
    pub fn try_add_worker(&self) -> bool {
        self.shared.workers.try_add_worker()
    }

    /// Removes a worker (pools only; `false` for the runtime thread).
    pub fn try_remove_worker(&self) -> bool {
        self.shared.workers.try_remove_worker()
    }

    /// How many tasks wait in the queue.
    pub fn n_queued(&self) -> usize {
        self.shared.tx.len()
    }

    /// The counters of the runtime or pool behind this handle.
    pub fn stats(&self) -> Stats {
        let c = &self.shared.counters;
        Stats {
            workers: self.n_workers(),
            queued: self.n_queued(),
            running: c.running.load(std::sync::atomic::Ordering::Relaxed),
            completed: c.completed.load(std::sync::atomic::Ordering::Relaxed),
            panicked: c.panicked.load(std::sync::atomic::Ordering::Relaxed),
            cancelled: c.cancelled.load(std::sync::atomic::Ordering::Relaxed),
            restarted: self.shared.workers.restarts(),
        }
    }
}

/// Sends `task` and waits for its answer, blocking the calling thread with the protections
/// of `dispatch_blocking` and `wait_blocking`. A full queue that the caller itself would
/// have to drain is [`TaskError::WouldDeadlock`].
fn wait_sent<T: Send>(task: Dispatch<T>) -> Result<T, TaskError> {
    match task.dispatch_blocking() {
        Ok(handle) => handle.wait_blocking(),
        Err(DispatchError::Full(_)) => Err(TaskError::WouldDeadlock),
        Err(DispatchError::Closed(_)) => Err(TaskError::Closed),
    }
}

/// The receiving side of a queue is made with the handle that sends to it.
impl Queue {
    /// A queue holding at most `capacity` tasks (0: unbounded) and the handle that sends
    /// to it; `workers` answers the handle's worker questions.
    pub fn new(capacity: usize, workers: Arc<dyn Workers>) -> (Queue, AsyncHandle) {
        let (queue, sender) = channel(capacity, workers);
        let handle = AsyncHandle {
            shared: Arc::new(sender),
        };
        (queue, handle)
    }
}
