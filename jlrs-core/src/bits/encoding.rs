//! The `bool` and `char` fields of a bits type ([`Encoding`]), wherever they are nested:
//! a Rust `char` is converted to and from Julia's UTF-8 `Char` bits, and a Julia `Bool`
//! byte is read only when it is 0 or 1. Works on the bytes of one value, in place.

use crate::{
    bits::layout::{Encoding, Layout},
    convert::{char_from_julia, char_to_julia},
    error::JuliaError,
};

/// Turns the Rust bits of a value of `layout` at `base` into Julia's: each `char` becomes
/// its UTF-8 bits.
///
/// # Safety
/// `base` points to `layout.size` writable bytes that hold a valid value of the Rust type
/// `layout` describes; afterwards they hold Julia's bits, no longer that Rust value.
pub(crate) unsafe fn to_julia(layout: &Layout, base: *mut u8) {
    match layout.encoding {
        Encoding::Plain => {}
        Encoding::Bool => {} // a Rust bool is 0 or 1, which is what Julia stores
        Encoding::Char => {
            // SAFETY: the caller's contract: four bytes holding a valid `char`.
            unsafe {
                let c = base.cast::<char>().read_unaligned();
                base.cast::<u32>().write_unaligned(char_to_julia(c));
            }
        }
    }
    for f in layout.fields {
        // SAFETY: the field lies inside the value (its offset is the Rust type's).
        unsafe { to_julia(f.layout, base.add(f.offset)) };
    }
}

/// Turns Julia's bits of a value of `layout` at `base` into the Rust type's, checking each
/// `Bool` byte and converting each `Char`; on error, the path of the field and what is
/// wrong with it.
///
/// # Safety
/// `base` points to `layout.size` writable bytes copied from a value of the Julia type
/// `layout` was checked against.
pub(crate) unsafe fn from_julia(
    layout: &Layout,
    base: *mut u8,
    at: &str,
) -> Result<(), (String, String)> {
    match layout.encoding {
        Encoding::Plain => {}
        Encoding::Bool => {
            // SAFETY: the caller's contract: one byte.
            let b = unsafe { base.read() };
            if b > 1 {
                return Err((at.to_string(), JuliaError::InvalidBool(b).to_string()));
            }
        }
        Encoding::Char => {
            // SAFETY: the caller's contract: four bytes.
            let bits = unsafe { base.cast::<u32>().read_unaligned() };
            let c = char_from_julia(bits)
                .ok_or_else(|| (at.to_string(), JuliaError::InvalidChar(bits).to_string()))?;
            // SAFETY: as above.
            unsafe { base.cast::<u32>().write_unaligned(u32::from(c)) };
        }
    }
    for f in layout.fields {
        let path = if at.is_empty() {
            f.name.to_string()
        } else {
            format!("{at}.{}", f.name)
        };
        // SAFETY: the field lies inside the value (checked offsets).
        unsafe { from_julia(f.layout, base.add(f.offset), &path)? };
    }
    Ok(())
}
