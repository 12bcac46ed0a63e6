//! Where panics are caught: the one boundary between Rust code run for someone else (a
//! `with` closure, an async or blocking task, a pool's hook, a thread's task loop) and
//! whoever hears of its panic.
//!
//! [`catch`] and [`catch_async`] run the caller's code with panics caught and hand back
//! either its value or a [`Failure`]: the Julia error it returned, or the message of its
//! panic. Each runtime turns a `Failure` into its own error type ([`Failure::into_error`]),
//! so the message, and the [diagnostic event](crate::runtime::diagnostics) every such panic emits,
//! are made here and nowhere else. [`catch_message`] catches a panic that is reported
//! rather than answered (a pool's hooks); [`cleanup_on_panic`] lets a task loop end its
//! tasks before its panic goes on to the hosted loop that restarts it.
//!
//! (The `extern "C"` entries that Julia calls, in `hosted.rs`, `callback.rs`,
//! `call_async.rs` and `event_loop.rs`, catch panics too, and never let one unwind into
//! Julia; they are the boundary with Julia, not with a caller.)
//!
//! Everything here but [`panic_message`] is for the layers above this crate, hidden from
//! the docs.

use std::{
    any::Any,
    future::Future,
    panic::{catch_unwind, resume_unwind, AssertUnwindSafe},
    pin::pin,
    task::Poll,
};

use crate::{error::JlResult, error::JuliaError};

/// Why code run for a caller produced no value.
#[doc(hidden)]
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// It returned a Julia error.
    #[error(transparent)]
    Julia(#[from] JuliaError),
    /// It panicked; the panic's message.
    #[error("it panicked: {0}")]
    Panicked(String),
}

impl Failure {
    /// The failure of code that panicked with `payload`; emits the task-panic event.
    pub fn panicked(payload: Box<dyn Any + Send>) -> Self {
        let message = panic_message(&*payload);
        crate::runtime::diagnostics::task_panicked(&message);
        Failure::Panicked(message)
    }

    /// The failure as a runtime's own error: `julia` makes it from a Julia error,
    /// `panicked` from a panic's message.
    pub fn into_error<E>(
        self,
        julia: impl FnOnce(JuliaError) -> E,
        panicked: impl FnOnce(String) -> E,
    ) -> E {
        match self {
            Failure::Julia(e) => julia(e),
            Failure::Panicked(message) => panicked(message),
        }
    }
}

/// Runs `f`, catching a panic.
#[doc(hidden)]
pub fn catch<T>(f: impl FnOnce() -> JlResult<T>) -> Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(Failure::Julia),
        Err(payload) => Err(Failure::panicked(payload)),
    }
}

/// Awaits `future`, catching a panic in any of its polls (it is not polled again after
/// one).
#[doc(hidden)]
pub async fn catch_async<T>(future: impl Future<Output = JlResult<T>>) -> Result<T, Failure> {
    match unwind_async(future).await {
        Ok(result) => result.map_err(Failure::Julia),
        Err(payload) => Err(Failure::panicked(payload)),
    }
}

/// Runs `f`, catching a panic, whose message is returned: for code whose panic is
/// reported, not answered to a caller (a pool's hooks). Emits no event: the caller reports
/// it.
#[doc(hidden)]
pub fn catch_message<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| panic_message(&*payload))
}

/// Awaits `future`; if it panics, awaits `cleanup` (whose own panic is dropped), then
/// resumes the panic. For a task loop that must end its tasks before its failure goes on
/// to the hosted loop that decides about a restart.
#[doc(hidden)]
pub async fn cleanup_on_panic<T>(
    future: impl Future<Output = T>,
    cleanup: impl Future<Output = ()>,
) -> T {
    match unwind_async(future).await {
        Ok(value) => value,
        Err(payload) => {
            let _ = unwind_async(cleanup).await;
            resume_unwind(payload)
        }
    }
}

/// Awaits `future`, catching a panic in any of its polls (it is not polled again after
/// one) as its payload.
async fn unwind_async<T>(future: impl Future<Output = T>) -> Result<T, Box<dyn Any + Send>> {
    let mut future = pin!(future);
    std::future::poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(payload)),
        },
    )
    .await
}

/// The message of a caught panic's payload (`"<non-string panic payload>"` if it has none).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}
