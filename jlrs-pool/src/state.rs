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
#[derive(Clone, Debug, Default)]
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

/// Exhaustive model test: every sequence of bookkeeping operations up to a depth, as
/// `Pool` performs them from any thread (each is one critical section), checked against a
/// plain reference model and the pool's invariants.
#[cfg(test)]
mod model {
    use std::collections::BTreeSet;

    use super::*;

    /// What the pool can do next, given who is where.
    #[derive(Clone, Copy, Debug)]
    enum Op {
        /// `try_add_worker` reserves an id...
        Reserve,
        /// ...and the spawn fails,
        Fail(usize),
        /// or succeeds: the worker runs.
        Start(usize),
        /// `try_remove_worker`.
        Remove,
        /// A running or stopped worker's loop ends (stopped, queue closed, or drained).
        Exit(usize),
        /// A handle closes the pool.
        Close,
    }

    /// The reference: plain sets.
    #[derive(Clone, Debug, Default)]
    struct Model {
        state: PoolState,
        pending: BTreeSet<usize>,
        running: BTreeSet<usize>,
        stopped: BTreeSet<usize>,
        closed: bool,
    }

    impl Model {
        fn ops(&self) -> Vec<Op> {
            let mut ops = vec![Op::Reserve, Op::Remove, Op::Close];
            ops.extend(
                self.pending
                    .iter()
                    .flat_map(|&id| [Op::Fail(id), Op::Start(id)]),
            );
            ops.extend(
                self.running
                    .iter()
                    .chain(&self.stopped)
                    .map(|&id| Op::Exit(id)),
            );
            ops
        }

        fn counted(&self) -> usize {
            self.pending.len() + self.running.len()
        }

        fn apply(&mut self, op: Op) {
            let before = self.state.n_workers();
            assert_eq!(before, self.counted(), "n_workers before {op:?}: {self:?}");
            match op {
                Op::Reserve => match self.state.reserve() {
                    Some(id) => {
                        assert!(!self.closed, "a closed pool reserved a worker");
                        assert!(self.pending.insert(id), "id {id} reused");
                    }
                    None => assert!(self.closed, "an open pool refused a worker"),
                },
                Op::Fail(id) => {
                    self.state.unreserve(id);
                    self.pending.remove(&id);
                }
                Op::Start(id) => {
                    self.pending.remove(&id);
                    // A spawn that succeeds after the worker's slot was removed runs a
                    // worker that is already counted out: it is told to stop at once.
                    if self.state.workers.contains(&id) {
                        self.running.insert(id);
                    } else {
                        self.stopped.insert(id);
                    }
                }
                Op::Remove => match self.state.remove() {
                    Removal::None => assert_eq!(before, 0),
                    Removal::Stop(id) => {
                        assert!(before >= 2);
                        self.take(id);
                    }
                    Removal::Last(id) => {
                        assert_eq!(before, 1);
                        self.take(id);
                        self.closed = true;
                    }
                },
                Op::Exit(id) => {
                    self.state.exited(id);
                    self.running.remove(&id);
                    self.stopped.remove(&id);
                    if self.counted() == 0 {
                        self.closed = true;
                    }
                }
                Op::Close => {
                    self.state.close();
                    self.closed = true;
                }
            }
            assert_eq!(
                self.state.n_workers(),
                self.counted(),
                "after {op:?}: {self:?}"
            );
            assert_eq!(
                self.state.is_closed(),
                self.closed,
                "after {op:?}: {self:?}"
            );
        }

        /// A removed worker: stopped if it runs, forgotten if it was still starting.
        fn take(&mut self, id: usize) {
            if self.running.remove(&id) {
                self.stopped.insert(id);
            } else {
                assert!(self.pending.remove(&id), "removed an unknown worker {id}");
            }
        }
    }

    fn explore(model: &Model, depth: usize, seen: &mut usize) {
        *seen += 1;
        if depth == 0 {
            return;
        }
        for op in model.ops() {
            let mut next = model.clone();
            next.apply(op);
            explore(&next, depth - 1, seen);
        }
    }

    #[test]
    fn every_sequence_of_eight_operations_keeps_the_books_straight() {
        let mut seen = 0;
        explore(&Model::default(), 8, &mut seen);
        assert!(seen > 50_000, "explored only {seen} states");
    }
}
