//! Spawning waits for threads released by closed pools: the threads that closed pools are
//! still releasing, counted so that a new pool can wait for them (see
//! [`PoolBuilder::spawn`](crate::PoolBuilder::spawn)).
//!
//! Julia starts once per process, so there is one runtime, and this is one table for the
//! process.

use std::sync::{Arc, Weak};

use event_listener::Event;
use jlrs_mt::MtHandle;

use jlrs_core::sync::GcSafeMutex;

/// A pool, as far as spawning another one cares.
pub(crate) trait Releasing: Send + Sync {
    /// How many threads the pool holds while its queue is closed (0 while it is open):
    /// threads its workers release once they have finished what they run.
    fn releasing(&self) -> usize;
}

/// Every pool of the process that is still alive.
static POOLS: GcSafeMutex<Vec<Weak<dyn Releasing>>> = GcSafeMutex::new(Vec::new());

/// Fires whenever a worker has released its thread.
static RELEASED: Event = Event::new();

/// Makes `pool` visible to later spawns.
pub(crate) fn register(pool: Weak<dyn Releasing>) {
    let mut pools = POOLS.lock();
    pools.retain(|p| p.strong_count() > 0);
    pools.push(pool);
}

/// A worker has released its thread.
pub(crate) fn released() {
    RELEASED.notify(usize::MAX);
}

/// Threads held by closed pools, not yet released.
fn releasing() -> usize {
    let pools: Vec<Arc<dyn Releasing>> = POOLS.lock().iter().filter_map(Weak::upgrade).collect();
    pools.iter().map(|p| p.releasing()).sum()
}

/// Waits until `wanted` worker threads are free, or no closed pool holds a thread any
/// more: never for threads that open pools hold. A Julia thread does not wait (it may be
/// one of the threads waited for, or one they need), and takes what is free.
pub(crate) fn wait_for_threads(mt: &MtHandle, wanted: usize) {
    if jlrs_core::in_julia() {
        return;
    }
    jlrs_core::latch::wait_until_blocking(&RELEASED, || {
        mt.n_free_worker_threads() >= wanted || releasing() == 0
    })
}
