//! Feature `ndarray`: arrays as `ndarray` views with Julia's column-major strides, copied
//! into `ndarray` arrays, and `ndarray` arrays given to Julia.

use std::ops::{Index, IndexMut};

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, IxDyn, NdIndex, ShapeBuilder};

use crate::{
    array::{ledger::Borrow, Array, ArrayElement, CopiedArray},
    error::JlResult,
    rooting::frame::GcFrame,
};

/// A shared, borrow-checked `ndarray` view of an [`Array`], indexed like Julia but from 0
/// (`view[[i, j]]` is Julia's `A[i + 1, j + 1]`); [`ArrayView::as_view`] lends the
/// [`ndarray::ArrayViewD`] itself.
///
/// Every view it lends borrows the guard, so none outlives the ledger entry that makes
/// it sound:
///
/// ```compile_fail
/// # fn f(a: jlrs_core::Array<'_, f64>) {
/// let guard = a.view().unwrap();
/// let escaped = guard.as_view().clone();
/// drop(guard); // error: `guard` is still borrowed by `escaped`
/// let _ = escaped[[0]];
/// # }
/// ```
pub struct ArrayView<'a, T: ArrayElement> {
    view: ArrayViewD<'a, T::Stored>,
    _borrow: Borrow,
}

/// An exclusive, borrow-checked `ndarray` view of an [`Array`]; [`ArrayViewMut::as_view_mut`]
/// lends the [`ndarray::ArrayViewMutD`] for as long as the guard is mutably borrowed, so
/// no second mutable view of the same memory can be taken out of it:
///
/// ```compile_fail
/// # fn f(a: jlrs_core::Array<'_, f64>, other: ndarray::ArrayViewMutD<'static, f64>) {
/// let mut guard = a.view_mut().unwrap();
/// let taken = std::mem::replace(&mut guard.as_view_mut(), other);
/// drop(guard); // error: `guard` is still borrowed by `taken`
/// let _ = taken;
/// # }
/// ```
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

impl<T: ArrayElement> ArrayView<'_, T> {
    /// The view, for as long as the guard is borrowed.
    pub fn as_view(&self) -> ArrayViewD<'_, T::Stored> {
        self.view.view()
    }

    /// Julia's dimensions.
    pub fn shape(&self) -> &[usize] {
        self.view.shape()
    }
}

impl<T: ArrayElement> ArrayViewMut<'_, T> {
    /// A shared view, for as long as the guard is borrowed.
    pub fn as_view(&self) -> ArrayViewD<'_, T::Stored> {
        self.view.view()
    }

    /// The mutable view, for as long as the guard is mutably borrowed.
    pub fn as_view_mut(&mut self) -> ArrayViewMutD<'_, T::Stored> {
        self.view.view_mut()
    }

    /// Julia's dimensions.
    pub fn shape(&self) -> &[usize] {
        self.view.shape()
    }
}

impl<T: ArrayElement, I: NdIndex<IxDyn>> Index<I> for ArrayView<'_, T> {
    type Output = T::Stored;

    fn index(&self, index: I) -> &T::Stored {
        &self.view[index]
    }
}

impl<T: ArrayElement, I: NdIndex<IxDyn>> Index<I> for ArrayViewMut<'_, T> {
    type Output = T::Stored;

    fn index(&self, index: I) -> &T::Stored {
        &self.view[index]
    }
}

impl<T: ArrayElement, I: NdIndex<IxDyn>> IndexMut<I> for ArrayViewMut<'_, T> {
    fn index_mut(&mut self, index: I) -> &mut T::Stored {
        &mut self.view[index]
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

impl<T: ArrayElement> Array<'_, T> {
    /// A copy of the elements as an `ndarray` array with Julia's shape, in column-major
    /// (Fortran) order: `a[[i, j]]` is Julia's `A[i + 1, j + 1]`. Rank 0 gives a
    /// zero-dimensional array of one element.
    ///
    /// Copied like [`Array::copy_inline_data`], under a shared borrow of the data.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let m = frame.eval("[1 2 3; 4 5 6]")?.array::<i64>()?;
    ///     let a = m.to_ndarray()?;
    ///     assert_eq!(a.shape(), [2, 3]);
    ///     assert_eq!(a[[1, 2]], 6); // Julia's M[2, 3]
    ///     Ok::<_, jlrs_core::JuliaError>(())
    /// })
    /// .unwrap();
    /// ```
    pub fn to_ndarray(&self) -> JlResult<ArrayD<T>> {
        Ok(self.copy_inline_data()?.into_ndarray())
    }
}

impl<T> CopiedArray<T> {
    /// The copy as an `ndarray` array with the same shape, in column-major (Fortran)
    /// order, without copying the elements again.
    pub fn into_ndarray(self) -> ArrayD<T> {
        let (data, dims) = self.into_parts();
        ArrayD::from_shape_vec(shape(&dims), data)
            .expect("a copied array's length is the product of its dimensions")
    }
}

impl<'scope> GcFrame<'scope> {
    /// A Julia array from an `ndarray` array of rank 0 to 64, with the same shape and
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
