//! The errors of jlrs-core: Julia exceptions kept apart from Rust-side failures.

use std::{fmt, path::PathBuf};

/// A Julia exception, converted to Rust: its type and its `showerror` text.
///
/// The exception object itself is not kept; it has been cleared from the thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JuliaException {
    type_name: String,
    message: String,
}

impl JuliaException {
    pub(crate) fn new(type_name: String, message: String) -> Self {
        JuliaException { type_name, message }
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
            write!(f, "Julia exception: {}", self.message)
        } else {
            write!(f, "Julia exception: {}: {}", self.type_name, self.message)
        }
    }
}

impl std::error::Error for JuliaException {}

/// Everything that can go wrong when calling into Julia.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
    /// A string passed to Julia contains a NUL byte.
    #[error("the string {0:?} contains a NUL byte")]
    NulByte(String),
    /// A Julia `Char` is not a valid Unicode scalar value.
    #[error("the Julia Char with bits {0:#010x} is not a valid Unicode scalar value")]
    InvalidChar(u32),
    /// A Julia thread id outside `2..=n_threads`, or one already in use.
    #[error("Julia thread {tid} cannot host a loop: {reason}")]
    BadThread {
        /// The 1-based Julia thread id.
        tid: usize,
        /// Why the thread cannot host.
        reason: &'static str,
    },
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
        "no Julia installation found: set JULIA_DIR (run through `cargo xtask exec`) \
         or give the path explicitly; looked for {0}"
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
    /// An impossible number of threads.
    #[error("cannot start Julia with {0} threads: at least 1 is needed")]
    BadThreadCount(usize),
    /// Julia could not set up the helpers this crate needs.
    #[error("setting up the runtime failed: {0}")]
    Setup(#[source] Error),
}

/// The result of an operation that calls into Julia.
pub type JlResult<T> = Result<T, Error>;
