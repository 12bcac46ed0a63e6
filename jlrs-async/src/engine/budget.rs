//! What one thread's tasks share: the budget of `N` slots, the latches that end them, and
//! the counters of their outcomes ([`Stats`](crate::Stats)).

use std::{
    cell::Cell,
    rc::Rc,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use event_listener::Event;
use jlrs_core::latch::{wait_until, Latch};

/// Counts the tasks of one thread and wakes the loop when one ends.
#[derive(Default)]
struct Budget {
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
    /// Set when the thread's queue is closed and drained, or its loop has failed:
    /// persistent tasks then end.
    pub(crate) closed: Rc<Latch>,
    /// Set when the thread's loop has failed outside any task: every task then ends.
    pub(crate) aborted: Rc<Latch>,
    /// Where the task's outcome is counted.
    counters: Arc<Counters>,
    /// Whether the task is no longer counted as running.
    done: bool,
    /// Counts the task as alive until its future ends or is dropped: the context lives in
    /// the future, so the future is spawned as it is, without a wrapper. Last, so that the
    /// slot is released first.
    _alive: Alive,
}

/// Task counts of one queue, shared by all its workers (see [`Stats`](crate::Stats)).
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) running: AtomicUsize,
    pub(crate) completed: AtomicUsize,
    pub(crate) panicked: AtomicUsize,
    pub(crate) cancelled: AtomicUsize,
}

impl TaskCtx {
    /// Counts a finished task by its outcome; call it before the caller is answered, so
    /// that the counters already show the task when the caller sees its result.
    pub(crate) fn record<T>(&mut self, result: &Result<T, crate::TaskError>) {
        if matches!(result, Err(crate::TaskError::Panicked(_))) {
            self.counters.panicked.fetch_add(1, Ordering::Relaxed);
        }
        self.counters.completed.fetch_add(1, Ordering::Relaxed);
        self.finish();
    }

    /// Counts a task that ends without an answer (its caller sees `Cancelled`); call it
    /// before the caller's reply is dropped.
    pub(crate) fn cancel(&mut self) {
        if !self.done {
            self.counters.cancelled.fetch_add(1, Ordering::Relaxed);
            self.finish();
        }
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
        self.cancel();
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

/// The tasks one thread has started: their budget, and the latches that end them.
#[derive(Clone, Default)]
pub(crate) struct Started {
    budget: Rc<Budget>,
    closed: Rc<Latch>,
    aborted: Rc<Latch>,
}

impl Started {
    /// Ends the tasks after the thread's loop failed outside any of them: each is dropped
    /// (its caller gets `Cancelled`), except persistent tasks, which drop the call they
    /// run (or their `init`) and run their `exit`. Completes once all have ended.
    pub(crate) async fn abort(&self) {
        self.aborted.set();
        self.closed.set();
        self.all_ended().await;
    }

    /// Completes once fewer than `n` tasks hold a slot.
    pub(crate) async fn slot_free(&self, n: usize) {
        until(&self.budget, |b| b.running.get() < n).await
    }

    /// Completes once every task started here has ended.
    pub(crate) async fn all_ended(&self) {
        until(&self.budget, |b| b.alive.get() == 0).await
    }

    /// Starts a task: it holds a slot, counts as alive until its context is dropped, and
    /// as running in `counters` until its outcome is counted (or it is dropped).
    pub(crate) fn admit(&self, counters: &Arc<Counters>) -> TaskCtx {
        let budget = &self.budget;
        budget.running.set(budget.running.get() + 1);
        budget.alive.set(budget.alive.get() + 1);
        counters.running.fetch_add(1, Ordering::Relaxed);
        TaskCtx {
            slot: Some(Slot {
                budget: budget.clone(),
            }),
            closed: self.closed.clone(),
            aborted: self.aborted.clone(),
            counters: counters.clone(),
            done: false,
            _alive: Alive(budget.clone()),
        }
    }

    /// Tells the persistent tasks to end: the queue is closed and drained.
    pub(crate) fn close(&self) {
        self.closed.set();
    }
}

async fn until(budget: &Budget, ready: impl Fn(&Budget) -> bool) {
    wait_until(&budget.changed, || ready(budget)).await
}
