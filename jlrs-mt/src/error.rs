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
    /// More Julia threads were asked for than Julia 1.5 can start on this machine.
    #[error(
        "the runtime needs {requested} Julia threads (1 runtime + {with_threads} `with` + \
         {worker_threads} worker threads), but Julia 1.5 starts at most {limit} here, one per \
         CPU the machine shows; ask for fewer, or run through `cargo xtask exec`, which shows \
         Julia 8 CPUs"
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
