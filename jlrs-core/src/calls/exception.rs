//! Turning the pending Julia exception of a thread into a [`JuliaError`].

use crate::{
    error::JuliaError,
    error::JuliaException,
    rooting::roots::Slots,
    sys,
    values::strings::{string_of, type_name},
    values::symbol::symbol,
};

/// Takes the pending exception of this thread: its type name and `showerror` text.
///
/// The exception is cleared. Called right after a Julia call returned null.
pub(crate) fn take(slots: &Slots) -> JuliaError {
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
    let exception = describe(slots, exc, 0);
    // SAFETY: nothing rooted above `mark` is used after this point.
    unsafe { slots.truncate(mark) };
    exception.into()
}

/// How deep nested exceptions are followed.
const MAX_DEPTH: usize = 8;

/// The type, message and nested causes of the rooted exception `exc`; for a
/// `JlrsCore.TracedException`, those of the exception it wraps, with its frames.
fn describe(slots: &Slots, exc: *mut sys::jl_value_t, depth: usize) -> JuliaException {
    if depth < MAX_DEPTH {
        // SAFETY: this thread may call Julia and `exc` is rooted in `slots`.
        if let Some((inner, frames)) = unsafe { crate::calls::traced::unwrap(slots, exc) } {
            return describe(slots, inner, depth + 1).with_backtrace(frames);
        }
    }
    let type_name = type_name(exc);
    let message = show_error(exc).unwrap_or_else(|| "<showerror failed>".into());
    let causes = if depth < MAX_DEPTH {
        nested(slots, exc, depth)
    } else {
        Vec::new()
    };
    JuliaException::new(type_name, message).with_causes(causes)
}

/// The exceptions nested in `exc` (`JlrsCore.nested_exceptions`), described.
fn nested(slots: &Slots, exc: *mut sys::jl_value_t, depth: usize) -> Vec<JuliaException> {
    // SAFETY: this thread may call Julia and `exc` is rooted; jl_call catches exceptions;
    // the tuple is rooted before anything else allocates, and its elements are rooted by
    // it. `JlrsCore` and its functions are constant globals.
    unsafe {
        let Ok(core) = symbol("JlrsCore") else {
            return Vec::new();
        };
        let module = sys::jl_get_global(sys::jl_main_module, core);
        let Ok(name) = symbol("nested_exceptions") else {
            return Vec::new();
        };
        if module.is_null() || sys::jlrs_core_is_module(module) == 0 {
            return Vec::new();
        }
        let f = sys::jl_get_global(module.cast(), name);
        if f.is_null() {
            return Vec::new();
        }
        let mut args = [exc];
        let tuple = sys::jl_call(f, args.as_mut_ptr(), 1);
        if tuple.is_null() {
            sys::jlrs_core_exception_clear();
            return Vec::new();
        }
        slots.push(tuple);
        let n = crate::sys::calls::jlrs_core_nfields(tuple);
        (0..n)
            .filter_map(|i| {
                let inner = crate::sys::calls::jlrs_core_get_field(tuple, i);
                (!inner.is_null()).then(|| describe(slots, inner, depth + 1))
            })
            .collect()
    }
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
        Some(string_of(s))
    }
}
