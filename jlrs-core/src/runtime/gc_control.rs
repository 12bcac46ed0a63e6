//! Turning Julia's garbage collector off and on ([`GcFrame::enable_gc`],
//! [`GcFrame::disable_gc`]), asking whether it is on, and safepoints.
//!
//! Julia 1.5 keeps the switch per thread and counts the threads that turned collection
//! off: no collection runs, on any thread, while one thread has it off. A thread that
//! allocates while collection is off never waits for a collection (Julia skips it), so
//! turning collection off cannot make a thread wait GC-unsafely; it only lets memory grow
//! until collection is back on.

use std::{cell::Cell, marker::PhantomData};

use crate::{
    rooting::frame::GcFrame,
    runtime::gc::GcUnsafeGuard,
    runtime::julia::Julia,
    runtime::thread_state::{self, ThreadState},
};

impl GcFrame<'_> {
    /// Turns collection on (`true`) or off (`false`) for this thread, and returns whether
    /// it was on before. Julia code can do the same with `GC.enable`.
    ///
    /// While any thread has collection off, no collection runs. Prefer
    /// [`GcFrame::disable_gc`], whose guard turns it back on.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn enable_gc(&mut self, on: bool) -> bool {
        enable_gc(on)
    }

    /// Whether collection is on for this thread (it may still be off because another
    /// thread turned it off).
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn gc_is_enabled(&self) -> bool {
        gc_is_enabled()
    }

    /// A GC safepoint: if another thread has started a collection, this thread takes part
    /// in it before going on. For long loops of Rust code that call Julia rarely.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn gc_safepoint(&mut self) {
        gc_safepoint();
    }

    /// Turns collection off until the returned guard is dropped, for latency-critical
    /// work. See [`GcDisabledGuard`].
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn disable_gc(&mut self) -> GcDisabledGuard {
        GcDisabledGuard::new()
    }
}

impl Julia {
    /// [`GcFrame::enable_gc`] for a context.
    #[track_caller]
    pub fn enable_gc(&mut self, on: bool) -> bool {
        enable_gc(on)
    }

    /// [`GcFrame::gc_is_enabled`] for a context.
    #[track_caller]
    pub fn gc_is_enabled(&self) -> bool {
        gc_is_enabled()
    }

    /// [`GcFrame::gc_safepoint`] for a context.
    #[track_caller]
    pub fn gc_safepoint(&mut self) {
        gc_safepoint();
    }

    /// [`GcFrame::disable_gc`] for a context.
    #[track_caller]
    pub fn disable_gc(&mut self) -> GcDisabledGuard {
        GcDisabledGuard::new()
    }
}

#[track_caller]
fn enable_gc(on: bool) -> bool {
    crate::calls::callable::assert_callable();
    // SAFETY: a GC-unsafe Julia thread, just checked; turning collection off waits at a
    // safepoint for a collection already under way, as a GC-unsafe thread may.
    unsafe { crate::sys::jl_gc_enable(i32::from(on)) != 0 }
}

#[track_caller]
fn gc_is_enabled() -> bool {
    crate::calls::callable::assert_callable();
    // SAFETY: a Julia thread, just checked; it reads this thread's state.
    unsafe { crate::sys::jl_gc_is_enabled() != 0 }
}

#[track_caller]
fn gc_safepoint() {
    crate::calls::callable::assert_callable();
    // SAFETY: a GC-unsafe Julia thread, just checked.
    unsafe { crate::sys::jl_gc_safepoint() }
}

/// The guards of this thread: how many live, and whether collection was on before the
/// first of them.
#[derive(Clone, Copy)]
struct Guards {
    live: usize,
    was_on: bool,
}

thread_local! {
    static GUARDS: Cell<Guards> = const { Cell::new(Guards { live: 0, was_on: true }) };
}

/// While alive, collection is off (see [`GcFrame::disable_gc`]); when the last guard of
/// the thread is dropped, collection is back in the state it had before the first.
///
/// Guards may be nested and dropped in any order: collection stays off while any guard
/// of the thread lives. Julia code may turn collection on (`GC.enable(true)`) while a
/// guard lives; it stays on until the next guard is made, and the last guard's drop
/// restores the state from before the first guard either way. Dropping a guard inside a
/// GC-safe region briefly leaves the region to change the state, as any entry into Julia
/// must; after shutdown it changes nothing.
///
/// The state is per thread, so the guard is bound to its thread (dropped elsewhere, it
/// would leave collection off for good):
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<jlrs_core::gc_control::GcDisabledGuard>();
/// ```
#[must_use = "collection is back on when the guard is dropped"]
#[derive(Debug)]
pub struct GcDisabledGuard {
    _not_send: PhantomData<*mut ()>,
}

static_assertions::assert_not_impl_any!(GcDisabledGuard: Send, Sync);

impl GcDisabledGuard {
    #[track_caller]
    fn new() -> Self {
        let was_on = enable_gc(false);
        GUARDS.with(|g| {
            let mut guards = g.get();
            if guards.live == 0 {
                guards.was_on = was_on;
            }
            guards.live += 1;
            g.set(guards);
        });
        GcDisabledGuard {
            _not_send: PhantomData,
        }
    }
}

impl Drop for GcDisabledGuard {
    fn drop(&mut self) {
        let restore = GUARDS
            .try_with(|g| {
                let mut guards = g.get();
                guards.live -= 1;
                g.set(guards);
                (guards.live == 0).then_some(guards.was_on)
            })
            .ok()
            .flatten();
        let Some(on) = restore else { return };
        if !crate::calls::callable::is_running() {
            return;
        }
        let on = i32::from(on);
        match thread_state::current() {
            // SAFETY: a GC-unsafe Julia thread.
            ThreadState::GcUnsafe => unsafe {
                crate::sys::jl_gc_enable(on);
            },
            ThreadState::GcSafe => {
                // SAFETY: a Julia thread (the guard was made on this one and is !Send);
                // it is GC-unsafe while the guard below lives, then GC-safe again.
                let _unsafe = unsafe { GcUnsafeGuard::enter() };
                // SAFETY: now a GC-unsafe Julia thread.
                unsafe { crate::sys::jl_gc_enable(on) };
            }
            // Not reachable: guards are made on Julia threads and stay there.
            ThreadState::Foreign => {}
        }
    }
}
