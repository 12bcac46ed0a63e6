//! Register tasks: code loaded once per runtime ([`Register`]).

use std::{any::TypeId, collections::HashSet, sync::Arc};

use jlrs_core::{sync::GcSafeMutex, GcFrame, JlResult};

use crate::engine::task::{blocking_task, Reply, TaskFactory};

/// Code to load once per runtime, e.g. Julia functions other tasks call.
///
/// ```
/// use jlrs_async::{AsyncExecutor, AsyncRuntimeExt, Register};
/// use jlrs_core::{GcFrame, JlResult};
///
/// struct Geometry;
///
/// impl Register for Geometry {
///     fn register(frame: &mut GcFrame<'_>) -> JlResult<()> {
///         frame.eval("hypotenuse(a, b) = sqrt(a^2 + b^2)").map(|_| ())
///     }
/// }
///
/// let (handle, runtime) = jlrs_mt::Builder::new()
///     .async_runtime(AsyncExecutor::<2>::new())
///     .spawn()
///     .expect("cannot start Julia");
/// handle.register::<Geometry>().dispatch_blocking().unwrap().wait_blocking().unwrap();
/// let c = handle
///     .blocking_task(|mut frame| {
///         let (a, b) = (frame.box_value(3.0), frame.box_value(4.0));
///         frame.call("hypotenuse", &[a, b])?.unbox::<f64>()
///     })
///     .dispatch_blocking()
///     .unwrap()
///     .wait_blocking();
/// assert_eq!(c.unwrap(), 5.0);
/// drop(handle);
/// runtime.join().unwrap();
/// ```
pub trait Register: 'static {
    /// Loads the code.
    fn register<'s>(frame: &mut GcFrame<'s>) -> JlResult<()>;
}

/// The registered `Register` types of one runtime.
///
/// `R::register` runs Julia code while the lock is held, so the lock's waiters (other
/// workers registering at the same time) must be GC-safe: a `GcSafeMutex`.
pub(crate) type Registry = Arc<GcSafeMutex<HashSet<TypeId>>>;

pub(crate) fn register_task<R: Register>(registry: Registry, reply: Reply<()>) -> TaskFactory {
    blocking_task(
        move |mut frame| {
            let id = TypeId::of::<R>();
            let mut done = registry.lock();
            if !done.contains(&id) {
                R::register(&mut frame)?;
                done.insert(id);
            }
            Ok(())
        },
        reply,
    )
}
