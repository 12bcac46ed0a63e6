//! `call_catch`: a call whose Julia exception comes back as a rooted value.

use crate::{error::JlResult, rooting::frame::GcFrame, sys, values::value::Value};

impl<'scope> Value<'scope> {
    /// Calls this value with `args`; a Julia exception is returned as `Ok(Err(e))`, with
    /// `e` the exception object rooted in `frame`, instead of being converted to text.
    ///
    /// The outer `Err` is for failures outside the call (such as a thread that may not
    /// call Julia now). Ctrl-C may interrupt the call as it does [`Value::call`]; the
    /// `InterruptException` then comes back as `Ok(Err(e))`.
    pub fn call_catch<'t>(
        self,
        frame: &mut GcFrame<'t>,
        args: &[Value<'_>],
    ) -> JlResult<Result<Value<'t>, Value<'t>>> {
        crate::calls::callable::check_callable()?;
        let n = i32::try_from(args.len()).expect("fewer than 2^31 arguments");
        let raw_args = args.as_ptr().cast::<*mut sys::jl_value_t>().cast_mut();
        // SAFETY: all arguments are rooted; jl_call catches exceptions and returns null;
        // the result, or the pending exception, is rooted at once and the exception is
        // cleared. The section is entered on this GC-unsafe Julia thread right around the
        // call.
        unsafe {
            let raw = {
                // Ctrl-C may interrupt the Julia code of this call, as in `Value::call`.
                let _section = crate::runtime::signals::JuliaSection::enter();
                sys::jl_call(self.raw(), raw_args, n)
            };
            if !raw.is_null() {
                return Ok(Ok(frame.root(raw)?));
            }
            let exc = sys::jlrs_core_exception_occurred();
            if exc.is_null() {
                // No exception to return: rooting null reports that as an error.
                return frame.root(raw).map(Ok);
            }
            let exc = frame.root(exc)?;
            sys::jlrs_core_exception_clear();
            Ok(Err(exc))
        }
    }
}
