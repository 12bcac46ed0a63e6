//! [`Layout`]: how a Rust bits type is laid out, as `#[derive(IntoJulia, Unbox)]` writes
//! it down. Plain data, so that the conversion traits can carry it; the check against
//! Julia's type is in the parent module.

/// How a Rust type is laid out, for comparison with a Julia isbits type.
#[derive(Debug)]
pub struct Layout {
    /// The Julia type: a path looked up like [`GcFrame::global`](crate::GcFrame::global), e.g. `"Main.Point"`,
    /// `"Float64"` or `"Base.ComplexF64"`. For a parametric type, the type before its
    /// parameters are applied (`"Main.WithGeneric"`, `"Core.Tuple"`).
    pub julia_type: &'static str,
    /// `size_of::<T>()`.
    pub size: usize,
    /// The fields in declaration order; empty for a primitive type.
    pub fields: &'static [FieldLayout],
    /// The type parameters, applied to `julia_type` in this order (`Main.WithGeneric{T}`,
    /// `Tuple{A, B}`); empty for a type without parameters.
    pub params: &'static [&'static Layout],
    /// How a primitive's Rust bits relate to Julia's ([`Encoding::Plain`] for structs,
    /// whose fields say it for themselves).
    pub encoding: Encoding,
}

/// How the bits of a Rust primitive relate to those of its Julia type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// The same bits, and every bit pattern of the Julia type is a valid Rust value
    /// (integers, floats).
    Plain,
    /// A Rust `bool`: one byte, which Julia may leave at any value; only 0 and 1 are read.
    Bool,
    /// A Rust `char` (a Unicode scalar value) for a Julia `Char` (the character's UTF-8
    /// bytes, left-aligned in 32 bits): converted both ways, and an invalid `Char` is an
    /// error.
    Char,
}

/// One field of a [`Layout`].
#[derive(Debug)]
pub struct FieldLayout {
    /// The field's name in Julia (`"1"`, `"2"`, ... for a tuple's elements).
    pub name: &'static str,
    /// `offset_of!(T, field)`.
    pub offset: usize,
    /// The layout of the field's type.
    pub layout: &'static Layout,
}

impl Layout {
    /// The layout of a primitive type `T` named `julia_type` in Julia, stored with the same
    /// bits in both.
    pub const fn primitive<T>(julia_type: &'static str) -> Layout {
        Layout::encoded::<T>(julia_type, Encoding::Plain)
    }

    /// The layout of a primitive type `T` named `julia_type` in Julia, with `encoding`.
    pub const fn encoded<T>(julia_type: &'static str, encoding: Encoding) -> Layout {
        Layout {
            julia_type,
            size: std::mem::size_of::<T>(),
            fields: &[],
            params: &[],
            encoding,
        }
    }

    /// Whether the type's bits are Julia's bits, whatever they are: no `bool` or `char`
    /// anywhere inside. Only such a type can be viewed in place in a Julia array.
    pub const fn is_plain(&self) -> bool {
        if !matches!(self.encoding, Encoding::Plain) {
            return false;
        }
        let mut i = 0;
        while i < self.fields.len() {
            if !self.fields[i].layout.is_plain() {
                return false;
            }
            i += 1;
        }
        true
    }
}
