//! Calls with keyword arguments: `f(args...; name = value, ...)`.
//!
//! Julia 1.5 has no `Core.kwcall`: a keyword call is a call of the keyword sorter of
//! `typeof(f)` with `(kwargs::NamedTuple, f, args...)`, which the shim makes.

use crate::{error::JlResult, frame::GcFrame, sys_calls as c, tuple::split_names, value::Value};

impl<'scope> Value<'scope> {
    /// Calls this value with positional `args` and keyword arguments `kwargs`:
    /// `f(args...; kwargs...)`. A Julia exception (an unknown keyword, a missing required
    /// one, ...) becomes an error with Julia's own message.
    pub fn call_kw<'t>(
        self,
        frame: &mut GcFrame<'t>,
        args: &[Value<'_>],
        kwargs: &[(&str, Value<'_>)],
    ) -> JlResult<Value<'t>> {
        if kwargs.is_empty() {
            return self.call(frame, args);
        }
        let (mut names, mut vals) = split_names(kwargs)?;
        // `Value` is a transparent pointer, so the slice is the array the shim reads;
        // the shim copies it and never writes to it.
        let raw_args = args
            .as_ptr()
            .cast::<*mut crate::sys::jl_value_t>()
            .cast_mut();
        // SAFETY: all values are rooted and the names are permanent symbols; the shim
        // catches exceptions and returns null; the result is rooted at once.
        unsafe {
            let raw = c::jlrs_core_call_kw(
                self.raw(),
                raw_args,
                args.len(),
                names.as_mut_ptr(),
                vals.as_mut_ptr(),
                names.len(),
            );
            frame.root(raw)
        }
    }
}

impl<'scope> GcFrame<'scope> {
    /// Calls the function found at `path` (see [`GcFrame::global`]) with positional and
    /// keyword arguments.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let m = frame.eval("[1 2; 3 4]")?;
    ///     let dims = frame.box_value(1i64);
    ///     let s = frame.call_kw("sum", &[m], &[("dims", dims)])?; // sum(m; dims = 1)
    ///     assert_eq!(frame.call("string", &[s])?.unbox::<String>()?, "[4 6]");
    ///     Ok::<_, jlrs_core::JuliaError>(())
    /// }).unwrap();
    /// ```
    pub fn call_kw(
        &mut self,
        path: &str,
        args: &[Value<'_>],
        kwargs: &[(&str, Value<'_>)],
    ) -> JlResult<Value<'scope>> {
        let f = self.global(path)?;
        f.call_kw(self, args, kwargs)
    }

    /// [`GcFrame::call_async`] with keyword arguments: `f(args...; kwargs...)` as a
    /// Julia task, awaited without blocking the thread.
    pub async fn call_async_kw(
        &mut self,
        f: Value<'_>,
        args: &[Value<'_>],
        kwargs: &[(&str, Value<'_>)],
    ) -> JlResult<Value<'scope>> {
        let apply = self.global("JlrsCore.kwapply")?;
        let nt = self.new_named_tuple(kwargs)?;
        let mut all = Vec::with_capacity(args.len() + 2);
        all.push(f);
        all.push(nt);
        all.extend_from_slice(args);
        self.call_async(apply, &all).await
    }
}
