//! Making arrays: zero-filled, copied from a slice, owning a `Vec`, or borrowing a Rust
//! buffer for the length of a closure.

use std::ffi::c_void;

use crate::{
    array::{element, ffi, owned, Array, ArrayElement, ArrayError, IntoDims},
    error::JlResult,
    rooting::frame::GcFrame,
};

/// The most dimensions an array made here may have. Julia itself has no lower limit (its
/// array header stores the rank in 9 bits); 64 keeps the dimension tuple small.
pub(crate) const MAX_RANK: usize = 64;

/// Checks `dims` (rank 0 to [`MAX_RANK`], each dimension and the number of bytes at most
/// `isize::MAX`, which Julia stores as signed sizes) and returns the number of elements (1
/// for rank 0, as in Julia).
pub(crate) fn check_dims(dims: &[usize], elem_size: usize) -> Result<usize, ArrayError> {
    if dims.len() > MAX_RANK {
        return Err(ArrayError::Rank(dims.len()));
    }
    if dims.iter().any(|&d| d > isize::MAX as usize) {
        return Err(ArrayError::Overflow(dims.to_vec()));
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
    /// A new zero-filled `Array{T,N}` of rank `N` (0 to 64), owned by Julia. `dims` is
    /// any [`IntoDims`]: `3`, `(2, 3)`, `&[2, 3]`, a `Vec<usize>` ...
    ///
    /// Like every array constructor, an error if this thread may not call Julia (see
    /// [`GcFrame`]) or holds a borrow of array data.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let a = frame.new_array::<f64>((2, 3)).unwrap();
    ///     assert_eq!(a.dims(), [2, 3]);
    ///     assert_eq!(a.to_vec().unwrap(), [0.0; 6]);
    ///     let scalar = frame.new_array::<f64>(()).unwrap(); // rank 0: one element
    ///     assert_eq!((scalar.rank(), scalar.len()), (0, 1));
    /// });
    /// ```
    pub fn new_array<T: ArrayElement>(
        &mut self,
        dims: impl IntoDims,
    ) -> JlResult<Array<'scope, T>> {
        self.alloc_array::<T>(&dims.into_dims(), true)
    }

    /// Allocates an array, zero-filled or not.
    fn alloc_array<T: ArrayElement>(
        &mut self,
        dims: &[usize],
        zero: bool,
    ) -> JlResult<Array<'scope, T>> {
        crate::calls::callable::check_callable()?;
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
        dims: impl IntoDims,
    ) -> JlResult<Array<'scope, T>> {
        let dims = dims.into_dims();
        let dims = dims.as_slice();
        crate::calls::callable::check_callable()?;
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
    /// `Vec`, and Rust drops it exactly once, from the array's finalizer.
    ///
    /// `dims` must hold exactly `data.len()` elements. For `bool` and `char`, the
    /// elements are converted to Julia's representation in place. Julia may resize the
    /// array like one of its own: it then copies the elements into a buffer it allocates
    /// and leaves the `Vec` to the finalizer.
    ///
    /// The finalizer runs when Julia no longer references the array, when Julia code
    /// calls `finalize` on it, or when Julia exits. It first detaches the array from the
    /// buffer (every dimension 0, the data pointer at zeroed read-only memory that covers
    /// the array's former extent and is never freed), so that Julia code that still holds
    /// the array, such as another object's finalizer in the same batch, sees an empty
    /// array, and a `view` of it made before reads zeros (a write through it throws
    /// `ReadOnlyMemoryError`), never freed memory; then it drops the `Vec`, or, if a Rust
    /// borrow of the data ([`Array::data`]) is alive on any thread, when the last one
    /// ends. If Julia code made an alias of the array (`vec(a)`, `reshape(a, ...)`, which
    /// share its memory and which Rust cannot see or detach), or if no read-only memory
    /// covers the array (it is larger than the mapping: 1 TiB of address space, or what
    /// the process may reserve, at least 256 MiB), the array keeps pointing at the `Vec`,
    /// which is never dropped: its memory leaks rather than be freed under the alias or a
    /// view.
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
    ///     // `finalize` drops the Vec at once and leaves an empty array.
    ///     frame.call("finalize", &[a.as_value()]).unwrap();
    ///     assert_eq!(a.dims(), [0, 0]);
    ///     assert!(a.data().unwrap().is_empty());
    /// });
    /// ```
    pub fn array_from_vec<T: ArrayElement>(
        &mut self,
        data: Vec<T>,
        dims: impl IntoDims,
    ) -> JlResult<Array<'scope, T>> {
        let dims = dims.into_dims();
        let dims = dims.as_slice();
        crate::calls::callable::check_callable()?;
        check_len(dims, std::mem::size_of::<T::Stored>(), data.len())?;
        let ty = element::element_type::<T>(self)?;
        let mut stored = into_stored_vec(data);
        // SAFETY: a frame proves this thread may call Julia (checked above); the
        // dimensions match the buffer, which holds Julia's representation of the
        // elements with Julia's stride (checked); the shim catches exceptions (then
        // registers no finalizer, and `stored` is dropped here). The array is rooted at
        // once and the buffer given to the finalizer's table before any safepoint, so the
        // finalizer cannot run before the entry exists.
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
                owned::Collect::Auto => crate::runtime::gc::collect(false),
                owned::Collect::Full => crate::runtime::gc::collect(true),
            }
            Ok(Array::wrap(value))
        }
    }

    /// Runs `f` with an `Array{T,N}` over `data` (**no copy**): Julia code called from `f`
    /// sees and changes the Rust buffer. When `f` returns (or panics), the Julia array is
    /// detached from the buffer: every dimension set to 0 and its data pointer moved to
    /// zeroed read-only memory, so a reference to *this array* that Julia kept sees an
    /// empty array, and a view of it reads zeros.
    ///
    /// `dims` must hold exactly `data.len()` elements. Julia cannot resize the array.
    /// [`GcFrame::borrow_array_copy`] is the safe alternative (one copy each way).
    ///
    /// # Safety
    /// Julia code run from `f` must not keep an **alias** of the array past `f`: an array
    /// made from it that shares its memory (`vec(a)`, `reshape(a, ...)`,
    /// `unsafe_wrap(Array, pointer(a), ...)`), or a reference to one (a `view` or
    /// `reinterpret` of such an alias). Julia's arrays do not record their aliases, so the
    /// detach cannot reach them: an alias kept in a global, a task or a closure would
    /// read and write `data` after its borrow ends, possibly after it is freed. Views,
    /// `reinterpret`s and other wrappers of the array itself read zeros through the
    /// detached array (writes throw `ReadOnlyMemoryError`), except for an array larger
    /// than that read-only mapping (1 TiB, or what the process may reserve, at least
    /// 256 MiB), which keeps pointing at `data`: there they must not be kept either.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let mut data = [3.0f64, 1.0, 2.0];
    ///     // SAFETY: `sort!` keeps no alias of the array.
    ///     unsafe {
    ///         frame.borrow_array(&mut data, &[3], |frame, a| {
    ///             frame.call("sort!", &[a.as_value()]).unwrap();
    ///         })
    ///     }
    ///     .unwrap();
    ///     assert_eq!(data, [1.0, 2.0, 3.0]);
    /// });
    /// ```
    pub unsafe fn borrow_array<T, R>(
        &mut self,
        data: &mut [T],
        dims: impl IntoDims,
        f: impl for<'inner> FnOnce(&mut GcFrame<'inner>, Array<'inner, T>) -> R,
    ) -> JlResult<R>
    where
        T: ArrayElement<Stored = T>,
    {
        let dims = dims.into_dims();
        let dims = dims.as_slice();
        crate::calls::callable::check_callable()?;
        check_len(dims, std::mem::size_of::<T>(), data.len())?;
        self.scope(|mut inner| {
            let ty = element::element_type::<T>(&mut inner)?;
            // SAFETY: a frame proves this thread may call Julia (checked above); the
            // dimensions match the buffer, whose elements are stored as Julia stores them
            // with Julia's stride (checked); the shim catches exceptions; the array is
            // rooted at once. The buffer outlives the array's use: the guard below
            // detaches it before `data`'s borrow ends, and the caller promises that Julia
            // keeps no alias.
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

    /// Runs `f` with a new Julia-owned `Array{T,N}` holding a copy of `data`, then copies
    /// the array's elements back into `data`: the safe counterpart of
    /// [`GcFrame::borrow_array`], whatever Julia code keeps.
    ///
    /// `dims` must hold exactly `data.len()` elements. Julia cannot resize the array (its
    /// data is marked shared), so its elements always fit `data`. Julia code may keep the
    /// array or aliases of it: they stay valid Julia memory, and later changes to them no
    /// longer reach `data`.
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let mut data = [3.0f64, 1.0, 2.0];
    ///     frame
    ///         .borrow_array_copy(&mut data, &[3], |frame, a| {
    ///             frame.call("sort!", &[a.as_value()]).unwrap();
    ///         })
    ///         .unwrap();
    ///     assert_eq!(data, [1.0, 2.0, 3.0]);
    /// });
    /// ```
    pub fn borrow_array_copy<T, R>(
        &mut self,
        data: &mut [T],
        dims: impl IntoDims,
        f: impl for<'inner> FnOnce(&mut GcFrame<'inner>, Array<'inner, T>) -> R,
    ) -> JlResult<R>
    where
        T: ArrayElement<Stored = T>,
    {
        let dims = dims.into_dims();
        let dims = dims.as_slice();
        self.scope(|mut inner| {
            let array = inner.array_from_slice(data, dims)?;
            // SAFETY: a rooted array made above; setting the flag writes one bit.
            unsafe { ffi::jlrs_array_set_shared(array.as_value().raw()) };
            let out = f(&mut inner, array);
            let copy = array.data()?;
            if copy.len() == data.len() {
                data.copy_from_slice(&copy);
            }
            Ok(out)
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
