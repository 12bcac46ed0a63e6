//! [`GcFrame`]: scoped rooting whose lifetime ties every rooted value to its root.

use std::{marker::PhantomData, ptr::NonNull};

use crate::{
    calls::exception,
    error::{JlResult, JuliaError},
    rooting::roots::{RootStack, Slots},
    runtime::thread_state::{self, ThreadState},
    sys,
    values::value::Value,
};

/// A frame that roots Julia values; values rooted through it live as long as `'scope`.
///
/// A frame is made only on a GC-unsafe Julia thread ([`RootStack::frame`](crate::RootStack::frame)
/// panics elsewhere), and every call into Julia through it checks that this still holds:
/// inside a GC-safe region it returns [`JuliaError::GcSafeRegion`], after shutdown
/// [`JuliaError::ShutDown`]; the methods that return no `Result` panic with that error.
/// Each value it returns is rooted before any further allocation, so it survives
/// collections for all of `'scope`.
/// Nested scopes ([`GcFrame::scope`]) unroot their values when they end; the compiler
/// stops those values from escaping:
///
/// ```compile_fail
/// # use jlrs_core::{GcFrame, Value};
/// #[allow(dead_code)] // doctests deny warnings: only the escape may fail this
/// fn escape<'s>(frame: &mut GcFrame<'s>) -> Value<'s> {
///     // error: the value rooted in the inner scope cannot outlive it
///     frame.scope(|mut inner| inner.box_value(1i64))
/// }
/// ```
///
/// while the same function compiles when the value is rooted in the outer frame:
///
/// ```
/// # use jlrs_core::{GcFrame, Value};
/// #[allow(dead_code)]
/// fn no_escape<'s>(frame: &mut GcFrame<'s>) -> Value<'s> {
///     let outer = frame.box_value(1i64);
///     frame.scope(|_inner| outer)
/// }
/// ```
///
/// Frames are bound to their thread:
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<jlrs_core::GcFrame<'static>>();
/// ```
pub struct GcFrame<'scope> {
    slots: &'scope Slots,
    _not_send: PhantomData<*mut ()>,
}

static_assertions::assert_not_impl_any!(GcFrame<'static>: Send, Sync);

impl std::fmt::Debug for GcFrame<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GcFrame")
            .field("n_roots", &self.n_roots())
            .finish()
    }
}

impl<'scope> GcFrame<'scope> {
    pub(crate) fn new(slots: &'scope Slots) -> Self {
        GcFrame {
            slots,
            _not_send: PhantomData,
        }
    }

    /// The stack this frame roots its values in.
    pub(crate) fn slots(&self) -> &'scope Slots {
        self.slots
    }

    /// Roots a raw value and ties it to `'scope`, or turns a pending exception into an
    /// error when `raw` is null.
    ///
    /// # Safety
    /// `raw` is null (with an exception pending) or a valid Julia value that was returned
    /// by the last Julia call, with no allocation since.
    pub(crate) unsafe fn root(&mut self, raw: *mut sys::jl_value_t) -> JlResult<Value<'scope>> {
        match NonNull::new(raw) {
            Some(ptr) => {
                // SAFETY: the caller's contract; frames exist only on GC-unsafe threads.
                unsafe { self.slots.push(ptr.as_ptr()) };
                // SAFETY: just rooted for 'scope.
                Ok(unsafe { Value::wrap(ptr) })
            }
            None => Err(exception::take(self.slots)),
        }
    }

    /// Runs `f` with a nested frame; the values it roots are unrooted when `f` returns.
    ///
    /// Values of this frame stay usable inside `f`.
    pub fn scope<T>(&mut self, f: impl for<'inner> FnOnce(GcFrame<'inner>) -> T) -> T {
        let _guard = Truncate(self.slots, self.slots.len());
        f(GcFrame::new(self.slots))
    }

    /// Runs the future made by `f` with a nested frame; the values it roots are unrooted
    /// when the future completes or is dropped.
    ///
    /// The async counterpart of [`GcFrame::scope`]: values of this frame stay usable
    /// inside, and the inner frame's values live across `.await` points.
    pub async fn async_scope<T>(
        &mut self,
        f: impl for<'inner> AsyncFnOnce(GcFrame<'inner>) -> T,
    ) -> T {
        let _guard = Truncate(self.slots, self.slots.len());
        f(GcFrame::new(self.slots)).await
    }

    /// The number of values rooted in this frame's stack, including outer frames'.
    pub fn n_roots(&self) -> usize {
        self.slots.len()
    }

    /// Forces a collection (`full` for a full one). Values rooted anywhere survive it.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn collect_garbage(&mut self, full: bool) {
        crate::calls::callable::assert_callable();
        crate::runtime::gc::collect(full);
    }
}

impl RootStack {
    /// A frame that roots values in this stack for as long as the stack is borrowed.
    ///
    /// Values rooted through the returned frame stay rooted until the stack is dropped, so
    /// they can be held across `.await` points of the future that owns the stack.
    ///
    /// # Panics
    /// In a GC-safe region (a stack kept in a thread-local and taken out inside
    /// [`Julia::gc_safe`](crate::Julia::gc_safe) or [`blocking`](crate::blocking)), where
    /// Julia must not be touched. After shutdown the frame is made, and every call through
    /// it returns [`JuliaError::ShutDown`](crate::JuliaError::ShutDown).
    #[track_caller]
    pub fn frame(&mut self) -> GcFrame<'_> {
        match thread_state::current() {
            ThreadState::GcUnsafe => {}
            ThreadState::GcSafe => panic!("jlrs: {}", JuliaError::GcSafeRegion),
            ThreadState::Foreign => panic!("jlrs: {}", JuliaError::NotAJuliaThread),
        }
        GcFrame::new(self.slots())
    }
}

/// Unroots a nested scope's values when the scope ends, also on panic or cancellation.
struct Truncate<'a>(&'a Slots, usize);

impl Drop for Truncate<'_> {
    fn drop(&mut self) {
        // SAFETY: the inner frame and all its values are gone (they cannot escape the
        // scope), and roots are only changed on this GC-unsafe thread.
        unsafe { self.0.truncate(self.1) }
    }
}
