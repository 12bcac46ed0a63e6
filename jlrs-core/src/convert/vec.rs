//! Copying conversions between Rust vectors and slices and Julia `Vector`s: `Vec<T>` and
//! `&[T]` of array elements to `Vector{T}` and back, `Vec<String>` to `Vector{String}` and
//! back. Beside the zero-copy [`Array`](crate::Array) API, for values that are small or
//! must outlive their frame (a tuple or struct that holds an array, a service's JSON).

use crate::{
    array::error::ArrayError,
    array::ArrayElement,
    convert::record::full_type_name,
    convert::{IntoJulia, Unbox},
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    rooting::roots::RootStack,
    values::value::Value,
};

/// A Julia error about an array as one about a `Vector`: "expected Vector{Float64}, found
/// Matrix{Float64}" rather than the array API's wording.
pub(crate) fn as_vector_error(e: JuliaError, container: &str) -> JuliaError {
    match e {
        JuliaError::Array(ArrayError::WrongType { expected, found }) => JuliaError::WrongType {
            expected: expected.replacen("Array{", &format!("{container}{{"), 1),
            found,
        },
        e => e,
    }
}

/// Reads a rank-`rank` array of `T` out of `v` as a column-major copy and its dimensions.
pub(crate) fn read_array<T: ArrayElement>(
    v: Value<'_>,
    rank: usize,
    container: &str,
) -> JlResult<(Vec<T>, Vec<usize>)> {
    let array = v.array::<T>().map_err(|e| as_vector_error(e, container))?;
    if array.rank() != rank {
        return Err(JuliaError::WrongType {
            expected: format!(
                "a {container} ({rank} dimension{})",
                if rank == 1 { "" } else { "s" }
            ),
            found: full_type_name(v),
        });
    }
    // Elements and dimensions from one copy, so that they agree.
    Ok(array.copy_inline_data()?.into_parts())
}

// SAFETY: no layout is claimed (a `Vec` is a pointer, Julia's `Vector` a boxed array).
unsafe impl<T: ArrayElement> IntoJulia for Vec<T> {
    type Output<'s> = JlResult<Value<'s>>;

    /// A new `Vector{T}` with a copy of the elements, owned by Julia.
    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        self.as_slice().into_julia(frame)
    }
}

// SAFETY: no layout is claimed.
unsafe impl<T: ArrayElement> IntoJulia for &[T] {
    type Output<'s> = JlResult<Value<'s>>;

    /// A new `Vector{T}` with a copy of the elements, owned by Julia.
    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        Ok(frame.array_from_slice(self, [self.len()])?.as_value())
    }
}

// SAFETY: no layout is claimed.
unsafe impl<T: ArrayElement> Unbox for Vec<T> {
    const JULIA_TYPE: &'static str = "Vector";

    fn is_type_of(value: Value<'_>) -> bool {
        value.array::<T>().is_ok_and(|a| a.rank() == 1)
    }

    /// A copy of a `Vector{T}`'s elements; an error names both types if `value` is not a
    /// `Vector` of `T`'s Julia type.
    fn unbox(value: Value<'_>) -> JlResult<Self> {
        Ok(read_array::<T>(value, 1, "Vector")?.0)
    }
}

// SAFETY: no layout is claimed.
unsafe impl IntoJulia for Vec<String> {
    type Output<'s> = JlResult<Value<'s>>;

    /// A new `Vector{String}` with copies of the strings.
    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        let strings: Vec<&str> = self.iter().map(String::as_str).collect();
        strings.as_slice().into_julia(frame)
    }
}

// SAFETY: no layout is claimed.
unsafe impl IntoJulia for &[&str] {
    type Output<'s> = JlResult<Value<'s>>;

    /// A new `Vector{String}` with copies of the strings.
    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        // `getindex(String, s...)` is `String[s...]`, a `Vector{String}`.
        let mut args = Vec::with_capacity(self.len() + 1);
        args.push(frame.global("String")?);
        for s in self {
            args.push(frame.box_value(*s));
        }
        frame.call("getindex", &args)
    }
}

// SAFETY: no layout is claimed.
unsafe impl Unbox for Vec<String> {
    const JULIA_TYPE: &'static str = "Vector{String}";

    fn is_type_of(value: Value<'_>) -> bool {
        let mut stack = RootStack::new();
        is_string_vector(&mut stack.frame(), value).unwrap_or(false)
    }

    /// Copies of a `Vector{String}`'s strings.
    fn unbox(value: Value<'_>) -> JlResult<Self> {
        let mut stack = RootStack::new();
        let mut frame = stack.frame();
        if !is_string_vector(&mut frame, value)? {
            return Err(JuliaError::WrongType {
                expected: Self::JULIA_TYPE.into(),
                found: full_type_name(value),
            });
        }
        let array = value.array_any()?;
        (0..array.len())
            .map(|i| array.get(&mut frame, i)?.unbox::<String>())
            .collect()
    }
}

/// Whether `value` is a `Vector{String}`.
fn is_string_vector(frame: &mut GcFrame<'_>, value: Value<'_>) -> JlResult<bool> {
    if !value.is_array() {
        return Ok(false);
    }
    let string = frame.global("String")?;
    let one = frame.box_value(1i64);
    let ty = frame.apply_type("Array", &[string, one])?;
    value.isa(frame, ty)
}
