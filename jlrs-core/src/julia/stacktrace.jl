# Stack traces as data (tracing_call.rs, traced.rs): an exception caught together with
# the frames it was thrown through, captured inside the `catch` that caught it, and those
# frames as plain tuples for Rust.

# An exception `exc` with `stacktrace`, the frames from where it was thrown up to the
# traced call that caught it, innermost first (the frames of the call's callers and this
# library's own are left out). Rust reports it as `exc` itself, with the frames as its
# backtrace (exception.rs).
struct TracedException <: Exception
    exc::Any
    stacktrace::Vector{Base.StackTraces.StackFrame}
end

function Base.showerror(io::IO, e::TracedException)
    showerror(io, e.exc)
    print(io, "\nStacktrace:")
    for (i, frame) in enumerate(e.stacktrace)
        print(io, "\n [", i, "] ")
        show(io, frame)
    end
end

# At most this many backtrace entries are turned into frames (a `StackOverflowError`'s
# backtrace has tens of thousands).
const MAX_TRACE_ENTRIES = 256

# Whether `frame` runs code of this module (an inlined frame names no method: its
# function is looked up here, and must have a method of this module in its file).
function library_frame(frame::Base.StackTraces.StackFrame)
    li = frame.linfo
    if li isa Core.MethodInstance
        def = li.def
        return (def isa Method ? def.module : def) === JlrsCore
    end
    (frame.from_c || !isdefined(JlrsCore, frame.func)) && return false
    g = getfield(JlrsCore, frame.func)
    file = basename(String(frame.file))
    return any(m -> m.module === JlrsCore && basename(String(m.file)) == file, methods(g))
end

# The frames of `bt` (a `catch_backtrace()`) from where the exception was thrown up to the
# function that caught it, `here` being that function's `backtrace()`: the entries both
# end with are its callers' frames, the catching function is this library's.
function traced_frames(bt::Vector, here::Vector)
    n, m = length(bt), length(here)
    k = 0
    while k < min(n, m) && bt[n-k] == here[m-k]
        k += 1
    end
    window = bt[1:min(n - k, MAX_TRACE_ENTRIES)]
    frames = Base.StackTraces.StackFrame[]
    for frame in stacktrace(window, true)
        library_frame(frame) || push!(frames, frame)
    end
    # The C frames left at the end are the calls from this library into the traced code.
    while !isempty(frames) && frames[end].from_c
        pop!(frames)
    end
    return frames
end

# The `TracedException` of `e`, caught with backtrace `bt` by a function whose own
# backtrace is `here`. An exception that is already traced keeps its frames, followed by
# the new ones (the frames from where it was rethrown). Never throws: frames that cannot
# be found are left out; a Ctrl-C that lands meanwhile is the caller's to see.
function traced_exception(e, bt, here)
    frames = try
        traced_frames(bt, here)
    catch err
        err isa InterruptException && rethrow()
        Base.StackTraces.StackFrame[]
    end
    e isa TracedException && return TracedException(e.exc, vcat(e.stacktrace, frames))
    return TracedException(e, frames)
end

# `f(args...; kwargs...)`; an exception is thrown as a `TracedException`.
function traced_call(f, args...; kwargs...)
    try
        return f(args...; kwargs...)
    catch e
        throw(traced_exception(e, catch_backtrace(), backtrace()))
    end
end

# `f` wrapped as `attach_stacktrace` returns it: called, it calls `f` with `traced_call`.
struct Traced{F} <: Function
    f::F
end
(t::Traced)(args...; kwargs...) = traced_call(t.f, args...; kwargs...)
attach_stacktrace(f) = Traced(f)

# The frames of `e` as plain data for Rust (traced.rs): per frame, `(function, file,
# module, line, flags)` with flags 1 for inlined and 2 for a C frame; the file as Julia
# recorded it, without the "./" its debug information puts before relative names; the
# module "" when the frame names no method.
function plain_frames(e::TracedException)
    return Tuple(map(plain_frame, e.stacktrace))
end

function plain_frame(frame::Base.StackTraces.StackFrame)
    file = String(frame.file)
    startswith(file, "./") && (file = file[3:end])
    li = frame.linfo
    mod = if li isa Core.MethodInstance
        string(li.def isa Method ? li.def.module : li.def)
    else
        ""
    end
    flags = Int(frame.inlined) | (Int(frame.from_c) << 1)
    return (String(frame.func), file, mod, Int(frame.line), flags)
end
