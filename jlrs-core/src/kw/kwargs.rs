//! The keyword arguments of a call, in either form: `(name, value)` pairs, or a named
//! tuple ([`Kwargs`], [`AsKwargs`]).

use crate::{named_tuple::value::NamedTuple, value::Value};

/// The keyword arguments of a call ([`Value::call_kw`], [`GcFrame::call_kw`](crate::GcFrame::call_kw),
/// [`GcFrame::call_async_kw`](crate::GcFrame::call_async_kw)): `(name, value)` pairs, or
/// a [`NamedTuple`], such as one made by Julia code.
///
/// Calls take anything that is [`AsKwargs`], so a `Kwargs` is rarely named: pass
/// `&[("dims", one)]`, a `Vec` of pairs, or a named tuple.
#[derive(Clone, Copy, Debug)]
pub struct Kwargs<'a>(pub(crate) Form<'a>);

/// What a [`Kwargs`] holds.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Form<'a> {
    /// `(name, value)` pairs, in order; the names are checked when the call is made.
    Pairs(&'a [(&'a str, Value<'a>)]),
    /// A named tuple, passed to the keyword sorter as it is.
    NamedTuple(NamedTuple<'a>),
}

impl<'a> Kwargs<'a> {
    /// Keyword arguments given as `(name, value)` pairs, in order.
    pub fn pairs(pairs: &'a [(&'a str, Value<'a>)]) -> Self {
        Kwargs(Form::Pairs(pairs))
    }

    /// The fields of `nt` as keyword arguments.
    pub fn named_tuple(nt: NamedTuple<'a>) -> Self {
        Kwargs(Form::NamedTuple(nt))
    }

    /// How many keyword arguments there are.
    pub fn len(self) -> usize {
        match self.0 {
            Form::Pairs(p) => p.len(),
            Form::NamedTuple(nt) => nt.len(),
        }
    }

    /// Whether there are none (the call is then an ordinary one).
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// What can be the keyword arguments of a call: a reference to `(name, value)` pairs (a
/// slice, an array or a `Vec`), a [`NamedTuple`], or [`Kwargs`].
///
/// ```
/// use jlrs_core::{InitOptions, NamedTuple, Runtime};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// rt.julia().scope(|mut frame| {
///     frame.eval("scaled(x; by = 1, plus = 0) = x * by + plus")?;
///     let (x, by) = (frame.box_value(2i64), frame.box_value(10i64));
///     let from_pairs = frame.call_kw("scaled", &[x], &[("by", by)])?;
///     assert_eq!(from_pairs.unbox::<i64>()?, 20);
///     let kw = NamedTuple::from_value(frame.eval("(by = 3, plus = 1)")?)?;
///     let from_julia = frame.call_kw("scaled", &[x], kw)?;
///     assert_eq!(from_julia.unbox::<i64>()?, 7);
///     Ok::<_, jlrs_core::JuliaError>(())
/// }).unwrap();
/// ```
pub trait AsKwargs {
    /// These keyword arguments, borrowed.
    fn as_kwargs(&self) -> Kwargs<'_>;
}

impl AsKwargs for Kwargs<'_> {
    fn as_kwargs(&self) -> Kwargs<'_> {
        *self
    }
}

// Pairs are taken by reference only, as they were before named tuples were accepted, so
// that `&[("dims", one)]` is not a needless borrow.
impl AsKwargs for &[(&str, Value<'_>)] {
    fn as_kwargs(&self) -> Kwargs<'_> {
        Kwargs::pairs(self)
    }
}

impl<const N: usize> AsKwargs for &[(&str, Value<'_>); N] {
    fn as_kwargs(&self) -> Kwargs<'_> {
        Kwargs::pairs(*self)
    }
}

impl AsKwargs for &Vec<(&str, Value<'_>)> {
    fn as_kwargs(&self) -> Kwargs<'_> {
        Kwargs::pairs(self)
    }
}

impl AsKwargs for NamedTuple<'_> {
    fn as_kwargs(&self) -> Kwargs<'_> {
        Kwargs::named_tuple(*self)
    }
}

impl AsKwargs for &NamedTuple<'_> {
    fn as_kwargs(&self) -> Kwargs<'_> {
        Kwargs::named_tuple(**self)
    }
}
