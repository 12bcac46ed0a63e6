//! Garbage-collection statistics for operators: how many collections ran, how long Julia
//! spent collecting, and how long the pauses were that every Julia thread waited through,
//! with a `tracing` event for each long pause (feature `tracing`).
//!
//! Julia 1.5 stops every thread for a collection: the thread that collects first waits
//! for the others to reach a safepoint, then collects, then lets them go. A request served
//! by any Julia thread meanwhile waits the whole pause. Two measures:
//!
//! - Julia's own counters (`jl_gc_num`, read through the C shim): collections, the time
//!   spent collecting, the bytes allocated;
//! - the pauses, timed by this crate on the collecting thread from just before it waits
//!   for the other threads to stop to just before it lets them go: so they include the
//!   time the world took to stop (a thread slow to reach a safepoint shows here, not in
//!   Julia's collection time), and whether each was asked to be full.
//!
//! [`gc_stats`] may be called from any thread, also one that is not Julia's (an HTTP
//! handler, say): it reads counters only.

use std::{ffi::c_int, time::Duration};

/// The shim's statistics (`csrc/gc_stats.c`), in its own layout.
#[repr(C)]
#[derive(Default)]
struct RawStats {
    collections: i64,
    full_collections: i64,
    gc_time_ns: i64,
    allocated_bytes: i64,
    timed_pauses: i64,
    pause_total_ns: i64,
    pause_longest_ns: i64,
    pause_last_ns: i64,
}

type LongPause = extern "C" fn(pause_ns: i64, gc_ns: i64, full: c_int);

extern "C" {
    fn jlrs_core_gc_stats_install(cb: LongPause);
    fn jlrs_core_gc_stats_set_long_pause(ns: i64);
    fn jlrs_core_gc_stats(out: *mut RawStats);
}

/// A snapshot of Julia's garbage-collection statistics since Julia started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GcStats {
    /// Collections run (Julia's count).
    pub collections: u64,
    /// Of these, the ones asked to be full (`GC.gc(true)`), counted by this crate: Julia
    /// 1.5's own counter stays 0, and it does not tell when it makes an automatic
    /// collection full.
    pub full_collections: u64,
    /// Time Julia spent collecting, summed (Julia's count; without the time the world
    /// took to stop).
    pub gc_time: Duration,
    /// Bytes Julia has allocated.
    pub allocated_bytes: u64,
    /// Pauses timed by this crate (every collection since Julia started).
    pub pauses: u64,
    /// The pauses summed: what every Julia thread waited through, the time to stop the
    /// world included.
    pub total_pause: Duration,
    /// The longest pause.
    pub longest_pause: Duration,
    /// The latest pause.
    pub last_pause: Duration,
}

fn ns(n: i64) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(0))
}

/// Julia's garbage-collection statistics now. All zero before Julia starts.
pub fn gc_stats() -> GcStats {
    let mut raw = RawStats::default();
    // SAFETY: the shim writes the struct it declares (the same layout as `RawStats`); it
    // reads Julia's counters, which exist before and after Julia runs (then all zero or
    // final).
    unsafe { jlrs_core_gc_stats(&mut raw) };
    GcStats {
        collections: u64::try_from(raw.collections).unwrap_or(0),
        full_collections: u64::try_from(raw.full_collections).unwrap_or(0),
        gc_time: ns(raw.gc_time_ns),
        allocated_bytes: u64::try_from(raw.allocated_bytes).unwrap_or(0),
        pauses: u64::try_from(raw.timed_pauses).unwrap_or(0),
        total_pause: ns(raw.pause_total_ns),
        longest_pause: ns(raw.pause_longest_ns),
        last_pause: ns(raw.pause_last_ns),
    }
}

/// Pauses at least this long are reported as `jlrs::gc` events (feature `tracing`);
/// 50 ms unless set.
pub fn set_long_pause_threshold(threshold: Duration) {
    let ns = i64::try_from(threshold.as_nanos()).unwrap_or(i64::MAX);
    // SAFETY: stores an integer.
    unsafe { jlrs_core_gc_stats_set_long_pause(ns) }
}

/// Installs the pause timing; called once, right after `jl_init`, before any other thread
/// runs Julia code.
pub(crate) fn install() {
    // SAFETY: Julia is initialised; the callbacks never reach a safepoint, and
    // `long_pause` catches its panics.
    unsafe { jlrs_core_gc_stats_install(long_pause) }
}

/// Called by the shim on the collecting thread, with the world stopped, for a pause at
/// least as long as the threshold. Touches no Julia value.
extern "C" fn long_pause(pause_ns: i64, gc_ns: i64, full: c_int) {
    let _ = std::panic::catch_unwind(|| {
        crate::runtime::diagnostics::long_gc_pause(ns(pause_ns), ns(gc_ns), full != 0)
    });
}
