//! Waiting on a hosted thread without taking the thread away from Julia.
//!
//! A hosted loop (a pool worker, a `with` server) spends most of its life waiting for
//! work. If it waited in Rust, its Julia thread would be lost to Julia while it waits:
//! `Threads.@threads` on thread 1 hands a sticky chunk to every thread and waits for all of
//! them, so it would hang, and `Threads.@spawn` work would only run on threads no loop
//! holds. [`block_on`] therefore waits *inside Julia's scheduler*: while the future it
//! polls is pending, the thread runs the Julia tasks queued for it (its sticky queue, then
//! the shared queue of `@spawn` work) and, when there are none, sleeps where Julia's own
//! wake-ups reach it.
//!
//! # The wake-up protocol
//!
//! Julia 1.5 puts a thread to sleep in its scheduler (`jl_task_get_next`, `src/partr.c`)
//! like this: the thread sets its `sleep_check_state` to *sleeping*, looks for work once
//! more, then waits on its own condition variable while the state stays *sleeping*.
//! `schedule` wakes it through `jl_wakeup_thread`, which swaps the state back to *not
//! sleeping* and signals the condition if the thread was sleeping.
//!
//! An idle hosted loop follows the same protocol (`JlrsCore.idle_wait`, `csrc/idle.c`):
//!
//! 1. it *announces* that it may sleep (state *sleeping*, sequentially consistent);
//! 2. it checks its Rust wake-up flag, then Julia's queues, once each;
//! 3. it runs a Julia task it found (and comes back at the end of its thread's queue), or
//!    returns if its flag was set, or sleeps, GC-safe, until its state is swapped back.
//!
//! A Rust waker (`IdleWaker`), called from any thread (Julia's or not, GC-safe or not),
//! sets the flag, then does what `jl_wakeup_thread` does: swap the state to *not sleeping*
//! and signal if it was *sleeping*. Flag and state are both sequentially consistent, so
//! either the loop sees the flag in step 2 or the waker sees *sleeping* and signals: no
//! wake-up is lost. Julia's own wake-ups (a chunk queued for this thread, `@spawn` work)
//! reach the sleeping loop exactly as they reach Julia's own idle threads.
//!
//! # Why this design
//!
//! Julia 1.5 offers a non-Julia thread one documented thread-safe way in: `uv_async_send`,
//! whose callbacks run on thread 1's event loop. Routing a worker's wake-ups through it
//! would add a hop through thread 1 to every hand-off and stall every idle worker while the
//! runtime thread runs a long task (thread 1's callbacks wait for it: a 47 ms remote call
//! took 1.93 s behind a 2 s blocking task there). The other option is to wake the worker's
//! own condition variable as Julia does: it needs no other thread, costs what the futex
//! park it replaces cost, and keeps the runtime thread out of the worker's latency. The
//! price is that it relies on Julia 1.5.3's sleep protocol (the state values and fields of
//! `csrc/idle.c`), which is why it lives in this crate beside the other version-dependent
//! code; `tests/tests/julia_parallelism.rs` fails if the protocol changes under it.
//!
//! The waker uses only what Julia's own `jl_wakeup_thread` uses to wake a sleeping
//! thread: an atomic compare-and-swap of that thread's `sleep_check_state` and libuv's
//! thread-safe mutex and condition variable (`uv_mutex_lock`, `uv_cond_signal`) on that
//! thread's `sleep_lock` and `wake_signal`. It does not call `jl_wakeup_thread` itself,
//! because that function reads the *caller's* thread state: on a thread Julia did not
//! start it would take the caller for thread 1 and could stop thread 1's event loop from
//! the wrong thread. `jlrs_core_idle_wake` is `wake_thread` of `src/partr.c` alone, with
//! the state values checked against libjulia 1.5.3's machine code.
//!
//! Before it goes through Julia, a waiting loop checks for a while in a GC-safe region
//! (`spin::spin_until_adaptive`: it spins briefly, then
//! yields its core between checks, and the window adapts to contention): back-to-back work
//! never pays for a sleep, and a waiting loop does not hold a core that a thread with work
//! needs. A loop that never gets idle
//! lets the Julia tasks queued for its thread run at least every [`YIELD_EVERY`], so a
//! sticky chunk waits a bounded time even on a busy worker. A task that runs long Rust or
//! Julia code still holds the thread until it returns or waits.

use std::{
    ffi::{c_int, c_void},
    future::Future,
    pin::pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{Context, Poll, Wake, Waker},
    time::{Duration, Instant},
};

use crate::{spin::spin_until_adaptive, sys};

/// How long a busy hosted loop runs before it lets the Julia tasks queued for its thread
/// run.
pub const YIELD_EVERY: Duration = Duration::from_millis(1);

/// Wakes a thread waiting in [`block_on`], from any thread.
struct IdleWaker {
    woken: AtomicBool,
    /// The waiting Julia thread's state block, or null when the waiter is not a hosted
    /// thread (it then parks).
    ptls: *mut c_void,
    unparker: parking::Unparker,
}

// SAFETY: `ptls` points to a Julia thread's state block, which lives as long as the process
// (Julia never frees it); it is only handed to `jlrs_core_idle_wake`, which is thread-safe.
unsafe impl Send for IdleWaker {}
// SAFETY: as for `Send`; the other fields are `Sync`.
unsafe impl Sync for IdleWaker {}

impl Wake for IdleWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        if self.ptls.is_null() {
            self.unparker.unpark();
        } else {
            // SAFETY: `ptls` is a live Julia thread state block (see `Send`).
            unsafe { sys::jlrs_core_idle_wake(self.ptls) };
        }
    }
}

/// Called by `JlrsCore.idle_wait`: whether the waiter was woken. Never unwinds.
extern "C" fn woken(data: *mut c_void) -> c_int {
    // SAFETY: `data` is the `IdleWaker` that `wait_in_julia` keeps alive for the call.
    let waker = unsafe { &*data.cast::<IdleWaker>() };
    c_int::from(waker.woken.load(Ordering::SeqCst))
}

/// Hands the shim's idle functions to Julia. Called once at start-up.
pub(crate) fn install(frame: &mut crate::frame::GcFrame<'_>) -> crate::error::JlResult<()> {
    let announce = frame.box_value(sys::jlrs_core_idle_announce as *const () as usize);
    let cancel = frame.box_value(sys::jlrs_core_idle_cancel as *const () as usize);
    let sleep = frame.box_value(sys::jlrs_core_idle_sleep as *const () as usize);
    frame
        .call("JlrsCore.set_idle_functions", &[announce, cancel, sleep])
        .map(|_| ())
}

/// Whether the current thread is a hosted Julia thread that may call Julia now (it holds a
/// context, is GC-unsafe and is not thread 1, whose waiting belongs to the event loop).
pub(crate) fn on_hosted_thread() -> bool {
    // SAFETY: asked only on a thread that holds a context, i.e. a Julia thread.
    crate::julia::in_julia() && !unsafe { crate::gc::is_gc_safe() } && current_tid() > 1
}

fn current_tid() -> usize {
    // SAFETY: only called on a Julia thread (see `on_hosted_thread`).
    unsafe { sys::jlrs_core_thread_id() as usize }
}

/// Polls `future` to completion on the current thread.
///
/// On a hosted Julia thread, the thread serves Julia's own tasks while the future is
/// pending and sleeps in Julia's scheduler when there are none (see the module docs). On
/// any other thread it spins briefly, then parks (GC-safely, if it is a Julia thread).
pub fn block_on<T>(future: impl Future<Output = T>) -> T {
    let hosted = on_hosted_thread();
    let (mut parker, unparker) = parking::pair();
    let ptls = if hosted {
        // SAFETY: this is a Julia thread.
        unsafe { sys::jlrs_core_idle_ptls() }
    } else {
        std::ptr::null_mut()
    };
    let state = Arc::new(IdleWaker {
        woken: AtomicBool::new(false),
        ptls,
        unparker,
    });
    let waker = Waker::from(state.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let mut last_yield = Instant::now();
    loop {
        state.woken.store(false, Ordering::SeqCst);
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        let woken = || state.woken.load(Ordering::SeqCst);
        if hosted {
            if crate::julia::blocking(|| spin_until_adaptive(woken)) {
                if last_yield.elapsed() >= YIELD_EVERY {
                    yield_to_queued();
                    last_yield = Instant::now();
                }
            } else {
                wait_in_julia(&state);
                last_yield = Instant::now();
            }
        } else {
            parker = crate::julia::blocking(move || {
                if !spin_until_adaptive(woken) {
                    parker.park();
                }
                parker
            });
        }
    }
}

/// Waits in `JlrsCore.idle_wait` until `state` is woken.
fn wait_in_julia(state: &Arc<IdleWaker>) {
    let data = Arc::as_ptr(state).cast_mut().cast::<c_void>();
    let waited = crate::julia::reenter(|julia| {
        julia.scope(|mut frame| {
            let ready = frame.box_value(woken as *const () as usize);
            let data = frame.box_value(data as usize);
            let wait = frame.global("JlrsCore.idle_wait")?;
            // Ctrl-C interrupts tasks' calls, never a loop's waiting.
            wait.call_uninterruptible(&mut frame, &[ready, data])
                .map(|_| ())
        })
    });
    // An exception thrown into the waiting task only ends this wait early: the caller
    // polls again and waits again.
    let _ = waited;
}

/// Runs the Julia tasks queued for this thread, if there are any.
fn yield_to_queued() {
    let _ = crate::julia::reenter(|julia| {
        julia.scope(|mut frame| {
            let yield_to = frame.global("JlrsCore.yield_to_queued")?;
            yield_to.call_uninterruptible(&mut frame, &[]).map(|_| ())
        })
    });
}
