//! Julia symbols, made from Rust strings.

use std::ffi::CString;

use crate::{error::JlResult, error::JuliaError, sys};

/// Makes a symbol; symbols are never collected.
pub(crate) fn symbol(name: &str) -> JlResult<*mut sys::jl_sym_t> {
    let c = CString::new(name).map_err(|_| JuliaError::NulByte(name.to_string()))?;
    // SAFETY: the string is NUL-terminated; symbols are permanently rooted.
    Ok(unsafe { sys::jl_symbol(c.as_ptr()) })
}
