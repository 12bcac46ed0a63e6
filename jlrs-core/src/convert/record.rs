//! Structs converted field by field, by name (what `#[derive(IntoJulia, Unbox)]` generates
//! for a struct that is not `#[repr(C)]`): each field is copied with its own conversion, so
//! fields may be `Vec`s, `String`s or other such structs. For the derive macros; not
//! needed by hand.

use crate::{
    convert::rooted::UnboxRooted,
    convert::{BoxOutput, IntoJulia, Unbox},
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    rooting::roots::RootStack,
    values::value::Value,
};

/// The full type of `v` as Julia prints it (`Array{Float64,2}`), for error messages.
pub(crate) fn full_type_name(v: Value<'_>) -> String {
    let mut stack = RootStack::new();
    let mut frame = stack.frame();
    let shown = frame
        .call("typeof", &[v])
        .and_then(|t| frame.call("string", &[t]));
    shown
        .and_then(|s| s.unbox::<String>())
        .unwrap_or_else(|_| v.type_name())
}

/// Whether `value` is of the Julia type at `julia_type` (a path such as `"Main.Stats"`);
/// `None` accepts any value with the fields (a struct or a named tuple).
fn check_type(frame: &mut GcFrame<'_>, value: Value<'_>, julia_type: Option<&str>) -> JlResult<()> {
    let Some(path) = julia_type else {
        return Ok(());
    };
    let ty = frame.global(path)?;
    if value.isa(frame, ty)? {
        Ok(())
    } else {
        Err(JuliaError::WrongType {
            expected: path.to_string(),
            found: full_type_name(value),
        })
    }
}

/// Reads the field `field` of `value` as a `T`; an error names the field, the value's type
/// and why.
pub fn unbox_field<T: Unbox>(
    frame: &mut GcFrame<'_>,
    value: Value<'_>,
    field: &str,
) -> JlResult<T> {
    let got = value.field(frame, field).and_then(T::unbox);
    got.map_err(|e| match e {
        e @ JuliaError::NoSuchField { .. } => e,
        e => JuliaError::Conversion {
            what: format!("the field `{field}` of a {}", full_type_name(value)),
            problem: e.to_string(),
        },
    })
}

/// Unboxes a struct field by field: checks `value`'s type, then `read` reads the fields
/// with [`unbox_field`].
pub fn unbox_record<T>(
    value: Value<'_>,
    julia_type: Option<&str>,
    read: impl FnOnce(&mut GcFrame<'_>, Value<'_>) -> JlResult<T>,
) -> JlResult<T> {
    let mut stack = RootStack::new();
    let mut frame = stack.frame();
    check_type(&mut frame, value, julia_type)?;
    read(&mut frame, value)
}

/// A field type's `Unbox::is_type_of`.
pub type IsType = fn(Value<'_>) -> bool;

/// Whether `value` unboxes as a struct of the given type (if any) whose fields `names`
/// pass `checks`.
pub fn is_record(value: Value<'_>, julia_type: Option<&str>, fields: &[(&str, IsType)]) -> bool {
    let mut stack = RootStack::new();
    let mut frame = stack.frame();
    if check_type(&mut frame, value, julia_type).is_err() {
        return false;
    }
    fields
        .iter()
        .all(|(name, is)| value.field(&mut frame, name).is_ok_and(|f| is(f)))
}

/// Boxes one field's value.
pub fn box_field<'s, T: IntoJulia>(
    frame: &mut GcFrame<'s>,
    value: T,
    field: &str,
) -> JlResult<Value<'s>> {
    value
        .into_julia(frame)
        .into_result()
        .map_err(|e| JuliaError::Conversion {
            what: format!("the field `{field}`"),
            problem: e.to_string(),
        })
}

/// A new value of the Julia type at `julia_type`, made by its constructor from the boxed
/// fields in order; without a type, a named tuple of the fields.
pub fn box_record<'s>(
    frame: &mut GcFrame<'s>,
    julia_type: Option<&str>,
    fields: &[(&str, Value<'_>)],
) -> JlResult<Value<'s>> {
    match julia_type {
        Some(path) => {
            let args: Vec<Value<'_>> = fields.iter().map(|(_, v)| *v).collect();
            frame.call(path, &args)
        }
        None => frame.new_named_tuple(fields),
    }
}

/// Reads the field `field` of `value` as a `T` whose Julia parts are rooted in `frame`
/// (for structs with `Value` fields); an error names the field, the value's type and why.
pub fn unbox_field_rooted<'s, T: UnboxRooted<'s>>(
    frame: &mut GcFrame<'s>,
    value: Value<'_>,
    field: &str,
) -> JlResult<T> {
    let got = value
        .field(frame, field)
        .and_then(|f| T::unbox_rooted(frame, f));
    got.map_err(|e| match e {
        e @ JuliaError::NoSuchField { .. } => e,
        e => JuliaError::Conversion {
            what: format!("the field `{field}` of a {}", full_type_name(value)),
            problem: e.to_string(),
        },
    })
}

/// Checks that `value` is of the Julia type at `julia_type` (any value with the fields
/// when `None`), for a struct read with [`unbox_field_rooted`].
pub fn check_record(
    frame: &mut GcFrame<'_>,
    value: Value<'_>,
    julia_type: Option<&str>,
) -> JlResult<()> {
    check_type(frame, value, julia_type)
}
