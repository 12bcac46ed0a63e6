//! [`Julia`]: the proof that the current thread may call Julia, and its entry points.

use std::{cell::Cell, marker::PhantomData};

use crate::{gc::GcSafeGuard, sys, GcFrame, RootStack};

thread_local! {
    /// Whether this thread holds a [`Julia`] context.
    static IN_JULIA: Cell<bool> = const { Cell::new(false) };
}

/// Access to Julia on the current thread: the thread that initialised Julia, or a Julia
/// thread running a hosted loop.
///
/// A `Julia` is `!Send`; it exists only while the thread is GC-unsafe and may call Julia.
/// Values are rooted in frames made by [`Julia::scope`].
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<jlrs_core::Julia>();
/// ```
pub struct Julia {
    stack: RootStack,
    _not_send: PhantomData<*mut ()>,
}

static_assertions::assert_not_impl_any!(Julia: Send, Sync);

impl Julia {
    /// # Safety
    /// The current thread is a GC-unsafe Julia thread with no other context.
    pub(crate) unsafe fn new() -> Self {
        IN_JULIA.with(|c| c.set(true));
        Julia {
            stack: RootStack::new(),
            _not_send: PhantomData,
        }
    }

    /// Runs `f` with a frame; the values it roots are unrooted when `f` returns.
    pub fn scope<T>(&mut self, f: impl for<'s> FnOnce(GcFrame<'s>) -> T) -> T {
        self.stack.frame().scope(f)
    }

    /// A new root stack for a future that runs on this thread and holds values across
    /// `.await` points.
    pub fn new_root_stack(&self) -> RootStack {
        RootStack::new()
    }

    /// Runs `f` in a GC-safe region, so that collections on other threads need not wait
    /// for it. Use it to block or for long pure-Rust work.
    ///
    /// `f` must be `Send`, which keeps frames and values (all `!Send`) out of it: Julia
    /// must not be touched while GC-safe.
    pub fn gc_safe<T>(&mut self, f: impl FnOnce() -> T + Send) -> T {
        // SAFETY: a context proves this is a Julia thread; `f` cannot reach Julia values
        // or frames because they are `!Send`. The guard restores the state on panic.
        let _guard = unsafe { GcSafeGuard::enter() };
        f()
    }

    /// The 1-based id of the Julia thread this context is on.
    pub fn thread_id(&self) -> usize {
        // SAFETY: this is a Julia thread.
        unsafe { sys::jlrs_core_thread_id() as usize }
    }

    /// The number of threads Julia started.
    pub fn n_threads(&self) -> usize {
        n_threads()
    }

    /// Forces a collection (`full` for a full one).
    pub fn collect_garbage(&mut self, full: bool) {
        crate::gc::collect(full);
    }
}

impl Drop for Julia {
    fn drop(&mut self) {
        IN_JULIA.with(|c| c.set(false));
    }
}

/// The number of threads Julia started, or 0 before initialisation.
pub(crate) fn n_threads() -> usize {
    // SAFETY: reads an exported integer, which is 0 before initialisation.
    unsafe { sys::jlrs_core_n_threads() as usize }
}

/// Runs `f`, which blocks or runs long, in a GC-safe region if the current thread holds a
/// GC-unsafe [`Julia`] context, and plainly otherwise.
///
/// Every blocking wait in the layers above goes through this function, so a Julia thread
/// that waits never stalls a collection. `f` must be `Send`, which keeps Julia values out.
pub fn blocking<T>(f: impl FnOnce() -> T + Send) -> T {
    if IN_JULIA.with(Cell::get) {
        // SAFETY: the thread holds a context, so it is a Julia thread; `f` cannot reach
        // Julia values because they are `!Send`. Entering GC-safe when already GC-safe
        // is harmless and restored on drop.
        let _guard = unsafe { GcSafeGuard::enter() };
        f()
    } else {
        f()
    }
}

/// Whether the current thread holds a [`Julia`] context.
pub fn in_julia() -> bool {
    IN_JULIA.with(Cell::get)
}
