//! Rust strings read from raw Julia values: the text of a `String`, the name of a value's
//! type, and the name of a field. They read values without rooting them, so they sit
//! below every module that needs them (conversions, exceptions, fields, bits types,
//! arrays, [`Value`](crate::Value)).

use std::ffi::CStr;

use crate::{sys, sys::calls as sys_calls};

/// Copies a Julia `String` for a message (lossily, if it is not valid UTF-8): exception
/// texts and type names. Values are unboxed with [`string_bytes_of`] instead, which keeps
/// every byte.
///
/// # Safety
/// `s` is a valid Julia `String`.
pub(crate) unsafe fn string_of(s: *mut sys::jl_value_t) -> String {
    // SAFETY: the caller's contract.
    let bytes = unsafe { string_bytes_of(s) };
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Copies the bytes of a Julia `String`, exactly as Julia holds them (Julia's strings may
/// hold any bytes, not only UTF-8).
///
/// # Safety
/// `s` is a valid Julia `String`.
pub(crate) unsafe fn string_bytes_of(s: *mut sys::jl_value_t) -> Vec<u8> {
    // SAFETY: the caller's contract; the data pointer and length describe the bytes,
    // which are copied before anything else can run.
    unsafe {
        std::slice::from_raw_parts(
            sys::jlrs_core_string_data(s).cast::<u8>(),
            sys::jlrs_core_string_len(s),
        )
    }
    .to_vec()
}

/// The name of a value's type, without parameters.
pub(crate) fn type_name(v: *mut sys::jl_value_t) -> String {
    // SAFETY: `v` is a valid value; jl_typeof_str returns a static, NUL-terminated name.
    unsafe { CStr::from_ptr(sys::jl_typeof_str(v)) }
        .to_string_lossy()
        .into_owned()
}

/// The name of field `i` (0-based) of the datatype `ty`: `"1"`, `"2"`, ... for a tuple
/// type, whose fields are numbered.
///
/// # Safety
/// `ty` is a valid `DataType` with a layout, and `i` is less than its number of fields.
pub(crate) unsafe fn field_name(ty: *mut sys::jl_value_t, i: usize) -> String {
    // SAFETY: the caller's contract; a field's name is a symbol, whose name is a static,
    // NUL-terminated string.
    unsafe {
        let p = sys_calls::jlrs_core_datatype_field_name(ty, i);
        if p.is_null() {
            (i + 1).to_string()
        } else {
            CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    }
}
