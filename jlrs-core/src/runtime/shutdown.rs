//! Shutting Julia down: [`Runtime::shutdown`] and the runtime's `Drop`, which do the same.
//!
//! Julia shuts down once, on the thread that initialised it, after the layers above have
//! let go (their handles dropped, their task queues closed and drained, their hosted loops
//! told to return; ARCHITECTURE.md's "Shutdown order" walks those steps). Then, in order:
//!
//! 1. `JlrsCore.wait_hosted` (`src/julia/hosted.jl`) waits, inside Julia's scheduler, until
//!    every hosted task has returned, also those spawned while it waits. The thread is
//!    GC-safe while it waits, and Julia's own tasks keep running.
//! 2. With [`SigintPolicy::InterruptJulia`](crate::SigintPolicy::InterruptJulia), Ctrl-C
//!    stops reaching Julia: the interrupt handle is forgotten, then
//!    `JlrsCore.stop_interrupts` (`src/julia/signals.jl`) closes it.
//! 3. The [`Julia`](crate::Julia) context is dropped, and `callable::mark_shut_down`
//!    marks Julia stopped: from here on every call through a frame that outlived the
//!    runtime returns [`JuliaError::ShutDown`](crate::JuliaError::ShutDown).
//! 4. `jl_atexit_hook(0)` runs Julia's exit hooks. Julia cannot start again in this
//!    process.

use crate::{calls::callable, runtime::init::Runtime, runtime::signals, sys};

impl Runtime {
    /// Waits for all hosted loops to return, then shuts Julia down.
    ///
    /// Afterwards every call into Julia through a frame that outlived the runtime (say, of
    /// a [`RootStack`](crate::RootStack) made before) returns
    /// [`JuliaError::ShutDown`](crate::JuliaError::ShutDown).
    pub fn shutdown(mut self) {
        self.shutdown_inner();
    }

    /// The steps of the [module docs](self); nothing if Julia was shut down before.
    fn shutdown_inner(&mut self) {
        let Some(mut julia) = self.take_julia() else {
            return;
        };
        // Waiting happens inside Julia's scheduler, so the thread stays GC-safe while it
        // waits and Julia's own tasks keep running.
        let waited =
            julia.scope(|mut frame| frame.call_internal("JlrsCore.wait_hosted", &[]).map(|_| ()));
        if let Err(e) = waited {
            crate::runtime::diagnostics::shutdown_wait_failed(&e);
        }
        if signals::interrupts_enabled() {
            signals::forget_interrupt_handle();
            let _ = julia.scope(|mut frame| {
                frame
                    .call_internal("JlrsCore.stop_interrupts", &[])
                    .map(|_| ())
            });
        }
        drop(julia);
        // From here on every frame's call into Julia returns `JuliaError::ShutDown`.
        callable::mark_shut_down();
        // SAFETY: every hosted loop has returned and this is the thread that initialised
        // Julia; nothing calls Julia through jlrs after this (the state says so).
        unsafe { sys::jl_atexit_hook(0) };
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shutdown_inner();
    }
}
