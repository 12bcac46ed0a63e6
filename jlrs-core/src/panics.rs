//! Where a caught panic becomes the library's error: the one boundary between Rust code
//! run for a caller (a `with` closure, an async or blocking task) and the caller.
//!
//! [`catch`] and [`catch_async`] run the caller's code with panics caught and hand back
//! either its value or a [`Failure`]: the Julia error it returned, or the message of its
//! panic. Each runtime turns a `Failure` into its own error type (`From<Failure>`), so the
//! message, and the [diagnostic event](crate::diagnostics) every panic emits, are made
//! here and nowhere else. (The `extern "C"` entries that Julia calls catch panics too, and
//! never let one unwind into Julia; they are not a caller's error.)

use std::{
    any::Any,
    future::Future,
    panic::{catch_unwind, AssertUnwindSafe},
    pin::pin,
    task::Poll,
};

use crate::{error::JlResult, error::JuliaError};

/// Why code run for a caller produced no value.
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
        crate::diagnostics::task_panicked(&message);
        Failure::Panicked(message)
    }
}

/// Runs `f`, catching a panic.
pub fn catch<T>(f: impl FnOnce() -> JlResult<T>) -> Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(Failure::Julia),
        Err(payload) => Err(Failure::panicked(payload)),
    }
}

/// Awaits `future`, catching a panic in any of its polls (it is not polled again after
/// one).
pub async fn catch_async<T>(future: impl Future<Output = JlResult<T>>) -> Result<T, Failure> {
    let mut future = pin!(future);
    std::future::poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready(result.map_err(Failure::Julia)),
            Err(payload) => Poll::Ready(Err(Failure::panicked(payload))),
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
