//! Julia arrays shared with Rust: typed N-dimensional [`Array`]s of bits elements,
//! created from Rust memory without copying, borrow-checked across threads.
//!
//! - Make arrays with [`GcFrame::new_array`](crate::GcFrame::new_array) (zero-filled), [`GcFrame::array_from_slice`](crate::GcFrame::array_from_slice)
//!   (a copy), [`GcFrame::array_from_vec`](crate::GcFrame::array_from_vec) (Julia takes the `Vec`, no copy) and
//!   [`GcFrame::borrow_array`](crate::GcFrame::borrow_array) (Julia sees a Rust buffer while a closure runs).
//! - View an existing Julia array with [`Value::array`] (typed, bits elements) or
//!   [`Value::array_any`] (any element type, one boxed element at a time).
//! - Read and write the elements through [`Array::data`] and [`Array::data_mut`], in
//!   column-major order: Julia's `A[i, j]` is element `(i - 1) + (j - 1) * rows`.
//! - With feature `ndarray`: [`Array::view`], [`Array::view_mut`] and
//!   [`GcFrame::array_from_ndarray`](crate::GcFrame::array_from_ndarray).
//!
//! # What the safe API guarantees
//!
//! - **Rust borrows never conflict.** [`ArrayRef`] and [`ArrayMut`] are recorded in one
//!   process-wide ledger keyed by the data pointer: a second exclusive borrow, or a shared
//!   one while an exclusive one lives, is an [`ArrayError::Borrowed`] error, on any thread
//!   and through any number of `Array` handles to the same Julia object. The ledger's lock
//!   is held for a few instructions with no Julia call inside, so waiting for it never
//!   holds up a collection.
//! - **Rust memory is never freed under Julia.** A `Vec` given to
//!   [`GcFrame::array_from_vec`](crate::GcFrame::array_from_vec) is dropped exactly once, by a GC finalizer, after the
//!   last Julia reference is gone; the finalizer frees memory only (no Julia call, no
//!   panic), on whichever thread collects. A buffer lent with [`GcFrame::borrow_array`](crate::GcFrame::borrow_array)
//!   is detached from its Julia array before the borrow ends. Julia cannot resize arrays
//!   over Rust memory ("cannot resize array with shared data").
//! - **Types are checked.** A typed view of a Julia array with another element type, or
//!   of a non-array, is an [`ArrayError::WrongType`] naming both types (e.g. "expected
//!   Array{Float64}, got Array{Int64,2}"); dimensions are checked for rank (1 to 8),
//!   overflow and length before Julia sees them.
//!
//! # What it cannot see: Julia code
//!
//! The ledger records Rust's borrows; Julia code does not consult it. While an
//! [`ArrayRef`] or [`ArrayMut`] lives, Julia code that writes the same array (on another
//! thread, or in a call made from Rust in the meantime) races with the borrow, and Julia
//! code that resizes a Julia-owned vector (`push!`, `resize!`, `empty!` …) moves its
//! buffer out from under the borrow. Arrays over Rust memory cannot be resized, and an
//! array that only Rust references cannot be touched by Julia at all; for arrays that
//! Julia code also holds, end the borrow before calling Julia code that changes them.
//!
//! # Elements
//!
//! [`ArrayElement`] is implemented for every integer width, `f32`, `f64`, `bool` and
//! `char`, and can be implemented for `#[repr(C)]` bits structs (see its docs). A `char`
//! array's data is read as [`JuliaChar`]s (Julia stores a `Char` as UTF-8 bytes);
//! [`Array::to_vec`] converts.
//!
//! ```
//! use jlrs_core::{InitOptions, Runtime};
//!
//! let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
//! rt.julia().scope(|mut frame| {
//!     // A 2×3 matrix from Rust, in column-major order.
//!     let m = frame.array_from_vec(vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
//!     // Julia sees M[2, 3] at (2 - 1) + (3 - 1) * 2.
//!     frame.eval("double!(M) = (M .*= 2; nothing)")?;
//!     let double = frame.global("double!")?;
//!     double.call(&mut frame, &[m.as_value()])?;
//!     assert_eq!(m.data()?[1 + 2 * 2], 12.0);
//!
//!     // Borrows are checked.
//!     let r = m.data()?;
//!     assert!(m.data_mut().is_err());
//!     drop(r);
//!
//!     // Typed views of Julia's arrays.
//!     let v = frame.eval("[1 2; 3 4]")?;
//!     assert_eq!(
//!         v.array::<f64>().unwrap_err().to_string(),
//!         "expected Array{Float64}, got Array{Int64,2}"
//!     );
//!     assert_eq!(v.array::<i64>()?.to_vec()?, [1, 3, 2, 4]);
//!     Ok::<_, jlrs_core::JuliaError>(())
//! })
//! .unwrap();
//! ```

mod any;
mod create;
mod element;
pub(crate) mod error;
pub(crate) mod ffi;
mod ledger;
#[cfg(feature = "ndarray")]
mod nd;
mod owned;

use std::{ffi::c_void, marker::PhantomData, ptr::NonNull};

pub use any::AnyArray;
pub use element::{ArrayElement, ElementType, JuliaChar};
pub use error::ArrayError;
pub use ledger::{ArrayMut, ArrayRef};
#[cfg(feature = "ndarray")]
pub use nd::{ArrayView, ArrayViewMut};
pub use owned::owned_buffers;

use crate::{error::JlResult, roots::RootStack, sys, value::Value};
use ledger::Borrow;

/// A Julia `Array{T,N}` of bits elements, rooted for `'scope`.
///
/// A handle: `Copy`, `!Send`, as cheap as a [`Value`]. Its rank `N` is known at run time
/// ([`Array::rank`]); its elements are reached through the borrow-checked [`Array::data`]
/// and [`Array::data_mut`] (see the [module docs](self) for what is guaranteed).
pub struct Array<'scope, T> {
    value: Value<'scope>,
    _elem: PhantomData<fn() -> T>,
}

impl<T> Clone for Array<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Array<'_, T> {}

static_assertions::assert_not_impl_any!(Array<'static, f64>: Send, Sync);

impl<T> std::fmt::Debug for Array<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Array({:?}, dims {:?})", self.value, dims(self.value))
    }
}

impl<'scope, T: ArrayElement> Array<'scope, T> {
    /// # Safety
    /// `value` is an `Array` whose elements are stored inline as `T::Stored`.
    pub(crate) unsafe fn wrap(value: Value<'scope>) -> Self {
        Array {
            value,
            _elem: PhantomData,
        }
    }

    /// The array as a plain value, to pass to Julia.
    pub fn as_value(self) -> Value<'scope> {
        self.value
    }

    /// The number of dimensions.
    pub fn rank(self) -> usize {
        rank(self.value)
    }

    /// The size of each dimension.
    pub fn dims(self) -> Vec<usize> {
        dims(self.value)
    }

    /// The number of elements.
    pub fn len(self) -> usize {
        len(self.value)
    }

    /// Whether the array has no elements.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub(crate) fn data_ptr(self) -> *mut c_void {
        // SAFETY: a rooted array; the shim reads its data field.
        unsafe { ffi::jlrs_array_data(self.value.raw()) }
    }

    /// The data and its length, checked for alignment; a dangling pointer when empty.
    fn raw_parts(&self) -> JlResult<(NonNull<T::Stored>, usize)> {
        let len = self.len();
        let ptr = self.data_ptr().cast::<T::Stored>();
        if len == 0 || ptr.is_null() {
            return Ok((NonNull::dangling(), 0));
        }
        if !ptr.is_aligned() {
            return Err(ArrayError::Misaligned(ptr as usize).into());
        }
        // SAFETY: checked non-null above.
        Ok((unsafe { NonNull::new_unchecked(ptr) }, len))
    }

    /// A shared borrow of the elements, in column-major order.
    ///
    /// An error if the data is exclusively borrowed ([`Array::data_mut`]) anywhere in the
    /// process. See the [module docs](self) for what Julia code may not do meanwhile.
    pub fn data(&self) -> JlResult<ArrayRef<'_, T>> {
        let (ptr, len) = self.raw_parts()?;
        let borrow = Borrow::acquire(if len == 0 { 0 } else { ptr.as_ptr() as usize }, false)?;
        // SAFETY: the array is rooted for longer than `&self`; its `len` elements are
        // valid `T::Stored`s (checked element type); the ledger excludes every Rust
        // writer while the borrow is held.
        let data = unsafe { std::slice::from_raw_parts(ptr.as_ptr(), len) };
        // SAFETY: as above.
        Ok(unsafe { ArrayRef::new(data, borrow) })
    }

    /// An exclusive borrow of the elements, in column-major order.
    ///
    /// An error if the data is borrowed in any way anywhere in the process. See the
    /// [module docs](self) for what Julia code may not do meanwhile.
    pub fn data_mut(&self) -> JlResult<ArrayMut<'_, T>> {
        let (ptr, len) = self.raw_parts()?;
        let borrow = Borrow::acquire(if len == 0 { 0 } else { ptr.as_ptr() as usize }, true)?;
        // SAFETY: as for `data`; the ledger excludes every other Rust borrow.
        let data = unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr(), len) };
        // SAFETY: as above.
        Ok(unsafe { ArrayMut::new(data, borrow) })
    }

    /// A copy of the elements, in column-major order.
    ///
    /// An error if the data is exclusively borrowed, or (for `char`) if an element is
    /// not a valid `char`.
    pub fn to_vec(&self) -> JlResult<Vec<T>> {
        let data = self.data()?;
        if element::stored_as_itself::<T>() {
            let mut out = Vec::<T>::with_capacity(data.len());
            // SAFETY: T::Stored is T; `out` has room for `data.len()` elements.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    data.as_ptr().cast::<T>(),
                    out.as_mut_ptr(),
                    data.len(),
                );
                out.set_len(data.len());
            }
            Ok(out)
        } else {
            data.iter().map(|&s| T::from_stored(s)).collect()
        }
    }
}

pub(crate) fn rank(v: Value<'_>) -> usize {
    // SAFETY: `v` is a rooted array.
    unsafe { ffi::jlrs_array_rank(v.raw()) as usize }
}

pub(crate) fn dims(v: Value<'_>) -> Vec<usize> {
    (0..rank(v))
        // SAFETY: `v` is a rooted array and `i` is below its rank.
        .map(|i| unsafe { ffi::jlrs_array_dim(v.raw(), i as i32) })
        .collect()
}

pub(crate) fn len(v: Value<'_>) -> usize {
    // SAFETY: `v` is a rooted array.
    unsafe { ffi::jlrs_array_len(v.raw()) }
}

/// `string(v)` in Julia, or the name of `v`'s type if that fails.
///
/// # Safety
/// `v` is a valid, rooted value and this thread may call Julia.
unsafe fn raw_string(v: *mut sys::jl_value_t) -> String {
    // SAFETY: the caller's contract; the shim catches exceptions; the string is copied
    // before the next allocation.
    unsafe {
        let s = ffi::jlrs_value_string(v);
        if s.is_null() {
            crate::strings::type_name(v)
        } else {
            crate::strings::string_of(s)
        }
    }
}

/// `string(v)` in Julia (for a type: its full name with parameters).
pub(crate) fn value_string(v: Value<'_>) -> String {
    // SAFETY: a `Value` is rooted and only exists where Julia may be called.
    unsafe { raw_string(v.raw()) }
}

/// The full name of `v`'s type, e.g. `Array{Int64,2}`.
fn type_string(v: Value<'_>) -> String {
    // SAFETY: a value's type is rooted by the value (types are never freed anyway).
    unsafe { raw_string(sys::jlrs_core_typeof(v.raw())) }
}

impl<'scope> Value<'scope> {
    /// Whether this value is an `Array` (of any element type and rank).
    pub fn is_array(self) -> bool {
        // SAFETY: `self` is a valid value.
        unsafe { ffi::jlrs_array_is_array(self.raw()) != 0 }
    }

    /// This value as an `Array{T,N}` (any rank `N`): an error naming the expected and the
    /// actual type if it is not an array of `T`'s Julia type, e.g. "expected
    /// Array{Float64}, got Array{Int64,2}".
    pub fn array<T: ArrayElement>(self) -> JlResult<Array<'scope, T>> {
        let mut stack = RootStack::new();
        let ty = element::element_type::<T>(&mut stack.frame())?;
        // SAFETY: `self` is a rooted array when the first test passes; its element type
        // is read by the shim.
        let matches = self.is_array()
            && unsafe { ffi::jlrs_array_eltype(self.raw()) } == ty.raw()
            && unsafe { ffi::jlrs_array_is_bits(self.raw()) } != 0;
        if !matches {
            // SAFETY: `ty` is a type Julia never frees.
            let elem = unsafe { raw_string(ty.raw()) };
            return Err(ArrayError::WrongType {
                expected: format!("Array{{{elem}}}"),
                found: type_string(self),
            }
            .into());
        }
        // SAFETY: an Array whose element type is T's bits type, stored inline.
        Ok(unsafe { Array::wrap(self) })
    }

    /// This value as an array of any element type (`Vector{String}`, `Vector{Any}`,
    /// `Matrix{Float64}` …), read and written one boxed element at a time.
    pub fn array_any(self) -> JlResult<AnyArray<'scope>> {
        if !self.is_array() {
            return Err(ArrayError::WrongType {
                expected: "Array".into(),
                found: type_string(self),
            }
            .into());
        }
        // SAFETY: checked to be an array.
        Ok(unsafe { AnyArray::wrap(self) })
    }
}
