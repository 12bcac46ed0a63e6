//! The pool's worker bookkeeping, as a pure state machine: which workers exist, which
//! were told to stop, whether the pool is closed.

/// What removing a worker did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Removal {
    /// No worker to remove.
    None,
    /// Worker `id` was told to stop; others remain.
    Stop(usize),
    /// Worker `id` was the last: the pool closes and it drains the queue.
    Last(usize),
}

/// Workers counted by [`PoolState::n_workers`]: started or starting, not told to stop.
#[derive(Debug, Default)]
pub(crate) struct PoolState {
    next_id: usize,
    workers: Vec<usize>,
    closed: bool,
}

impl PoolState {
    /// Reserves an id for a new worker, or `None` if the pool is closed.
    pub(crate) fn reserve(&mut self) -> Option<usize> {
        if self.closed {
            return None;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.workers.push(id);
        Some(id)
    }

    /// A reserved worker could not start.
    pub(crate) fn unreserve(&mut self, id: usize) {
        self.workers.retain(|w| *w != id);
    }

    /// Chooses a worker to stop: the newest. Removing the last one closes the pool.
    pub(crate) fn remove(&mut self) -> Removal {
        match self.workers.len() {
            0 => Removal::None,
            1 => {
                self.closed = true;
                Removal::Last(self.workers.pop().expect("one worker"))
            }
            _ => Removal::Stop(self.workers.pop().expect("several workers")),
        }
    }

    /// Worker `id` has ended (its queue closed, or it was stopped).
    pub(crate) fn exited(&mut self, id: usize) {
        self.workers.retain(|w| *w != id);
        if self.workers.is_empty() {
            self.closed = true;
        }
    }

    /// The pool was closed from a handle.
    pub(crate) fn close(&mut self) {
        self.closed = true;
    }

    pub(crate) fn n_workers(&self) -> usize {
        self.workers.len()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn adding_and_removing() {
        let mut s = PoolState::default();
        let a = s.reserve().unwrap();
        let b = s.reserve().unwrap();
        assert_eq!(s.n_workers(), 2);
        assert_eq!(s.remove(), Removal::Stop(b));
        assert_eq!(s.n_workers(), 1);
        assert_eq!(s.remove(), Removal::Last(a));
        assert!(s.is_closed());
        assert_eq!(s.remove(), Removal::None);
        assert_eq!(s.reserve(), None, "a closed pool takes no workers");
    }

    #[test]
    fn a_failed_start_is_forgotten() {
        let mut s = PoolState::default();
        let a = s.reserve().unwrap();
        s.unreserve(a);
        assert_eq!(s.n_workers(), 0);
        assert!(!s.is_closed());
    }

    #[test]
    fn the_pool_closes_when_its_last_worker_exits() {
        let mut s = PoolState::default();
        let a = s.reserve().unwrap();
        let b = s.reserve().unwrap();
        s.exited(a);
        assert!(!s.is_closed());
        s.exited(b);
        assert!(s.is_closed());
    }
}
