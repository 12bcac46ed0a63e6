//! [`Dispatch`]: a task ready to be sent to its queue.

use std::sync::Arc;

use sync_wrapper::SyncWrapper;

use crate::{
    engine::{queue::QueueSender, task::TaskFactory},
    DispatchError, TaskError, TaskHandle,
};

/// A task ready to be sent. Nothing runs until it is dispatched.
///
/// `Send + Sync` (for `T: Send`), so a [`DispatchError`] that hands it back is an error
/// that `?` turns into `anyhow::Error` or `Box<dyn Error + Send + Sync>`: its parts are
/// only ever reached by value, never shared.
#[must_use = "a task runs only once it is dispatched"]
pub struct Dispatch<T> {
    /// The queue's sending side: an undispatched task keeps the queue open.
    queue: Arc<QueueSender>,
    factory: SyncWrapper<TaskFactory>,
    rx: SyncWrapper<oneshot::Receiver<Result<T, TaskError>>>,
    blocking: bool,
}

static_assertions::assert_impl_all!(Dispatch<i64>: Send, Sync);
static_assertions::assert_impl_all!(
    DispatchError<Dispatch<i64>>: Send, Sync, std::error::Error
);

impl<T> std::fmt::Debug for Dispatch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatch")
            .field("blocking", &self.blocking)
            .field("closed", &self.queue.tx.is_closed())
            .finish_non_exhaustive()
    }
}

/// Where a task's answer arrives.
type Rx<T> = oneshot::Receiver<Result<T, TaskError>>;

impl<T> Dispatch<T> {
    /// A task for `queue`, answering through `rx`.
    pub(crate) fn new(queue: Arc<QueueSender>, factory: TaskFactory, rx: Rx<T>) -> Self {
        Dispatch {
            queue,
            blocking: factory.blocking,
            factory: SyncWrapper::new(factory),
            rx: SyncWrapper::new(rx),
        }
    }

    /// The dispatcher's parts.
    fn parts(self) -> (Arc<QueueSender>, TaskFactory, Rx<T>) {
        (self.queue, self.factory.into_inner(), self.rx.into_inner())
    }

    /// The handle of a sent task.
    fn sent(queue: Arc<QueueSender>, rx: Rx<T>) -> TaskHandle<T> {
        TaskHandle::new(rx, Some(queue.self_waits.clone()))
    }

    /// Sends the task, waiting for room in the channel.
    pub async fn dispatch(self) -> Result<TaskHandle<T>, DispatchError<Self>> {
        let (queue, factory, rx) = self.parts();
        match queue.tx.send(factory).await {
            Ok(()) => Ok(Self::sent(queue, rx)),
            Err(async_channel::SendError(factory)) => {
                Err(DispatchError::Closed(Dispatch::new(queue, factory, rx)))
            }
        }
    }

    /// Sends the task if there is room now; otherwise hands the dispatcher back.
    pub fn try_dispatch(self) -> Result<TaskHandle<T>, DispatchError<Self>> {
        let (queue, factory, rx) = self.parts();
        match queue.tx.try_send(factory) {
            Ok(()) => Ok(Self::sent(queue, rx)),
            Err(async_channel::TrySendError::Full(factory)) => {
                Err(DispatchError::Full(Dispatch::new(queue, factory, rx)))
            }
            Err(async_channel::TrySendError::Closed(factory)) => {
                Err(DispatchError::Closed(Dispatch::new(queue, factory, rx)))
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
        let (queue, factory, rx) = self.parts();
        let factory = match queue.tx.try_send(factory) {
            Ok(()) => return Ok(Self::sent(queue, rx)),
            Err(async_channel::TrySendError::Closed(factory)) => {
                return Err(DispatchError::Closed(Dispatch::new(queue, factory, rx)))
            }
            Err(async_channel::TrySendError::Full(factory)) => factory,
        };
        let Ok(_self_wait) = queue.self_waits.enter() else {
            return Err(DispatchError::Full(Dispatch::new(queue, factory, rx)));
        };
        // On a hosted thread (a pool worker, a `with` server) this waits inside Julia's
        // scheduler, so that the Julia tasks queued for the thread still run: the task that
        // holds the queue up may be waiting for one of them (its `Threads.@threads` chunk
        // on this thread, say). Elsewhere it parks, GC-safely on a Julia thread.
        let sent = jlrs_core::idle::block_on(queue.tx.send(factory));
        match sent {
            Ok(()) => Ok(Self::sent(queue, rx)),
            Err(async_channel::SendError(factory)) => {
                Err(DispatchError::Closed(Dispatch::new(queue, factory, rx)))
            }
        }
    }
}
