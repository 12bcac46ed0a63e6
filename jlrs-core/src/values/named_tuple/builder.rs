//! Making named tuples field by field: [`NamedTupleBuilder`] and the
//! [`named_tuple!`](crate::named_tuple!) macro.

use crate::{
    error::JlResult, rooting::frame::GcFrame, values::named_tuple::value::NamedTuple,
    values::value::Value,
};

/// Gathers the fields of a named tuple, then makes it ([`NamedTupleBuilder::build`]).
///
/// Names may be built at run time; a name given twice is
/// [`JuliaError::DuplicateName`](crate::JuliaError::DuplicateName) when the tuple is
/// built.
///
/// ```
/// use jlrs_core::{InitOptions, NamedTuple, Runtime};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// rt.julia().scope(|mut frame| {
///     let (x, y) = (frame.box_value(1i64), frame.box_value(2.5f64));
///     let nt = NamedTuple::builder()
///         .field("x", x)
///         .field(format!("y{}", 1), y)
///         .build(&mut frame)?;
///     let text = frame.call("repr", &[nt.as_value()])?.unbox::<String>()?;
///     assert_eq!(text, "(x = 1, y1 = 2.5)");
///     Ok::<_, jlrs_core::JuliaError>(())
/// }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder makes nothing until `build` is called"]
pub struct NamedTupleBuilder<'v> {
    fields: Vec<(String, Value<'v>)>,
}

impl<'v> NamedTupleBuilder<'v> {
    /// A builder with no fields yet (the same as [`NamedTuple::builder`]).
    pub fn new() -> Self {
        NamedTupleBuilder { fields: Vec::new() }
    }

    /// Adds the field `name = value` after those added before.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value<'v>>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// The fields added so far, in order: the form [`GcFrame::new_named_tuple`] and the
    /// keyword calls take.
    pub fn pairs(&self) -> Vec<(&str, Value<'v>)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), *v)).collect()
    }

    /// The named tuple of the fields added, in order, rooted in `frame`
    /// ([`JuliaError::DuplicateName`](crate::JuliaError::DuplicateName) if a name was
    /// added twice).
    pub fn build<'t>(&self, frame: &mut GcFrame<'t>) -> JlResult<NamedTuple<'t>> {
        NamedTuple::new(frame, &self.pairs())
    }
}

impl NamedTuple<'_> {
    /// A builder that gathers fields one by one (see [`NamedTupleBuilder`]).
    pub fn builder<'v>() -> NamedTupleBuilder<'v> {
        NamedTupleBuilder::new()
    }
}

/// Makes a named tuple: `named_tuple!(frame, "a" => a, "b" => b)` is `(a = a, b = b)`,
/// a [`JlResult`]`<`[`NamedTuple`]`>` rooted in `frame`.
///
/// `frame` is a [`GcFrame`] or a `&mut GcFrame`; each name is anything that converts
/// into a `String` (`&str`, `String`), each value a [`Value`] (or a [`NamedTuple`]).
/// The values are evaluated in order before the tuple is made, so they may use `frame`.
/// A name given twice is [`JuliaError::DuplicateName`](crate::JuliaError::DuplicateName);
/// `named_tuple!(frame)` is `NamedTuple()`.
///
/// ```
/// use jlrs_core::{named_tuple, InitOptions, Runtime};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// rt.julia().scope(|mut frame| {
///     let a = frame.box_value(1i64);
///     let nt = named_tuple!(frame, "a" => a, "b" => frame.box_value("two"))?;
///     assert_eq!(nt.field_names(), ["a", "b"]);
///     assert_eq!(nt.get(&mut frame, "b")?.unbox::<String>()?, "two");
///     assert!(named_tuple!(frame, "a" => a, "a" => a).is_err());
///     Ok::<_, jlrs_core::JuliaError>(())
/// }).unwrap();
/// ```
#[macro_export]
macro_rules! named_tuple {
    ($frame:expr $(, $name:expr => $value:expr)* $(,)?) => {{
        let builder = $crate::NamedTupleBuilder::new();
        $(let builder = builder.field($name, $value);)*
        let pairs = builder.pairs();
        // A method call, so that `frame` may be a frame or a `&mut` one.
        ($frame)
            .new_named_tuple(&pairs)
            .and_then($crate::NamedTuple::from_value)
    }};
}
