//! The errors of the multithreaded runtime.

use jlrs_core::InitError;

static_assertions::assert_impl_all!(RuntimeError: Send, Sync, std::error::Error);

/// Everything that can go wrong when starting or using the multithreaded runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// Julia could not be initialised (a second runtime in this process, Julia not
    /// found, ...).
    #[error(transparent)]
    Init(#[from] InitError),
    /// More Julia threads were asked for than a runtime starts
    /// ([`jlrs_core::MAX_JULIA_THREADS`]); nothing was started.
    #[error(
        "the runtime needs {requested} Julia threads (1 runtime + {with_threads} `with` + \
         {worker_threads} worker threads), but starts at most {limit}; ask for fewer"
    )]
    TooManyThreads {
        /// Julia threads the configuration needs.
        requested: usize,
        /// Threads for `MtHandle::with`.
        with_threads: usize,
        /// Threads for pool workers.
        worker_threads: usize,
        /// The most Julia can start here.
        limit: usize,
    },
    /// Julia started fewer threads than the runtime needs: a Julia that reads the machine's
    /// CPU count at start-up otherwise than 1.5.3 does, and caps its threads at it.
    #[error(
        "the runtime needs {requested} Julia threads, but Julia started {started}: this \
         Julia caps its threads at the CPUs the machine shows in a way this crate does not \
         expect (it supports Julia 1.5.3); ask for at most {started}"
    )]
    ThreadsNotStarted {
        /// Julia threads the configuration needs.
        requested: usize,
        /// Julia threads Julia started.
        started: usize,
    },
    /// The closure passed to `MtHandle::with` returned a Julia error.
    #[error(transparent)]
    Julia(#[from] jlrs_core::JuliaError),
    /// The closure passed to `MtHandle::with` panicked; the runtime is unharmed.
    #[error("the closure panicked: {0}")]
    Panicked(String),
    /// The runtime has shut down.
    #[error("the Julia runtime has shut down")]
    ShutDown,
    /// The runtime thread could not be spawned.
    #[error("cannot spawn the runtime thread: {0}")]
    Spawn(#[source] std::io::Error),
}

impl From<jlrs_core::panics::Failure> for RuntimeError {
    fn from(failure: jlrs_core::panics::Failure) -> Self {
        failure.into_error(RuntimeError::Julia, RuntimeError::Panicked)
    }
}
