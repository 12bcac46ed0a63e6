//! [`Layout`]: how a Rust bits type is laid out, as `#[derive(IntoJulia, Unbox)]` writes
//! it down. Plain data, so that the conversion traits can carry it; the check against
//! Julia's type is in the parent module.

/// How a Rust type is laid out, for comparison with a Julia isbits type.
#[derive(Debug)]
pub struct Layout {
    /// The Julia type: a path looked up like [`GcFrame::global`](crate::GcFrame::global), e.g. `"Main.Point"`,
    /// `"Float64"` or `"Base.ComplexF64"`.
    pub julia_type: &'static str,
    /// `size_of::<T>()`.
    pub size: usize,
    /// The fields in declaration order; empty for a primitive type.
    pub fields: &'static [FieldLayout],
}

/// One field of a [`Layout`].
#[derive(Debug)]
pub struct FieldLayout {
    /// The field's name in Julia.
    pub name: &'static str,
    /// `offset_of!(T, field)`.
    pub offset: usize,
    /// The layout of the field's type.
    pub layout: &'static Layout,
}

impl Layout {
    /// The layout of a primitive type `T` named `julia_type` in Julia.
    pub const fn primitive<T>(julia_type: &'static str) -> Layout {
        Layout {
            julia_type,
            size: std::mem::size_of::<T>(),
            fields: &[],
        }
    }
}
