//! Initialising Julia once per process: [`InitOptions`] and [`Runtime::init`]. Shutting
//! it down is in `shutdown.rs`.

use std::{
    ffi::{c_int, CString},
    marker::PhantomData,
    os::unix::ffi::OsStrExt,
    path::{Path, PathBuf},
};

use crate::{
    calls::callable, error::InitError, rooting::roots, runtime::julia::Julia, runtime::signals,
    runtime::signals::SigintPolicy, sys,
};

pub use crate::runtime::thread_state::MAX_JULIA_THREADS;

/// Where to find Julia, how many threads to start, and what Ctrl-C does.
#[derive(Clone, Debug)]
pub struct InitOptions {
    n_threads: usize,
    julia_dir: Option<PathBuf>,
    image: Option<(PathBuf, PathBuf)>,
    sigint: SigintPolicy,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            n_threads: 1,
            julia_dir: None,
            image: None,
            sigint: SigintPolicy::Terminate,
        }
    }
}

impl InitOptions {
    /// One thread; the Julia the program loaded (see [`InitOptions::julia_dir`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// How many threads Julia starts in all, the initialising thread included (1 to
    /// [`MAX_JULIA_THREADS`]; `JULIA_NUM_THREADS` is not read). Julia starts them however
    /// many CPUs the machine shows: on its own, Julia 1.5 caps the count at
    /// [`cpu_limit`](crate::cpu_limit), so while it starts this crate shows it the count
    /// asked for instead (see `ARCHITECTURE.md`); threads beyond the CPUs share them.
    /// [`Runtime::n_julia_threads`] tells how many it started. (The multithreaded
    /// runtime's `Builder::n_threads` counts something else: the threads for pool workers
    /// only.)
    pub fn n_julia_threads(mut self, n: usize) -> Self {
        self.n_threads = n;
        self
    }

    /// The old name of [`InitOptions::n_julia_threads`].
    #[doc(hidden)]
    pub fn n_threads(self, n: usize) -> Self {
        self.n_julia_threads(n)
    }

    /// The Julia installation: the directory with `bin/` and `lib/` (Julia's system image).
    /// By default the installation of the libjulia the program loaded (the one it was built
    /// against, or the one `cargo xtask dist` placed beside it), else `$JULIA_DIR`, else
    /// the one it was built against. [`InitOptions::image`] replaces it.
    pub fn julia_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.julia_dir = Some(dir.into());
        self
    }

    /// Starts Julia from `bindir` (Julia's `bin/` directory, `Sys.BINDIR` in Julia) with
    /// the system image `image`, such as one made with PackageCompiler that holds a
    /// program's precompiled packages. Replaces [`InitOptions::julia_dir`]'s paths.
    ///
    /// Relative paths are relative to the current directory. Both are checked before
    /// Julia starts (Julia itself would end the process): a `bindir` that is not a
    /// directory or an `image` that is not a file is an [`InitError::BadPath`] naming it,
    /// and a file that is no system image of this Julia (not a shared library, or one
    /// that fails Julia's own consistency check) an [`InitError::BadImage`] naming it
    /// with the reason. An image named `*.ji`, which Julia reads instead of loading, is
    /// only checked to exist. The image must have been made by the Julia the program
    /// loads (1.5.3, the one it was built against) for this CPU: no check can tell an
    /// image of another 1.x version or for another CPU in advance, which Julia fails to
    /// load. The check loads the file as Julia would (`dlopen`), which runs its library
    /// constructors: give only files you trust to be images.
    ///
    /// ```no_run
    /// use jlrs_core::{InitOptions, Runtime};
    ///
    /// let options = InitOptions::new().image("/opt/julia/bin", "/opt/app/app_image.so");
    /// let rt = Runtime::init(options).expect("cannot start Julia");
    /// # drop(rt);
    /// ```
    pub fn image(mut self, bindir: impl Into<PathBuf>, image: impl Into<PathBuf>) -> Self {
        self.image = Some((bindir.into(), image.into()));
        self
    }

    /// What SIGINT (Ctrl-C) does once Julia has started (default
    /// [`SigintPolicy::Terminate`]: the process ends, as in a Rust program without a
    /// handler). See [`SigintPolicy`].
    ///
    /// ```
    /// use jlrs_core::{InitOptions, SigintPolicy};
    ///
    /// let options = InitOptions::new().sigint(SigintPolicy::Application);
    /// # let _ = options;
    /// ```
    pub fn sigint(mut self, policy: SigintPolicy) -> Self {
        self.sigint = policy;
        self
    }

    fn paths(&self) -> Result<(PathBuf, PathBuf), InitError> {
        if let Some((bindir, image)) = &self.image {
            return given_image(bindir, image);
        }
        let dir = match &self.julia_dir {
            Some(d) => d.clone(),
            None => loaded_julia_dir()
                .or_else(|| {
                    std::env::var_os("JULIA_DIR")
                        .filter(|d| !d.is_empty())
                        .map(PathBuf::from)
                })
                .unwrap_or_else(|| PathBuf::from(env!("JLRS_BUILD_JULIA_DIR"))),
        };
        if !dir.is_dir() {
            return Err(InitError::JuliaNotFound(dir.display().to_string()));
        }
        let bindir = dir.join("bin");
        if !bindir.is_dir() {
            return Err(InitError::BadPath {
                what: "Julia's bin directory",
                path: bindir,
            });
        }
        let image = system_image(&dir).ok_or_else(|| InitError::BadPath {
            what: "Julia's system image",
            path: dir.join("lib/julia/sys.so"),
        })?;
        Ok((bindir, image))
    }
}

/// The absolute paths of a given `bindir` and system image, checked.
fn given_image(bindir: &Path, image: &Path) -> Result<(PathBuf, PathBuf), InitError> {
    // Julia reads a relative image path as relative to `bindir`: make both absolute, so
    // that the paths checked here are the ones Julia opens.
    let absolute = |what, p: &Path| {
        std::path::absolute(p).map_err(|_| InitError::BadPath {
            what,
            path: p.to_path_buf(),
        })
    };
    let bindir = absolute("Julia's bin directory", bindir)?;
    let image = absolute("the system image", image)?;
    if !bindir.is_dir() {
        return Err(InitError::BadPath {
            what: "Julia's bin directory",
            path: bindir,
        });
    }
    if !image.is_file() {
        return Err(InitError::BadPath {
            what: "the system image",
            path: image,
        });
    }
    Ok((bindir, image))
}

/// The system image of the Julia installation `dir`, if it has one.
fn system_image(dir: &Path) -> Option<PathBuf> {
    [
        dir.join("lib/x86_64-linux-gnu/julia/sys.so"),
        dir.join("lib/julia/sys.so"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// The installation of the libjulia this process loaded (found through the dynamic
/// loader): the nearest directory above it with `bin/` and a system image.
fn loaded_julia_dir() -> Option<PathBuf> {
    // SAFETY: asks the dynamic loader about a loaded symbol; the returned string is the
    // loader's and lives as long as the library, which is never unloaded.
    let path = unsafe {
        let p = sys::jlrs_core_libjulia_path();
        if p.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr(p)
    };
    let path = Path::new(std::ffi::OsStr::from_bytes(path.to_bytes()));
    let path = path.canonicalize().ok()?;
    path.ancestors()
        .skip(1)
        .take(4)
        .find(|d| d.join("bin").is_dir() && system_image(d).is_some())
        .map(Path::to_path_buf)
}

/// The running Julia, owned by the thread that initialised it.
///
/// Julia can be initialised once per process. Dropping the runtime (or calling
/// [`Runtime::shutdown`]) waits for every hosted loop to return, then runs Julia's exit
/// hooks; Julia cannot be used again in this process.
///
/// ```
/// use jlrs_core::{InitOptions, Runtime};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// let sum = rt.julia().scope(|mut frame| {
///     let a = frame.box_value(40i64);
///     let b = frame.box_value(2i64);
///     frame.call("+", &[a, b])?.unbox::<i64>()
/// });
/// assert_eq!(sum.unwrap(), 42);
/// ```
pub struct Runtime {
    julia: Option<Julia>,
    _not_send: PhantomData<*mut ()>,
}

static_assertions::assert_not_impl_any!(Runtime: Send, Sync);

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("running", &self.julia.is_some())
            .field("n_julia_threads", &self.n_julia_threads())
            .finish()
    }
}

impl Runtime {
    /// Initialises Julia on the current thread.
    ///
    /// The thread's stack should be no larger than `RLIMIT_STACK` (8 MiB by default, the
    /// main thread's usual size): Julia takes the thread that initialises it to have a
    /// stack of exactly that size, and turns an overflow into a `StackOverflowError` only
    /// within it. A larger stack is not used safely; a smaller one only leaves less room.
    pub fn init(options: InitOptions) -> Result<Runtime, InitError> {
        if options.n_threads == 0 || options.n_threads > MAX_JULIA_THREADS {
            return Err(InitError::BadThreadCount(options.n_threads));
        }
        let (bindir, image) = options.paths()?;
        let bindir_c = path_cstring(&bindir)?;
        let image_c = path_cstring(&image)?;
        if options.image.is_some() {
            // Kept loaded for Julia, unless Julia started before (then this init fails).
            check_image(&image, &image_c, !callable::started())?;
        }
        if !callable::claim_start() {
            return Err(InitError::AlreadyInitialized);
        }
        let n = c_int::try_from(options.n_threads).unwrap_or(c_int::MAX);
        // SAFETY: first and only initialisation (claimed above); the paths exist. The
        // signal set-up brackets `jl_init` on this thread.
        let signals = unsafe {
            signals::before_init(options.sigint);
            sys::jlrs_core_init(bindir_c.as_ptr(), image_c.as_ptr(), n);
            sys::jlrs_core_set_root_scanner(scan_roots);
            crate::runtime::gc_stats::install();
            signals::after_init()
        };
        // SAFETY: this thread just initialised Julia and is GC-unsafe.
        let mut julia = unsafe { Julia::new() };
        julia
            // SAFETY: Julia has just started; only this thread runs Julia code.
            .scope(|mut frame| unsafe { crate::calls::julia_code::load(&mut frame) })
            .map_err(InitError::Setup)?;
        if let Err(e) = signals {
            return Err(InitError::Signals(e));
        }
        if signals::interrupts_enabled() {
            julia
                .scope(|mut frame| {
                    let set = frame.box_value(signals::set_interrupt_handle_fn());
                    let take = frame.box_value(signals::take_interrupt_fn());
                    frame
                        .call_internal("JlrsCore.start_interrupts", &[set, take])
                        .map(|_| ())
                })
                .map_err(InitError::Setup)?;
        }
        Ok(Runtime {
            julia: Some(julia),
            _not_send: PhantomData,
        })
    }

    /// Access to Julia on this thread.
    pub fn julia(&mut self) -> &mut Julia {
        self.julia.as_mut().expect("the runtime is running")
    }

    /// The number of threads Julia started, the initialising thread included.
    pub fn n_julia_threads(&self) -> usize {
        crate::runtime::julia::n_threads()
    }

    /// The old name of [`Runtime::n_julia_threads`].
    #[doc(hidden)]
    pub fn n_threads(&self) -> usize {
        self.n_julia_threads()
    }

    /// Takes the context out of a running runtime, which marks it shut down: `None` if it
    /// was taken before.
    pub(crate) fn take_julia(&mut self) -> Option<Julia> {
        self.julia.take()
    }
}

/// An error unless `image` is a system image Julia can load (checked by loading it as
/// Julia will, and left loaded if `keep`; see `csrc/paths.c`). An image named `*.ji`,
/// which Julia reads as a file instead of loading it, is only checked to exist.
fn check_image(image: &Path, image_c: &CString, keep: bool) -> Result<(), InitError> {
    if image.extension().is_some_and(|e| e == "ji") {
        return Ok(());
    }
    // SAFETY: a NUL-terminated path; the shim only opens the library (whose sole
    // dependency of note, libjulia, is loaded) and looks up two symbols. The reason it
    // returns is copied before anything else can call `dlerror` on this thread.
    let reason = unsafe {
        let reason = sys::jlrs_core_check_image(image_c.as_ptr(), c_int::from(keep));
        if reason.is_null() {
            return Ok(());
        }
        std::ffi::CStr::from_ptr(reason)
            .to_string_lossy()
            .into_owned()
    };
    Err(InitError::BadImage {
        path: image.to_path_buf(),
        reason,
    })
}

fn path_cstring(p: &Path) -> Result<CString, InitError> {
    CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| InitError::BadPath {
        what: "a path without NUL bytes",
        path: p.to_path_buf(),
    })
}

/// The GC's root-scanner callback: counts the collection, then marks the values of every
/// live array borrow and of every registered root stack.
extern "C" fn scan_roots(kind: c_int) {
    crate::runtime::gc::note_collection(kind);
    // SAFETY: borrowed arrays and their data owners are live values (the ledger keeps
    // them until the borrow ends), and the world is stopped.
    crate::array::mark_borrowed(|v| unsafe { sys::jlrs_core_mark(v) });
    // SAFETY: called by the collector, with the world stopped.
    unsafe { roots::mark_registered() };
}
