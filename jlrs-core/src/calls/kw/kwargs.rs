//! The keyword arguments of a call, in either form: `(name, value)` pairs, or a named
//! tuple ([`Kwargs`], [`AsKwargs`]).

use crate::{error::JlResult, values::named_tuple::value::NamedTuple, values::value::Value};

/// The keyword arguments of a call ([`Value::call_kw`],
/// [`GcFrame::call_kw`](crate::GcFrame::call_kw),
/// [`GcFrame::call_async_kw`](crate::GcFrame::call_async_kw)): `(name, value)` pairs, or a
/// [`NamedTuple`], such as one made by Julia code.
///
/// Calls take anything that is [`AsKwargs`], so a `Kwargs` is rarely named: pass
/// `&[("dims", one)]`, a `Vec` of pairs, or a named tuple.
#[derive(Clone, Copy, Debug)]
pub struct Kwargs<'a>(Given<'a>);

/// What a [`Kwargs`] was made from.
#[derive(Clone, Copy, Debug)]
enum Given<'a> {
    Pairs(&'a [(&'a str, Value<'a>)]),
    NamedTuple(NamedTuple<'a>),
    /// A value that should be a named tuple, checked when the call is made.
    Value(Value<'a>),
}

/// The keyword arguments of a call, checked.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Form<'a> {
    /// `(name, value)` pairs, in order; the names are checked when the call is made.
    Pairs(&'a [(&'a str, Value<'a>)]),
    /// A named tuple, passed to the keyword sorter as it is.
    NamedTuple(NamedTuple<'a>),
}

impl Form<'_> {
    /// How many keyword arguments there are.
    pub(crate) fn len(self) -> usize {
        match self {
            Form::Pairs(p) => p.len(),
            Form::NamedTuple(nt) => nt.len(),
        }
    }
}

impl<'a> Kwargs<'a> {
    /// Keyword arguments given as `(name, value)` pairs, in order.
    pub fn pairs(pairs: &'a [(&'a str, Value<'a>)]) -> Self {
        Kwargs(Given::Pairs(pairs))
    }

    /// The fields of `nt` as keyword arguments.
    pub fn named_tuple(nt: NamedTuple<'a>) -> Self {
        Kwargs(Given::NamedTuple(nt))
    }

    /// The fields of `value`, which must be a named tuple: a call with anything else
    /// returns [`JuliaError::WrongType`](crate::JuliaError::WrongType) without calling Julia.
    pub fn value(value: Value<'a>) -> Self {
        Kwargs(Given::Value(value))
    }

    /// The keyword arguments, checked.
    pub(crate) fn form(self) -> JlResult<Form<'a>> {
        Ok(match self.0 {
            Given::Pairs(p) => Form::Pairs(p),
            Given::NamedTuple(nt) => Form::NamedTuple(nt),
            Given::Value(v) => Form::NamedTuple(NamedTuple::from_value(v)?),
        })
    }
}

/// What can be the keyword arguments of a call: a reference to `(name, value)` pairs (a
/// slice, an array or a `Vec`), a [`NamedTuple`], a [`Value`] that is a named tuple
/// (anything else is [`JuliaError::WrongType`](crate::JuliaError::WrongType) when the call is made), or [`Kwargs`].
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

impl AsKwargs for Value<'_> {
    fn as_kwargs(&self) -> Kwargs<'_> {
        Kwargs::value(*self)
    }
}

impl AsKwargs for &NamedTuple<'_> {
    fn as_kwargs(&self) -> Kwargs<'_> {
        Kwargs::named_tuple(**self)
    }
}
