//! Raw pointers as Julia's `Ptr`: `*mut T` and `*const T` box as `Ptr{T}` (`Ptr{Cvoid}`
//! for `c_void` and for types without a Julia bits type), and any `Ptr` unboxes to them.

use std::ffi::{c_int, c_void};

use crate::{
    bits::layout::Layout,
    convert::{IntoJulia, Unbox},
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    sys::jl_value_t,
    values::value::Value,
};

extern "C" {
    fn jlrs_core_is_pointer(v: *mut jl_value_t) -> c_int;
    fn jlrs_core_box_voidpointer(p: *mut c_void) -> *mut jl_value_t;
    fn jlrs_core_unbox_pointer(v: *mut jl_value_t) -> *mut c_void;
}

fn box_void<'s>(frame: &mut GcFrame<'s>, p: *mut c_void) -> Value<'s> {
    // SAFETY: a frame proves the thread may call Julia; boxing a pointer cannot throw;
    // the result is rooted at once.
    unsafe { frame.root(jlrs_core_box_voidpointer(p)) }.expect("boxing a pointer cannot fail")
}

/// The path of a layout's Julia type when Julia reads the type's Rust bits as they are
/// (not a `bool`'s or a `char`'s, whose bits differ in Julia) and it has no parameters.
fn plain_path(layout: Option<&'static Layout>) -> Option<&'static str> {
    layout
        .filter(|l| l.is_plain() && l.params.is_empty())
        .map(|l| l.julia_type)
}

/// `Ptr{T}` with the address `p`, where `T` is the Julia type of `layout`'s path, or
/// `Ptr{Cvoid}` without a layout.
fn box_typed<'s>(
    frame: &mut GcFrame<'s>,
    julia_type: Option<&'static str>,
    p: *mut c_void,
) -> JlResult<Value<'s>> {
    let Some(path) = julia_type else {
        return Ok(box_void(frame, p));
    };
    let ty = frame.global(path)?;
    let ptr_ty = frame.apply_type("Core.Ptr", &[ty])?;
    let bits = p as usize;
    // SAFETY: every `Ptr{X}` is a concrete isbits type of one pointer's size, so
    // jl_new_bits copies exactly the bytes of `bits`; the result is rooted at once.
    unsafe {
        frame.root(crate::sys::calls::jlrs_core_new_bits(
            ptr_ty.raw(),
            (&bits as *const usize).cast(),
        ))
    }
}

// SAFETY: no layout is claimed.
unsafe impl IntoJulia for *mut c_void {
    type Output<'s> = Value<'s>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        box_void(frame, self)
    }
}

// SAFETY: no layout is claimed.
unsafe impl IntoJulia for *const c_void {
    type Output<'s> = Value<'s>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        box_void(frame, self.cast_mut())
    }
}

/// `Ptr{T}` for the Julia type of `T`'s bits layout (`Ptr{Float64}` for `*mut f64`, a
/// derived struct's type for a pointer to it), `Ptr{Cvoid}` for a `T` without one
/// (`bool`, `String`). An error if the Julia type cannot be found.
// SAFETY: no layout is claimed.
unsafe impl<T: IntoJulia> IntoJulia for *mut T {
    type Output<'s> = JlResult<Value<'s>>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        box_typed(frame, plain_path(T::LAYOUT), self.cast())
    }
}

/// As for `*mut T`.
// SAFETY: no layout is claimed.
unsafe impl<T: IntoJulia> IntoJulia for *const T {
    type Output<'s> = JlResult<Value<'s>>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        box_typed(frame, plain_path(T::LAYOUT), self.cast_mut().cast())
    }
}

fn unbox_pointer(v: Value<'_>) -> JlResult<*mut c_void> {
    if !is_pointer(v) {
        return Err(JuliaError::WrongType {
            expected: "Ptr".into(),
            found: v.type_name(),
        });
    }
    // SAFETY: a `Ptr` value: its data is one pointer.
    Ok(unsafe { jlrs_core_unbox_pointer(v.raw()) })
}

fn is_pointer(v: Value<'_>) -> bool {
    // SAFETY: the value is valid.
    unsafe { jlrs_core_is_pointer(v.raw()) != 0 }
}

/// Any `Ptr{X}` unboxes to a pointer of any type: the address is copied, nothing is
/// read through it (dereferencing it is `unsafe`, and its type is the caller's claim).
// SAFETY: no layout is claimed.
unsafe impl<T> Unbox for *mut T {
    const JULIA_TYPE: &'static str = "Ptr";

    fn is_type_of(v: Value<'_>) -> bool {
        is_pointer(v)
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        unbox_pointer(v).map(|p| p.cast())
    }
}

/// As for `*mut T`.
// SAFETY: no layout is claimed.
unsafe impl<T> Unbox for *const T {
    const JULIA_TYPE: &'static str = "Ptr";

    fn is_type_of(v: Value<'_>) -> bool {
        is_pointer(v)
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        unbox_pointer(v).map(|p| p.cast_const().cast())
    }
}
