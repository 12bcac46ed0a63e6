//! `Cow<str>` as a Julia `String`.

use std::borrow::Cow;

use crate::{
    convert::{IntoJulia, Unbox},
    error::JlResult,
    rooting::frame::GcFrame,
    values::value::Value,
};

// SAFETY: no layout is claimed.
unsafe impl IntoJulia for Cow<'_, str> {
    type Output<'s> = Value<'s>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        self.as_ref().into_julia(frame)
    }
}

/// A `String` (or anything [`String`] unboxes from), copied: always `Cow::Owned`.
// SAFETY: no layout is claimed.
unsafe impl Unbox for Cow<'static, str> {
    const JULIA_TYPE: &'static str = <String as Unbox>::JULIA_TYPE;

    fn is_type_of(v: Value<'_>) -> bool {
        String::is_type_of(v)
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        String::unbox(v).map(Cow::Owned)
    }
}
