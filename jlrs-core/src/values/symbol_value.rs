//! [`Symbol`]: a Julia symbol as a Rust value that compares and hashes as Julia's symbols
//! do (by identity), and unboxes to its name.

use std::{
    ffi::CStr,
    fmt,
    hash::{Hash, Hasher},
    marker::PhantomData,
    ptr::NonNull,
};

use crate::{
    error::JlResult,
    error::JuliaError,
    rooting::frame::GcFrame,
    sys,
    values::symbol::{jlrs_core_is_symbol, jlrs_core_symbol_name},
    values::value::Value,
};

/// A Julia `Symbol`.
///
/// Julia interns symbols, so two `Symbol`s are equal exactly when they are the same
/// symbol; they hash the same way, so they can be `HashSet` or `HashMap` keys. Symbols are
/// never collected.
///
/// ```
/// use std::collections::HashSet;
/// use jlrs_core::{InitOptions, Runtime, Symbol};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// rt.julia().scope(|mut frame| {
///     let a = Symbol::new(&mut frame, "a").unwrap();
///     let from_julia = frame.eval(":a").unwrap();
///     assert_eq!(Symbol::from_value(from_julia).unwrap(), a);
///     let set: HashSet<Symbol> = [a, Symbol::new(&mut frame, "b").unwrap(), a].into();
///     assert_eq!(set.len(), 2);
///     assert_eq!(a.as_string(), "a");
///     assert_eq!(from_julia.unbox::<String>().unwrap(), "a");
/// });
/// ```
#[derive(Clone, Copy)]
pub struct Symbol<'scope> {
    ptr: NonNull<sys::jl_value_t>,
    _scope: PhantomData<&'scope ()>,
    _not_send: PhantomData<*mut ()>,
}

static_assertions::assert_not_impl_any!(Symbol<'static>: Send, Sync);

impl<'scope> Symbol<'scope> {
    /// The symbol `name` (`:name` in Julia); an error if `name` contains a NUL byte.
    pub fn new(frame: &mut GcFrame<'scope>, name: &str) -> JlResult<Self> {
        crate::calls::callable::check_callable()?;
        Self::from_value(frame.symbol(name)?)
    }

    /// `value` as a symbol; an error if it is something else.
    pub fn from_value(value: Value<'scope>) -> JlResult<Self> {
        if is_symbol(value) {
            // SAFETY: a symbol: permanent, never collected.
            Ok(Symbol {
                ptr: NonNull::new(value.raw()).expect("values are not null"),
                _scope: PhantomData,
                _not_send: PhantomData,
            })
        } else {
            Err(JuliaError::WrongType {
                expected: "Symbol".into(),
                found: value.type_name(),
            })
        }
    }

    /// The symbol as a [`Value`].
    pub fn as_value(self) -> Value<'scope> {
        // SAFETY: symbols are permanently rooted.
        unsafe { Value::wrap(self.ptr) }
    }

    /// The symbol's name as bytes (Julia allows any bytes but NUL in a symbol).
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: a symbol's name is a NUL-terminated string that lives as long as the
        // symbol, which is never collected.
        unsafe { CStr::from_ptr(jlrs_core_symbol_name(self.ptr.as_ptr())) }.to_bytes()
    }

    /// The symbol's name (invalid UTF-8 replaced by U+FFFD, as for a `String`).
    pub fn as_string(&self) -> String {
        String::from_utf8_lossy(self.as_bytes()).into_owned()
    }
}

/// Whether `value` is a `Symbol`.
pub(crate) fn is_symbol(value: Value<'_>) -> bool {
    // SAFETY: the value is valid.
    unsafe { jlrs_core_is_symbol(value.raw()) != 0 }
}

impl PartialEq for Symbol<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}

impl Eq for Symbol<'_> {}

impl Hash for Symbol<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.ptr.hash(state);
    }
}

impl PartialEq<str> for Symbol<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Symbol<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Display for Symbol<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl fmt::Debug for Symbol<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Symbol(:{})", self.as_string())
    }
}

impl<'scope> TryFrom<Value<'scope>> for Symbol<'scope> {
    type Error = JuliaError;

    fn try_from(value: Value<'scope>) -> JlResult<Self> {
        Symbol::from_value(value)
    }
}

impl crate::convert::Typecheck for Symbol<'_> {
    fn typecheck(value: Value<'_>) -> bool {
        Symbol::from_value(value).is_ok()
    }
}
