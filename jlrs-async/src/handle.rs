//! [`AsyncHandle`], [`Dispatch`] and [`TaskHandle`]: sending tasks and getting results.

use std::{
    cell::RefCell,
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Weak,
    },
    task::{Context, Poll},
};

use jlrs_core::{GcFrame, JlResult};
use smol::future::FutureExt;

use crate::{
    driver::{serve, Counters, Started},
    persistent::{persistent_task, PersistentHandle},
    task::{async_task, blocking_task, register_task, Registry, TaskFactory},
    DispatchError, Error, Executor, LocalExecutor, PersistentTask, Register,
};

/// The workers behind an [`AsyncHandle`]: the runtime thread, or a pool's workers.
pub trait Workers: Send + Sync + 'static {
    /// How many workers serve the handle's queue now.
    fn n_workers(&self) -> usize;
    /// Adds a worker; `true` if one is running when this returns, `false` if none could
    /// start or the queue is closed.
    fn try_add_worker(&self) -> bool;
    /// Tells a worker to stop; `true` if one was told.
    fn try_remove_worker(&self) -> bool;
    /// How many times a worker was restarted after a panic.
    fn restarts(&self) -> usize {
        0
    }
}

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
    /// Tasks that answered [`Error::Cancelled`] because they were dropped: unrun, by
    /// [`AsyncHandle::close`] with `cancel` (or a pool left with no worker to run them), or
    /// cut short when their worker's loop failed outside any task (see `restarted`).
    pub cancelled: usize,
    /// Workers restarted after a failure outside any task.
    pub restarted: usize,
}

/// The only worker of the async runtime thread.
pub(crate) struct RuntimeThread;

impl Workers for RuntimeThread {
    fn n_workers(&self) -> usize {
        1
    }

    fn try_add_worker(&self) -> bool {
        false
    }

    fn try_remove_worker(&self) -> bool {
        false
    }
}

thread_local! {
    /// The queue the current thread serves, while it serves one.
    static SERVING: RefCell<Option<Arc<SelfWaits>>> = const { RefCell::new(None) };
}

/// Which threads serve one queue and how many of them wait, blocked, for their own queue
/// (for a task's result, or for room in it). A thread of the queue that would be the last
/// to block that way gets an error instead: nobody would be left to run the task it waits
/// for.
pub(crate) struct SelfWaits {
    blocked: AtomicUsize,
    /// Weak: the pool behind it owns its queue.
    workers: Weak<dyn Workers>,
}

/// One blocked wait of a serving thread on its own queue; ends on drop.
struct SelfWait(Arc<SelfWaits>);

impl Drop for SelfWait {
    fn drop(&mut self) {
        self.0.blocked.fetch_sub(1, Ordering::AcqRel);
    }
}

impl SelfWaits {
    /// Registers a blocked wait of the current thread on this queue. `Ok(None)` if the
    /// thread does not serve this queue; `Err` if it does and every worker of the queue
    /// would then be blocked on it.
    fn enter(self: &Arc<Self>) -> Result<Option<SelfWait>, ()> {
        let here = SERVING.with(|s| s.borrow().as_ref().is_some_and(|q| Arc::ptr_eq(q, self)));
        if !here {
            return Ok(None);
        }
        let workers = self.workers.upgrade().map_or(1, |w| w.n_workers()).max(1);
        let blocked = self.blocked.fetch_add(1, Ordering::AcqRel) + 1;
        let wait = SelfWait(self.clone());
        if blocked >= workers {
            return Err(());
        }
        Ok(Some(wait))
    }
}

/// Marks the current thread as serving a queue until dropped.
struct ServingGuard(Option<Arc<SelfWaits>>);

impl Drop for ServingGuard {
    fn drop(&mut self) {
        SERVING.with(|s| *s.borrow_mut() = self.0.take());
    }
}

/// The sending side of a task queue, shared by all clones of a handle.
struct Shared {
    tx: async_channel::Sender<TaskFactory>,
    /// Kept to drop queued tasks when the queue is closed with `cancel`.
    rx: async_channel::Receiver<TaskFactory>,
    registry: Registry,
    workers: Arc<dyn Workers>,
    counters: Arc<Counters>,
    self_waits: Arc<SelfWaits>,
}

/// The receiving side of a task queue, for the layers that make workers.
pub struct Queue {
    rx: async_channel::Receiver<TaskFactory>,
    counters: Arc<Counters>,
    self_waits: Arc<SelfWaits>,
}

impl Queue {
    /// A queue holding at most `capacity` tasks (0: unbounded) and the handle that sends
    /// to it; `workers` answers the handle's worker questions.
    pub fn new(capacity: usize, workers: Arc<dyn Workers>) -> (Queue, AsyncHandle) {
        let (tx, rx) = if capacity == 0 {
            async_channel::unbounded()
        } else {
            async_channel::bounded(capacity)
        };
        let counters = Arc::new(Counters::default());
        let self_waits = Arc::new(SelfWaits {
            blocked: AtomicUsize::new(0),
            workers: Arc::downgrade(&workers),
        });
        let handle = AsyncHandle {
            shared: Arc::new(Shared {
                tx,
                rx: rx.clone(),
                registry: Registry::default(),
                workers,
                counters: counters.clone(),
                self_waits: self_waits.clone(),
            }),
        };
        (
            Queue {
                rx,
                counters,
                self_waits,
            },
            handle,
        )
    }

    /// The future that serves this queue on the current thread with `local`, at most `N`
    /// tasks holding a slot at once, until the queue is closed and drained or `stop`
    /// completes, and then until the tasks it started have ended.
    pub(crate) async fn serve<L: LocalExecutor, const N: usize>(
        &self,
        local: &L,
        stop: impl std::future::Future<Output = ()>,
    ) {
        let previous = SERVING.with(|s| s.borrow_mut().replace(self.self_waits.clone()));
        let _serving = ServingGuard(previous);
        let started = Started::default();
        let main = serve(
            local,
            self.rx.clone(),
            N,
            self.counters.clone(),
            stop,
            started.clone(),
        );
        let served = AssertUnwindSafe(local.run(Box::pin(main)))
            .catch_unwind()
            .await;
        if let Err(panic) = served {
            // The loop failed outside any task. Before the executor goes, the tasks it
            // runs end: persistent ones run their `exit`, the others answer `Cancelled`.
            let _ = AssertUnwindSafe(local.run(Box::pin(started.abort())))
                .catch_unwind()
                .await;
            std::panic::resume_unwind(panic);
        }
    }

    /// Serves this queue on the current Julia thread with a new executor made by
    /// `executor`, at most `N` tasks holding a slot at once, parking GC-safely while no
    /// task is ready. Returns once the queue is closed and drained or `stop` completes,
    /// and the tasks this thread started have ended.
    pub fn serve_blocking<E: Executor<N>, const N: usize>(
        &self,
        executor: &E,
        stop: impl std::future::Future<Output = ()>,
    ) {
        let local = executor.local();
        jlrs_core::idle::block_on(self.serve::<_, N>(&local, stop));
    }

    /// Closes the queue: senders get `Closed`; queued tasks still run.
    pub fn close(&self) {
        self.rx.close();
    }

    /// Drops the queued tasks: their callers get [`Error::Cancelled`] (counted in
    /// [`Stats::cancelled`]).
    pub fn cancel_queued(&self) {
        cancel_queued(&self.rx, &self.counters);
    }

    /// Whether the queue is closed.
    pub fn is_closed(&self) -> bool {
        self.rx.is_closed()
    }
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("queued", &self.rx.len())
            .field("closed", &self.rx.is_closed())
            .finish()
    }
}

impl Clone for Queue {
    fn clone(&self) -> Self {
        Queue {
            rx: self.rx.clone(),
            counters: self.counters.clone(),
            self_waits: self.self_waits.clone(),
        }
    }
}

/// Sends tasks to the async runtime thread or to a pool. Cheap to clone, `Send + Sync`.
///
/// The runtime (or pool) shuts down when every handle is dropped or it is closed: running
/// tasks finish, and queued ones too unless it was closed with `cancel`.
#[derive(Clone)]
pub struct AsyncHandle {
    shared: Arc<Shared>,
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
        make: impl FnOnce(oneshot::Sender<Result<T, Error>>) -> TaskFactory,
    ) -> Dispatch<T> {
        let (reply, rx) = oneshot::channel();
        Dispatch {
            tx: self.shared.tx.clone(),
            factory: make(reply),
            rx,
            queue: self.shared.self_waits.clone(),
        }
    }

    /// An async task: `f` gets a frame whose rooted values live across `.await`.
    pub fn task<T, F>(&self, f: F) -> Dispatch<T>
    where
        T: Send + 'static,
        F: for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
    {
        self.dispatcher(|reply| async_task(f, reply))
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
    /// run too, unless `cancel`, in which case their callers get [`Error::Cancelled`].
    ///
    /// A pool's workers then exit once they have finished the tasks they run, releasing
    /// their threads; `is_closed` is `true` at once, before that. A pool spawned after
    /// this call returns waits for those threads (see `jlrs_pool::PoolBuilder::spawn`),
    /// so closing a pool and starting another of the same size always gets every thread
    /// back.
    pub fn close(&self, cancel: bool) {
        self.shared.tx.close();
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

/// Drops the tasks waiting in `rx`, each counted as cancelled before its caller sees it.
fn cancel_queued(rx: &async_channel::Receiver<TaskFactory>, counters: &Counters) {
    while let Ok(factory) = rx.try_recv() {
        counters
            .cancelled
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        drop(factory);
    }
}

/// A task ready to be sent. Nothing runs until it is dispatched.
#[must_use = "a task runs only once it is dispatched"]
pub struct Dispatch<T> {
    tx: async_channel::Sender<TaskFactory>,
    factory: TaskFactory,
    rx: oneshot::Receiver<Result<T, Error>>,
    queue: Arc<SelfWaits>,
}

impl<T> std::fmt::Debug for Dispatch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatch")
            .field("blocking", &self.factory.blocking)
            .field("closed", &self.tx.is_closed())
            .finish_non_exhaustive()
    }
}

impl<T> Dispatch<T> {
    /// Sends the task, waiting for room in the channel.
    pub async fn dispatch(self) -> Result<TaskHandle<T>, DispatchError<Self>> {
        let Dispatch {
            tx,
            factory,
            rx,
            queue,
        } = self;
        match tx.send(factory).await {
            Ok(()) => Ok(TaskHandle::new(rx, Some(queue))),
            Err(async_channel::SendError(factory)) => Err(DispatchError::Closed(Dispatch {
                tx,
                factory,
                rx,
                queue,
            })),
        }
    }

    /// Sends the task if there is room now; otherwise hands the dispatcher back.
    pub fn try_dispatch(self) -> Result<TaskHandle<T>, DispatchError<Self>> {
        let Dispatch {
            tx,
            factory,
            rx,
            queue,
        } = self;
        match tx.try_send(factory) {
            Ok(()) => Ok(TaskHandle::new(rx, Some(queue))),
            Err(async_channel::TrySendError::Full(factory)) => Err(DispatchError::Full(Dispatch {
                tx,
                factory,
                rx,
                queue,
            })),
            Err(async_channel::TrySendError::Closed(factory)) => {
                Err(DispatchError::Closed(Dispatch {
                    tx,
                    factory,
                    rx,
                    queue,
                }))
            }
        }
    }

    /// Sends the task, blocking the thread until there is room (GC-safely on a Julia
    /// thread).
    ///
    /// A task that runs on a thread serving this same queue (the runtime thread, or a
    /// pool's worker) would wait for room that only the queue's workers can make: if every
    /// other worker of the queue is already blocked the same way (always, on the runtime
    /// thread), this returns [`DispatchError::Full`] at once instead of waiting forever.
    /// Such a task should `.await` [`Dispatch::dispatch`] instead.
    pub fn dispatch_blocking(self) -> Result<TaskHandle<T>, DispatchError<Self>>
    where
        T: Send,
    {
        let Dispatch {
            tx,
            factory,
            rx,
            queue,
        } = self;
        let factory = match tx.try_send(factory) {
            Ok(()) => return Ok(TaskHandle::new(rx, Some(queue))),
            Err(async_channel::TrySendError::Closed(factory)) => {
                return Err(DispatchError::Closed(Dispatch {
                    tx,
                    factory,
                    rx,
                    queue,
                }))
            }
            Err(async_channel::TrySendError::Full(factory)) => factory,
        };
        let Ok(_self_wait) = queue.enter() else {
            return Err(DispatchError::Full(Dispatch {
                tx,
                factory,
                rx,
                queue,
            }));
        };
        let sent = jlrs_core::blocking(|| tx.send_blocking(factory));
        match sent {
            Ok(()) => Ok(TaskHandle::new(rx, Some(queue))),
            Err(async_channel::SendError(factory)) => Err(DispatchError::Closed(Dispatch {
                tx,
                factory,
                rx,
                queue,
            })),
        }
    }
}

/// The result of a dispatched task: await it, or [`TaskHandle::wait_blocking`].
#[must_use = "the result arrives through the handle"]
pub struct TaskHandle<T> {
    inner: Inner<T>,
    /// The queue the task went to, for `wait_blocking` on a thread that serves it.
    queue: Option<Arc<SelfWaits>>,
    /// The thread that alone can run the task (a persistent task's), if any.
    home: Option<std::thread::ThreadId>,
}

impl<T> std::fmt::Debug for TaskHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.inner {
            Inner::Waiting(rx) if rx.has_message() => "ready",
            Inner::Waiting(_) => "waiting",
            Inner::Failed(_) => "failed",
        };
        f.debug_struct("TaskHandle")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

enum Inner<T> {
    Waiting(oneshot::Receiver<Result<T, Error>>),
    Failed(Option<Error>),
}

impl<T> TaskHandle<T> {
    pub(crate) fn new(
        rx: oneshot::Receiver<Result<T, Error>>,
        queue: Option<Arc<SelfWaits>>,
    ) -> Self {
        TaskHandle {
            inner: Inner::Waiting(rx),
            queue,
            home: None,
        }
    }

    /// A handle for a call that only thread `home` can run.
    pub(crate) fn on_thread(
        rx: oneshot::Receiver<Result<T, Error>>,
        home: std::thread::ThreadId,
    ) -> Self {
        TaskHandle {
            inner: Inner::Waiting(rx),
            queue: None,
            home: Some(home),
        }
    }

    pub(crate) fn failed(e: Error) -> Self {
        TaskHandle {
            inner: Inner::Failed(Some(e)),
            queue: None,
            home: None,
        }
    }

    /// Blocks until the result arrives (GC-safely on a Julia thread).
    ///
    /// A task that waits like this for another task of its own queue blocks a thread that
    /// serves that queue. On the runtime thread, on the thread of the persistent task being
    /// called, or on a pool's worker when every other worker of the pool already waits the
    /// same way, nobody would be left to run the awaited task: this returns
    /// [`Error::WouldDeadlock`] at once instead. Such a task should `.await` the handle.
    pub fn wait_blocking(self) -> Result<T, Error>
    where
        T: Send,
    {
        if matches!(self.inner, Inner::Waiting(_)) && self.home == Some(std::thread::current().id())
        {
            return Err(Error::WouldDeadlock);
        }
        let _self_wait = match self.queue.as_ref().map(SelfWaits::enter) {
            Some(Err(())) if matches!(self.inner, Inner::Waiting(_)) => {
                return Err(Error::WouldDeadlock)
            }
            Some(Ok(wait)) => wait,
            _ => None,
        };
        match self.inner {
            Inner::Waiting(rx) => {
                jlrs_core::spin::wait_oneshot(rx).unwrap_or(Err(Error::Cancelled))
            }
            Inner::Failed(e) => Err(e.unwrap_or(Error::Closed)),
        }
    }
}

impl<T> Future for TaskHandle<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.inner {
            Inner::Waiting(rx) => Pin::new(rx)
                .poll(cx)
                .map(|r| r.unwrap_or(Err(Error::Cancelled))),
            Inner::Failed(e) => Poll::Ready(Err(e.take().unwrap_or(Error::Closed))),
        }
    }
}
