//! [`GcFrame::spawn_background_task`]: a Rust closure run on a thread of its own, whose
//! result Julia code waits for as a Julia `Task`.
//!
//! The closure runs on a plain Rust thread, which never touches Julia. The Julia side is
//! a task (`JlrsCore.background_wait`, in `src/julia/tasks.jl`)
//! that waits on a `Base.AsyncCondition`. When the closure has returned (or panicked),
//! its thread stores the outcome in a state shared with the task, then calls
//! `uv_async_send` on the condition's handle, the one call Julia 1.5 lets a thread of
//! its own make; Julia's event loop wakes the task, which `ccall`s back into Rust to
//! convert the result with [`IntoJulia`], on its own (GC-unsafe) Julia thread.
//!
//! # Who runs the wake-up
//!
//! In Julia 1.5 only thread 1 (the thread that initialised Julia) runs libuv's loop, and
//! only while it waits inside Julia's scheduler. The runtime thread of `jlrs-mt` (and so of
//! the async runtime and of pools) waits there whenever it is idle, so the wake-up is
//! processed at once. With a bare [`Runtime`](crate::Runtime) whose thread runs Rust code
//! between calls, it is processed when that thread next waits in Julia: in
//! [`JuliaTask::fetch`], a Julia `fetch`, `wait` or `sleep`, or the task's own `fetch`
//! evaluated there. (Julia's own timers and IO behave the same way.)
//!
//! # Lifetimes
//!
//! The state is reference counted: the Rust thread holds one reference, the Julia task
//! another, which it gives up exactly once (when it takes the result, or when its wait is
//! cut short). So the result stays valid whatever happens to the `Task` value, collected
//! or not. The task unpublishes the handle before it closes the condition, and at exit,
//! before Julia closes libuv's handles, an exit hook stops every later send: no thread
//! ever sends to a closed handle.

use std::{
    ffi::{c_int, c_void},
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

use crate::{
    calls::task::JuliaTask,
    convert::{BoxOutput, IntoJulia},
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    rooting::roots::RootStack,
    runtime::julia::Julia,
    runtime::panics::panic_message,
    sys,
    values::value::Value,
    waiting::sync::{GcSafeMutex, GcSafeRwLock},
};

/// Boxes a background task's result, on a GC-unsafe Julia thread.
type Convert = Box<dyn for<'s> FnOnce(&mut GcFrame<'s>) -> JlResult<Value<'s>> + Send>;

/// What a background closure left: its result, ready to box, or its panic message.
type Outcome = Result<Convert, String>;

/// What the closure's thread and the Julia task share.
#[derive(Default)]
struct Shared {
    /// Set once `outcome` holds the closure's outcome.
    ready: AtomicBool,
    outcome: GcSafeMutex<Option<Outcome>>,
    /// The condition's `uv_async_t` while the task may still wait on it.
    handle: GcSafeMutex<Option<usize>>,
}

/// False once Julia's exit hooks have run: libuv's handles are about to be closed, and no
/// thread may send to them any more.
static UV_OPEN: GcSafeRwLock<bool> = GcSafeRwLock::new(true);

impl Shared {
    /// Stores the outcome and wakes the task. Runs on the closure's thread, which is not a
    /// Julia thread: it touches no Julia value.
    fn complete(&self, outcome: Outcome) {
        *self.outcome.lock() = Some(outcome);
        self.ready.store(true, Ordering::Release);
        let open = UV_OPEN.read();
        if *open {
            if let Some(h) = *self.handle.lock() {
                // SAFETY: the handle is open while it is published here: the task
                // unpublishes it (under this lock) before closing it, and the exit hook
                // clears `UV_OPEN` (under its lock) before Julia closes it.
                unsafe { sys::jlrs_core_uv_async_send(h as *mut c_void) };
            }
        }
    }
}

impl<'scope> GcFrame<'scope> {
    /// Runs `f` on a new Rust thread and returns a Julia `Task`, rooted in this frame, that
    /// ends with `f`'s result boxed as a Julia value: Julia code can `fetch` or `wait` it,
    /// and Rust code can too ([`JuliaTask::fetch`], [`JuliaTask::fetch_async`]).
    ///
    /// `f` must not touch Julia (it is `Send` and gets no frame); its result is boxed
    /// with [`IntoJulia`] later, on the Julia thread that runs the task. If `f` panics,
    /// the task throws `JlrsCore.RustPanic` with the panic message (so Julia's `fetch`
    /// throws a `TaskFailedException` around it, and [`JuliaTask::fetch`] returns it as
    /// the error); if boxing fails, it throws `JlrsCore.RustError`. The panic never
    /// reaches Julia as an unwind, and the task always ends.
    ///
    /// The task wakes up through Julia's event loop (the closure's thread calls
    /// `uv_async_send`), which in Julia 1.5 only thread 1 runs, and only while it waits
    /// inside Julia's scheduler. The runtime thread of the multithreaded and async
    /// runtimes waits there whenever it is idle, so the wake-up is processed at once.
    /// With a bare [`Runtime`](crate::Runtime) whose thread runs Rust code between
    /// calls, it is processed when that thread next waits in Julia: in
    /// [`JuliaTask::fetch`], or Julia code's `fetch`, `wait` or `sleep` (Julia's own
    /// timers and IO behave the same way).
    ///
    /// An error is returned, and `f` never runs, if Julia cannot be called here
    /// ([`JuliaError::ShutDown`], ...), the task cannot be made, or its thread cannot be
    /// started ([`JuliaError::BackgroundThread`]).
    ///
    /// ```
    /// use jlrs_core::{InitOptions, Runtime};
    ///
    /// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
    /// rt.julia().scope(|mut frame| {
    ///     let task = frame.spawn_background_task(|| (1..=10u64).product::<u64>())?;
    ///     frame.set_global("work", task.as_value())?;
    ///     let got = frame.eval("fetch(work)")?.unbox::<u64>()?; // Julia waits for Rust
    ///     assert_eq!(got, 3_628_800);
    ///     Ok::<_, jlrs_core::JuliaError>(())
    /// }).unwrap();
    /// ```
    pub fn spawn_background_task<T, F>(&mut self, f: F) -> JlResult<JuliaTask<'scope>>
    where
        T: IntoJulia + Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        crate::calls::callable::check_callable()?;
        let shared = Arc::new(Shared::default());
        // Julia's reference, given up by `background_take` or `background_release`.
        let julia_ref = Arc::into_raw(shared.clone());
        let fns: [usize; 6] = [
            background_publish as *const () as usize,
            background_ready as *const () as usize,
            background_unpublish as *const () as usize,
            background_take as *const () as usize,
            background_release as *const () as usize,
            background_closing as *const () as usize,
        ];
        let spawned = self.scope(|mut frame| {
            let state = frame.box_value(julia_ref as usize);
            let fns = frame.box_value((fns[0], fns[1], fns[2], fns[3], fns[4], fns[5]))?;
            frame
                .call_internal("JlrsCore.background_task", &[state, fns])
                .map(|t| t.raw())
        });
        // On an error Julia's reference is leaked, never released here: the task may have
        // been made before the error, and it releases the reference itself.
        let spawned = spawned?;
        // SAFETY: `spawned` (the task) was returned by the last call in the inner scope,
        // with nothing allocated since.
        let task = match unsafe { self.root(spawned) }.and_then(JuliaTask::from_value) {
            Ok(task) => task,
            Err(e) => {
                // The task may be waiting already: end it with the reason.
                shared.complete(Err(format!("the background task could not be kept: {e}")));
                return Err(e);
            }
        };
        let work = shared.clone();
        let started = std::thread::Builder::new()
            .name("jlrs-background".into())
            .spawn(move || {
                let outcome = match catch_unwind(AssertUnwindSafe(f)) {
                    Ok(value) => Ok(converter(value)),
                    Err(payload) => Err(panic_message(&*payload)),
                };
                work.complete(outcome);
            });
        if let Err(e) = started {
            // The task is waiting already: end it with the reason.
            shared.complete(Err(format!("cannot start a background thread: {e}")));
            return Err(JuliaError::BackgroundThread(e));
        }
        Ok(task)
    }
}

/// Boxes `value` when called, on the Julia thread that calls it.
fn converter<T: IntoJulia + Send + 'static>(value: T) -> Convert {
    Box::new(move |frame| value.into_julia(frame).into_result())
}

/// Borrows the state Julia's reference points to.
///
/// # Safety
/// `state` is the pointer `spawn_background_task` made with `Arc::into_raw`, and Julia's
/// reference has not been given up yet.
unsafe fn shared<'a>(state: *const c_void) -> &'a Shared {
    // SAFETY: the caller's contract: the reference keeps the state alive.
    unsafe { &*state.cast::<Shared>() }
}

/// `JlrsCore.background_task` publishes the condition's handle. Never unwinds.
extern "C" fn background_publish(state: *const c_void, handle: *mut c_void) {
    // SAFETY: Julia called into Rust on one of its threads.
    let _rust = unsafe { crate::runtime::signals::RustSection::enter() };
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: called with Julia's reference, before it is given up.
        *unsafe { shared(state) }.handle.lock() = Some(handle as usize);
    }));
}

/// Whether the outcome is stored (1) or not yet (0). Never unwinds.
extern "C" fn background_ready(state: *const c_void) -> c_int {
    // SAFETY: called with Julia's reference, before it is given up.
    c_int::from(unsafe { shared(state) }.ready.load(Ordering::Acquire))
}

/// Called before the condition is closed: no thread sends to the handle afterwards.
/// Never unwinds.
extern "C" fn background_unpublish(state: *const c_void) {
    // SAFETY: Julia called into Rust on one of its threads.
    let _rust = unsafe { crate::runtime::signals::RustSection::enter() };
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: called with Julia's reference, before it is given up.
        *unsafe { shared(state) }.handle.lock() = None;
    }));
}

/// Gives up Julia's reference without taking the outcome (the wait was cut short).
/// Never unwinds.
extern "C" fn background_release(state: *const c_void) {
    // SAFETY: Julia called into Rust on one of its threads.
    let _rust = unsafe { crate::runtime::signals::RustSection::enter() };
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the reference `spawn_background_task` made; Julia gives it up once,
        // here or in `background_take`.
        drop(unsafe { Arc::from_raw(state.cast::<Shared>()) });
    }));
}

/// Julia's exit hook: libuv's handles are closed next, so nothing may be sent any more.
/// Never unwinds.
extern "C" fn background_closing() {
    // SAFETY: Julia called into Rust on one of its threads.
    let _rust = unsafe { crate::runtime::signals::RustSection::enter() };
    let _ = catch_unwind(|| *UV_OPEN.write() = false);
}

/// Called by the task once the outcome is stored, on a GC-unsafe Julia thread: boxes the
/// result, or makes the `RustPanic`/`RustError` the task throws. Gives up Julia's
/// reference. Never unwinds and never throws.
extern "C" fn background_take(state: *const c_void) -> *mut sys::jl_value_t {
    // The result stays rooted here until the Rust section has ended.
    let mut stack = RootStack::new();
    // SAFETY: Julia called into Rust on one of its threads.
    let rust = unsafe { crate::runtime::signals::RustSection::enter() };
    let boxed = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the reference `spawn_background_task` made; Julia gives it up once,
        // here or in `background_release`.
        let shared = unsafe { Arc::from_raw(state.cast::<Shared>()) };
        let outcome = shared.outcome.lock().take();
        drop(shared);
        // SAFETY: Julia code called this function, so this is a Julia thread and it is
        // GC-unsafe.
        let _julia = unsafe { Julia::new() };
        let mut frame = stack.frame();
        let made = match outcome {
            Some(Ok(convert)) => match catch_unwind(AssertUnwindSafe(|| convert(&mut frame))) {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(("JlrsCore.RustError", e.to_string())),
                Err(p) => Err(("JlrsCore.RustPanic", panic_message(&*p))),
            },
            Some(Err(message)) => Err(("JlrsCore.RustPanic", message)),
            None => Err((
                "JlrsCore.RustError",
                "the background task ended without a result".into(),
            )),
        };
        let value = match made {
            Ok(v) => v,
            Err((kind, message)) => {
                let msg = frame.box_value(message.as_str());
                frame.call_internal(kind, &[msg]).ok()?
            }
        };
        Some(value.raw())
    }));
    drop(rust);
    // Never a success without a value: if not even the exception could be made, Julia's
    // preallocated `OutOfMemoryError`, which the task throws.
    let out = boxed.ok().flatten().unwrap_or_else(|| {
        // SAFETY: a global constant.
        unsafe { crate::sys::calls::jlrs_core_memory_exception() }
    });
    // The value leaves its root here; nothing allocates before Julia, which receives it
    // as the `ccall`'s result, roots it.
    drop(stack);
    out
}
