//! Feature `ndarray`: arrays as `ndarray` views with Julia's column-major strides, and
//! `ndarray` arrays given to Julia.

use std::ops::{Deref, DerefMut};

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, IxDyn, ShapeBuilder};

use crate::{
    array::{ledger::Borrow, Array, ArrayElement},
    error::JlResult,
    frame::GcFrame,
};

/// A shared, borrow-checked `ndarray` view of an [`Array`]; derefs to
/// [`ndarray::ArrayViewD`], indexed like Julia but from 0 (`view[[i, j]]` is Julia's
/// `A[i + 1, j + 1]`).
pub struct ArrayView<'a, T: ArrayElement> {
    view: ArrayViewD<'a, T::Stored>,
    _borrow: Borrow,
}

/// An exclusive, borrow-checked `ndarray` view of an [`Array`]; derefs to
/// [`ndarray::ArrayViewMutD`].
pub struct ArrayViewMut<'a, T: ArrayElement> {
    view: ArrayViewMutD<'a, T::Stored>,
    _borrow: Borrow,
}

impl<T: ArrayElement> std::fmt::Debug for ArrayView<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrayView")
            .field("shape", &self.view.shape())
            .finish_non_exhaustive()
    }
}

impl<T: ArrayElement> std::fmt::Debug for ArrayViewMut<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrayViewMut")
            .field("shape", &self.view.shape())
            .finish_non_exhaustive()
    }
}

impl<'a, T: ArrayElement> Deref for ArrayView<'a, T> {
    type Target = ArrayViewD<'a, T::Stored>;

    fn deref(&self) -> &ArrayViewD<'a, T::Stored> {
        &self.view
    }
}

impl<'a, T: ArrayElement> Deref for ArrayViewMut<'a, T> {
    type Target = ArrayViewMutD<'a, T::Stored>;

    fn deref(&self) -> &ArrayViewMutD<'a, T::Stored> {
        &self.view
    }
}

impl<T: ArrayElement> DerefMut for ArrayViewMut<'_, T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.view
    }
}

/// Julia's column-major shape.
fn shape(dims: &[usize]) -> ndarray::Shape<IxDyn> {
    IxDyn(dims).f()
}

impl<T: ArrayElement> Array<'_, T> {
    /// A shared `ndarray` view with Julia's shape and column-major strides.
    ///
    /// Borrow-checked like [`Array::data`]: an error if the data is exclusively borrowed.
    pub fn view(&self) -> JlResult<ArrayView<'_, T>> {
        let data = self.data()?;
        let (slice, borrow) = data.into_parts();
        let view = ArrayViewD::from_shape(shape(&self.dims()), slice)
            .expect("an array's dims hold exactly its length");
        Ok(ArrayView {
            view,
            _borrow: borrow,
        })
    }

    /// An exclusive `ndarray` view with Julia's shape and column-major strides.
    ///
    /// Borrow-checked like [`Array::data_mut`]: an error if the data is borrowed.
    pub fn view_mut(&self) -> JlResult<ArrayViewMut<'_, T>> {
        let data = self.data_mut()?;
        let (slice, borrow) = data.into_parts();
        let view = ArrayViewMutD::from_shape(shape(&self.dims()), slice)
            .expect("an array's dims hold exactly its length");
        Ok(ArrayViewMut {
            view,
            _borrow: borrow,
        })
    }
}

impl<'scope> GcFrame<'scope> {
    /// A Julia array from an `ndarray` array of rank 1 to 8, with the same shape and
    /// elements (`a[[i, j]]` is Julia's `A[i + 1, j + 1]`).
    ///
    /// Without copying when `a` is contiguous in column-major (Fortran) order, as made by
    /// `ArrayD::zeros(shape.f())` (Julia then owns the buffer as in
    /// [`GcFrame::array_from_vec`]); copied into column-major order otherwise.
    pub fn array_from_ndarray<T: ArrayElement>(
        &mut self,
        a: ArrayD<T>,
    ) -> JlResult<Array<'scope, T>> {
        let dims = a.shape().to_vec();
        if a.t().is_standard_layout() {
            let n = a.len();
            let (mut vec, offset) = a.into_raw_vec_and_offset();
            let offset = offset.unwrap_or(0);
            if offset != 0 || vec.len() != n {
                // The elements are contiguous and in order, but not the whole buffer.
                vec = vec[offset..offset + n].to_vec();
            }
            self.array_from_vec(vec, &dims)
        } else {
            let data: Vec<T> = a.t().iter().copied().collect();
            self.array_from_vec(data, &dims)
        }
    }
}
