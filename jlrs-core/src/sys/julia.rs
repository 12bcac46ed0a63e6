//! The part of Julia's C API this crate calls directly: functions and globals exported by
//! libjulia 1.5, declared with opaque types. No Rust code reads a Julia struct; layouts
//! live in the C shim. (jlrs-core declares these itself rather than through jl-sys, whose
//! build script needs Julia even for `cargo check` and `cargo doc`; linking is arranged by
//! this crate's build script.)

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::{
    ffi::{c_char, c_int},
    marker::{PhantomData, PhantomPinned},
};

macro_rules! opaque {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[repr(C)]
        pub(crate) struct $name {
            _data: [u8; 0],
            _marker: PhantomData<(*mut u8, PhantomPinned)>,
        }
    )*};
}

opaque!(
    /// Any Julia value.
    jl_value_t,
    /// A Julia module.
    jl_module_t,
    /// A Julia symbol.
    jl_sym_t,
    /// A Julia data type.
    jl_datatype_t,
);

extern "C" {
    pub(crate) static mut jl_base_module: *mut jl_module_t;
    pub(crate) static mut jl_main_module: *mut jl_module_t;
    pub(crate) static mut jl_core_module: *mut jl_module_t;
    pub(crate) static mut jl_bool_type: *mut jl_datatype_t;
    pub(crate) static mut jl_char_type: *mut jl_datatype_t;
    pub(crate) static mut jl_string_type: *mut jl_datatype_t;
    pub(crate) static mut jl_float32_type: *mut jl_datatype_t;
    pub(crate) static mut jl_float64_type: *mut jl_datatype_t;
    pub(crate) static mut jl_int8_type: *mut jl_datatype_t;
    pub(crate) static mut jl_int16_type: *mut jl_datatype_t;
    pub(crate) static mut jl_int32_type: *mut jl_datatype_t;
    pub(crate) static mut jl_int64_type: *mut jl_datatype_t;
    pub(crate) static mut jl_uint8_type: *mut jl_datatype_t;
    pub(crate) static mut jl_uint16_type: *mut jl_datatype_t;
    pub(crate) static mut jl_uint32_type: *mut jl_datatype_t;
    pub(crate) static mut jl_uint64_type: *mut jl_datatype_t;

    pub(crate) fn jl_atexit_hook(status: c_int);
    pub(crate) fn jl_gc_enable(on: c_int) -> c_int;
    pub(crate) fn jl_gc_is_enabled() -> c_int;
    pub(crate) fn jl_gc_safepoint();
    pub(crate) fn jl_eval_string(code: *const c_char) -> *mut jl_value_t;
    pub(crate) fn jl_call(
        f: *mut jl_value_t,
        args: *mut *mut jl_value_t,
        nargs: i32,
    ) -> *mut jl_value_t;
    pub(crate) fn jl_get_global(m: *mut jl_module_t, var: *mut jl_sym_t) -> *mut jl_value_t;
    pub(crate) fn jl_symbol(name: *const c_char) -> *mut jl_sym_t;
    pub(crate) fn jl_pchar_to_string(s: *const c_char, len: usize) -> *mut jl_value_t;
    pub(crate) fn jl_typeof_str(v: *mut jl_value_t) -> *const c_char;

    pub(crate) fn jl_box_bool(x: i8) -> *mut jl_value_t;
    pub(crate) fn jl_box_char(x: u32) -> *mut jl_value_t;
    pub(crate) fn jl_box_float32(x: f32) -> *mut jl_value_t;
    pub(crate) fn jl_box_float64(x: f64) -> *mut jl_value_t;
    pub(crate) fn jl_box_int8(x: i8) -> *mut jl_value_t;
    pub(crate) fn jl_box_int16(x: i16) -> *mut jl_value_t;
    pub(crate) fn jl_box_int32(x: i32) -> *mut jl_value_t;
    pub(crate) fn jl_box_int64(x: i64) -> *mut jl_value_t;
    pub(crate) fn jl_box_uint8(x: u8) -> *mut jl_value_t;
    pub(crate) fn jl_box_uint16(x: u16) -> *mut jl_value_t;
    pub(crate) fn jl_box_uint32(x: u32) -> *mut jl_value_t;
    pub(crate) fn jl_box_uint64(x: u64) -> *mut jl_value_t;

    pub(crate) fn jl_unbox_float32(v: *mut jl_value_t) -> f32;
    pub(crate) fn jl_unbox_float64(v: *mut jl_value_t) -> f64;
    pub(crate) fn jl_unbox_int8(v: *mut jl_value_t) -> i8;
    pub(crate) fn jl_unbox_int16(v: *mut jl_value_t) -> i16;
    pub(crate) fn jl_unbox_int32(v: *mut jl_value_t) -> i32;
    pub(crate) fn jl_unbox_int64(v: *mut jl_value_t) -> i64;
    pub(crate) fn jl_unbox_uint8(v: *mut jl_value_t) -> u8;
    pub(crate) fn jl_unbox_uint16(v: *mut jl_value_t) -> u16;
    pub(crate) fn jl_unbox_uint32(v: *mut jl_value_t) -> u32;
    pub(crate) fn jl_unbox_uint64(v: *mut jl_value_t) -> u64;
}
