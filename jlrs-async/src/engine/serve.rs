//! The serving loop: takes tasks from a queue and runs them on a thread's executor, within
//! the thread's budget of `N` slots, whichever thread it runs on.

use std::{future::Future, sync::Arc};

use jlrs_core::latch::Latch;
use smol::future::FutureExt;

use crate::engine::{
    budget::{Counters, Started},
    executor::LocalExecutor,
    task::TaskFactory,
};

/// What the serving loop got next.
enum Next {
    Task(TaskFactory),
    Closed,
    Stopped,
}

/// Takes tasks from `queue` and runs them on `local`, at most `n` holding a slot at once,
/// until the queue is closed and drained (or `stop` completes) and every task it started
/// has ended. `queue_closed` is set once `queue` is closed.
pub(crate) async fn serve<L: LocalExecutor + ?Sized>(
    local: &L,
    queue: async_channel::Receiver<TaskFactory>,
    queue_closed: &Latch,
    n: usize,
    counters: Arc<Counters>,
    stop: impl Future<Output = ()>,
    started: Started,
) {
    debug_assert!(n > 0, "checked at compile time by the runtimes' builders");
    let mut stop = std::pin::pin!(stop);
    loop {
        started.slot_free(n).await;
        let next = if smol::future::poll_once(stop.as_mut()).await.is_some() {
            Next::Stopped
        } else {
            match queue.try_recv() {
                Ok(factory) => Next::Task(factory),
                Err(async_channel::TryRecvError::Closed) => Next::Closed,
                Err(async_channel::TryRecvError::Empty) => {
                    // Let the tasks admitted so far run before waiting on the queue. A
                    // waiting receiver holds one of the queue's wake-ups: if this thread
                    // ran a blocking task while it waited, a task sent meanwhile could
                    // wake this busy thread instead of an idle worker and wait for the
                    // blocking task to end.
                    local.yield_now().await;
                    async { queue.recv().await.map_or(Next::Closed, Next::Task) }
                        .or(async {
                            stop.as_mut().await;
                            Next::Stopped
                        })
                        .await
                }
            }
        };
        let factory = match next {
            Next::Task(factory) => factory,
            Next::Closed => break,
            Next::Stopped => {
                // Told to stop: the tasks started here finish, but a persistent task lives
                // on (its handles still call it) until it ends or the queue closes.
                started.all_ended().or(queue_closed.wait()).await;
                break;
            }
        };
        let blocking = factory.blocking;
        // The task's future holds its context, which counts it as alive, and ends itself
        // when the thread's loop fails (see `TaskFactory`): it is spawned as it is.
        local.spawn_local(factory.make(started.admit(&counters)));
        if blocking {
            // A blocking task holds this thread: run it before taking more, so that queued
            // tasks go to idle workers instead of waiting behind it here.
            local.yield_now().await;
        }
    }
    started.close();
    started.all_ended().await;
}
