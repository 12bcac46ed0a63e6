//! The borrow ledger: one process-wide record of which arrays' data Rust borrows, so that
//! conflicting borrows are errors on every thread, and [`ArrayRef`] / [`ArrayMut`], the
//! borrows it hands out.
//!
//! Each borrow is recorded with the address range of the data it covers, so borrows of
//! two Julia arrays that share memory (a `reshape`, a `view` wrapped again, an array
//! whose start moved after `popfirst!`) conflict whenever their ranges overlap. A borrow
//! also keeps its array and the array's data owner alive (the root scanner marks them,
//! [`mark_borrowed`]): the memory a borrow reads stays allocated however long the borrow
//! lives, also when it is leaked with `mem::forget` (then the array leaks with it, and no
//! other array can ever reuse its address).
//!
//! The data pointer and length are read under the ledger's lock, and the finalizer of an
//! array that owns a Rust buffer detaches the array under the same lock ([`detach`]): a
//! borrow either sees the detached, empty array, or the finalizer sees the borrow and
//! frees the buffer only when the last overlapping borrow ends.
//!
//! The lock is held only for a scan of the live borrows and an insert or removal: no Julia
//! call, no allocation by Julia and no safepoint happens inside, so a thread that waits
//! for it (GC-unsafe or not, the collector's root scanner included) waits only for another
//! thread's few instructions, never for a collection.

use std::{
    marker::PhantomData,
    ops::{Deref, DerefMut},
};

// A plain lock, audited (see the module docs): its critical sections never reach a
// safepoint, so no thread stopped for a collection holds it.
#[allow(clippy::disallowed_types)]
use std::sync::{Mutex, MutexGuard};

use super::{ffi, ArrayError};
use crate::sys::jl_value_t;

/// One live borrow: the bytes it covers, whether it is exclusive, and the Julia objects
/// that keep those bytes alive.
struct Entry {
    id: u64,
    start: usize,
    end: usize,
    exclusive: bool,
    array: usize,
    owner: usize,
}

/// A Rust buffer whose array was finalized while a borrow still read it.
struct Deferred {
    start: usize,
    end: usize,
    free: Box<dyn FnOnce() + Send>,
}

struct Ledger {
    next_id: u64,
    entries: Vec<Entry>,
    deferred: Vec<Deferred>,
}

impl Ledger {
    fn overlaps(&self, start: usize, end: usize) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(move |e| e.start < end && start < e.end)
    }

    /// The entries a new one for `start..end` of data owned by `owner` conflicts with:
    /// those whose ranges overlap, and those of the same data owner, whose range may
    /// have moved since they were recorded (Julia may resize an array whose data it stores
    /// inline, which no borrow marks, by copying it elsewhere).
    fn conflicts(&self, start: usize, end: usize, owner: usize) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(move |e| (e.start < end && start < e.end) || e.owner == owner)
    }
}

#[allow(clippy::disallowed_types)]
static LEDGER: Mutex<Ledger> = Mutex::new(Ledger {
    next_id: 1,
    entries: Vec::new(),
    deferred: Vec::new(),
});

#[allow(clippy::disallowed_types)]
fn ledger() -> MutexGuard<'static, Ledger> {
    // Nothing inside the critical sections panics, so a poisoned lock is still consistent.
    LEDGER.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered borrow of an array's data (id 0: nothing registered, for empty data),
/// released when dropped. Bound to its thread: while it lives, this thread cannot call
/// Julia ([`crate::calls::callable`]).
pub(crate) struct Borrow {
    id: u64,
    _not_send: PhantomData<*mut ()>,
}

/// What [`Borrow::acquire`] read of the array under the lock.
pub(crate) struct Acquired {
    pub(crate) ptr: *mut std::ffi::c_void,
    pub(crate) len: usize,
    pub(crate) borrow: Borrow,
}

impl Borrow {
    /// Registers a borrow of `array`'s data, whose pointer and length are read under the
    /// ledger's lock. Empty data registers nothing (an empty slice aliases nothing).
    ///
    /// An array whose data Julia owns (a buffer it allocated, or another object's data,
    /// such as a `String`'s) is marked shared (`jlrs_array_set_shared`), so that Julia
    /// code on any thread that tries to resize it from now on throws "cannot resize array
    /// with shared data", or copies the data out first where another object owns it,
    /// instead of freeing or moving the memory under the borrow; a vector with a malloc'd
    /// buffer also loses its spare capacity, so that `sizehint!` cannot shrink it. The
    /// mark stays after the borrow: Julia code on another thread may have made an alias
    /// (`reshape`) meanwhile, which sets the same flag, and clearing it would let Julia
    /// free the alias's memory.
    ///
    /// # Safety
    /// `array` is a rooted array whose elements are plain bits, and this thread may call
    /// Julia.
    pub(crate) unsafe fn acquire(
        array: *mut jl_value_t,
        exclusive: bool,
    ) -> Result<Acquired, ArrayError> {
        let mut ledger = ledger();
        // SAFETY: the caller's contract; the shim reads fields and writes a flag, without
        // allocating or calling Julia.
        let (ptr, len, bytes, owner) = unsafe {
            let ptr = ffi::jlrs_array_data(array);
            let len = ffi::jlrs_array_len(array);
            let bytes = len.saturating_mul(ffi::jlrs_array_elsize(array));
            let owner = ffi::jlrs_array_owner(array);
            if bytes != 0 && ffi::jlrs_array_how(array) != 0 {
                ffi::jlrs_array_set_shared(array);
            }
            (ptr, len, bytes, owner)
        };
        if bytes == 0 || ptr.is_null() {
            return Ok(Acquired {
                ptr,
                len,
                borrow: Borrow {
                    id: 0,
                    _not_send: PhantomData,
                },
            });
        }
        let (start, end) = (ptr as usize, ptr as usize + bytes);
        for e in ledger.conflicts(start, end, owner as usize) {
            if e.exclusive {
                return Err(ArrayError::Borrowed("exclusively"));
            }
            if exclusive {
                return Err(ArrayError::Borrowed("shared"));
            }
        }
        let id = ledger.next_id;
        ledger.next_id += 1;
        ledger.entries.push(Entry {
            id,
            start,
            end,
            exclusive,
            array: array as usize,
            owner: owner as usize,
        });
        drop(ledger);
        crate::calls::callable::borrow_started();
        Ok(Acquired {
            ptr,
            len,
            borrow: Borrow {
                id,
                _not_send: PhantomData,
            },
        })
    }
}

impl Drop for Borrow {
    fn drop(&mut self) {
        if self.id == 0 {
            return;
        }
        let mut ledger = ledger();
        ledger.entries.retain(|e| e.id != self.id);
        let mut ready = Vec::new();
        let mut i = 0;
        while i < ledger.deferred.len() {
            let d = &ledger.deferred[i];
            if ledger.overlaps(d.start, d.end).next().is_none() {
                ready.push(ledger.deferred.swap_remove(i));
            } else {
                i += 1;
            }
        }
        drop(ledger);
        crate::calls::callable::borrow_ended();
        for d in ready {
            (d.free)();
        }
    }
}

/// Detaches `array` from the Rust buffer `start..end` it was made over
/// ([`ffi::jlrs_array_detach_owned`]) and then runs `free`, which frees the buffer: at once
/// if no borrow covers it, else when the last such borrow ends. If Julia made an alias of
/// the array (which may still point into the buffer, and which no Rust code can reach),
/// the buffer is never freed: `free` is leaked.
///
/// # Safety
/// `array` is a live array made over `start..end`, which it owns, and this thread does not
/// hold the ledger's lock.
pub(crate) unsafe fn detach(
    array: *mut jl_value_t,
    start: usize,
    end: usize,
    free: Box<dyn FnOnce() + Send>,
) {
    let mut ledger = ledger();
    // SAFETY: the caller's contract; detaching writes the array's fields without
    // allocating or calling Julia.
    let detached = unsafe { ffi::jlrs_array_detach_owned(array, start, end) };
    if detached == 2 {
        drop(ledger);
        std::mem::forget(free);
        return;
    }
    if ledger.overlaps(start, end).next().is_some() {
        ledger.deferred.push(Deferred { start, end, free });
        return;
    }
    drop(ledger);
    free();
}

/// Marks every borrowed array and the owner of its data, so that the memory of a live
/// borrow is never freed; called by the root scanner while the world is stopped.
pub(crate) fn mark_borrowed(mark: impl Fn(*mut jl_value_t)) {
    let ledger = ledger();
    for e in &ledger.entries {
        mark(e.array as *mut jl_value_t);
        mark(e.owner as *mut jl_value_t);
    }
}

/// A shared borrow of an array's data, in column-major order; derefs to `&[T::Stored]`
/// (`&[T]` for every element type but `bool` and `char`).
///
/// While it lives, no [`ArrayMut`] of overlapping data can be taken on any thread, and
/// this thread cannot call Julia (every call returns [`ArrayError::BorrowHeld`]).
///
/// [`T::Stored`]: super::ArrayElement::Stored
pub struct ArrayRef<'a, T: super::ArrayElement> {
    data: &'a [T::Stored],
    /// Held for its drop, which releases the ledger entry (taken apart only for views).
    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    borrow: Borrow,
}

/// An exclusive borrow of an array's data, in column-major order; derefs to
/// `&mut [T::Stored]` (`&mut [T]` for every element type but `bool` and `char`).
///
/// While it lives, no other borrow of overlapping data can be taken on any thread, and
/// this thread cannot call Julia (every call returns [`ArrayError::BorrowHeld`]).
pub struct ArrayMut<'a, T: super::ArrayElement> {
    data: &'a mut [T::Stored],
    /// Held for its drop, which releases the ledger entry (taken apart only for views).
    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    borrow: Borrow,
}

static_assertions::assert_not_impl_any!(ArrayRef<'static, f64>: Send, Sync);
static_assertions::assert_not_impl_any!(ArrayMut<'static, f64>: Send, Sync);

impl<'a, T: super::ArrayElement> ArrayRef<'a, T> {
    /// # Safety
    /// `data` stays valid and unwritten by Rust for `'a` while `borrow` is held.
    pub(crate) unsafe fn new(data: &'a [T::Stored], borrow: Borrow) -> Self {
        ArrayRef { data, borrow }
    }

    /// The slice and the borrow that keeps it valid.
    #[cfg(feature = "ndarray")]
    pub(crate) fn into_parts(self) -> (&'a [T::Stored], Borrow) {
        (self.data, self.borrow)
    }
}

impl<'a, T: super::ArrayElement> ArrayMut<'a, T> {
    /// # Safety
    /// `data` stays valid and unaliased by Rust for `'a` while `borrow` is held.
    pub(crate) unsafe fn new(data: &'a mut [T::Stored], borrow: Borrow) -> Self {
        ArrayMut { data, borrow }
    }

    /// The slice and the borrow that keeps it valid.
    #[cfg(feature = "ndarray")]
    pub(crate) fn into_parts(self) -> (&'a mut [T::Stored], Borrow) {
        (self.data, self.borrow)
    }
}

impl<T: super::ArrayElement> Deref for ArrayRef<'_, T> {
    type Target = [T::Stored];

    fn deref(&self) -> &[T::Stored] {
        self.data
    }
}

impl<T: super::ArrayElement> Deref for ArrayMut<'_, T> {
    type Target = [T::Stored];

    fn deref(&self) -> &[T::Stored] {
        self.data
    }
}

impl<T: super::ArrayElement> DerefMut for ArrayMut<'_, T> {
    fn deref_mut(&mut self) -> &mut [T::Stored] {
        self.data
    }
}

impl<T: super::ArrayElement> std::fmt::Debug for ArrayRef<'_, T>
where
    T::Stored: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ArrayRef").field(&self.data).finish()
    }
}

impl<T: super::ArrayElement> std::fmt::Debug for ArrayMut<'_, T>
where
    T::Stored: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ArrayMut").field(&self.data).finish()
    }
}
