//! GC-safe and GC-unsafe regions, as guards that restore the thread's state on drop.
//!
//! A Julia thread that blocks, or runs long pure-Rust code, must be GC-safe: otherwise a
//! collection started by another thread waits for it, and every thread stalls. A GC-safe
//! thread must not touch Julia until it is GC-unsafe again.

use std::{
    marker::PhantomData,
    sync::atomic::{AtomicUsize, Ordering},
};

use crate::sys;

/// While alive, the current Julia thread is GC-safe. Dropping it (also during a panic)
/// restores the previous state.
#[must_use = "the region ends when the guard is dropped"]
#[derive(Debug)]
pub struct GcSafeGuard {
    state: i8,
    _not_send: PhantomData<*mut ()>,
}

impl GcSafeGuard {
    /// Enters a GC-safe region.
    ///
    /// # Safety
    /// The current thread is a Julia thread, and it does not touch Julia values or call
    /// Julia while the guard lives.
    pub unsafe fn enter() -> Self {
        // SAFETY: the caller's contract.
        let state = unsafe { sys::jlrs_core_gc_safe_enter() };
        GcSafeGuard {
            state,
            _not_send: PhantomData,
        }
    }
}

impl Drop for GcSafeGuard {
    fn drop(&mut self) {
        // SAFETY: the same thread entered the region (the guard is !Send).
        unsafe { sys::jlrs_core_gc_safe_leave(self.state) }
    }
}

/// While alive, the current Julia thread is GC-unsafe and may call Julia. Dropping it
/// restores the previous state.
#[must_use = "the region ends when the guard is dropped"]
#[derive(Debug)]
pub struct GcUnsafeGuard {
    state: i8,
    _not_send: PhantomData<*mut ()>,
}

impl GcUnsafeGuard {
    /// Leaves a GC-safe region until the guard is dropped.
    ///
    /// # Safety
    /// The current thread is a Julia thread.
    pub unsafe fn enter() -> Self {
        // SAFETY: the caller's contract.
        let state = unsafe { sys::jlrs_core_gc_unsafe_enter() };
        GcUnsafeGuard {
            state,
            _not_send: PhantomData,
        }
    }
}

impl Drop for GcUnsafeGuard {
    fn drop(&mut self) {
        // SAFETY: the same thread entered the region (the guard is !Send).
        unsafe { sys::jlrs_core_gc_unsafe_leave(self.state) }
    }
}

static_assertions::assert_not_impl_any!(GcSafeGuard: Send, Sync);
static_assertions::assert_not_impl_any!(GcUnsafeGuard: Send, Sync);

/// Whether the current Julia thread is in a GC-safe region.
///
/// # Safety
/// The current thread is a Julia thread.
pub unsafe fn is_gc_safe() -> bool {
    // SAFETY: the caller's contract.
    unsafe { sys::jlrs_core_gc_state() != 0 }
}

/// Runs a collection. Only called through a frame or context, i.e. on a GC-unsafe Julia
/// thread.
pub(crate) fn collect(full: bool) {
    // SAFETY: callers hold a frame or context, so this is a GC-unsafe Julia thread.
    unsafe { sys::jlrs_core_gc_collect(i32::from(full)) }
}

/// How many collections have run, and how many of them were asked to be full.
static COLLECTIONS: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// Counts a collection; called by the root scanner, once per collection, with the kind of
/// collection that was asked for (`JL_GC_FULL` is 1).
pub(crate) fn note_collection(kind: std::ffi::c_int) {
    COLLECTIONS[0].fetch_add(1, Ordering::Relaxed);
    if kind == 1 {
        COLLECTIONS[1].fetch_add(1, Ordering::Relaxed);
    }
}

/// How many collections have run so far, and how many of them were asked to be full.
pub(crate) fn collections() -> (usize, usize) {
    (
        COLLECTIONS[0].load(Ordering::Relaxed),
        COLLECTIONS[1].load(Ordering::Relaxed),
    )
}
