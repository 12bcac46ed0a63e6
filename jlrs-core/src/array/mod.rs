//! Julia arrays shared with Rust: typed N-dimensional [`Array`]s of bits elements,
//! created from Rust memory without copying, borrow-checked across threads.
//!
//! - Make arrays with [`GcFrame::new_array`](crate::GcFrame::new_array) (zero-filled), [`GcFrame::array_from_slice`](crate::GcFrame::array_from_slice)
//!   (a copy), [`GcFrame::array_from_vec`](crate::GcFrame::array_from_vec) (Julia takes the `Vec`, no copy) and
//!   [`GcFrame::borrow_array`](crate::GcFrame::borrow_array) (Julia sees a Rust buffer while a closure runs).
//! - View an existing Julia array with [`Value::array`](crate::Value::array) (typed, bits elements) or
//!   [`Value::array_any`](crate::Value::array_any) (any element type, one boxed element at a time).
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
mod inspect;
mod ledger;
#[cfg(feature = "ndarray")]
mod nd;
mod owned;
mod typed;

pub use any::AnyArray;
pub use element::{ArrayElement, ElementType, JuliaBool, JuliaChar};
pub use error::ArrayError;
pub(crate) use ledger::mark_borrowed;
pub use ledger::{ArrayMut, ArrayRef};
#[cfg(feature = "ndarray")]
pub use nd::{ArrayView, ArrayViewMut};
pub use owned::owned_buffers;
pub use typed::Array;
