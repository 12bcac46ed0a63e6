//! [`Output`]: a slot reserved in an outer frame, through which a value made in a nested
//! scope leaves that scope.

use std::{marker::PhantomData, ptr::NonNull};

use crate::{
    rooting::frame::GcFrame, rooting::roots::Slots, sys::calls as sys_calls, values::value::Value,
};

/// A root slot reserved in a frame ([`GcFrame::output`]), to be filled once with a value
/// made in a nested scope ([`Value::root`]).
///
/// The slot belongs to the frame that reserved it: the value rooted through it lives as
/// long as that frame (`'scope`), while everything else the nested scope rooted is
/// unrooted when the scope ends. This lets a loop run each iteration in its own scope
/// without piling up roots, and lets a helper return a value it made:
///
/// ```
/// # use jlrs_core::{GcFrame, JlResult, Value};
/// #[allow(dead_code)]
/// fn squares<'s>(frame: &mut GcFrame<'s>, n: i64) -> JlResult<Value<'s>> {
///     let output = frame.output();
///     frame.scope(|mut inner| {
///         let range = inner.eval(&format!("1:{n}"))?;
///         let squares = inner.call("collect", &[range])?; // rooted in `inner` only
///         Ok(squares.root(output)) // now rooted in `frame`
///     })
/// }
/// ```
///
/// An `Output` is used once (rooting consumes it), so a value rooted through it is never
/// unrooted by a second use. The value it roots cannot outlive the frame that reserved
/// the slot: a slot reserved in the inner scope cannot carry a value out of it.
///
/// ```compile_fail
/// # use jlrs_core::{GcFrame, Value};
/// #[allow(dead_code)] // doctests deny warnings: only the escape may fail this
/// fn escape<'s>(frame: &mut GcFrame<'s>) -> Value<'s> {
///     frame.scope(|mut inner| {
///         // error: the slot belongs to `inner`, so the value lives only as long as it
///         let output = inner.output();
///         inner.scope(|mut innermost| innermost.box_value(1i64).root(output))
///     })
/// }
/// ```
///
/// while the same function compiles when the slot is reserved in the outer frame:
///
/// ```
/// # use jlrs_core::{GcFrame, Value};
/// #[allow(dead_code)]
/// fn no_escape<'s>(frame: &mut GcFrame<'s>) -> Value<'s> {
///     let output = frame.output();
///     frame.scope(|mut inner| {
///         inner.scope(|mut innermost| innermost.box_value(1i64).root(output))
///     })
/// }
/// ```
///
/// An `Output` is bound to its thread:
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<jlrs_core::Output<'static>>();
/// ```
#[must_use = "the slot stays reserved (holding `nothing`) until its frame ends"]
pub struct Output<'scope> {
    slots: &'scope Slots,
    index: usize,
    _not_send: PhantomData<*mut ()>,
}

static_assertions::assert_not_impl_any!(Output<'static>: Send, Sync, Clone, Copy);

impl std::fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output").field("slot", &self.index).finish()
    }
}

impl<'scope> GcFrame<'scope> {
    /// Reserves a root slot in this frame, for a value made in a nested scope to leave
    /// that scope through (see [`Output`]). The slot holds `nothing` until it is used.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn output(&mut self) -> Output<'scope> {
        crate::calls::callable::assert_callable();
        let slots = self.slots();
        let index = slots.len();
        // SAFETY: the thread was just checked to be GC-unsafe; `nothing` is a valid,
        // permanently rooted value.
        unsafe { slots.push(sys_calls::jlrs_core_nothing()) };
        Output {
            slots,
            index,
            _not_send: PhantomData,
        }
    }
}

impl<'scope> Output<'scope> {
    /// Roots `value` in this slot: the returned value lives as long as the frame that
    /// reserved the slot. The same as [`Value::root`].
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn root(self, value: Value<'_>) -> Value<'scope> {
        // Roots change only on a GC-unsafe thread (a value may have been carried into a
        // GC-safe region through a thread-local).
        crate::calls::callable::assert_callable();
        // SAFETY: the slot exists for all of 'scope (nested scopes only truncate above
        // the length they started at, which is past this slot, and the frame that
        // reserved it outlives 'scope); this `Output` is consumed, so no other value
        // depends on the slot's previous content (`nothing`, which is permanent); the
        // thread is GC-unsafe; `value` is valid, being rooted for its own lifetime.
        unsafe {
            self.slots.set(self.index, value.raw());
            Value::wrap(NonNull::new_unchecked(value.raw()))
        }
    }
}

impl Value<'_> {
    /// Roots this value in `output`, a slot reserved in an outer frame
    /// ([`GcFrame::output`]), so it can leave the scope it was made in.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn root<'o>(self, output: Output<'o>) -> Value<'o> {
        output.root(self)
    }
}
