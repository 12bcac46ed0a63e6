//! Julia arrays shared with Rust: typed N-dimensional [`Array`]s of bits elements,
//! created from Rust memory without copying, borrow-checked across threads.
//!
//! - Make arrays with [`GcFrame::new_array`](crate::GcFrame::new_array) (zero-filled),
//!   [`GcFrame::array_from_slice`](crate::GcFrame::array_from_slice) (a copy),
//!   [`GcFrame::array_from_vec`](crate::GcFrame::array_from_vec) (Julia takes the `Vec`,
//!   no copy) and [`GcFrame::borrow_array_copy`](crate::GcFrame::borrow_array_copy) (Julia
//!   sees a copy of a Rust buffer while a closure runs, copied back after; the zero-copy
//!   [`GcFrame::borrow_array`](crate::GcFrame::borrow_array) is `unsafe`). Any rank from 0
//!   (one element) to 64, with the dimensions in any [`IntoDims`] form: `3`, `(2, 3)`,
//!   `[2, 3]`, `&[2, 3]`, a `Vec<usize>`.
//! - View an existing Julia array with [`Value::array`](crate::Value::array) (typed, bits
//!   elements) or [`Value::array_any`](crate::Value::array_any) (any element type, one
//!   boxed element at a time).
//! - Read and write the elements through [`Array::data`] and [`Array::data_mut`], in
//!   column-major order: Julia's `A[i, j]` is element `(i - 1) + (j - 1) * rows`.
//! - Copy them out with [`Array::to_vec`], or with their dimensions with
//!   [`Array::copy_inline_data`] (a [`CopiedArray`]).
//! - With feature `ndarray`: [`Array::view`], [`Array::view_mut`], [`Array::to_ndarray`]
//!   and [`GcFrame::array_from_ndarray`](crate::GcFrame::array_from_ndarray).
//!
//! # What the safe API guarantees, whatever Julia code runs
//!
//! - **Rust borrows never conflict.** [`ArrayRef`], [`ArrayMut`] and the `ndarray` views
//!   are recorded in one process-wide ledger with the address range they cover: an
//!   exclusive borrow next to any overlapping borrow is an [`ArrayError::Borrowed`] error,
//!   on any thread, through any number of handles, and for different arrays that share
//!   memory. The ledger's lock is held for a few instructions with no Julia call inside,
//!   so waiting for it never holds up a collection.
//! - **No Julia runs on a thread while it holds a borrow.** Every entry into Julia on that
//!   thread (calls, evaluation, allocation, array constructors, collections) returns
//!   [`ArrayError::BorrowHeld`] (or panics with it where there is no `Result`), so Julia
//!   code cannot change or move the memory from under the borrow on its own thread. In
//!   an async task the same holds for every call the task (or another task on the thread)
//!   makes while the borrow lives; while the task is suspended at an `.await`, Julia's
//!   scheduler on that thread may run Julia tasks, which count as Julia code on another
//!   thread below. A borrow leaked with `mem::forget` stays alive for good (its thread
//!   cannot call Julia again).
//! - **No Julia thread moves or frees memory a borrow reads.** A borrowed array whose data
//!   Julia owns (a buffer it allocated, or another object's data such as a `String`'s) is
//!   marked shared, so Julia's `push!`, `append!`, `resize!`, `deleteat!` ... throw
//!   "cannot resize array with shared data" on every thread for a buffer Julia would free
//!   or move, and copy the data out first where another object owns it; a vector with a
//!   malloc'd buffer also loses its spare capacity, so that `sizehint!` (which ignores the
//!   mark) finds nothing to shrink. The mark stays after the borrow (Julia's `reshape`
//!   relies on the same mark for its aliases, so clearing it could let Julia free an
//!   alias's memory): `copy` such a vector to grow it. Every borrow marks, including the
//!   short ones of [`Array::to_vec`], [`Array::copy_inline_data`] and of
//!   [`AnyArray::get`]/[`AnyArray::set`] on bits arrays: a copy that let Julia resize the
//!   array meanwhile would race with Julia code on another thread. Arrays whose memory
//!   Julia does not free when resizing (inline data, a Rust `Vec`) may still be resized
//!   by copying: the borrow keeps reading the old memory, which the ledger keeps
//!   allocated (it roots the array and its data's owner) until the borrow ends.
//! - **Rust memory is never freed under Julia.** A `Vec` given to
//!   [`GcFrame::array_from_vec`](crate::GcFrame::array_from_vec) is dropped once, by the
//!   array's finalizer (after Julia's last reference, at Julia's `finalize(a)`, or at
//!   exit), which first empties the array (every dimension 0, the data pointer at zeroed,
//!   read-only memory that covers its former extent and is never freed) so that Julia
//!   code that still holds it sees an empty array and a `view` of it made before reads
//!   zeros (a write through it throws `ReadOnlyMemoryError`), then frees the `Vec` when no
//!   Rust borrow covers it, and never if Julia made an alias of the array (`vec`,
//!   `reshape`) or no read-only memory covers it. The finalizer does no Julia call and
//!   never panics.
//! - **Misuse is an error.** Every constructor and accessor runs the entry check of every
//!   call into Julia: in a GC-safe region it is [`JuliaError::GcSafeRegion`], after
//!   shutdown [`JuliaError::ShutDown`]. A typed view of an array of another element type
//!   is an [`ArrayError::WrongType`] naming both types (e.g. "expected Array{Float64}, got
//!   Array{Int64,2}"); an element type whose Julia size or array stride differs from the
//!   Rust size is an [`ArrayError::Layout`]; dimensions are checked for rank, overflow and
//!   length before Julia sees them.
//!
//! # What no library can rule out
//!
//! Julia code on **another** thread that writes an array's elements while Rust reads them
//! races with the borrow, as two Julia tasks writing and reading one array race; so does
//! Julia code that is in the middle of resizing a vector at the instant the borrow is
//! taken (the shared mark stops every resize that starts later). The ledger records
//! Rust's borrows; Julia code does not consult it. Do not let running Julia tasks change
//! an array while Rust borrows it.
//!
//! # What is `unsafe`, and why
//!
//! [`GcFrame::borrow_array`](crate::GcFrame::borrow_array) lends a Rust buffer to Julia
//! without a copy. When its closure returns the array is detached, but Julia code can have
//! made **aliases** of the array (`vec(a)`, `reshape(a, ...)`): arrays of their own over
//! the same memory, which Julia does not record and Rust cannot reach. An alias kept past
//! the closure would read and write the buffer after its borrow ended. Its contract is
//! that Julia keeps none; [`GcFrame::borrow_array_copy`](crate::GcFrame::borrow_array_copy)
//! is the safe alternative. [`ArrayElement`] is an `unsafe` trait: its implementation
//! promises the field layout that the size checks cannot see.
//!
//! [`JuliaError::GcSafeRegion`]: crate::JuliaError::GcSafeRegion
//! [`JuliaError::ShutDown`]: crate::JuliaError::ShutDown
//!
//! # Elements
//!
//! [`ArrayElement`] is implemented for every integer width, `f32`, `f64`, `bool` and
//! `char`, and can be implemented for `#[repr(C)]` bits structs (see its docs). A `char`
//! array's data is read as [`JuliaChar`]s (Julia stores a `Char` as UTF-8 bytes), a `bool`
//! array's as [`JuliaBool`]s (a Julia `Bool` byte can hold any value, and a Rust `bool`
//! only 0 or 1); [`Array::to_vec`] converts and checks.
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
mod copied;
mod create;
mod dims;
mod element;
pub(crate) mod error;
pub(crate) mod ffi;
mod inspect;
mod ledger;
#[cfg(feature = "ndarray")]
mod nd;
mod owned;
mod typed;

pub use any::AnyArray;
pub use copied::CopiedArray;
pub use dims::{Dims, IntoDims};
pub use element::{ArrayElement, ElementType, JuliaBool, JuliaChar};
pub use error::ArrayError;
pub(crate) use ledger::mark_borrowed;
pub use ledger::{ArrayMut, ArrayRef};
#[cfg(feature = "ndarray")]
pub use nd::{ArrayView, ArrayViewMut};
pub use owned::owned_buffers;
pub use typed::Array;
