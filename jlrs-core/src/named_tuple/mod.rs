//! Named tuples as values: [`NamedTuple`] (read, filter, set a field; pass as keyword
//! arguments), built with [`NamedTupleBuilder`] or the [`named_tuple!`](crate::named_tuple!)
//! macro.

pub(crate) mod builder;
pub(crate) mod value;

pub use builder::NamedTupleBuilder;
pub use value::NamedTuple;
