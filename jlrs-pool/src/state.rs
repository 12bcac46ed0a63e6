//! The pool's state, as a pure state machine with one owner: which workers hold a thread,
//! which of them are counted, which were told to stop, whether the pool is closed, how
//! often workers were restarted.
//!
//! `Pool` keeps it behind one lock and changes it only through these methods, each one
//! critical section; every effect outside the state (raising a stop signal, closing or
//! emptying the queue) is handed back for the pool to perform after the lock is released.

/// What removing a worker did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Removal<S> {
    /// No worker to remove.
    None,
    /// The newest counted worker must stop: raise its signal. Others remain.
    Stop(S),
    /// The last counted worker was removed: close the queue; it drains it, then exits.
    Last,
}

/// What a worker's exit requires of the pool.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Exited {
    /// The last counted worker is gone: close the queue, no one is left to take tasks.
    pub(crate) close_queue: bool,
    /// No worker of the closed pool is left: drop whatever is still queued (its callers
    /// get `Cancelled`) instead of leaving it to wait for nobody.
    pub(crate) cancel_queued: bool,
}

/// One worker that holds a thread: from its reservation until it has exited.
#[derive(Clone, Debug)]
struct Entry<S> {
    id: usize,
    /// Counted by [`PoolState::n_workers`]: neither removed nor exited.
    counted: bool,
    /// Told to stop: it finishes what it holds and exits, and is not restarted.
    stopped: bool,
    stop: S,
}

/// The state of one pool; `S` is a worker's stop signal.
#[derive(Clone, Debug)]
pub(crate) struct PoolState<S> {
    next_id: usize,
    /// Every worker that holds a thread, oldest first.
    workers: Vec<Entry<S>>,
    closed: bool,
    restarts: usize,
}

impl<S> Default for PoolState<S> {
    fn default() -> Self {
        PoolState {
            next_id: 0,
            workers: Vec::new(),
            closed: false,
            restarts: 0,
        }
    }
}

impl<S: Clone> PoolState<S> {
    /// Reserves an id and a thread (taken with `claim`) for a new worker whose stop signal
    /// is `stop`; `None` if the pool is closed or `claim` finds no thread. From here until
    /// [`PoolState::exited`], the worker is counted and can be removed.
    pub(crate) fn reserve<T>(
        &mut self,
        stop: S,
        claim: impl FnOnce() -> Option<T>,
    ) -> Option<(usize, T)> {
        if self.closed {
            return None;
        }
        let thread = claim()?;
        let id = self.next_id;
        self.next_id += 1;
        self.workers.push(Entry {
            id,
            counted: true,
            stopped: false,
            stop,
        });
        Some((id, thread))
    }

    /// Removes the newest counted worker, started or still starting. Removing the last
    /// one closes the pool.
    pub(crate) fn remove(&mut self) -> Removal<S> {
        let mut counted = self.workers.iter_mut().rev().filter(|w| w.counted);
        let Some(newest) = counted.next() else {
            return Removal::None;
        };
        newest.counted = false;
        if counted.next().is_none() {
            // It drains the queue instead of stopping.
            self.closed = true;
            return Removal::Last;
        }
        newest.stopped = true;
        Removal::Stop(newest.stop.clone())
    }

    /// Worker `id`'s loop failed outside any task: whether to restart it (it was not told
    /// to stop).
    pub(crate) fn restart(&mut self, id: usize) -> bool {
        let again = self.workers.iter().any(|w| w.id == id && !w.stopped);
        if again {
            self.restarts += 1;
        }
        again
    }

    /// Worker `id` has ended for good (or never started) and released its thread.
    pub(crate) fn exited(&mut self, id: usize) -> Exited {
        let Some(at) = self.workers.iter().position(|w| w.id == id) else {
            return Exited::default();
        };
        let gone = self.workers.remove(at);
        let mut exited = Exited::default();
        if gone.counted && self.n_workers() == 0 {
            self.closed = true;
            exited.close_queue = true;
        }
        exited.cancel_queued = self.closed && self.workers.is_empty();
        exited
    }

    /// Workers counted: started or starting, neither removed nor exited.
    pub(crate) fn n_workers(&self) -> usize {
        self.workers.iter().filter(|w| w.counted).count()
    }

    /// Threads held by this pool's workers, counted or not.
    pub(crate) fn held(&self) -> usize {
        self.workers.len()
    }

    /// Whether the pool takes no more workers.
    #[cfg(test)]
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// How many times a worker was restarted.
    pub(crate) fn restarts(&self) -> usize {
        self.restarts
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn reserve(s: &mut PoolState<usize>, stop: usize) -> Option<usize> {
        s.reserve(stop, || Some(())).map(|(id, ())| id)
    }

    #[test]
    fn adding_and_removing() {
        let mut s = PoolState::default();
        let a = reserve(&mut s, 10).unwrap();
        let b = reserve(&mut s, 11).unwrap();
        assert_ne!(a, b);
        assert_eq!(s.n_workers(), 2);
        assert_eq!(s.remove(), Removal::Stop(11), "the newest worker stops");
        assert_eq!(s.n_workers(), 1);
        assert_eq!(s.remove(), Removal::Last);
        assert!(s.is_closed());
        assert_eq!(s.remove(), Removal::None);
        assert_eq!(reserve(&mut s, 12), None, "a closed pool takes no workers");
        assert_eq!(s.held(), 2, "both still hold their threads");
    }

    #[test]
    fn a_thread_is_claimed_only_by_an_open_pool() {
        let mut s = PoolState::<usize>::default();
        assert_eq!(s.reserve(0, || None::<()>), None);
        // Removing the only worker closes the pool.
        reserve(&mut s, 0).unwrap();
        assert_eq!(s.remove(), Removal::Last);
        let mut claimed = false;
        let reserved = s.reserve(0, || {
            claimed = true;
            Some(())
        });
        assert_eq!(reserved, None);
        assert!(!claimed);
    }

    #[test]
    fn a_worker_removed_while_it_starts_is_stopped() {
        let mut s = PoolState::default();
        reserve(&mut s, 0).unwrap();
        let b = reserve(&mut s, 1).unwrap();
        // `b`'s start is under way: removing it still reaches its signal.
        assert_eq!(s.remove(), Removal::Stop(1));
        assert!(!s.restart(b), "a stopped worker is not restarted");
        assert_eq!(s.exited(b), Exited::default());
        assert_eq!((s.n_workers(), s.held()), (1, 1));
    }

    #[test]
    fn the_last_exit_closes_the_pool_and_the_queue() {
        let mut s = PoolState::default();
        let a = reserve(&mut s, 0).unwrap();
        let b = reserve(&mut s, 1).unwrap();
        assert!(s.restart(a));
        assert_eq!(s.restarts(), 1);
        assert_eq!(s.exited(a), Exited::default());
        assert!(!s.is_closed());
        assert_eq!(
            s.exited(b),
            Exited {
                close_queue: true,
                cancel_queued: true
            }
        );
        assert!(s.is_closed());
    }
}

/// Model test: every interleaving, up to a depth, of what the pool's threads do (adding,
/// removing, closing, dispatching) and what its workers do (starting or failing to,
/// restarting after a failure, exiting), performed on [`PoolState`] exactly as `Pool`
/// performs it, and checked against a reference that keeps its own books and never reads
/// the state's.
#[cfg(test)]
mod model {
    use std::collections::{BTreeMap, BTreeSet, HashSet};

    use super::*;

    /// Worker threads of the runtime.
    const THREADS: usize = 4;
    /// `try_add_worker` calls in progress at once.
    const ADDERS: usize = 3;

    /// One step of one thread of the real code.
    #[derive(Clone, Copy, Debug)]
    enum Op {
        /// `add_worker` finds the queue open...
        AddCheck,
        /// ...and reserves (the queue may have closed in between).
        AddReserve,
        /// The spawn of worker `id` succeeded: its hosted loop runs.
        Spawned(usize),
        /// The spawn of worker `id` failed: the worker is dropped (`Worker::drop`).
        SpawnFailed(usize),
        /// `remove_worker`.
        Remove,
        /// A handle closes the queue (`cancel`: dropping what is queued).
        Close { cancel: bool },
        /// A handle dispatches a task.
        Dispatch,
        /// A running worker that was not told to stop takes the queued tasks.
        Take,
        /// Worker `id`'s loop fails outside any task (`Worker::panicked`).
        Fail(usize),
        /// Worker `id`'s loop ends: it was told to stop, or the queue is closed and empty.
        Exit(usize),
    }

    /// What the real code's environment holds: the queue, the runtime's threads, the
    /// workers that exist and the stop signal each one reads.
    #[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
    struct World {
        queue_closed: bool,
        queued: bool,
        free: usize,
        adders: usize,
        /// Workers that hold a thread: whether its loop runs, whether its stop is raised.
        workers: BTreeMap<usize, (bool, bool)>,
    }

    /// The reference's own books.
    #[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
    struct Reference {
        next_id: usize,
        /// Counted workers, oldest first.
        counted: Vec<usize>,
        /// Workers that must have been told to stop.
        told: BTreeSet<usize>,
        closed: bool,
        restarts: usize,
    }

    #[derive(Clone, Debug)]
    struct Model {
        state: PoolState<usize>,
        world: World,
        reference: Reference,
    }

    impl Model {
        /// A pool spawned with one worker.
        fn new() -> Model {
            let mut m = Model {
                state: PoolState::default(),
                world: World {
                    free: THREADS,
                    ..World::default()
                },
                reference: Reference::default(),
            };
            m.world.adders = 1;
            m.apply(Op::AddReserve);
            m.apply(Op::Spawned(0));
            m
        }

        /// The same situation with the ids of the workers alive renumbered 0, 1, ... in
        /// order (only their order matters) and the restarts, already checked equal,
        /// forgotten: this keeps the set of situations finite.
        fn canonical(&self) -> Model {
            let ids: Vec<usize> = self.world.workers.keys().copied().collect();
            let new = |id: usize| ids.iter().position(|i| *i == id).expect("a live id");
            let mut m = self.clone();
            m.world.workers = m
                .world
                .workers
                .into_iter()
                .map(|(id, w)| (new(id), w))
                .collect();
            let r = &mut m.reference;
            r.next_id = ids.len();
            r.counted.iter_mut().for_each(|id| *id = new(*id));
            r.told = r.told.iter().map(|id| new(*id)).collect();
            r.restarts = 0;
            let s = &mut m.state;
            s.next_id = ids.len();
            s.restarts = 0;
            for w in &mut s.workers {
                w.id = new(w.id);
                w.stop = new(w.stop - 100) + 100;
            }
            m
        }

        fn key(&self) -> (World, Reference, String) {
            (
                self.world.clone(),
                self.reference.clone(),
                format!("{:?}", self.state),
            )
        }

        fn ops(&self) -> Vec<Op> {
            let w = &self.world;
            let mut ops = vec![
                Op::Remove,
                Op::Close { cancel: false },
                Op::Close { cancel: true },
                Op::Dispatch,
            ];
            if w.adders < ADDERS {
                ops.push(Op::AddCheck);
            }
            if w.adders > 0 {
                ops.push(Op::AddReserve);
            }
            for (&id, &(running, stopped)) in &w.workers {
                if !running {
                    ops.extend([Op::Spawned(id), Op::SpawnFailed(id)]);
                    continue;
                }
                ops.push(Op::Fail(id));
                if !stopped && w.queued {
                    ops.push(Op::Take);
                }
                if stopped || (w.queue_closed && !w.queued) {
                    ops.push(Op::Exit(id));
                }
            }
            ops
        }

        /// `Worker::drop`: the thread is released, then the state hears of the exit.
        fn worker_dropped(&mut self, id: usize) {
            let (w, r) = (&mut self.world, &mut self.reference);
            assert!(w.workers.remove(&id).is_some());
            w.free += 1;
            let exited = self.state.exited(id);
            if exited.close_queue {
                w.queue_closed = true;
            }
            if exited.cancel_queued {
                w.queued = false;
            }
            // The reference's view.
            r.told.remove(&id);
            let was_counted = r.counted.contains(&id);
            r.counted.retain(|c| *c != id);
            let closes = was_counted && r.counted.is_empty();
            if closes {
                r.closed = true;
            }
            assert_eq!(exited.close_queue, closes, "exit of {id}: {self:?}");
            assert_eq!(
                exited.cancel_queued,
                r.closed && w.workers.is_empty(),
                "exit of {id}: {self:?}"
            );
        }

        fn apply(&mut self, op: Op) {
            let (w, r) = (&mut self.world, &mut self.reference);
            match op {
                Op::AddCheck => {
                    // `add_worker` returns `false` at once on a closed queue.
                    if !w.queue_closed {
                        w.adders += 1;
                    }
                }
                Op::AddReserve => {
                    w.adders -= 1;
                    let free = &mut w.free;
                    let reserved = self
                        .state
                        .reserve(r.next_id + 100, || (*free > 0).then(|| *free -= 1));
                    let expected = !r.closed && w.free + usize::from(reserved.is_some()) > 0;
                    match reserved {
                        Some((id, ())) => {
                            assert!(expected, "reserved on a closed pool or no thread");
                            assert_eq!(id, r.next_id, "ids are handed out in order");
                            r.next_id += 1;
                            r.counted.push(id);
                            w.workers.insert(id, (false, false));
                        }
                        None => assert!(!expected, "refused a worker: {self:?}"),
                    }
                }
                Op::Spawned(id) => {
                    w.workers.get_mut(&id).unwrap().0 = true;
                }
                Op::SpawnFailed(id) => self.worker_dropped(id),
                Op::Remove => {
                    let removal = self.state.remove();
                    let expected = match r.counted.len() {
                        0 => Removal::None,
                        1 => {
                            r.counted.clear();
                            r.closed = true;
                            Removal::Last
                        }
                        _ => {
                            let id = r.counted.pop().unwrap();
                            r.told.insert(id);
                            Removal::Stop(id + 100)
                        }
                    };
                    assert_eq!(removal, expected, "{self:?}");
                    // `remove_worker` raises the signal it was handed, or closes the
                    // queue.
                    match removal {
                        Removal::Stop(signal) => {
                            w.workers.get_mut(&(signal - 100)).unwrap().1 = true;
                        }
                        Removal::Last => w.queue_closed = true,
                        Removal::None => {}
                    }
                }
                Op::Close { cancel } => {
                    w.queue_closed = true;
                    if cancel {
                        w.queued = false;
                    }
                }
                Op::Dispatch => {
                    if !w.queue_closed {
                        w.queued = true;
                    }
                }
                Op::Take => w.queued = false,
                Op::Fail(id) => {
                    let again = self.state.restart(id);
                    assert_eq!(again, !r.told.contains(&id), "restart of {id}: {self:?}");
                    if again {
                        r.restarts += 1;
                    } else {
                        self.worker_dropped(id);
                    }
                }
                Op::Exit(id) => self.worker_dropped(id),
            }
            self.check(op);
        }

        fn check(&self, op: Op) {
            let (s, w, r) = (&self.state, &self.world, &self.reference);
            assert_eq!(s.n_workers(), r.counted.len(), "after {op:?}: {self:?}");
            assert_eq!(s.is_closed(), r.closed, "after {op:?}: {self:?}");
            assert_eq!(s.restarts(), r.restarts, "after {op:?}: {self:?}");
            assert_eq!(s.held(), w.workers.len(), "after {op:?}: {self:?}");
            assert_eq!(
                w.free + w.workers.len(),
                THREADS,
                "a thread leaked: {self:?}"
            );
            for (&id, &(_, stopped)) in &w.workers {
                // Every stop the reference expects was delivered, and no other.
                assert_eq!(stopped, r.told.contains(&id), "stop of {id}: {self:?}");
                // No worker runs on uncounted and unstopped while tasks can still come.
                assert!(
                    r.counted.contains(&id) || stopped || w.queue_closed,
                    "worker {id} leaked after {op:?}: {self:?}"
                );
            }
            // Without counted workers nobody takes tasks, so none are accepted.
            assert!(
                !r.counted.is_empty() || w.queue_closed,
                "after {op:?}: {self:?}"
            );
            // Queued tasks always have a worker that takes them or cancels them.
            assert!(!w.queued || !w.workers.is_empty(), "stranded: {self:?}");
        }
    }

    /// Explores every situation reachable from a pool with one worker, whatever the
    /// number of steps.
    #[test]
    fn every_interleaving_keeps_the_books_straight() {
        let start = Model::new();
        let mut seen = HashSet::from([start.key()]);
        let mut todo = vec![start];
        let mut steps = 0;
        while let Some(model) = todo.pop() {
            for op in model.ops() {
                let mut m = model.clone();
                m.apply(op);
                steps += 1;
                let m = m.canonical();
                if seen.insert(m.key()) {
                    todo.push(m);
                }
            }
        }
        assert!(
            seen.len() > 2_000,
            "explored only {} situations",
            seen.len()
        );
        eprintln!("{} situations, {steps} steps", seen.len());
    }
}
