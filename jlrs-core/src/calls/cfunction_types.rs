//! The Rust types an `extern "C"` function of [`GcFrame::define_cfunction`] can take and
//! return ([`CType`], [`CReturn`], typed [`Array`]s), and the Julia method signature each
//! [`CFunction`] gets.
//!
//! Every type here is one `ccall` passes as is (a number, a pointer, a boxed array), so a
//! call costs what a `ccall` costs. Two need care:
//!
//! - **`bool`**: a Julia `Bool` is a byte that Julia code can leave at any value
//!   (`reinterpret(Bool, UInt8[2])[1]`), and `ccall` hands that byte over unchanged when the
//!   method is inlined (checked with Julia 1.5.3), while a Rust `bool` other than 0 or 1 is
//!   undefined behaviour. The method passes the byte's lowest bit (`and_int(x, true)`),
//!   which is what Julia's own `if x` reads; [`JuliaBool`] takes the byte unchanged.
//! - **[`Array`]**: the method takes `Array{T}` of the element's Julia type (any rank), so
//!   an array of another element type is a `MethodError` in Julia before Rust runs; the
//!   function gets a handle whose lifetime is its own call (the function pointer type is
//!   `for<'a> extern "C" fn(Array<'a, T>)`, written `extern "C" fn(Array<'_, T>)`), so the
//!   handle cannot be kept after the call, while the caller's argument roots the array.
//!   Its data is reached through [`Array::data`] and [`Array::data_mut`], checked by the
//!   same borrow ledger as every other array.
//!
//! [`GcFrame::define_cfunction`]: crate::GcFrame::define_cfunction

use std::ffi::c_void;

use crate::{
    array::{Array, ArrayElement, ArrayError, ElementType, JuliaBool},
    error::JlResult,
    rooting::frame::GcFrame,
    values::value::Value,
};

// `ccall` passes a boxed array as one `jl_value_t*`, and `Array` is a transparent handle
// over one.
static_assertions::assert_eq_size!(Array<'static, f64>, *mut c_void);
static_assertions::assert_eq_align!(Array<'static, f64>, *mut c_void);

mod sealed {
    pub trait Sealed {}
}

/// How the Julia method hands an argument to `ccall`: as is.
const AS_IS: &str = "plain";
/// How the Julia method hands a `bool` to `ccall`: its lowest bit, so that Rust sees 0 or 1.
const LOW_BIT: &str = "bool";
/// How the Julia method hands a boxed value to `ccall`: as `Any` (a `jl_value_t*`).
const BOXED: &str = "object";

/// An argument type of the `extern "C"` functions that
/// [`GcFrame::define_cfunction`](crate::GcFrame::define_cfunction) accepts, besides typed
/// [`Array`]s: numbers (`i8`..`u64`, `f32`, `f64`), `bool` (Julia's `Bool`, normalised to 0
/// or 1), [`JuliaBool`] (`Bool`, the byte as Julia holds it), raw pointers `*mut T` and
/// `*const T` (`Ptr{T}` for an [`ArrayElement`] `T` stored as itself, `Ptr{Cvoid}` for
/// `c_void`).
///
/// Sealed: the Julia method and the `ccall` rely on each type's C representation.
pub trait CType: sealed::Sealed + Copy + 'static {
    /// How the method hands the argument to `ccall`.
    #[doc(hidden)]
    const PASS: &'static str = AS_IS;

    /// The Julia type the method takes.
    #[doc(hidden)]
    fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>>;
}

/// A result type of the `extern "C"` functions that
/// [`GcFrame::define_cfunction`](crate::GcFrame::define_cfunction) accepts: a [`CType`]
/// or `()` (`Cvoid`).
///
/// Sealed, as [`CType`].
pub trait CReturn: sealed::Sealed + 'static {
    /// The Julia type of the `ccall`'s result.
    #[doc(hidden)]
    fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>>;
}

/// An `extern "C"` function that [`GcFrame::define_cfunction`](crate::GcFrame::define_cfunction)
/// can make callable from Julia: up to 4 arguments, each a [`CType`] or an
/// `Array<'_, T>` of an [`ArrayElement`] `T`, or up to 8 [`CType`] arguments; and a
/// [`CReturn`] result.
///
/// Sealed: implemented for exactly those function pointer types.
///
/// An array argument's lifetime is the call's: the function pointer type is
/// higher-ranked (`extern "C" fn(Array<'_, f64>)`), so the function cannot keep the
/// handle, which Julia's caller roots only while the call lasts.
///
/// ```no_run
/// use jlrs_core::{Array, CFunction};
///
/// fn accepted<F: CFunction>(_: F) {}
///
/// extern "C" fn sum(a: Array<'_, f64>) -> f64 {
///     a.data().map_or(f64::NAN, |d| d.iter().sum())
/// }
/// accepted(sum as extern "C" fn(Array<'_, f64>) -> f64);
/// ```
///
/// A function that asks for a longer-lived handle is no `CFunction`:
///
/// ```compile_fail
/// use jlrs_core::{Array, CFunction};
///
/// fn accepted<F: CFunction>(_: F) {}
///
/// extern "C" fn keep(a: Array<'static, f64>) -> f64 {
///     0.0
/// }
/// accepted(keep as extern "C" fn(Array<'static, f64>) -> f64);
/// ```
///
/// and one that takes any lifetime cannot store the handle anywhere that outlives the call:
///
/// ```compile_fail
/// use std::cell::Cell;
/// use jlrs_core::Array;
///
/// thread_local! {
///     static KEPT: Cell<Option<Array<'static, f64>>> = const { Cell::new(None) };
/// }
///
/// extern "C" fn keep(a: Array<'_, f64>) -> f64 {
///     KEPT.set(Some(a));
///     0.0
/// }
/// ```
pub trait CFunction: sealed::Sealed + Copy + 'static {
    /// The result's Julia type, and each argument's Julia type and how the method hands it
    /// to `ccall`.
    #[doc(hidden)]
    #[allow(clippy::type_complexity)]
    fn signature<'s>(
        frame: &mut GcFrame<'s>,
    ) -> JlResult<(Value<'s>, Vec<(Value<'s>, &'static str)>)>;

    /// The function's address.
    fn address(self) -> usize;
}

/// The Julia type bound to `path`, e.g. `"Float64"`.
fn named<'s>(frame: &mut GcFrame<'s>, path: &str) -> JlResult<Value<'s>> {
    frame.global(path)
}

/// `ty` as a value of `frame`.
fn element_value<'s>(frame: &mut GcFrame<'s>, ty: ElementType) -> JlResult<Value<'s>> {
    // SAFETY: a frame proves this thread may call Julia; a concrete DataType is never
    // freed, so rooting it again cannot fail or outlive it.
    unsafe { frame.root(ty.raw()) }
}

/// `Ptr{T}` for the Julia type `T`.
fn pointer_to<'s>(frame: &mut GcFrame<'s>, pointee: Value<'_>) -> JlResult<Value<'s>> {
    frame.apply_type("Core.Ptr", &[pointee])
}

/// `Ptr{T}` for `T`'s element type.
fn pointer_type<'s, T: ArrayElement<Stored = T>>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
    let ty = T::julia_type(frame)?;
    let ty = element_value(frame, ty)?;
    pointer_to(frame, ty)
}

/// `Ptr{Cvoid}`.
fn void_pointer_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
    let cvoid = named(frame, "Core.Nothing")?;
    pointer_to(frame, cvoid)
}

/// The method argument of an `Array<'_, T>` position: `Array{E}` (any rank) for `T`'s
/// element type `E`, passed boxed; an error if `E`'s array stride is not `T::Stored`'s size
/// (as [`Value::array`] checks for every other typed array).
fn array_arg<'s, T: ArrayElement>(frame: &mut GcFrame<'s>) -> JlResult<(Value<'s>, &'static str)> {
    let elem = T::julia_type(frame)?;
    if elem.stride() != std::mem::size_of::<T::Stored>() {
        return Err(ArrayError::Layout {
            rust: std::any::type_name::<T>(),
            julia: elem.stride(),
            rust_size: std::mem::size_of::<T::Stored>(),
        }
        .into());
    }
    let elem = element_value(frame, elem)?;
    Ok((frame.apply_type("Core.Array", &[elem])?, BOXED))
}

/// The method argument of a [`CType`] position.
fn plain_arg<'s, A: CType>(frame: &mut GcFrame<'s>) -> JlResult<(Value<'s>, &'static str)> {
    Ok((A::julia_type(frame)?, A::PASS))
}

macro_rules! numbers {
    ($($t:ty => $jl:literal),*) => {$(
        impl sealed::Sealed for $t {}
        impl CType for $t {
            fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
                named(frame, $jl)
            }
        }
        impl CReturn for $t {
            fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
                named(frame, $jl)
            }
        }
    )*};
}

numbers!(i8 => "Int8", i16 => "Int16", i32 => "Int32", i64 => "Int64",
         u8 => "UInt8", u16 => "UInt16", u32 => "UInt32", u64 => "UInt64",
         f32 => "Float32", f64 => "Float64");

impl sealed::Sealed for () {}
impl CReturn for () {
    fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        named(frame, "Core.Nothing")
    }
}

impl sealed::Sealed for bool {}
/// `Bool`; a byte other than 0 or 1 arrives as its lowest bit.
impl CType for bool {
    const PASS: &'static str = LOW_BIT;

    fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        named(frame, "Core.Bool")
    }
}
/// `Bool`: Rust's `false` and `true` are Julia's.
impl CReturn for bool {
    fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        named(frame, "Core.Bool")
    }
}

impl sealed::Sealed for JuliaBool {}
/// `Bool`, the byte unchanged.
impl CType for JuliaBool {
    fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        named(frame, "Core.Bool")
    }
}
/// `Bool`: Julia reads the lowest bit of the byte.
impl CReturn for JuliaBool {
    fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        named(frame, "Core.Bool")
    }
}

macro_rules! pointers {
    ($($p:ident),*) => {$(
        impl<T: ArrayElement<Stored = T>> sealed::Sealed for *$p T {}
        /// `Ptr{T}` for `T`'s Julia type: the address is passed, nothing is read through it.
        impl<T: ArrayElement<Stored = T>> CType for *$p T {
            fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
                pointer_type::<T>(frame)
            }
        }
        /// `Ptr{T}` for `T`'s Julia type.
        impl<T: ArrayElement<Stored = T>> CReturn for *$p T {
            fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
                pointer_type::<T>(frame)
            }
        }
        impl sealed::Sealed for *$p c_void {}
        /// `Ptr{Cvoid}`.
        impl CType for *$p c_void {
            fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
                void_pointer_type(frame)
            }
        }
        /// `Ptr{Cvoid}`.
        impl CReturn for *$p c_void {
            fn julia_type<'s>(frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
                void_pointer_type(frame)
            }
        }
    )*};
}

pointers!(mut, const);

/// Implements [`CFunction`] for every function pointer type whose arguments are, position
/// by position, a [`CType`] or an `Array<'_, T>`: `@go` decides one position at a time,
/// `@impl` writes the impl once every position is decided. Each array position gets its
/// own higher-ranked lifetime, as `extern "C" fn(Array<'_, T>, Array<'_, U>)` does.
/// `@plain` writes the one impl of an arity without arrays.
macro_rules! cfunctions {
    (@impl [$($lt:lifetime)*] [$($gen:tt)*] [$($arg:tt)*] [$($sig:tt)*]) => {
        impl<R: CReturn, $($gen)*> sealed::Sealed for for<$($lt),*> extern "C" fn($($arg)*) -> R {}
        impl<R: CReturn, $($gen)*> CFunction for for<$($lt),*> extern "C" fn($($arg)*) -> R {
            fn signature<'s>(
                frame: &mut GcFrame<'s>,
            ) -> JlResult<(Value<'s>, Vec<(Value<'s>, &'static str)>)> {
                let ret = R::julia_type(frame)?;
                let args = vec![$($sig(frame)?),*];
                Ok((ret, args))
            }

            fn address(self) -> usize {
                self as usize
            }
        }
    };
    (@go [$($lt:lifetime)*] [$($gen:tt)*] [$($arg:tt)*] [$($sig:tt)*];) => {
        cfunctions!(@impl [$($lt)*] [$($gen)*] [$($arg)*] [$($sig)*]);
    };
    (@go [$($lt:lifetime)*] [$($gen:tt)*] [$($arg:tt)*] [$($sig:tt)*];
     $a:ident $l:lifetime $($rest:tt)*) => {
        cfunctions!(@go [$($lt)*] [$($gen)* $a: CType,] [$($arg)* $a,]
                    [$($sig)* (plain_arg::<$a>)]; $($rest)*);
        cfunctions!(@go [$($lt)* $l] [$($gen)* $a: ArrayElement,] [$($arg)* Array<$l, $a>,]
                    [$($sig)* (array_arg::<$a>)]; $($rest)*);
    };
    // Numbers only: the one arrangement without arrays.
    (@plain $($a:ident)*) => {
        cfunctions!(@impl [] [$($a: CType,)*] [$($a,)*] [$((plain_arg::<$a>))*]);
    };
}

// Every arrangement of numbers and arrays up to 4 arguments (31 impls), numbers only
// beyond: the 2^n arrangements of every arity up to 8 (511 impls) made a check of this
// crate take 18 s instead of 2 s.
cfunctions!(@go [] [] [] [];);
cfunctions!(@go [] [] [] []; A 'a);
cfunctions!(@go [] [] [] []; A 'a B 'b);
cfunctions!(@go [] [] [] []; A 'a B 'b C 'c);
cfunctions!(@go [] [] [] []; A 'a B 'b C 'c D 'd);
cfunctions!(@plain A B C D E);
cfunctions!(@plain A B C D E F);
cfunctions!(@plain A B C D E F G);
cfunctions!(@plain A B C D E F G H);
