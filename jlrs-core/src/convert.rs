//! Boxing Rust values as Julia values and unboxing them back.
//!
//! Supported: `bool`, all integer widths (`isize`/`usize` as `Int64`/`UInt64`), `f32`,
//! `f64`, `char` (Julia `Char`) and strings (`String` and `&str` in, `String` out).

use crate::{error::JlResult, sys, Error};

mod sealed {
    pub trait Sealed {}
}

/// A Rust value that can be boxed as a Julia value ([`GcFrame::box_value`]).
///
/// [`GcFrame::box_value`]: crate::GcFrame::box_value
pub trait IntoJulia: sealed::Sealed {
    /// Boxes the value.
    ///
    /// # Safety
    /// The calling thread may call Julia; the result must be rooted before the next
    /// allocation.
    #[doc(hidden)]
    unsafe fn into_julia_raw(self) -> *mut sys::jl_value_t;
}

/// A Rust type that a Julia value can be unboxed to ([`Value::unbox`]).
///
/// [`Value::unbox`]: crate::Value::unbox
pub trait Unbox: sealed::Sealed + Sized {
    /// The Julia type's name, for error messages.
    const JULIA_TYPE: &'static str;

    /// Whether `v` has this Julia type.
    #[doc(hidden)]
    fn is_type_of(v: *mut sys::jl_value_t) -> bool;

    /// Unboxes `v`.
    ///
    /// # Safety
    /// `v` is a valid, rooted value of type [`Unbox::JULIA_TYPE`].
    #[doc(hidden)]
    unsafe fn unbox_raw(v: *mut sys::jl_value_t) -> JlResult<Self>;
}

fn has_type(v: *mut sys::jl_value_t, ty: *mut sys::jl_value_t) -> bool {
    // SAFETY: `v` is a valid value (all callers hold a rooted `Value`).
    unsafe { sys::jlrs_core_typeof(v) == ty }
}

macro_rules! bits {
    ($($rust:ty => $jl:literal, $ty:ident, $boxer:ident($as:ty), $unboxer:ident;)*) => {$(
        impl sealed::Sealed for $rust {}

        impl IntoJulia for $rust {
            unsafe fn into_julia_raw(self) -> *mut sys::jl_value_t {
                // SAFETY: the caller's contract; the conversion is lossless.
                unsafe { sys::$boxer(self as $as) }
            }
        }

        impl Unbox for $rust {
            const JULIA_TYPE: &'static str = $jl;

            fn is_type_of(v: *mut sys::jl_value_t) -> bool {
                // SAFETY: reading an exported global type pointer.
                has_type(v, unsafe { sys::$ty }.cast())
            }

            unsafe fn unbox_raw(v: *mut sys::jl_value_t) -> JlResult<Self> {
                // SAFETY: the caller checked the type.
                Ok(unsafe { sys::$unboxer(v) } as $rust)
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

impl sealed::Sealed for bool {}

impl IntoJulia for bool {
    unsafe fn into_julia_raw(self) -> *mut sys::jl_value_t {
        // SAFETY: the caller's contract.
        unsafe { sys::jl_box_bool(i8::from(self)) }
    }
}

impl Unbox for bool {
    const JULIA_TYPE: &'static str = "Bool";

    fn is_type_of(v: *mut sys::jl_value_t) -> bool {
        // SAFETY: reading an exported global type pointer.
        has_type(v, unsafe { sys::jl_bool_type }.cast())
    }

    unsafe fn unbox_raw(v: *mut sys::jl_value_t) -> JlResult<Self> {
        // SAFETY: the caller checked the type.
        Ok(unsafe { sys::jl_unbox_int8(v) } != 0)
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

impl sealed::Sealed for char {}

impl IntoJulia for char {
    unsafe fn into_julia_raw(self) -> *mut sys::jl_value_t {
        // SAFETY: the caller's contract.
        unsafe { sys::jl_box_char(char_to_julia(self)) }
    }
}

impl Unbox for char {
    const JULIA_TYPE: &'static str = "Char";

    fn is_type_of(v: *mut sys::jl_value_t) -> bool {
        // SAFETY: reading an exported global type pointer.
        has_type(v, unsafe { sys::jl_char_type }.cast())
    }

    unsafe fn unbox_raw(v: *mut sys::jl_value_t) -> JlResult<Self> {
        // SAFETY: the caller checked the type; a Char is 32 bits, read as UInt32.
        let bits = unsafe { sys::jl_unbox_uint32(v) };
        char_from_julia(bits).ok_or(Error::InvalidChar(bits))
    }
}

impl sealed::Sealed for &str {}

impl IntoJulia for &str {
    unsafe fn into_julia_raw(self) -> *mut sys::jl_value_t {
        // SAFETY: the caller's contract; Julia copies the bytes.
        unsafe { sys::jl_pchar_to_string(self.as_ptr().cast(), self.len()) }
    }
}

impl sealed::Sealed for String {}

impl IntoJulia for String {
    unsafe fn into_julia_raw(self) -> *mut sys::jl_value_t {
        // SAFETY: the caller's contract.
        unsafe { self.as_str().into_julia_raw() }
    }
}

impl Unbox for String {
    const JULIA_TYPE: &'static str = "String";

    fn is_type_of(v: *mut sys::jl_value_t) -> bool {
        // SAFETY: reading an exported global type pointer.
        has_type(v, unsafe { sys::jl_string_type }.cast())
    }

    unsafe fn unbox_raw(v: *mut sys::jl_value_t) -> JlResult<Self> {
        // SAFETY: the caller checked the type.
        Ok(unsafe { string_of(v) })
    }
}

/// Copies a Julia `String` (lossily, if it is not valid UTF-8).
///
/// # Safety
/// `s` is a valid Julia `String`.
pub(crate) unsafe fn string_of(s: *mut sys::jl_value_t) -> String {
    // SAFETY: the caller's contract; the data pointer and length describe the bytes.
    let bytes = unsafe {
        std::slice::from_raw_parts(
            sys::jlrs_core_string_data(s).cast::<u8>(),
            sys::jlrs_core_string_len(s),
        )
    };
    String::from_utf8_lossy(bytes).into_owned()
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
