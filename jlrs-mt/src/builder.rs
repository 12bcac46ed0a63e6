//! [`Builder`]: configures and starts the multithreaded runtime.

use std::{
    panic::resume_unwind,
    path::PathBuf,
    thread::{self, JoinHandle},
};

use jlrs_core::{InitOptions, SigintPolicy};

use crate::{plan::Plan, runtime, runtime::RuntimeThreadWork, MtHandle, RuntimeError};

/// Configures the multithreaded runtime.
///
/// Julia starts `1 + with_threads + n_threads` threads: the runtime thread, the threads
/// that serve [`MtHandle::with`], and the threads that can host pool workers. Where to
/// find Julia and what Ctrl-C does are Julia's own [`InitOptions`], set through the
/// builder.
#[derive(Clone, Debug)]
pub struct Builder {
    n_threads: usize,
    with_threads: usize,
    /// Julia's options; the runtime sets their thread count from the plan.
    options: InitOptions,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            n_threads: 0,
            with_threads: 1,
            options: InitOptions::new(),
        }
    }
}

impl Builder {
    /// The default configuration: one `with` thread, and a worker thread for every CPU
    /// left.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many **worker threads** to start: Julia threads that can host pool workers, not
    /// counting the runtime thread and the `with` threads (Julia starts
    /// `1 + with_threads + n_threads` threads in all; [`MtHandle::n_julia_threads`] tells
    /// the total, [`MtHandle::n_worker_threads`] this count). Julia starts them whatever the
    /// number of CPUs (threads beyond the CPUs share them); at most
    /// [`jlrs_core::MAX_JULIA_THREADS`] in all. `0` (the default) means one per CPU the
    /// machine shows ([`jlrs_core::cpu_limit`]) besides the runtime thread and the `with`
    /// threads.
    pub fn n_threads(mut self, n: usize) -> Self {
        self.n_threads = n;
        self
    }

    /// How many Julia threads serve [`MtHandle::with`] (default 1). With 0, the runtime
    /// thread serves it, between its own work.
    pub fn with_threads(mut self, n: usize) -> Self {
        self.with_threads = n;
        self
    }

    /// The Julia installation to use: [`InitOptions::julia_dir`].
    pub fn julia_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options = self.options.julia_dir(dir);
        self
    }

    /// Starts Julia from `bindir` with the system image `image` (a program's precompiled
    /// packages): [`InitOptions::image`]. A missing directory or image is an
    /// [`InitError::BadPath`](jlrs_core::InitError::BadPath) naming it, a file that is no
    /// system image an [`InitError::BadImage`](jlrs_core::InitError::BadImage), returned as
    /// [`RuntimeError::Init`] before Julia starts. The async runtime, made from this
    /// builder, starts from the same paths.
    ///
    /// ```no_run
    /// use jlrs_mt::Builder;
    ///
    /// let (mt, runtime) = Builder::new()
    ///     .image("/opt/julia/bin", "/opt/app/app_image.so")
    ///     .spawn_mt()
    ///     .expect("cannot start Julia");
    /// drop(mt);
    /// runtime.join().unwrap();
    /// ```
    pub fn image(mut self, bindir: impl Into<PathBuf>, image: impl Into<PathBuf>) -> Self {
        self.options = self.options.image(bindir, image);
        self
    }

    /// What SIGINT (Ctrl-C) does once Julia has started: [`InitOptions::sigint`] (by
    /// default the process ends at once; see [`SigintPolicy`]). With
    /// [`SigintPolicy::Application`] the application's own handler shuts down through the
    /// handles.
    ///
    /// ```
    /// use jlrs_core::SigintPolicy;
    /// use jlrs_mt::Builder;
    ///
    /// let builder = Builder::new().sigint(SigintPolicy::InterruptJulia);
    /// # let _ = builder;
    /// ```
    pub fn sigint(mut self, policy: SigintPolicy) -> Self {
        self.options = self.options.sigint(policy);
        self
    }

    fn plan(&self) -> Result<Plan, RuntimeError> {
        Plan::new(
            self.with_threads,
            self.n_threads,
            jlrs_core::cpu_limit(),
            jlrs_core::MAX_JULIA_THREADS,
        )
    }

    /// Starts Julia on a new thread. The thread ends after the last handle is dropped and
    /// Julia has shut down; join it then.
    pub fn spawn_mt(self) -> Result<(MtHandle, JoinHandle<()>), RuntimeError> {
        self.spawn_mt_with(None)
    }

    /// [`Builder::spawn_mt`], with more work for the runtime thread (see
    /// [`RuntimeThreadWork`]). For the layers above this crate.
    #[doc(hidden)]
    pub fn spawn_mt_with(
        self,
        work: Option<Box<dyn RuntimeThreadWork>>,
    ) -> Result<(MtHandle, JoinHandle<()>), RuntimeError> {
        let plan = self.plan()?;
        let options = self.options;
        let (tx, rx) = oneshot::channel();
        let thread = thread::Builder::new()
            .name("jlrs-runtime".into())
            .stack_size(runtime::RUNTIME_STACK)
            .spawn(move || {
                runtime::run(plan, options, work, move |handle| {
                    let _ = tx.send(handle);
                })
            })
            .map_err(RuntimeError::Spawn)?;
        match rx.recv() {
            Ok(Ok(handle)) => Ok((handle, thread)),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => match thread.join() {
                Err(p) => resume_unwind(p),
                Ok(()) => Err(RuntimeError::ShutDown),
            },
        }
    }

    /// Starts Julia on the current thread and runs `f` on a new thread with a handle.
    /// Returns `f`'s result once the last handle is dropped and Julia has shut down; a
    /// panic in `f` is resumed here after shutdown.
    ///
    /// The current thread's stack should be 8 MiB (the main thread's usual size).
    pub fn start_mt<T, F>(self, f: F) -> Result<T, RuntimeError>
    where
        T: Send + 'static,
        F: FnOnce(MtHandle) -> T + Send + 'static,
    {
        self.start_mt_with(None, f)
    }

    /// [`Builder::start_mt`], with more work for the runtime thread (see
    /// [`RuntimeThreadWork`]). For the layers above this crate.
    #[doc(hidden)]
    pub fn start_mt_with<T, F>(
        self,
        work: Option<Box<dyn RuntimeThreadWork>>,
        f: F,
    ) -> Result<T, RuntimeError>
    where
        T: Send + 'static,
        F: FnOnce(MtHandle) -> T + Send + 'static,
    {
        let plan = self.plan()?;
        let mut user = None;
        runtime::run(plan, self.options, work, |handle| {
            user = Some(handle.and_then(|h| {
                thread::Builder::new()
                    .name("jlrs-start-mt".into())
                    .spawn(move || f(h))
                    .map_err(RuntimeError::Spawn)
            }));
        });
        match user.expect("the runtime reports whether it started") {
            Err(e) => Err(e),
            Ok(thread) => thread.join().map_err(|p| resume_unwind(p)),
        }
    }
}
