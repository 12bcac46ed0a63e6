//! Running a [`PersistentTask`] and calling it through a [`PersistentHandle`].

use jlrs_core::GcFrame;
use smol::future::FutureExt;

use crate::{
    driver::TaskCtx,
    task::{caught, no_julia, Reply, TaskFactory},
    Error, PersistentTask, TaskHandle,
};

type Call<P> = (
    <P as PersistentTask>::Input,
    Reply<<P as PersistentTask>::Output>,
);

/// Calls a persistent task. Cheap to clone; the task ends (running its `exit`) when every
/// handle is gone, its runtime or pool closes, or its pool worker is restarted (see
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
    /// [`Error::Closed`].
    pub fn call(&self, input: P::Input) -> TaskHandle<P::Output> {
        let (tx, rx) = oneshot::channel();
        match self.calls.try_send((input, tx)) {
            Ok(()) => TaskHandle::on_thread(rx, self.home),
            Err(_) => TaskHandle::failed(Error::Closed),
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
                let failed = no_julia();
                ctx.record(&failed);
                let _ = reply.send(failed);
                return;
            };
            let mut frame: GcFrame<'_> = stack.frame();
            // If the thread's loop fails meanwhile, `init` is cut short: the caller gets
            // `Cancelled`.
            let init = async { Some(caught(task.init(&mut frame)).await) }
                .or(async {
                    ctx.aborted.wait().await;
                    None
                })
                .await;
            let Some(init) = init else {
                ctx.cancel();
                return;
            };
            let mut state = match init {
                Ok(state) => state,
                Err(e) => {
                    let failed: Result<(), Error> = Err(e);
                    ctx.record(&failed);
                    if let Err(e) = failed {
                        let _ = reply.send(Err(e));
                    }
                    return;
                }
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
                let next = async { calls.recv().await.ok() }
                    .or(async {
                        ctx.closed.wait().await;
                        None
                    })
                    .await;
                let Some((input, reply)) = next else { break };
                // A call in progress when the thread's loop fails is cut short: its caller
                // gets `Cancelled`, and `exit` runs next.
                let result = async {
                    Some(
                        caught(frame.async_scope(async |mut inner| {
                            task.call(&mut state, &mut inner, input).await
                        }))
                        .await,
                    )
                }
                .or(async {
                    ctx.aborted.wait().await;
                    None
                })
                .await;
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
                Ok::<(), jlrs_core::Error>(())
            })
            .await;
            // The task ended normally (a panic in `exit` counts as its panic).
            ctx.record(&ended);
        })
    })
}
