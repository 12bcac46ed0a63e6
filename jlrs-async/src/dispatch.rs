//! [`Dispatch`]: a task ready to be sent to its queue.

use std::sync::Arc;

use crate::{
    engine::{queue::QueueSender, task::TaskFactory},
    DispatchError, TaskError, TaskHandle,
};

/// A task ready to be sent. Nothing runs until it is dispatched.
#[must_use = "a task runs only once it is dispatched"]
pub struct Dispatch<T> {
    /// The queue's sending side: an undispatched task keeps the queue open.
    queue: Arc<QueueSender>,
    factory: TaskFactory,
    rx: oneshot::Receiver<Result<T, TaskError>>,
}

impl<T> std::fmt::Debug for Dispatch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatch")
            .field("blocking", &self.factory.blocking)
            .field("closed", &self.queue.tx.is_closed())
            .finish_non_exhaustive()
    }
}

impl<T> Dispatch<T> {
    /// A task for `queue`, answering through `rx`.
    pub(crate) fn new(
        queue: Arc<QueueSender>,
        factory: TaskFactory,
        rx: oneshot::Receiver<Result<T, TaskError>>,
    ) -> Self {
        Dispatch { queue, factory, rx }
    }

    /// The handle of a sent task.
    fn sent(queue: Arc<QueueSender>, rx: oneshot::Receiver<Result<T, TaskError>>) -> TaskHandle<T> {
        TaskHandle::new(rx, Some(queue.self_waits.clone()))
    }

    /// Sends the task, waiting for room in the channel.
    pub async fn dispatch(self) -> Result<TaskHandle<T>, DispatchError<Self>> {
        let Dispatch { queue, factory, rx } = self;
        match queue.tx.send(factory).await {
            Ok(()) => Ok(Self::sent(queue, rx)),
            Err(async_channel::SendError(factory)) => {
                Err(DispatchError::Closed(Dispatch { queue, factory, rx }))
            }
        }
    }

    /// Sends the task if there is room now; otherwise hands the dispatcher back.
    pub fn try_dispatch(self) -> Result<TaskHandle<T>, DispatchError<Self>> {
        let Dispatch { queue, factory, rx } = self;
        match queue.tx.try_send(factory) {
            Ok(()) => Ok(Self::sent(queue, rx)),
            Err(async_channel::TrySendError::Full(factory)) => {
                Err(DispatchError::Full(Dispatch { queue, factory, rx }))
            }
            Err(async_channel::TrySendError::Closed(factory)) => {
                Err(DispatchError::Closed(Dispatch { queue, factory, rx }))
            }
        }
    }

    /// Sends the task, blocking the thread until there is room (GC-safely on a Julia
    /// thread; on a pool worker or a `with` thread, inside Julia's scheduler, so that
    /// Julia tasks queued for the thread still run meanwhile).
    ///
    /// A task that runs on a thread serving this same queue (the runtime thread, or a
    /// pool's worker) would wait for room that only the queue's workers can make: if every
    /// other worker of the queue is already blocked the same way (always, on the runtime
    /// thread), this returns [`DispatchError::Full`] at once instead of waiting forever.
    /// Such a task should `.await` [`Dispatch::dispatch`] instead.
    pub fn dispatch_blocking(self) -> Result<TaskHandle<T>, DispatchError<Self>>
    where
        T: Send,
    {
        let Dispatch { queue, factory, rx } = self;
        let factory = match queue.tx.try_send(factory) {
            Ok(()) => return Ok(Self::sent(queue, rx)),
            Err(async_channel::TrySendError::Closed(factory)) => {
                return Err(DispatchError::Closed(Dispatch { queue, factory, rx }))
            }
            Err(async_channel::TrySendError::Full(factory)) => factory,
        };
        let Ok(_self_wait) = queue.self_waits.enter() else {
            return Err(DispatchError::Full(Dispatch { queue, factory, rx }));
        };
        // On a hosted thread (a pool worker, a `with` server) this waits inside Julia's
        // scheduler, so that the Julia tasks queued for the thread still run: the task that
        // holds the queue up may be waiting for one of them (its `Threads.@threads` chunk
        // on this thread, say). Elsewhere it parks, GC-safely on a Julia thread.
        let sent = jlrs_core::idle::block_on(queue.tx.send(factory));
        match sent {
            Ok(()) => Ok(Self::sent(queue, rx)),
            Err(async_channel::SendError(factory)) => {
                Err(DispatchError::Closed(Dispatch { queue, factory, rx }))
            }
        }
    }
}
