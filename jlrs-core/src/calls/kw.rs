//! Calls with keyword arguments: `f(args...; name = value, ...)`.
//!
//! Julia 1.5 has no `Core.kwcall`: a keyword call is a call of the keyword sorter of
//! `typeof(f)` with `(kwargs::NamedTuple, f, args...)`, which the shim makes. The type of
//! the named tuple is made once per set of names and value types ([`cache`]), for keyword
//! calls and for [`GcFrame::new_named_tuple`] alike. The keyword arguments are pairs or a
//! named tuple ([`kwargs`]); a named tuple is passed to the sorter as it is.

mod cache;
pub(crate) mod kwargs;

use crate::{
    calls::kw::kwargs::{AsKwargs, Form},
    error::JlResult,
    rooting::frame::GcFrame,
    sys::jl_value_t,
    values::value::Value,
};

// The C shim's half (`csrc/named_tuple.c`; the cached types' in `cache.rs`).
extern "C" {
    fn jlrs_core_call_kw_named_tuple(
        f: *mut jl_value_t,
        args: *mut *mut jl_value_t,
        nargs: usize,
        kwargs: *mut jl_value_t,
    ) -> *mut jl_value_t;
}

impl<'scope> Value<'scope> {
    /// Calls this value with positional `args` and keyword arguments `kwargs`:
    /// `f(args...; kwargs...)`. A Julia exception (an unknown keyword, a missing required
    /// one, ...) becomes an error with Julia's own message.
    ///
    /// `kwargs` are `(name, value)` pairs (`&[("dims", one)]`, a `Vec`) or a
    /// [`NamedTuple`](crate::NamedTuple), such as one Julia code made (see [`AsKwargs`]);
    /// a name given twice is [`JuliaError::DuplicateName`](crate::JuliaError::DuplicateName),
    /// a [`Value`] that is not a named tuple [`JuliaError::WrongType`](crate::JuliaError::WrongType).
    pub fn call_kw<'t>(
        self,
        frame: &mut GcFrame<'t>,
        args: &[Value<'_>],
        kwargs: impl AsKwargs,
    ) -> JlResult<Value<'t>> {
        let kwargs = kwargs.as_kwargs().form()?;
        if kwargs.len() == 0 {
            return self.call(frame, args);
        }
        crate::calls::callable::check_callable()?;
        // `Value` is a transparent pointer, so the slice is the array the shim reads;
        // the shim copies it and never writes to it.
        let raw_args = args.as_ptr().cast::<*mut jl_value_t>().cast_mut();
        let kwargs = match kwargs {
            Form::Pairs(pairs) => pairs,
            Form::NamedTuple(nt) => {
                // SAFETY: all values are rooted, `nt` is a named tuple; the shim catches
                // exceptions and returns null; the result is rooted at once. The section
                // is entered on this GC-unsafe Julia thread right around the call.
                return unsafe {
                    let raw = {
                        // Ctrl-C may interrupt the Julia code of this call, as in `Value::call`.
                        let _section = crate::runtime::signals::JuliaSection::enter();
                        jlrs_core_call_kw_named_tuple(
                            self.raw(),
                            raw_args,
                            args.len(),
                            nt.as_value().raw(),
                        )
                    };
                    frame.root(raw)
                };
            }
        };
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
    /// keyword arguments (pairs or a named tuple, as for [`Value::call_kw`]).
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
        kwargs: impl AsKwargs,
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
    /// Julia task, awaited without blocking the thread. The keyword arguments are pairs
    /// or a named tuple, as for [`Value::call_kw`].
    pub async fn call_async_kw(
        &mut self,
        f: Value<'_>,
        args: &[Value<'_>],
        kwargs: impl AsKwargs,
    ) -> JlResult<Value<'scope>> {
        let apply = self.global("JlrsCore.kwapply")?;
        let nt = match kwargs.as_kwargs().form()? {
            Form::Pairs(pairs) => self.new_named_tuple(pairs)?,
            Form::NamedTuple(nt) => nt.as_value(),
        };
        let mut all = Vec::with_capacity(args.len() + 2);
        all.push(f);
        all.push(nt);
        all.extend_from_slice(args);
        self.call_async(apply, &all).await
    }
}
