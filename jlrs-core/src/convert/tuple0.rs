//! [`Tuple0`]: Julia's empty tuple `()`, kept apart from `nothing` (Rust's `()`).

use std::ffi::c_int;

use crate::{
    convert::{IntoJulia, Unbox},
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    sys::jl_value_t,
    values::value::Value,
};

extern "C" {
    fn jlrs_core_emptytuple() -> *mut jl_value_t;
    fn jlrs_core_is_emptytuple(v: *mut jl_value_t) -> c_int;
}

/// Julia's empty tuple `()`, of type `Tuple{}`.
///
/// Rust's `()` is Julia's `nothing`; `Tuple0` is the empty tuple, which Julia keeps apart
/// from `nothing`: each unboxes only from its own value.
///
/// ```
/// use jlrs_core::{InitOptions, Runtime, Tuple0};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// rt.julia().scope(|mut frame| {
///     let t = frame.box_value(Tuple0);
///     assert_eq!(t.type_name(), "Tuple");
///     assert!(t.unbox::<Tuple0>().is_ok() && t.unbox::<()>().is_err());
///     let nothing = frame.eval("nothing").unwrap();
///     assert!(nothing.unbox::<Tuple0>().is_err());
/// });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tuple0;

// SAFETY: no layout is claimed.
unsafe impl IntoJulia for Tuple0 {
    type Output<'s> = Value<'s>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        // SAFETY: `()` is a permanent global; rooting it again is free of risk.
        unsafe { frame.root(jlrs_core_emptytuple()) }.expect("() exists")
    }
}

// SAFETY: no layout is claimed.
unsafe impl Unbox for Tuple0 {
    const JULIA_TYPE: &'static str = "Tuple{}";

    fn is_type_of(v: Value<'_>) -> bool {
        // SAFETY: the value is valid.
        unsafe { jlrs_core_is_emptytuple(v.raw()) != 0 }
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        if Self::is_type_of(v) {
            Ok(Tuple0)
        } else {
            Err(JuliaError::WrongType {
                expected: Self::JULIA_TYPE.into(),
                found: v.type_name(),
            })
        }
    }
}
