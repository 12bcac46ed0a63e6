//! What the current thread may do with Julia: whether it is one of Julia's threads, and
//! whether it is GC-safe.

use std::ffi::c_int;

/// The most threads [`Runtime::init`](crate::Runtime::init) starts: a guard against a
/// mistyped count, far above what a machine uses well (each thread reserves an 8 MiB stack
/// and a share of Julia's scheduler queues).
pub const MAX_JULIA_THREADS: usize = 512;

extern "C" {
    /// -1: not a Julia thread; 0: a GC-unsafe Julia thread; other: a GC-safe one.
    fn jlrs_core_thread_state() -> c_int;
}

/// The state of the current thread, as far as Julia is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadState {
    /// Not one of Julia's threads (or Julia never started): it may never call Julia, and
    /// it needs no GC transition to wait.
    Foreign,
    /// A Julia thread that is GC-unsafe: it may call Julia, and it must become GC-safe
    /// before it waits.
    GcUnsafe,
    /// A Julia thread in a GC-safe region: it must not touch Julia until it leaves it.
    GcSafe,
}

/// The state of the current thread.
pub fn current() -> ThreadState {
    // SAFETY: reads the calling thread's own thread-local state, which exists (zeroed) on
    // every thread once libjulia is loaded, and does not change it.
    match unsafe { jlrs_core_thread_state() } {
        -1 => ThreadState::Foreign,
        0 => ThreadState::GcUnsafe,
        _ => ThreadState::GcSafe,
    }
}
