//! A faulty executor: the default one, except that its next `spawn_local` panics when told
//! to. It is the one way a pool worker's loop can fail outside any task.

use std::sync::atomic::{AtomicBool, Ordering};

use jlrs_async::{AsyncExecutor, AsyncLocal, Executor, LocalBoxFuture, LocalExecutor};

/// The executor; see [`Faulty::fail_next_spawn`].
#[derive(Clone, Debug)]
pub struct Faulty;

static FAIL_NEXT_SPAWN: AtomicBool = AtomicBool::new(false);

impl Faulty {
    /// Makes the next `spawn_local` of any `Faulty` executor in this process panic.
    pub fn fail_next_spawn() {
        FAIL_NEXT_SPAWN.store(true, Ordering::SeqCst);
    }
}

/// A thread's `Faulty` executor.
#[derive(Debug)]
pub struct FaultyLocal(AsyncLocal);

impl<const N: usize> Executor<N> for Faulty {
    type Local = FaultyLocal;

    fn local(&self) -> FaultyLocal {
        FaultyLocal(<AsyncExecutor<N> as Executor<N>>::local(
            &AsyncExecutor::<N>::new(),
        ))
    }
}

impl LocalExecutor for FaultyLocal {
    fn spawn_local(&self, future: LocalBoxFuture<'static, ()>) {
        if FAIL_NEXT_SPAWN.swap(false, Ordering::SeqCst) {
            panic!("deliberate executor failure");
        }
        self.0.spawn_local(future)
    }

    fn run<'a>(&'a self, future: LocalBoxFuture<'a, ()>) -> LocalBoxFuture<'a, ()> {
        self.0.run(future)
    }
}
