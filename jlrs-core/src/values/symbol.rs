//! Julia symbols, made from Rust strings (the [`Symbol`](crate::Symbol) value type is in
//! `symbol_value.rs`).

use std::ffi::{c_char, c_int, CString};

use crate::{error::JlResult, error::JuliaError, sys};

// The C shim's half (`csrc/symbol.c`).
extern "C" {
    pub(crate) fn jlrs_core_symbol_name(s: *mut sys::jl_value_t) -> *const c_char;
    pub(crate) fn jlrs_core_is_symbol(v: *mut sys::jl_value_t) -> c_int;
}

/// Makes a symbol; symbols are never collected.
pub(crate) fn symbol(name: &str) -> JlResult<*mut sys::jl_sym_t> {
    let c = CString::new(name).map_err(|_| JuliaError::NulByte(name.to_string()))?;
    // SAFETY: the string is NUL-terminated; symbols are permanently rooted.
    Ok(unsafe { sys::jl_symbol(c.as_ptr()) })
}
