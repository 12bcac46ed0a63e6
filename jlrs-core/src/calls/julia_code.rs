//! The Julia half of jlrs-core: Julia files, kept beside the Rust code that calls them,
//! evaluated once at start-up.

use crate::{error::JlResult, rooting::frame::GcFrame};

/// The module `JlrsCore`: what the Rust side calls into.
const CORE: &str = include_str!("../julia/JlrsCore.jl");

/// Further files evaluated inside `JlrsCore`, in order, as `(file name, code)`.
const PARTS: &[(&str, &str)] = &[
    ("hosted.jl", include_str!("../julia/hosted.jl")),
    ("event_loop.jl", include_str!("../julia/event_loop.jl")),
    ("idle.jl", include_str!("../julia/idle.jl")),
    ("signals.jl", include_str!("../julia/signals.jl")),
    ("calls.jl", include_str!("../julia/calls.jl")),
    ("stacktrace.jl", include_str!("../julia/stacktrace.jl")),
    ("callback.jl", include_str!("../julia/callback.jl")),
    ("tasks.jl", include_str!("../julia/tasks.jl")),
    ("distributed.jl", include_str!("../julia/distributed.jl")),
    ("kw_cache.jl", include_str!("../julia/kw_cache.jl")),
];

/// Defines `JlrsCore` in `Main`.
///
/// # Safety
/// Julia has just started on this thread and no other thread runs Julia code.
pub(crate) unsafe fn load(frame: &mut GcFrame<'_>) -> JlResult<()> {
    // SAFETY: the caller's contract.
    unsafe { frame.eval_single_threaded(CORE) }?;
    let module = frame.global("JlrsCore")?;
    for (name, code) in PARTS {
        let code = frame.box_value(*code);
        let name = frame.box_value(*name);
        frame.call("Base.include_string", &[module, code, name])?;
    }
    crate::hosting::idle::install(frame)
}
