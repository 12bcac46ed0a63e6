//! Named tuples as values: [`NamedTuple`](crate::NamedTuple) (read, filter, set a field;
//! pass as keyword arguments), built with [`NamedTupleBuilder`](crate::NamedTupleBuilder)
//! or the [`named_tuple!`](crate::named_tuple!) macro. The crate root re-exports both
//! types from their files (the macro names them through the root).

pub(crate) mod builder;
pub(crate) mod value;
