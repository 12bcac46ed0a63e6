//! The errors of pools.

static_assertions::assert_impl_all!(PoolError: Send, Sync, std::error::Error);

/// Why a pool could not start as configured.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// Fewer Julia threads were free than workers were asked for.
    #[error(
        "only {started} of {requested} workers could start: the runtime has no more free \
         worker threads (see `jlrs_mt::Builder::n_threads`)"
    )]
    NoFreeThread {
        /// Workers asked for.
        requested: usize,
        /// Workers that started (they have been stopped again).
        started: usize,
    },
}
