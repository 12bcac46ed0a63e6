//! Root stacks: growable lists of rooted values that Julia's GC scans.
//!
//! Every [`RootStack`] is registered in one process-wide table. A root-scanner callback,
//! installed at initialisation, marks every value of every registered stack whenever the
//! GC runs. Unlike Julia's own GC frames, these stacks need not be pushed and popped in
//! order, so one can live inside a future across `.await` points.
//!
//! Soundness rests on one rule: a stack is only changed by a thread that is in a
//! GC-unsafe state and does not reach a safepoint while changing it. The GC runs only when
//! every thread is at a safepoint or GC-safe, so it never sees a stack mid-change.

use std::{cell::UnsafeCell, collections::HashSet, marker::PhantomData};

// A plain lock, audited: see `REGISTRY` (jlrs-core's other plain locks are the array
// ledger's and the table of Rust buffers Julia owns, for the same reason).
#[allow(clippy::disallowed_types)]
use std::sync::{Mutex, MutexGuard};

use crate::sys;

/// The values of one stack.
pub(crate) struct Slots(UnsafeCell<Vec<*mut sys::jl_value_t>>);

/// Addresses of the registered [`Slots`].
///
/// A plain lock, not a [`GcSafeMutex`](crate::waiting::sync::GcSafeMutex): Julia's collector takes
/// it (in [`mark_registered`], with the world stopped), so its holders must never reach a
/// safepoint while holding it, and a `GcSafeMutex` leaves its GC-safe wait, a safepoint,
/// holding the lock. Every critical section below is a few vector or set operations with
/// no Julia call, no allocation by Julia and no wait, so a GC-unsafe thread waits here only
/// for such a section of another thread, never for a collection.
#[allow(clippy::disallowed_types)]
static REGISTRY: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

#[allow(clippy::disallowed_types)]
fn registry() -> MutexGuard<'static, Option<HashSet<usize>>> {
    // A panic while the lock is held cannot leave the set half-updated.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Marks every value of every registered stack.
///
/// # Safety
///
/// Only Julia's collector calls this (through the root scanner that
/// [`Runtime::init`](crate::Runtime::init) installs), with the world stopped.
pub(crate) unsafe fn mark_registered() {
    let reg = registry();
    if let Some(set) = reg.as_ref() {
        for &addr in set {
            let slots = addr as *const Slots;
            // SAFETY: registered addresses point to live `Slots` (a stack deregisters
            // before freeing them, under this lock), and the world is stopped, so no
            // thread is changing the vector.
            let values = unsafe { &*(*slots).0.get() };
            for &v in values {
                // SAFETY: every slot holds a valid Julia value.
                unsafe { sys::jlrs_core_mark(v) };
            }
        }
    }
}

/// A list of rooted Julia values owned by one thread or one future.
///
/// Values rooted in a stack stay alive until the stack is dropped, or until the scope that
/// rooted them ends (see [`GcFrame::scope`](crate::GcFrame::scope)). A stack is `!Send`.
/// It is created from a [`Julia`](crate::Julia) context and used through
/// [`RootStack::frame`].
pub struct RootStack {
    slots: Option<Box<Slots>>,
    _not_send: PhantomData<*mut ()>,
}

static_assertions::assert_not_impl_any!(RootStack: Send, Sync);

impl std::fmt::Debug for RootStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootStack")
            .field("len", &self.len())
            .finish()
    }
}

/// Registered, empty stacks kept for reuse by this thread, so that a task's stack costs
/// no allocation and no change to the registry. Deregistered when the thread ends.
#[allow(clippy::vec_box)] // The boxes' addresses are registered: they must not move.
struct Spare(Vec<Box<Slots>>);

/// How many empty stacks a thread keeps.
const SPARE: usize = 32;

impl Drop for Spare {
    fn drop(&mut self) {
        let mut reg = registry();
        if let Some(set) = reg.as_mut() {
            for slots in &self.0 {
                set.remove(&(&**slots as *const Slots as usize));
            }
        }
    }
}

thread_local! {
    static SPARES: std::cell::RefCell<Spare> = const { std::cell::RefCell::new(Spare(Vec::new())) };
}

impl RootStack {
    /// Creates (or reuses) a registered, empty stack.
    pub(crate) fn new() -> Self {
        let spare = SPARES.try_with(|s| s.borrow_mut().0.pop()).ok().flatten();
        let slots = spare.unwrap_or_else(|| {
            let slots = Box::new(Slots(UnsafeCell::new(Vec::with_capacity(16))));
            registry()
                .get_or_insert_with(HashSet::new)
                .insert(&*slots as *const Slots as usize);
            slots
        });
        RootStack {
            slots: Some(slots),
            _not_send: PhantomData,
        }
    }

    pub(crate) fn slots(&self) -> &Slots {
        self.slots.as_deref().expect("present until drop")
    }

    /// The number of values rooted in the stack.
    pub fn len(&self) -> usize {
        self.slots().len()
    }

    /// Whether the stack roots no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for RootStack {
    fn drop(&mut self) {
        let Some(slots) = self.slots.take() else {
            return;
        };
        {
            // Emptied under the registry's lock: a stack may be dropped while its thread is
            // GC-safe, and the scanner reads stacks under the same lock.
            let _reg = registry();
            // SAFETY: the lock excludes the scanner; no value rooted here is used again
            // (values cannot outlive the stack's borrow).
            unsafe { slots.truncate(0) };
        }
        let mut slots = Some(slots);
        let _ = SPARES.try_with(|s| {
            let mut s = s.borrow_mut();
            if s.0.len() < SPARE {
                s.0.extend(slots.take());
            }
        });
        if let Some(slots) = slots {
            // Not kept (the thread's cache is full or gone): it leaves the registry before
            // it is freed.
            if let Some(set) = registry().as_mut() {
                set.remove(&(&*slots as *const Slots as usize));
            }
        }
    }
}

impl Slots {
    pub(crate) fn len(&self) -> usize {
        // SAFETY: only the owning thread touches the vector outside a collection.
        unsafe { (*self.0.get()).len() }
    }

    /// Roots `v`.
    ///
    /// # Safety
    /// `v` is a valid Julia value and the calling thread is GC-unsafe.
    pub(crate) unsafe fn push(&self, v: *mut sys::jl_value_t) {
        // SAFETY: only the owning thread changes the vector, and no collection runs
        // while a GC-unsafe thread is between safepoints (the caller's contract).
        unsafe { (*self.0.get()).push(v) }
    }

    /// Replaces the value in slot `index`, which exists.
    ///
    /// # Safety
    /// As for [`Slots::push`]; no live value depends on the replaced root.
    pub(crate) unsafe fn set(&self, index: usize, v: *mut sys::jl_value_t) {
        // SAFETY: as for `push`.
        unsafe { (&mut *self.0.get())[index] = v }
    }

    /// Unroots everything above `len`.
    ///
    /// # Safety
    /// As for [`Slots::push`]; no live value depends on the removed roots.
    pub(crate) unsafe fn truncate(&self, len: usize) {
        // SAFETY: as for `push`.
        unsafe { (*self.0.get()).truncate(len) }
    }
}
