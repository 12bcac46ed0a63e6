//! `call_async`: run a Julia function as a Julia task and await it from Rust.

use std::{
    ffi::c_void,
    future::Future,
    panic::{catch_unwind, AssertUnwindSafe},
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, Waker},
};

use crate::{error::JlResult, frame::GcFrame, sync::GcSafeMutex, value::Value};

/// Completion state shared with the Julia task.
#[derive(Default)]
struct Completion {
    state: GcSafeMutex<(bool, Option<Waker>)>,
}

/// Called from Julia (any thread) in the spawned task's `finally` block. Never unwinds.
extern "C" fn task_done(state: *const c_void) {
    // SAFETY: Julia called into Rust on one of its threads.
    let _rust = unsafe { crate::signals::RustSection::enter() };
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `state` came from `Arc::into_raw` in `call_async`, and Julia calls this
        // exactly once per task, so the reference it holds is released exactly once.
        let completion = unsafe { Arc::from_raw(state.cast::<Completion>()) };
        let waker = {
            let mut s = completion.state.lock();
            s.0 = true;
            s.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }));
}

struct Done(Arc<Completion>);

impl Future for Done {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = self.0.state.lock();
        if s.0 {
            Poll::Ready(())
        } else {
            s.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl<'scope> GcFrame<'scope> {
    /// Calls `f(args...)` as a Julia task (`Threads.@spawn`) and waits for it without
    /// blocking the thread; the result is rooted in this frame.
    ///
    /// The task runs on a Julia thread that no hosted loop occupies (the runtime thread
    /// while it waits for work, or a free worker thread). An exception thrown by `f`
    /// becomes an error: a `TaskFailedException` whose
    /// [`causes`](crate::JuliaException::causes) name the exception `f` threw.
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
        crate::callable::check_callable()?;
        let completion = Arc::new(Completion::default());
        let ptr = Arc::into_raw(completion.clone());
        let spawned = self.scope(|mut frame| {
            let done = frame.box_value(task_done as *const () as usize);
            let state = frame.box_value(ptr as usize);
            let tuple = frame.call("tuple", args)?;
            frame
                .call(spawner, &[f, tuple, done, state])
                .map(|t| t.raw())
        });
        let outcome = match spawned {
            Ok(outcome) => outcome,
            Err(e) => {
                // SAFETY: the task was not spawned, so `task_done` will never release the
                // reference `ptr` holds.
                drop(unsafe { Arc::from_raw(ptr) });
                return Err(e);
            }
        };
        // SAFETY: `outcome` (the task) was returned by the last call in the inner scope,
        // with nothing allocated since; rooting it keeps the task's result alive until
        // Rust takes it.
        let outcome = unsafe { self.root(outcome)? };
        Done(completion).await;
        self.call("JlrsCore.fetch_result", &[outcome])
    }
}
