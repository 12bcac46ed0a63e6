//! Julia values as Rust types: [`Value`](crate::Value), symbols, strings, tuples, fields,
//! types, modules and paths to globals.

pub(crate) mod cast;
pub(crate) mod datatype;
pub(crate) mod fields;
pub(crate) mod module;
pub(crate) mod named_tuple;
pub(crate) mod path;
pub(crate) mod strings;
pub(crate) mod symbol;
pub(crate) mod symbol_value;
pub(crate) mod tuple;
pub(crate) mod value;
