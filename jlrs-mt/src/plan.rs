//! The thread plan: which Julia thread does what, checked against Julia 1.5's cap.

use std::ops::RangeInclusive;

use crate::RuntimeError;

/// How the runtime uses Julia's threads. Thread ids are Julia's, 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) with_threads: usize,
    pub(crate) worker_threads: usize,
}

impl Plan {
    /// Resolves an automatic worker count (0) and checks the total against `limit`.
    pub(crate) fn new(
        with_threads: usize,
        worker_threads: usize,
        limit: usize,
    ) -> Result<Plan, RuntimeError> {
        let worker_threads = if worker_threads == 0 {
            limit.saturating_sub(1 + with_threads)
        } else {
            worker_threads
        };
        let requested = 1 + with_threads + worker_threads;
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

    #[test]
    fn the_seed_configuration_fits_eight_cpus() {
        let plan = Plan::new(1, 4, 8).unwrap();
        assert_eq!(plan.total(), 6);
        assert_eq!(plan.with_tids(), 2..=2);
        assert_eq!(plan.worker_tids(), 3..=6);
    }

    #[test]
    fn zero_workers_means_every_thread_left() {
        assert_eq!(Plan::new(1, 0, 8).unwrap().worker_threads, 6);
        assert_eq!(Plan::new(1, 0, 2).unwrap().worker_threads, 0);
        assert_eq!(Plan::new(0, 0, 1).unwrap().worker_threads, 0);
    }

    #[test]
    fn too_many_threads_is_an_error() {
        let err = Plan::new(1, 4, 2).unwrap_err();
        assert!(matches!(
            err,
            RuntimeError::TooManyThreads {
                requested: 6,
                limit: 2,
                ..
            }
        ));
        assert!(Plan::new(2, 0, 2).is_err());
    }

    #[test]
    fn no_with_threads_leaves_with_to_the_runtime_thread() {
        let plan = Plan::new(0, 2, 8).unwrap();
        assert!(plan.with_tids().is_empty());
        assert_eq!(plan.worker_tids(), 2..=3);
    }
}
