//! A task queue: its receiving side ([`Queue`]), which the threads that serve it run, and
//! its sending side, which handles and undispatched tasks share.

use std::sync::Arc;

use jlrs_core::{latch::Latch, panics};

use crate::engine::{
    budget::{Counters, Started},
    executor::{Executor, LocalExecutor, MaxTasks},
    register::Registry,
    self_wait::SelfWaits,
    serve::serve,
    task::TaskFactory,
    workers::Workers,
};

/// The sending side of a task queue, shared by all clones of a handle and by undispatched
/// tasks: the queue's only sender, so the queue closes when it is dropped.
pub(crate) struct QueueSender {
    pub(crate) tx: async_channel::Sender<TaskFactory>,
    /// Set once the queue is closed, by whichever way.
    pub(crate) closed: Arc<Latch>,
    /// Kept to drop queued tasks when the queue is closed with `cancel`.
    pub(crate) rx: async_channel::Receiver<TaskFactory>,
    pub(crate) registry: Registry,
    pub(crate) workers: Arc<dyn Workers>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) self_waits: Arc<SelfWaits>,
}

impl QueueSender {
    /// Closes the queue: senders get `Closed`; queued tasks still run.
    pub(crate) fn close(&self) {
        close(&self.rx, &self.closed);
    }
}

impl Drop for QueueSender {
    fn drop(&mut self) {
        // The last sender goes: the queue is closed.
        self.close();
    }
}

/// Closes a queue, from its sending or its receiving side (closing either end of an
/// `async_channel` closes the channel), and sets its `closed` latch.
fn close(rx: &async_channel::Receiver<TaskFactory>, closed: &Latch) {
    rx.close();
    closed.set();
}

/// The receiving side of a task queue, for the layers that make workers.
pub struct Queue {
    rx: async_channel::Receiver<TaskFactory>,
    closed: Arc<Latch>,
    counters: Arc<Counters>,
    self_waits: Arc<SelfWaits>,
}

/// A queue holding at most `capacity` tasks (0: unbounded): its receiving side, and its
/// sending side for a handle; `workers` answers the handle's worker questions.
pub(crate) fn channel(capacity: usize, workers: Arc<dyn Workers>) -> (Queue, QueueSender) {
    let (tx, rx) = if capacity == 0 {
        async_channel::unbounded()
    } else {
        async_channel::bounded(capacity)
    };
    let counters = Arc::new(Counters::default());
    let closed = Arc::new(Latch::new());
    let self_waits = Arc::new(SelfWaits::new(Arc::downgrade(&workers)));
    let sender = QueueSender {
        tx,
        closed: closed.clone(),
        rx: rx.clone(),
        registry: Registry::default(),
        workers,
        counters: counters.clone(),
        self_waits: self_waits.clone(),
    };
    let queue = Queue {
        rx,
        closed,
        counters,
        self_waits,
    };
    (queue, sender)
}

impl Queue {
    /// The future that serves this queue on the current thread with `local`, at most `N`
    /// tasks holding a slot at once, until the queue is closed and drained or `stop`
    /// completes, and then until the tasks it started have ended.
    pub(crate) async fn serve<L: LocalExecutor, const N: usize>(
        &self,
        local: &L,
        stop: impl std::future::Future<Output = ()>,
    ) {
        let () = MaxTasks::<N>::AT_LEAST_ONE;
        let _serving = self.self_waits.serve_here();
        let started = Started::default();
        let main = serve(
            local,
            self.rx.clone(),
            &self.closed,
            N,
            self.counters.clone(),
            stop,
            started.clone(),
        );
        // If the loop fails outside any task, the tasks it runs end before the executor
        // goes (persistent ones run their `exit`, the others answer `Cancelled`); then the
        // panic goes on, to the hosted loop that decides about a restart.
        panics::cleanup_on_panic(
            local.run(Box::pin(main)),
            local.run(Box::pin(started.abort())),
        )
        .await
    }

    /// Serves this queue on the current Julia thread with a new executor made by
    /// `executor`, at most `N` tasks holding a slot at once (`N > 0`, checked at compile
    /// time). While no task is ready the thread waits inside Julia's scheduler
    /// ([`jlrs_core::idle::block_on`]), GC-safely, so Julia's own tasks can run on it.
    /// Returns once the queue is closed and drained or `stop` completes, and the tasks this
    /// thread started have ended.
    ///
    /// ```compile_fail,E0080
    /// fn zero(queue: &jlrs_async::Queue) {
    ///     // error: `N` must be at least 1
    ///     queue.serve_blocking::<_, 0>(&jlrs_async::AsyncExecutor::<0>::new(), async {});
    /// }
    /// # let _ = zero as fn(&_);
    /// ```
    ///
    /// ```
    /// fn one(queue: &jlrs_async::Queue) {
    ///     queue.serve_blocking::<_, 1>(&jlrs_async::AsyncExecutor::<1>::new(), async {});
    /// }
    /// # let _ = one as fn(&_);
    /// ```
    pub fn serve_blocking<E: Executor<N>, const N: usize>(
        &self,
        executor: &E,
        stop: impl std::future::Future<Output = ()>,
    ) {
        let () = MaxTasks::<N>::AT_LEAST_ONE;
        let local = executor.local();
        jlrs_core::idle::block_on(self.serve::<_, N>(&local, stop));
    }

    /// Closes the queue: senders get `Closed`; queued tasks still run.
    pub fn close(&self) {
        close(&self.rx, &self.closed);
    }

    /// Drops the queued tasks: their callers get [`TaskError::Cancelled`](crate::TaskError::Cancelled) (counted in
    /// [`Stats::cancelled`](crate::Stats::cancelled)).
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

/// Drops the tasks waiting in `rx`, each counted as cancelled before its caller sees it.
pub(crate) fn cancel_queued(rx: &async_channel::Receiver<TaskFactory>, counters: &Counters) {
    while let Ok(factory) = rx.try_recv() {
        counters
            .cancelled
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        drop(factory);
    }
}
