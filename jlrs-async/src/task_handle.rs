//! [`TaskHandle`]: the result of a dispatched task, awaited or waited for.

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use crate::{engine::self_wait::SelfWaits, TaskError};

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
    Waiting(oneshot::Receiver<Result<T, TaskError>>),
    Failed(Option<TaskError>),
}

impl<T> TaskHandle<T> {
    pub(crate) fn new(
        rx: oneshot::Receiver<Result<T, TaskError>>,
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
        rx: oneshot::Receiver<Result<T, TaskError>>,
        home: std::thread::ThreadId,
    ) -> Self {
        TaskHandle {
            inner: Inner::Waiting(rx),
            queue: None,
            home: Some(home),
        }
    }

    pub(crate) fn failed(e: TaskError) -> Self {
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
    /// [`TaskError::WouldDeadlock`] at once instead. Such a task should `.await` the handle.
    pub fn wait_blocking(self) -> Result<T, TaskError>
    where
        T: Send,
    {
        if matches!(self.inner, Inner::Waiting(_)) && self.home == Some(std::thread::current().id())
        {
            return Err(TaskError::WouldDeadlock);
        }
        let _self_wait = match self.queue.as_ref().map(SelfWaits::enter) {
            Some(Err(())) if matches!(self.inner, Inner::Waiting(_)) => {
                return Err(TaskError::WouldDeadlock)
            }
            Some(Ok(wait)) => wait,
            _ => None,
        };
        match self.inner {
            Inner::Waiting(rx) => jlrs_core::wait::oneshot(rx).unwrap_or(Err(TaskError::Cancelled)),
            Inner::Failed(e) => Err(e.unwrap_or(TaskError::Closed)),
        }
    }
}

impl<T> Future for TaskHandle<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.inner {
            Inner::Waiting(rx) => Pin::new(rx)
                .poll(cx)
                .map(|r| r.unwrap_or(Err(TaskError::Cancelled))),
            Inner::Failed(e) => Poll::Ready(Err(e.take().unwrap_or(TaskError::Closed))),
        }
    }
}
