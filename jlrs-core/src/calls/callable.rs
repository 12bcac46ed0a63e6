//! Whether the current thread may call Julia now: Julia is running (initialised and not
//! yet shut down), and this is a GC-unsafe Julia thread.
//!
//! Every call into Julia through a frame checks this first, so misuse is an
//! [`JuliaError`](crate::JuliaError) instead of undefined behaviour. The check also
//! refuses while this thread holds a borrow of an array's data (an
//! [`ArrayRef`](crate::ArrayRef), [`ArrayMut`](crate::ArrayMut) or view): Julia code run
//! on this thread could change or move the memory the borrow reads. [`Runtime`](crate::Runtime)
//! moves the process through the three states below, once each.

use std::{
    cell::Cell,
    sync::atomic::{AtomicU8, Ordering},
};

use crate::{
    error::{JlResult, JuliaError},
    runtime::thread_state::{self, ThreadState},
};

const NEVER: u8 = 0;
const RUNNING: u8 = 1;
const SHUT_DOWN: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(NEVER);

/// Whether Julia is running in this process (initialised and not yet shut down).
pub fn is_running() -> bool {
    STATE.load(Ordering::Acquire) == RUNNING
}

/// Whether Julia was started in this process (it may have been shut down since).
pub(crate) fn started() -> bool {
    STATE.load(Ordering::Acquire) != NEVER
}

/// Claims the one initialisation this process gets; `false` if Julia was started before
/// (whether or not it has been shut down since).
pub(crate) fn claim_start() -> bool {
    STATE
        .compare_exchange(NEVER, RUNNING, Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
}

/// Marks Julia as shut down: from now on every check fails with [`JuliaError::ShutDown`].
pub(crate) fn mark_shut_down() {
    STATE.store(SHUT_DOWN, Ordering::Release);
}

/// `Ok` if this thread may call Julia now; otherwise the error that says why not.
///
/// Every entry point into Julia of a frame or value checks it, so a frame that was
/// smuggled into a GC-safe region (say, through a thread-local) or kept past shutdown
/// reports an error instead of racing the collector or calling a dead runtime.
pub(crate) fn check_callable() -> JlResult<()> {
    check_thread()?;
    if holds_borrow() {
        return Err(crate::array::error::ArrayError::BorrowHeld.into());
    }
    Ok(())
}

thread_local! {
    /// How many borrows of array data this thread holds.
    static BORROWS: Cell<usize> = const { Cell::new(0) };
}

/// Whether this thread holds a borrow of array data (and so cannot run Julia).
pub(crate) fn holds_borrow() -> bool {
    BORROWS.with(Cell::get) != 0
}

/// Counts a borrow of array data taken on this thread.
pub(crate) fn borrow_started() {
    BORROWS.with(|b| b.set(b.get() + 1));
}

/// Counts a borrow of array data released on this thread.
pub(crate) fn borrow_ended() {
    // `try_with`: a borrow dropped while the thread's locals are torn down.
    let _ = BORROWS.try_with(|b| b.set(b.get().saturating_sub(1)));
}

/// [`check_callable`] without the borrow check: for reading arrays (Julia runs, this is a
/// GC-unsafe Julia thread), which more borrows do not disturb.
pub(crate) fn check_thread() -> JlResult<()> {
    if !is_running() {
        return Err(JuliaError::ShutDown);
    }
    match thread_state::current() {
        ThreadState::GcUnsafe => Ok(()),
        ThreadState::GcSafe => Err(JuliaError::GcSafeRegion),
        ThreadState::Foreign => Err(JuliaError::NotAJuliaThread),
    }
}

/// [`check_callable`] for the methods that return no `Result`.
///
/// # Panics
/// With the error's message if this thread may not call Julia now.
#[track_caller]
pub(crate) fn assert_callable() {
    if let Err(e) = check_callable() {
        panic!("jlrs: {e}");
    }
}
