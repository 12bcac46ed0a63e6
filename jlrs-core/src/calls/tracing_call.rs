//! Traced calls: calls whose exception carries the frames it was thrown through, as data
//! ([`JuliaException::backtrace`](crate::JuliaException::backtrace)).
//!
//! The frames are found in Julia, inside the `catch` that catches the exception
//! (`stacktrace(catch_backtrace())`, in `src/julia/stacktrace.jl`), and the exception is
//! thrown again as a `JlrsCore.TracedException` that Rust reads as the exception it wraps
//! with those frames (`traced.rs`). Only these calls pay for it: [`Value::call`] looks for
//! no frames.

use crate::{error::JlResult, rooting::frame::GcFrame, values::value::Value};

impl<'scope> Value<'scope> {
    /// Calls this value with `args`, as [`Value::call`] does; a Julia exception becomes an
    /// error whose [`backtrace`](crate::JuliaException::backtrace) holds the frames from
    /// where it was thrown up to this call, innermost first.
    ///
    /// The error's type and message are those of the exception itself. Finding the
    /// frames costs time (Julia looks up each frame's function, file and line), but only
    /// when the call throws.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, JuliaError, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let code = "function checked_sqrt(x)\n    x < 0 && throw(DomainError(x))\n    sqrt(x)\nend";
    ///     let f = frame.include_string(code, "checked.jl")?;
    ///     let x = frame.box_value(-1.0f64);
    ///     let Err(JuliaError::Exception(e)) = f.tracing_call(&mut frame, &[x]) else {
    ///         panic!("expected an exception")
    ///     };
    ///     assert_eq!(e.type_name(), "DomainError");
    ///     let top = &e.backtrace().unwrap()[0];
    ///     assert_eq!((top.function.as_str(), top.file.as_str(), top.line), ("checked_sqrt", "checked.jl", 2));
    ///     Ok::<_, JuliaError>(())
    /// }).unwrap();
    /// ```
    pub fn tracing_call<'t>(
        self,
        frame: &mut GcFrame<'t>,
        args: &[Value<'_>],
    ) -> JlResult<Value<'t>> {
        self.tracing_call_kw(frame, args, &[])
    }

    /// [`Value::tracing_call`] with keyword arguments: `f(args...; kwargs...)`, as
    /// [`Value::call_kw`].
    pub fn tracing_call_kw<'t>(
        self,
        frame: &mut GcFrame<'t>,
        args: &[Value<'_>],
        kwargs: &[(&str, Value<'_>)],
    ) -> JlResult<Value<'t>> {
        let traced = frame.global("JlrsCore.traced_call")?;
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self);
        all.extend_from_slice(args);
        traced.call_kw(frame, &all, kwargs)
    }

    /// This value wrapped in a Julia function that calls it with the arguments it gets
    /// and, when it throws, throws a `JlrsCore.TracedException` instead, with the fields
    /// `exc` (the exception) and `stacktrace` (Julia's `StackFrame`s from where it was
    /// thrown up to the wrapper).
    ///
    /// Rust reports that exception as `exc` itself, with the frames as its
    /// [`backtrace`](crate::JuliaException::backtrace), through whatever call reached the
    /// wrapper: [`Value::call`], [`Value::call_kw`], [`GcFrame::call_async`], or Julia code
    /// the wrapper was handed to. [`Value::call_catch`] returns the `TracedException`
    /// itself; in Julia, `showerror` prints `exc` and the frames.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, JuliaError, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let inv = frame.include_string("inverse(x) = x == 0 ? error(\"zero\") : 1 / x", "inv.jl")?;
    ///     let traced = inv.attach_stacktrace(&mut frame)?;
    ///     let xs = frame.eval("[1.0, 0.0]")?;
    ///     let Err(JuliaError::Exception(e)) = frame.call("map", &[traced, xs]) else {
    ///         panic!("expected an exception")
    ///     };
    ///     assert_eq!(e.message(), "zero");
    ///     assert!(e.backtrace().unwrap().iter().any(|f| f.function == "inverse"));
    ///     Ok::<_, JuliaError>(())
    /// }).unwrap();
    /// ```
    pub fn attach_stacktrace<'t>(self, frame: &mut GcFrame<'t>) -> JlResult<Value<'t>> {
        frame.call_internal("JlrsCore.attach_stacktrace", &[self])
    }
}

impl<'scope> GcFrame<'scope> {
    /// Calls the function found at `path` (see [`GcFrame::global`]) with `args`, as
    /// [`Value::tracing_call`] does: an exception carries its frames.
    pub fn tracing_call(&mut self, path: &str, args: &[Value<'_>]) -> JlResult<Value<'scope>> {
        let f = self.global(path)?;
        f.tracing_call(self, args)
    }
}
