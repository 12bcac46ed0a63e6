//! Waiting for another thread: the [`Latch`] and the wait loop it is made of.
//!
#![doc = include_str!("README.md")]

use std::sync::atomic::{AtomicBool, Ordering};

use event_listener::{Event, Listener};

use crate::waiting::spin::{spin_until, SPIN};

/// A flag that is set once and waited for, from any thread, asynchronously or GC-safely
/// blocking (see the [module docs](self) for the protocol).
#[derive(Debug, Default)]
pub struct Latch {
    set: AtomicBool,
    event: Event,
}

static_assertions::assert_impl_all!(Latch: Send, Sync);

impl Latch {
    /// A latch that is not set.
    pub const fn new() -> Self {
        Latch {
            set: AtomicBool::new(false),
            event: Event::new(),
        }
    }

    /// Sets the latch and wakes everyone waiting for it. It stays set.
    pub fn set(&self) {
        self.set.store(true, Ordering::SeqCst);
        self.event.notify(usize::MAX);
    }

    /// Whether the latch is set.
    pub fn is_set(&self) -> bool {
        self.set.load(Ordering::SeqCst)
    }

    /// Completes once the latch is set.
    pub async fn wait(&self) {
        wait_until(&self.event, || self.is_set()).await
    }

    /// Blocks until the latch is set: spins briefly, then parks, GC-safely on a Julia
    /// thread. On a hosted thread it waits inside Julia's scheduler
    /// ([`block_on`](crate::hosting::idle::block_on)), so the Julia tasks queued for that thread
    /// still run.
    pub fn wait_blocking(&self) {
        if crate::hosting::idle::on_hosted_thread() {
            return crate::hosting::idle::block_on(self.wait());
        }
        crate::runtime::julia::blocking(|| {
            if !spin_until(SPIN, || self.is_set()) {
                wait_until_blocking(&self.event, || self.is_set());
            }
        })
    }
}

/// Completes once `ready` holds, checking it again after every notification of `event`:
/// listen, check again, then wait, so that no notification between the check and the
/// wait is lost. Whoever makes `ready` true must notify `event` afterwards.
pub async fn wait_until(event: &Event, ready: impl Fn() -> bool) {
    loop {
        if ready() {
            return;
        }
        // Listens from inside this future (no allocation, unlike `Event::listen`): every
        // task waits for its thread's `aborted` latch this way.
        event_listener::listener!(event => listener);
        if ready() {
            return;
        }
        listener.await;
    }
}

/// [`wait_until`], blocking the thread (GC-safely on a Julia thread) instead. `ready`
/// runs in the GC-safe region, so it is `Sync`, which keeps Julia values out. On a hosted
/// thread it waits inside Julia's scheduler ([`block_on`](crate::hosting::idle::block_on)), so
/// the Julia tasks queued for that thread still run.
pub fn wait_until_blocking(event: &Event, ready: impl Fn() -> bool + Sync) {
    if crate::hosting::idle::on_hosted_thread() {
        return crate::hosting::idle::block_on(wait_until(event, ready));
    }
    crate::runtime::julia::blocking(|| loop {
        if ready() {
            return;
        }
        let listener = event.listen();
        if ready() {
            return;
        }
        listener.wait();
    })
}
