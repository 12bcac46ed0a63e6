//! [`ArrayError`]: what can go wrong with an array on the Rust side.

/// An array was asked for with bad input, or its data is borrowed in a conflicting way.
///
/// Julia exceptions (such as running out of memory) stay [`JuliaError::Exception`]s.
///
/// [`JuliaError::Exception`]: crate::JuliaError::Exception
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArrayError {
    /// A value is not an array of the element type asked for.
    #[error("expected {expected}, got {found}")]
    WrongType {
        /// What was asked for, e.g. `Array{Float64}`.
        expected: String,
        /// The value's type, e.g. `Array{Int64,2}`.
        found: String,
    },
    /// An array made here has rank 0 to 64.
    #[error("an array made here has 0 to 64 dimensions, not {0}")]
    Rank(usize),
    /// The dimensions hold more elements (or bytes) than any array can.
    #[error("the dimensions {0:?} overflow: their product does not fit in memory")]
    Overflow(Vec<usize>),
    /// The dimensions do not match the number of elements given.
    #[error("the dimensions {dims:?} hold {expected} elements, but {found} were given")]
    LengthMismatch {
        /// The dimensions.
        dims: Vec<usize>,
        /// Their product.
        expected: usize,
        /// The data's length.
        found: usize,
    },
    /// The data is already borrowed in a way that excludes this borrow.
    #[error("the array's data is already borrowed {0}")]
    Borrowed(&'static str),
    /// Julia was called on a thread that holds a borrow of array data: Julia code could
    /// change or move the memory the borrow reads.
    #[error(
        "an array's data is borrowed on this thread (an ArrayRef, ArrayMut or view is \
         alive): drop the borrow before calling Julia"
    )]
    BorrowHeld,
    /// A Julia `Bool` byte that is neither 0 nor 1, so not a Rust `bool`.
    #[error("the Julia Bool with byte {0:#04x} is neither true (1) nor false (0)")]
    InvalidBool(u8),
    /// An index past the end.
    #[error("index {index} is out of bounds for an array of {len} elements")]
    OutOfBounds {
        /// The 0-based index.
        index: usize,
        /// The array's length.
        len: usize,
    },
    /// An element type's Julia type is not a bits type.
    #[error("{0} is not a bits type, so it cannot be a typed array's element type")]
    NotBitsType(String),
    /// A Rust element type and its Julia type differ in size.
    #[error("{rust} ({rust_size} bytes) does not match its Julia type ({julia} bytes)")]
    Layout {
        /// The Rust type.
        rust: &'static str,
        /// The Julia type's size.
        julia: usize,
        /// The Rust type's size.
        rust_size: usize,
    },
    /// The array's data is not aligned for its Rust element type (Julia code wrapped a
    /// misaligned pointer).
    #[error("the array's data at {0:#x} is not aligned for its element type")]
    Misaligned(usize),
}
