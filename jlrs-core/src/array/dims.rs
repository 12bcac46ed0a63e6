//! Array dimensions as the constructors take them: [`IntoDims`] for integers, tuples,
//! arrays, slices and `Vec`s of `usize`, and the [`Dims`] they become.

use std::ops::Deref;

/// How many dimensions [`Dims`] keeps without allocating.
const INLINE: usize = 8;

/// The dimensions of an array: its size along each axis, first axis first (Julia's
/// `size(A)`). Rank 0 (no dimensions) is one element, as in Julia.
///
/// Made from anything that is [`IntoDims`]; dereferences to a `&[usize]`. Up to eight
/// dimensions are kept inline, without allocating.
///
/// ```
/// use jlrs_core::array::{Dims, IntoDims};
///
/// assert_eq!(*(2, 3).into_dims(), [2, 3]);
/// assert_eq!(Dims::from(vec![4, 5, 6]).rank(), 3);
/// assert_eq!(().into_dims().n_elements(), Some(1));
/// ```
#[derive(Clone)]
pub struct Dims(Repr);

#[derive(Clone)]
enum Repr {
    Inline { rank: u8, dims: [usize; INLINE] },
    Heap(Vec<usize>),
}

impl Dims {
    /// The dimensions in `dims`, copied.
    pub fn from_slice(dims: &[usize]) -> Dims {
        if dims.len() <= INLINE {
            let mut inline = [0; INLINE];
            inline[..dims.len()].copy_from_slice(dims);
            Dims(Repr::Inline {
                rank: dims.len() as u8,
                dims: inline,
            })
        } else {
            Dims(Repr::Heap(dims.to_vec()))
        }
    }

    /// The dimensions as a slice.
    pub fn as_slice(&self) -> &[usize] {
        match &self.0 {
            Repr::Inline { rank, dims } => &dims[..usize::from(*rank)],
            Repr::Heap(dims) => dims,
        }
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.as_slice().len()
    }

    /// The number of elements (the product of the dimensions, 1 for rank 0), or `None`
    /// if it overflows a `usize`.
    pub fn n_elements(&self) -> Option<usize> {
        self.as_slice()
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
    }
}

impl Deref for Dims {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        self.as_slice()
    }
}

impl AsRef<[usize]> for Dims {
    fn as_ref(&self) -> &[usize] {
        self.as_slice()
    }
}

impl std::fmt::Debug for Dims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl PartialEq for Dims {
    fn eq(&self, other: &Dims) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Dims {}

impl std::hash::Hash for Dims {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl From<Vec<usize>> for Dims {
    fn from(dims: Vec<usize>) -> Dims {
        if dims.len() <= INLINE {
            Dims::from_slice(&dims)
        } else {
            Dims(Repr::Heap(dims))
        }
    }
}

impl From<&[usize]> for Dims {
    fn from(dims: &[usize]) -> Dims {
        Dims::from_slice(dims)
    }
}

/// Dimensions in any of the forms the array constructors accept: `3` (a vector),
/// `(2, 3)` (tuples of up to eight `usize`s), `()` (rank 0), `[2, 3]`, `&[2, 3]`, a
/// `&[usize]` slice, a `Vec<usize>` or `&Vec<usize>`, and [`Dims`] itself.
///
/// The constructors check what they are given (at most 64 dimensions, a product that
/// fits in memory, as many elements as the data has) and return an
/// [`ArrayError`](crate::ArrayError) otherwise.
///
/// ```
/// # use jlrs_core::{InitOptions, Runtime};
/// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
/// rt.julia().scope(|mut frame| {
///     assert_eq!(frame.new_array::<f64>(3)?.dims(), [3]);
///     assert_eq!(frame.new_array::<f64>((2, 3))?.dims(), [2, 3]);
///     assert_eq!(frame.new_array::<f64>([2, 3, 4])?.dims(), [2, 3, 4]);
///     assert_eq!(frame.new_array::<f64>(&[2, 3])?.dims(), [2, 3]);
///     assert_eq!(frame.new_array::<f64>(vec![1, 2])?.dims(), [1, 2]);
///     assert_eq!(frame.new_array::<f64>(())?.rank(), 0);
///     let m = frame.array_from_vec(vec![1i64, 2, 3, 4, 5, 6], (2, 3))?;
///     assert_eq!(m.dims(), [2, 3]);
///     Ok::<_, jlrs_core::JuliaError>(())
/// })
/// .unwrap();
/// ```
pub trait IntoDims {
    /// The dimensions.
    fn into_dims(self) -> Dims;
}

impl IntoDims for Dims {
    fn into_dims(self) -> Dims {
        self
    }
}

impl IntoDims for &Dims {
    fn into_dims(self) -> Dims {
        self.clone()
    }
}

impl IntoDims for usize {
    fn into_dims(self) -> Dims {
        Dims::from_slice(&[self])
    }
}

impl IntoDims for () {
    fn into_dims(self) -> Dims {
        Dims::from_slice(&[])
    }
}

impl<const N: usize> IntoDims for [usize; N] {
    fn into_dims(self) -> Dims {
        Dims::from_slice(&self)
    }
}

impl<const N: usize> IntoDims for &[usize; N] {
    fn into_dims(self) -> Dims {
        Dims::from_slice(self)
    }
}

impl IntoDims for &[usize] {
    fn into_dims(self) -> Dims {
        Dims::from_slice(self)
    }
}

impl IntoDims for Vec<usize> {
    fn into_dims(self) -> Dims {
        Dims::from(self)
    }
}

impl IntoDims for &Vec<usize> {
    fn into_dims(self) -> Dims {
        Dims::from_slice(self)
    }
}

/// `IntoDims` for tuples of `usize`, from one element up.
macro_rules! tuple_dims {
    ($($name:ident)+) => {
        impl IntoDims for ($(tuple_dims!(@usize $name),)+) {
            fn into_dims(self) -> Dims {
                let ($($name,)+) = self;
                Dims::from_slice(&[$($name),+])
            }
        }

        impl IntoDims for &($(tuple_dims!(@usize $name),)+) {
            fn into_dims(self) -> Dims {
                (*self).into_dims()
            }
        }
    };
    (@usize $name:ident) => { usize };
}

tuple_dims!(a);
tuple_dims!(a b);
tuple_dims!(a b c);
tuple_dims!(a b c d);
tuple_dims!(a b c d e);
tuple_dims!(a b c d e f);
tuple_dims!(a b c d e f g);
tuple_dims!(a b c d e f g h);
