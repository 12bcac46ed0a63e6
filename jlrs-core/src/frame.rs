//! [`GcFrame`]: scoped rooting whose lifetime ties every rooted value to its root.

use std::{ffi::CString, marker::PhantomData, ptr::NonNull};

use crate::{
    convert::IntoJulia,
    error::{Error, JlResult},
    exception,
    roots::Slots,
    sys, Value,
};

/// A frame that roots Julia values; values rooted through it live as long as `'scope`.
///
/// A frame is made only on a GC-unsafe Julia thread ([`RootStack::frame`](crate::RootStack::frame)
/// panics elsewhere), and every call into Julia through it checks that this still holds:
/// inside a GC-safe region it returns [`Error::GcSafeRegion`], after shutdown
/// [`Error::ShutDown`]; the methods that return no `Result` panic with that error. Each value it returns is
/// rooted before any further allocation, so it survives collections for all of `'scope`.
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

    /// Evaluates Julia code (one or more top-level expressions) in `Main` and roots the
    /// value of the last one.
    ///
    /// Invalid syntax and exceptions thrown while evaluating become errors.
    pub fn eval(&mut self, code: &str) -> JlResult<Value<'scope>> {
        crate::julia::check_callable()?;
        if code.contains('\0') {
            return Err(Error::NulByte(code.to_string()));
        }
        // Julia 1.5's `jl_eval_string` can return a stray value instead of null when its
        // exception races a collection on another thread, so code is evaluated through a
        // Julia function called with `jl_call`, which reports exceptions reliably.
        let code = self.box_value(code);
        self.call("JlrsCore.eval_string", &[code])
    }

    /// Evaluates `code` with `jl_eval_string`. Only for start-up, while one thread runs.
    ///
    /// # Safety
    /// No other thread is running Julia code.
    pub(crate) unsafe fn eval_single_threaded(&mut self, code: &str) -> JlResult<Value<'scope>> {
        let code = CString::new(code).map_err(|_| Error::NulByte(code.to_string()))?;
        // SAFETY: a frame proves this thread may call Julia; jl_eval_string catches
        // exceptions and returns null (reliably while no other thread runs).
        unsafe {
            let raw = sys::jl_eval_string(code.as_ptr());
            self.root(raw)
        }
    }

    /// Boxes a Rust value as a Julia value and roots it.
    ///
    /// Returns the [`Value`] for types whose boxing cannot fail (numbers, strings, `()`,
    /// ...) and a [`JlResult`] for those whose boxing can (user bits types, whose Julia
    /// type may be missing or laid out differently, and tuples).
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn box_value<T: IntoJulia>(&mut self, value: T) -> T::Output<'scope> {
        crate::julia::assert_callable();
        value.into_julia(self)
    }

    /// The module `Main`.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn main_module(&mut self) -> Value<'scope> {
        crate::julia::assert_callable();
        // SAFETY: Julia is initialised; `Main` is a global root, rooting it again is free
        // of risk.
        unsafe { self.root(sys::jl_main_module.cast()).expect("Main exists") }
    }

    /// Looks up a global by path, such as `"Base.sqrt"`, `"println"` or `"Main.MyMod.x"`.
    ///
    /// The first component is looked up in `Main` (which sees `Base` and `Core`), then each
    /// further component in the module found so far.
    pub fn global(&mut self, path: &str) -> JlResult<Value<'scope>> {
        crate::julia::check_callable()?;
        let mut parts = path.split('.');
        let first = parts.next().unwrap_or_default();
        let mut current = if first == "Main" {
            self.main_module()
        } else {
            let main = self.main_module();
            main.get(self, first)
                .map_err(|e| rename_undefined(e, path))?
        };
        for part in parts {
            current = current
                .get(self, part)
                .map_err(|e| rename_undefined(e, path))?;
        }
        Ok(current)
    }

    /// Calls the function found at `path` (see [`GcFrame::global`]) with `args`.
    pub fn call(&mut self, path: &str, args: &[Value<'_>]) -> JlResult<Value<'scope>> {
        let f = self.global(path)?;
        f.call(self, args)
    }

    /// Forces a collection (`full` for a full one). Values rooted anywhere survive it.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn collect_garbage(&mut self, full: bool) {
        crate::julia::assert_callable();
        crate::gc::collect(full);
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

fn rename_undefined(e: Error, path: &str) -> Error {
    match e {
        Error::UndefinedName(_) => Error::UndefinedName(path.to_string()),
        other => other,
    }
}
