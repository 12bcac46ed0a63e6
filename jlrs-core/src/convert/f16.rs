//! `half::f16` as Julia's `Float16` (feature `f16`).

use half::f16;

use crate::{
    bits::{box_bits, is_bits, unbox_bits, Layout, LayoutCache},
    convert::{IntoJulia, Unbox},
    error::JlResult,
    rooting::frame::GcFrame,
    values::value::Value,
};

const LAYOUT: Layout = Layout::primitive::<f16>("Float16");
static CACHE: LayoutCache = LayoutCache::new();

// SAFETY: `f16` is a 16-bit IEEE 754 half-precision float, as Julia's `Float16`.
unsafe impl IntoJulia for f16 {
    type Output<'s> = Value<'s>;
    const LAYOUT: Option<&'static Layout> = Some(&LAYOUT);

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        // SAFETY: LAYOUT describes `f16`.
        unsafe { box_bits(frame, &LAYOUT, &CACHE, &self) }.expect("Float16 is 16 bits")
    }
}

// SAFETY: as above; every 16-bit pattern is a valid `f16`.
unsafe impl Unbox for f16 {
    const JULIA_TYPE: &'static str = "Float16";
    const LAYOUT: Option<&'static Layout> = Some(&LAYOUT);

    fn is_type_of(v: Value<'_>) -> bool {
        is_bits::<Self>(v, &LAYOUT, &CACHE)
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        // SAFETY: as above.
        unsafe { unbox_bits(v, &LAYOUT, &CACHE) }
    }
}
