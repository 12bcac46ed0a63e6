//! Making arrays: zero-filled, copied from a slice, owning a `Vec`, or borrowing a Rust
//! buffer for the length of a closure.

use std::ffi::c_void;

use crate::{
    array::{element, ffi, owned, Array, ArrayElement, ArrayError},
    error::JlResult,
    frame::GcFrame,
};

/// The most dimensions an array may have here.
pub(crate) const MAX_RANK: usize = 8;

/// Checks `dims` (rank 1 to 8, no overflow of elements or bytes) and returns the number
/// of elements.
pub(crate) fn check_dims(dims: &[usize], elem_size: usize) -> Result<usize, ArrayError> {
    if dims.is_empty() || dims.len() > MAX_RANK {
        return Err(ArrayError::Rank(dims.len()));
    }
    dims.iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|n| {
            n.checked_mul(elem_size.max(1))
                .is_some_and(|bytes| bytes <= isize::MAX as usize)
        })
        .ok_or_else(|| ArrayError::Overflow(dims.to_vec()))
}

fn check_len(dims: &[usize], elem_size: usize, len: usize) -> Result<(), ArrayError> {
    let expected = check_dims(dims, elem_size)?;
    if expected != len {
        return Err(ArrayError::LengthMismatch {
            dims: dims.to_vec(),
            expected,
            found: len,
        });
    }
    Ok(())
}

impl<'scope> GcFrame<'scope> {
    /// A new zero-filled `Array{T,N}` of rank `N = dims.len()` (1 to 8), owned by Julia.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let a = frame.new_array::<f64>(&[2, 3]).unwrap();
    ///     assert_eq!(a.dims(), [2, 3]);
    ///     assert_eq!(a.to_vec().unwrap(), [0.0; 6]);
    ///     assert!(frame.new_array::<f64>(&[]).is_err()); // rank 0
    /// });
    /// ```
    pub fn new_array<T: ArrayElement>(&mut self, dims: &[usize]) -> JlResult<Array<'scope, T>> {
        self.alloc_array::<T>(dims, true)
    }

    /// Allocates an array, zero-filled or not.
    fn alloc_array<T: ArrayElement>(
        &mut self,
        dims: &[usize],
        zero: bool,
    ) -> JlResult<Array<'scope, T>> {
        check_dims(dims, std::mem::size_of::<T::Stored>())?;
        let ty = element::element_type::<T>(self)?;
        // SAFETY: a frame proves this thread may call Julia; the dimensions were checked;
        // the shim catches exceptions (returning null with the exception kept); the array
        // is rooted at once.
        let value = unsafe {
            let raw = ffi::jlrs_array_new(ty.raw(), dims.len(), dims.as_ptr(), i32::from(zero));
            self.root(raw)?
        };
        // SAFETY: just made as an Array{T,N} of a bits type of T::Stored's size.
        Ok(unsafe { Array::wrap(value) })
    }

    /// A new `Array{T,N}` with a copy of `data`, in column-major order (the first index
    /// varies fastest, as in Julia), owned by Julia.
    ///
    /// `dims` must hold exactly `data.len()` elements.
    pub fn array_from_slice<T: ArrayElement>(
        &mut self,
        data: &[T],
        dims: &[usize],
    ) -> JlResult<Array<'scope, T>> {
        check_len(dims, std::mem::size_of::<T::Stored>(), data.len())?;
        let array = self.alloc_array::<T>(dims, false)?;
        let dst = array.data_ptr().cast::<T::Stored>();
        if element::stored_as_itself::<T>() {
            // SAFETY: the new array has room for exactly `data.len()` elements of
            // T::Stored, which is T; nothing else can see it yet.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr().cast(), dst, data.len()) };
        } else {
            for (i, &x) in data.iter().enumerate() {
                // SAFETY: as above, `i < data.len()`.
                unsafe { dst.add(i).write(x.into_stored()) };
            }
        }
        Ok(array)
    }

    /// A new `Array{T,N}` over `data`'s buffer, **without copying**: Julia takes the
    /// `Vec`, and Rust drops it exactly once, from a GC finalizer, after Julia no longer
    /// references the array (or when Julia exits).
    ///
    /// `dims` must hold exactly `data.len()` elements. Julia cannot resize the array
    /// (`push!` throws "cannot resize array with shared data"). For `char`, the elements
    /// are converted to Julia's representation in place.
    ///
    /// Julia's collector does not count memory it did not allocate, so this function
    /// counts it: once 256 MiB of buffers have been given away since the last collection,
    /// it runs one before it returns (Julia decides whether it is full; after 1 GiB since
    /// the last full collection, a full one), so that buffers of arrays Julia no longer
    /// references are dropped and a program that hands over many large `Vec`s keeps its
    /// memory flat.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let v = vec![1.0f64, 2.0, 3.0, 4.0];
    ///     let ptr = v.as_ptr();
    ///     let a = frame.array_from_vec(v, &[2, 2]).unwrap();
    ///     assert_eq!(a.data().unwrap().as_ptr(), ptr); // the same buffer
    ///     let t = frame.call("transpose", &[a.as_value()]).unwrap();
    ///     let t = frame.call("collect", &[t]).unwrap();
    ///     assert_eq!(t.array::<f64>().unwrap().to_vec().unwrap(), [1.0, 3.0, 2.0, 4.0]);
    /// });
    /// ```
    pub fn array_from_vec<T: ArrayElement>(
        &mut self,
        data: Vec<T>,
        dims: &[usize],
    ) -> JlResult<Array<'scope, T>> {
        check_len(dims, std::mem::size_of::<T::Stored>(), data.len())?;
        let ty = element::element_type::<T>(self)?;
        let mut stored = into_stored_vec(data);
        // SAFETY: a frame proves this thread may call Julia; the dimensions match the
        // buffer, which holds Julia's representation of the elements; the shim catches
        // exceptions (then registers no finalizer, and `stored` is dropped here). The
        // array is rooted at once and the buffer given to the finalizer's table before
        // any safepoint, so the finalizer cannot run before the entry exists.
        unsafe {
            let raw = ffi::jlrs_array_from_ptr(
                ty.raw(),
                stored.as_mut_ptr().cast::<c_void>(),
                dims.len(),
                dims.as_ptr(),
                Some(owned::finalize),
            );
            let bytes = stored.capacity() * std::mem::size_of::<T::Stored>();
            let value = self.root(raw)?;
            owned::give(raw.cast(), stored);
            // The new array is rooted: it survives the collection.
            match owned::pressure(bytes) {
                owned::Collect::No => {}
                owned::Collect::Auto => crate::gc::collect(false),
                owned::Collect::Full => crate::gc::collect(true),
            }
            Ok(Array::wrap(value))
        }
    }

    /// Runs `f` with an `Array{T,N}` over `data` (no copy): Julia code called from `f` sees
    /// and changes the Rust buffer. When `f` returns (or panics), the Julia array is
    /// detached from the buffer: its data pointer is cleared and every dimension set to
    /// 0, so a reference Julia kept sees an empty array, never the memory.
    ///
    /// `dims` must hold exactly `data.len()` elements. Julia cannot resize the array.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let mut data = [3.0f64, 1.0, 2.0];
    ///     frame
    ///         .borrow_array(&mut data, &[3], |frame, a| {
    ///             frame.call("sort!", &[a.as_value()]).unwrap();
    ///         })
    ///         .unwrap();
    ///     assert_eq!(data, [1.0, 2.0, 3.0]);
    /// });
    /// ```
    pub fn borrow_array<T, R>(
        &mut self,
        data: &mut [T],
        dims: &[usize],
        f: impl for<'inner> FnOnce(&mut GcFrame<'inner>, Array<'inner, T>) -> R,
    ) -> JlResult<R>
    where
        T: ArrayElement<Stored = T>,
    {
        check_len(dims, std::mem::size_of::<T>(), data.len())?;
        self.scope(|mut inner| {
            let ty = element::element_type::<T>(&mut inner)?;
            // SAFETY: a frame proves this thread may call Julia; the dimensions match the
            // buffer, whose elements are stored as Julia stores them; the shim catches
            // exceptions; the array is rooted at once. The buffer outlives the array's
            // use: the guard below detaches it before `data`'s borrow ends.
            let value = unsafe {
                let raw = ffi::jlrs_array_from_ptr(
                    ty.raw(),
                    data.as_mut_ptr().cast::<c_void>(),
                    dims.len(),
                    dims.as_ptr(),
                    None,
                );
                inner.root(raw)?
            };
            let _detach = Detach(value.raw());
            // SAFETY: just made as an Array{T,N} of T's bits type.
            let array = unsafe { Array::wrap(value) };
            Ok(f(&mut inner, array))
        })
    }
}

/// Detaches a borrowed array from its buffer when dropped.
struct Detach(*mut crate::sys::jl_value_t);

impl Drop for Detach {
    fn drop(&mut self) {
        // SAFETY: the array is rooted by the enclosing scope (still alive); detaching
        // writes its fields without allocating or calling Julia. No Rust borrow of its
        // data can outlive the closure that received the array.
        unsafe { ffi::jlrs_array_detach(self.0) };
    }
}

/// `data` in Julia's representation, reusing its buffer.
fn into_stored_vec<T: ArrayElement>(data: Vec<T>) -> Vec<T::Stored> {
    let mut data = std::mem::ManuallyDrop::new(data);
    let (ptr, len, cap) = (data.as_mut_ptr(), data.len(), data.capacity());
    if !element::stored_as_itself::<T>() {
        for i in 0..len {
            // SAFETY: `i < len`; each element is read once and overwritten in place by a
            // value of the same size (the trait's contract), never read as `T` again.
            unsafe {
                let x = ptr.add(i).read();
                ptr.add(i).cast::<T::Stored>().write(x.into_stored());
            }
        }
    }
    // SAFETY: T::Stored has T's size and alignment (the trait's contract), so the
    // allocation's layout is unchanged; the elements are now valid `T::Stored`s.
    unsafe { Vec::from_raw_parts(ptr.cast::<T::Stored>(), len, cap) }
}
