//! Tuples: building them from values, and Rust tuples of up to 8 elements as Julia
//! tuples. Named tuples are built in `kw.rs`, with the cached types of keyword calls.

use std::marker::PhantomData;

use crate::{
    bits::layout::{Encoding, FieldLayout, Layout},
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

/// The layouts of a tuple type `T`, made of its elements' [`IntoJulia`] layouts.
struct IntoJuliaLayout<T>(PhantomData<T>);
/// The layouts of a tuple type `T`, made of its elements' [`Unbox`] layouts.
struct UnboxLayout<T>(PhantomData<T>);

/// The empty layout, in place of an element's missing one (the tuple then claims none).
const NONE: Layout = Layout::primitive::<()>("");

const fn or_none(layout: Option<&'static Layout>) -> &'static Layout {
    match layout {
        Some(l) => l,
        None => &NONE,
    }
}

macro_rules! tuple_layout {
    ($holder:ident, $tr:ident, $tup:ty; $($t:ident $i:tt $name:literal),+) => {
        impl<$($t: $tr),+> $holder<$tup> {
            const FIELDS: &'static [FieldLayout] = &[$(FieldLayout {
                name: $name,
                offset: std::mem::offset_of!($tup, $i),
                layout: or_none($t::LAYOUT),
            }),+];
            const PARAMS: &'static [&'static Layout] = &[$(or_none($t::LAYOUT)),+];
            const FULL: Layout = Layout {
                julia_type: "Core.Tuple",
                size: std::mem::size_of::<$tup>(),
                fields: Self::FIELDS,
                params: Self::PARAMS,
                encoding: Encoding::Plain,
            };
            /// The tuple's layout if every element has one: the tuple is then stored
            /// inline in a bits struct, at the offsets Rust gave its elements (checked
            /// against Julia's, which differ when Rust reorders the elements).
            const LAYOUT: Option<&'static Layout> =
                if $($t::LAYOUT.is_some())&&+ { Some(&Self::FULL) } else { None };
        }
    };
}

macro_rules! tuples {
    ($($n:literal: $($t:ident $v:ident $i:tt $name:literal),+;)*) => {$(
        tuple_layout!(IntoJuliaLayout, IntoJulia, ($($t,)+); $($t $i $name),+);
        tuple_layout!(UnboxLayout, Unbox, ($($t,)+); $($t $i $name),+);

        // SAFETY: the layout, if any, is made of the elements' own layouts, at the offsets
        // and with the size Rust gave the tuple (`offset_of!`, `size_of`).
        unsafe impl<$($t: IntoJulia),+> IntoJulia for ($($t,)+) {
            type Output<'s> = JlResult<Value<'s>>;
            const LAYOUT: Option<&'static Layout> = IntoJuliaLayout::<($($t,)+)>::LAYOUT;

            fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
                let ($($v,)+) = self;
                $(let $v = $v.into_julia(frame).into_result()?;)+
                frame.new_tuple(&[$($v),+])
            }
        }

        // SAFETY: as for `IntoJulia`.
        unsafe impl<$($t: Unbox),+> Unbox for ($($t,)+) {
            const JULIA_TYPE: &'static str = concat!("Tuple (of ", $n, " elements)");
            const LAYOUT: Option<&'static Layout> = UnboxLayout::<($($t,)+)>::LAYOUT;

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
    1: A a 0 "1";
    2: A a 0 "1", B b 1 "2";
    3: A a 0 "1", B b 1 "2", C c 2 "3";
    4: A a 0 "1", B b 1 "2", C c 2 "3", D d 3 "4";
    5: A a 0 "1", B b 1 "2", C c 2 "3", D d 3 "4", E e 4 "5";
    6: A a 0 "1", B b 1 "2", C c 2 "3", D d 3 "4", E e 4 "5", F f 5 "6";
    7: A a 0 "1", B b 1 "2", C c 2 "3", D d 3 "4", E e 4 "5", F f 5 "6", G g 6 "7";
    8: A a 0 "1", B b 1 "2", C c 2 "3", D d 3 "4", E e 4 "5", F f 5 "6", G g 6 "7", H h 7 "8";
}
