//! The async runtime thread: [`AsyncBuilder`] starts the task engine on Julia's thread 1,
//! the multithreaded runtime's runtime thread, where the executor is polled once per step
//! of the thread's event loop and the thread waits inside Julia's scheduler. The only part
//! of this crate that knows which thread runs the engine.

use std::{
    sync::Arc,
    task::{Context, Poll, Wake, Waker},
    thread::JoinHandle,
};

use jlrs_core::{
    event_loop::{Notifier, Step},
    Julia,
};
use jlrs_mt::{Builder, MtHandle, RuntimeThreadWork};

use crate::{
    engine::{
        executor::{Executor, LocalBoxFuture, MaxTasks},
        queue::Queue,
        workers::Workers,
    },
    AsyncHandle,
};

/// Adds [`async_runtime`](AsyncRuntimeExt::async_runtime) to [`jlrs_mt::Builder`].
pub trait AsyncRuntimeExt {
    /// Configures an async runtime on the runtime thread, driven by `executor`.
    fn async_runtime<E: Executor<N>, const N: usize>(self, executor: E) -> AsyncBuilder<E, N>;
}

impl AsyncRuntimeExt for Builder {
    fn async_runtime<E: Executor<N>, const N: usize>(self, executor: E) -> AsyncBuilder<E, N> {
        let () = MaxTasks::<N>::AT_LEAST_ONE;
        AsyncBuilder {
            builder: self,
            executor,
            capacity: 0,
        }
    }
}

/// Configures the async runtime thread.
#[derive(Debug)]
pub struct AsyncBuilder<E, const N: usize> {
    builder: Builder,
    executor: E,
    capacity: usize,
}

/// The executor and queue, moved to the runtime thread.
struct AsyncWork<E, const N: usize> {
    executor: E,
    queue: Queue,
}

impl<E: Executor<N>, const N: usize> RuntimeThreadWork for AsyncWork<E, N> {
    fn start(
        self: Box<Self>,
        _julia: &mut Julia,
        notifier: Notifier,
    ) -> Box<dyn FnMut(&mut Julia) -> Step> {
        let local = self.executor.local();
        let queue = self.queue;
        let main = Box::pin(async move {
            // The runtime thread stops only when its queue is closed and drained.
            queue.serve::<_, N>(&local, std::future::pending()).await;
        });
        let mut step = event_loop_step(main, notifier);
        Box::new(move |_julia: &mut Julia| step())
    }
}

impl<E: Executor<N>, const N: usize> AsyncBuilder<E, N> {
    /// How many tasks may wait in the runtime's channel (0, the default: no limit).
    pub fn channel_capacity(mut self, n: usize) -> Self {
        self.capacity = n;
        self
    }

    fn work(self) -> (Builder, Box<dyn RuntimeThreadWork>, AsyncHandle) {
        let (queue, handle) = Queue::new(self.capacity, Arc::new(RuntimeThread));
        let work = AsyncWork::<E, N> {
            executor: self.executor,
            queue,
        };
        (self.builder, Box::new(work), handle)
    }

    /// Starts Julia and the async runtime on a new thread. The thread ends after every
    /// handle is gone (or the runtime is closed), its tasks are done and Julia has shut
    /// down.
    ///
    /// No [`MtHandle`] is returned, so nothing could call `MtHandle::with`: the runtime
    /// starts no `with` threads, whatever the builder's
    /// [`with_threads`](jlrs_mt::Builder::with_threads) says. Use
    /// [`AsyncBuilder::spawn_mt`] to have both.
    pub fn spawn(self) -> Result<(AsyncHandle, JoinHandle<()>), jlrs_mt::RuntimeError> {
        let (builder, work, handle) = self.work();
        let (mt, thread) = builder.with_threads(0).spawn_mt_with(Some(work))?;
        drop(mt);
        Ok((handle, thread))
    }

    /// Starts Julia and the async runtime on the current thread, and runs `f` on a new
    /// thread; returns `f`'s result after Julia has shut down.
    ///
    /// As with [`AsyncBuilder::spawn`], no `with` threads start, whatever the builder's
    /// [`with_threads`](jlrs_mt::Builder::with_threads) says; use
    /// [`AsyncBuilder::start_mt`] to have both.
    pub fn start<T, F>(self, f: F) -> Result<T, jlrs_mt::RuntimeError>
    where
        T: Send + 'static,
        F: FnOnce(AsyncHandle) -> T + Send + 'static,
    {
        let (builder, work, handle) = self.work();
        builder
            .with_threads(0)
            .start_mt_with(Some(work), move |mt| {
                drop(mt);
                f(handle)
            })
    }

    /// Starts the multithreaded runtime with the async runtime on its runtime thread:
    /// the [`AsyncHandle`] sends tasks to that thread, for code that must run there.
    pub fn spawn_mt(
        self,
    ) -> Result<(MtHandle, AsyncHandle, JoinHandle<()>), jlrs_mt::RuntimeError> {
        let (builder, work, handle) = self.work();
        let (mt, thread) = builder.spawn_mt_with(Some(work))?;
        Ok((mt, handle, thread))
    }

    /// [`AsyncBuilder::spawn_mt`], with Julia on the current thread and `f` on a new one.
    pub fn start_mt<T, F>(self, f: F) -> Result<T, jlrs_mt::RuntimeError>
    where
        T: Send + 'static,
        F: FnOnce(MtHandle, AsyncHandle) -> T + Send + 'static,
    {
        let (builder, work, handle) = self.work();
        builder.start_mt_with(Some(work), move |mt| f(mt, handle))
    }
}

/// The only worker of the async runtime thread.
pub(crate) struct RuntimeThread;

impl Workers for RuntimeThread {
    fn n_workers(&self) -> usize {
        1
    }

    fn try_add_worker(&self) -> bool {
        false
    }

    fn try_remove_worker(&self) -> bool {
        false
    }
}

/// Wakes the runtime thread's event loop.
struct NotifyWaker(Notifier);

impl Wake for NotifyWaker {
    fn wake(self: Arc<Self>) {
        self.0.notify();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.notify();
    }
}

/// Polls the executor once per step of the runtime thread's event loop.
pub(crate) fn event_loop_step(
    mut main: LocalBoxFuture<'static, ()>,
    notifier: Notifier,
) -> impl FnMut() -> Step {
    let waker = Waker::from(Arc::new(NotifyWaker(notifier)));
    let mut done = false;
    move || {
        if done {
            return Step::Stop;
        }
        let mut cx = Context::from_waker(&waker);
        match main.as_mut().poll(&mut cx) {
            Poll::Ready(()) => {
                done = true;
                Step::Stop
            }
            Poll::Pending => Step::Wait,
        }
    }
}
