//! What an array value is (its rank, dimensions and length, read through the shim) and
//! the text of a value for error messages.

use super::ffi;
use crate::{sys, values::value::Value};

pub(crate) fn rank(v: Value<'_>) -> usize {
    // SAFETY: `v` is a rooted array.
    unsafe { ffi::jlrs_array_rank(v.raw()) as usize }
}

pub(crate) fn dims(v: Value<'_>) -> Vec<usize> {
    (0..rank(v))
        // SAFETY: `v` is a rooted array and `i` is below its rank.
        .map(|i| unsafe { ffi::jlrs_array_dim(v.raw(), i as i32) })
        .collect()
}

pub(crate) fn len(v: Value<'_>) -> usize {
    // SAFETY: `v` is a rooted array.
    unsafe { ffi::jlrs_array_len(v.raw()) }
}

/// `string(v)` in Julia, or the name of `v`'s type if that fails.
///
/// # Safety
/// `v` is a valid, rooted value and this thread may call Julia.
pub(crate) unsafe fn raw_string(v: *mut sys::jl_value_t) -> String {
    // SAFETY: the caller's contract; the shim catches exceptions; the string is copied
    // before the next allocation.
    unsafe {
        let s = ffi::jlrs_value_string(v);
        if s.is_null() {
            crate::values::strings::type_name(v)
        } else {
            crate::values::strings::string_of(s)
        }
    }
}

/// `string(v)` in Julia (for a type: its full name with parameters).
pub(crate) fn value_string(v: Value<'_>) -> String {
    // SAFETY: a `Value` is rooted and only exists where Julia may be called.
    unsafe { raw_string(v.raw()) }
}

/// The full name of `v`'s type, e.g. `Array{Int64,2}`.
pub(crate) fn type_string(v: Value<'_>) -> String {
    // SAFETY: a value's type is rooted by the value (types are never freed anyway).
    unsafe { raw_string(sys::jlrs_core_typeof(v.raw())) }
}
