//! The borrow ledger: one process-wide record of which arrays' data Rust borrows, so that
//! conflicting borrows are errors on every thread, and [`ArrayRef`] / [`ArrayMut`], the
//! borrows it hands out.
//!
//! The ledger is keyed by the data pointer, so two `Array` handles to the same Julia
//! object (or two Julia arrays sharing one buffer, such as a `reshape`) conflict. Its lock
//! is held only for a lookup and an insert or removal: no Julia call, no allocation by
//! Julia and no safepoint happens inside, so a thread that waits for it (GC-unsafe or not)
//! waits only for another thread's few instructions, never for a collection.

use std::{
    collections::BTreeMap,
    marker::PhantomData,
    ops::{Deref, DerefMut},
};

// A plain lock, audited (see the module docs): its critical sections never reach a
// safepoint, so no thread stopped for a collection holds it.
#[allow(clippy::disallowed_types)]
use std::sync::{Mutex, MutexGuard};

use super::ArrayError;

/// Per data pointer: `n > 0` shared borrows, or `-1` for one exclusive borrow.
#[allow(clippy::disallowed_types)]
static LEDGER: Mutex<BTreeMap<usize, isize>> = Mutex::new(BTreeMap::new());

#[allow(clippy::disallowed_types)]
fn ledger() -> MutexGuard<'static, BTreeMap<usize, isize>> {
    // Nothing inside the critical sections panics, so a poisoned lock is still consistent.
    LEDGER.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered borrow of the data at `key` (0: nothing registered, for empty arrays),
/// released when dropped.
pub(crate) struct Borrow {
    key: usize,
    exclusive: bool,
}

impl Borrow {
    /// Registers a borrow of the data at `key`; `key == 0` registers nothing (an empty
    /// slice aliases nothing).
    pub(crate) fn acquire(key: usize, exclusive: bool) -> Result<Borrow, ArrayError> {
        if key != 0 {
            let mut ledger = ledger();
            let state = ledger.entry(key).or_insert(0);
            match (*state, exclusive) {
                (0, true) => *state = -1,
                (n, false) if n >= 0 => *state = n + 1,
                (-1, _) => return Err(ArrayError::Borrowed("exclusively")),
                (_, true) => return Err(ArrayError::Borrowed("shared")),
                (_, false) => unreachable!("states are -1 or non-negative"),
            }
        }
        Ok(Borrow { key, exclusive })
    }
}

impl Drop for Borrow {
    fn drop(&mut self) {
        if self.key == 0 {
            return;
        }
        let mut ledger = ledger();
        if let Some(state) = ledger.get_mut(&self.key) {
            if self.exclusive || *state <= 1 {
                ledger.remove(&self.key);
            } else {
                *state -= 1;
            }
        }
    }
}

/// A shared borrow of an array's data, in column-major order; derefs to `&[T::Stored]`
/// (`&[T]` for every element type but `char`).
///
/// While it lives, no [`ArrayMut`] of the same data can be taken on any thread.
///
/// [`T::Stored`]: super::ArrayElement::Stored
pub struct ArrayRef<'a, T: super::ArrayElement> {
    data: &'a [T::Stored],
    /// Held for its drop, which releases the ledger entry (taken apart only for views).
    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    borrow: Borrow,
    _not_send: PhantomData<*mut ()>,
}

/// An exclusive borrow of an array's data, in column-major order; derefs to
/// `&mut [T::Stored]` (`&mut [T]` for every element type but `char`).
///
/// While it lives, no other borrow of the same data can be taken on any thread.
pub struct ArrayMut<'a, T: super::ArrayElement> {
    data: &'a mut [T::Stored],
    /// Held for its drop, which releases the ledger entry (taken apart only for views).
    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    borrow: Borrow,
    _not_send: PhantomData<*mut ()>,
}

impl<'a, T: super::ArrayElement> ArrayRef<'a, T> {
    /// # Safety
    /// `data` stays valid and unwritten for `'a` while `borrow` is held.
    pub(crate) unsafe fn new(data: &'a [T::Stored], borrow: Borrow) -> Self {
        ArrayRef {
            data,
            borrow,
            _not_send: PhantomData,
        }
    }
}

impl<'a, T: super::ArrayElement> ArrayRef<'a, T> {
    /// The slice and the borrow that keeps it valid.
    #[cfg(feature = "ndarray")]
    pub(crate) fn into_parts(self) -> (&'a [T::Stored], Borrow) {
        (self.data, self.borrow)
    }
}

impl<'a, T: super::ArrayElement> ArrayMut<'a, T> {
    /// The slice and the borrow that keeps it valid.
    #[cfg(feature = "ndarray")]
    pub(crate) fn into_parts(self) -> (&'a mut [T::Stored], Borrow) {
        (self.data, self.borrow)
    }
}

impl<'a, T: super::ArrayElement> ArrayMut<'a, T> {
    /// # Safety
    /// `data` stays valid and unaliased for `'a` while `borrow` is held.
    pub(crate) unsafe fn new(data: &'a mut [T::Stored], borrow: Borrow) -> Self {
        ArrayMut {
            data,
            borrow,
            _not_send: PhantomData,
        }
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

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn borrows_conflict_by_key() {
        let key = 0x1000;
        let a = Borrow::acquire(key, false).unwrap();
        let b = Borrow::acquire(key, false).unwrap();
        assert_eq!(
            Borrow::acquire(key, true).err(),
            Some(ArrayError::Borrowed("shared"))
        );
        drop(a);
        assert!(Borrow::acquire(key, true).is_err());
        drop(b);
        let c = Borrow::acquire(key, true).unwrap();
        assert_eq!(
            Borrow::acquire(key, false).err(),
            Some(ArrayError::Borrowed("exclusively"))
        );
        assert!(Borrow::acquire(key, true).is_err());
        assert!(Borrow::acquire(key + 8, true).is_ok());
        drop(c);
        assert!(Borrow::acquire(key, true).is_ok());
        // Empty data aliases nothing.
        let _d = Borrow::acquire(0, true).unwrap();
        assert!(Borrow::acquire(0, true).is_ok());
    }
}
