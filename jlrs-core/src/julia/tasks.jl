# Julia tasks handed to Rust without being awaited (task.rs), and background Rust work that
# Julia code waits on as a task (background.rs).

# `f(args...)` as a new task on any free Julia thread, not awaited (schedule_async).
schedule_call(f, args::Tuple) = Threads.@spawn f(args...)

# Waits until `t` has ended, without throwing if it failed; never waits on itself.
function wait_quiet(t::Task)
    t === current_task() && error("deadlock detected: a task cannot wait for itself")
    Base._wait(t)
    return nothing
end

# The value `t` returned, once it has ended; if it failed, the exception it threw is
# thrown as it is (not wrapped in a TaskFailedException).
function task_result(t::Task)
    wait_quiet(t)
    istaskfailed(t) && throw(t.exception)
    return t.result
end

# The Rust function that stops every later send (background.rs), set by the first
# background task; the exit hook, registered here at start-up on thread 1, calls it.
const BACKGROUND_CLOSING = Threads.Atomic{UInt}(0)
atexit() do
    closing = BACKGROUND_CLOSING[]
    closing == 0 || ccall(Ptr{Cvoid}(closing), Cvoid, ())
end

# A task that waits for the Rust work at `state` and returns its result (background.rs).
# `fns` are the Rust functions `(publish, ready, unpublish, take, release, closing)`.
# The task waits on an AsyncCondition whose handle Rust sends to (`uv_async_send`, the one
# call a non-Julia thread may make) once the result is stored; the condition remembers a
# send that comes before the wait. At exit, before Julia closes libuv's handles, `closing`
# stops every later send.
function background_task(state::UInt, fns::NTuple{6,UInt})
    publish, ready, unpublish, take, release, closing = fns
    BACKGROUND_CLOSING[] = closing
    cond = Base.AsyncCondition()
    return Threads.@spawn background_wait(cond, state, publish, ready, unpublish, take,
                                          release)
end

# The body of a background task. The handle is published inside the `try` and unpublished
# before the condition closes, on every path, so Rust never sends to a closed handle (a
# task that fails before its body runs never publishes it; Rust then skips the send);
# `take` (or `release`, when the wait was cut short) gives up Julia's reference to the
# Rust state exactly once.
function background_wait(cond::Base.AsyncCondition, state::UInt, publish::UInt,
                         ready::UInt, unpublish::UInt, take::UInt, release::UInt)
    ok = false
    try
        ccall(Ptr{Cvoid}(publish), Cvoid, (UInt, Ptr{Cvoid}), state, cond.handle)
        while ccall(Ptr{Cvoid}(ready), Cint, (UInt,), state) == 0
            wait(cond)
        end
        ok = true
    finally
        ccall(Ptr{Cvoid}(unpublish), Cvoid, (UInt,), state)
        close(cond)
        ok || ccall(Ptr{Cvoid}(release), Cvoid, (UInt,), state)
    end
    r = ccall(Ptr{Cvoid}(take), Any, (UInt,), state)
    # OutOfMemoryError: Rust could not even make the exception.
    (r isa RustPanic || r isa RustError || r isa OutOfMemoryError) && throw(r)
    return r
end
