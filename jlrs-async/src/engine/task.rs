//! Tasks as they travel to a worker ([`TaskFactory`]) and answer their caller, and the two
//! kinds made of one closure: async and blocking tasks.

use std::future::Future;

use jlrs_core::{panics, GcFrame, JlResult};
use smol::future::FutureExt;

use crate::{
    engine::{budget::TaskCtx, executor::LocalBoxFuture},
    TaskError,
};

/// A task as it travels to a worker: made into a future there.
///
/// The future owns the task's [`TaskCtx`] (which counts it as alive until the future ends
/// or is dropped) and ends by itself once the context's `aborted` latch is set: a task made
/// by [`TaskFactory::new`] is dropped then (its caller gets `Cancelled`); a persistent one
/// cuts its call short and runs its `exit`.
pub(crate) struct TaskFactory {
    make: Box<dyn FnOnce(TaskCtx) -> LocalBoxFuture<'static, ()> + Send>,
    /// Whether the task holds its thread until it returns.
    pub(crate) blocking: bool,
}

impl TaskFactory {
    pub(crate) fn new(
        blocking: bool,
        make: impl FnOnce(TaskCtx) -> LocalBoxFuture<'static, ()> + Send + 'static,
    ) -> Self {
        TaskFactory {
            make: Box::new(make),
            blocking,
        }
    }

    /// A persistent task's factory: its future watches `aborted` itself.
    pub(crate) fn persistent(
        make: impl FnOnce(TaskCtx) -> LocalBoxFuture<'static, ()> + Send + 'static,
    ) -> Self {
        TaskFactory {
            make: Box::new(make),
            blocking: false,
        }
    }

    /// Makes the task's future on the worker.
    pub(crate) fn make(self, ctx: TaskCtx) -> LocalBoxFuture<'static, ()> {
        (self.make)(ctx)
    }
}

/// Where a task's result goes.
pub(crate) type Reply<T> = oneshot::Sender<Result<T, TaskError>>;

/// A task's way back to its caller: the outcome is counted, then sent. Dropped unsent
/// (the task was dropped before it ended), it counts the task as cancelled before the
/// caller sees [`TaskError::Cancelled`].
pub(crate) struct Answer<T> {
    ctx: TaskCtx,
    reply: Option<Reply<T>>,
}

impl<T> Answer<T> {
    pub(crate) fn new(ctx: TaskCtx, reply: Reply<T>) -> Self {
        Answer {
            ctx,
            reply: Some(reply),
        }
    }

    pub(crate) fn send(mut self, result: Result<T, TaskError>) {
        self.ctx.record(&result);
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(result);
        }
    }
}

impl<T> Drop for Answer<T> {
    fn drop(&mut self) {
        // Before the fields: the reply is dropped after the count.
        self.ctx.cancel();
    }
}

/// Runs `fut` with panics caught, as a task result.
pub(crate) async fn caught<T>(fut: impl Future<Output = JlResult<T>>) -> Result<T, TaskError> {
    panics::catch_async(fut).await.map_err(TaskError::from)
}

/// The error of a task polled where Julia may not be called (never by the runtimes).
pub(crate) fn no_julia<T>() -> Result<T, TaskError> {
    Err(TaskError::Panicked(
        "a task was polled on a thread that may not call Julia".into(),
    ))
}

/// A task that runs `f` with a frame of its own and answers `reply`; `blocking` says
/// whether it holds its thread until it returns.
fn task<T, F>(blocking: bool, f: F, reply: Reply<T>) -> TaskFactory
where
    T: Send + 'static,
    F: for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
{
    TaskFactory::new(blocking, move |ctx| {
        let aborted = ctx.aborted.clone();
        let answer = Answer {
            ctx,
            reply: Some(reply),
        };
        let run = async move {
            let result = match jlrs_core::root_stack() {
                Some(mut stack) => caught(async { f(stack.frame()).await }).await,
                None => no_julia(),
            };
            answer.send(result);
        };
        // If the thread's loop fails first, the task is dropped, `answer` with it: the
        // caller gets `Cancelled`.
        Box::pin(run.or(async move { aborted.wait().await }))
    })
}

pub(crate) fn async_task<T, F>(f: F, reply: Reply<T>) -> TaskFactory
where
    T: Send + 'static,
    F: for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
{
    task(false, f, reply)
}

pub(crate) fn blocking_task<T, F>(f: F, reply: Reply<T>) -> TaskFactory
where
    T: Send + 'static,
    F: for<'s> FnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
{
    task(true, async move |frame| f(frame), reply)
}
