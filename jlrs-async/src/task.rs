//! The kinds of task: async, blocking, persistent and register tasks, and how each runs
//! on a worker thread.

use std::{any::TypeId, collections::HashSet, future::Future, sync::Arc};

use jlrs_core::{panics, sync::GcSafeMutex, GcFrame, JlResult};

use crate::{driver::TaskCtx, executor::LocalBoxFuture, Error};

/// A task as it travels to a worker: made into a future there.
pub(crate) struct TaskFactory {
    make: Box<dyn FnOnce(TaskCtx) -> LocalBoxFuture<'static, ()> + Send>,
    /// Whether the task holds its thread until it returns.
    pub(crate) blocking: bool,
    /// Whether it is a persistent task, which ends by itself (running its `exit`) when
    /// told to, instead of being dropped.
    pub(crate) persistent: bool,
}

impl TaskFactory {
    pub(crate) fn new(
        blocking: bool,
        make: impl FnOnce(TaskCtx) -> LocalBoxFuture<'static, ()> + Send + 'static,
    ) -> Self {
        TaskFactory {
            make: Box::new(make),
            blocking,
            persistent: false,
        }
    }

    /// A persistent task's factory.
    pub(crate) fn persistent(
        make: impl FnOnce(TaskCtx) -> LocalBoxFuture<'static, ()> + Send + 'static,
    ) -> Self {
        TaskFactory {
            make: Box::new(make),
            blocking: false,
            persistent: true,
        }
    }

    /// Makes the task's future on the worker.
    pub(crate) fn make(self, ctx: TaskCtx) -> LocalBoxFuture<'static, ()> {
        (self.make)(ctx)
    }
}

/// Where a task's result goes.
pub(crate) type Reply<T> = oneshot::Sender<Result<T, Error>>;

/// A task's way back to its caller: the outcome is counted, then sent. Dropped unsent
/// (the task was dropped before it ended), it counts the task as cancelled before the
/// caller sees [`Error::Cancelled`].
struct Answer<T> {
    ctx: TaskCtx,
    reply: Option<Reply<T>>,
}

impl<T> Answer<T> {
    fn send(mut self, result: Result<T, Error>) {
        self.ctx.record(&result);
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(result);
        }
    }
}

impl<T> Drop for Answer<T> {
    fn drop(&mut self) {
        // Before the fields: the reply is dropped after the count.
        self.ctx.cancel();
    }
}

/// A task that keeps state, which may hold Julia values, across many calls.
///
/// It is started with [`AsyncHandle::persistent`](crate::AsyncHandle::persistent), which
/// hands back a [`PersistentHandle`](crate::PersistentHandle). Each call runs in a scope of
/// its own, so values rooted during a call are released when it ends; values in the state
/// live as long as the task.
///
/// The task ends when every handle to it is gone, when its runtime or pool closes (once
/// the queued tasks have been taken), or when the pool worker running it fails outside
/// any task and is restarted. Whichever comes first, the call in progress finishes (after
/// a worker failure it is cut short instead and its caller gets
/// [`Error::Cancelled`](crate::Error::Cancelled)), then [`PersistentTask::exit`] runs,
/// exactly once; later calls return [`Error::Closed`](crate::Error::Closed).
///
/// A persistent task takes one of its thread's `N` task slots only while `init` runs. Its
/// calls run without one, so a task that awaits a persistent call cannot deadlock however
/// full the budget is.
///
/// In an implementation, write the state's type in `call` as `Self::State<'s>`, as the
/// trait does (Rust requires the same kind of lifetime parameter on both sides):
///
/// ```
/// use jlrs_async::PersistentTask;
/// use jlrs_core::{GcFrame, JlResult, Value};
///
/// /// Sums everything it is called with, in a Julia `Ref`.
/// struct Total;
///
/// impl PersistentTask for Total {
///     type State<'s> = Value<'s>;
///     type Input = i64;
///     type Output = i64;
///
///     async fn init<'s>(&mut self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
///         frame.eval("Ref(0)")
///     }
///
///     async fn call<'s, 'c>(
///         &mut self,
///         state: &mut Self::State<'s>,
///         frame: &mut GcFrame<'c>,
///         input: i64,
///     ) -> JlResult<i64> {
///         let old = frame.call("getindex", &[*state])?.unbox::<i64>()?;
///         let new = frame.box_value(old + input);
///         frame.call("setindex!", &[*state, new])?;
///         Ok(old + input)
///     }
/// }
///
/// use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
///
/// let (handle, runtime) = jlrs_mt::Builder::new()
///     .async_runtime(AsyncExecutor::<2>::new())
///     .spawn()
///     .expect("cannot start Julia");
/// let total = handle.persistent(Total).dispatch_blocking().unwrap().wait_blocking().unwrap();
/// assert_eq!(total.call(3).wait_blocking().unwrap(), 3);
/// assert_eq!(total.call(4).wait_blocking().unwrap(), 7);
/// drop((total, handle));
/// runtime.join().unwrap();
/// ```
pub trait PersistentTask: Send + 'static {
    /// The state, with Julia values rooted for `'s`.
    type State<'s>;
    /// What a call takes.
    type Input: Send + 'static;
    /// What a call returns.
    type Output: Send + 'static;

    /// Makes the state.
    fn init<'s>(
        &mut self,
        frame: &mut GcFrame<'s>,
    ) -> impl Future<Output = JlResult<Self::State<'s>>>;

    /// Handles one call; `frame` is a scope that ends with the call.
    fn call<'s, 'c>(
        &mut self,
        state: &mut Self::State<'s>,
        frame: &mut GcFrame<'c>,
        input: Self::Input,
    ) -> impl Future<Output = JlResult<Self::Output>>;

    /// Runs when the task ends (default: nothing).
    fn exit<'s>(
        &mut self,
        state: Self::State<'s>,
        frame: &mut GcFrame<'s>,
    ) -> impl Future<Output = ()> {
        let _ = (state, frame);
        async {}
    }
}

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

/// Runs `fut` with panics caught, as a task result.
pub(crate) async fn caught<T>(fut: impl Future<Output = JlResult<T>>) -> Result<T, Error> {
    panics::catch_async(fut).await.map_err(Error::from)
}

/// The error of a task polled where Julia may not be called (never by the runtimes).
pub(crate) fn no_julia<T>() -> Result<T, Error> {
    Err(Error::Panicked(
        "a task was polled on a thread that may not call Julia".into(),
    ))
}

/// A task that runs `f` with a frame of its own and answers `reply`; `blocking` says
/// whether it holds its thread until it returns.
fn task<T, F>(blocking: bool, f: F, reply: Reply<T>) -> TaskFactory
where
    T: Send + 'static,
    F: for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
{
    TaskFactory::new(blocking, move |ctx| {
        let answer = Answer {
            ctx,
            reply: Some(reply),
        };
        Box::pin(async move {
            let result = match jlrs_core::root_stack() {
                Some(mut stack) => caught(async { f(stack.frame()).await }).await,
                None => no_julia(),
            };
            answer.send(result);
        })
    })
}

pub(crate) fn async_task<T, F>(f: F, reply: Reply<T>) -> TaskFactory
where
    T: Send + 'static,
    F: for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
{
    task(false, f, reply)
}

pub(crate) fn blocking_task<T, F>(f: F, reply: Reply<T>) -> TaskFactory
where
    T: Send + 'static,
    F: for<'s> FnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
{
    task(true, async move |frame| f(frame), reply)
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
