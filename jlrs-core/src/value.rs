//! [`Value`]: a rooted Julia value whose lifetime is that of its root.

use std::{fmt, marker::PhantomData, ptr::NonNull};

use crate::{
    convert::Unbox,
    error::{Error, JlResult},
    exception,
    symbol::symbol,
    sys, GcFrame,
};

/// A Julia value rooted in a frame; `'scope` is the frame's lifetime.
///
/// A `Value` is `Copy` and `!Send`: it is only meaningful on a thread that may call Julia,
/// and only while its root lives.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct Value<'scope> {
    ptr: NonNull<sys::jl_value_t>,
    _scope: PhantomData<&'scope ()>,
    _not_send: PhantomData<*mut ()>,
}

static_assertions::assert_eq_size!(Value<'static>, *mut std::ffi::c_void);
static_assertions::assert_not_impl_any!(Value<'static>: Send, Sync);

impl<'scope> Value<'scope> {
    /// # Safety
    /// `ptr` is a valid Julia value rooted for at least `'scope`.
    pub(crate) unsafe fn wrap(ptr: NonNull<sys::jl_value_t>) -> Self {
        Value {
            ptr,
            _scope: PhantomData,
            _not_send: PhantomData,
        }
    }

    /// The raw pointer, for use with Julia's C API.
    pub fn as_ptr(self) -> *mut std::ffi::c_void {
        self.ptr.as_ptr().cast()
    }

    pub(crate) fn raw(self) -> *mut sys::jl_value_t {
        self.ptr.as_ptr()
    }

    /// The name of this value's type, without parameters (e.g. `"Int64"`, `"Array"`).
    pub fn type_name(self) -> String {
        exception::type_name(self.raw())
    }

    /// The name of this value's type, without parameters: the same as
    /// [`Value::type_name`].
    pub fn datatype_name(self) -> String {
        self.type_name()
    }

    /// Whether this value can be unboxed to a `T`.
    pub fn is<T: Unbox>(self) -> bool {
        T::is_type_of(self)
    }

    /// Whether this value is `nothing`.
    pub fn is_nothing(self) -> bool {
        // SAFETY: the value is valid.
        unsafe { crate::sys_calls::jlrs_core_is_nothing(self.raw()) != 0 }
    }

    /// Converts this value to a Rust value; an error names both types if it is not a `T`.
    pub fn unbox<T: Unbox>(self) -> JlResult<T> {
        T::unbox(self)
    }

    /// Whether this value is a module.
    pub fn is_module(self) -> bool {
        // SAFETY: the value is valid.
        unsafe { sys::jlrs_core_is_module(self.raw()) != 0 }
    }

    /// Looks up the global `name` in this module.
    pub fn get<'t>(self, frame: &mut GcFrame<'t>, name: &str) -> JlResult<Value<'t>> {
        crate::julia::check_callable()?;
        if !self.is_module() {
            return Err(Error::WrongType {
                expected: "Module".into(),
                found: self.type_name(),
            });
        }
        let sym = symbol(name)?;
        // SAFETY: `self` is a module; jl_get_global does not throw and returns null for an
        // undefined binding; the result is rooted at once.
        unsafe {
            let raw = sys::jl_get_global(self.raw().cast::<sys::jl_module_t>(), sym);
            if raw.is_null() {
                return Err(Error::UndefinedName(name.to_string()));
            }
            frame.root(raw)
        }
    }

    /// Calls this value with `args`; a Julia exception becomes an error.
    ///
    /// Calling something that is not callable raises Julia's `MethodError`.
    pub fn call<'t>(self, frame: &mut GcFrame<'t>, args: &[Value<'_>]) -> JlResult<Value<'t>> {
        self.call_sectioned(frame, args, true)
    }

    /// [`Value::call`] for this crate's own waiting (an idle hosted loop in Julia's
    /// scheduler): Ctrl-C never interrupts it, since it runs no caller's code.
    pub(crate) fn call_uninterruptible<'t>(
        self,
        frame: &mut GcFrame<'t>,
        args: &[Value<'_>],
    ) -> JlResult<Value<'t>> {
        self.call_sectioned(frame, args, false)
    }

    fn call_sectioned<'t>(
        self,
        frame: &mut GcFrame<'t>,
        args: &[Value<'_>],
        interruptible: bool,
    ) -> JlResult<Value<'t>> {
        crate::julia::check_callable()?;
        let n = i32::try_from(args.len()).expect("fewer than 2^31 arguments");
        // `Value` is a transparent pointer, so the slice is already the array of
        // `jl_value_t*` that jl_call takes; jl_call copies it and never writes to it.
        let raw_args = args.as_ptr().cast::<*mut sys::jl_value_t>().cast_mut();
        // SAFETY: all arguments are rooted; jl_call catches exceptions and returns null;
        // the result is rooted at once. The sections are entered on this GC-unsafe Julia
        // thread right around the call.
        unsafe {
            let raw = if interruptible {
                // Ctrl-C may interrupt the Julia code of this call, and only that code.
                let _section = crate::signals::JuliaSection::enter();
                sys::jl_call(self.raw(), raw_args, n)
            } else {
                let _section = crate::signals::RustSection::enter();
                sys::jl_call(self.raw(), raw_args, n)
            };
            frame.root(raw)
        }
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value<{}>({:p})", self.type_name(), self.ptr)
    }
}
