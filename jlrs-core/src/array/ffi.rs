//! The array half of the C shim (`csrc/array.c`): every read of a Julia array's fields.

use std::ffi::{c_int, c_void};

pub(crate) use crate::sys::julia::jl_datatype_t;

use crate::sys::jl_value_t;

extern "C" {
    pub(crate) fn jlrs_array_is_array(v: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_array_eltype(a: *mut jl_value_t) -> *mut jl_value_t;
    pub(crate) fn jlrs_array_data(a: *mut jl_value_t) -> *mut c_void;
    pub(crate) fn jlrs_array_len(a: *mut jl_value_t) -> usize;
    pub(crate) fn jlrs_array_rank(a: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_array_dim(a: *mut jl_value_t, i: c_int) -> usize;
    pub(crate) fn jlrs_array_is_bits(a: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_type_is_bits(t: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_type_size(t: *mut jl_value_t) -> usize;
    pub(crate) fn jlrs_type_elsize(t: *mut jl_value_t) -> usize;
    pub(crate) fn jlrs_array_new(
        eltype: *mut jl_value_t,
        rank: usize,
        dims: *const usize,
        zero: c_int,
    ) -> *mut jl_value_t;
    pub(crate) fn jlrs_array_from_ptr(
        eltype: *mut jl_value_t,
        data: *mut c_void,
        rank: usize,
        dims: *const usize,
        finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
    ) -> *mut jl_value_t;
    pub(crate) fn jlrs_array_detach(a: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_array_detach_owned(a: *mut jl_value_t, start: usize, end: usize) -> c_int;
    pub(crate) fn jlrs_array_how(a: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_array_elsize(a: *mut jl_value_t) -> usize;
    pub(crate) fn jlrs_array_owner(a: *mut jl_value_t) -> *mut jl_value_t;
    pub(crate) fn jlrs_array_set_shared(a: *mut jl_value_t);
    pub(crate) fn jlrs_array_ref(a: *mut jl_value_t, i: usize) -> *mut jl_value_t;
    pub(crate) fn jlrs_array_set(a: *mut jl_value_t, v: *mut jl_value_t, i: usize) -> c_int;
    pub(crate) fn jlrs_value_string(v: *mut jl_value_t) -> *mut jl_value_t;
}
