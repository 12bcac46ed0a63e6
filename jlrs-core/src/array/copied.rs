//! [`CopiedArray`]: a Rust copy of an array's elements that keeps its dimensions, made
//! by [`Array::copy_inline_data`].

use std::ops::{Index, IndexMut};

use super::{
    dims::IntoDims, element::ArrayElement, error::ArrayError, typed::copy_elements, Array,
};
use crate::error::JlResult;

/// The elements of an [`Array`] copied into Rust, with its dimensions: Julia's column-major
/// order, so `a[[i, j]]` (or `a[(i, j)]`) is Julia's `A[i + 1, j + 1]`.
///
/// Owns its data; nothing ties it to Julia. Its length is always the product of its
/// dimensions (1 for rank 0). With feature `ndarray`, [`CopiedArray::into_ndarray`] makes
/// an `ndarray::ArrayD` of it without copying again.
///
/// ```
/// # use jlrs_core::{InitOptions, Runtime};
/// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
/// rt.julia().scope(|mut frame| {
///     let m = frame.eval("[1 2 3; 4 5 6]")?.array::<i64>()?;
///     let copied = m.copy_inline_data()?;
///     assert_eq!(copied.dims(), [2, 3]);
///     assert_eq!(copied.data(), [1, 4, 2, 5, 3, 6]);
///     assert_eq!(copied[(1, 2)], 6); // Julia's M[2, 3]
///     assert_eq!(copied.get([2, 0]), None);
///     Ok::<_, jlrs_core::JuliaError>(())
/// })
/// .unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CopiedArray<T> {
    data: Vec<T>,
    dims: Vec<usize>,
}

impl<T> CopiedArray<T> {
    /// The elements in column-major order.
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The elements in column-major order, to change in place.
    pub fn data_mut(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// The size of each dimension (Julia's `size(A)`).
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.dims.len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements and the dimensions.
    pub fn into_parts(self) -> (Vec<T>, Vec<usize>) {
        (self.data, self.dims)
    }

    /// The position in [`CopiedArray::data`] of the 0-based `index`, one entry per
    /// dimension: `None` if it has another rank or lies outside.
    pub fn linear_index(&self, index: impl IntoDims) -> Option<usize> {
        let index = index.into_dims();
        if index.len() != self.dims.len() {
            return None;
        }
        let mut linear = 0;
        let mut stride = 1;
        for (&i, &d) in index.iter().zip(&self.dims) {
            if i >= d {
                return None;
            }
            // No overflow: every partial sum is below the product of the dimensions,
            // which is the data's length.
            linear += i * stride;
            stride *= d;
        }
        Some(linear)
    }

    /// The element at the 0-based `index` (one entry per dimension), or `None`.
    pub fn get(&self, index: impl IntoDims) -> Option<&T> {
        self.linear_index(index).map(|i| &self.data[i])
    }

    /// The element at the 0-based `index` (one entry per dimension), to change, or `None`.
    pub fn get_mut(&mut self, index: impl IntoDims) -> Option<&mut T> {
        self.linear_index(index).map(|i| &mut self.data[i])
    }

    #[track_caller]
    fn expect_index(&self, index: impl IntoDims) -> usize {
        let index = index.into_dims();
        self.linear_index(&index).unwrap_or_else(|| {
            panic!(
                "index {:?} is out of bounds for an array of dimensions {:?}",
                index.as_slice(),
                self.dims
            )
        })
    }
}

impl<T, D: IntoDims> Index<D> for CopiedArray<T> {
    type Output = T;

    /// The element at a 0-based index with one entry per dimension.
    ///
    /// # Panics
    /// If the index has another rank or lies outside the dimensions.
    #[track_caller]
    fn index(&self, index: D) -> &T {
        &self.data[self.expect_index(index)]
    }
}

impl<T, D: IntoDims> IndexMut<D> for CopiedArray<T> {
    #[track_caller]
    fn index_mut(&mut self, index: D) -> &mut T {
        let i = self.expect_index(index);
        &mut self.data[i]
    }
}

impl<T: ArrayElement> Array<'_, T> {
    /// A copy of the elements with the array's dimensions.
    ///
    /// Like [`Array::to_vec`], the copy is taken under a shared borrow of the data (an
    /// error if it is exclusively borrowed, or for `char` and `bool` if an element is not
    /// a valid one), and the dimensions are read while it holds, so that they describe
    /// the elements copied.
    pub fn copy_inline_data(&self) -> JlResult<CopiedArray<T>> {
        let borrow = self.data()?;
        // Read under the borrow: Julia cannot resize the array while it lives.
        let dims = self.dims();
        let expected = dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if expected != Some(borrow.len()) {
            // Only Julia code on another thread that detaches the array at this instant
            // gets here.
            return Err(ArrayError::LengthMismatch {
                expected: expected.unwrap_or(usize::MAX),
                found: borrow.len(),
                dims,
            }
            .into());
        }
        let data = copy_elements(&borrow)?;
        drop(borrow);
        Ok(CopiedArray { data, dims })
    }
}
