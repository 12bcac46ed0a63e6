//! Rust buffers that Julia arrays own: the `Vec`s given away by
//! [`GcFrame::array_from_vec`](crate::GcFrame::array_from_vec), dropped exactly once, by
//! the array's pointer finalizer.
//!
//! Julia 1.5.3 runs pointer finalizers and Julia finalizers of one collection in one batch
//! after the collection, the later-registered first, on the collecting thread; `finalize(a)`
//! runs `a`'s at once from Julia code, on the calling thread; `jl_atexit_hook` runs all
//! that remain. So the finalizer cannot assume the array is unreachable: another object's
//! finalizer in the same batch, or the code that called `finalize`, may still read it.
//! The finalizer therefore first detaches the array under the borrow ledger's lock (every
//! dimension 0, the data pointer at static memory: see `ledger::detach`), and drops the
//! `Vec` only when no Rust borrow covers it (else the last such borrow drops it), and never
//! if Julia made an alias of the array (`reshape` marks its source shared; the array is
//! made unshared, so the mark means an alias, which may outlive the array's finalizer). It does
//! no Julia call, never panics out (it catches), and its locks are held for a lookup and
//! an insert or removal, never across a safepoint, so no stopped thread can hold them.
//!
//! Julia's collector counts only the memory it allocates, so buffers given away would
//! never make a collection come sooner, and dropped arrays would keep their `Vec`s alive
//! until Julia's own allocations happened to trigger one. [`pressure`] counts the bytes
//! given away instead: after [`COLLECT_AFTER`] bytes since the last collection the caller
//! runs one (Julia decides whether it is full), and after four times as many since the
//! last full one, a full one (an array that lived through a collection is only freed by a
//! full one).

use std::{collections::BTreeMap, ffi::c_void};

// A plain lock, audited (see the module docs): its critical sections never reach a
// safepoint, so no thread stopped for a collection holds it.
#[allow(clippy::disallowed_types)]
use std::sync::{Mutex, MutexGuard};

/// A buffer to free: the parts of a `Vec` and the function that rebuilds and drops it.
struct Owned {
    ptr: usize,
    len: usize,
    cap: usize,
    /// The bytes the array's elements cover.
    bytes: usize,
    drop: unsafe fn(usize, usize, usize),
}

/// Per array object address: the buffer it owns.
#[allow(clippy::disallowed_types)]
static OWNED: Mutex<BTreeMap<usize, Owned>> = Mutex::new(BTreeMap::new());

#[allow(clippy::disallowed_types)]
fn owned() -> MutexGuard<'static, BTreeMap<usize, Owned>> {
    // Nothing inside the critical sections panics, so a poisoned lock is still consistent.
    OWNED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Rebuilds a `Vec<S>` from its parts and drops it.
///
/// # Safety
/// The parts come from a `Vec<S>` given up with `into_raw_parts`-style decomposition and
/// not used since.
unsafe fn drop_vec<S>(ptr: usize, len: usize, cap: usize) {
    // SAFETY: the caller's contract.
    drop(unsafe { Vec::from_raw_parts(ptr as *mut S, len, cap) });
}

/// Records that the array at `array` owns `vec`'s buffer; the finalizer frees it.
///
/// # Safety
/// `array` is a live Julia array over `vec`'s buffer with [`finalize`] registered as its
/// finalizer, and nothing else frees the buffer.
pub(crate) unsafe fn give<S: Send + 'static>(array: *mut c_void, vec: Vec<S>) {
    let mut vec = std::mem::ManuallyDrop::new(vec);
    let entry = Owned {
        ptr: vec.as_mut_ptr() as usize,
        len: vec.len(),
        cap: vec.capacity(),
        bytes: vec.len() * std::mem::size_of::<S>(),
        drop: drop_vec::<S>,
    };
    owned().insert(array as usize, entry);
}

/// After this many bytes of buffers given to Julia since the last collection, the next
/// `array_from_vec` runs one.
pub(crate) const COLLECT_AFTER: usize = 256 << 20;

/// The collection that [`pressure`] asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Collect {
    /// None yet.
    No,
    /// One whose kind Julia decides.
    Auto,
    /// A full one.
    Full,
}

/// Bytes given away since the last collection and since the last full one, and the
/// collection counts (see [`gc::collections`](crate::runtime::gc::collections)) they were counted
/// from.
struct Given {
    seen: (usize, usize),
    since_any: usize,
    since_full: usize,
}

#[allow(clippy::disallowed_types)]
static GIVEN: Mutex<Given> = Mutex::new(Given {
    seen: (0, 0),
    since_any: 0,
    since_full: 0,
});

/// Counts `bytes` just given to Julia; says which collection, if any, should run now.
pub(crate) fn pressure(bytes: usize) -> Collect {
    let (any, full) = crate::runtime::gc::collections();
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    if given.seen.0 != any {
        given.since_any = 0;
    }
    if given.seen.1 != full {
        given.since_full = 0;
    }
    given.seen = (any, full);
    given.since_any += bytes;
    given.since_full += bytes;
    if given.since_full >= 4 * COLLECT_AFTER {
        Collect::Full
    } else if given.since_any >= COLLECT_AFTER {
        Collect::Auto
    } else {
        Collect::No
    }
}

/// How many buffers Julia arrays own now (for tests and statistics).
pub fn owned_buffers() -> usize {
    owned().len()
}

/// The pointer finalizer of arrays made by `array_from_vec`: detaches the array from the
/// `Vec`'s buffer, then drops the `Vec` (at once, or when the last Rust borrow of it ends).
pub(crate) unsafe extern "C" fn finalize(array: *mut c_void) {
    // Catch everything: a panic must not unwind into Julia's collector. Should one happen,
    // the buffer leaks.
    let _ = std::panic::catch_unwind(|| {
        let entry = owned().remove(&(array as usize));
        if let Some(o) = entry {
            let free = Box::new(move || {
                // SAFETY: the entry was made by `give` from a `Vec` of this type; it was
                // removed from the table, so it is dropped once; the array no longer
                // points at it and no Rust borrow covers it (`ledger::detach`).
                unsafe { (o.drop)(o.ptr, o.len, o.cap) }
            });
            // SAFETY: the array is alive (its finalizer is running) and was made over the
            // buffer, which nothing else frees; aliases are seen by `detach`.
            unsafe { super::ledger::detach(array.cast(), o.ptr, o.ptr + o.bytes, free) };
        }
    });
}
