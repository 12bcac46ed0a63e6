//! User bits types: Rust `#[repr(C)]` structs stored byte for byte as Julia isbits
//! structs, with their layout checked against the Julia type the first time it is used.
//!
//! `#[derive(IntoJulia, Unbox)]` (crate `jlrs-macros`, facade feature `derive`) writes the
//! [`Layout`] of a struct and implements the conversions with [`box_bits`],
//! [`unbox_bits`] and [`is_bits`]:
//!
//! ```ignore
//! #[derive(Clone, Copy, IntoJulia, Unbox)]
//! #[repr(C)]
//! #[jlrs(julia_type = "Main.Point")]
//! struct Point { x: f64, y: i64 }
//! ```
//!
//! The first conversion of a type looks its Julia type up and compares it with the
//! layout: it must be a concrete isbits type of the same size, with the same number of
//! fields, and each field must have the same name, offset and type (recursively, for
//! nested structs). A mismatch is an [`JuliaError::Layout`] naming the field; no value is ever
//! read through a layout that was not checked.
//!
//! # Arrays of user bits types
//!
//! A derived type's layout is available as `<T as Unbox>::LAYOUT` (and
//! `<T as IntoJulia>::LAYOUT`). An element trait for arrays of bits types can accept a
//! derived `T` by checking that layout once against the array's element type with the
//! same comparison (the element type must be the Julia type the layout names), then
//! reading the elements as `T`s: the derive guarantees that the layout describes `T`
//! byte for byte, and the check guarantees that it describes the Julia type too. For an
//! element trait declared as an `unsafe trait`, the impl for a derived type is one line,
//! `unsafe impl Element for Point {}`, sound because of those two guarantees.

use std::sync::atomic::{AtomicPtr, Ordering};

use crate::{
    convert::{IntoJulia, Unbox},
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    rooting::roots::RootStack,
    sys,
    sys::calls as c,
    values::strings::field_name,
    values::value::Value,
};

pub(crate) mod layout;

pub use layout::{FieldLayout, Layout};

impl Layout {
    /// The layout a bits field of type `T` has, read from its [`Unbox`]
    /// implementation. Fails to compile (in a `const`) if `T` claims none.
    pub const fn of_unbox<T: Unbox>() -> &'static Layout {
        match T::LAYOUT {
            Some(l) => l,
            None => panic!("this field type has no bits layout (it cannot be stored inline)"),
        }
    }

    /// As [`Layout::of_unbox`], from `T`'s [`IntoJulia`] implementation.
    pub const fn of_into_julia<T: IntoJulia>() -> &'static Layout {
        match T::LAYOUT {
            Some(l) => l,
            None => panic!("this field type has no bits layout (it cannot be stored inline)"),
        }
    }
}

/// The checked Julia type of one Rust type, found on first use.
///
/// Each implementation keeps one in a `static`. A checked type is also kept in a Julia
/// global (`JlrsCore.keep_type`), so the pointer stays valid for good.
#[derive(Debug)]
pub struct LayoutCache(AtomicPtr<std::ffi::c_void>);

impl LayoutCache {
    /// An empty cache.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        LayoutCache(AtomicPtr::new(std::ptr::null_mut()))
    }
}

/// The Julia type of `layout`, checked against it on first use (and cached only once
/// the check passed, so a type defined later is still found).
fn datatype<T>(layout: &Layout, cache: &LayoutCache) -> JlResult<*mut sys::jl_value_t> {
    let cached = cache.0.load(Ordering::Acquire);
    if !cached.is_null() {
        return Ok(cached.cast());
    }
    // The values this check looks at are types bound to globals and fields of them, all
    // rooted by their modules; the stack roots the lookups' intermediate results.
    let mut stack = RootStack::new();
    let mut frame = stack.frame();
    let ty = frame.global(layout.julia_type)?;
    check(layout, ty.raw(), "").map_err(|problem| JuliaError::Layout {
        rust_type: std::any::type_name::<T>(),
        julia_type: layout.julia_type.to_string(),
        problem,
    })?;
    // Kept alive for good, even if the global it was found through is reassigned.
    frame.call_internal("JlrsCore.keep_type", &[ty])?;
    cache.0.store(ty.raw().cast(), Ordering::Release);
    Ok(ty.raw())
}

/// Compares `layout` with the Julia type `ty`; `at` names the field path for messages.
fn check(layout: &Layout, ty: *mut sys::jl_value_t, at: &str) -> Result<(), String> {
    let field = |s: String| {
        if at.is_empty() {
            s
        } else {
            format!("field `{at}`: {s}")
        }
    };
    // SAFETY: `ty` is a valid value rooted by its module or its enclosing type.
    let kind = unsafe { c::jlrs_core_bits_kind(ty) };
    if kind == 0 {
        return Err(field(format!(
            "the Julia type {} is not a concrete isbits type",
            type_str(ty)
        )));
    }
    // SAFETY: `ty` is a concrete datatype (kind != 0).
    let size = unsafe { c::jlrs_core_datatype_size(ty) };
    if size != layout.size {
        return Err(field(format!(
            "the Rust type has {} bytes, the Julia type {} has {size}",
            layout.size,
            type_str(ty)
        )));
    }
    if layout.fields.is_empty() {
        // A primitive: it must be the very type the layout names.
        let mut stack = RootStack::new();
        let mut frame = stack.frame();
        let expected = frame
            .global(layout.julia_type)
            .map_err(|e| field(e.to_string()))?;
        if kind != 2 || expected.raw() != ty {
            return Err(field(format!(
                "the Rust type is {}, the Julia type is {}",
                layout.julia_type,
                type_str(ty)
            )));
        }
        return Ok(());
    }
    // SAFETY: as above.
    let n = unsafe { c::jlrs_core_datatype_nfields(ty) };
    if n != layout.fields.len() {
        return Err(field(format!(
            "the Rust type has {} fields, the Julia type {} has {n}",
            layout.fields.len(),
            type_str(ty)
        )));
    }
    for (i, f) in layout.fields.iter().enumerate() {
        let path = if at.is_empty() {
            f.name.to_string()
        } else {
            format!("{at}.{}", f.name)
        };
        // SAFETY: `ty` is a concrete isbits datatype (checked above) and `i < n`.
        let jl_name = unsafe { field_name(ty, i) };
        if jl_name != f.name {
            return Err(format!(
                "field `{path}`: field {} of the Julia type {} is `{jl_name}`",
                i + 1,
                type_str(ty)
            ));
        }
        // SAFETY: `i < n`.
        let offset = unsafe { c::jlrs_core_datatype_field_offset(ty, i) };
        if offset != f.offset {
            return Err(format!(
                "field `{path}`: at offset {} in Rust, {offset} in Julia",
                f.offset
            ));
        }
        // SAFETY: `i < n`; the field type is rooted by `ty`.
        let fty = unsafe { c::jlrs_core_datatype_field_type(ty, i) };
        check(f.layout, fty, &path)?;
        if !f.layout.fields.is_empty() {
            // A nested struct: it must also be the Julia type its layout names.
            let mut stack = RootStack::new();
            let mut frame = stack.frame();
            let named = frame
                .global(f.layout.julia_type)
                .map_err(|e| format!("field `{path}`: {e}"))?;
            if named.raw() != fty {
                return Err(format!(
                    "field `{path}`: the Rust type is {}, the Julia type is {}",
                    f.layout.julia_type,
                    type_str(fty)
                ));
            }
        }
    }
    Ok(())
}

fn type_str(ty: *mut sys::jl_value_t) -> String {
    let mut stack = RootStack::new();
    let mut frame = stack.frame();
    // SAFETY: `ty` is a valid, rooted value; `string` returns a new String, read at once.
    let v = unsafe { Value::wrap(std::ptr::NonNull::new(ty).expect("a type")) };
    frame
        .call_internal("string", &[v])
        .and_then(|s| s.unbox::<String>())
        .unwrap_or_else(|_| "<unknown type>".into())
}

/// Boxes `value` as the Julia type of `layout`, checking the layout on first use.
///
/// # Safety
/// `layout` describes `T` exactly: `T` is `#[repr(C)]` (or a primitive), `layout.size`
/// is its size, and each field's offset and layout are those of `T`'s fields in order.
pub unsafe fn box_bits<'s, T: Copy>(
    frame: &mut GcFrame<'s>,
    layout: &'static Layout,
    cache: &LayoutCache,
    value: &T,
) -> JlResult<Value<'s>> {
    let ty = datatype::<T>(layout, cache)?;
    // SAFETY: the Julia type has exactly `T`'s size and layout (checked), so jl_new_bits
    // copies `size_of::<T>()` readable bytes; the result is rooted at once.
    unsafe {
        let raw = c::jlrs_core_new_bits(ty, (value as *const T).cast());
        frame.root(raw)
    }
}

/// Whether `value` is of the Julia type of `layout` (false also when the layout does not
/// match that type).
pub fn is_bits<T: Copy>(value: Value<'_>, layout: &'static Layout, cache: &LayoutCache) -> bool {
    match datatype::<T>(layout, cache) {
        // SAFETY: `value` is valid and rooted.
        Ok(ty) => unsafe { sys::jlrs_core_typeof(value.raw()) == ty },
        Err(_) => false,
    }
}

/// Copies the bits of `value` into a `T`, checking the layout on first use and the
/// value's type every time.
///
/// # Safety
/// As for [`box_bits`]; moreover every bit pattern a value of the Julia type can hold is
/// a valid `T` (true for structs of integers and floats).
pub unsafe fn unbox_bits<T: Copy>(
    value: Value<'_>,
    layout: &'static Layout,
    cache: &LayoutCache,
) -> JlResult<T> {
    let ty = datatype::<T>(layout, cache)?;
    // SAFETY: `value` is valid and rooted.
    if unsafe { sys::jlrs_core_typeof(value.raw()) } != ty {
        return Err(JuliaError::WrongType {
            expected: layout.julia_type.to_string(),
            found: value.type_name(),
        });
    }
    let mut out = std::mem::MaybeUninit::<T>::uninit();
    // SAFETY: the value is a `ty`, whose bits have `T`'s size and layout (checked), and
    // every bit pattern of it is a valid `T` (the caller's contract).
    unsafe {
        let data = c::jlrs_core_data_ptr(value.raw());
        std::ptr::copy_nonoverlapping(
            data.cast::<u8>(),
            out.as_mut_ptr().cast::<u8>(),
            std::mem::size_of::<T>(),
        );
        Ok(out.assume_init())
    }
}
