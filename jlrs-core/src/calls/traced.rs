//! Reading a `JlrsCore.TracedException` (`src/julia/stacktrace.jl`): the exception it
//! wraps, and its frames as [`StackFrame`]s.
//!
//! Works on raw, rooted values, for `exception.rs`, which describes an exception before
//! any frame exists for it.

use crate::{
    calls::stack_frame::StackFrame, rooting::roots::Slots, sys, sys::calls as sys_calls,
    values::strings::string_of, values::symbol::symbol,
};

/// The global `JlrsCore.<name>`, or `None` if it does not exist (yet).
fn core_global(name: &str) -> Option<*mut sys::jl_value_t> {
    let core = symbol("JlrsCore").ok()?;
    let name = symbol(name).ok()?;
    // SAFETY: the caller may call Julia; jl_get_global does not throw and returns null
    // for an undefined binding. `JlrsCore` and its globals are constants, rooted by
    // their modules.
    unsafe {
        let module = sys::jl_get_global(sys::jl_main_module, core);
        if module.is_null() || sys::jlrs_core_is_module(module) == 0 {
            return None;
        }
        let value = sys::jl_get_global(module.cast(), name);
        (!value.is_null()).then_some(value)
    }
}

/// If `exc` is a `JlrsCore.TracedException`: the exception it wraps (rooted by `exc`)
/// and its frames. Frames that cannot be read are left out.
///
/// # Safety
/// The thread may call Julia now, and `exc` is a valid value rooted in `slots`.
pub(crate) unsafe fn unwrap(
    slots: &Slots,
    exc: *mut sys::jl_value_t,
) -> Option<(*mut sys::jl_value_t, Vec<StackFrame>)> {
    let traced = core_global("TracedException")?;
    // SAFETY: `exc` is valid (the caller's contract).
    if unsafe { sys::jlrs_core_typeof(exc) } != traced {
        return None;
    }
    // SAFETY: a `TracedException` has the wrapped exception as its first field, a
    // pointer field: no allocation, and it is rooted by `exc`.
    let inner = unsafe { sys_calls::jlrs_core_get_field(exc, 0) };
    if inner.is_null() {
        return None;
    }
    // SAFETY: the caller's contract.
    let frames = unsafe { frames(slots, exc) };
    Some((inner, frames))
}

/// The frames of the rooted `TracedException` `exc`, read from
/// `JlrsCore.plain_frames(exc)`: a tuple of `(function, file, module, line, flags)`.
///
/// # Safety
/// As for [`unwrap`].
unsafe fn frames(slots: &Slots, exc: *mut sys::jl_value_t) -> Vec<StackFrame> {
    let Some(plain_frames) = core_global("plain_frames") else {
        return Vec::new();
    };
    // SAFETY: the caller's contract; jl_call catches exceptions (cleared here, the
    // frames are then left out). The tuple is rooted before anything else allocates;
    // each frame tuple (stored inline, so `get_field` copies it) is rooted before its
    // fields are read. A field read from a frame is a `String` rooted by it, or a boxed
    // `Int` unboxed before the next allocation.
    unsafe {
        let mut args = [exc];
        let tuple = sys::jl_call(plain_frames, args.as_mut_ptr(), 1);
        if tuple.is_null() {
            sys::jlrs_core_exception_clear();
            return Vec::new();
        }
        slots.push(tuple);
        let n = sys_calls::jlrs_core_nfields(tuple);
        let mut frames = Vec::with_capacity(n);
        for i in 0..n {
            let frame = sys_calls::jlrs_core_get_field(tuple, i);
            if frame.is_null() || sys_calls::jlrs_core_nfields(frame) != 5 {
                continue;
            }
            slots.push(frame);
            let module = text_field(frame, 2);
            let flags = int_field(frame, 4);
            frames.push(StackFrame {
                function: text_field(frame, 0),
                file: text_field(frame, 1),
                line: u32::try_from(int_field(frame, 3)).unwrap_or(0),
                module: (!module.is_empty()).then_some(module),
                inlined: flags & 1 != 0,
                from_c: flags & 2 != 0,
            });
        }
        frames
    }
}

/// Field `i` of the rooted tuple `frame` if it is a `String`, else `""`.
///
/// # Safety
/// `frame` is a valid, rooted tuple with more than `i` fields.
unsafe fn text_field(frame: *mut sys::jl_value_t, i: usize) -> String {
    // SAFETY: the caller's contract; a `String` field is a pointer, rooted by `frame`.
    unsafe {
        let v = sys_calls::jlrs_core_get_field(frame, i);
        if v.is_null() || sys::jlrs_core_typeof(v) != sys::jl_string_type.cast() {
            return String::new();
        }
        string_of(v)
    }
}

/// Field `i` of the rooted tuple `frame` if it is an `Int64`, else 0.
///
/// # Safety
/// `frame` is a valid, rooted tuple with more than `i` fields.
unsafe fn int_field(frame: *mut sys::jl_value_t, i: usize) -> i64 {
    // SAFETY: the caller's contract; the boxed `Int` is read before anything else
    // allocates.
    unsafe {
        let v = sys_calls::jlrs_core_get_field(frame, i);
        if v.is_null() || sys::jlrs_core_typeof(v) != sys::jl_int64_type.cast() {
            return 0;
        }
        sys::jl_unbox_int64(v)
    }
}
