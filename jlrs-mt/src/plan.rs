//! The thread plan: which Julia thread does what, checked against the most threads a
//! runtime starts.

use std::ops::RangeInclusive;

use crate::RuntimeError;

/// How the runtime uses Julia's threads. Thread ids are Julia's, 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) with_threads: usize,
    pub(crate) worker_threads: usize,
}

impl Plan {
    /// Resolves an automatic worker count (0: one per CPU of `cpus` left after the runtime
    /// and `with` threads) and checks the total against `limit`. Julia starts the planned
    /// threads whatever the CPU count (`jlrs_core::InitOptions::n_julia_threads`).
    pub(crate) fn new(
        with_threads: usize,
        worker_threads: usize,
        cpus: usize,
        limit: usize,
    ) -> Result<Plan, RuntimeError> {
        let worker_threads = if worker_threads == 0 {
            cpus.saturating_sub(1 + with_threads)
        } else {
            worker_threads
        };
        let requested = with_threads
            .saturating_add(worker_threads)
            .saturating_add(1);
        if requested > limit {
            return Err(RuntimeError::TooManyThreads {
                requested,
                with_threads,
                worker_threads,
                limit,
            });
        }
        Ok(Plan {
            with_threads,
            worker_threads,
        })
    }

    pub(crate) fn total(&self) -> usize {
        1 + self.with_threads + self.worker_threads
    }

    /// The threads that serve `MtHandle::with`.
    pub(crate) fn with_tids(&self) -> RangeInclusive<usize> {
        2..=1 + self.with_threads
    }

    /// The threads that can host pool workers.
    pub(crate) fn worker_tids(&self) -> RangeInclusive<usize> {
        2 + self.with_threads..=self.total()
    }
}

#[cfg(test)]
mod test {
    use super::*;

    const LIMIT: usize = jlrs_core::MAX_JULIA_THREADS;

    #[test]
    fn the_seed_configuration_fits_eight_cpus() {
        let plan = Plan::new(1, 4, 8, LIMIT).unwrap();
        assert_eq!(plan.total(), 6);
        assert_eq!(plan.with_tids(), 2..=2);
        assert_eq!(plan.worker_tids(), 3..=6);
    }

    #[test]
    fn zero_workers_means_every_thread_left() {
        assert_eq!(Plan::new(1, 0, 8, LIMIT).unwrap().worker_threads, 6);
        assert_eq!(Plan::new(1, 0, 2, LIMIT).unwrap().worker_threads, 0);
        assert_eq!(Plan::new(0, 0, 1, LIMIT).unwrap().worker_threads, 0);
    }

    #[test]
    fn more_threads_than_cpus_fit() {
        let plan = Plan::new(1, 3, 2, LIMIT).unwrap();
        assert_eq!(plan.total(), 5);
        assert_eq!(plan.worker_tids(), 3..=5);
    }

    #[test]
    fn more_threads_than_the_limit_is_an_error() {
        let err = Plan::new(1, 4, 2, 5).unwrap_err();
        assert!(matches!(
            err,
            RuntimeError::TooManyThreads {
                requested: 6,
                limit: 5,
                ..
            }
        ));
        assert!(Plan::new(LIMIT, 0, 2, LIMIT).is_err());
        assert!(Plan::new(1, usize::MAX, 2, LIMIT).is_err());
    }

    #[test]
    fn no_with_threads_leaves_with_to_the_runtime_thread() {
        let plan = Plan::new(0, 2, 8, LIMIT).unwrap();
        assert!(plan.with_tids().is_empty());
        assert_eq!(plan.worker_tids(), 2..=3);
    }
}
