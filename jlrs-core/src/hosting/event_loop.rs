//! Waiting for work inside Julia's scheduler, on the thread that initialised Julia.
//!
//! In Julia 1.5 only that thread runs libuv's event loop: while it blocks in Rust, no
//! Julia timer, `sleep`, IO or `@async` task makes progress on any thread. So the runtime
//! thread waits inside Julia, on a `Base.AsyncCondition`; other threads wake it with a
//! [`Notifier`], which calls `uv_async_send` on the condition's handle. Each wake-up runs
//! a Rust step function that drains whatever work arrived.

use std::{
    ffi::{c_int, c_void},
    panic::{catch_unwind, resume_unwind, AssertUnwindSafe},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

use crate::{error::JlResult, runtime::julia::Julia, sys, waiting::sync::GcSafeRwLock};

/// What a step asks the loop to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Wait for the next notification, then step again.
    Wait,
    /// Leave the loop.
    Stop,
}

#[derive(Default)]
struct NotifierState {
    /// The `uv_async_t` of the loop's condition, while the loop runs.
    handle: GcSafeRwLock<Option<usize>>,
    /// Set once the loop has ended; later notifications do nothing.
    closed: AtomicBool,
}

/// Wakes an [`EventLoop`] from any thread. Cheap to clone.
#[derive(Clone, Default)]
pub struct Notifier {
    state: Arc<NotifierState>,
}

static_assertions::assert_impl_all!(Notifier: Send, Sync, Clone);

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field(
                "published",
                &self.state.handle.try_read().map(|h| h.is_some()),
            )
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Notifier {
    /// A notifier for a loop that has not started yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Wakes the loop: its step runs soon. Notifications before the loop starts are not
    /// lost (the loop steps once before it first waits); after it ends they do nothing.
    pub fn notify(&self) {
        let handle = self.state.handle.read();
        if let Some(h) = *handle {
            // SAFETY: the handle stays open while it is published here: the loop
            // unpublishes it (under the write lock) before closing it.
            unsafe { sys::jlrs_core_uv_async_send(h as *mut c_void) };
        }
    }

    /// Whether the loop has ended.
    pub fn is_closed(&self) -> bool {
        self.state.closed.load(Ordering::Acquire)
    }
}

/// Runs a step function on the runtime thread each time its [`Notifier`] is notified.
#[derive(Debug)]
pub struct EventLoop {
    notifier: Notifier,
}

impl EventLoop {
    /// A loop woken by `notifier`.
    pub fn new(notifier: Notifier) -> Self {
        EventLoop { notifier }
    }

    /// Steps once, then again after every notification, until `step` returns
    /// [`Step::Stop`]. Between steps the thread waits inside Julia's scheduler, where
    /// Julia's own tasks, timers and IO run.
    ///
    /// A panic in `step` ends the loop and is resumed here.
    pub fn run(self, julia: &mut Julia, step: impl FnMut(&mut Julia) -> Step) -> JlResult<()> {
        let mut data = LoopData {
            step: Box::new(step),
            notifier: self.notifier.clone(),
            panic: None,
        };
        let result = julia.scope(|mut frame| {
            let entry = frame.box_value(loop_step as *const () as usize);
            let unpublish = frame.box_value(loop_unpublish as *const () as usize);
            let ptr = frame.box_value(&mut data as *mut LoopData as usize);
            // The loop is not a call Ctrl-C interrupts; the calls of its tasks are.
            let run_loop = frame.global("JlrsCore.run_loop")?;
            run_loop
                .call_uninterruptible(&mut frame, &[entry, unpublish, ptr])
                .map(|_| ())
        });
        // The loop unpublished the handle before closing it, on every path; this covers a
        // loop that failed before it started.
        unpublish(&self.notifier);
        if let Some(p) = data.panic.take() {
            resume_unwind(p);
        }
        result
    }
}

fn unpublish(notifier: &Notifier) {
    let mut handle = notifier.state.handle.write();
    *handle = None;
    notifier.state.closed.store(true, Ordering::Release);
}

struct LoopData<'a> {
    step: Box<dyn FnMut(&mut Julia) -> Step + 'a>,
    notifier: Notifier,
    panic: Option<Box<dyn std::any::Any + Send>>,
}

/// Called by `JlrsCore.run_loop` through `ccall` right before it closes the condition,
/// however the loop ends. Never unwinds.
extern "C" fn loop_unpublish(data: *mut c_void) {
    // SAFETY: as in `loop_step`: the `LoopData` of the waiting `EventLoop::run` call.
    let data = unsafe { &*data.cast::<LoopData>() };
    let _ = catch_unwind(AssertUnwindSafe(|| unpublish(&data.notifier)));
}

/// Called by `JlrsCore.run_loop` through `ccall`; returns 1 to wait, 0 to stop. Never
/// unwinds.
extern "C" fn loop_step(data: *mut c_void, handle: usize) -> c_int {
    // SAFETY: Julia called into Rust on the runtime thread.
    let _rust = unsafe { crate::runtime::signals::RustSection::enter() };
    // SAFETY: `data` points to the `LoopData` of the `EventLoop::run` call that is waiting
    // for this Julia call to return, on this same thread.
    let data = unsafe { &mut *data.cast::<LoopData>() };
    {
        let mut h = data.notifier.state.handle.write();
        if h.is_none() {
            *h = Some(handle);
        }
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        crate::runtime::julia::reenter(|julia| (data.step)(julia))
            .expect("called on the runtime thread")
    }));
    match outcome {
        Ok(Step::Wait) => 1,
        Ok(Step::Stop) => {
            unpublish(&data.notifier);
            0
        }
        Err(p) => {
            data.panic = Some(p);
            unpublish(&data.notifier);
            0
        }
    }
}
