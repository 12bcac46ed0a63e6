//! [`NamedTuple`]: a Julia named tuple, read by name, and new named tuples made from it
//! with fields kept, removed or set.

use std::ffi::c_int;

use crate::{
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    sys::jl_value_t,
    values::value::Value,
};

// The C shim's half (`csrc/named_tuple.c`).
extern "C" {
    fn jlrs_core_is_named_tuple(v: *mut jl_value_t) -> c_int;
}

/// A Julia named tuple (`(a = 1, b = 2.0)`, a value of a `NamedTuple{names, T}` type),
/// rooted for `'scope`.
///
/// Get one from Julia ([`NamedTuple::from_value`], or `try_into`), or make one
/// ([`NamedTuple::new`], [`NamedTuple::builder`], [`named_tuple!`](crate::named_tuple!)).
/// A named tuple is immutable: [`filter`](NamedTuple::filter), [`set`](NamedTuple::set)
/// and [`remove`](NamedTuple::remove) return a new one, rooted in the frame they are
/// given. It can be passed as the keyword arguments of a call
/// ([`Value::call_kw`], [`GcFrame::call_kw`], [`GcFrame::call_async_kw`]) as it is.
///
/// ```
/// use jlrs_core::{InitOptions, NamedTuple, Runtime};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// rt.julia().scope(|mut frame| {
///     let nt = NamedTuple::from_value(frame.eval("(a = 1, b = 2.0)")?)?;
///     assert_eq!(nt.field_names(), ["a", "b"]);
///     assert_eq!(nt.get(&mut frame, "b")?.unbox::<f64>()?, 2.0);
///
///     let c = frame.box_value("three");
///     let more = nt.set(&mut frame, "c", c)?; // (a = 1, b = 2.0, c = "three")
///     let some = more.filter(&mut frame, &["c", "a"])?; // (a = 1, c = "three")
///     assert_eq!(some.field_names(), ["a", "c"]);
///
///     frame.eval("f(; a, c) = string(c, a)")?;
///     let s = frame.call_kw("f", &[], some)?; // f(; some...)
///     assert_eq!(s.unbox::<String>()?, "three1");
///     Ok::<_, jlrs_core::JuliaError>(())
/// }).unwrap();
/// ```
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct NamedTuple<'scope>(Value<'scope>);

static_assertions::assert_not_impl_any!(NamedTuple<'static>: Send, Sync);

impl std::fmt::Debug for NamedTuple<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("NamedTuple")
            .field(&self.field_names())
            .finish()
    }
}

/// A field of a named tuple being made from another: one of its fields (by index) or a
/// new one.
enum Field<'a, 'v> {
    Old(usize),
    New(&'a str, Value<'v>),
}

impl<'scope> NamedTuple<'scope> {
    /// The named tuple `(; name = value, ...)`, in the order given, rooted in `frame`.
    ///
    /// An empty list gives `NamedTuple()`; a name given twice is
    /// [`JuliaError::DuplicateName`].
    pub fn new(frame: &mut GcFrame<'scope>, fields: &[(&str, Value<'_>)]) -> JlResult<Self> {
        frame.new_named_tuple(fields).map(NamedTuple)
    }

    /// `value` as a named tuple; [`JuliaError::WrongType`] if it is something else (a
    /// tuple, a struct, a `NamedTuple` type rather than a value of one).
    pub fn from_value(value: Value<'scope>) -> JlResult<Self> {
        if value.is_named_tuple() {
            Ok(NamedTuple(value))
        } else {
            Err(JuliaError::WrongType {
                expected: "NamedTuple".into(),
                found: value.type_name(),
            })
        }
    }

    /// The named tuple as a [`Value`].
    pub fn as_value(self) -> Value<'scope> {
        self.0
    }

    /// The number of fields.
    pub fn len(self) -> usize {
        self.0.n_fields()
    }

    /// Whether this is the empty named tuple, `NamedTuple()`.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The field names, in order.
    pub fn field_names(self) -> Vec<String> {
        self.0.field_names()
    }

    /// Whether there is a field called `name`.
    pub fn contains(self, name: &str) -> bool {
        self.index_of(name).is_some()
    }

    fn index_of(self, name: &str) -> Option<usize> {
        self.field_names().iter().position(|n| n == name)
    }

    /// The field called `name`, rooted in `frame` (a field stored inline is boxed);
    /// [`JuliaError::NoSuchField`] if there is none.
    pub fn get<'t>(self, frame: &mut GcFrame<'t>, name: &str) -> JlResult<Value<'t>> {
        self.0.field(frame, name)
    }

    /// The values of the fields, in order, rooted in `frame`.
    pub fn values<'t>(self, frame: &mut GcFrame<'t>) -> JlResult<Vec<Value<'t>>> {
        (0..self.len()).map(|i| self.0.field_at(frame, i)).collect()
    }

    /// The fields as `(name, value)` pairs, in order, the values rooted in `frame`: the
    /// form [`GcFrame::new_named_tuple`] takes. (A named tuple is itself keyword
    /// arguments: pass it to [`GcFrame::call_kw`] as it is.)
    pub fn to_pairs<'t>(self, frame: &mut GcFrame<'t>) -> JlResult<Vec<(String, Value<'t>)>> {
        let values = self.values(frame)?;
        Ok(self.field_names().into_iter().zip(values).collect())
    }

    /// A new named tuple with only the fields named in `names`, in this one's order,
    /// rooted in `frame`. A name this one does not have is [`JuliaError::NoSuchField`];
    /// a name given twice is [`JuliaError::DuplicateName`].
    pub fn filter<'t>(self, frame: &mut GcFrame<'t>, names: &[&str]) -> JlResult<NamedTuple<'t>> {
        let own = self.field_names();
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(JuliaError::DuplicateName((*name).to_string()));
            }
            if !own.iter().any(|n| n == name) {
                return Err(self.no_such_field(name));
            }
        }
        let keep: Vec<_> = (0..own.len())
            .filter(|&i| names.contains(&own[i].as_str()))
            .map(Field::Old)
            .collect();
        self.rebuild(frame, &own, &keep)
    }

    /// A new named tuple with the fields for which `keep(name, value)` is true, in order,
    /// rooted in `frame`. The values `keep` sees are rooted only while it runs.
    pub fn filter_by<'t>(
        self,
        frame: &mut GcFrame<'t>,
        mut keep: impl FnMut(&str, Value<'_>) -> bool,
    ) -> JlResult<NamedTuple<'t>> {
        let own = self.field_names();
        let kept = frame.scope(|mut inner| {
            let mut kept = Vec::new();
            for (i, name) in own.iter().enumerate() {
                let value = self.0.field_at(&mut inner, i)?;
                if keep(name, value) {
                    kept.push(Field::Old(i));
                }
            }
            Ok::<_, JuliaError>(kept)
        })?;
        self.rebuild(frame, &own, &kept)
    }

    /// A new named tuple without the field `name`, rooted in `frame`;
    /// [`JuliaError::NoSuchField`] if there is none.
    pub fn remove<'t>(self, frame: &mut GcFrame<'t>, name: &str) -> JlResult<NamedTuple<'t>> {
        let own = self.field_names();
        let Some(gone) = own.iter().position(|n| n == name) else {
            return Err(self.no_such_field(name));
        };
        let keep: Vec<_> = (0..own.len())
            .filter(|&i| i != gone)
            .map(Field::Old)
            .collect();
        self.rebuild(frame, &own, &keep)
    }

    /// A new named tuple with the field `name` set to `value`, rooted in `frame`: in its
    /// place if this one has it (its type may change with the value's), otherwise added
    /// last, as Julia's `merge(nt, (; name = value))` does.
    pub fn set<'t>(
        self,
        frame: &mut GcFrame<'t>,
        name: &str,
        value: Value<'_>,
    ) -> JlResult<NamedTuple<'t>> {
        let own = self.field_names();
        let mut fields: Vec<_> = (0..own.len()).map(Field::Old).collect();
        match own.iter().position(|n| n == name) {
            Some(i) => fields[i] = Field::New(name, value),
            None => fields.push(Field::New(name, value)),
        }
        self.rebuild(frame, &own, &fields)
    }

    /// The named tuple of `fields`, rooted in `frame`; `own` are this one's names. The
    /// fields read from this one are rooted in a nested scope only.
    fn rebuild<'t>(
        self,
        frame: &mut GcFrame<'t>,
        own: &[String],
        fields: &[Field<'_, '_>],
    ) -> JlResult<NamedTuple<'t>> {
        crate::calls::callable::check_callable()?;
        let output = frame.output();
        frame.scope(|mut inner| {
            let mut pairs = Vec::with_capacity(fields.len());
            for field in fields {
                pairs.push(match *field {
                    Field::Old(i) => (own[i].as_str(), self.0.field_at(&mut inner, i)?),
                    Field::New(name, value) => (name, value),
                });
            }
            let nt = inner.new_named_tuple(&pairs)?;
            Ok(NamedTuple(nt.root(output)))
        })
    }

    fn no_such_field(self, name: &str) -> JuliaError {
        JuliaError::NoSuchField {
            type_name: self.0.type_name(),
            field: name.to_string(),
        }
    }
}

impl<'scope> TryFrom<Value<'scope>> for NamedTuple<'scope> {
    type Error = JuliaError;

    fn try_from(value: Value<'scope>) -> JlResult<Self> {
        NamedTuple::from_value(value)
    }
}

impl<'scope> From<NamedTuple<'scope>> for Value<'scope> {
    fn from(nt: NamedTuple<'scope>) -> Self {
        nt.0
    }
}

impl Value<'_> {
    /// Whether this value is a named tuple (see [`NamedTuple`]).
    pub fn is_named_tuple(self) -> bool {
        // SAFETY: the value is valid.
        unsafe { jlrs_core_is_named_tuple(self.raw()) != 0 }
    }
}

impl crate::convert::Typecheck for NamedTuple<'_> {
    fn typecheck(value: Value<'_>) -> bool {
        NamedTuple::from_value(value).is_ok()
    }
}
