//! [`UnboxRooted`]: reading a Julia value into a Rust value that keeps some of its parts as
//! Julia [`Value`]s, rooted in a frame, so the result cannot outlive that frame. What
//! `#[derive(Unbox)]` implements for a struct with a lifetime and `Value` fields.

use crate::{
    convert::{IntoJulia, Unbox},
    error::JlResult,
    rooting::frame::GcFrame,
    values::value::Value,
};

/// A Rust type read from a Julia value, whose Julia parts ([`Value<'s>`] fields) are
/// rooted in a frame of lifetime `'s` ([`Value::unbox_rooted`]).
///
/// A copy of a Julia struct cannot keep a `Value` field by itself: nothing would root the
/// field once the struct it came from is gone, or once Julia code reassigns the field of a
/// mutable struct. Rooting each such field in the caller's frame ties the result's
/// lifetime to that frame, as for every `Value`.
///
/// Every [`Unbox`] type is one (copied, rooting nothing), and so is `Value<'s>` (rooted).
/// `#[derive(Unbox)]` implements it for a struct with one lifetime parameter, converted
/// field by field.
pub trait UnboxRooted<'s>: Sized {
    /// Reads `value`, rooting its Julia parts in `frame`.
    fn unbox_rooted(frame: &mut GcFrame<'s>, value: Value<'_>) -> JlResult<Self>;
}

impl<'s, T: Unbox> UnboxRooted<'s> for T {
    fn unbox_rooted(_frame: &mut GcFrame<'s>, value: Value<'_>) -> JlResult<T> {
        T::unbox(value)
    }
}

impl<'s> UnboxRooted<'s> for Value<'s> {
    fn unbox_rooted(frame: &mut GcFrame<'s>, value: Value<'_>) -> JlResult<Value<'s>> {
        Ok(value.root_in(frame))
    }
}

impl Value<'_> {
    /// Converts this value to a `T` whose Julia parts are rooted in `frame`: a struct with
    /// `Value<'s>` fields (see [`UnboxRooted`]), or any [`Unbox`] type.
    pub fn unbox_rooted<'s, T: UnboxRooted<'s>>(self, frame: &mut GcFrame<'s>) -> JlResult<T> {
        T::unbox_rooted(frame, self)
    }

    /// This value, rooted (again) in `frame`.
    pub(crate) fn root_in<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        // SAFETY: the value is valid now (it is rooted for its own lifetime, which lasts
        // this call); a frame exists only on a thread that may touch Julia's roots.
        unsafe { frame.root(self.raw()) }.expect("a valid value is never null")
    }
}

/// A value is already Julia's: boxing roots it in the frame (for struct fields that hold
/// Julia values).
// SAFETY: no layout is claimed.
unsafe impl IntoJulia for Value<'_> {
    type Output<'s> = Value<'s>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        self.root_in(frame)
    }
}
