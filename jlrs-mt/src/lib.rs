//! The multithreaded runtime of jlrs: call Julia from any Rust thread.
//!
//! [`Builder::spawn_mt`] starts Julia on a new thread and returns an [`MtHandle`];
//! [`MtHandle::with`] runs a closure on one of Julia's threads and hands back its result.
//! Handles are `Clone + Send + Sync`; Julia shuts down when the last one is dropped.
//!
//! # The thread model
//!
//! Julia 1.5 cannot adopt threads it did not start, so the runtime owns Julia's threads
//! and hosts Rust work on them. With `Builder::new().n_threads(n).with_threads(w)` Julia
//! starts `1 + w + n` threads:
//!
//! | Julia thread   | role |
//! |----------------|------|
//! | 1              | the **runtime thread**: it initialised Julia and waits inside Julia's scheduler, so Julia's timers, IO, `@async` tasks and `Threads.@spawn` work run there; with `w = 0` it also serves `with` |
//! | 2 ..= 1+w      | **`with` threads** (default `w = 1`): each runs a hosted loop that takes closures from one shared queue |
//! | 2+w ..= 1+w+n  | **worker threads**: claimed by pool workers; while unclaimed, they serve Julia's `Threads.@spawn` |
//!
//! Julia starts the threads asked for whatever the machine's CPU count (Julia 1.5 on its own
//! caps its threads at the CPUs the machine shows; [`jlrs_core::InitOptions::n_julia_threads`]
//! tells how the runtime lifts that cap): threads beyond the CPUs are real and share them.
//! `n_threads(0)`, the default, takes one worker thread per CPU left
//! ([`jlrs_core::cpu_limit`]). More than [`jlrs_core::MAX_JULIA_THREADS`] in all is an
//! [`RuntimeError::TooManyThreads`].
//!
//! Julia's own parallelism keeps working: an idle `with` server or pool worker waits
//! inside Julia's scheduler ([`jlrs_core::idle`]), so its thread runs the sticky chunks of
//! `Threads.@threads` and `Threads.@spawn` work meanwhile. A hosted thread that is busy
//! with a Rust task runs them when the task waits or returns (a busy pool worker also
//! lets them run at least every millisecond between tasks). As in Julia itself,
//! `Threads.@threads` runs in parallel only when called from thread 1 (the runtime thread:
//! its async and blocking tasks); called from any other thread it runs serially.
//!
//! # Example
//!
//! ```
//! use jlrs_mt::Builder;
//!
//! let (mt, runtime) = Builder::new().spawn_mt().expect("cannot start Julia");
//! let threads: Vec<_> = (0..4i64)
//!     .map(|i| {
//!         let mt = mt.clone();
//!         std::thread::spawn(move || {
//!             mt.with(move |julia| {
//!                 julia.scope(|mut frame| {
//!                     let x = frame.box_value(i);
//!                     frame.call("abs2", &[x])?.unbox::<i64>()
//!                 })
//!             })
//!         })
//!     })
//!     .collect();
//! let squares: Vec<i64> = threads.into_iter().map(|t| t.join().unwrap().unwrap()).collect();
//! assert_eq!(squares, [0, 1, 4, 9]);
//!
//! // Julia shuts down once the last handle is gone.
//! drop(mt);
//! runtime.join().unwrap();
//! ```
//!
//! Julia can be initialised once per process: a second runtime is an
//! [`RuntimeError::Init`]`(`[`AlreadyInitialized`](jlrs_core::InitError::AlreadyInitialized)`)`.
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]

mod builder;
mod error;
mod handle;
mod plan;
mod runtime;

pub use builder::Builder;
pub use error::RuntimeError;
/// The former name of [`RuntimeError`].
#[doc(hidden)]
pub use error::RuntimeError as Error;
pub use handle::MtHandle;
/// A claimed worker thread, for the layers above this crate.
#[doc(hidden)]
pub use handle::WorkerThread;
/// For the layers above this crate: the async runtime plugs its executor into the runtime
/// thread through it.
#[doc(hidden)]
pub use runtime::RuntimeThreadWork;

/// What SIGINT (Ctrl-C) does; set with [`Builder::sigint`].
#[doc(inline)]
pub use jlrs_core::SigintPolicy;
