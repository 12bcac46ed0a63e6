//! Copying conversions between row-major Rust matrices (`Vec<Vec<T>>`, a vector of rows,
//! as JSON has them) and Julia's column-major `Matrix{T}`.

use crate::{
    array::ArrayElement,
    convert::vec::read_array,
    convert::{IntoJulia, Unbox},
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    values::value::Value,
};

/// The rows of a matrix as one column-major buffer, and its dimensions; every row must
/// have the first row's length.
fn column_major<T: ArrayElement>(rows: &[Vec<T>]) -> JlResult<(Vec<T>, [usize; 2])> {
    let n_rows = rows.len();
    let n_cols = rows.first().map_or(0, Vec::len);
    if let Some((i, row)) = rows.iter().enumerate().find(|(_, r)| r.len() != n_cols) {
        return Err(JuliaError::Conversion {
            what: format!("a Vec<Vec<_>> to a Matrix ({n_rows} rows)"),
            problem: format!(
                "row {i} has {} elements, row 0 has {n_cols}: every row must have the same length",
                row.len()
            ),
        });
    }
    let mut data = Vec::with_capacity(n_rows * n_cols);
    for j in 0..n_cols {
        data.extend(rows.iter().map(|row| row[j]));
    }
    Ok((data, [n_rows, n_cols]))
}

// SAFETY: no layout is claimed.
unsafe impl<T: ArrayElement> IntoJulia for Vec<Vec<T>> {
    type Output<'s> = JlResult<Value<'s>>;

    /// A new `Matrix{T}` whose row `i` is `self[i]` (a copy, stored column-major). Every
    /// row must have the same length; no rows give a 0×0 matrix.
    fn into_julia<'s>(self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        let (data, dims) = column_major(&self)?;
        Ok(frame.array_from_slice(&data, dims)?.as_value())
    }
}

// SAFETY: no layout is claimed.
unsafe impl<T: ArrayElement> Unbox for Vec<Vec<T>> {
    const JULIA_TYPE: &'static str = "Matrix";

    fn is_type_of(value: Value<'_>) -> bool {
        value.array::<T>().is_ok_and(|a| a.rank() == 2)
    }

    /// The rows of a `Matrix{T}` (copied): `result[i][j]` is `m[i+1, j+1]`.
    fn unbox(value: Value<'_>) -> JlResult<Self> {
        let (data, dims) = read_array::<T>(value, 2, "Matrix")?;
        let (n_rows, n_cols) = (dims[0], dims[1]);
        Ok((0..n_rows)
            .map(|i| (0..n_cols).map(|j| data[j * n_rows + i]).collect())
            .collect())
    }
}
