//! [`StackFrame`]: one frame of a Julia backtrace, as plain Rust data.

use std::fmt;

/// One frame of the backtrace of a Julia exception, innermost first: what Julia's
/// `StackTraces.StackFrame` says about it, copied into Rust while the exception was
/// being handled.
///
/// Found in [`JuliaException::backtrace`](crate::JuliaException::backtrace) of an error
/// of [`Value::tracing_call`](crate::Value::tracing_call), of a function wrapped by
/// [`Value::attach_stacktrace`](crate::Value::attach_stacktrace), and of
/// [`GcFrame::call_async`](crate::GcFrame::call_async).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StackFrame {
    /// The function's name as Julia records it (`"userfn"`, `"kwfn##kw"` for a keyword
    /// sorter, `"top-level scope"`); a C function's symbol, or `""` when it has none.
    pub function: String,
    /// The file as Julia recorded it: the name given to `include_string` or `include`
    /// (without the `./` Julia's debug information puts before a relative name, so
    /// `"math.jl"` for a frame in Base's `math.jl`), or a C library's path.
    pub file: String,
    /// The line in `file`; 0 when unknown (C frames).
    pub line: u32,
    /// The module of the method the frame runs (`"Main"`, `"Base.Math"`), or `None`
    /// when the frame names no method (inlined and C frames).
    pub module: Option<String>,
    /// Whether the code was inlined into the frame that follows.
    pub inlined: bool,
    /// Whether the frame is a C function (Julia's runtime, a library), not Julia code.
    pub from_c: bool,
}

impl fmt::Display for StackFrame {
    /// As Julia shows a frame: `userfn at user.jl:2`, with ` [inlined]` if it was.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let function = if self.function.is_empty() {
            "<unknown>"
        } else {
            &self.function
        };
        write!(f, "{function}")?;
        if !self.file.is_empty() {
            let file = self.file.rsplit('/').next().unwrap_or(&self.file);
            if self.line > 0 {
                write!(f, " at {file}:{}", self.line)?;
            } else {
                write!(f, " at {file}:?")?;
            }
        }
        if self.inlined {
            write!(f, " [inlined]")?;
        }
        Ok(())
    }
}
