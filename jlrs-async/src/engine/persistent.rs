//! Persistent tasks: a [`PersistentTask`], how it runs, and calling it through a
//! [`PersistentHandle`].

use std::future::Future;

use jlrs_core::{latch::Latch, GcFrame, JlResult};
use smol::future::FutureExt;

use crate::{
    engine::{
        budget::TaskCtx,
        task::{caught, no_julia, Answer, Reply, TaskFactory},
    },
    TaskError, TaskHandle,
};

/// A task that keeps state, which may hold Julia values, across many calls.
///
/// It is started with [`AsyncHandle::persistent`](crate::AsyncHandle::persistent), which
/// hands back a [`PersistentHandle`](crate::PersistentHandle). Each call runs in a scope of
/// its own, so values rooted during a call are released when it ends; values in the state
/// live as long as the task.
///
/// The task ends when every handle to it is gone, when its runtime or pool closes (once
/// the queued tasks have been taken), or when the thread's task loop fails outside any
/// task (a pool worker then restarts, unless it was told to stop). Whichever comes first,
/// the call in progress finishes (after a loop failure it is cut short instead and its
/// caller gets [`TaskError::Cancelled`](crate::TaskError::Cancelled)), then
/// [`PersistentTask::exit`] runs, exactly once; later calls return
/// [`TaskError::Closed`](crate::TaskError::Closed).
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

type Call<P> = (
    <P as PersistentTask>::Input,
    Reply<<P as PersistentTask>::Output>,
);

/// Calls a persistent task. Cheap to clone; the task ends (running its `exit`) when every
/// handle is gone, its runtime or pool closes, or its thread's task loop fails (see
/// [`PersistentTask`]).
pub struct PersistentHandle<P: PersistentTask> {
    calls: async_channel::Sender<Call<P>>,
    /// The thread the task runs on.
    home: std::thread::ThreadId,
}

impl<P: PersistentTask> std::fmt::Debug for PersistentHandle<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersistentHandle")
            .field("task", &std::any::type_name::<P>())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<P: PersistentTask> Clone for PersistentHandle<P> {
    fn clone(&self) -> Self {
        PersistentHandle {
            calls: self.calls.clone(),
            home: self.home,
        }
    }
}

impl<P: PersistentTask> PersistentHandle<P> {
    /// Sends `input` to the task; await the returned handle (or call
    /// [`TaskHandle::wait_blocking`]) for the output. If the task has ended, the result is
    /// [`TaskError::Closed`].
    pub fn call(&self, input: P::Input) -> TaskHandle<P::Output> {
        let (tx, rx) = oneshot::channel();
        match self.calls.try_send((input, tx)) {
            Ok(()) => TaskHandle::on_thread(rx, self.home),
            Err(_) => TaskHandle::failed(TaskError::Closed),
        }
    }

    /// Whether the task has ended.
    pub fn is_closed(&self) -> bool {
        self.calls.is_closed()
    }
}

pub(crate) fn persistent_task<P: PersistentTask>(
    mut task: P,
    reply: Reply<PersistentHandle<P>>,
) -> TaskFactory {
    let (calls_tx, calls) = async_channel::unbounded::<Call<P>>();
    TaskFactory::persistent(move |ctx: TaskCtx| {
        Box::pin(async move {
            let mut ctx = ctx;
            let Some(mut stack) = jlrs_core::root_stack() else {
                return Answer::new(ctx, reply).send(no_julia());
            };
            let mut frame: GcFrame<'_> = stack.frame();
            // If the thread's loop fails meanwhile, `init` is cut short: the caller gets
            // `Cancelled` (the unsent answer counts it).
            let Some(init) = unless(&ctx.aborted, caught(task.init(&mut frame))).await else {
                return drop(Answer::new(ctx, reply));
            };
            let mut state = match init {
                Ok(state) => state,
                Err(e) => return Answer::new(ctx, reply).send(Err(e)),
            };
            if reply
                .send(Ok(PersistentHandle {
                    calls: calls_tx,
                    home: std::thread::current().id(),
                }))
                .is_err()
            {
                // Nobody will call it; still run the exit hook.
                calls.close();
            }
            // Calls run without a task slot.
            ctx.release_slot();
            loop {
                let next = unless(&ctx.closed, calls.recv()).await;
                let Some(Ok((input, reply))) = next else {
                    break;
                };
                // A call in progress when the thread's loop fails is cut short: its caller
                // gets `Cancelled`, and `exit` runs next.
                let call =
                    caught(frame.async_scope(async |mut inner| {
                        task.call(&mut state, &mut inner, input).await
                    }));
                let result = unless(&ctx.aborted, call).await;
                match result {
                    Some(result) => {
                        let _ = reply.send(result);
                    }
                    None => break,
                }
            }
            calls.close();
            let ended = caught(async {
                task.exit(state, &mut frame).await;
                Ok::<(), jlrs_core::JuliaError>(())
            })
            .await;
            // The task ended normally (a panic in `exit` counts as its panic).
            ctx.record(&ended);
        })
    })
}

/// `work`'s output, or `None` if `end` is set first (`work` is then dropped).
async fn unless<T>(end: &Latch, work: impl Future<Output = T>) -> Option<T> {
    async { Some(work.await) }
        .or(async {
            end.wait().await;
            None
        })
        .await
}
