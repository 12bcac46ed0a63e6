//! User bits types: Rust `#[repr(C)]` structs stored as Julia isbits structs, with their
//! layout checked against the Julia type the first time it is used.
//!
//! `#[derive(IntoJulia, Unbox)]` (crate `jlrs-macros`, facade feature `derive`) writes the
//! [`Layout`] of a struct and implements the conversions with [`box_bits`],
//! [`unbox_bits`] and [`is_bits`], and `ArrayElement` with [`element_type`]:
//!
//! ```ignore
//! #[derive(Clone, Copy, IntoJulia, Unbox)]
//! #[repr(C)]
//! #[jlrs(julia_type = "Main.Point")]
//! struct Point { x: f64, y: i64 }
//! ```
//!
//! The first conversion of a type finds its Julia type (the path, applied to the
//! parameters' types for a generic struct or a tuple: [`Layout::params`]) and compares it
//! with the layout: it must be a concrete isbits type of the same size, with the same
//! number of fields, and each field must have the same name, offset and type (recursively,
//! for nested structs and tuples). A mismatch is an [`JuliaError::Layout`] naming the
//! field; no value is ever read through a layout that was not checked.
//!
//! Bytes are copied as they are, except for primitives whose [`Encoding`] says otherwise:
//! a `bool` is read only if Julia's byte is 0 or 1, a `char` is converted from and to
//! Julia's UTF-8 `Char` bits; an invalid one is an error naming the field.
//!
//! # Arrays of user bits types
//!
//! [`element_type`] checks the layout once against the Julia type as above, and also that
//! Julia aligns the type at least as strictly as Rust and that no `bool` or `char` is
//! inside ([`Layout::is_plain`]). Then every element of an array of that type is a valid
//! `T` as it lies in Julia's memory: the derive guarantees that the layout describes `T`
//! byte for byte, and the check that it describes the Julia type too.

use std::sync::atomic::{AtomicPtr, Ordering};

use crate::{
    array::ElementType,
    convert::{IntoJulia, Unbox},
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    rooting::roots::RootStack,
    sys,
    sys::calls as c,
    values::datatype::DataType,
    values::strings::field_name,
    values::value::Value,
};

mod encoding;
mod generic_cache;
pub(crate) mod layout;

pub use layout::{Encoding, FieldLayout, Layout};

impl Layout {
    /// The layout a bits field of type `T` has, read from its [`Unbox`]
    /// implementation. Fails to compile (in a `const`) if `T` claims none.
    pub const fn of_unbox<T: Unbox>() -> &'static Layout {
        match T::LAYOUT {
            Some(l) => l,
            None => panic!(
                "this field type has no bits layout (it cannot be stored inline); without \
                 #[repr(C)] the struct is converted field by field"
            ),
        }
    }

    /// As [`Layout::of_unbox`], from `T`'s [`IntoJulia`] implementation.
    pub const fn of_into_julia<T: IntoJulia>() -> &'static Layout {
        match T::LAYOUT {
            Some(l) => l,
            None => panic!(
                "this field type has no bits layout (it cannot be stored inline); without \
                 #[repr(C)] the struct is converted field by field"
            ),
        }
    }
}

/// The checked Julia type of one Rust type, found on first use.
///
/// Each implementation keeps one in a `static`. A checked type is also kept in a Julia
/// global (`JlrsCore.keep_type`), so the pointer stays valid for good.
#[derive(Debug)]
pub struct LayoutCache {
    ty: AtomicPtr<std::ffi::c_void>,
    per_layout: bool,
}

impl LayoutCache {
    /// An empty cache, for one non-generic type.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        LayoutCache {
            ty: AtomicPtr::new(std::ptr::null_mut()),
            per_layout: false,
        }
    }

    /// A cache for a generic type, whose `static` every instance shares: it remembers
    /// each instance's type by its layout.
    pub const fn per_layout() -> Self {
        LayoutCache {
            ty: AtomicPtr::new(std::ptr::null_mut()),
            per_layout: true,
        }
    }

    fn get(&self, layout: &'static Layout) -> *mut sys::jl_value_t {
        if self.per_layout {
            generic_cache::get(layout)
        } else {
            self.ty.load(Ordering::Acquire).cast()
        }
    }

    fn set(&self, layout: &'static Layout, ty: *mut sys::jl_value_t) {
        if self.per_layout {
            generic_cache::set(layout, ty);
        } else {
            self.ty.store(ty.cast(), Ordering::Release);
        }
    }
}

/// The Julia type `layout` names: its path, with its parameters' types applied.
fn julia_type_of<'s>(frame: &mut GcFrame<'s>, layout: &Layout) -> JlResult<Value<'s>> {
    if layout.params.is_empty() {
        return frame.global(layout.julia_type);
    }
    let mut params = Vec::with_capacity(layout.params.len());
    for p in layout.params {
        params.push(julia_type_of(frame, p)?);
    }
    frame.apply_type(layout.julia_type, &params)
}

/// The Julia type of `layout`, checked against it on first use (and cached only once
/// the check passed, so a type defined later is still found).
fn datatype<T>(layout: &'static Layout, cache: &LayoutCache) -> JlResult<*mut sys::jl_value_t> {
    let cached = cache.get(layout);
    if !cached.is_null() {
        return Ok(cached);
    }
    // The values this check looks at are types bound to globals, types applied to
    // parameters and fields of them; the stack roots them while it runs.
    let mut stack = RootStack::new();
    let mut frame = stack.frame();
    let ty = julia_type_of(&mut frame, layout)?;
    check(layout, ty.raw(), "").map_err(|problem| JuliaError::Layout {
        rust_type: std::any::type_name::<T>(),
        julia_type: layout_name(layout, ty.raw()),
        problem,
    })?;
    // Kept alive for good, even if the global it was found through is reassigned.
    frame.call_internal("JlrsCore.keep_type", &[ty])?;
    cache.set(layout, ty.raw());
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
        // A primitive (that it is the very type the layout names is checked by the
        // caller: `datatype` found it by that name, the loop below compares a field's).
        if kind != 2 {
            return Err(field(format!(
                "the Rust type is the primitive {}, the Julia type {} is a struct",
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
        // The field's type must be the very Julia type its layout names.
        let mut stack = RootStack::new();
        let mut frame = stack.frame();
        let named =
            julia_type_of(&mut frame, f.layout).map_err(|e| format!("field `{path}`: {e}"))?;
        if named.raw() != fty {
            return Err(format!(
                "field `{path}`: the Rust type is {}, the Julia type is {}",
                type_str(named.raw()),
                type_str(fty)
            ));
        }
    }
    Ok(())
}

/// The name of `layout`'s Julia type `ty` for messages: its path, or the applied type
/// (`WithGeneric{Float64}`) for a parametric one.
fn layout_name(layout: &Layout, ty: *mut sys::jl_value_t) -> String {
    if layout.params.is_empty() {
        layout.julia_type.to_string()
    } else {
        type_str(ty)
    }
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
/// `layout` describes `T` exactly: `T` is `#[repr(C)]` (or a primitive or a tuple),
/// `layout.size` is its size, each field's offset and layout are those of `T`'s fields in
/// order, and each primitive's [`Encoding`] says how its Rust bits relate to Julia's.
pub unsafe fn box_bits<'s, T: Copy>(
    frame: &mut GcFrame<'s>,
    layout: &'static Layout,
    cache: &LayoutCache,
    value: &T,
) -> JlResult<Value<'s>> {
    let ty = datatype::<T>(layout, cache)?;
    if layout.is_plain() {
        // SAFETY: the Julia type has exactly `T`'s size and layout (checked), so
        // jl_new_bits copies `size_of::<T>()` readable bytes; the result is rooted at once.
        return unsafe { frame.root(c::jlrs_core_new_bits(ty, (value as *const T).cast())) };
    }
    // Julia's bits of `value` (its `char`s as UTF-8), in a buffer that is never read as
    // a `T` again.
    let mut bits = std::mem::MaybeUninit::new(*value);
    // SAFETY: the buffer holds a valid `T`, which `layout` describes (the caller's
    // contract); then it holds a value of the checked Julia type, which jl_new_bits copies.
    unsafe {
        encoding::to_julia(layout, bits.as_mut_ptr().cast());
        frame.root(c::jlrs_core_new_bits(ty, bits.as_ptr().cast()))
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
/// As for [`box_bits`]; moreover every bit pattern a value of the Julia type can hold in
/// a field of [`Encoding::Plain`] is valid for that field (true for integers and floats;
/// `bool` and `char` fields are checked and converted here).
pub unsafe fn unbox_bits<T: Copy>(
    value: Value<'_>,
    layout: &'static Layout,
    cache: &LayoutCache,
) -> JlResult<T> {
    let ty = datatype::<T>(layout, cache)?;
    // SAFETY: `value` is valid and rooted.
    if unsafe { sys::jlrs_core_typeof(value.raw()) } != ty {
        return Err(JuliaError::WrongType {
            expected: layout_name(layout, ty),
            found: value.type_name(),
        });
    }
    let mut out = std::mem::MaybeUninit::<T>::uninit();
    // SAFETY: the value is a `ty`, whose bits have `T`'s size and layout (checked).
    unsafe {
        let data = c::jlrs_core_data_ptr(value.raw());
        std::ptr::copy_nonoverlapping(
            data.cast::<u8>(),
            out.as_mut_ptr().cast::<u8>(),
            std::mem::size_of::<T>(),
        );
    }
    if !layout.is_plain() {
        // SAFETY: the buffer holds the bits of a value of the checked Julia type.
        unsafe { encoding::from_julia(layout, out.as_mut_ptr().cast(), "") }.map_err(
            |(field, e)| JuliaError::Conversion {
                what: format!("the field `{field}` of a {}", type_str(ty)),
                problem: e,
            },
        )?;
    }
    // SAFETY: every field of the layout's plain types holds any bit pattern of its Julia
    // type (the caller's contract); its `bool`s were checked to be 0 or 1 and its `char`s
    // converted to valid `char`s above.
    Ok(unsafe { out.assume_init() })
}

/// The element type of arrays of `T`, whose layout is `layout` (for the `ArrayElement`
/// impls that `#[derive(Unbox)]` writes): an error unless `layout` matches its Julia type
/// (checked as for boxing: isbits, size, field names, offsets and types, recursively),
/// `T`'s bits are Julia's ([`Layout::is_plain`]: no `bool` or `char` inside, whose Julia
/// bits are not always valid Rust ones), and Julia aligns the type at least as strictly
/// as Rust does.
///
/// With those, an array of the Julia type holds valid `T`s (the array checks that the
/// stride is `T`'s size): every element is aligned for `T` and every bit pattern of it
/// is a `T`.
pub fn element_type<T>(
    _frame: &mut GcFrame<'_>,
    layout: &'static Layout,
    cache: &LayoutCache,
) -> JlResult<ElementType> {
    let fail = |problem: String| JuliaError::Layout {
        rust_type: std::any::type_name::<T>(),
        julia_type: layout.julia_type.to_string(),
        problem,
    };
    if !layout.is_plain() {
        return Err(fail(
            "it holds a bool or char, whose Julia bits are not always valid Rust ones, so \
             an array of it cannot be viewed in place; read its elements as values \
             (`array_any`)"
                .into(),
        ));
    }
    let ty = datatype::<T>(layout, cache)?;
    // SAFETY: a checked type, kept alive for good by `JlrsCore.keep_type`.
    let ty = unsafe { Value::wrap(std::ptr::NonNull::new(ty).expect("a type")) };
    // Julia aligns an array's data, and so its elements, to the element type's alignment
    // (at most 16 bytes).
    let align = DataType::from_value(ty)?.align().unwrap_or(0).min(16);
    if align < std::mem::align_of::<T>() {
        return Err(fail(format!(
            "the Rust type is aligned to {} bytes, Julia's arrays of it to {align}",
            std::mem::align_of::<T>(),
        )));
    }
    ElementType::from_value(ty)
}
