//! The C shim's functions for keyword calls, tuples, fields and bits layouts
//! (`csrc/calls.c`).

use std::ffi::{c_char, c_int, c_void};

use crate::sys::{jl_sym_t, jl_value_t};

extern "C" {
    pub(crate) fn jlrs_core_is_nothing(v: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_core_nothing() -> *mut jl_value_t;
    pub(crate) fn jlrs_core_memory_exception() -> *mut jl_value_t;
    pub(crate) fn jlrs_core_is_tuple(v: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_core_nfields(v: *mut jl_value_t) -> usize;
    pub(crate) fn jlrs_core_field_index(v: *mut jl_value_t, name: *mut jl_sym_t) -> c_int;
    pub(crate) fn jlrs_core_get_field(v: *mut jl_value_t, i: usize) -> *mut jl_value_t;
    pub(crate) fn jlrs_core_bits_kind(t: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_core_datatype_size(t: *mut jl_value_t) -> usize;
    pub(crate) fn jlrs_core_datatype_nfields(t: *mut jl_value_t) -> usize;
    pub(crate) fn jlrs_core_datatype_field_offset(t: *mut jl_value_t, i: usize) -> usize;
    pub(crate) fn jlrs_core_datatype_field_type(t: *mut jl_value_t, i: usize) -> *mut jl_value_t;
    pub(crate) fn jlrs_core_datatype_field_name(t: *mut jl_value_t, i: usize) -> *const c_char;
    pub(crate) fn jlrs_core_new_bits(t: *mut jl_value_t, data: *const c_void) -> *mut jl_value_t;
    pub(crate) fn jlrs_core_data_ptr(v: *mut jl_value_t) -> *const c_void;
}
