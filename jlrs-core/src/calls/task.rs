//! [`JuliaTask`]: a Julia `Task` held by Rust, and tasks started without being awaited
//! ([`GcFrame::schedule_async`], [`GcFrame::schedule_async_kw`]).
//!
//! A scheduled task is a `Threads.@spawn`ed task, as [`GcFrame::call_async`]'s are: it
//! runs on any Julia thread that waits inside Julia's scheduler (the runtime thread while it
//! waits for work, an idle hosted loop, a thread in [`JuliaTask::fetch`], or a free thread),
//! never pinned to the thread that started it.
//! What it returns or throws is kept in the `Task` object, as Julia keeps it: nothing is
//! lost when nobody waits. [`JuliaTask::fetch`] (or Julia's own `fetch`) reports it later,
//! and [`JuliaTask::is_failed`] tells without waiting.
//!
//! Waiting follows the rule for Julia threads: a thread never waits for a Julia task in
//! Rust. [`JuliaTask::fetch`] waits inside Julia's scheduler (Julia's own wait, so the
//! thread runs other Julia tasks meanwhile, the awaited one included);
//! [`JuliaTask::fetch_async`] awaits without blocking the thread, as `call_async` does.

use std::ffi::c_int;

use crate::{
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    sys::jl_value_t,
    values::value::Value,
};

// The C shim's half (`csrc/task.c`).
extern "C" {
    fn jlrs_core_is_task(v: *mut jl_value_t) -> c_int;
    fn jlrs_core_task_state(t: *mut jl_value_t) -> c_int;
}

/// A Julia `Task`, rooted for `'scope`.
///
/// Made by [`GcFrame::schedule_async`], [`GcFrame::schedule_async_kw`] and
/// [`GcFrame::spawn_background_task`], or from any `Task` value with
/// [`JuliaTask::from_value`].
///
/// ```
/// use jlrs_core::{InitOptions, Runtime};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// rt.julia().scope(|mut frame| {
///     let f = frame.global("sum")?;
///     let v = frame.eval("[1, 2, 3]")?;
///     let task = frame.schedule_async(f, &[v])?; // started, not awaited
///     assert_eq!(task.fetch(&mut frame)?.unbox::<i64>()?, 6);
///     assert!(task.is_done() && !task.is_failed());
///
///     let f = frame.global("sqrt")?;
///     let x = frame.box_value(-1.0f64);
///     let failing = frame.schedule_async(f, &[x])?;
///     let err = failing.fetch(&mut frame).unwrap_err(); // the task's own exception
///     assert!(err.to_string().contains("DomainError"), "{err}");
///     Ok::<_, jlrs_core::JuliaError>(())
/// }).unwrap();
/// ```
///
/// Tasks are bound to their thread, like every value:
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<jlrs_core::JuliaTask<'static>>();
/// ```
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct JuliaTask<'scope>(Value<'scope>);

static_assertions::assert_not_impl_any!(JuliaTask<'static>: Send, Sync);

impl std::fmt::Debug for JuliaTask<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state() {
            0 => "running",
            1 => "done",
            _ => "failed",
        };
        write!(f, "JuliaTask({state})")
    }
}

impl<'scope> JuliaTask<'scope> {
    /// `value` as a task; an error if it is not a `Task`.
    pub fn from_value(value: Value<'scope>) -> JlResult<Self> {
        // SAFETY: the value is valid.
        if unsafe { jlrs_core_is_task(value.raw()) } != 0 {
            Ok(JuliaTask(value))
        } else {
            Err(JuliaError::WrongType {
                expected: "Task".into(),
                found: value.type_name(),
            })
        }
    }

    /// The task as a [`Value`] (to hand it to Julia code, which may `fetch` or `wait` it).
    pub fn as_value(self) -> Value<'scope> {
        self.0
    }

    fn state(self) -> c_int {
        // SAFETY: a task, kept alive by its root; its state is read atomically.
        unsafe { jlrs_core_task_state(self.0.raw()) }
    }

    /// Whether the task has ended, returning or throwing (Julia's `istaskdone`). Does not
    /// wait, and runs nothing: a background task's wake-up is processed only while thread
    /// 1 waits inside Julia, so with a bare [`Runtime`](crate::Runtime) a Rust loop on
    /// thread 1 that polls `is_done` never sees it end; wait with [`JuliaTask::fetch`].
    pub fn is_done(self) -> bool {
        self.state() != 0
    }

    /// Whether the task has ended by throwing (Julia's `istaskfailed`). Does not wait.
    pub fn is_failed(self) -> bool {
        self.state() == 2
    }

    /// Waits for the task to end and roots what it returned in `frame`.
    ///
    /// The thread waits inside Julia's scheduler (Julia's own wait), running other Julia
    /// tasks meanwhile; it never blocks in Rust. If the task threw, the error is the
    /// exception it threw (its own type and message, not a `TaskFailedException`). A
    /// task that waits for itself is an error, not a hang; a task that was never
    /// scheduled is waited for until someone schedules it, as in Julia.
    ///
    /// Other Julia tasks run on top of the caller's Rust frames while it waits: the
    /// caller must not hold a lock or a `RefCell` borrow that one of them may need. On a
    /// pool worker or a `with` thread, that loop's Rust work waits too; on the runtime
    /// thread of the multithreaded or async runtime, its queue and every other async task
    /// wait until the task ends, so the task must not need them. In async code, prefer
    /// [`JuliaTask::fetch_async`], which leaves the thread to other Rust tasks while it
    /// waits.
    pub fn fetch<'t>(self, frame: &mut GcFrame<'t>) -> JlResult<Value<'t>> {
        crate::calls::callable::check_callable()?;
        // An interruptible call: the wait may last as long as the task's own code.
        frame.call("JlrsCore.task_result", &[self.0])
    }

    /// Awaits the end of the task without blocking the thread, and roots what it returned
    /// in `frame`; errors as for [`JuliaTask::fetch`].
    ///
    /// The waiting is a `Threads.@spawn`ed Julia task run by
    /// [`GcFrame::call_async`], which wakes this future when the awaited task has ended.
    pub async fn fetch_async<'t>(self, frame: &mut GcFrame<'t>) -> JlResult<Value<'t>> {
        crate::calls::callable::check_callable()?;
        let wait = frame.global("JlrsCore.wait_quiet")?;
        frame.call_async(wait, &[self.0]).await?;
        // The task has ended: this returns at once.
        frame.call("JlrsCore.task_result", &[self.0])
    }
}

impl<'scope> GcFrame<'scope> {
    /// Starts `f(args...)` as a Julia task (`Threads.@spawn`) and returns it at once,
    /// without waiting for it; the task is rooted in this frame.
    ///
    /// The task runs on any Julia thread that waits inside Julia's scheduler (see
    /// [`GcFrame::call_async`]); with a single Julia thread, it starts once that thread
    /// waits inside Julia's scheduler (in [`JuliaTask::fetch`], say). What `f` returns or
    /// throws is kept in the task until someone fetches it, from Rust
    /// ([`JuliaTask::fetch`], [`JuliaTask::fetch_async`]) or from Julia (`fetch(t)`,
    /// which throws a `TaskFailedException` naming `f`'s exception).
    pub fn schedule_async(
        &mut self,
        f: Value<'_>,
        args: &[Value<'_>],
    ) -> JlResult<JuliaTask<'scope>> {
        crate::calls::callable::check_callable()?;
        let spawned = self.scope(|mut frame| {
            let tuple = frame.call_internal("Core.tuple", args)?;
            frame
                .call_internal("JlrsCore.schedule_call", &[f, tuple])
                .map(|t| t.raw())
        })?;
        // SAFETY: `spawned` (the task) was returned by the last call in the inner scope,
        // with nothing allocated since.
        let task = unsafe { self.root(spawned)? };
        Ok(JuliaTask(task))
    }

    /// [`GcFrame::schedule_async`] with keyword arguments: `f(args...; kwargs...)` as a
    /// Julia task, returned without waiting for it.
    /// `kwargs` are `(name, value)` pairs or a named tuple, as for
    /// [`GcFrame::call_kw`].
    pub fn schedule_async_kw(
        &mut self,
        f: Value<'_>,
        args: &[Value<'_>],
        kwargs: impl crate::calls::kw::kwargs::AsKwargs,
    ) -> JlResult<JuliaTask<'scope>> {
        crate::calls::callable::check_callable()?;
        let spawned = self.scope(|mut frame| {
            let apply = frame.global("JlrsCore.kwapply")?;
            let nt = match kwargs.as_kwargs().form()? {
                crate::calls::kw::kwargs::Form::Pairs(pairs) => frame.new_named_tuple(pairs)?,
                crate::calls::kw::kwargs::Form::NamedTuple(nt) => nt.as_value(),
            };
            let mut all = Vec::with_capacity(args.len() + 2);
            all.push(f);
            all.push(nt);
            all.extend_from_slice(args);
            let tuple = frame.call_internal("Core.tuple", &all)?;
            frame
                .call_internal("JlrsCore.schedule_call", &[apply, tuple])
                .map(|t| t.raw())
        })?;
        // SAFETY: as in `schedule_async`.
        let task = unsafe { self.root(spawned)? };
        Ok(JuliaTask(task))
    }
}

impl crate::convert::Typecheck for JuliaTask<'_> {
    fn typecheck(value: Value<'_>) -> bool {
        JuliaTask::from_value(value).is_ok()
    }
}

impl<'scope> TryFrom<Value<'scope>> for JuliaTask<'scope> {
    type Error = JuliaError;

    fn try_from(value: Value<'scope>) -> JlResult<Self> {
        JuliaTask::from_value(value)
    }
}
