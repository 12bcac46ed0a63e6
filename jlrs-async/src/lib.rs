//! The async runtime of jlrs: Rust tasks that call Julia, on pluggable executors.
//!
//! [`AsyncRuntimeExt::async_runtime`] turns a [`jlrs_mt::Builder`] into an
//! [`AsyncBuilder`]; [`AsyncBuilder::spawn`] starts Julia with an executor on its runtime
//! thread and returns an [`AsyncHandle`] to send tasks to it.
//!
//! # Kinds of task
//!
//! - [`AsyncHandle::task`]: an async closure that gets a [`GcFrame`](jlrs_core::GcFrame);
//!   values it roots live across `.await`. [`GcFrame::call_async`](jlrs_core::GcFrame::call_async)
//!   runs a Julia function as a Julia task and awaits it.
//! - [`AsyncHandle::blocking_task`]: a closure that holds the thread until it returns.
//! - [`AsyncHandle::persistent`]: a [`PersistentTask`] with state, called many times
//!   through a [`PersistentHandle`].
//! - [`AsyncHandle::register`]: a [`Register`] type's code, loaded once.
//!
//! Each returns a [`Dispatch`]: `dispatch().await` waits for room in the channel,
//! `try_dispatch()` hands it back when the channel is full or the runtime closed. The
//! [`TaskHandle`] it gives resolves to the task's result; a Julia exception is
//! [`TaskError::Julia`], a panic [`TaskError::Panicked`] with its message, and neither harms other
//! tasks.
//!
//! # One step
//!
//! [`AsyncHandle::run`] sends an async task and awaits its result in one step
//! (`Result<T, TaskError>`; its future is `Send`, for tokio or axum handlers), and
//! [`AsyncHandle::run_blocking`] blocks for it, with the protections of
//! `dispatch_blocking` and `wait_blocking`. A task that fails with the caller's own error
//! type `E` (`E: From<JuliaError>`, so `?` on a Julia call works inside it) is sent with
//! [`AsyncHandle::run_fallible`]: its result is `Result<T, RunError<E>>`, where
//! [`RunError::Returned`] is the task's own error and [`RunError::Failed`] a
//! [`TaskError`] (panic, cancellation, closed runtime); with `E: From<TaskError>`,
//! [`RunError::into_error`] folds both into `E`. Every error type of the crate is
//! `Send + Sync + 'static` and implements `std::error::Error`, so `?` turns it into
//! `anyhow::Error` or `Box<dyn Error + Send + Sync>`.
//!
//! # The runtime thread
//!
//! The executor runs on Julia's thread 1, which waits inside Julia's scheduler while no
//! task is ready: Julia's timers, `sleep`, IO and `@async` tasks keep running. Every wake-up
//! goes through libuv (`uv_async_send`, then Julia's event loop); pools of workers
//! (`jlrs-pool`) wake a waiting worker directly, and many workers serve one queue, so send
//! work there unless it must run on the runtime thread.
//!
//! At most `N` tasks (the executor's parameter) hold a slot on a thread at once; further
//! tasks wait in the queue. A persistent task holds a slot only while its `init` runs.
//!
//! # Executors
//!
//! [`AsyncExecutor`] (on `async-executor`) is the default; [`Tokio`] (feature `tokio-rt`)
//! runs tasks in a tokio `LocalSet`. Any executor can be plugged in through [`Executor`].
//!
//! # Example
//!
//! ```
//! use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
//! use jlrs_mt::Builder;
//!
//! let (handle, runtime) = Builder::new()
//!     .async_runtime(AsyncExecutor::<4>::new())
//!     .spawn()
//!     .expect("cannot start Julia");
//!
//! // An async task: the vector stays rooted across the await.
//! let task = handle.task(async |mut frame| {
//!     let v = frame.eval("collect(1:10)")?;
//!     let sum = frame.global("sum")?;
//!     let total = frame.call_async(sum, &[v]).await?;
//!     total.unbox::<i64>()
//! });
//! let result = task.dispatch_blocking().unwrap().wait_blocking();
//! assert_eq!(result.unwrap(), 55);
//!
//! // A blocking task.
//! let result = handle
//!     .blocking_task(|mut frame| frame.eval("2 + 3")?.unbox::<i64>())
//!     .dispatch_blocking()
//!     .ok()
//!     .unwrap()
//!     .wait_blocking();
//! assert_eq!(result.unwrap(), 5);
//!
//! drop(handle);
//! runtime.join().unwrap();
//! ```
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]

mod dispatch;
mod engine;
mod error;
mod handle;
mod runtime_thread;
mod task_handle;

pub use dispatch::Dispatch;
#[cfg(feature = "tokio-rt")]
pub use engine::tokio::{Tokio, TokioLocal};
pub use engine::{
    executor::{AsyncExecutor, AsyncLocal, Executor, LocalBoxFuture, LocalExecutor},
    persistent::{PersistentHandle, PersistentTask},
    register::Register,
};
/// The former name of [`TaskError`].
#[doc(hidden)]
pub use error::TaskError as Error;
pub use error::{DispatchError, RunError, TaskError};
pub use handle::{AsyncHandle, Stats};
pub use runtime_thread::{AsyncBuilder, AsyncRuntimeExt};
pub use task_handle::TaskHandle;

/// For the layers that make workers (`jlrs-pool`): the receiving side of a task queue and
/// what its handle asks of the workers. Not needed to use the runtime or a pool.
#[doc(hidden)]
pub use engine::{executor::MaxTasks, queue::Queue, workers::Workers};

/// Drives a future on the current thread, serving Julia's own tasks meanwhile on a hosted
/// thread; for the layers above (see [`jlrs_core::idle::block_on`]).
#[doc(hidden)]
pub use jlrs_core::idle::block_on;
