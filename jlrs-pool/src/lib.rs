//! Pools of jlrs workers: Julia threads that each run an executor and share one queue.
//!
//! [`PoolBuilderExt::pool_builder`] configures a pool from a [`jlrs_mt::MtHandle`];
//! [`PoolBuilder::spawn`] starts it and returns a [`jlrs_async::AsyncHandle`], which
//! offers everything it offers for the async runtime thread: async, blocking,
//! persistent and register tasks, backpressure, `close`, statistics. A task goes to the
//! pool, not to a worker: whichever worker is free takes it.
//!
//! # Workers
//!
//! Each worker is a hosted loop on one of the runtime's worker threads (see the thread
//! model in [`jlrs_mt`]), with its own executor; while it waits for work it waits inside
//! Julia's scheduler ([`jlrs_core::idle`]), so Julia's own tasks can use its thread
//! meanwhile, and a new task wakes it directly, without the detour through Julia's event
//! loop (`uv_async_send`) that the runtime thread takes.
//!
//! - [`AsyncHandle::try_add_worker`](jlrs_async::AsyncHandle::try_add_worker) starts a
//!   worker on a free worker thread and returns `true` once its loop is scheduled on that
//!   thread (it may not have taken a task yet): `n_workers()` shows it when the call
//!   returns. It returns `false` when no thread is free or the pool is
//!   closed.
//! - [`AsyncHandle::try_remove_worker`](jlrs_async::AsyncHandle::try_remove_worker) tells a
//!   worker to stop; it finishes the tasks it holds. A persistent task it runs lives on
//!   there until its handles are gone or the pool closes (the thread stays claimed until
//!   then). It removes the newest worker, even one whose start is still under way (that
//!   one stops as soon as it starts). Removing the last worker closes the pool; that
//!   worker first runs the tasks still queued.
//! - Both may be called from any threads at once: one lock guards the pool's books, so
//!   every worker that runs is either counted by `n_workers()` or told to stop.
//! - A panic inside a task is that task's error. A worker whose loop panics outside any
//!   task (for example in a faulty executor) ends its tasks and is restarted on its thread
//!   with a new executor: the tasks it held answer
//!   [`Cancelled`](jlrs_async::TaskError::Cancelled), its persistent tasks end and run their
//!   `exit` (a call in progress answers `Cancelled`, later calls `Closed`), queued tasks
//!   are not lost, and `n_workers()` is unchanged. A removed worker is not restarted.
//!   [`PoolBuilder::on_worker_panic`] and [`PoolBuilder::on_worker_exit`] hear of
//!   restarts and exits; with the feature `tracing`, `jlrs_core::diagnostics` reports them
//!   as events too. Without a hook and without `tracing`, a panic is printed to stderr.
//!
//! A blocking task holds its worker until it returns, and so does an async task between two
//! `.await` points: keep long synchronous work in blocking tasks, and other tasks go to
//! the idle workers.
//!
//! A pool shuts down when all its workers are removed, all its handles are dropped, or it
//! is closed; its threads then serve new workers or pools. Its workers first finish the
//! tasks they run, so its threads come back a little later; a pool spawned meanwhile waits
//! for them (see [`PoolBuilder::spawn`]), so closing a pool and starting another of the
//! same size always gets every thread back. A pool keeps its runtime alive.
//!
//! # Example
//!
//! ```
//! use jlrs_async::AsyncExecutor;
//! use jlrs_mt::Builder;
//! use jlrs_pool::PoolBuilderExt;
//!
//! let (mt, runtime) = Builder::new().n_threads(2).spawn_mt().expect("cannot start Julia");
//! let pool = mt
//!     .pool_builder(AsyncExecutor::<4>::new())
//!     .n_workers(2.try_into().unwrap())
//!     .spawn();
//! assert_eq!(pool.n_workers(), 2);
//!
//! let tasks: Vec<_> = (0..8i64)
//!     .map(|i| {
//!         pool.task(async move |mut frame| {
//!             let x = frame.box_value(i);
//!             frame.call("abs2", &[x])?.unbox::<i64>()
//!         })
//!         .dispatch_blocking()
//!         .unwrap()
//!     })
//!     .collect();
//! let squares: Vec<i64> = tasks.into_iter().map(|t| t.wait_blocking().unwrap()).collect();
//! assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49]);
//!
//! assert!(pool.try_remove_worker());
//! assert_eq!(pool.n_workers(), 1);
//! drop(pool);
//! drop(mt);
//! runtime.join().unwrap();
//! ```
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]

mod builder;
mod current;
mod error;
mod hooks;
mod pool;
mod released_threads;
mod state;
mod worker;

pub use builder::{PoolBuilder, PoolBuilderExt};
#[doc(hidden)]
pub use current::current_worker;
pub use current::{current_worker_index, current_worker_name};
pub use error::PoolError;
pub use hooks::{WorkerExit, WorkerPanic};
