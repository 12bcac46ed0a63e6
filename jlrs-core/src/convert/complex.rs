//! `num_complex::Complex<f32>` and `Complex<f64>` as Julia's `ComplexF32` and
//! `ComplexF64` (feature `complex`).

use num_complex::Complex;

use crate::{
    bits::{box_bits, is_bits, unbox_bits, Encoding, FieldLayout, Layout, LayoutCache},
    convert::{IntoJulia, Unbox},
    error::JlResult,
    rooting::frame::GcFrame,
    values::value::Value,
};

macro_rules! complex {
    ($($t:ty => $jl:literal, $field:literal;)*) => {$(
        const _: () = {
            const LAYOUT: Layout = Layout {
                julia_type: concat!("Base.", $jl),
                size: std::mem::size_of::<Complex<$t>>(),
                fields: &[
                    FieldLayout {
                        name: "re",
                        offset: std::mem::offset_of!(Complex<$t>, re),
                        layout: &Layout::primitive::<$t>($field),
                    },
                    FieldLayout {
                        name: "im",
                        offset: std::mem::offset_of!(Complex<$t>, im),
                        layout: &Layout::primitive::<$t>($field),
                    },
                ],
                params: &[],
                encoding: Encoding::Plain,
            };
            static CACHE: LayoutCache = LayoutCache::new();

            // SAFETY: `Complex<T>` is `#[repr(C)]` with fields `re` and `im`, as LAYOUT
            // says (offsets from `offset_of!`).
            unsafe impl IntoJulia for Complex<$t> {
                type Output<'s> = Value<'s>;
                const LAYOUT: Option<&'static Layout> = Some(&LAYOUT);

                fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
                    // SAFETY: LAYOUT describes `Complex<T>`.
                    unsafe { box_bits(frame, &LAYOUT, &CACHE, &self) }
                        .expect(concat!("Base.", $jl, " has the layout of Complex"))
                }
            }

            // SAFETY: as above; every bit pattern of two floats is a valid `Complex`.
            unsafe impl Unbox for Complex<$t> {
                const JULIA_TYPE: &'static str = $jl;
                const LAYOUT: Option<&'static Layout> = Some(&LAYOUT);

                fn is_type_of(v: Value<'_>) -> bool {
                    is_bits::<Self>(v, &LAYOUT, &CACHE)
                }

                fn unbox(v: Value<'_>) -> JlResult<Self> {
                    // SAFETY: as above.
                    unsafe { unbox_bits(v, &LAYOUT, &CACHE) }
                }
            }
        };
    )*};
}

complex! {
    f32 => "ComplexF32", "Float32";
    f64 => "ComplexF64", "Float64";
}
