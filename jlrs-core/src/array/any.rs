//! [`AnyArray`]: an array of any element type, read and written one boxed element at a
//! time, bounds-checked.

use crate::{
    array::{ffi, ledger::Borrow, ArrayError},
    error::JlResult,
    rooting::frame::GcFrame,
    rooting::roots::RootStack,
    values::value::Value,
};

/// A Julia `Array` of any element type and rank (`Vector{String}`, `Vector{Any}`,
/// `Matrix{Float64}` …), rooted for `'scope`; made by [`Value::array_any`].
///
/// Elements are addressed by their 0-based linear index in column-major order (Julia's
/// `A[i + 1]`). Reads box bits elements; writes are type-checked by Julia.
#[derive(Clone, Copy, Debug)]
pub struct AnyArray<'scope> {
    value: Value<'scope>,
}

impl<'scope> AnyArray<'scope> {
    /// # Safety
    /// `value` is an array.
    pub(crate) unsafe fn wrap(value: Value<'scope>) -> Self {
        AnyArray { value }
    }

    /// The array as a plain value.
    pub fn as_value(self) -> Value<'scope> {
        self.value
    }

    /// The number of dimensions.
    pub fn rank(self) -> usize {
        super::inspect::rank(self.value)
    }

    /// The size of each dimension.
    pub fn dims(self) -> Vec<usize> {
        super::inspect::dims(self.value)
    }

    /// The number of elements.
    pub fn len(self) -> usize {
        super::inspect::len(self.value)
    }

    /// Whether the array has no elements.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    fn check(self, index: usize) -> JlResult<()> {
        let len = self.len();
        if index >= len {
            return Err(ArrayError::OutOfBounds { index, len }.into());
        }
        Ok(())
    }

    /// Registers a borrow of the data (for bits elements, whose bytes Rust borrows may
    /// cover), so that element access respects Rust borrows of a typed view of the same
    /// memory, and Julia code on another thread cannot move the data meanwhile; nothing
    /// for arrays of references, which no typed view can borrow.
    fn borrow(self, exclusive: bool) -> JlResult<Option<Borrow>> {
        // SAFETY: a rooted array.
        if unsafe { ffi::jlrs_array_is_bits(self.value.raw()) } == 0 {
            return Ok(None);
        }
        // SAFETY: a rooted array of bits elements, on a thread that may call Julia
        // (checked by the callers).
        let acquired = unsafe { Borrow::acquire(self.value.raw(), exclusive)? };
        Ok(Some(acquired.borrow))
    }

    /// Element `index` (0-based, column-major), rooted in `frame`.
    ///
    /// An error if `index` is out of bounds, if the element is undefined (`#undef`,
    /// Julia's `UndefRefError`), if the data is exclusively borrowed, or if this thread
    /// may not call Julia (see [`GcFrame`]).
    pub fn get<'t>(self, frame: &mut GcFrame<'t>, index: usize) -> JlResult<Value<'t>> {
        crate::calls::callable::check_callable()?;
        self.check(index)?;
        let _borrow = self.borrow(false)?;
        // SAFETY: a rooted array and an index in bounds; the shim catches exceptions;
        // the element is rooted at once.
        unsafe {
            let raw = ffi::jlrs_array_ref(self.value.raw(), index);
            frame.root(raw)
        }
    }

    /// Sets element `index` (0-based, column-major) to `value`.
    ///
    /// An error if `index` is out of bounds, if `value` does not fit the element type
    /// (Julia's `TypeError`), if the data is borrowed, or if this thread may not call
    /// Julia (see [`GcFrame`]).
    pub fn set(self, index: usize, value: Value<'_>) -> JlResult<()> {
        crate::calls::callable::check_callable()?;
        self.check(index)?;
        let _borrow = self.borrow(true)?;
        // SAFETY: a rooted array, a rooted value and an index in bounds; the shim
        // catches exceptions and runs the write barrier.
        let ok = unsafe { ffi::jlrs_array_set(self.value.raw(), value.raw(), index) };
        if ok == 0 {
            let mut stack = RootStack::new();
            // SAFETY: null with the exception pending: `root` turns it into an error.
            return unsafe { stack.frame().root(std::ptr::null_mut()) }.map(|_| ());
        }
        Ok(())
    }
}
