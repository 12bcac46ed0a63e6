//! The errors of jlrs-core: Julia exceptions kept apart from Rust-side failures.

use std::{fmt, path::PathBuf};

use crate::calls::stack_frame::StackFrame;

/// A Julia exception, converted to Rust: its type and its `showerror` text, those of the
/// exceptions nested in it, and, for a traced call, the frames it was thrown through.
///
/// The exception object itself is not kept; it has been cleared from the thread (use
/// [`Value::call_catch`](crate::Value::call_catch) to keep it).
///
/// `Display` shows the type and message; the alternate form (`{:#}`) adds the backtrace,
/// one frame a line, as Julia prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JuliaException {
    type_name: String,
    message: String,
    causes: Vec<JuliaException>,
    // Boxed: a pointer more, not three, in every `JuliaError` (and the errors that hold one).
    backtrace: Option<Box<Frames>>,
}

/// The frames of a [`JuliaException`].
#[derive(Clone, Debug, PartialEq, Eq)]
struct Frames(Vec<StackFrame>);

impl JuliaException {
    pub(crate) fn new(type_name: String, message: String) -> Self {
        JuliaException {
            type_name,
            message,
            causes: Vec::new(),
            backtrace: None,
        }
    }

    /// Adds `frames` after the frames the exception already has.
    pub(crate) fn with_backtrace(mut self, frames: Vec<StackFrame>) -> Self {
        self.backtrace
            .get_or_insert_with(|| Box::new(Frames(Vec::new())))
            .0
            .extend(frames);
        self
    }

    /// The frames the exception was thrown through, innermost first, from where it was
    /// thrown up to the call that caught it (the caller's frames and this library's own
    /// are left out): `Some` for an exception of
    /// [`Value::tracing_call`](crate::Value::tracing_call), of a function wrapped by
    /// [`Value::attach_stacktrace`](crate::Value::attach_stacktrace), and of
    /// [`GcFrame::call_async`](crate::GcFrame::call_async); `None` for other calls, which
    /// do not look for frames. C frames are included
    /// ([`from_c`](StackFrame::from_c)), from at most 256 entries of Julia's backtrace
    /// (inlined calls expand one entry into several frames).
    pub fn backtrace(&self) -> Option<&[StackFrame]> {
        self.backtrace.as_deref().map(|frames| frames.0.as_slice())
    }

    pub(crate) fn with_causes(mut self, causes: Vec<JuliaException>) -> Self {
        self.causes = causes;
        self
    }

    /// The exceptions nested in this one, outermost first: the exception of the failed
    /// task of a `TaskFailedException`, each exception of a `CompositeException`, the
    /// captured exception of a `RemoteException` (and, recursively, theirs). Empty for
    /// other exceptions.
    pub fn causes(&self) -> &[JuliaException] {
        &self.causes
    }

    /// The exception's type, e.g. `"MethodError"`.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// What `sprint(showerror, e)` printed for the exception.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for JuliaException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.starts_with(&self.type_name) {
            write!(f, "Julia exception: {}", self.message)?;
        } else {
            write!(f, "Julia exception: {}: {}", self.type_name, self.message)?;
        }
        match self.backtrace() {
            Some(frames) if f.alternate() => {
                write!(f, "\nStacktrace:")?;
                for (i, frame) in frames.iter().enumerate() {
                    write!(f, "\n [{}] {frame}", i + 1)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl std::error::Error for JuliaException {}

/// Everything that can go wrong when calling into Julia.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JuliaError {
    /// Julia threw an exception.
    #[error(transparent)]
    Exception(#[from] JuliaException),
    /// A value does not have the type that was asked for.
    #[error("expected a value of type {expected}, found one of type {found}")]
    WrongType {
        /// The Julia type that was asked for.
        expected: String,
        /// The Julia type the value has.
        found: String,
    },
    /// A module, global or function does not exist.
    #[error("`{0}` is not defined")]
    UndefinedName(String),
    /// A constant was to be defined under a name that already has a value
    /// ([`GcFrame::set_const`](crate::GcFrame::set_const)): constants are never redefined.
    #[error("cannot define the constant `{0}`: the name is already defined, and a constant cannot be redefined")]
    AlreadyDefined(String),
    /// A string passed to Julia contains a NUL byte.
    #[error("the string {0:?} contains a NUL byte")]
    NulByte(String),
    /// A Julia `Char` is not a valid Unicode scalar value.
    #[error("the Julia Char with bits {0:#010x} is not a valid Unicode scalar value")]
    InvalidChar(u32),
    /// A Julia `Bool` byte is neither 0 nor 1 (Julia code can leave any byte there), so it
    /// is not a Rust `bool`.
    #[error("the Julia Bool with byte {0:#04x} is neither true (1) nor false (0)")]
    InvalidBool(u8),
    /// A Julia `String` is not valid UTF-8, so it cannot be a Rust `String`. The error
    /// keeps every original byte ([`FromUtf8Error::as_bytes`](std::string::FromUtf8Error::as_bytes),
    /// [`into_bytes`](std::string::FromUtf8Error::into_bytes)) and where the first invalid
    /// sequence starts ([`utf8_error`](std::string::FromUtf8Error::utf8_error));
    /// [`Value::string_bytes`](crate::Value::string_bytes) reads any `String`'s bytes.
    #[error("the Julia String is not valid UTF-8: {0}")]
    InvalidUtf8(#[source] std::string::FromUtf8Error),
    /// A Rust type does not have the layout of the Julia type it claims to be.
    #[error("the Rust type {rust_type} does not match the Julia type {julia_type}: {problem}")]
    Layout {
        /// The Rust type.
        rust_type: &'static str,
        /// The Julia type it was compared with.
        julia_type: String,
        /// What differs (naming the field).
        problem: String,
    },
    /// A value has no field of this name.
    #[error("the type {type_name} has no field `{field}`")]
    NoSuchField {
        /// The value's type.
        type_name: String,
        /// The field asked for.
        field: String,
    },
    /// A field index is out of range.
    #[error("the type {type_name} has {n_fields} fields; there is no field at index {index}")]
    FieldIndex {
        /// The value's type.
        type_name: String,
        /// The index asked for (0-based).
        index: usize,
        /// How many fields the type has.
        n_fields: usize,
    },
    /// A field exists but holds no value (`#undef`).
    #[error("the field `{field}` of a {type_name} is undefined")]
    UndefinedField {
        /// The value's type.
        type_name: String,
        /// The field.
        field: String,
    },
    /// The same keyword or named-tuple name was given twice.
    #[error("the name `{0}` is given twice")]
    DuplicateName(String),
    /// A package or module could not be loaded with `using`.
    #[error("cannot load the package `{name}`: {source}")]
    Package {
        /// The package asked for.
        name: String,
        /// Julia's exception.
        #[source]
        source: JuliaException,
    },
    /// A Julia thread id outside `2..=n_threads`, or one already in use.
    #[error("Julia thread {tid} cannot host a loop: {reason}")]
    BadThread {
        /// The 1-based Julia thread id.
        tid: usize,
        /// Why the thread cannot host.
        reason: &'static str,
    },
    /// Bad input for an array, or a conflicting borrow of its data.
    #[error(transparent)]
    Array(#[from] crate::array::error::ArrayError),
    /// A Rust value could not be converted to or from a Julia value: a matrix with rows of
    /// different lengths, a field of a struct that does not convert (naming the field, the
    /// type and why).
    #[error("cannot convert {what}: {problem}")]
    Conversion {
        /// What was converted (e.g. "the field `hist` of a Main.Stats").
        what: String,
        /// Why it failed.
        problem: String,
    },
    /// The thread of a background task
    /// ([`GcFrame::spawn_background_task`](crate::GcFrame::spawn_background_task)) could
    /// not be started; the closure was dropped unrun.
    #[error("cannot start the thread of a background task: {0}")]
    BackgroundThread(#[source] std::io::Error),
    /// Julia has shut down (see [`Runtime::shutdown`](crate::Runtime::shutdown)); it
    /// cannot be called again in this process.
    #[error("Julia has shut down; it cannot be called again in this process")]
    ShutDown,
    /// Julia was called from a GC-safe region (such as [`Julia::gc_safe`](crate::Julia::gc_safe)
    /// or [`blocking`](crate::blocking)), where touching Julia would race the collector.
    #[error("Julia cannot be called from a GC-safe region (inside `gc_safe` or `blocking`)")]
    GcSafeRegion,
    /// Julia was called from a thread that is not one of Julia's threads.
    #[error("Julia cannot be called from this thread: it is not one of Julia's threads")]
    NotAJuliaThread,
    /// Julia code on a Distributed worker threw (Julia's `RemoteException`): the worker
    /// and the exception it threw.
    #[cfg(feature = "distributed")]
    #[error("worker {worker} threw: {exception}")]
    Remote {
        /// The worker the exception was thrown on.
        worker: crate::distributed::worker_id::WorkerId,
        /// The exception thrown there (its type and message).
        exception: JuliaException,
    },
    /// A Distributed worker exited or was killed while a call waited on it (Julia's
    /// `ProcessExitedException`). Distributed has dropped it from the cluster; the other
    /// workers are still usable.
    #[cfg(feature = "distributed")]
    #[error(
        "worker {worker} exited during the call (ProcessExitedException); it has left the cluster"
    )]
    WorkerExited {
        /// The worker that exited.
        worker: crate::distributed::worker_id::WorkerId,
    },
    /// A remote call with a timeout did not end in time; the call on the worker was
    /// interrupted and has ended, so the worker is idle again.
    #[cfg(feature = "distributed")]
    #[error(
        "the call on worker {worker} timed out; it was interrupted and the worker is idle again"
    )]
    TimedOut {
        /// The worker the call ran on.
        worker: crate::distributed::worker_id::WorkerId,
    },
}

/// Why Julia could not be initialised.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// Julia was already initialised in this process; it can be initialised once.
    #[error("Julia has already been initialised in this process (it can be initialised once)")]
    AlreadyInitialized,
    /// No Julia installation was found.
    #[error(
        "no Julia installation found: the program was built without one, or the one it \
         was built against has moved; set JULIA_DIR or give the path explicitly; looked \
         for {0}"
    )]
    JuliaNotFound(String),
    /// A path given for Julia does not exist.
    #[error("{what} {} does not exist", path.display())]
    BadPath {
        /// What the path was for.
        what: &'static str,
        /// The path.
        path: PathBuf,
    },
    /// A system image given with [`InitOptions::image`](crate::InitOptions::image)
    /// exists but is not one Julia can load (Julia itself would end the process).
    #[error("the system image {} cannot be loaded: {reason}", path.display())]
    BadImage {
        /// The image.
        path: PathBuf,
        /// Why not, as the dynamic loader says it.
        reason: String,
    },
    /// An impossible number of threads.
    #[error(
        "cannot start Julia with {0} threads: at least 1 and at most {max} are possible",
        max = crate::runtime::thread_state::MAX_JULIA_THREADS
    )]
    BadThreadCount(usize),
    /// Julia could not set up the helpers this crate needs.
    #[error("setting up the runtime failed: {0}")]
    Setup(#[source] JuliaError),
    /// SIGINT's handling could not be set up (see [`SigintPolicy`](crate::SigintPolicy)).
    #[error("setting up SIGINT's handling failed: {0}")]
    Signals(#[source] std::io::Error),
}

/// The result of an operation that calls into Julia.
pub type JlResult<T> = Result<T, JuliaError>;

static_assertions::assert_impl_all!(JuliaError: Send, Sync, std::error::Error);
static_assertions::assert_impl_all!(JuliaException: Send, Sync, std::error::Error);
static_assertions::assert_impl_all!(InitError: Send, Sync, std::error::Error);
static_assertions::assert_impl_all!(crate::array::error::ArrayError: Send, Sync, std::error::Error);
