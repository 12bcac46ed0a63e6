//! Driving an executor on a Julia thread: the loop that admits tasks within the `N`
//! budget, and the two ways it is polled (inside Julia's scheduler on the runtime thread,
//! with GC-safe parking on a pool worker).

use std::{
    cell::Cell,
    future::Future,
    rc::Rc,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    task::{Context, Poll, Wake, Waker},
};

use event_listener::Event;
use jlrs_core::event_loop::{Notifier, Step};
use smol::future::FutureExt;

use crate::{
    executor::{LocalBoxFuture, LocalExecutor},
    task::TaskFactory,
};

/// Counts the tasks of one thread and wakes the loop when one ends.
#[derive(Default)]
pub(crate) struct Budget {
    /// Tasks holding a slot.
    running: Cell<usize>,
    /// Tasks alive, with or without a slot.
    alive: Cell<usize>,
    changed: Event,
}

/// What a task gets from the thread that runs it. Dropping it ends the task's stay in
/// the counters.
pub(crate) struct TaskCtx {
    /// The task's slot; releasing it lets another task start.
    slot: Option<Slot>,
    /// Completes when the thread's queue is closed and drained.
    pub(crate) closing: Rc<Closing>,
    /// Where the task's outcome is counted.
    counters: Arc<Counters>,
    /// Whether the task is no longer counted as running.
    done: bool,
    /// Counts the task as alive until its future ends or is dropped (the context lives
    /// in the future).
    _alive: Alive,
}

/// Task counts of one queue, shared by all its workers.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) running: AtomicUsize,
    pub(crate) completed: AtomicUsize,
    pub(crate) panicked: AtomicUsize,
}

impl TaskCtx {
    /// Counts a finished task by its outcome; call it before the caller is answered, so
    /// that the counters already show the task when the caller sees its result.
    pub(crate) fn record<T>(&mut self, result: &Result<T, crate::Error>) {
        if matches!(result, Err(crate::Error::Panicked(_))) {
            self.counters.panicked.fetch_add(1, Ordering::Relaxed);
        }
        self.counters.completed.fetch_add(1, Ordering::Relaxed);
        self.finish();
    }

    /// Lets another task take this task's slot.
    pub(crate) fn release_slot(&mut self) {
        self.slot = None;
    }

    fn finish(&mut self) {
        if !self.done {
            self.done = true;
            self.counters.running.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Drop for TaskCtx {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A task's claim on one of its thread's `N` slots, released on drop.
pub(crate) struct Slot {
    budget: Rc<Budget>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.budget.running.set(self.budget.running.get() - 1);
        self.budget.changed.notify(usize::MAX);
    }
}

/// Keeps a task counted as alive until it ends.
struct Alive(Rc<Budget>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.alive.set(self.0.alive.get() - 1);
        self.0.changed.notify(usize::MAX);
    }
}

/// Set once the queue is closed and drained: persistent tasks then end.
#[derive(Default)]
pub(crate) struct Closing {
    closed: Cell<bool>,
    event: Event,
}

impl Closing {
    /// Completes once the thread's queue is closed and drained.
    pub(crate) async fn wait(&self) {
        wait_for(&self.event, || self.closed.get()).await
    }

    fn close(&self) {
        self.closed.set(true);
        self.event.notify(usize::MAX);
    }
}

/// Completes once `ready` holds, re-checking whenever `event` fires: listen, check again,
/// then await, so no notification between the check and the wait is missed.
async fn wait_for(event: &Event, ready: impl Fn() -> bool) {
    loop {
        if ready() {
            return;
        }
        let listener = event.listen();
        if ready() {
            return;
        }
        listener.await;
    }
}

async fn until(budget: &Budget, ready: impl Fn(&Budget) -> bool) {
    wait_for(&budget.changed, || ready(budget)).await
}

/// What the serving loop got next.
enum Next {
    Task(TaskFactory),
    Closed,
    Stopped,
}

/// How often a stopped worker that still runs persistent tasks checks whether its queue
/// has closed.
const CLOSED_POLL: std::time::Duration = std::time::Duration::from_millis(20);

/// Takes tasks from `queue` and runs them on `local`, at most `n` holding a slot at once,
/// until the queue is closed and drained (or `stop` completes) and every task it started
/// has ended.
pub(crate) async fn serve<L: LocalExecutor + ?Sized>(
    local: &L,
    queue: async_channel::Receiver<TaskFactory>,
    n: usize,
    counters: Arc<Counters>,
    stop: impl Future<Output = ()>,
) {
    let closing = Rc::new(Closing::default());
    let budget = Rc::new(Budget::default());
    let n = n.max(1);
    let mut stop = std::pin::pin!(stop);
    loop {
        until(&budget, |b| b.running.get() < n).await;
        let next = if smol::future::poll_once(stop.as_mut()).await.is_some() {
            Next::Stopped
        } else {
            match queue.try_recv() {
                Ok(factory) => Next::Task(factory),
                Err(async_channel::TryRecvError::Closed) => Next::Closed,
                Err(async_channel::TryRecvError::Empty) => {
                    // Let the tasks admitted so far run before waiting on the queue. A
                    // waiting receiver holds one of the queue's wake-ups: if this thread
                    // ran a blocking task while it waited, a task sent meanwhile could
                    // wake this busy thread instead of an idle worker and wait for the
                    // blocking task to end.
                    local.yield_now().await;
                    async { queue.recv().await.map_or(Next::Closed, Next::Task) }
                        .or(async {
                            stop.as_mut().await;
                            Next::Stopped
                        })
                        .await
                }
            }
        };
        let factory = match next {
            Next::Task(factory) => factory,
            Next::Closed => break,
            Next::Stopped => {
                // Told to stop: the tasks started here finish, but a persistent task lives
                // on (its handles still call it) until it ends or the queue closes.
                let closed = async {
                    while !queue.is_closed() {
                        smol::Timer::after(CLOSED_POLL).await;
                    }
                };
                until(&budget, |b| b.alive.get() == 0).or(closed).await;
                break;
            }
        };
        budget.running.set(budget.running.get() + 1);
        budget.alive.set(budget.alive.get() + 1);
        counters.running.fetch_add(1, Ordering::Relaxed);
        let blocking = factory.blocking;
        local.spawn_local(factory.make(TaskCtx {
            slot: Some(Slot {
                budget: budget.clone(),
            }),
            closing: closing.clone(),
            counters: counters.clone(),
            done: false,
            _alive: Alive(budget.clone()),
        }));
        if blocking {
            // A blocking task holds this thread: run it before taking more, so that queued
            // tasks go to idle workers instead of waiting behind it here.
            local.yield_now().await;
        }
    }
    closing.close();
    until(&budget, |b| b.alive.get() == 0).await;
}

/// Wakes the runtime thread's event loop.
struct NotifyWaker(Notifier);

impl Wake for NotifyWaker {
    fn wake(self: Arc<Self>) {
        self.0.notify();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.notify();
    }
}

/// Polls the executor once per step of the runtime thread's event loop.
pub(crate) fn event_loop_step(
    mut main: LocalBoxFuture<'static, ()>,
    notifier: Notifier,
) -> impl FnMut() -> Step {
    let waker = Waker::from(Arc::new(NotifyWaker(notifier)));
    let mut done = false;
    move || {
        if done {
            return Step::Stop;
        }
        let mut cx = Context::from_waker(&waker);
        match main.as_mut().poll(&mut cx) {
            Poll::Ready(()) => {
                done = true;
                Step::Stop
            }
            Poll::Pending => Step::Wait,
        }
    }
}
