//! [`Array`]: a typed handle to a Julia array of bits elements, and the [`Value`]
//! methods that make one.

use std::{ffi::c_void, marker::PhantomData, ptr::NonNull};

use super::{
    any::AnyArray,
    element::{self, ArrayElement},
    error::ArrayError,
    ffi,
    inspect::{dims, len, rank, raw_string, type_string},
    ledger::{ArrayMut, ArrayRef, Borrow},
};
use crate::{error::JlResult, rooting::roots::RootStack, values::value::Value};

/// A Julia `Array{T,N}` of bits elements, rooted for `'scope`.
///
/// A handle: `Copy`, `!Send`, as cheap as a [`Value`]. Its rank `N` is known at run time
/// ([`Array::rank`]); its elements are reached through the borrow-checked [`Array::data`]
/// and [`Array::data_mut`] (see the [module docs](crate::array) for what is guaranteed).
// Transparent: an `extern "C"` function of `define_cfunction` takes it as Julia's
// `jl_value_t*` (cfunction_types.rs).
#[repr(transparent)]
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

    /// Registers a borrow of the data and returns it with the data and its length,
    /// checked for alignment; a dangling pointer when empty.
    fn acquire(&self, exclusive: bool) -> JlResult<(NonNull<T::Stored>, usize, Borrow)> {
        crate::calls::callable::check_thread()?;
        // SAFETY: a rooted array of bits elements (checked when the handle was made), on
        // a thread that may call Julia (checked above).
        let acquired = unsafe { Borrow::acquire(self.value.raw(), exclusive)? };
        let ptr = acquired.ptr.cast::<T::Stored>();
        if acquired.len == 0 || ptr.is_null() {
            return Ok((NonNull::dangling(), 0, acquired.borrow));
        }
        if !ptr.is_aligned() {
            return Err(ArrayError::Misaligned(ptr as usize).into());
        }
        // SAFETY: checked non-null above.
        let ptr = unsafe { NonNull::new_unchecked(ptr) };
        Ok((ptr, acquired.len, acquired.borrow))
    }

    /// A shared borrow of the elements, in column-major order.
    ///
    /// An error if overlapping data is exclusively borrowed ([`Array::data_mut`]) anywhere
    /// in the process, or if this thread may not call Julia (in a GC-safe region, after
    /// shutdown). While the borrow lives this thread cannot call Julia, and Julia cannot
    /// resize the array; see the [module docs](crate::array) for what Julia code on other
    /// threads may still do.
    pub fn data(&self) -> JlResult<ArrayRef<'_, T>> {
        let (ptr, len, borrow) = self.acquire(false)?;
        // SAFETY: the array is rooted for longer than `&self` and the ledger keeps its
        // data's owner alive while the borrow lives; its `len` elements are valid
        // `T::Stored`s (checked element type and stride; every bit pattern of the Julia
        // type is a valid `Stored`); the ledger excludes every Rust writer meanwhile.
        let data = unsafe { std::slice::from_raw_parts(ptr.as_ptr(), len) };
        // SAFETY: as above.
        Ok(unsafe { ArrayRef::new(data, borrow) })
    }

    /// An exclusive borrow of the elements, in column-major order.
    ///
    /// An error if overlapping data is borrowed in any way anywhere in the process, or if
    /// this thread may not call Julia. See [`Array::data`] for what holds meanwhile.
    pub fn data_mut(&self) -> JlResult<ArrayMut<'_, T>> {
        let (ptr, len, borrow) = self.acquire(true)?;
        // SAFETY: as for `data`; the ledger excludes every other Rust borrow.
        let data = unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr(), len) };
        // SAFETY: as above.
        Ok(unsafe { ArrayMut::new(data, borrow) })
    }

    /// A copy of the elements, in column-major order.
    ///
    /// An error if the data is exclusively borrowed, or (for `char`) if an element is
    /// not a valid `char`. The copy is taken under a shared borrow, which marks an array
    /// whose data Julia owns as shared (see the [module docs](crate::array)).
    pub fn to_vec(&self) -> JlResult<Vec<T>> {
        copy_elements(&self.data()?)
    }
}

/// The elements of `data` as `T`s: an error (for `char`, `bool`) if one is not a valid
/// `T`.
pub(super) fn copy_elements<T: ArrayElement>(data: &[T::Stored]) -> JlResult<Vec<T>> {
    if element::stored_as_itself::<T>() {
        let mut out = Vec::<T>::with_capacity(data.len());
        // SAFETY: T::Stored is T; `out` has room for `data.len()` elements.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr().cast::<T>(), out.as_mut_ptr(), data.len());
            out.set_len(data.len());
        }
        Ok(out)
    } else {
        data.iter().map(|&s| T::from_stored(s)).collect()
    }
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
        crate::calls::callable::check_thread()?;
        let mut stack = RootStack::new();
        let ty = element::element_type::<T>(&mut stack.frame())?;
        // SAFETY: `self` is a rooted array when the first test passes; its element type
        // and stride are read by the shim.
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
        // SAFETY: an array (checked above).
        let stride = unsafe { ffi::jlrs_array_elsize(self.raw()) };
        if stride != std::mem::size_of::<T::Stored>() {
            return Err(ArrayError::Layout {
                rust: std::any::type_name::<T>(),
                julia: stride,
                rust_size: std::mem::size_of::<T::Stored>(),
            }
            .into());
        }
        // SAFETY: an Array whose element type is T's bits type, stored inline with
        // T::Stored's size as its stride.
        Ok(unsafe { Array::wrap(self) })
    }

    /// This value as an array of any element type (`Vector{String}`, `Vector{Any}`,
    /// `Matrix{Float64}` …), read and written one boxed element at a time.
    pub fn array_any(self) -> JlResult<AnyArray<'scope>> {
        crate::calls::callable::check_thread()?;
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
