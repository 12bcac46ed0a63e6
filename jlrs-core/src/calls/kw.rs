//! Calls with keyword arguments: `f(args...; name = value, ...)`.
//!
//! Julia 1.5 has no `Core.kwcall`: a keyword call is a call of the keyword sorter of
//! `typeof(f)` with `(kwargs::NamedTuple, f, args...)`, which the shim makes. The type of
//! the named tuple is made once per set of names and value types ([`cache`]), for keyword
//! calls and for [`GcFrame::new_named_tuple`] alike.

mod cache;

use crate::{error::JlResult, rooting::frame::GcFrame, values::value::Value};

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
        crate::calls::callable::check_callable()?;
        // `Value` is a transparent pointer, so the slice is the array the shim reads;
        // the shim copies it and never writes to it.
        let raw_args = args
            .as_ptr()
            .cast::<*mut crate::sys::jl_value_t>()
            .cast_mut();
        cache::with_raw(kwargs, |vals, types| {
            let nt_type = cache::named_tuple_type(frame, kwargs, vals, types)?;
            // SAFETY: all values are rooted, and `nt_type` is the named-tuple type of
            // `kwargs` (alive at least as long as `frame`); the shim catches exceptions
            // and returns null; the result is rooted at once. The section is entered on
            // this GC-unsafe Julia thread right around the call.
            unsafe {
                let raw = {
                    // Ctrl-C may interrupt the Julia code of this call, as in `Value::call`.
                    let _section = crate::runtime::signals::JuliaSection::enter();
                    cache::jlrs_core_call_kw_typed(
                        self.raw(),
                        raw_args,
                        args.len(),
                        nt_type,
                        vals.as_mut_ptr(),
                        vals.len(),
                    )
                };
                frame.root(raw)
            }
        })
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

    /// The named tuple `(; name = value, ...)`, in the order given.
    ///
    /// An empty name list gives `NamedTuple()`; a name given twice is an error.
    pub fn new_named_tuple(&mut self, fields: &[(&str, Value<'_>)]) -> JlResult<Value<'scope>> {
        crate::calls::callable::check_callable()?;
        cache::with_raw(fields, |vals, types| {
            let nt_type = cache::named_tuple_type(self, fields, vals, types)?;
            // SAFETY: the values are rooted, and `nt_type` is their named-tuple type
            // (alive at least as long as this frame); the shim catches exceptions and
            // returns null; the result is rooted at once.
            unsafe {
                let raw =
                    cache::jlrs_core_new_typed_named_tuple(nt_type, vals.as_mut_ptr(), vals.len());
                self.root(raw)
            }
        })
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
