//! [`Value::cast`]: a value as one of the checked views of a Julia value ([`DataType`],
//! [`Module`], [`Symbol`], [`NamedTuple`]).
//!
//! [`DataType`]: crate::DataType
//! [`Module`]: crate::Module
//! [`Symbol`]: crate::Symbol
//! [`NamedTuple`]: crate::NamedTuple

use crate::{
    error::{JlResult, JuliaError},
    values::value::Value,
};

impl<'scope> Value<'scope> {
    /// This value as a `T`, a checked view of it with the same lifetime
    /// ([`DataType`](crate::DataType), [`Module`](crate::Module),
    /// [`Symbol`](crate::Symbol), [`NamedTuple`](crate::NamedTuple)):
    /// [`JuliaError::WrongType`] if it is not one. The same as `T::try_from(value)`.
    ///
    /// ```
    /// use jlrs_core::{InitOptions, Module, NamedTuple, Runtime};
    ///
    /// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
    /// rt.julia().scope(|mut frame| {
    ///     let nt = frame.eval("(a = 1, b = 2.0)")?.cast::<NamedTuple>()?;
    ///     assert_eq!(nt.len(), 2);
    ///     assert!(nt.as_value().cast::<Module>().is_err());
    ///     Ok::<_, jlrs_core::JuliaError>(())
    /// }).unwrap();
    /// ```
    pub fn cast<T>(self) -> JlResult<T>
    where
        T: TryFrom<Value<'scope>, Error = JuliaError>,
    {
        T::try_from(self)
    }
}
