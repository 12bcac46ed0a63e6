# The Julia half of jlrs-core: the module the Rust side calls into. Evaluated once at
# start-up, on the thread that initialises Julia, before any other thread runs Julia code.
module JlrsCore
# Every hosted task not yet seen done (hosted.rs), for `wait_hosted` at shutdown; any
# thread may spawn one, so the list has a lock.
const HOSTED = Task[]
const HOSTED_LOCK = Threads.SpinLock()
# The newest hosted task of each thread.
const HOSTED_ON = Dict{Int,Task}()

# Starts a hosted loop: a sticky task with a stack of `stack_size` bytes, pinned to Julia
# thread `tid` (1-based), that `ccall`s the Rust entry `entry` (through the shim's guard)
# with the loop's payload `data`.
function spawn_hosted(entry::UInt, data::UInt, tid::Int, stack_size::Int)
    fptr = Ptr{Cvoid}(entry)
    dptr = Ptr{Cvoid}(data)
    lock(HOSTED_LOCK)
    t = try
        filter!(!istaskdone, HOSTED)
        previous = get(HOSTED_ON, tid, nothing)
        t = Task(stack_size) do
            # An idle hosted loop runs the Julia tasks queued for its thread, this one
            # included: a thread hosts one loop at a time, so wait for the previous one.
            if previous !== nothing
                try
                    wait(previous)
                catch
                end
            end
            ccall(fptr, Cvoid, (Ptr{Cvoid},), dptr)
        end
        t.sticky = true
        ccall(:jl_set_task_tid, Cvoid, (Any, Cint), t, tid - 1)
        push!(HOSTED, t)
        HOSTED_ON[tid] = t
        t
    finally
        unlock(HOSTED_LOCK)
    end
    schedule(t)
    return nothing
end

# `done` is called when `f` has returned or thrown; `fetch_result` then waits the last
# instant until the task is marked finished, and throws a `TaskFailedException` (which
# names the inner exception) if it failed.
function spawn_call(f, args::Tuple, done::UInt, state::UInt)
    fptr = Ptr{Cvoid}(done)
    sptr = Ptr{Cvoid}(state)
    return Threads.@spawn try
        f(args...)
    finally
        ccall(fptr, Cvoid, (Ptr{Cvoid},), sptr)
    end
end

# The result of a task of `spawn_call`, rooted by the Rust frame that awaited it.
fetch_result(t::Task) = fetch(t)

# Evaluates every top-level expression of `code` in Main; errors are thrown as
# themselves, not wrapped in a LoadError.
function eval_string(code::String)
    try
        return Base.include_string(Main, code, "none")
    catch e
        e isa LoadError ? throw(e.error) : rethrow()
    end
end

# Shutdown (init.rs): waits, inside Julia's scheduler, until every hosted task has
# returned, including tasks spawned while it waits.
function wait_hosted()
    while true
        lock(HOSTED_LOCK)
        ts = copy(HOSTED)
        unlock(HOSTED_LOCK)
        all(istaskdone, ts) && return nothing
        for t in ts
            try
                wait(t)
            catch
            end
        end
    end
end
end
