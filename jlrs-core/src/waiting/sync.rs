//! Locks whose waiters never stall Julia's garbage collector: [`GcSafeMutex`] and
//! [`GcSafeRwLock`].
//!
//! A Julia thread that waits for a lock while GC-unsafe stalls every collection: the
//! collector waits for all threads to reach a safepoint, and a thread blocked in a lock
//! never does. If the lock's holder then allocates (or runs any Julia code), it waits for
//! the collection, which waits for the blocked thread, which waits for the holder: every
//! thread hangs.
//!
//! The locks here wait inside a GC-safe region whenever the waiting thread is a GC-unsafe
//! Julia thread, so holding one while calling Julia is fine. A lock that is free is taken
//! without any GC transition; on threads that are not Julia threads they are plain locks.
//! Neither lock is poisoned by a panic: the next holder sees the data as the panicking
//! holder left it.
//!
//! On a hosted thread (a pool worker, a `with` server) a waiter waits inside Julia's
//! scheduler instead ([`block_on`](crate::hosting::idle::block_on)), so the Julia tasks queued for
//! that thread still run meanwhile: the holder may be waiting for one of them (a
//! `Threads.@threads` chunk of the holder's own call, say), and waiting in Rust there
//! would deadlock. Every release of a lock notifies such waiters. A Julia task that runs
//! on the waiting thread meanwhile must not need a lock that the waiting code holds: it
//! runs on top of that code, which cannot go on until it returns.
//!
//! The crates above `jlrs-core` use these instead of `std::sync::{Mutex, RwLock}` (clippy's
//! `disallowed-types`, configured in the workspace's `clippy.toml`, enforces it). Wait for
//! conditions with `event-listener` or a channel, inside [`blocking`](crate::blocking).
//!
//! One kind of lock cannot be one of these: a lock that Julia's collector itself takes
//! (the root registry of [`RootStack`](crate::RootStack)). A thread that takes a lock here
//! after waiting GC-safely leaves the GC-safe region holding it, which is a safepoint: it
//! may wait there for a collection, and a collector that needs the same lock would wait
//! for it forever.
//!
//! ```
//! use std::sync::Arc;
//! use jlrs_core::sync::GcSafeMutex;
//!
//! let counter = Arc::new(GcSafeMutex::new(0));
//! let threads: Vec<_> = (0..4)
//!     .map(|_| {
//!         let counter = counter.clone();
//!         std::thread::spawn(move || *counter.lock() += 1)
//!     })
//!     .collect();
//! threads.into_iter().for_each(|t| t.join().unwrap());
//! assert_eq!(*counter.lock(), 4);
//! ```

// This module is where the std locks are wrapped; everything else uses the wrappers.
#![allow(clippy::disallowed_types)]

use std::{
    fmt,
    mem::ManuallyDrop,
    ops::{Deref, DerefMut},
    sync::{
        LockResult, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError,
        TryLockResult,
    },
};

use event_listener::Event;

use crate::{hosting::idle, runtime::julia::wait_gc_safely};

/// The guard of a std lock's `try_` method: `None` if another thread holds the lock; a
/// poisoned lock is taken as it is.
fn try_acquire<G>(attempt: TryLockResult<G>) -> Option<G> {
    match attempt {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(e)) => Some(e.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// The guard of a std lock: `attempt`'s (its `try_` method's) if it got the lock, else
/// `wait`'s, which waits for the lock GC-safely (on a GC-unsafe Julia thread, see the
/// [module docs](self)). A poisoned lock is taken as it is.
fn acquire<G>(
    released: &Event,
    attempt: impl Fn() -> TryLockResult<G>,
    wait: impl FnOnce() -> LockResult<G>,
) -> G {
    if let Some(guard) = try_acquire(attempt()) {
        return guard;
    }
    if idle::on_hosted_thread() {
        return acquire_hosted(released, attempt);
    }
    wait_gc_safely(|| wait().unwrap_or_else(|e| e.into_inner()))
}

/// Waits for a lock on a hosted thread, inside Julia's scheduler: listen, try again, wait
/// for a release; every guard's drop notifies `released` after it has released the lock,
/// so a release after the second try wakes the listener.
#[cold]
fn acquire_hosted<G>(released: &Event, attempt: impl Fn() -> TryLockResult<G>) -> G {
    loop {
        let listener = released.listen();
        if let Some(guard) = try_acquire(attempt()) {
            return guard;
        }
        idle::block_on(listener);
        if let Some(guard) = try_acquire(attempt()) {
            return guard;
        }
    }
}

/// A mutual-exclusion lock whose waiters are GC-safe. See the [module docs](self).
///
/// Unlike `std::sync::Mutex` it is not poisoned: [`GcSafeMutex::lock`] returns the guard
/// directly.
#[derive(Default)]
pub struct GcSafeMutex<T: ?Sized> {
    /// Notified after every release, for waiters on hosted threads.
    released: Event,
    inner: Mutex<T>,
}

/// The guard of a [`GcSafeMutex`]: the lock is held until it is dropped.
#[must_use = "the lock is released when the guard is dropped"]
pub struct GcSafeMutexGuard<'a, T: ?Sized> {
    inner: ManuallyDrop<MutexGuard<'a, T>>,
    released: &'a Event,
}

/// Releases a std guard, then wakes the waiters on hosted threads.
fn release<G>(guard: &mut ManuallyDrop<G>, released: &Event, n: usize) {
    // SAFETY: called once, from the owning guard's `drop`; the guard is not used after.
    unsafe { ManuallyDrop::drop(guard) };
    released.notify(n);
}

impl<T> GcSafeMutex<T> {
    /// A new, unlocked mutex.
    pub const fn new(value: T) -> Self {
        GcSafeMutex {
            released: Event::new(),
            inner: Mutex::new(value),
        }
    }

    /// The protected value.
    pub fn into_inner(self) -> T {
        self.inner.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: ?Sized> GcSafeMutex<T> {
    /// Takes the lock, waiting for it if another thread holds it. On a GC-unsafe Julia
    /// thread the wait is GC-safe; the thread is GC-unsafe again when this returns.
    ///
    /// Locking a mutex that the current thread already holds deadlocks (as with
    /// `std::sync::Mutex`).
    pub fn lock(&self) -> GcSafeMutexGuard<'_, T> {
        let inner = acquire(
            &self.released,
            || self.inner.try_lock(),
            || self.inner.lock(),
        );
        self.guard(inner)
    }

    /// Takes the lock if no thread holds it now.
    pub fn try_lock(&self) -> Option<GcSafeMutexGuard<'_, T>> {
        try_acquire(self.inner.try_lock()).map(|inner| self.guard(inner))
    }

    fn guard<'a>(&'a self, inner: MutexGuard<'a, T>) -> GcSafeMutexGuard<'a, T> {
        GcSafeMutexGuard {
            inner: ManuallyDrop::new(inner),
            released: &self.released,
        }
    }

    /// The protected value, through a unique borrow (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: ?Sized> Drop for GcSafeMutexGuard<'_, T> {
    fn drop(&mut self) {
        release(&mut self.inner, self.released, 1);
    }
}

impl<T: ?Sized> Deref for GcSafeMutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> DerefMut for GcSafeMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcSafeMutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("GcSafeMutex");
        match self.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish_non_exhaustive()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcSafeMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A reader-writer lock whose waiters are GC-safe. See the [module docs](self).
///
/// Not poisoned, like [`GcSafeMutex`].
#[derive(Default)]
pub struct GcSafeRwLock<T: ?Sized> {
    /// Notified after every release, for waiters on hosted threads.
    released: Event,
    inner: RwLock<T>,
}

/// Shared access to the value of a [`GcSafeRwLock`], until dropped.
#[must_use = "the lock is released when the guard is dropped"]
pub struct GcSafeReadGuard<'a, T: ?Sized> {
    inner: ManuallyDrop<RwLockReadGuard<'a, T>>,
    released: &'a Event,
}

/// Exclusive access to the value of a [`GcSafeRwLock`], until dropped.
#[must_use = "the lock is released when the guard is dropped"]
pub struct GcSafeWriteGuard<'a, T: ?Sized> {
    inner: ManuallyDrop<RwLockWriteGuard<'a, T>>,
    released: &'a Event,
}

impl<T> GcSafeRwLock<T> {
    /// A new, unlocked lock.
    pub const fn new(value: T) -> Self {
        GcSafeRwLock {
            released: Event::new(),
            inner: RwLock::new(value),
        }
    }

    /// The protected value.
    pub fn into_inner(self) -> T {
        self.inner.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: ?Sized> GcSafeRwLock<T> {
    /// Shared access, waiting (GC-safely on a GC-unsafe Julia thread) while a writer holds
    /// the lock.
    pub fn read(&self) -> GcSafeReadGuard<'_, T> {
        let inner = acquire(
            &self.released,
            || self.inner.try_read(),
            || self.inner.read(),
        );
        self.read_guard(inner)
    }

    /// Exclusive access, waiting (GC-safely on a GC-unsafe Julia thread) while any other
    /// thread holds the lock.
    pub fn write(&self) -> GcSafeWriteGuard<'_, T> {
        let inner = acquire(
            &self.released,
            || self.inner.try_write(),
            || self.inner.write(),
        );
        self.write_guard(inner)
    }

    /// Shared access if no writer holds the lock now.
    pub fn try_read(&self) -> Option<GcSafeReadGuard<'_, T>> {
        try_acquire(self.inner.try_read()).map(|inner| self.read_guard(inner))
    }

    /// Exclusive access if no thread holds the lock now.
    pub fn try_write(&self) -> Option<GcSafeWriteGuard<'_, T>> {
        try_acquire(self.inner.try_write()).map(|inner| self.write_guard(inner))
    }

    fn read_guard<'a>(&'a self, inner: RwLockReadGuard<'a, T>) -> GcSafeReadGuard<'a, T> {
        GcSafeReadGuard {
            inner: ManuallyDrop::new(inner),
            released: &self.released,
        }
    }

    fn write_guard<'a>(&'a self, inner: RwLockWriteGuard<'a, T>) -> GcSafeWriteGuard<'a, T> {
        GcSafeWriteGuard {
            inner: ManuallyDrop::new(inner),
            released: &self.released,
        }
    }

    /// The protected value, through a unique borrow (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut().unwrap_or_else(|e| e.into_inner())
    }
}

// Every waiter may go on once a lock is released: readers together, or one writer.
impl<T: ?Sized> Drop for GcSafeReadGuard<'_, T> {
    fn drop(&mut self) {
        release(&mut self.inner, self.released, usize::MAX);
    }
}

impl<T: ?Sized> Drop for GcSafeWriteGuard<'_, T> {
    fn drop(&mut self) {
        release(&mut self.inner, self.released, usize::MAX);
    }
}

impl<T: ?Sized> Deref for GcSafeReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> Deref for GcSafeWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> DerefMut for GcSafeWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcSafeRwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("GcSafeRwLock");
        match self.try_read() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish_non_exhaustive()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcSafeReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcSafeWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

static_assertions::assert_impl_all!(GcSafeMutex<Vec<u8>>: Send, Sync, Default);
static_assertions::assert_impl_all!(GcSafeRwLock<Vec<u8>>: Send, Sync, Default);
static_assertions::assert_not_impl_any!(GcSafeMutexGuard<'static, u8>: Send);
static_assertions::assert_not_impl_any!(GcSafeWriteGuard<'static, u8>: Send);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_holder_does_not_poison() {
        let m = std::sync::Arc::new(GcSafeMutex::new(1));
        let m2 = m.clone();
        let _ = std::thread::spawn(move || {
            let mut g = m2.lock();
            *g = 2;
            panic!("while holding the lock");
        })
        .join();
        assert_eq!(*m.lock(), 2);
    }

    #[test]
    fn contended_locks_on_plain_threads_exclude_each_other() {
        let m = std::sync::Arc::new(GcSafeMutex::new(0u64));
        let rw = std::sync::Arc::new(GcSafeRwLock::new(0u64));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (m, rw) = (m.clone(), rw.clone());
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        let mut g = m.lock();
                        let v = *g;
                        std::hint::black_box(());
                        *g = v + 1;
                        drop(g);
                        *rw.write() += 1;
                        let _ = *rw.read();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(*m.lock(), 40_000);
        assert_eq!(*rw.read(), 40_000);
    }

    #[test]
    fn try_lock_fails_while_held() {
        let m = GcSafeMutex::new(());
        let g = m.lock();
        assert!(m.try_lock().is_none());
        drop(g);
        assert!(m.try_lock().is_some());
        let rw = GcSafeRwLock::new(());
        let r = rw.read();
        assert!(rw.try_read().is_some());
        assert!(rw.try_write().is_none());
        drop(r);
        assert!(rw.try_write().is_some());
    }
}
