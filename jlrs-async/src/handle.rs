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
    Dispatch, PersistentHandle, PersistentTask, Register, TaskError,
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
