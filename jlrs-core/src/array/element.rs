//! [`ArrayElement`]: the Rust types that can be the elements of a typed [`Array`].
//!
//! [`Array`]: crate::array::Array

use std::ptr::NonNull;

use crate::{
    array::{ffi, ArrayError},
    convert::{char_from_julia, char_to_julia},
    error::JlResult,
    error::JuliaError,
    rooting::frame::GcFrame,
    sys,
    values::value::Value,
};

/// A Julia bits type (a `DataType` whose instances are plain bytes), as an array element
/// type.
///
/// An `ElementType` is only a handle; it can be kept in a `static` (it is `Send` and
/// `Sync`). Julia 1.5 never frees a concrete `DataType` once it exists: a type is
/// referenced from its type name's cache, and a `struct` also from the constant global
/// that names it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ElementType(NonNull<sys::jl_value_t>);

// SAFETY: the pointer is a type that Julia never frees; it is dereferenced only by this
// crate, on threads that may call Julia.
unsafe impl Send for ElementType {}
// SAFETY: as for `Send`; the handle itself is immutable.
unsafe impl Sync for ElementType {}

impl ElementType {
    /// The bits type bound to `path` (see [`GcFrame::global`]), e.g. `"Main.Point"`.
    ///
    /// An error if the path is undefined or names something that is not a bits type.
    pub fn lookup(frame: &mut GcFrame<'_>, path: &str) -> JlResult<ElementType> {
        let v = frame.global(path)?;
        ElementType::from_value(v)
    }

    /// `v` as an element type: an error unless it is a bits type.
    pub fn from_value(v: Value<'_>) -> JlResult<ElementType> {
        // SAFETY: `v` is a valid value; jl_isbits checks that it is a DataType first.
        if unsafe { ffi::jlrs_type_is_bits(v.raw()) } == 0 {
            return Err(ArrayError::NotBitsType(super::inspect::value_string(v)).into());
        }
        // SAFETY: the pointer came from a valid value.
        Ok(ElementType(unsafe { NonNull::new_unchecked(v.raw()) }))
    }

    /// An exported type of Julia's.
    ///
    /// # Safety
    /// Julia is initialised and `ty` is one of its bits types.
    unsafe fn builtin(ty: *mut ffi::jl_datatype_t) -> ElementType {
        ElementType(NonNull::new(ty.cast()).expect("Julia is initialised"))
    }

    /// The size of one element in bytes.
    pub fn size(self) -> usize {
        // SAFETY: a bits DataType, never freed.
        unsafe { ffi::jlrs_type_size(self.raw()) }
    }

    /// The distance in bytes between two elements of an array of this type: the size
    /// rounded up to the type's alignment (4 for a 24-bit primitive type).
    pub fn stride(self) -> usize {
        // SAFETY: a bits DataType, never freed.
        unsafe { ffi::jlrs_type_elsize(self.raw()) }
    }

    pub(crate) fn raw(self) -> *mut sys::jl_value_t {
        self.0.as_ptr()
    }
}

/// A Rust type that can be the element type `T` of an [`Array<'s, T>`](super::Array).
///
/// Implemented for every integer width (`isize`/`usize` as `Int64`/`UInt64`), `f32`,
/// `f64`, `bool` and `char`. For every type but `bool` and `char`, an element is stored in
/// Julia's memory exactly as in Rust's ([`ArrayElement::Stored`] is `Self`), so arrays of
/// them are shared without copying. Julia stores a `Char` as its UTF-8 bytes, so a `char`
/// array is read as [`JuliaChar`]s; a `Bool` byte can hold any value, so a `bool` array is
/// read as [`JuliaBool`]s. Both are checked when converted ([`Array::to_vec`]).
///
/// [`Array::to_vec`]: super::Array::to_vec
///
/// # Implementing it for your own bits type
///
/// `#[derive(Unbox)]` on a `#[repr(C)]` struct implements it (see
/// [`bits::element_type`](crate::bits::element_type)), with the layout checked against
/// Julia's at run time. By hand, for a
/// `#[repr(C)]` struct of bits fields whose Julia counterpart is an `isbits` struct with
/// the same fields in the same order:
///
/// ```
/// use jlrs_core::{
///     array::{ArrayElement, ElementType},
///     GcFrame, JlResult,
/// };
///
/// #[derive(Clone, Copy, Debug, PartialEq)]
/// #[repr(C)]
/// struct Point {
///     x: f64,
///     y: i64,
/// }
///
/// // SAFETY: `Main.Point` is `struct Point; x::Float64; y::Int64; end`: the same size,
/// // field offsets and field types as this struct, and every bit pattern Julia can
/// // store in it is a valid `Point`.
/// unsafe impl ArrayElement for Point {
///     type Stored = Point;
///
///     fn julia_type(frame: &mut GcFrame<'_>) -> JlResult<ElementType> {
///         // A real implementation caches this, e.g. in a `OnceLock<ElementType>`.
///         ElementType::lookup(frame, "Main.Point")
///     }
///
///     fn into_stored(self) -> Point {
///         self
///     }
///
///     fn from_stored(stored: Point) -> JlResult<Point> {
///         Ok(stored)
///     }
/// }
///
/// # let mut rt = jlrs_core::Runtime::init(jlrs_core::InitOptions::new()).unwrap();
/// rt.julia().scope(|mut frame| {
///     frame.eval("struct Point; x::Float64; y::Int64; end").unwrap();
///     let points = vec![Point { x: 1.5, y: 2 }, Point { x: -1.0, y: 7 }];
///     let a = frame.array_from_vec(points.clone(), &[2]).unwrap();
///     let ys = frame.eval("ps -> sum(p.y for p in ps)").unwrap();
///     assert_eq!(ys.call(&mut frame, &[a.as_value()]).unwrap().unbox::<i64>().unwrap(), 9);
///     assert_eq!(a.to_vec().unwrap(), points);
/// });
/// ```
///
/// The arrays check that the Julia type is a bits type whose size and array stride (the
/// size rounded up to its alignment) are both the size of `Stored`; the rest of the
/// layout (field offsets and types) is the implementation's promise.
///
/// # Safety
/// `julia_type` returns a bits type whose instances have exactly the size and layout of
/// [`ArrayElement::Stored`], and every bit pattern Julia can store in that type is a
/// valid `Stored`. `Stored` has the size and alignment of `Self`.
pub unsafe trait ArrayElement: Copy + Send + Sync + 'static {
    /// How Julia stores one element: `Self`, except for `char` ([`JuliaChar`]).
    type Stored: Copy + Send + Sync + 'static;

    /// The Julia type of the elements, e.g. `Float64` for `f64`.
    fn julia_type(frame: &mut GcFrame<'_>) -> JlResult<ElementType>;

    /// The element as Julia stores it.
    fn into_stored(self) -> Self::Stored;

    /// An element read from Julia's memory; an error if it is not a valid `Self`.
    fn from_stored(stored: Self::Stored) -> JlResult<Self>;
}

macro_rules! builtin {
    ($($rust:ty => $jl:ident;)*) => {$(
        // SAFETY: the Julia type is the bits type of the same size and representation
        // (`isize`/`usize` are 64 bits, checked in convert.rs).
        unsafe impl ArrayElement for $rust {
            type Stored = $rust;

            fn julia_type(_frame: &mut GcFrame<'_>) -> JlResult<ElementType> {
                // SAFETY: a frame proves Julia is initialised; an exported bits type.
                Ok(unsafe { ElementType::builtin(sys::$jl) })
            }

            fn into_stored(self) -> $rust {
                self
            }

            fn from_stored(stored: $rust) -> JlResult<$rust> {
                Ok(stored)
            }
        }
    )*};
}

builtin! {
    i8 => jl_int8_type;
    i16 => jl_int16_type;
    i32 => jl_int32_type;
    i64 => jl_int64_type;
    isize => jl_int64_type;
    u8 => jl_uint8_type;
    u16 => jl_uint16_type;
    u32 => jl_uint32_type;
    u64 => jl_uint64_type;
    usize => jl_uint64_type;
    f32 => jl_float32_type;
    f64 => jl_float64_type;
}

/// A Julia `Bool` as Julia stores it: one byte that Julia code can leave at any value
/// (`Vector{Bool}(undef, n)` holds whatever the memory held), so it cannot be read as a
/// Rust `bool`, for which any byte but 0 and 1 is undefined behaviour.
/// [`JuliaBool::to_bool`] checks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[repr(transparent)]
pub struct JuliaBool(pub u8);

static_assertions::assert_eq_size!(JuliaBool, bool);
static_assertions::assert_eq_align!(JuliaBool, bool);

impl JuliaBool {
    /// The Rust `bool`, or `None` if the byte is neither 0 nor 1.
    pub fn to_bool(self) -> Option<bool> {
        match self.0 {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl From<bool> for JuliaBool {
    fn from(b: bool) -> JuliaBool {
        JuliaBool(u8::from(b))
    }
}

// SAFETY: Julia's `Bool` is an 8-bit primitive type, stored as `JuliaBool`; any byte is a
// valid `JuliaBool`, and `JuliaBool` has the size and alignment of `bool`.
unsafe impl ArrayElement for bool {
    type Stored = JuliaBool;

    fn julia_type(_frame: &mut GcFrame<'_>) -> JlResult<ElementType> {
        // SAFETY: a frame proves Julia is initialised; an exported bits type.
        Ok(unsafe { ElementType::builtin(sys::jl_bool_type) })
    }

    fn into_stored(self) -> JuliaBool {
        JuliaBool::from(self)
    }

    fn from_stored(stored: JuliaBool) -> JlResult<bool> {
        stored
            .to_bool()
            .ok_or(crate::array::ArrayError::InvalidBool(stored.0).into())
    }
}

/// A Julia `Char` as Julia stores it: the character's UTF-8 bytes, left-aligned in 32
/// bits (so `'a'` is `0x61000000`). Julia's `Char` can also hold invalid UTF-8, which no
/// Rust `char` can; [`JuliaChar::to_char`] says so.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[repr(transparent)]
pub struct JuliaChar(pub u32);

static_assertions::assert_eq_size!(JuliaChar, char);
static_assertions::assert_eq_align!(JuliaChar, char);

impl JuliaChar {
    /// The Rust `char`, or `None` if these bits are not a valid Unicode scalar value.
    pub fn to_char(self) -> Option<char> {
        char_from_julia(self.0)
    }
}

impl From<char> for JuliaChar {
    fn from(c: char) -> JuliaChar {
        JuliaChar(char_to_julia(c))
    }
}

// SAFETY: Julia's `Char` is a 32-bit primitive type, stored as `JuliaChar`; any 32 bits
// are a valid `JuliaChar`, and `JuliaChar` has the size and alignment of `char`.
unsafe impl ArrayElement for char {
    type Stored = JuliaChar;

    fn julia_type(_frame: &mut GcFrame<'_>) -> JlResult<ElementType> {
        // SAFETY: a frame proves Julia is initialised; an exported bits type.
        Ok(unsafe { ElementType::builtin(sys::jl_char_type) })
    }

    fn into_stored(self) -> JuliaChar {
        JuliaChar::from(self)
    }

    fn from_stored(stored: JuliaChar) -> JlResult<char> {
        stored.to_char().ok_or(JuliaError::InvalidChar(stored.0))
    }
}

/// The element type of `T`, checked to be a bits type whose size and array stride are
/// `T::Stored`'s size.
pub(crate) fn element_type<T: ArrayElement>(frame: &mut GcFrame<'_>) -> JlResult<ElementType> {
    let ty = T::julia_type(frame)?;
    let (julia, rust) = (ty.size(), std::mem::size_of::<T::Stored>());
    let julia = if julia == rust { ty.stride() } else { julia };
    if julia != rust || rust == 0 {
        return Err(ArrayError::Layout {
            rust: std::any::type_name::<T>(),
            julia,
            rust_size: rust,
        }
        .into());
    }
    Ok(ty)
}

/// Whether `T` is stored as itself, so a `Vec<T>` is already Julia's representation.
pub(crate) fn stored_as_itself<T: ArrayElement>() -> bool {
    std::any::TypeId::of::<T>() == std::any::TypeId::of::<T::Stored>()
}
