//! `call_async`: run a Julia function as a Julia task and await it from Rust.

use std::{
    ffi::c_void,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::Arc,
};

use crate::{
    error::JlResult, rooting::frame::GcFrame, values::value::Value, waiting::latch::Latch,
};

/// Called from Julia in the spawned task's `finally` block, GC-unsafe, on whichever Julia
/// thread ran the task. Setting the [`Latch`] may do that: it waits for no lock a Julia
/// thread holds across a safepoint (the event's own lock is held only while listeners are
/// added or woken). Never unwinds.
extern "C" fn task_done(state: *const c_void) {
    // SAFETY: Julia called into Rust on one of its threads.
    let _rust = unsafe { crate::runtime::signals::RustSection::enter() };
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `state` came from `Arc::into_raw` in `call_async_with`, and Julia calls
        // this exactly once per task, so the reference it holds is released exactly once.
        let done = unsafe { Arc::from_raw(state.cast::<Latch>()) };
        done.set();
    }));
}

impl<'scope> GcFrame<'scope> {
    /// Calls `f(args...)` as a Julia task (`Threads.@spawn`) and waits for it without
    /// blocking the thread; the result is rooted in this frame.
    ///
    /// The task runs on any Julia thread that waits inside Julia's scheduler (the runtime
    /// thread while it waits for work, an idle hosted loop, or a free thread). An exception thrown by `f`
    /// becomes an error that names it: its type and message, not those of the
    /// `TaskFailedException` Julia's `fetch` would wrap it in, and the frames it was
    /// thrown through inside the task as its
    /// [`backtrace`](crate::JuliaException::backtrace), found (only when `f` throws)
    /// while the task handles the exception.
    pub async fn call_async(
        &mut self,
        f: Value<'_>,
        args: &[Value<'_>],
    ) -> JlResult<Value<'scope>> {
        self.call_async_with("JlrsCore.spawn_call", f, args).await
    }

    /// [`call_async`](Self::call_async) with the task started by the Julia function at
    /// `spawner`, called as `spawner(f, args, done, state)`; it must return the task and
    /// make it call `done(state)` exactly once, when `f` has returned or thrown.
    pub(crate) async fn call_async_with(
        &mut self,
        spawner: &str,
        f: Value<'_>,
        args: &[Value<'_>],
    ) -> JlResult<Value<'scope>> {
        crate::calls::callable::check_callable()?;
        let done = Arc::new(Latch::new());
        let ptr = Arc::into_raw(done.clone());
        let spawned = self.scope(|mut frame| {
            let callback = frame.box_value(task_done as *const () as usize);
            let state = frame.box_value(ptr as usize);
            let tuple = frame.call_internal("Core.tuple", args)?;
            frame
                .call_internal(spawner, &[f, tuple, callback, state])
                .map(|t| t.raw())
        });
        // On an error the reference `ptr` holds is leaked, never released here: the task
        // may have been spawned before the error, and its `task_done` releases it.
        let outcome = spawned?;
        // SAFETY: `outcome` (the task) was returned by the last call in the inner scope,
        // with nothing allocated since; rooting it keeps the task's result alive until
        // Rust takes it.
        let outcome = unsafe { self.root(outcome)? };
        done.wait().await;
        self.call_internal("JlrsCore.fetch_result", &[outcome])
    }
}
