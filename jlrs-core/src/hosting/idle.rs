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
//! An idle hosted loop waits in Julia's own scheduler loop, `jl_task_get_next`
//! (`JlrsCore.idle_wait`), with a hook of its own as the loop's `trypop`: the hook returns
//! the loop's own task once the Rust wake-up flag is set, and otherwise the next task of
//! the thread's queue. Julia's loop does all the rest, as for its own idle threads: it
//! takes `Threads.@spawn` work from the shared queue for as long as that queue is not
//! empty, spins for its threshold (4 ms in 1.5.3), then sets its `sleep_check_state` to
//! *sleeping*, looks once more (asking the hook again), and sleeps GC-safe on its
//! condition while the state stays *sleeping*. When it returns a Julia task, the loop runs
//! it and comes back; when it returns the loop's own task, the wait is over.
//!
//! A Rust waker (`IdleWaker`), called from any thread (Julia's or not, GC-safe or not),
//! sets the flag, then does what Julia's `wake_thread` does (`csrc/idle.c`): swap the state
//! to *not sleeping* and signal if it was *sleeping* (and wake libuv inside a threaded
//! region, where the sleeper may be the thread that runs it). Flag and state are both
//! sequentially consistent, and the sleeper's swap to *sleeping* comes before its last look
//! at the flag, so either it sees the flag or the waker sees *sleeping* and signals: no
//! wake-up is lost. Julia's own wake-ups (a chunk queued for this thread, `@spawn` work)
//! reach the loop exactly as they reach Julia's own idle threads, because it *is* Julia's
//! idle loop. Every Julia internal this relies on is listed, with the 1.5.3 machine code
//! that shows it, in ARCHITECTURE.md, and checked at start-up (`JlrsCore.idle_self_check`).
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
//! code; the start-up self-check fails, naming it, if the protocol changes under it.
//!
//! The waker uses only what Julia's own `jl_wakeup_thread` uses to wake a sleeping
//! thread: an atomic compare-and-swap of that thread's `sleep_check_state` and libuv's
//! thread-safe mutex and condition variable (`uv_mutex_lock`, `uv_cond_signal`) on that
//! thread's `sleep_lock` and `wake_signal`. It does not call `jl_wakeup_thread` itself,
//! because that function reads the *caller's* thread state: on a thread Julia did not
//! start it would take the caller for thread 1 and could stop thread 1's event loop from
//! the wrong thread. `jlrs_core_idle_wake` is `wake_thread` of `src/partr.c` alone, with
//! the state values checked against libjulia 1.5.3's machine code, plus a libuv wake-up
//! inside threaded regions (where `jl_wakeup_thread` wakes libuv too).
//!
//! An earlier shape slept in a loop of its own and asked `jl_task_get_next` for one look
//! only; Julia's random probe of its task heaps can miss a non-empty heap, and Julia's own
//! loop retries while the heaps are not empty, so that shape could sleep beside stranded
//! `@spawn` work. Leaving the looking and the sleeping to Julia's loop removes that class
//! of bug and most of what the design assumed about Julia's internals.
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

use crate::{sys, waiting::spin::spin_until_adaptive};

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

/// Prepares the idle waits and checks, once at start-up on thread 1, that Julia's scheduler
/// is what they rely on (ARCHITECTURE.md, "Julia internals the hosted loops rely on"):
/// returns an error naming the assumption that does not hold.
pub(crate) fn install(
    frame: &mut crate::rooting::frame::GcFrame<'_>,
) -> crate::error::JlResult<()> {
    // SAFETY: called once, on thread 1, at start-up (see `julia_code::load`).
    let err = unsafe { sys::jlrs_core_idle_init() };
    if err != 0 {
        return Err(crate::error::JuliaException::new(
            "ErrorException".into(),
            format!("jlrs: cannot create the idle waits' libuv handle (error {err})"),
        )
        .into());
    }
    let ptls_of = frame.box_value(sys::jlrs_core_idle_ptls as *const () as usize);
    let state_of = frame.box_value(sys::jlrs_core_idle_state_of as *const () as usize);
    let wake = frame.box_value(sys::jlrs_core_idle_wake as *const () as usize);
    frame
        .call("JlrsCore.idle_self_check", &[ptls_of, state_of, wake])
        .map(|_| ())
}

/// Whether the current thread is a hosted Julia thread that may call Julia now (it holds a
/// context, is GC-unsafe and is not thread 1, whose waiting belongs to the event loop).
pub(crate) fn on_hosted_thread() -> bool {
    // SAFETY: asked only on a thread that holds a context, i.e. a Julia thread.
    crate::runtime::julia::in_julia()
        && !unsafe { crate::runtime::gc::is_gc_safe() }
        && current_tid() > 1
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
            if crate::runtime::julia::blocking(|| spin_until_adaptive(woken)) {
                if last_yield.elapsed() >= YIELD_EVERY {
                    yield_to_queued();
                    last_yield = Instant::now();
                }
            } else {
                wait_in_julia(&state);
                last_yield = Instant::now();
            }
        } else {
            parker = crate::runtime::julia::blocking(move || {
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
    let waited = crate::runtime::julia::reenter(|julia| {
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
    let _ = crate::runtime::julia::reenter(|julia| {
        julia.scope(|mut frame| {
            let yield_to = frame.global("JlrsCore.yield_to_queued")?;
            yield_to.call_uninterruptible(&mut frame, &[]).map(|_| ())
        })
    });
}
