//! [`Julia`]: the proof that the current thread may call Julia, and its entry points.

use std::{cell::Cell, marker::PhantomData};

use crate::{
    rooting::frame::GcFrame,
    rooting::roots::RootStack,
    runtime::gc::GcSafeGuard,
    runtime::thread_state::{self, ThreadState},
    sys,
};

thread_local! {
    /// How many [`Julia`] contexts this thread holds (nested ones included).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
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

impl std::fmt::Debug for Julia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Julia")
            .field("thread_id", &self.thread_id())
            .finish_non_exhaustive()
    }
}

impl Julia {
    /// # Safety
    /// The current thread is a GC-unsafe Julia thread.
    pub(crate) unsafe fn new() -> Self {
        DEPTH.with(|d| d.set(d.get() + 1));
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

    /// The number of threads Julia started, the initialising thread included.
    pub fn n_julia_threads(&self) -> usize {
        n_threads()
    }

    /// The old name of [`Julia::n_julia_threads`].
    #[doc(hidden)]
    pub fn n_threads(&self) -> usize {
        self.n_julia_threads()
    }

    /// Forces a collection (`full` for a full one).
    pub fn collect_garbage(&mut self, full: bool) {
        crate::runtime::gc::collect(full);
    }
}

impl Drop for Julia {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
    }
}

/// The number of threads Julia started, or 0 before initialisation.
pub(crate) fn n_threads() -> usize {
    // SAFETY: reads an exported integer, which is 0 before initialisation.
    unsafe { sys::jlrs_core_n_threads() as usize }
}

/// Runs `f`, which blocks or runs long, in a GC-safe region if the current thread is a
/// GC-unsafe Julia thread, and plainly otherwise.
///
/// Every blocking wait in the layers above goes through this function (or through the
/// locks of [`sync`](crate::waiting::sync)), so a Julia thread that waits never stalls a
/// collection, whether or not it holds a [`Julia`] context: the thread's own state
/// decides, so this is also right in a hosted loop's `panicked` hook, in a drop that runs
/// after the loop's context is gone, and in Rust code called from a Julia task. `f` must
/// be `Send`, which keeps Julia values out.
pub fn blocking<T>(f: impl FnOnce() -> T + Send) -> T {
    wait_gc_safely(f)
}

/// [`blocking`] without the `Send` bound, for this crate's waits that provably touch no
/// Julia value (such as waiting for a lock whose guard is returned).
pub(crate) fn wait_gc_safely<T>(f: impl FnOnce() -> T) -> T {
    if thread_state::current() == ThreadState::GcUnsafe {
        // SAFETY: the thread is a GC-unsafe Julia thread; `f` only waits or runs Rust code
        // that touches no Julia value (the callers' contract). The guard restores the
        // state when `f` returns or panics.
        let _guard = unsafe { GcSafeGuard::enter() };
        f()
    } else {
        f()
    }
}

/// Whether the current thread holds a [`Julia`] context.
pub fn in_julia() -> bool {
    DEPTH.with(Cell::get) > 0
}

/// Runs `f` with a fresh context if the current thread already holds one further up its
/// stack (it is the runtime thread or runs a hosted loop), even inside a GC-safe region.
/// Returns `None` on any other thread.
///
/// This lets code that was handed no context, such as a callback, call Julia directly
/// instead of sending work to another thread and waiting for it.
pub fn reenter<T>(f: impl FnOnce(&mut Julia) -> T) -> Option<T> {
    if !in_julia() {
        return None;
    }
    // SAFETY: the thread holds a context, so it is a Julia thread. Leaving a GC-safe
    // region here is sound: code inside `gc_safe` cannot hold Julia values (they are
    // `!Send`), and the guard restores the region when `f` returns or panics.
    let _unsafe_region = unsafe { crate::runtime::gc::GcUnsafeGuard::enter() };
    // SAFETY: the thread is GC-unsafe; the nested context has a stack of its own.
    let mut julia = unsafe { Julia::new() };
    Some(f(&mut julia))
}

/// A new root stack, if the current thread holds a [`Julia`] context and is GC-unsafe
/// (it may call Julia now); `None` otherwise.
///
/// This is how a future polled by a runtime on a Julia thread roots its values: the
/// runtimes poll tasks only while GC-unsafe.
pub fn root_stack() -> Option<RootStack> {
    // SAFETY: `is_gc_safe` is only asked on a thread that holds a context, a Julia thread.
    if in_julia() && !unsafe { crate::runtime::gc::is_gc_safe() } {
        Some(RootStack::new())
    } else {
        None
    }
}

/// The number of CPUs the machine shows (`sysconf(_SC_NPROCESSORS_ONLN)`), at least 1.
///
/// Julia 1.5 on its own caps its thread count at this number; a runtime started by this
/// crate is not capped (see [`InitOptions::n_julia_threads`](crate::InitOptions)), so
/// more threads than CPUs share the CPUs. This is the machine's true count, also while
/// Julia starts.
pub fn cpu_limit() -> usize {
    // SAFETY: the C library's sysconf, reached past this crate's own definition; it needs
    // no Julia.
    let n = unsafe { sys::jlrs_core_cpu_limit() };
    usize::try_from(n).unwrap_or(1).max(1)
}

/// How many times Julia's start-up was shown more CPUs than the machine has, so that it
/// started the threads asked for (0 or 1 in a process). For tests of the start-up.
#[doc(hidden)]
pub fn raised_cpu_answers() -> usize {
    // SAFETY: reads an atomic counter of the C shim; it needs no Julia.
    let n = unsafe { sys::jlrs_core_cpus_raised_answers() };
    usize::try_from(n).unwrap_or(0)
}
