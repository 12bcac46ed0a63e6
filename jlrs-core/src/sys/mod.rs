//! The raw foreign interface: the C shim's functions and the layout-free parts of Julia's
//! API (`julia.rs`).
//!
//! Nothing outside this crate sees these items. No Rust code reads a field of a Julia
//! struct; whatever depends on a layout goes through the C shim (`csrc/*.c`).

pub(crate) mod calls;
pub(crate) mod julia;

use std::ffi::{c_char, c_int, c_void};

pub(crate) use crate::sys::julia::{
    jl_atexit_hook, jl_base_module, jl_bool_type, jl_box_bool, jl_box_char, jl_box_float32,
    jl_box_float64, jl_box_int16, jl_box_int32, jl_box_int64, jl_box_int8, jl_box_uint16,
    jl_box_uint32, jl_box_uint64, jl_box_uint8, jl_call, jl_char_type, jl_core_module,
    jl_eval_string, jl_float32_type, jl_float64_type, jl_gc_enable, jl_gc_is_enabled,
    jl_gc_safepoint, jl_get_global, jl_int16_type, jl_int32_type, jl_int64_type, jl_int8_type,
    jl_main_module, jl_module_t, jl_pchar_to_string, jl_string_type, jl_sym_t, jl_symbol,
    jl_typeof_str, jl_uint16_type, jl_uint32_type, jl_uint64_type, jl_uint8_type, jl_unbox_float32,
    jl_unbox_float64, jl_unbox_int16, jl_unbox_int32, jl_unbox_int64, jl_unbox_int8,
    jl_unbox_uint16, jl_unbox_uint32, jl_unbox_uint64, jl_unbox_uint8, jl_value_t,
};

/// A root scanner callback, called by Julia's GC while the world is stopped.
pub(crate) type RootScanner = extern "C" fn(full: c_int);

extern "C" {
    pub(crate) fn jlrs_core_init(bindir: *const c_char, image: *const c_char, nthreads: c_int);
    pub(crate) fn jlrs_core_n_threads() -> c_int;
    pub(crate) fn jlrs_core_thread_id() -> c_int;
    pub(crate) fn jlrs_core_typeof(v: *mut jl_value_t) -> *mut jl_value_t;
    pub(crate) fn jlrs_core_string_data(s: *mut jl_value_t) -> *const c_char;
    pub(crate) fn jlrs_core_string_len(s: *mut jl_value_t) -> usize;
    pub(crate) fn jlrs_core_is_module(v: *mut jl_value_t) -> c_int;
    pub(crate) fn jlrs_core_exception_occurred() -> *mut jl_value_t;
    pub(crate) fn jlrs_core_exception_clear();
    pub(crate) fn jlrs_core_gc_collect(full: c_int);
    pub(crate) fn jlrs_core_set_root_scanner(cb: RootScanner);
    pub(crate) fn jlrs_core_mark(v: *mut jl_value_t);
    pub(crate) fn jlrs_core_gc_safe_enter() -> i8;
    pub(crate) fn jlrs_core_gc_safe_leave(state: i8);
    pub(crate) fn jlrs_core_gc_unsafe_enter() -> i8;
    pub(crate) fn jlrs_core_gc_unsafe_leave(state: i8);
    pub(crate) fn jlrs_core_gc_state() -> i8;
    pub(crate) fn jlrs_core_uv_async_send(handle: *mut c_void) -> c_int;
    pub(crate) fn jlrs_core_cpu_limit() -> std::ffi::c_long;
    pub(crate) fn jlrs_core_cpus_raised_answers() -> std::ffi::c_long;
    pub(crate) fn jlrs_core_libjulia_path() -> *const c_char;
    pub(crate) fn jlrs_core_check_image(path: *const c_char, keep: c_int) -> *const c_char;
}

// Idle hosted threads (`csrc/idle.c`).
extern "C" {
    pub(crate) fn jlrs_core_idle_ptls() -> *mut c_void;
    pub(crate) fn jlrs_core_idle_init() -> c_int;
    pub(crate) fn jlrs_core_idle_state_of(ptls: *mut c_void) -> c_int;
    pub(crate) fn jlrs_core_idle_wake(ptls: *mut c_void);
}
