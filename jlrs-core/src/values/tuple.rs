//! Tuples: building them from values, and Rust tuples of up to 8 elements as Julia
//! tuples. Named tuples are built in `kw.rs`, with the cached types of keyword calls.

use crate::{
    convert::{BoxOutput, IntoJulia, Unbox},
    error::JlResult,
    error::JuliaError,
    rooting::frame::GcFrame,
    rooting::roots::RootStack,
    sys,
    sys::calls as c,
    values::symbol::symbol,
    values::value::Value,
};

impl<'scope> GcFrame<'scope> {
    /// The tuple `(values...)`, typed by its elements (`Tuple{Float64, Int64}`).
    pub fn new_tuple(&mut self, values: &[Value<'_>]) -> JlResult<Value<'scope>> {
        // `Core.tuple` is a builtin: calling it cannot dispatch to user code.
        self.call_internal("Core.tuple", values)
    }
}

/// Symbols and raw values of `name = value` pairs; an error if a name repeats.
pub(crate) fn split_names(
    fields: &[(&str, Value<'_>)],
) -> JlResult<(Vec<*mut sys::jl_sym_t>, Vec<*mut sys::jl_value_t>)> {
    let mut names = Vec::with_capacity(fields.len());
    let mut vals = Vec::with_capacity(fields.len());
    for (i, (name, v)) in fields.iter().enumerate() {
        if fields[..i].iter().any(|(n, _)| n == name) {
            return Err(JuliaError::DuplicateName((*name).to_string()));
        }
        names.push(symbol(name)?);
        vals.push(v.raw());
    }
    Ok((names, vals))
}

impl<'scope> Value<'scope> {
    /// Whether this value is a tuple.
    pub fn is_tuple(self) -> bool {
        // SAFETY: the value is valid.
        unsafe { c::jlrs_core_is_tuple(self.raw()) != 0 }
    }
}

macro_rules! tuples {
    ($($n:literal: $($t:ident $v:ident $i:tt),+;)*) => {$(
        // SAFETY: no layout is claimed (Rust tuples are not `#[repr(C)]`).
        unsafe impl<$($t: IntoJulia),+> IntoJulia for ($($t,)+) {
            type Output<'s> = JlResult<Value<'s>>;

            fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
                let ($($v,)+) = self;
                $(let $v = $v.into_julia(frame).into_result()?;)+
                frame.new_tuple(&[$($v),+])
            }
        }

        // SAFETY: no layout is claimed.
        unsafe impl<$($t: Unbox),+> Unbox for ($($t,)+) {
            const JULIA_TYPE: &'static str = concat!("Tuple (of ", $n, " elements)");

            fn is_type_of(v: Value<'_>) -> bool {
                if !v.is_tuple() || v.n_fields() != $n {
                    return false;
                }
                let mut stack = RootStack::new();
                let mut frame = stack.frame();
                $(
                    match v.field_at(&mut frame, $i) {
                        Ok(x) if $t::is_type_of(x) => {}
                        _ => return false,
                    }
                )+
                true
            }

            fn unbox(v: Value<'_>) -> JlResult<Self> {
                if !v.is_tuple() || v.n_fields() != $n {
                    return Err(JuliaError::WrongType {
                        expected: Self::JULIA_TYPE.to_string(),
                        found: v.type_name(),
                    });
                }
                // The elements of a tuple of bits are boxed when taken out: they are
                // rooted here while they are unboxed.
                let mut stack = RootStack::new();
                let mut frame = stack.frame();
                Ok(($($t::unbox(v.field_at(&mut frame, $i)?)?,)+))
            }
        }
    )*};
}

tuples! {
    1: A a 0;
    2: A a 0, B b 1;
    3: A a 0, B b 1, C c 2;
    4: A a 0, B b 1, C c 2, D d 3;
    5: A a 0, B b 1, C c 2, D d 3, E e 4;
    6: A a 0, B b 1, C c 2, D d 3, E e 4, F f 5;
    7: A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6;
    8: A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7;
}
