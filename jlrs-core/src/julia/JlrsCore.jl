# The Julia half of jlrs-core: the module the Rust side calls into. Evaluated once at
# start-up, on the thread that initialises Julia, before any other thread runs Julia code.
module JlrsCore
# The body of every `call_async` task (call_async.rs): `f(args...)`, then the Rust
# function at `done` called with `state`, whether `f` returned or threw. An exception is
# thrown on as a `TracedException` (stacktrace.jl) with the frames it was thrown through,
# found here, while it is handled.
function call_then_done(f, args::Tuple, done::UInt, state::UInt)
    fptr = Ptr{Cvoid}(done)
    sptr = Ptr{Cvoid}(state)
    try
        return f(args...)
    catch e
        throw(traced_exception(e, catch_backtrace(), backtrace()))
    finally
        ccall(fptr, Cvoid, (Ptr{Cvoid},), sptr)
    end
end

# `done` is called when `f` has returned or thrown; `fetch_result` then waits the last
# instant until the task is marked finished.
function spawn_call(f, args::Tuple, done::UInt, state::UInt)
    return Threads.@spawn call_then_done(f, args, done, state)
end

# The result of a task of `spawn_call`, rooted by the Rust frame that awaited it. If the
# task failed, its own exception is thrown, not the `TaskFailedException` that `fetch`
# wraps it in (whose message shows this module's frames): the caller's error names what
# `f` threw.
function fetch_result(t::Task)
    try
        return fetch(t)
    catch e
        (e isa TaskFailedException && e.task === t) || rethrow()
        throw(t.exception)
    end
end

# Evaluates every top-level expression of `code` in Main; errors are thrown as
# themselves, not wrapped in a LoadError.
function eval_string(code::String)
    try
        return Base.include_string(Main, code, "none")
    catch e
        e isa LoadError ? throw(e.error) : rethrow()
    end
end

# Evaluates `code` in Main as the contents of the file `file`: the methods it defines
# name `file` and its lines (in `MethodError`s, `methods`, stack traces), and an error
# while loading stays a LoadError, whose message ends with "in expression starting at
# file:line".
include_named(code::String, file::String) = Base.include_string(Main, code, file)

# Loads the file at `path` into Main, as Julia's `include` does.
include_file(path::String) = Base.include(Main, abspath(path))

end
