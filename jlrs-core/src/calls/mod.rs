//! Calling Julia: code, globals, functions with positional and keyword arguments, Julia
//! tasks, Rust callbacks, and the exceptions they raise.

pub(crate) mod background;
pub(crate) mod call;
pub(crate) mod call_async;
pub(crate) mod callable;
pub(crate) mod callback;
pub(crate) mod catch;
pub(crate) mod cfunction_types;
pub(crate) mod exception;
pub(crate) mod globals;
pub(crate) mod julia_code;
pub(crate) mod kw;
pub(crate) mod stack_frame;
pub(crate) mod task;
pub(crate) mod traced;
pub(crate) mod tracing_call;
