//! Turning the pending Julia exception of a thread into an [`Error`].

use std::ffi::CStr;

use crate::{error::JuliaException, frame::symbol, roots::Slots, sys, Error};

/// Takes the pending exception of this thread: its type name and `showerror` text.
///
/// The exception is cleared. Called right after a Julia call returned null.
pub(crate) fn take(slots: &Slots) -> Error {
    // SAFETY: the caller is on a GC-unsafe Julia thread (it holds a frame).
    let exc = unsafe { sys::jlrs_core_exception_occurred() };
    if exc.is_null() {
        return JuliaException::new(
            "UnknownError".into(),
            "a Julia call failed without an exception".into(),
        )
        .into();
    }
    let mark = slots.len();
    // SAFETY: `exc` is valid; rooting it keeps it alive while we describe it. Clearing
    // afterwards is required before the next call.
    unsafe {
        slots.push(exc);
        sys::jlrs_core_exception_clear();
    }
    let type_name = type_name(exc);
    let message = show_error(exc).unwrap_or_else(|| "<showerror failed>".into());
    // SAFETY: nothing rooted above `mark` is used after this point.
    unsafe { slots.truncate(mark) };
    JuliaException::new(type_name, message).into()
}

/// The name of a value's type, without parameters.
pub(crate) fn type_name(v: *mut sys::jl_value_t) -> String {
    // SAFETY: `v` is a valid value; jl_typeof_str returns a static, NUL-terminated name.
    unsafe { CStr::from_ptr(sys::jl_typeof_str(v)) }
        .to_string_lossy()
        .into_owned()
}

/// `sprint(showerror, exc)`, or `None` if that throws too.
fn show_error(exc: *mut sys::jl_value_t) -> Option<String> {
    // SAFETY: Julia is initialised and this thread may call it; `exc` is rooted by the
    // caller; jl_call catches exceptions. `sprint` and `showerror` are constant globals of
    // Base, so they need no rooting; the result string is read before the next allocation.
    unsafe {
        let base = sys::jl_base_module;
        let sprint = sys::jl_get_global(base, symbol("sprint").ok()?);
        let showerror = sys::jl_get_global(base, symbol("showerror").ok()?);
        if sprint.is_null() || showerror.is_null() {
            return None;
        }
        let mut args = [showerror, exc];
        let s = sys::jl_call(sprint, args.as_mut_ptr(), 2);
        if s.is_null() {
            sys::jlrs_core_exception_clear();
            return None;
        }
        if sys::jlrs_core_typeof(s) != sys::jl_string_type.cast() {
            return None;
        }
        Some(crate::convert::string_of(s))
    }
}
