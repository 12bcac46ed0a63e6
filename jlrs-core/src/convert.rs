//! Boxing Rust values as Julia values and unboxing them back.
//!
//! Supported: `bool`, all integer widths (`isize`/`usize` as `Int64`/`UInt64`), `f32`,
//! `f64`, `char` (Julia `Char`), strings (`String` and `&str` in, `String` out when the bytes are
//! UTF-8, [`Value::string_bytes`] for any bytes), `()` as
//! `nothing`, `Option<T>` from `Union{T, Nothing}`, tuples of up to 8 elements
//! (`tuple.rs`), `num_complex::Complex` (feature `complex`) and user bits types
//! ([`bits`](crate::bits)). The folder `convert/` adds raw pointers as `Ptr`, `Cow<str>`,
//! the empty tuple ([`Tuple0`](crate::Tuple0)) and `half::f16` (feature `f16`).

#[cfg(feature = "complex")]
mod complex;
mod cow;
#[cfg(feature = "f16")]
mod f16;
mod pointer;
#[doc(hidden)]
pub mod record;
pub(crate) mod rooted;
pub(crate) mod tuple0;

use crate::{
    bits::layout::{Encoding, Layout},
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    sys,
    values::value::Value,
};

/// What boxing returns: the [`Value`] itself when boxing cannot fail, a [`JlResult`] when
/// it can (a user struct whose Julia type is missing or has another layout, a tuple of
/// such values).
///
/// [`GcFrame::box_value`] returns this type, so `frame.box_value(1.5)` is a `Value` and
/// `frame.box_value(point)?` is one too.
pub trait BoxOutput<'s>: sealed::Sealed {
    /// The boxed value, or why it could not be boxed.
    fn into_result(self) -> JlResult<Value<'s>>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::values::value::Value<'_> {}
    impl Sealed for crate::error::JlResult<crate::values::value::Value<'_>> {}
}

impl<'s> BoxOutput<'s> for Value<'s> {
    fn into_result(self) -> JlResult<Value<'s>> {
        Ok(self)
    }
}

impl<'s> BoxOutput<'s> for JlResult<Value<'s>> {
    fn into_result(self) -> JlResult<Value<'s>> {
        self
    }
}

/// A Rust value that can be boxed as a Julia value ([`GcFrame::box_value`]).
///
/// Implement it for your own types with `#[derive(IntoJulia)]` (crate `jlrs-macros`,
/// facade feature `derive`), or by hand on top of safe calls such as
/// [`GcFrame::new_tuple`] and [`GcFrame::call`].
///
/// # Safety
///
/// [`IntoJulia::LAYOUT`], when it is `Some`, must describe `Self` exactly (see
/// [`Layout`]): other types store values of this one inline, byte for byte (converting
/// only the primitives whose [`Encoding`] says so). An
/// implementation that leaves it `None` cannot break memory safety.
pub unsafe trait IntoJulia: Sized {
    /// [`Value`] if boxing cannot fail, `JlResult<Value>` if it can.
    type Output<'s>: BoxOutput<'s>;

    /// The layout of `Self` when it is stored inline as the bits of a Julia isbits type.
    const LAYOUT: Option<&'static Layout> = None;

    /// Boxes the value and roots it in `frame`.
    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Self::Output<'s>;
}

/// A Rust type that a Julia value can be unboxed to ([`Value::unbox`]).
///
/// Implement it for your own types with `#[derive(Unbox)]` (crate `jlrs-macros`, facade
/// feature `derive`), or by hand on top of safe calls such as [`Value::field`].
///
/// [`Unbox::is_type_of`] takes a rooted [`Value`], never a raw pointer, so no safe call
/// can hand it an invalid value:
///
/// ```compile_fail
/// use jlrs_core::Unbox;
/// // Before: a safe call that dereferenced any pointer it was given.
/// let _ = <i64 as Unbox>::is_type_of(std::ptr::null_mut());
/// ```
///
/// Only a rooted value is accepted:
///
/// ```
/// use jlrs_core::{Unbox, Value};
/// fn is_int(v: Value<'_>) -> bool {
///     <i64 as Unbox>::is_type_of(v)
/// }
/// # let _ = is_int;
/// ```
///
/// # Safety
///
/// [`Unbox::LAYOUT`], when it is `Some`, must describe `Self` exactly (see [`Layout`]).
/// An implementation that leaves it `None` cannot break memory safety.
pub unsafe trait Unbox: Sized {
    /// The Julia type's name, for error messages.
    const JULIA_TYPE: &'static str;

    /// The layout of `Self` when it is stored inline as the bits of a Julia isbits type.
    const LAYOUT: Option<&'static Layout> = None;

    /// Whether `value` can be unboxed to `Self`.
    fn is_type_of(value: Value<'_>) -> bool;

    /// Converts `value`; an error names both types if it is not a `Self`.
    fn unbox(value: Value<'_>) -> JlResult<Self>;
}

impl<'scope> GcFrame<'scope> {
    /// Boxes a Rust value as a Julia value and roots it.
    ///
    /// Returns the [`Value`] for types whose boxing cannot fail (numbers, strings, `()`,
    /// ...) and a [`JlResult`] for those whose boxing can (user bits types, whose Julia
    /// type may be missing or laid out differently, and tuples).
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn box_value<T: IntoJulia>(&mut self, value: T) -> T::Output<'scope> {
        crate::calls::callable::assert_callable();
        value.into_julia(self)
    }
}

/// What [`Value::is`] tests for: every [`Unbox`] type, and the checked views of a value
/// ([`DataType`](crate::DataType), [`Module`](crate::Module), [`Symbol`](crate::Symbol),
/// [`NamedTuple`](crate::NamedTuple), [`JuliaTask`](crate::JuliaTask)).
pub trait Typecheck {
    /// Whether `value` is a `Self`.
    fn typecheck(value: Value<'_>) -> bool;
}

impl<T: Unbox> Typecheck for T {
    fn typecheck(value: Value<'_>) -> bool {
        <T as Unbox>::is_type_of(value)
    }
}

impl Value<'_> {
    /// Whether this value can be unboxed to a `T`, or viewed as one (`T` a checked view
    /// such as [`NamedTuple`](crate::NamedTuple), see [`Value::cast`]).
    pub fn is<T: Typecheck>(self) -> bool {
        T::typecheck(self)
    }

    /// Converts this value to a Rust value; an error names both types if it is not a `T`.
    pub fn unbox<T: Unbox>(self) -> JlResult<T> {
        T::unbox(self)
    }
}

fn has_type(v: Value<'_>, ty: *mut sys::jl_value_t) -> bool {
    // SAFETY: `v` is a valid, rooted value.
    unsafe { sys::jlrs_core_typeof(v.raw()) == ty }
}

fn wrong_type<T: Unbox>(v: Value<'_>) -> JuliaError {
    JuliaError::WrongType {
        expected: T::JULIA_TYPE.to_string(),
        found: v.type_name(),
    }
}

macro_rules! bits {
    ($($rust:ty => $jl:literal, $ty:ident, $boxer:ident($as:ty), $unboxer:ident;)*) => {$(
        // SAFETY: the layout is that of the primitive type, which Julia stores the same way.
        unsafe impl IntoJulia for $rust {
            type Output<'s> = Value<'s>;
            const LAYOUT: Option<&'static Layout> = Some(&Layout::primitive::<$rust>($jl));

            fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
                // SAFETY: a frame proves the thread may call Julia; boxing a primitive
                // cannot throw; the result is rooted at once.
                unsafe {
                    let raw = sys::$boxer(self as $as);
                    frame.root(raw).expect("boxing a primitive cannot fail")
                }
            }
        }

        // SAFETY: as for `IntoJulia`.
        unsafe impl Unbox for $rust {
            const JULIA_TYPE: &'static str = $jl;
            const LAYOUT: Option<&'static Layout> = Some(&Layout::primitive::<$rust>($jl));

            fn is_type_of(v: Value<'_>) -> bool {
                // SAFETY: reading an exported global type pointer.
                has_type(v, unsafe { sys::$ty }.cast())
            }

            fn unbox(v: Value<'_>) -> JlResult<Self> {
                if !Self::is_type_of(v) {
                    return Err(wrong_type::<Self>(v));
                }
                // SAFETY: the type was just checked and the value is rooted.
                Ok(unsafe { sys::$unboxer(v.raw()) } as $rust)
            }
        }
    )*};
}

bits! {
    i8 => "Int8", jl_int8_type, jl_box_int8(i8), jl_unbox_int8;
    i16 => "Int16", jl_int16_type, jl_box_int16(i16), jl_unbox_int16;
    i32 => "Int32", jl_int32_type, jl_box_int32(i32), jl_unbox_int32;
    i64 => "Int64", jl_int64_type, jl_box_int64(i64), jl_unbox_int64;
    isize => "Int64", jl_int64_type, jl_box_int64(i64), jl_unbox_int64;
    u8 => "UInt8", jl_uint8_type, jl_box_uint8(u8), jl_unbox_uint8;
    u16 => "UInt16", jl_uint16_type, jl_box_uint16(u16), jl_unbox_uint16;
    u32 => "UInt32", jl_uint32_type, jl_box_uint32(u32), jl_unbox_uint32;
    u64 => "UInt64", jl_uint64_type, jl_box_uint64(u64), jl_unbox_uint64;
    usize => "UInt64", jl_uint64_type, jl_box_uint64(u64), jl_unbox_uint64;
    f32 => "Float32", jl_float32_type, jl_box_float32(f32), jl_unbox_float32;
    f64 => "Float64", jl_float64_type, jl_box_float64(f64), jl_unbox_float64;
}

static_assertions::assert_eq_size!(isize, i64);
static_assertions::assert_eq_size!(usize, u64);

/// Boxes a value whose boxing cannot fail.
fn root_boxed<'s>(frame: &mut GcFrame<'s>, raw: *mut sys::jl_value_t) -> Value<'s> {
    // SAFETY: callers pass the value a boxing call has just returned, with no allocation
    // since; boxing these types cannot throw.
    unsafe { frame.root(raw).expect("boxing cannot fail") }
}

/// A `bool` stored inline: Julia's `Bool` byte, read only when it is 0 or 1.
const BOOL: Layout = Layout::encoded::<bool>("Bool", Encoding::Bool);
/// A `char` stored inline: Julia's `Char` bits, converted from and to UTF-8.
const CHAR: Layout = Layout::encoded::<char>("Char", Encoding::Char);

// SAFETY: the layout says that a Julia `Bool` byte is checked before it is read as a
// `bool` (it could hold other bits than 0 and 1).
unsafe impl IntoJulia for bool {
    type Output<'s> = Value<'s>;
    const LAYOUT: Option<&'static Layout> = Some(&BOOL);

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        // SAFETY: a frame proves the thread may call Julia.
        root_boxed(frame, unsafe { sys::jl_box_bool(i8::from(self)) })
    }
}

// SAFETY: as for `IntoJulia`.
unsafe impl Unbox for bool {
    const JULIA_TYPE: &'static str = "Bool";
    const LAYOUT: Option<&'static Layout> = Some(&BOOL);

    fn is_type_of(v: Value<'_>) -> bool {
        // SAFETY: reading an exported global type pointer.
        has_type(v, unsafe { sys::jl_bool_type }.cast())
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        if !Self::is_type_of(v) {
            return Err(wrong_type::<Self>(v));
        }
        // SAFETY: the type was just checked.
        Ok(unsafe { sys::jl_unbox_int8(v.raw()) } != 0)
    }
}

/// Julia stores a `Char` as its UTF-8 bytes, left-aligned in 32 bits.
pub(crate) fn char_to_julia(c: char) -> u32 {
    let mut buf = [0u8; 4];
    let bytes = c.encode_utf8(&mut buf).as_bytes();
    bytes
        .iter()
        .enumerate()
        .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (24 - 8 * i)))
}

pub(crate) fn char_from_julia(bits: u32) -> Option<char> {
    let bytes = bits.to_be_bytes();
    let len = if bits == 0 {
        1
    } else {
        4 - (bits.trailing_zeros() as usize / 8)
    };
    std::str::from_utf8(&bytes[..len]).ok().and_then(|s| {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    })
}

// SAFETY: the layout says that Julia's `Char` holds UTF-8 bytes, not a scalar value, so
// it is converted both ways.
unsafe impl IntoJulia for char {
    type Output<'s> = Value<'s>;
    const LAYOUT: Option<&'static Layout> = Some(&CHAR);

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        // SAFETY: a frame proves the thread may call Julia.
        root_boxed(frame, unsafe { sys::jl_box_char(char_to_julia(self)) })
    }
}

// SAFETY: as for `IntoJulia`.
unsafe impl Unbox for char {
    const JULIA_TYPE: &'static str = "Char";
    const LAYOUT: Option<&'static Layout> = Some(&CHAR);

    fn is_type_of(v: Value<'_>) -> bool {
        // SAFETY: reading an exported global type pointer.
        has_type(v, unsafe { sys::jl_char_type }.cast())
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        if !Self::is_type_of(v) {
            return Err(wrong_type::<Self>(v));
        }
        // SAFETY: the type was just checked; a Char is 32 bits, read as UInt32.
        let bits = unsafe { sys::jl_unbox_uint32(v.raw()) };
        char_from_julia(bits).ok_or(JuliaError::InvalidChar(bits))
    }
}

// SAFETY: no layout is claimed.
unsafe impl IntoJulia for &str {
    type Output<'s> = Value<'s>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        // SAFETY: a frame proves the thread may call Julia; Julia copies the bytes.
        root_boxed(frame, unsafe {
            sys::jl_pchar_to_string(self.as_ptr().cast(), self.len())
        })
    }
}

// SAFETY: no layout is claimed.
unsafe impl IntoJulia for String {
    type Output<'s> = Value<'s>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        self.as_str().into_julia(frame)
    }
}

/// A `String`, or a `Symbol`'s name.
// SAFETY: no layout is claimed.
unsafe impl Unbox for String {
    const JULIA_TYPE: &'static str = "String";

    fn is_type_of(v: Value<'_>) -> bool {
        // SAFETY: reading an exported global type pointer.
        has_type(v, unsafe { sys::jl_string_type }.cast())
            || crate::values::symbol_value::is_symbol(v)
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        if let Ok(s) = crate::values::symbol_value::Symbol::from_value(v) {
            return Ok(s.as_string());
        }
        if !Self::is_type_of(v) {
            return Err(wrong_type::<Self>(v));
        }
        // SAFETY: the type was just checked.
        let bytes = unsafe { crate::values::strings::string_bytes_of(v.raw()) };
        String::from_utf8(bytes).map_err(JuliaError::InvalidUtf8)
    }
}

impl Value<'_> {
    /// The bytes of a Julia `String`, exactly as Julia holds them, valid UTF-8 or not.
    ///
    /// `unbox::<String>()` returns [`JuliaError::InvalidUtf8`] for a `String` that is not
    /// valid UTF-8 (Julia's strings may hold any bytes); this reads every `String`.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let s = frame.eval("String(UInt8[0x81, 0x02])")?;
    ///     assert_eq!(s.string_bytes()?, [0x81, 0x02]);
    ///     assert!(s.unbox::<String>().is_err());
    ///     Ok::<_, jlrs_core::JuliaError>(())
    /// }).unwrap();
    /// ```
    pub fn string_bytes(self) -> JlResult<Vec<u8>> {
        if !String::is_type_of(self) {
            return Err(wrong_type::<String>(self));
        }
        // SAFETY: the type was just checked.
        Ok(unsafe { crate::values::strings::string_bytes_of(self.raw()) })
    }
}

// SAFETY: no layout is claimed.
unsafe impl IntoJulia for () {
    type Output<'s> = Value<'s>;

    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> Value<'s> {
        // SAFETY: `nothing` is a global constant.
        root_boxed(frame, unsafe { crate::sys::calls::jlrs_core_nothing() })
    }
}

// SAFETY: no layout is claimed.
unsafe impl Unbox for () {
    const JULIA_TYPE: &'static str = "Nothing";

    fn is_type_of(v: Value<'_>) -> bool {
        v.is_nothing()
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        if v.is_nothing() {
            Ok(())
        } else {
            Err(wrong_type::<Self>(v))
        }
    }
}

/// `nothing` unboxes to `None`, any other value to `Some` of its unboxed self: the Rust
/// side of `Union{T, Nothing}`.
// SAFETY: no layout is claimed.
unsafe impl<T: Unbox> Unbox for Option<T> {
    const JULIA_TYPE: &'static str = "Union{_, Nothing}";

    fn is_type_of(v: Value<'_>) -> bool {
        v.is_nothing() || T::is_type_of(v)
    }

    fn unbox(v: Value<'_>) -> JlResult<Self> {
        if v.is_nothing() {
            Ok(None)
        } else {
            T::unbox(v).map(Some)
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn chars_round_trip_through_julia_bits() {
        for c in ['\0', 'a', 'é', '€', '𝄞', char::MAX] {
            assert_eq!(char_from_julia(char_to_julia(c)), Some(c), "{c:?}");
        }
        assert_eq!(char_to_julia('a'), 0x6100_0000);
        assert_eq!(char_from_julia(0xff00_0000), None);
    }
}

mod matrix;
mod vec;
