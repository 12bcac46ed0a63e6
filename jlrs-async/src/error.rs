//! The errors of the async runtime.

use std::fmt;

/// Why a task produced no result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TaskError {
    /// The task returned a Julia error (an exception, a wrong type, ...).
    #[error(transparent)]
    Julia(#[from] jlrs_core::JuliaError),
    /// The task panicked; other tasks and the runtime are unharmed.
    #[error("the task panicked: {0}")]
    Panicked(String),
    /// The task was dropped before it could answer: unrun, because the runtime or pool was
    /// closed with `cancel` (or a pool was left with no worker to run it), or cut short,
    /// because the task loop of the thread running it failed outside any task (a pool
    /// worker then restarts, unless it was told to stop).
    #[error("the task was cancelled before it could finish")]
    Cancelled,
    /// The runtime (or the persistent task) is closed.
    #[error("the runtime is closed")]
    Closed,
    /// A blocking wait was refused because it could never end: the calling thread serves
    /// the queue (or is the persistent task's thread) that must run the awaited task, and
    /// no other worker of it is free to. `.await` the task instead.
    #[error(
        "waiting here would deadlock: this thread must itself run the task it waits for \
         (await the task instead of blocking)"
    )]
    WouldDeadlock,
}

static_assertions::assert_impl_all!(TaskError: Send, Sync, std::error::Error);
static_assertions::assert_impl_all!(RunError<jlrs_core::JuliaError>: Send, Sync, std::error::Error);

impl From<jlrs_core::panics::Failure> for TaskError {
    fn from(failure: jlrs_core::panics::Failure) -> Self {
        failure.into_error(TaskError::Julia, TaskError::Panicked)
    }
}

/// Why a dispatch failed; the dispatcher is handed back.
pub enum DispatchError<D> {
    /// The channel is full: from `try_dispatch`, or from `dispatch_blocking` when waiting
    /// for room would deadlock (the calling thread serves the queue and no other worker of
    /// it could make room; see [`Dispatch::dispatch_blocking`](crate::Dispatch::dispatch_blocking)).
    Full(D),
    /// The runtime is closed.
    Closed(D),
}

impl<D> DispatchError<D> {
    /// The dispatcher, to try again.
    pub fn into_inner(self) -> D {
        match self {
            DispatchError::Full(d) | DispatchError::Closed(d) => d,
        }
    }

    /// Whether the runtime is closed (rather than the channel full).
    pub fn is_closed(&self) -> bool {
        matches!(self, DispatchError::Closed(_))
    }
}

impl<D> fmt::Debug for DispatchError<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DispatchError::Full(_) => f.write_str("Full(..)"),
            DispatchError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<D> fmt::Display for DispatchError<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DispatchError::Full(_) => f.write_str("the runtime's channel is full"),
            DispatchError::Closed(_) => f.write_str("the runtime is closed"),
        }
    }
}

impl<D> std::error::Error for DispatchError<D> {}

/// Why a task with an error type of its own (`AsyncHandle::run_fallible`) produced no
/// value: the error it returned, or why it did not run to its end.
///
/// `E` is the caller's error type; inside the task, `?` on a Julia call converts the
/// [`JuliaError`](jlrs_core::JuliaError) with `E: From<JuliaError>`. A panic, a
/// cancellation, a closed runtime or a refused blocking wait is [`RunError::Failed`].
/// With `E: From<TaskError>`, [`RunError::into_error`] folds both into `E`.
#[derive(Debug)]
pub enum RunError<E> {
    /// The task ran and returned this error.
    Returned(E),
    /// The task did not run to its end: it panicked, was cancelled, or could not be sent
    /// or waited for.
    Failed(TaskError),
}

impl<E> RunError<E> {
    /// Both cases as the caller's own error.
    pub fn into_error(self) -> E
    where
        E: From<TaskError>,
    {
        match self {
            RunError::Returned(e) => e,
            RunError::Failed(e) => E::from(e),
        }
    }
}

impl<E> From<TaskError> for RunError<E> {
    fn from(e: TaskError) -> Self {
        RunError::Failed(e)
    }
}

impl<E: fmt::Display> fmt::Display for RunError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Returned(e) => e.fmt(f),
            RunError::Failed(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for RunError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Returned(e) => e.source(),
            RunError::Failed(e) => std::error::Error::source(e),
        }
    }
}
