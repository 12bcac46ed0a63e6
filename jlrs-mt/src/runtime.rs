//! The runtime thread: initialises Julia, hosts the `with` servers, waits inside Julia's
//! scheduler until the last handle is gone, then shuts Julia down.

use jlrs_core::{
    event_loop::{EventLoop, Notifier, Step},
    hosted::{Hosted, HostedLoop, HostedThread},
    InitOptions, Julia, Runtime,
};

use crate::{
    handle::{Job, MtHandleState},
    plan::Plan,
    MtHandle, RuntimeError,
};

/// The stack of a spawned runtime thread: 8 MiB, the usual default of `RLIMIT_STACK` (and
/// a main thread's usual stack). Julia takes the thread that initialises it to have a
/// stack of `RLIMIT_STACK` bytes (see `Runtime::init`), so the two agree where the limit
/// has its default. The size is fixed, not read from the limit: under a larger limit
/// Julia code on this thread has less room than Julia assumes; under a smaller one the
/// thread's stack is larger than the limit, which `Runtime::init` advises against.
pub(crate) const RUNTIME_STACK: usize = 8 << 20;

/// A hosted loop that runs `with` jobs until the queue is closed and empty.
struct WithServer {
    jobs: async_channel::Receiver<Job>,
}

impl HostedLoop for WithServer {
    fn run(&mut self, julia: &mut Julia) {
        // Between jobs the thread serves Julia's own tasks (see `jlrs_core::idle`). One
        // `block_on` for the server's life: its waker is made once, not once per job.
        let jobs = &self.jobs;
        jlrs_core::idle::block_on(async move {
            while let Ok(job) = jobs.recv().await {
                job(julia);
            }
        });
    }

    fn panicked(&mut self, _payload: Box<dyn std::any::Any + Send>) -> bool {
        // Jobs catch their own panics; anything else is a bug, but the queue must still
        // be served. The hosted loop reports the panic (a diagnostics event).
        true
    }
}

/// More work for the runtime thread, besides serving `with`: the async runtime plugs its
/// executor in here.
pub trait RuntimeThreadWork: Send + 'static {
    /// Called once on the runtime thread after Julia has started. The returned step runs
    /// after every notification of `notifier` (and once at the start); the runtime shuts
    /// down once the step has returned [`Step::Stop`] and every `MtHandle` is gone.
    fn start(
        self: Box<Self>,
        julia: &mut Julia,
        notifier: Notifier,
    ) -> Box<dyn FnMut(&mut Julia) -> Step>;
}

/// Runs the runtime on the current thread. `ready` receives the first handle, or the
/// reason the runtime could not start; the function returns after Julia has shut down.
pub(crate) fn run(
    plan: Plan,
    options: InitOptions,
    work: Option<Box<dyn RuntimeThreadWork>>,
    ready: impl FnOnce(Result<MtHandle, RuntimeError>),
) {
    let options = options.n_julia_threads(plan.total());
    let mut rt = match Runtime::init(options) {
        Ok(rt) => rt,
        Err(e) => return ready(Err(e.into())),
    };
    if rt.n_julia_threads() < plan.total() {
        return ready(Err(RuntimeError::ThreadsNotStarted {
            requested: plan.total(),
            started: rt.n_julia_threads(),
        }));
    }
    let (tx, rx) = async_channel::unbounded::<Job>();
    for tid in plan.with_tids() {
        let server = WithServer { jobs: rx.clone() };
        // The loop's handle is not kept: a server's restarts are reported by the hosted
        // loop's diagnostics event, and shutdown waits for every hosted loop inside Julia
        // (`Runtime::shutdown`), not through `HostedThread::join`.
        if let Err(e) = Hosted::on_thread(tid)
            .spawn(rt.julia(), server)
            .map(|_server: HostedThread| ())
        {
            rx.close();
            return ready(Err(e.into()));
        }
    }
    let notifier = Notifier::new();
    let serve_here = plan.with_threads == 0;
    let mut extra = work.map(|w| w.start(rt.julia(), notifier.clone()));
    ready(Ok(MtHandle::new(MtHandleState::new(
        tx,
        notifier.clone(),
        plan,
    ))));

    let step = |julia: &mut Julia| {
        if let Some(extra_step) = extra.as_mut() {
            if extra_step(julia) == Step::Stop {
                extra = None;
            }
        }
        // Closing happens after the last send, so once closed, a drain sees every job.
        let closed = rx.is_closed();
        if serve_here {
            while let Ok(job) = rx.try_recv() {
                job(julia);
            }
        }
        if closed && extra.is_none() {
            Step::Stop
        } else {
            Step::Wait
        }
    };
    if let Err(e) = EventLoop::new(notifier).run(rt.julia(), step) {
        jlrs_core::diagnostics::runtime_loop_failed(&e);
    }
    // Jobs nobody will run are dropped, so their callers see `RuntimeError::ShutDown`.
    rx.close();
    if serve_here {
        while rx.try_recv().is_ok() {}
    }
    rt.shutdown();
}
