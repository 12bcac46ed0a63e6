//! [`Value`]: a rooted Julia value whose lifetime is that of its root.

use std::{fmt, marker::PhantomData, ptr::NonNull};

use crate::sys;

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
        crate::values::strings::type_name(self.raw())
    }

    /// The name of this value's type, without parameters: the same as
    /// [`Value::type_name`].
    pub fn datatype_name(self) -> String {
        self.type_name()
    }

    /// Whether this value is `nothing`.
    pub fn is_nothing(self) -> bool {
        // SAFETY: the value is valid.
        unsafe { crate::sys::calls::jlrs_core_is_nothing(self.raw()) != 0 }
    }

    /// Whether this value is a module.
    pub fn is_module(self) -> bool {
        // SAFETY: the value is valid.
        unsafe { sys::jlrs_core_is_module(self.raw()) != 0 }
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value<{}>({:p})", self.type_name(), self.ptr)
    }
}
