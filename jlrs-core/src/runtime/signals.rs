//! What Ctrl-C (SIGINT) does in a program that embeds Julia: [`SigintPolicy`].
//!
//! Julia 1.5 takes SIGINT over when it starts: it blocks the signal in its threads, waits
//! for it on a listener thread of its own and turns it into an `InterruptException` for
//! thread 1 at its next safepoint; a thread started before Julia (often the main thread)
//! takes the signal itself and nothing happens. This module puts SIGINT back under the
//! application's control right after Julia starts (`csrc/signals.c`); Julia's other
//! signal handling (its SIGSEGV handler, which GC safepoints and stack overflow detection
//! rely on, SIGUSR2, SIGFPE, SIGTERM) stays as it is.

use std::ffi::{c_int, c_void};

/// What SIGINT (Ctrl-C) does once Julia has started; set with
/// [`InitOptions::sigint`](crate::InitOptions::sigint).
///
/// Whatever the policy, Julia keeps its other signal handling. SIGTERM keeps Julia 1.5's
/// handling: it ends the process (see the README's "Signals" section).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SigintPolicy {
    /// SIGINT ends the process at once, as in a Rust program without a handler: the
    /// signal's default action is restored, whichever thread takes it and whatever Julia
    /// code runs. Nothing is shut down (the process is killed by SIGINT). The default.
    #[default]
    Terminate,
    /// SIGINT interrupts the Julia code that runs for a call from Rust with an
    /// `InterruptException`, which the caller gets as an error; the runtime stays usable.
    ///
    /// Only the Julia task that made the call is interrupted, at a GC safepoint (an
    /// allocation, a call into Julia's runtime, a task switch): a loop that never reaches
    /// one cannot be interrupted, and it also holds up every collection. Julia code that
    /// waits (`sleep`, `wait`) on a thread other than the runtime thread is interrupted at
    /// a safepoint during a collection after it wakes. Not interrupted: other tasks,
    /// including those the thread runs while the call waits and those Julia runs on its
    /// own (`@spawn`ed, such as those of `call_async`); Rust code (a Rust callback runs to
    /// its end, and the interrupt is thrown into its caller's Julia code once it returns);
    /// the library's own calls into Julia. An interrupt that the call has not reached when
    /// it ends is dropped, never thrown into a later call. The README's "Signals" section
    /// says how each thread is reached. To hand the signal to Julia, the first thread that
    /// takes it blocks SIGINT for good and sends it to the process again, until Julia's
    /// listener gets it.
    InterruptJulia,
    /// SIGINT is left to the application: the disposition it had before Julia started
    /// is restored, and a handler installed later (`tokio::signal::ctrl_c()`,
    /// `signal-hook`) receives the signal; the application then shuts the runtime down
    /// through its handles. Without a handler, SIGINT ends the process as with
    /// [`SigintPolicy::Terminate`].
    Application,
}

impl SigintPolicy {
    fn code(self) -> c_int {
        match self {
            SigintPolicy::Terminate => 0,
            SigintPolicy::InterruptJulia => 1,
            SigintPolicy::Application => 2,
        }
    }
}

/// What a thread returns to when a call or a callback ends.
#[repr(C)]
#[derive(Clone, Copy)]
struct SignalState {
    call: u64,
    task: *mut c_void,
    defer: i32,
}

extern "C" {
    fn jlrs_core_signals_before_init(policy: c_int);
    fn jlrs_core_signals_after_init() -> c_int;
    fn jlrs_core_enter_julia() -> SignalState;
    fn jlrs_core_enter_rust() -> SignalState;
    fn jlrs_core_signal_restore(prev: SignalState);
    fn jlrs_core_set_interrupt_handle(handle: *mut c_void);
    fn jlrs_core_interrupts_enabled() -> c_int;
    fn jlrs_core_take_interrupt() -> c_int;
}

/// Remembers SIGINT's disposition before Julia starts.
///
/// # Safety
/// Called once, right before Julia is initialised.
pub(crate) unsafe fn before_init(policy: SigintPolicy) {
    // SAFETY: the caller's contract; it only records state and reads a disposition.
    unsafe { jlrs_core_signals_before_init(policy.code()) }
}

/// Applies the policy; returns the OS error if a handler could not be set.
///
/// # Safety
/// Called once, on the thread that initialised Julia, right after `jl_init`.
pub(crate) unsafe fn after_init() -> Result<(), std::io::Error> {
    // SAFETY: the caller's contract.
    match unsafe { jlrs_core_signals_after_init() } {
        0 => Ok(()),
        e => Err(std::io::Error::from_raw_os_error(e)),
    }
}

/// Whether the policy is [`SigintPolicy::InterruptJulia`] (and Julia has started).
pub(crate) fn interrupts_enabled() -> bool {
    // SAFETY: reads a pointer set once on the initialising thread before other threads
    // ran Julia code.
    unsafe { jlrs_core_interrupts_enabled() != 0 }
}

/// The C function the interrupt task calls with its `uv_async_t` handle.
pub(crate) fn set_interrupt_handle_fn() -> usize {
    jlrs_core_set_interrupt_handle as *const () as usize
}

/// The C function Julia calls right after a Rust callback returns, on threads other than
/// thread 1: it returns 1 (and forgets the interrupt) if an interrupt arrived for the
/// caller's call while the callback ran, and Julia then throws it (`julia/callback.jl`).
pub(crate) fn take_interrupt_fn() -> usize {
    jlrs_core_take_interrupt as *const () as usize
}

/// Stops SIGINT from waking the interrupt task (before Julia shuts down).
pub(crate) fn forget_interrupt_handle() {
    // SAFETY: stores a null pointer atomically.
    unsafe { jlrs_core_set_interrupt_handle(std::ptr::null_mut()) }
}

/// While alive, the Julia code this thread runs is a call from Rust that SIGINT may
/// interrupt (with [`SigintPolicy::InterruptJulia`]).
pub(crate) struct JuliaSection(SignalState);

impl JuliaSection {
    /// # Safety
    /// The current thread is a GC-unsafe Julia thread, about to call Julia with an
    /// exception handler (`jl_call`) around the call; the section ends right after.
    pub(crate) unsafe fn enter() -> Self {
        // SAFETY: the caller's contract.
        JuliaSection(unsafe { jlrs_core_enter_julia() })
    }
}

impl Drop for JuliaSection {
    fn drop(&mut self) {
        // SAFETY: restores what `enter` found, on the same thread.
        unsafe { jlrs_core_signal_restore(self.0) }
    }
}

/// While alive, Rust code runs on this Julia thread: no interrupt may land here.
pub(crate) struct RustSection(SignalState);

impl RustSection {
    /// # Safety
    /// The current thread is a Julia thread (Julia called into Rust on it).
    pub(crate) unsafe fn enter() -> Self {
        // SAFETY: the caller's contract.
        RustSection(unsafe { jlrs_core_enter_rust() })
    }
}

impl Drop for RustSection {
    fn drop(&mut self) {
        // SAFETY: restores what `enter` found, on the same thread.
        unsafe { jlrs_core_signal_restore(self.0) }
    }
}
